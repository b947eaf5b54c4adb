"""drain, reconcile, resync and plan: store -> projection -> planner -> executor -> store.

``plan`` is ``reconcile`` stopped before its first write: the same code path, so what ``syncer
plan`` shows is what ``syncer reconcile`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from loguru import logger

from syncer.config import Settings
from syncer.core import (
    RUN_KINDS,
    AnyKey,
    BadRow,
    Database,
    EnvName,
    FailingKey,
    Key,
    MappingRecord,
    PageContent,
    Plan,
    RawKey,
    RunKind,
    SkipKey,
    SourceRow,
    Trigger,
    as_raw,
)
from syncer.core.codec import content_for
from syncer.core.commit import LATE_WRITE
from syncer.core.errors import PlanRefused
from syncer.core.planner import Calendar, check_guards, plan_changes, plan_reconcile
from syncer.core.projection import Projection, project
from syncer.engine.claims import refuse_if_claimed_elsewhere
from syncer.engine.context import Context
from syncer.engine.executor import Executor, Outcome
from syncer.engine.lock import locked
from syncer.engine.people import resolve_people
from syncer.engine.reading import read_keys, read_notion
from syncer.engine.runs import (
    Run,
    RunResult,
    last_completed_reconcile,
    recorded_run,
)
from syncer.store import Store

# -- the commands (methods of syncer.engine.Engine) -------------------------------------------


def drain(ctx: Context) -> list[RunResult]:
    """Apply pending local changes to Notion, reconciling first when one is due.

    Returns:
        The runs made: an automatic reconcile (when due), then the drain, then (when a
        write got no answer in time) the drain that looks it up once it can no longer land.

    Raises:
        LockHeld: another sync of this environment is running.
        PlanRefused: a guard refused the plan (nothing was written).
        DatabaseCorrupt: the schedule file is damaged (nothing was read from it).
        DatabaseNotReady: change capture is off and cannot be restored (a schedule table is
            missing or has other columns).
    """
    ctx.store.check_integrity()
    with locked(ctx):
        results = []
        restore = _capture_to_restore(ctx)
        if restore or reconcile_due(ctx):
            trigger: Trigger = "restore" if restore else "auto"
            results.append(_reconcile(ctx, kind="reconcile", trigger=trigger, restore=restore))
            if results[-1].outcome.notion_down:
                return results  # the drain would fail the same way; its changes stay pending
        # A reconcile just read every row: its bad rows need no second look by this drain.
        results.append(_drain(ctx, bad_rows_again=not results))
        if ctx.options.settle_late_writes:
            results += _settle_late_writes(ctx)
        return results


# How often a drain that waits for late writes says so, and how many times it looks again
# (a look-up that itself times out makes another late write).
LATE_WAIT_NOTICE = 30.0
LATE_WRITE_ROUNDS = 3


def late_writes_settle_at(ctx: Context) -> dt.datetime | None:
    """When the last write Notion did not answer in time can no longer land (None: no such
    write is waiting). Until then Notion may still change behind syncer's back."""
    failing = ctx.store.failing_keys(ctx.name)
    waiting = waiting_keys(failing, ctx.settings, ctx.clock())
    times = [f.since for f in failing if as_raw(f.key) in waiting]
    return max(times) + late_write_window(ctx.settings) if times else None


def _settle_late_writes(ctx: Context) -> list[RunResult]:
    """Exit 0 must mean Notion equals the schedule: a write that got no answer may still land
    (a second page, an older value over a newer one). Wait until it can no longer, then drain
    again: that drain looks those keys up and repairs what it finds."""
    results: list[RunResult] = []
    for _ in range(LATE_WRITE_ROUNDS):
        deadline = late_writes_settle_at(ctx)
        if deadline is None:
            break
        _wait_until(ctx, deadline)
        results.append(_drain(ctx, bad_rows_again=False))
    return results


def _wait_until(ctx: Context, deadline: dt.datetime) -> None:
    """Sleep until ``deadline`` by the clock, in steps, saying so now and then; never longer
    than the time left when it began (whatever the clock does meanwhile)."""
    left = (deadline - ctx.clock()).total_seconds()
    since_notice = LATE_WAIT_NOTICE
    while left > 0:
        if since_notice >= LATE_WAIT_NOTICE:
            logger.info(
                "drain.waiting_for_late_writes: writes Notion did not answer in time may still "
                "land until {:%H:%M:%S} UTC; waiting {:.0f} s, then looking them up "
                "(--no-wait skips this)",
                deadline,
                left,
            )
            since_notice = 0.0
        ctx.options.stop.check()
        step = min(left, 10.0)
        ctx.sleep(step)
        since_notice += step
        left = min(left - step, (deadline - ctx.clock()).total_seconds())
    ctx.options.stop.check()


def reconcile(ctx: Context, *, dry_run: bool = False) -> RunResult:
    """Compare everything local with a complete read of Notion and repair every difference."""
    ctx.store.check_integrity()
    if dry_run:
        return _reconcile(ctx, kind="reconcile", dry_run=True)
    with locked(ctx):
        restore = _capture_to_restore(ctx)
        trigger: Trigger | None = "restore" if restore else None
        return _reconcile(ctx, kind="reconcile", trigger=trigger, restore=restore)


def resync(ctx: Context) -> RunResult:
    """Rebuild the mapping and people cache from Notion, then reconcile (recovery)."""
    ctx.store.check_integrity()
    with locked(ctx):
        restore = _capture_to_restore(ctx)
        trigger: Trigger | None = "restore" if restore else None
        return _reconcile(ctx, kind="resync", trigger=trigger, refresh_people=True, restore=restore)


def _capture_to_restore(ctx: Context) -> bool:
    """Whether change capture is off and the run must restore it (raises DatabaseNotReady,
    before any run is recorded, when it cannot be: a table missing or with other columns)."""
    if not ctx.store.missing_triggers():
        return False
    ctx.store.restore_capture(check_only=True)
    return True


def _restore_capture(ctx: Context) -> list[str]:
    """Put back the change-capture triggers an app's table rebuild dropped (its reset task
    drops and re-creates both schedule tables), before the reconcile that follows reads the
    rows: every change after that read is captured again, and the read covers every change
    made while capture was off. The names re-created (empty: capture was on).

    Called inside the reconcile's recorded run (trigger ``restore``): that run row is the
    mark that a reconcile is owed, so a process killed right after the triggers are back
    still leaves the next drain to reconcile (see :func:`reconcile_is_due`)."""
    restored = ctx.store.restore_capture()
    if restored:
        logger.warning(
            "capture.restored: change capture was off ({} trigger(s) missing: a schedule "
            "table was rebuilt); restored; reconciling to catch up on what was not captured",
            len(restored),
        )
    return restored


def capture_notice(restored: list[str], result: RunResult) -> str:
    """What the administrators are told once about change capture found off and restored."""
    said = f"change capture was off ({len(restored)} trigger(s) missing: a schedule table was "
    if result.status in ("succeeded", "partial"):
        return said + "rebuilt); restored; reconciled"
    return (
        said + f"rebuilt); restored; the reconcile ended {result.status}: the next drain reconciles"
    )


def plan(ctx: Context) -> RunResult:
    """What a reconcile would do now, without doing it (and without recording a run).

    The guards' verdict is part of the plan: shown, not enforced.
    """
    ctx.store.check_integrity()
    return _reconcile(ctx, kind="reconcile", dry_run=True)


def preview_drain(ctx: Context) -> RunResult:
    """What the next drain would send, with no lock and no write (nor a recorded run).

    When a reconcile is due the next drain starts with one: that reconcile's plan is returned
    (its ``kind`` says so); otherwise the plan of the pending, failing and overdue keys.
    """
    ctx.store.check_integrity()
    if reconcile_due(ctx) or ctx.store.missing_triggers():
        return _reconcile(ctx, kind="reconcile", dry_run=True)  # (capture off: it restores)
    pending = _pending_work(ctx)
    if not pending.raw_keys:
        return RunResult("drain", ctx.name, None, "planned", Plan())
    the_plan, projection = _plan_drain(ctx, pending.raw_keys, pending.failing, pending.mapping)
    the_plan = judged(ctx, the_plan, pending.mapping, remote_counts=None)
    return RunResult("drain", ctx.name, None, "planned", the_plan, bad_rows=projection.bad_rows)


def reconcile_due(ctx: Context) -> bool:
    return reconcile_is_due(ctx.store, ctx.settings, ctx.name, ctx.clock())


def reconcile_is_due(store: Store, settings: Settings, env: EnvName, now: dt.datetime) -> bool:
    """Whether the last successful reconcile (or resync) is older than ``reconcile_every``, or
    than the last time change capture was found off and restored (by any environment's run:
    the changes made meanwhile were captured for none of them)."""
    last = last_completed_reconcile(store, env)
    if (
        last is None
        or last.finished_at is None
        or now - last.finished_at >= settings.reconcile_every
    ):
        return True
    return store.last_capture_restore(after=last.run_id) is not None


@dataclass(frozen=True, slots=True)
class _Pending:
    """What a drain looks at: the changed, failing and overdue keys, read in one go."""

    last_change_id: int
    raw_keys: frozenset[RawKey]
    failing: frozenset[RawKey]
    mapping: dict[Key, MappingRecord]
    waiting: frozenset[RawKey]  # failing, but not to be looked up yet (see waiting_keys)


def _pending_work(ctx: Context, *, bad_rows_again: bool = True) -> _Pending:
    store, env = ctx.store, ctx.name
    last_id, dirty = store.pending(env)
    failing_keys = store.failing_keys(env)
    waiting = waiting_keys(failing_keys, ctx.settings, ctx.clock())
    failing = frozenset(as_raw(f.key) for f in failing_keys) - waiting
    mapping = store.mappings(env)
    bad = _bad(ctx) if bad_rows_again else set()
    raw_keys = frozenset(dirty | failing | _unfinished(mapping, ctx.calendar) | bad)
    return _Pending(last_id, raw_keys, failing, mapping, waiting)


def _bad(ctx: Context) -> set[RawKey]:
    """The keys of bad rows still open: every drain reads them again, so a bad row left in the
    schedule keeps each drain partial (exit 1, never silent under -q), and a fixed one is
    resolved by the next drain whichever way it was fixed (a new key, a deleted row)."""
    return {
        as_raw(item.problem.subject)
        for item in ctx.store.open_problems(ctx.name)
        if item.problem.kind == "bad_row" and not isinstance(item.problem.subject, str)
    }


def waiting_keys(
    failing: Iterable[FailingKey], settings: Settings, now: dt.datetime
) -> frozenset[RawKey]:
    """Failing keys with a write that may still land late, too recently to look: a request that
    timed out may stay in Notion's hands for a while, and a look-up before it lands would find
    nothing wrong and settle the key. They are looked up once twice the request timeout has
    passed since the write (by the first drain after that)."""
    window = late_write_window(settings)
    return frozenset(
        as_raw(f.key) for f in failing if f.last_error == LATE_WRITE and now - f.since < window
    )


def late_write_window(settings: Settings) -> dt.timedelta:
    """How long after a write that got no answer it may still land: twice the request timeout
    (Notion gives up on a request after 60 s; syncer waits 65 s for an answer)."""
    return dt.timedelta(seconds=2 * settings.request_timeout)


def _drain(ctx: Context, *, bad_rows_again: bool = True) -> RunResult:
    store, env = ctx.store, ctx.name
    pending = _pending_work(ctx, bad_rows_again=bad_rows_again)
    if not pending.raw_keys:
        return RunResult("drain", env, None, "succeeded", Plan())
    careful = _previous_run_crashed(ctx)
    first_id = store.cursor(env) + 1
    mapping = pending.mapping
    with recorded_run(ctx, "drain") as run:
        the_plan, projection = _plan_drain(ctx, pending.raw_keys, pending.failing, mapping)
        the_plan = judged(ctx, the_plan, mapping, remote_counts=None)
        run.result.plan = the_plan
        refuse_unless_forced(ctx, the_plan)
        run.result.bad_rows = projection.bad_rows
        run.result.looked_at = pending.raw_keys | ctx.rotations.keys(pending.raw_keys)
        outcome = execute(run, Executor(ctx, run.run_id, mapping, careful=careful), the_plan)
        run.finish(outcome)
        ctx.options.stop.check()  # interrupted: the changes stay pending, the run says so
        run.advance_cursor(first_id, pending.last_change_id)
        _clear_failing(ctx, pending.raw_keys - pending.waiting, outcome)
    return run.result


def _unfinished(mapping: Mapping[Key, MappingRecord], calendar: Calendar) -> set[RawKey]:
    """Keys every drain looks at, dirty or not (see :meth:`Calendar.overdue`)."""
    return {
        as_raw(record.key)
        for record in mapping.values()
        if calendar.overdue(record.database, record.key.date, confirmed=record.confirmed)
    }


def _plan_drain(
    ctx: Context,
    raw_keys: AbstractSet[RawKey],
    failing: AbstractSet[RawKey],
    mapping: Mapping[Key, MappingRecord],
) -> tuple[Plan, Projection]:
    """Plan dirty keys against the mapping, and failed keys against what Notion holds.

    A write that failed may have landed anyway (a create whose answer was lost, a trash
    dropped mid-way), so the mapping cannot be trusted for those keys: they are read back
    from Notion by Sync Key and planned like a reconcile of just those keys.
    """
    keys = ctx.rotations.keys(raw_keys)
    projection = project_rows(ctx, _rows_of(ctx, raw_keys, keys))
    desired = desired_contents(ctx, projection)
    keys -= projection.blocked
    verify = ctx.rotations.keys(failing) & keys
    trusted = {key: desired.get(key) for key in keys - verify}
    actions = plan_changes(trusted, mapping, ctx.calendar).actions
    if verify:
        subset = {key: record for key, record in mapping.items() if key in verify}
        remote = read_keys(ctx, verify, subset)
        wanted = {key: desired[key] for key in verify if key in desired}
        found = plan_reconcile(wanted, subset, remote, ctx.calendar).actions
        # A page found by id may carry another key now: that key is not this drain's business.
        actions += tuple(action for action in found if action.key in verify)
    return Plan(actions + _bad_row_skips(projection.bad_rows)), projection


def plan_for_keys(ctx: Context, raw_keys: AbstractSet[RawKey]) -> Plan:
    """What a drain of just these keys would do now (rollback uses it after reverting rows)."""
    the_plan, _ = _plan_drain(ctx, raw_keys, frozenset(), ctx.store.mappings(ctx.name))
    return the_plan


def _rows_of(
    ctx: Context, raw_keys: AbstractSet[RawKey], keys: AbstractSet[Key]
) -> list[SourceRow]:
    """Every row of these keys, however its rotation is spelled ("am", " AM ", "AM").

    Rows are matched by their parsed key, not their text: a key rebuilt from the mapping or
    the failing list is canonical, while the app may have written another spelling.
    """
    return [
        row
        for row in ctx.store.rows_on([*raw_keys, *keys])
        if row.key in raw_keys or ctx.rotations.key(row.key) in keys
    ]


def _reconcile(
    ctx: Context,
    *,
    kind: RunKind,
    trigger: Trigger | None = None,
    dry_run: bool = False,
    refresh_people: bool = False,
    restore: bool = False,
) -> RunResult:
    store, env = ctx.store, ctx.name
    last_id = store.last_change_id()
    if dry_run:
        the_plan, projection, _ = _plan_reconcile(ctx, refresh_people=refresh_people)
        return RunResult(kind, env, None, "planned", the_plan, bad_rows=projection.bad_rows)
    # The changes pending when the reconcile read the rows are pushed by it: they are its own,
    # so rolling it back reverts them locally as well as in Notion.
    first_id = store.cursor(env) + 1
    with recorded_run(ctx, kind, trigger=trigger) as run:
        if restore:
            restored = _restore_capture(ctx)
            run.notice = lambda result: capture_notice(restored, result)
        the_plan, projection, mapping = _plan_reconcile(
            ctx, refresh_people=refresh_people, forget_mapping=kind == "resync"
        )
        if kind == "resync":
            # Notion was read completely: only now is the old mapping safe to drop.
            store.replace_mappings(env, [], ctx.clock())
        run.result.plan = the_plan
        run.result.bad_rows = projection.bad_rows
        refuse_unless_forced(ctx, the_plan)
        outcome = execute(run, Executor(ctx, run.run_id, mapping), the_plan)
        run.finish(outcome)
        ctx.options.stop.check()
        run.advance_cursor(first_id, last_id)
        # A reconcile covers every key: whatever did not fail now is no longer failing (but a
        # late write that has not landed yet is not seen by this reconcile either).
        failing = store.failing_keys(env)
        waiting = waiting_keys(failing, ctx.settings, ctx.clock())
        _clear_failing(ctx, [f.key for f in failing if as_raw(f.key) not in waiting], outcome)
    return run.result


def _plan_reconcile(
    ctx: Context, *, refresh_people: bool, forget_mapping: bool = False
) -> tuple[Plan, Projection, dict[Key, MappingRecord]]:
    known = ctx.store.mappings(ctx.name)
    remote, counts = read_notion(ctx, known)
    projection = project_rows(ctx, ctx.store.all_rows())
    desired = desired_contents(ctx, projection, force_people=refresh_people)
    # A resync plans as if syncer had never pushed anything: every page is adopted by Sync Key.
    mapping = {} if forget_mapping else known
    repairs = plan_reconcile(
        desired,
        mapping,
        remote,
        ctx.calendar,
        projection.blocked,
        mapping_complete=not forget_mapping,
    )
    the_plan = Plan(repairs.actions + _bad_row_skips(projection.bad_rows))
    return judged(ctx, the_plan, mapping, remote_counts=counts), projection, mapping


def execute(run: Run, executor: Executor, plan: Plan) -> Outcome:
    """Apply ``plan``; the run keeps the outcome so far even when the executor halts it."""
    try:
        return executor.apply(plan)
    finally:
        run.result.outcome = executor.outcome


def project_rows(ctx: Context, rows: Iterable[SourceRow]) -> Projection:
    projection = project(rows, rotations=ctx.rotations, tz=ctx.settings.tz)
    for bad in projection.bad_rows:
        logger.warning(
            "row.skipped: {} ({} row {}): {}", bad.key, bad.table, bad.row_id, bad.reason
        )
    return projection


def desired_contents(
    ctx: Context, projection: Projection, *, force_people: bool = False
) -> dict[Key, PageContent]:
    emails: set[str] = set()
    for shift in projection.shifts.values():
        emails.update(e for e in (shift.orig_email, shift.override_email) if e)
    if not emails and not force_people:
        return {}
    people = resolve_people(ctx, emails, force=force_people)
    shows = ctx.settings.title_shows
    return {key: content_for(s, people, shows) for key, s in projection.shifts.items()}


def _bad_row_skips(bad_rows: Iterable[BadRow]) -> tuple[SkipKey, ...]:
    return tuple(
        SkipKey(bad.key, f"bad {bad.table} row {bad.row_id}: {bad.reason}") for bad in bad_rows
    )


def judged(
    ctx: Context,
    the_plan: Plan,
    mapping: Mapping[Key, MappingRecord],
    *,
    remote_counts: Mapping[Database, int] | None,
) -> Plan:
    """The plan with the guards' verdict (shown by every preview; ``--force`` overrides it)."""
    mapped: dict[Database, int] = {"calendar": 0, "past": 0}
    for record in mapping.values():
        mapped[record.database] += 1
    known = sum(remote_counts.values()) if remote_counts is not None else len(mapping)
    return check_guards(
        the_plan,
        pages_known=known,
        remote_counts=remote_counts,
        mapped_counts=mapped,
        guards=ctx.settings.guards,
    )


def refuse_unless_forced(ctx: Context, the_plan: Plan) -> None:
    """Raise PlanRefused before the first write when the guards refuse the plan (or
    ClaimedElsewhere, when the databases are another schedule file's: its plan trashes what
    that file keeps, and --force would not change that)."""
    verdict = the_plan.verdict
    if verdict.refusal is not None and not ctx.options.force:
        refuse_if_claimed_elsewhere(ctx)
        raise PlanRefused(verdict.refusal, hint=verdict.hint)


def _clear_failing(ctx: Context, keys: Iterable[AnyKey], outcome: Outcome) -> None:
    """Keys that did not fail in this run are no longer failing (compared in canonical form),
    unless a write of theirs may still land late."""
    failed = {ctx.rotations.canonical(key) for key in outcome.unsettled_keys}
    done = [key for key in keys if ctx.rotations.canonical(key) not in failed]
    if done:
        ctx.store.clear_failing(ctx.name, done)


def _previous_run_crashed(ctx: Context) -> bool:
    """The newest run died (still 'running' while we hold the lock) or failed mid-way.

    Either way its writes may have reached Notion without reaching the mapping, so this drain
    looks up every key before creating it.
    """
    runs = [ctx.store.last_run(ctx.name, kind) for kind in RUN_KINDS]
    newest = max((run for run in runs if run is not None), key=lambda r: r.run_id, default=None)
    return newest is not None and newest.status in ("running", "failed", "interrupted")
