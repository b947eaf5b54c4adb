"""Per-environment bookkeeping: the lock lease, failing keys, and the people cache."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import FailingKey, Person
from syncer.core.errors import LockHeld
from syncer.store import schema
from syncer.store.times import from_text, to_text

# ---- the lock: a lease, so a crashed holder cannot block the environment forever ---------


def lock_holder(conn: sa.Connection, env: str, now: dt.datetime) -> tuple[str, dt.datetime] | None:
    """Who holds the env's lease and until when, or None when it is free or has expired."""
    table = schema.locks
    row = conn.execute(sa.select(table).where(table.c.env == env)).first()
    if row is None:
        return None
    expires = from_text(row.expires_at)
    return (row.holder, expires) if expires > now else None


def acquire(
    conn: sa.Connection, env: str, holder: str, now: dt.datetime, ttl: dt.timedelta
) -> None:
    """Take (or extend) the env's lease; raise LockHeld when another holder's lease is live.

    The caller runs this in a BEGIN IMMEDIATE transaction, so two acquirers cannot both see
    the lease free.
    """
    current = lock_holder(conn, env, now)
    if current is not None and current[0] != holder:
        raise _held(env, *current)
    values = {
        "env": env,
        "holder": holder,
        "acquired_at": to_text(now),
        "expires_at": to_text(now + ttl),
    }
    insert = sqlite_insert(schema.locks).values(**values)
    updated = {name: insert.excluded[name] for name in ("holder", "acquired_at", "expires_at")}
    if current is not None:
        updated.pop("acquired_at")  # extending our own lease keeps when we first took it
    conn.execute(insert.on_conflict_do_update(index_elements=[schema.locks.c.env], set_=updated))


def release(conn: sa.Connection, env: str, holder: str) -> None:
    """Give the lease up; a no-op when ``holder`` no longer holds it."""
    table = schema.locks
    conn.execute(sa.delete(table).where(table.c.env == env, table.c.holder == holder))


def _held(env: str, holder: str, expires: dt.datetime) -> LockHeld:
    return LockHeld(
        f"environment {env!r} is locked by {holder} until {expires.isoformat()}",
        holder=holder,
        hint=(
            "wait for that sync to finish; if it crashed, the lease expires at "
            f"{expires.isoformat()} and the next run takes over"
        ),
    )


# ---- failing keys: they stay dirty until a drain succeeds for them ------------------------


def mark_failing(
    conn: sa.Connection, env: str, key_text: str, error: str, now: dt.datetime
) -> None:
    table = schema.failing_keys
    insert = sqlite_insert(table).values(
        env=env, key_text=key_text, attempts=1, last_error=error, since=to_text(now)
    )
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.env, table.c.key_text],
            set_={"attempts": table.c.attempts + 1, "last_error": insert.excluded.last_error},
        )
    )


def clear_failing(conn: sa.Connection, env: str, key_texts: Iterable[str]) -> None:
    table = schema.failing_keys
    texts = sorted(set(key_texts))
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        conn.execute(sa.delete(table).where(table.c.env == env, table.c.key_text.in_(chunk)))


def failing_keys(conn: sa.Connection, env: str) -> list[FailingKey]:
    table = schema.failing_keys
    rows = conn.execute(sa.select(table).where(table.c.env == env).order_by(table.c.key_text))
    return [
        FailingKey(
            key_text=row.key_text,
            attempts=int(row.attempts),
            last_error=row.last_error,
            since=from_text(row.since),
        )
        for row in rows
    ]


# ---- the people cache ---------------------------------------------------------------------


def people(conn: sa.Connection, env: str) -> tuple[dict[str, Person], dt.datetime | None]:
    """The env's cached people by lower-cased email, and when they were fetched (None: never)."""
    table, fetches = schema.people, schema.people_fetches
    rows = conn.execute(sa.select(table).where(table.c.env == env))
    cached = {
        row.email: Person(user_id=row.user_id, name=row.name, email=row.email) for row in rows
    }
    fetched = conn.execute(sa.select(fetches.c.fetched_at).where(fetches.c.env == env)).scalar()
    return cached, None if fetched is None else from_text(fetched)


def unmatched_emails(conn: sa.Connection, env: str) -> frozenset[str]:
    """The emails that matched no person at the env's last ``users.list``."""
    fetches = schema.people_fetches
    text = conn.execute(sa.select(fetches.c.unmatched).where(fetches.c.env == env)).scalar()
    return frozenset(json.loads(text)) if text else frozenset()


def replace_people(
    conn: sa.Connection,
    env: str,
    found: Iterable[Person],
    now: dt.datetime,
    unmatched: Iterable[str] = (),
) -> None:
    """Make ``found`` the env's whole cache, fetched at ``now``, with the emails it lacked."""
    table, fetches = schema.people, schema.people_fetches
    conn.execute(sa.delete(table).where(table.c.env == env))
    by_email = {person.email.lower(): person for person in found}
    values = [
        {"env": env, "email": email, "user_id": person.user_id, "name": person.name}
        for email, person in sorted(by_email.items())
    ]
    if values:
        conn.execute(sa.insert(table), values)
    missing = json.dumps(sorted({email.lower() for email in unmatched}))
    insert = sqlite_insert(fetches).values(env=env, fetched_at=to_text(now), unmatched=missing)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[fetches.c.env],
            set_={"fetched_at": insert.excluded.fetched_at, "unmatched": insert.excluded.unmatched},
        )
    )
