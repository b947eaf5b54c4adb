"""The schedule file's id, and the cache of Notion's database metadata (by database id)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core.claims import CachedDatabase
from syncer.core.ids import data_source_id
from syncer.store import schema
from syncer.store.times import from_text, to_text


def new_file_id() -> str:
    """A fresh id for a schedule file: short enough to read in a description, unique enough."""
    return uuid.uuid4().hex[:12]


def file_id(conn: sa.Connection, now: dt.datetime) -> str:
    """This file's id, made on first use when the migration did not (a row removed by hand)."""
    table = schema.file
    found = conn.execute(sa.select(table.c.file_id).where(table.c.id == 1)).scalar()
    if found:
        return str(found)
    made = new_file_id()
    conn.execute(sa.insert(table).values(id=1, file_id=made, created_at=to_text(now)))
    return made


def cached(conn: sa.Connection, database_id: str) -> CachedDatabase | None:
    table = schema.databases
    row = conn.execute(
        sa.select(table).where(table.c.database_id == _plain(database_id))
    ).one_or_none()
    if row is None:
        return None
    return CachedDatabase(
        database_id=row.database_id,
        data_source_id=data_source_id(row.data_source_id),
        schema=json.loads(row.schema),
        holder=row.holder,
        fetched_at=from_text(row.fetched_at),
    )


def save(conn: sa.Connection, entry: CachedDatabase) -> None:
    table = schema.databases
    values = {
        "database_id": _plain(entry.database_id),
        "data_source_id": entry.data_source_id,
        "schema": json.dumps(entry.schema, sort_keys=True),
        "holder": entry.holder,
        "fetched_at": to_text(entry.fetched_at),
    }
    insert = sqlite_insert(table).values(**values)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.database_id],
            set_={k: insert.excluded[k] for k in values if k != "database_id"},
        )
    )


def forget(conn: sa.Connection, database_id: str) -> None:
    table = schema.databases
    conn.execute(sa.delete(table).where(table.c.database_id == _plain(database_id)))


def _plain(database_id: str) -> str:
    return database_id.replace("-", "").lower()
