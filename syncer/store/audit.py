"""Read-only queries over runs and the audit log (audit, status, rollback), and the prune."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from syncer.core import (
    ActionKind,
    ActionRecord,
    ActionStatus,
    AnyKey,
    Key,
    PageImage,
    RunId,
    RunKind,
    RunRecord,
    RunStatus,
    Trigger,
)
from syncer.core.ids import EnvName
from syncer.store import changes, keytext, schema
from syncer.store.runs import _action_record, _run_record
from syncer.store.times import to_text

_EMAIL_FIELDS = ("orig_email", "override_email", "final_email")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit row with its id (ids order the log: a larger id happened later)."""

    action_id: int
    record: ActionRecord


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which runs ``audit runs`` lists; None means any."""

    env: EnvName | None = None
    kind: RunKind | None = None
    status: RunStatus | None = None
    since: dt.datetime | None = None
    limit: int | None = None
    trigger: Trigger | None = None
    after: RunId | None = None  # only runs with a larger id


@dataclass(frozen=True, slots=True)
class ActionFilter:
    """Which audit rows ``audit actions`` lists; None means any. ``until`` is exclusive."""

    run_id: RunId | None = None
    env: EnvName | None = None
    date: dt.date | None = None
    rotation: str | None = None
    email: str | None = None  # any engineer email of the before or after image
    action: ActionKind | None = None
    status: ActionStatus | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None  # the newest this many


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What ``audit prune`` removed, and the oldest run kept per environment."""

    actions: int
    runs: int
    changes: int
    kept_from: dict[EnvName, RunId]


# ---- runs ---------------------------------------------------------------------------------


def runs(conn: sa.Connection, where: RunFilter) -> list[RunRecord]:
    """Runs matching ``where``, newest first."""
    table = schema.runs
    query = sa.select(table).order_by(table.c.id.desc())
    if where.env is not None:
        query = query.where(table.c.env == where.env)
    if where.kind is not None:
        query = query.where(table.c.kind == where.kind)
    if where.status is not None:
        query = query.where(table.c.status == where.status)
    if where.since is not None:
        query = query.where(table.c.started_at >= to_text(where.since))
    if where.trigger is not None:
        query = query.where(table.c.trigger == where.trigger)
    if where.after is not None:
        query = query.where(table.c.id > where.after)
    if where.limit is not None:
        query = query.limit(where.limit)
    return [_run_record(row) for row in conn.execute(query)]


def runs_after(conn: sa.Connection, env: EnvName, run_id: RunId) -> list[RunRecord]:
    """The environment's runs started after ``run_id``, newest first."""
    table = schema.runs
    query = (
        sa.select(table).where(table.c.env == env, table.c.id > run_id).order_by(table.c.id.desc())
    )
    return [_run_record(row) for row in conn.execute(query)]


# ---- actions ------------------------------------------------------------------------------


def actions(conn: sa.Connection, where: ActionFilter) -> list[AuditEntry]:
    """Audit rows matching ``where``, newest first."""
    table = schema.actions
    query = sa.select(table).where(*_action_conditions(where)).order_by(table.c.id.desc())
    if where.limit is not None:
        query = query.limit(where.limit)
    return [AuditEntry(int(row.id), _action_record(row)) for row in conn.execute(query)]


def _action_conditions(where: ActionFilter) -> list[sa.ColumnElement[bool]]:
    table = schema.actions
    conditions: list[sa.ColumnElement[bool]] = []
    equal = {
        table.c.run_id: where.run_id,
        table.c.env: where.env,
        table.c.action: where.action,
        table.c.status: where.status,
        keytext.date_of(table.c.key_text): None if where.date is None else where.date.isoformat(),
        keytext.rotation_of(table.c.key_text): where.rotation,
    }
    conditions.extend(column == value for column, value in equal.items() if value is not None)
    if where.email is not None:
        conditions.append(_mentions(where.email))
    if where.since is not None:
        conditions.append(table.c.at >= to_text(where.since))
    if where.until is not None:
        conditions.append(table.c.at < to_text(where.until))
    return conditions


def _mentions(email: str) -> sa.ColumnElement[bool]:
    """The before or after image names ``email`` as any engineer, case-insensitively."""
    table = schema.actions
    wanted = email.strip().lower()
    matches = [
        sa.func.lower(sa.func.json_extract(image, f"$.{name}")) == wanted
        for image in (table.c.before, table.c.after)
        for name in _EMAIL_FIELDS
    ]
    return sa.or_(*matches)


def previous_image(conn: sa.Connection, env: EnvName, key: Key, before_id: int) -> PageImage | None:
    """The after image of the key's newest applied action older than ``before_id`` that has content.

    A drain updates and trashes without reading the page first, so its audit rows carry no
    before image; what syncer last wrote to the page is the best record of what it held.
    """
    table = schema.actions
    query = (
        sa.select(table.c.after)
        .where(
            table.c.env == env,
            table.c.key_text == keytext.to_text(key),
            table.c.id < before_id,
            table.c.status == "applied",
            sa.func.json_extract(table.c.after, "$.sync_key").is_not(None),
        )
        .order_by(table.c.id.desc())
        .limit(1)
    )
    after = conn.execute(query).scalar()
    return None if after is None else PageImage.from_json(dict(json.loads(after)))


def touched_keys(conn: sa.Connection, run_id: RunId) -> frozenset[AnyKey]:
    """The keys of a run's applied actions."""
    table = schema.actions
    query = sa.select(table.c.key_text).where(table.c.run_id == run_id, table.c.status == "applied")
    return frozenset(keytext.from_text(str(text)) for text in conn.execute(query).scalars())


# ---- prune --------------------------------------------------------------------------------


def prune(conn: sa.Connection, *, older_than: dt.datetime) -> PruneReport:
    """Drop runs, audit rows and consumed changes older than ``older_than``, keeping rollbacks.

    Per environment, every run started since ``older_than`` is kept, and so is the newest run
    (every run after the oldest kept one stays too: rolling it back may cascade to them).
    Below that floor, the newest applied image of each key stays: a rollback derives before
    images from it. Change-log rows stay from the first change a kept run consumed onwards.
    """
    floors = _floors(conn, older_than)
    removed_actions = sum(_prune_actions(conn, env, floor) for env, floor in floors.items())
    for env, floor in floors.items():
        _prune_schema_changes(conn, env, floor)
    removed_runs = sum(_prune_runs(conn, env, floor) for env, floor in floors.items())
    removed_changes = _prune_changes(conn, older_than, floors)
    return PruneReport(removed_actions, removed_runs, removed_changes, floors)


def _floors(conn: sa.Connection, older_than: dt.datetime) -> dict[EnvName, RunId]:
    """Per environment, the id of the oldest run that must be kept."""
    table = schema.runs
    recent = sa.select(table.c.env, sa.func.min(table.c.id)).where(
        table.c.started_at >= to_text(older_than)
    )
    newest = sa.select(table.c.env, sa.func.max(table.c.id)).group_by(table.c.env)
    floors: dict[EnvName, RunId] = {}
    for env, run_id in [*conn.execute(recent.group_by(table.c.env)), *conn.execute(newest)]:
        name, found = EnvName(str(env)), RunId(int(run_id))
        floors[name] = min(floors.get(name, found), found)
    return floors


def _prune_actions(conn: sa.Connection, env: EnvName, floor: RunId) -> int:
    table = schema.actions
    older = (table.c.env == env) & (table.c.run_id < floor)
    baseline = (
        sa.select(sa.func.max(table.c.id))
        .where(
            older,
            table.c.status == "applied",
            sa.func.json_extract(table.c.after, "$.sync_key").is_not(None),
        )
        .group_by(table.c.key_text)
    )
    result = conn.execute(sa.delete(table).where(older, table.c.id.not_in(baseline)))
    return int(result.rowcount)


def _prune_schema_changes(conn: sa.Connection, env: EnvName, floor: RunId) -> None:
    """Schema changes of the runs that go (a rollback never reverts them)."""
    table = schema.schema_changes
    conn.execute(sa.delete(table).where(table.c.env == env, table.c.run_id < floor))


def _prune_runs(conn: sa.Connection, env: EnvName, floor: RunId) -> int:
    runs_table, actions_table = schema.runs, schema.actions
    still_referenced = sa.select(actions_table.c.run_id).where(actions_table.c.env == env)
    result = conn.execute(
        sa.delete(runs_table).where(
            runs_table.c.env == env,
            runs_table.c.id < floor,
            runs_table.c.id.not_in(still_referenced),
        )
    )
    return int(result.rowcount)


def _prune_changes(
    conn: sa.Connection, older_than: dt.datetime, floors: dict[EnvName, RunId]
) -> int:
    """Delete changes every environment consumed, older than the cut-off and no kept run's."""
    keep_from = min(_first_changes_kept(conn, floors), default=None)
    return changes.compact(conn, older_than=older_than, keep_from=keep_from)


def _first_changes_kept(conn: sa.Connection, floors: dict[EnvName, RunId]) -> Iterable[int]:
    table = schema.runs
    for env, floor in floors.items():
        query = sa.select(sa.func.min(table.c.first_change_id)).where(
            table.c.env == env, table.c.id >= floor
        )
        first = conn.execute(query).scalar()
        if first is not None:
            yield int(first)
