"""Failing keys: they stay dirty until a drain succeeds for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import AnyKey, FailingKey
from syncer.core.ids import EnvName
from syncer.store import keytext, schema
from syncer.store.clipped import clipped
from syncer.store.times import from_text, to_text


def mark_failing(
    conn: sa.Connection, env: EnvName, key: AnyKey, error: str, now: dt.datetime
) -> None:
    table = schema.failing_keys
    insert = sqlite_insert(table).values(
        env=env,
        key_text=keytext.to_text(key),
        attempts=1,
        last_error=clipped(error) or "",
        since=to_text(now),
    )
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.env, table.c.key_text],
            set_={"attempts": table.c.attempts + 1, "last_error": insert.excluded.last_error},
        )
    )


def mark_in_doubt(
    conn: sa.Connection, env: EnvName, key: AnyKey, error: str, now: dt.datetime
) -> bool:
    """Mark the key failing unless it is already; whether this call marked it."""
    insert = sqlite_insert(schema.failing_keys).values(
        env=env,
        key_text=keytext.to_text(key),
        attempts=1,
        last_error=clipped(error) or "",
        since=to_text(now),
    )
    return conn.execute(insert.on_conflict_do_nothing()).rowcount == 1


def clear_failing(conn: sa.Connection, env: EnvName, keys: Iterable[AnyKey]) -> None:
    table = schema.failing_keys
    texts = sorted({keytext.to_text(key) for key in keys})
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        conn.execute(sa.delete(table).where(table.c.env == env, table.c.key_text.in_(chunk)))


def failing_keys(conn: sa.Connection, env: EnvName) -> list[FailingKey]:
    table = schema.failing_keys
    rows = conn.execute(sa.select(table).where(table.c.env == env).order_by(table.c.key_text))
    return [
        FailingKey(
            key=keytext.from_text(row.key_text),
            attempts=int(row.attempts),
            last_error=row.last_error,
            since=from_text(row.since),
        )
        for row in rows
    ]
