"""How commands print: the documented JSON shapes (README, docs/admin.md) and 80-column tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from syncer.cli import _plans
from syncer.cli._support import Tidy, cut, safe, table
from syncer.core import (
    BadRow,
    EnvName,
    FailingKey,
    PageImage,
    RawKey,
    RowImage,
    RunRecord,
    as_raw,
)
from syncer.core.kinds import SQL_TABLE_NAMES, RunKind

if TYPE_CHECKING:
    from syncer.core.adoption import SchemaChange
    from syncer.core.records import (
        SchemaChangeRecord,
    )  # types only: rendering must not load the engine or SQLAlchemy (start-up)
    from syncer.engine import RunResult
    from syncer.engine.rollback import RollbackResult, RollbackStep
    from syncer.engine.status import EnvironmentStatus, ScheduleStatus
    from syncer.store.audit import AuditEntry, PruneReport
    from syncer.store.revert import RowEffect

CSV_COLUMNS = (
    "id",
    "run_id",
    "env",
    "at",
    "date",
    "rotation",
    "action",
    "status",
    "page_id",
    "database",
    "before_final_email",
    "after_final_email",
    "error",
    "attempts",
)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _short(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


# ---- JSON --------------------------------------------------------------------------------------


def run_record_json(run: RunRecord) -> dict[str, Any]:
    """A run as `audit runs --json` and `audit show --json` print it."""
    return {
        "id": run.run_id,
        "env": run.env,
        "kind": run.kind,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": run.counts,
        "first_change_id": run.first_change_id,
        "last_change_id": run.last_change_id,
        "error": run.error,
    }


def audit_action_json(entry: AuditEntry) -> dict[str, Any]:
    """An audit row as `audit actions --json` and `audit show --json` print it."""
    record = entry.record
    raw = as_raw(record.key)
    return {
        "id": entry.action_id,
        "run_id": record.run_id,
        "env": record.env,
        "key": str(record.key),
        "date": raw.date,
        "rotation": raw.rotation,
        "action": record.action,
        "status": record.status,
        "at": _iso(record.at),
        "page_id": record.page_id,
        "database": record.database,
        "before": None if record.before is None else record.before.to_json(),
        "after": None if record.after is None else record.after.to_json(),
        "error": record.error,
        "attempts": record.attempts,
        "request_ids": list(record.request_ids),
    }


def failing_json(key: FailingKey) -> dict[str, Any]:
    return {
        "key": str(key.key),
        "attempts": key.attempts,
        "last_error": key.last_error,
        "since": _iso(key.since),
    }


def status_json(
    schedule: ScheduleStatus, envs: Iterable[EnvironmentStatus], every: dt.timedelta
) -> dict[str, Any]:
    """The `status --json` document."""
    result: dict[str, Any] = {}
    for env in envs:
        lock = None
        if env.lease is not None:
            lock = {
                "holder": str(env.lease.holder),
                "expires_at": _iso(env.lease.expires_at),
                "holder_gone": env.holder_gone,
            }
        last = env.last_successful_reconcile
        result[env.name] = {
            "pending_changes": env.pending_changes,
            "last_runs": {
                kind: None if run is None else run_record_json(run)
                for kind, run in env.last_runs.items()
            },
            "failing_keys": [failing_json(key) for key in env.failing_keys],
            "unmapped_emails": list(env.unmapped_emails),
            "people_fetched_at": _iso(env.people_fetched_at),
            "lock": lock,
            "last_successful_reconcile": _iso(last),
            "next_reconcile_due": _iso(last + every) if last else None,
            "reconcile_due": env.reconcile_due,
        }
    return {
        "change_capture": {
            "on": not schedule.missing_triggers,
            "missing_triggers": list(schedule.missing_triggers),
            "last_restored": _restored_json(schedule.capture_restored),
        },
        "bad_rows": [bad_row_json(bad) for bad in schedule.bad_rows],
        "environments": result,
    }


def _restored_json(run: RunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"at": _iso(run.started_at), "run_id": run.run_id, "env": run.env, "status": run.status}


def bad_row_json(bad: BadRow) -> dict[str, Any]:
    return {"key": str(bad.key), "table": bad.table, "row_id": bad.row_id, "reason": bad.reason}


def rollback_json(result: RollbackResult) -> dict[str, Any]:
    """The `rollback --json` document: one step per undone run, newest first."""
    steps = []
    for index, step in enumerate(result.steps):
        made = result.runs[index] if index < len(result.runs) else None
        steps.append(
            {
                "run_id": step.run.run_id,
                "kind": step.run.kind,
                "local_changes": step.local.rows if step.local else 0,
                "change_range": [step.local.first_change_id, step.local.last_change_id]
                if step.local
                else None,
                "local_rows": [
                    row_effect_json(e) for e in (step.local.effects if step.local else ())
                ],
                "actions": [_plans.action_json(action) for action in step.plan.actions],
                "rollback_run": None if made is None else run_json(made),
            }
        )
    return {"dry_run": result.dry_run, "ok": result.dry_run or result.ok, "steps": steps}


def row_effect_json(effect: RowEffect) -> dict[str, Any]:
    """One schedule row a rollback restores, changes or deletes: its image now and after."""
    return {
        "table": SQL_TABLE_NAMES[effect.table],
        "row_id": effect.row_id,
        "undo": effect.undo,
        "now": _image_json(effect.now),
        "restored": _image_json(effect.restored),
    }


def _image_json(image: RowImage | None) -> dict[str, Any] | None:
    if image is None:
        return None
    key = image.key
    return {"date": key.date, "rotation": key.rotation, "engineer_email": image.engineer_email}


def prune_json(report: PruneReport) -> dict[str, Any]:
    return {
        "removed": {"actions": report.actions, "runs": report.runs, "changes": report.changes},
        "kept_from_run": report.kept_from,
    }


def actions_csv(entries: Iterable[AuditEntry]) -> str:
    """Audit rows as CSV with the :data:`CSV_COLUMNS` header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for entry in entries:
        row = audit_action_json(entry)
        row["before_final_email"] = (row["before"] or {}).get("final_email")
        row["after_final_email"] = (row["after"] or {}).get("final_email")
        writer.writerow({name: _csv_cell(value) for name, value in row.items()})
    return buffer.getvalue()


# A cell a spreadsheet would read as a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    """Text that starts like a formula gets a leading quote, so a spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---- tables ------------------------------------------------------------------------------------


def _table(*names: str) -> Table:
    """The one table style (see :func:`syncer.cli._support.table`)."""
    return table(*names)


def runs_table(runs: Iterable[RunRecord]) -> Tidy:
    """Runs in a table; the env column only when they span several environments (room)."""
    runs = list(runs)
    with_env = len({run.env for run in runs}) > 1
    names = ["run", "env", "kind/trigger", "status", "started UTC", "ok/fail", "error"]
    table = _table(*(name for name in names if with_env or name != "env"))
    for run in runs:
        cells = [
            str(run.run_id),
            safe(run.env),
            f"{run.kind}/{run.trigger}",
            _status(run.status),
            _short(run.started_at)[5:],  # month-day and time: the year is in --json
            f"{run.counts.get('applied', 0)}/{run.counts.get('failed', 0)}",
            cut(run.error, 42),  # the whole error is in `audit show`
        ]
        table.add_row(*(cell for index, cell in enumerate(cells) if with_env or index != 1))
    return Tidy(table)


def actions_table(entries: Iterable[AuditEntry], *, title: str | None = None) -> Tidy:
    table = _table("id", "run", "key", "action", "status", "page", "engineer/error")
    for entry in entries:
        record = entry.record
        detail = (
            record.error if record.status != "applied" else _engineers(record.before, record.after)
        )
        table.add_row(
            str(entry.action_id),
            str(record.run_id),
            safe(str(record.key)),
            record.action,
            _status(record.status),
            (record.page_id or "")[:8],
            cut(detail, 60),
        )
    return Tidy(table, title)


def change_json(change: SchemaChange) -> dict[str, Any]:
    """One planned schema change, as `notion adopt --json` prints it."""
    return {
        "database": change.database,
        "change": change.kind,
        "property": change.name,
        "type": change.type,
        "new_name": change.new_name,
        "reason": change.reason,
    }


def schema_change_json(item: SchemaChangeRecord) -> dict[str, Any]:
    """One schema change a run made, as `audit show --json` prints it."""
    return {
        **change_json(item.change),
        "status": item.status,
        "error": item.error,
        "at": _iso(item.at),
    }


def schema_changes_table(items: Iterable[SchemaChangeRecord]) -> Tidy:
    table = _table("database", "change", "property", "to", "status")
    for item in items:
        change = item.change
        table.add_row(
            change.database,
            change.kind,
            safe(f"{change.name} ({change.type})"),
            safe(change.new_name or ""),
            _status(item.status) if item.error is None else cut(item.error, 60),
        )
    return Tidy(table, "Schema changes")


def print_status(
    console: Console,
    schedule: ScheduleStatus,
    envs: Iterable[EnvironmentStatus],
    every: dt.timedelta,
    now: dt.datetime,
) -> None:
    """One line per fact: the schedule file first, then each environment."""
    _print_schedule(console, schedule)
    for env in envs:
        console.print(f"[bold]{safe(env.name)}[/bold]")
        console.print(f"  pending changes: {env.pending_changes}")
        console.print(f"  last successful reconcile: {_next_due(env, every, now)}")
        for kind, run in env.last_runs.items():
            if run is not None:
                when = _short(run.started_at)
                console.print(f"  last {kind} run: #{run.run_id} {_status(run.status)} {when}")
        console.print(f"  lock: {_lock_text(env)}")
        console.print(f"  failing keys: {len(env.failing_keys)}")
        for key in env.failing_keys[:10]:
            console.print(f"    {cut(str(key.key))} x{key.attempts}: {cut(key.last_error, 40)}")
        shown = ", ".join(env.unmapped_emails[:10])
        more = f" and {len(env.unmapped_emails) - 10} more" if len(env.unmapped_emails) > 10 else ""
        console.print(f"  emails no Notion person matches: {cut(shown) or 'none'}{more}")


def _lock_text(env: EnvironmentStatus) -> str:
    lease = env.lease
    if lease is None:
        return "free"
    holder = cut(str(lease.holder))
    if env.holder_gone:
        return f"free: its holder {holder} no longer runs (the next run takes the lock at once)"
    if lease.holder.is_service:
        return f"held by the `syncer watch` service {holder} for as long as it runs"
    return f"held by {holder} until {_short(lease.expires_at)}"


def _print_schedule(console: Console, schedule: ScheduleStatus) -> None:
    if schedule.missing_triggers:
        console.print(
            f"[red]change capture: OFF[/red] ({len(schedule.missing_triggers)} trigger(s) "
            "missing: was a schedule table rebuilt?); the next `syncer drain` (or `syncer "
            "watch`) restores it and reconciles"
        )
    else:
        console.print("change capture: on")
    restored = schedule.capture_restored
    if restored is not None:
        console.print(
            f"  last found off and restored {_short(restored.started_at)} by {restored.kind} run "
            f"#{restored.run_id} ({cut(restored.env)}, {_status(restored.status)})"
        )
    console.print(f"bad rows: {len(schedule.bad_rows)}")
    for bad in schedule.bad_rows[:10]:
        where = f"{bad.table} row {bad.row_id}"
        console.print(f"  {cut(str(bad.key))} ({where}): {cut(bad.reason, 60)}")


def _next_due(env: EnvironmentStatus, every: dt.timedelta, now: dt.datetime) -> str:
    last = env.last_successful_reconcile
    if last is None:
        return "never (the next drain reconciles first)"
    due = last + every
    when = "due now" if due <= now else f"next due {_short(due)}"
    return f"{_short(last)} ({when})"


def print_rollback(console: Console, result: RollbackResult) -> None:
    verb = "would undo" if result.dry_run else "undoing"
    for index, step in enumerate(result.steps):
        console.print(_step_line(verb, step))
        if step.local is not None and step.local.effects:
            table = _table("local row", "undo", "key", "now", "restored")
            for effect in step.local.effects:
                where = f"{effect.table} {effect.row_id}"  # "schedule 31", "override 2"
                shown = effect.now or effect.restored
                key = shown.key if shown is not None else None
                table.add_row(
                    where,
                    effect.undo,
                    safe(f"{key.date} {key.rotation}") if key is not None else "",
                    _image_text(effect.now, key),
                    _image_text(effect.restored, key),
                )
            console.print(Tidy(table))
        if step.plan.actions:
            table = _table("action", "key", "database", "page", "final engineer")
            for action in step.plan.actions:
                item = _plans.action_json(action)
                table.add_row(
                    item["action"],
                    safe(f"{item['date']}/{item['rotation']}"),
                    item["database"] or "",
                    (item["page_id"] or "")[:8],
                    safe(item.get("final_engineer_email") or item.get("reason") or ""),
                )
            console.print(Tidy(table))
        if index < len(result.runs):
            made = result.runs[index]
            console.print(f"rollback run {made.run_id}: {_status(made.status)}")
            if not made.ok:
                console.print(f"  next: syncer audit show {made.run_id}")


def _image_text(image: RowImage | None, key: RawKey | None) -> str:
    """A row's engineer (and its key, when it is not the row's key shown beside it)."""
    if image is None:
        return "-"
    email = image.engineer_email or "(none)"
    if image.key == key:
        return cut(email, 36)
    return cut(f"{image.key.date} {image.key.rotation} {email}", 48)


def _step_line(verb: str, step: RollbackStep) -> str:
    local = f"{step.local.rows} local change(s)" if step.local else "no local changes"
    actions = len(step.plan.actions)
    return f"{verb} {step.run.kind} run {step.run.run_id}: {local}, {actions} Notion action(s)"


def _engineers(before: PageImage | None, after: PageImage | None) -> str:
    old = final_email(before)
    new = final_email(after)
    if old and new and old != new:
        return f"{old} -> {new}"
    return str(new or old or "")


def _status(status: str) -> str:
    colour = {"succeeded": "green", "applied": "green", "running": "cyan"}.get(status, "red")
    if status == "skipped":
        colour = "yellow"
    return f"[{colour}]{status}[/{colour}]"


def run_json(result: RunResult) -> dict[str, Any]:
    """A run's outcome as `--json` prints it."""
    return {
        "run_id": result.run_id,
        "kind": result.kind,
        "env": result.env,
        "status": result.status,
        "counts": result.plan.counts(),
        "applied": result.outcome.applied,
        "failed": result.outcome.failed,
        "skipped": result.outcome.skipped,
        "requests": result.requests,
        "failures": [{"key": str(key), "error": error} for key, error in result.outcome.failures],
        "bad_rows": [bad_row_json(bad) for bad in result.bad_rows],
        "notices": list(result.notices),
    }


def idle_run_json(kind: RunKind, env: EnvName) -> dict[str, Any]:
    """What :func:`run_json` says of a run that found nothing to do (no run is recorded),
    without the engine: an idle drain answers before it is imported (a test keeps the two
    documents equal)."""
    return {
        "run_id": None,
        "kind": kind,
        "env": env,
        "status": "succeeded",
        "counts": {},
        "applied": 0,
        "failed": 0,
        "skipped": 0,
        "requests": 0,
        "failures": [],
        "bad_rows": [],
        "notices": [],
    }


def final_email(image: PageImage | None) -> str | None:
    """The final engineer's email a before or after image names, if it names one."""
    content = image.content if image is not None else None
    return content.final_email if content is not None else None
