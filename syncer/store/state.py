"""The sync's own state: the page mapping, runs, and the audit log of Notion actions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import (
    ActionRecord,
    ActionStatus,
    Database,
    Key,
    MappingRecord,
    RunRecord,
    RunStatus,
)
from syncer.store import schema
from syncer.store.times import from_text, optional_from_text, to_text

_IN_LIMIT = 400  # keys per IN query; above twice this, reading the env's whole mapping is cheaper

# ---- page mapping -------------------------------------------------------------------------


def mappings(conn: sa.Connection, env: str, keys: Iterable[Key] | None) -> dict[Key, MappingRecord]:
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
        key = Key(dt.date.fromisoformat(row.date), row.rotation)
        result[key] = MappingRecord(
            key=key,
            database=cast(Database, row.database),
            page_id=row.page_id,
            content_digest=row.content_digest,
        )
    return result


def replace_mappings(
    conn: sa.Connection, env: str, records: Iterable[MappingRecord], now: dt.datetime
) -> None:
    """Make ``records`` the env's whole mapping (a resync)."""
    conn.execute(sa.delete(schema.pages).where(schema.pages.c.env == env))
    values = [_mapping_values(env, record, now) for record in records]
    if values:
        conn.execute(sa.insert(schema.pages), values)


def upsert_mapping(conn: sa.Connection, env: str, record: MappingRecord, now: dt.datetime) -> None:
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


def forget_mapping(conn: sa.Connection, env: str, key: Key) -> None:
    table = schema.pages
    conn.execute(
        sa.delete(table).where(
            table.c.env == env,
            table.c.date == key.date.isoformat(),
            table.c.rotation == key.rotation,
        )
    )


def _mapping_values(env: str, record: MappingRecord, now: dt.datetime) -> dict[str, Any]:
    return {
        "env": env,
        "date": record.key.date.isoformat(),
        "rotation": record.key.rotation,
        "database": record.database,
        "page_id": record.page_id,
        "content_digest": record.content_digest,
        "updated_at": to_text(now),
    }


# ---- runs ---------------------------------------------------------------------------------


def start_run(conn: sa.Connection, env: str, kind: str, trigger: str, now: dt.datetime) -> int:
    values = {
        "env": env,
        "kind": kind,
        "trigger": trigger,
        "status": "running",
        "started_at": to_text(now),
        "counts": "{}",
    }
    result = conn.execute(sa.insert(schema.runs).values(**values))
    return _new_id(result)


def finish_run(conn: sa.Connection, run_id: int, values: dict[str, Any]) -> None:
    """Record a run's outcome; ``values`` are column values (``finished_at`` as a datetime)."""
    values = dict(values, finished_at=to_text(values["finished_at"]))
    values["counts"] = json.dumps(values["counts"], sort_keys=True)
    result = conn.execute(sa.update(schema.runs).where(schema.runs.c.id == run_id).values(**values))
    if result.rowcount != 1:
        raise ValueError(f"no run {run_id} to finish")


def run(conn: sa.Connection, run_id: int) -> RunRecord | None:
    row = conn.execute(sa.select(schema.runs).where(schema.runs.c.id == run_id)).first()
    return None if row is None else _run_record(row)


def last_run(conn: sa.Connection, env: str, kind: str, status: str | None) -> RunRecord | None:
    table = schema.runs
    query = sa.select(table).where(table.c.env == env, table.c.kind == kind)
    if status is not None:
        query = query.where(table.c.status == status)
    row = conn.execute(query.order_by(table.c.id.desc()).limit(1)).first()
    return None if row is None else _run_record(row)


def _run_record(row: sa.Row[Any]) -> RunRecord:
    return RunRecord(
        run_id=int(row.id),
        env=row.env,
        kind=row.kind,
        trigger=row.trigger,
        status=cast(RunStatus, row.status),
        started_at=from_text(row.started_at),
        finished_at=optional_from_text(row.finished_at),
        counts={str(k): int(v) for k, v in json.loads(row.counts).items()},
        first_change_id=row.first_change_id,
        last_change_id=row.last_change_id,
        error=row.error,
    )


# ---- the audit log ------------------------------------------------------------------------


def insert_action(conn: sa.Connection, record: ActionRecord) -> int:
    values = {
        "run_id": record.run_id,
        "env": record.env,
        "key_text": record.key_text,
        "action": record.action,
        "status": record.status,
        "at": to_text(record.at),
        "page_id": record.page_id,
        "database": record.database,
        "before": _json_or_none(record.before),
        "after": _json_or_none(record.after),
        "error": record.error,
        "attempts": record.attempts,
        "request_ids": json.dumps(list(record.request_ids)),
    }
    result = conn.execute(sa.insert(schema.actions).values(**values))
    return _new_id(result)


def actions(conn: sa.Connection, run_id: int) -> list[ActionRecord]:
    table = schema.actions
    rows = conn.execute(sa.select(table).where(table.c.run_id == run_id).order_by(table.c.id))
    return [_action_record(row) for row in rows]


def _action_record(row: sa.Row[Any]) -> ActionRecord:
    return ActionRecord(
        run_id=int(row.run_id),
        env=row.env,
        key_text=row.key_text,
        action=row.action,
        status=cast(ActionStatus, row.status),
        at=from_text(row.at),
        page_id=row.page_id,
        database=cast(Database | None, row.database),
        before=None if row.before is None else json.loads(row.before),
        after=None if row.after is None else json.loads(row.after),
        error=row.error,
        attempts=int(row.attempts),
        request_ids=tuple(json.loads(row.request_ids)),
    )


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None, "an insert always has a primary key"
    return int(key[0])


def _json_or_none(value: dict[str, object] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)
