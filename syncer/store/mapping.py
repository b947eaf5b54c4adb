"""The page mapping: per key, which database and page, and the digest last pushed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import Database, EnvName, Key, MappingRecord, RawKey, stored_key
from syncer.core.ids import page_id
from syncer.store import schema
from syncer.store.times import to_text

_IN_LIMIT = 400  # keys per IN query; above twice this, reading the env's whole mapping is cheaper


def mappings(
    conn: sa.Connection, env: EnvName, keys: Iterable[Key] | None
) -> dict[Key, MappingRecord]:
    """The env's mapping records, for ``keys`` only or (None) all of them."""
    table = schema.pages
    if keys is None:
        return _mapping_query(conn, table.c.env == env)
    wanted = frozenset(keys)
    if len(wanted) > 2 * _IN_LIMIT:
        found = _mapping_query(conn, table.c.env == env)
        return {key: record for key, record in found.items() if key in wanted}
    result: dict[Key, MappingRecord] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _IN_LIMIT):
        chunk = [(key.date.isoformat(), key.rotation) for key in ordered[start : start + _IN_LIMIT]]
        where = (table.c.env == env) & sa.tuple_(table.c.date, table.c.rotation).in_(chunk)
        result.update(_mapping_query(conn, where))
    return result


def _mapping_query(conn: sa.Connection, where: sa.ColumnElement[bool]) -> dict[Key, MappingRecord]:
    table = schema.pages
    result: dict[Key, MappingRecord] = {}
    for row in conn.execute(sa.select(table).where(where)):
        key = stored_key(RawKey(row.date, row.rotation))
        assert isinstance(key, Key), f"the mapping holds only parsed keys: {key}"
        result[key] = MappingRecord(
            key=key,
            database=cast(Database, row.database),
            page_id=page_id(row.page_id),
            content_digest=row.content_digest,
        )
    return result


def replace_mappings(
    conn: sa.Connection, env: EnvName, records: Iterable[MappingRecord], now: dt.datetime
) -> None:
    """Make ``records`` the env's whole mapping (a resync)."""
    conn.execute(sa.delete(schema.pages).where(schema.pages.c.env == env))
    values = [_mapping_values(env, record, now) for record in records]
    if values:
        conn.execute(sa.insert(schema.pages), values)


def upsert_mapping(
    conn: sa.Connection, env: EnvName, record: MappingRecord, now: dt.datetime
) -> None:
    insert = sqlite_insert(schema.pages).values(**_mapping_values(env, record, now))
    updated = {
        name: insert.excluded[name]
        for name in ("database", "page_id", "content_digest", "updated_at")
    }
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[schema.pages.c.env, schema.pages.c.date, schema.pages.c.rotation],
            set_=updated,
        )
    )


def forget_mapping(conn: sa.Connection, env: EnvName, key: Key) -> None:
    table = schema.pages
    conn.execute(
        sa.delete(table).where(
            table.c.env == env,
            table.c.date == key.date.isoformat(),
            table.c.rotation == key.rotation,
        )
    )


def _mapping_values(env: EnvName, record: MappingRecord, now: dt.datetime) -> dict[str, Any]:
    return {
        "env": env,
        "date": record.key.date.isoformat(),
        "rotation": record.key.rotation,
        "database": record.database,
        "page_id": record.page_id,
        "content_digest": record.content_digest,
        "updated_at": to_text(now),
    }
