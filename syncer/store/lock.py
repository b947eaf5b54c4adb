"""The lock: a lease per environment, so a crashed holder cannot block it forever."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import EnvName, Lease, LockHolder
from syncer.core.errors import LockHeld
from syncer.store import schema
from syncer.store.times import from_text, to_text


def lease(conn: sa.Connection, env: EnvName, now: dt.datetime) -> Lease | None:
    """Who holds the env's lease and until when, or None when it is free or has expired."""
    table = schema.locks
    row = conn.execute(sa.select(table).where(table.c.env == env)).first()
    if row is None:
        return None
    expires = from_text(row.expires_at)
    return Lease(LockHolder.parse(row.holder), expires) if expires > now else None


def acquire(
    conn: sa.Connection, env: EnvName, holder: LockHolder, now: dt.datetime, ttl: dt.timedelta
) -> None:
    """Take (or extend) the env's lease; raise LockHeld when another holder's lease is live.

    The caller runs this in a BEGIN IMMEDIATE transaction, so two acquirers cannot both see
    the lease free.
    """
    current = lease(conn, env, now)
    if current is not None and current.holder != holder:
        raise _held(env, current)
    values = {
        "env": env,
        "holder": str(holder),
        "acquired_at": to_text(now),
        "expires_at": to_text(now + ttl),
    }
    insert = sqlite_insert(schema.locks).values(**values)
    updated = {name: insert.excluded[name] for name in ("holder", "acquired_at", "expires_at")}
    if current is not None:
        updated.pop("acquired_at")  # extending our own lease keeps when we first took it
    conn.execute(insert.on_conflict_do_update(index_elements=[schema.locks.c.env], set_=updated))


def release(conn: sa.Connection, env: EnvName, holder: LockHolder) -> None:
    """Give the lease up; a no-op when ``holder`` no longer holds it."""
    table = schema.locks
    conn.execute(sa.delete(table).where(table.c.env == env, table.c.holder == str(holder)))


def _held(env: EnvName, current: Lease) -> LockHeld:
    expires = current.expires_at.isoformat()
    if current.holder.is_service:
        # watch renews its lease for as long as it runs: waiting for it would never end.
        return LockHeld(
            f"environment {env!r} is kept in sync by the `syncer watch` service "
            f"({current.holder}), which holds its lock for as long as it runs",
            holder=current.holder,
            hint="stop the service for such work (e.g. `systemctl stop syncer`), then run "
            "this again; start the service afterwards",
        )
    return LockHeld(
        f"environment {env!r} is locked by {current.holder} until {expires}",
        holder=current.holder,
        hint=(
            f"wait for that sync to finish; if it crashed, the lease expires at {expires} and "
            "the next run takes over"
        ),
    )
