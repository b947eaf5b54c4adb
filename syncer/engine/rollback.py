"""Undo a run on both sides: local changes from the change log, Notion writes from the audit.

Each run to undo becomes a *step*: the change-log range it consumed (reverted newest first by
the store, so the triggers log compensating changes) and a Plan that inverts its applied
actions, newest first. The plan runs through the same :class:`Executor` as every sync, under a
new run of kind ``rollback``, so the rollback is audited like any run and can itself be undone.

A later run that touched the same keys would be silently overwritten, so it refuses the
rollback unless ``cascade`` asks to undo those runs first, newest first.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from syncer.core import (
    Action,
    AnyKey,
    Database,
    Key,
    MappingRecord,
    MovePage,
    PageContent,
    PageImage,
    Plan,
    RestorePage,
    RunId,
    RunRecord,
    SkipKey,
    TrashPage,
    UpdatePage,
    alternatives,
)
from syncer.core.errors import RollbackRefused, UserError
from syncer.core.planner import with_alternatives
from syncer.engine.context import Context
from syncer.engine.executor import Executor
from syncer.engine.lock import locked
from syncer.engine.runs import RunResult, recorded_run
from syncer.engine.sync import execute, plan_for_keys
from syncer.store.audit import ActionFilter, AuditEntry
from syncer.store.revert import LocalUndo


@dataclass(frozen=True, slots=True)
class RollbackStep:
    """One run to undo: its local change range (None: it consumed none) and its inverse plan."""

    run: RunRecord
    local: LocalUndo | None
    plan: Plan


@dataclass
class RollbackResult:
    """The steps in the order they run (the requested run last) and the rollback runs made."""

    steps: tuple[RollbackStep, ...]
    runs: list[RunResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return len(self.runs) == len(self.steps) and all(run.ok for run in self.runs)


def rollback(
    ctx: Context, run_id: RunId, *, dry_run: bool = False, cascade: bool = False
) -> RollbackResult:
    """Put the schedule and Notion back as they were before run ``run_id``.

    Args:
        run_id: the run to undo (any kind, a rollback included).
        dry_run: plan only; nothing is written anywhere.
        cascade: first undo the later runs that touched the same keys, newest first.

    Returns:
        The planned steps and, unless ``dry_run``, one rollback run per step. The steps stop
        at the first rollback that does not succeed (undoing an older run on top of a
        half-undone newer one would not restore anything).

    Raises:
        RollbackRefused: later runs or pending changes touched the same keys, the run is still
            running, or the records it needs were pruned.
        LockHeld: another sync of this environment is running.
        DatabaseCorrupt: the schedule file is damaged (it would be reverted blind).
    """
    ctx.store.check_integrity()
    ctx.store.require_capture()  # reverted rows must be logged as the changes they are
    if dry_run:
        return RollbackResult(_plan_steps(ctx, run_id, cascade=cascade), dry_run=True)
    # Plan under the lock too: a drain finishing in between could touch the same keys.
    with locked(ctx):
        result = RollbackResult(_plan_steps(ctx, run_id, cascade=cascade), dry_run=False)
        for step in result.steps:
            result.runs.append(_apply(ctx, step))
            if not result.runs[-1].ok:
                break
    return result


def _plan_steps(ctx: Context, run_id: RunId, *, cascade: bool) -> tuple[RollbackStep, ...]:
    target = _target(ctx, run_id)
    chain = _chain(ctx, target, cascade=cascade)
    _refuse_pending(ctx, chain)
    steps = tuple(_step(ctx, run) for run in chain)
    _refuse_rebuilt(ctx, steps)
    newest = steps[0].local if steps else None
    if newest is not None:
        # The older steps are checked as they are undone (in the store's undo), once the newer
        # ones have put their rows back.
        ctx.store.check_undoable(newest.first_change_id, newest.last_change_id)
    return steps


# -- what to undo ---------------------------------------------------------------------------------


def _target(ctx: Context, run_id: RunId) -> RunRecord:
    run = ctx.store.run(run_id)
    if run is None:
        raise UserError(f"no run {run_id}", hint="list runs with `syncer audit runs`")
    if run.env != ctx.name:
        raise UserError(
            f"run {run_id} belongs to environment {run.env!r}, not {ctx.name!r}",
            hint=f"run `syncer --env {shlex.quote(run.env)} rollback {run_id}`",
        )
    if run.status == "running":
        raise RollbackRefused(
            f"run {run_id} is still running (or crashed without finishing)",
            hint="wait for it to finish, or let the next drain recover it, then try again",
        )
    return run


def _chain(ctx: Context, target: RunRecord, *, cascade: bool) -> list[RunRecord]:
    """The runs to undo, newest first: the target and every later run that depends on it."""
    keys = set(_keys(ctx, target))
    chain = [target]
    # Oldest first, so a run touching only a key that an in-between run brought in is caught.
    for later in reversed(ctx.store.runs_after(target.env, target.run_id)):
        touched = _keys(ctx, later)
        if touched & keys:
            chain.append(later)
            keys |= touched
    blockers = chain[1:]
    if blockers and not cascade:
        names = ", ".join(f"{run.run_id} ({run.kind})" for run in reversed(blockers))
        raise RollbackRefused(
            f"later runs touched the same keys as run {target.run_id}: {names}",
            hint=f"undo them first, newest first, with `syncer rollback {target.run_id} "
            f"--cascade` (try --dry-run), or look with `syncer audit show {blockers[-1].run_id}`",
        )
    return list(reversed(chain))


def _keys(ctx: Context, run: RunRecord) -> frozenset[AnyKey]:
    """The keys a run changed, in Notion (applied actions) and locally (its change range).

    Compared in canonical form: a row the app wrote as ``am`` touches key ``.../AM``.
    """
    local = _local(ctx, run)
    touched = [*ctx.store.touched_keys(run.run_id), *(local.keys if local else ())]
    return frozenset(ctx.rotations.canonical(key) for key in touched)


def _local(ctx: Context, run: RunRecord) -> LocalUndo | None:
    first, last = run.first_change_id, run.last_change_id
    if first is None or last is None or last < first:
        return None
    return ctx.store.plan_undo(first, last)


def _refuse_pending(ctx: Context, chain: Iterable[RunRecord]) -> None:
    """Refuse when changes not yet drained touched the keys: undoing would lose them."""
    runs = list(chain)
    ends = [run.last_change_id for run in runs if run.last_change_id is not None]
    after = max([ctx.store.cursor(ctx.name), *ends])
    keys: set[AnyKey] = set().union(*(_keys(ctx, run) for run in runs))
    changed = ctx.store.keys_changed_after(after)
    pending = sorted(str(key) for key in changed if ctx.rotations.canonical(key) in keys)
    if pending:
        raise RollbackRefused(
            f"changes not yet drained touched the same keys: {', '.join(pending[:5])}",
            hint="run `syncer drain` first, then roll back with --cascade",
        )


def _refuse_rebuilt(ctx: Context, steps: Iterable[RollbackStep]) -> None:
    """Refuse to revert rows through a change range logged before a schedule table was rebuilt
    (the app's reset drops and re-creates them, uncaptured, and ids start again): the log no
    longer says what the rows are. Notion-only steps are unaffected."""
    restore = ctx.store.last_capture_restore()
    if restore is None:
        return
    for step in steps:
        if step.local is not None and step.run.run_id <= restore.run_id:
            raise RollbackRefused(
                f"run {step.run.run_id} changed schedule rows that were since rebuilt: change "
                f"capture was off until run {restore.run_id} restored it "
                f"({restore.started_at:%Y-%m-%d %H:%M} UTC), so the change log no longer "
                "describes them",
                hint="fix the schedule by hand, then run `syncer reconcile`",
            )


# -- the inverse plan -----------------------------------------------------------------------------

# The writes in doubt a rollback inverts (see _undone).
IN_DOUBT_UNDONE = frozenset({"update", "trash", "restore"})


def _step(ctx: Context, run: RunRecord) -> RollbackStep:
    entries = [e for e in ctx.store.find_actions(ActionFilter(run_id=run.run_id)) if _undone(e)]
    mapping = ctx.store.mappings(ctx.name)
    actions = [_planned(_invert(ctx, entry), mapping) for entry in entries]  # newest first
    return RollbackStep(run, _local(ctx, run), Plan(tuple(actions)))


def _undone(entry: AuditEntry) -> bool:
    """Whether the rollback inverts this audit row: every applied action, and every write whose
    outcome is unknown (written ahead of its call, the run then killed or its file locked: it
    may have landed). Inverting one that did not land is harmless: the inverse of an update
    writes what the page held, of a trash restores a live page, of a restore trashes a
    trashed one. A create in doubt names no page yet, and a move in doubt may have left the
    page where it was: their keys are failing, and the next drain looks them up (trashing a
    page whose shift is gone, filing a page where its date says).
    """
    record = entry.record
    if record.status == "applied":
        return True
    return record.status == "unknown" and record.action in IN_DOUBT_UNDONE


def _planned(action: Action, mapping: Mapping[Key, MappingRecord]) -> Action:
    """An inverse with the alternatives every planned write has. Restoring a trashed page that
    is gone for good creates a new one only when it was the key's own page: a duplicate that is
    gone needs no copy."""
    if isinstance(action, RestorePage):
        record = mapping.get(action.key)
        own = record is None or record.page_id == action.page_id
        return alternatives.restore(action, own_page=own)
    return with_alternatives(action)


def _invert(ctx: Context, entry: AuditEntry) -> Action:
    record = entry.record
    key = record.key
    assert isinstance(key, Key), "an applied action names a parsed key"
    page_id, database = record.page_id, record.database
    assert page_id is not None, "an applied write names its page"
    assert database is not None, "an applied write names its database"
    reason = f"rollback of run {record.run_id}"
    if record.action in ("create", "restore"):
        return TrashPage(key, database, page_id, reason, _content(record.after))
    if record.action == "update":
        before = _before(ctx, entry)
        return UpdatePage(key, database, page_id, before, _content(record.after))
    if record.action == "trash":
        # Restore the same page, so its id, comments and links survive.
        return RestorePage(key, database, page_id, _before(ctx, entry))
    if record.action == "move":
        source = _database(record.before)
        # A move whose values (Sync Key included) did not survive records only where the page
        # went; it had held what syncer last wrote, which is what it must hold once back.
        after = _content(record.after) or _before(ctx, entry)
        return MovePage(key, page_id, database, source, after)
    if record.action in ("adopt", "forget"):
        # An adopt only pointed the mapping at an existing page, which still carries the key;
        # a forget dropped the mapping of a page that carries another key now. Neither wrote
        # to Notion, and undoing either would point the mapping at the wrong page.
        return SkipKey(key, f"{reason}: {record.action} of {page_id} kept (mapping only)")
    raise AssertionError(f"an applied {record.action} has no inverse")


def _before(ctx: Context, entry: AuditEntry) -> PageContent:
    """The page's content before the action: its before image, else what syncer last wrote."""
    record = entry.record
    content = _content(record.before)
    if content is None and isinstance(record.key, Key):
        content = _content(ctx.store.previous_image(record.env, record.key, entry.action_id))
    if content is None:
        raise RollbackRefused(
            f"no record of what page {record.page_id} ({record.key}) held before run "
            f"{record.run_id}",
            hint="its earlier audit rows were pruned; run `syncer reconcile` to repair Notion",
        )
    return content


def _content(image: PageImage | None) -> PageContent | None:
    return None if image is None else image.content


def _database(image: PageImage | None) -> Database:
    assert image is not None, "a move records where the page was"
    return image.database


# -- applying a step ------------------------------------------------------------------------------


def _apply(ctx: Context, step: RollbackStep) -> RunResult:
    store, env = ctx.store, ctx.name
    # The cursor may skip our compensating changes only if nothing else was pending.
    in_step = store.cursor(env) >= store.last_change_id()
    compensating = None
    if step.local is not None:
        compensating = store.undo_changes(step.local.first_change_id, step.local.last_change_id)
    with recorded_run(ctx, "rollback") as run:
        executor = Executor(ctx, run.run_id, store.mappings(env))
        outcome = execute(run, executor, step.plan)
        the_plan = step.plan
        if step.local is not None:
            # A reverted key whose page the run never wrote (it was already in sync then) has
            # no audit row to invert: bring its page in line with the reverted rows.
            follow = plan_for_keys(ctx, step.local.keys)
            outcome = execute(run, executor, follow)
            the_plan = Plan(step.plan.actions + follow.actions)
        run.result.plan = the_plan
        run.finish(outcome)
        ctx.options.stop.check()
        # Both sides were restored together: the compensating changes need no drain. Else
        # they stay pending, and the next drain (which then owns them) pushes what differs.
        if compensating is not None and run.result.ok and in_step:
            run.advance_cursor(*compensating)
    return run.result
