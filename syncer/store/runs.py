"""Runs and their audit rows: one row per run, one per action a run recorded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import sqlalchemy as sa

from syncer.core import (
    ActionKind,
    ActionRecord,
    ActionStatus,
    Database,
    PageImage,
    RunId,
    RunKind,
    RunRecord,
    RunStatus,
    Trigger,
)
from syncer.core.ids import EnvName, page_id
from syncer.store import keytext, schema
from syncer.store.clipped import clipped
from syncer.store.times import from_text, optional_from_text, to_text


def start_run(
    conn: sa.Connection, env: EnvName, kind: RunKind, trigger: Trigger, now: dt.datetime
) -> RunId:
    values = {
        "env": env,
        "kind": kind,
        "trigger": trigger,
        "status": "running",
        "started_at": to_text(now),
        "counts": "{}",
    }
    result = conn.execute(sa.insert(schema.runs).values(**values))
    return RunId(_new_id(result))


def finish_run(conn: sa.Connection, run_id: RunId, values: dict[str, Any]) -> None:
    """Record a run's outcome; ``values`` are column values (``finished_at`` as a datetime)."""
    values = dict(values, finished_at=to_text(values["finished_at"]))
    values["error"] = clipped(values.get("error"))
    values["counts"] = json.dumps(values["counts"], sort_keys=True)
    result = conn.execute(sa.update(schema.runs).where(schema.runs.c.id == run_id).values(**values))
    if result.rowcount != 1:
        raise ValueError(f"no run {run_id} to finish")


def interrupt_running(conn: sa.Connection, env: EnvName, now: dt.datetime) -> list[RunId]:
    """Mark every run of ``env`` still 'running' as interrupted; return their ids."""
    table = schema.runs
    where = sa.and_(table.c.env == env, table.c.status == "running")
    found = [RunId(int(i)) for i in conn.execute(sa.select(table.c.id).where(where)).scalars()]
    if found:
        note = "its process ended without finishing (found by the next run to take the lock)"
        values = {"status": "interrupted", "finished_at": to_text(now), "error": note}
        conn.execute(sa.update(table).where(where).values(**values))
    return found


def run(conn: sa.Connection, run_id: RunId) -> RunRecord | None:
    row = conn.execute(sa.select(schema.runs).where(schema.runs.c.id == run_id)).first()
    return None if row is None else _run_record(row)


def last_run(
    conn: sa.Connection, env: EnvName, kind: RunKind, status: RunStatus | None
) -> RunRecord | None:
    table = schema.runs
    query = sa.select(table).where(table.c.env == env, table.c.kind == kind)
    if status is not None:
        query = query.where(table.c.status == status)
    row = conn.execute(query.order_by(table.c.id.desc()).limit(1)).first()
    return None if row is None else _run_record(row)


def _run_record(row: sa.Row[Any]) -> RunRecord:
    return RunRecord(
        run_id=RunId(int(row.id)),
        env=EnvName(row.env),
        kind=cast(RunKind, row.kind),
        trigger=cast(Trigger, row.trigger),
        status=cast(RunStatus, row.status),
        started_at=from_text(row.started_at),
        finished_at=optional_from_text(row.finished_at),
        counts={str(k): int(v) for k, v in json.loads(row.counts).items()},
        first_change_id=row.first_change_id,
        last_change_id=row.last_change_id,
        error=row.error,
    )


def insert_action(conn: sa.Connection, record: ActionRecord) -> int:
    result = conn.execute(sa.insert(schema.actions).values(**_action_values(record)))
    return _new_id(result)


def replace_action(conn: sa.Connection, action_id: int, record: ActionRecord) -> None:
    """Give an audit row written ahead of its call (outcome ``unknown``) its outcome."""
    table = schema.actions
    conn.execute(sa.update(table).where(table.c.id == action_id).values(**_action_values(record)))


def _action_values(record: ActionRecord) -> dict[str, object]:
    return {
        "run_id": record.run_id,
        "env": record.env,
        "key_text": keytext.to_text(record.key),
        "action": record.action,
        "status": record.status,
        "at": to_text(record.at),
        "page_id": record.page_id,
        "database": record.database,
        "before": _json_or_none(record.before),
        "after": _json_or_none(record.after),
        "error": clipped(record.error),
        "attempts": record.attempts,
        "request_ids": json.dumps(list(record.request_ids)),
    }


def _action_record(row: sa.Row[Any]) -> ActionRecord:
    return ActionRecord(
        run_id=RunId(int(row.run_id)),
        env=EnvName(row.env),
        key=keytext.from_text(row.key_text),
        action=cast(ActionKind, row.action),
        status=cast(ActionStatus, row.status),
        at=from_text(row.at),
        page_id=None if row.page_id is None else page_id(row.page_id),
        database=cast(Database | None, row.database),
        before=_image(row.before),
        after=_image(row.after),
        error=row.error,
        attempts=int(row.attempts),
        request_ids=tuple(json.loads(row.request_ids)),
    )


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None, "an insert always has a primary key"
    return int(key[0])


def _json_or_none(image: PageImage | None) -> str | None:
    return None if image is None else json.dumps(image.to_json(), sort_keys=True, default=str)


def _image(text: str | None) -> PageImage | None:
    return None if text is None else PageImage.from_json(dict(json.loads(text)))
