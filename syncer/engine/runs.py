"""Run bookkeeping: a run row that is always finished, and the alerts a run's end sends.

Every run (drain, reconcile, resync, rollback) is recorded with its status, counts and the
change-log range it consumed, and announces what is new, still open or resolved, once each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from loguru import logger

from syncer.core import (
    AnyKey,
    BadRow,
    EnvName,
    Plan,
    ResultStatus,
    RunEnd,
    RunId,
    RunKind,
    RunRecord,
    RunStatus,
    Trigger,
)
from syncer.core.errors import Interrupted, NotionError, PlanRefused, StoreError, plainly
from syncer.core.problems import Problem, RunView, decide
from syncer.engine.context import Context
from syncer.engine.executor import Outcome
from syncer.store import Store


@dataclass(frozen=True, slots=True)
class RunFailure:
    """Why a run stopped before its end: a code (Notion's, ``guard``, ``interrupted``, or the
    exception's kind) and the message."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class RunResult:
    """What a run did, for the CLI and Python callers."""

    kind: RunKind
    env: EnvName
    run_id: RunId | None
    status: ResultStatus
    plan: Plan
    outcome: Outcome = field(default_factory=Outcome)
    bad_rows: tuple[BadRow, ...] = ()
    requests: int = 0
    failure: RunFailure | None = None
    notices: tuple[str, ...] = ()  # told to the administrators once, never kept open
    # The keys a drain read (changed or not): a problem on one of them that the run no longer
    # finds is resolved.
    looked_at: frozenset[AnyKey] = frozenset()

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


class Run:
    """A run row that is always finished, whatever happens inside."""

    def __init__(self, ctx: Context, kind: RunKind, run_id: RunId, result: RunResult) -> None:
        self.ctx = ctx
        self.kind = kind
        self.run_id = run_id
        self.result = result
        self.consumed: tuple[int, int] | None = None
        # A notice the run's end announces once, worded from how the run ended.
        self.notice: Callable[[RunResult], str] | None = None

    def advance_cursor(self, first: int, last: int) -> None:
        """Move the env's cursor to ``last``, and record ``first..last`` as this run's own.

        Only a range the cursor really moved over is recorded: rolling a run back reverts its
        range, so a run that failed before consuming anything must not claim one.
        """
        self.ctx.store.advance_cursor(self.ctx.name, last)
        if first <= last:
            self.consumed = (first, last)

    def finish(self, outcome: Outcome) -> None:
        """Set the run's status from what its actions did (bad rows make it partial)."""
        failed = outcome.failed > 0 or bool(self.result.bad_rows)
        status: RunStatus = "succeeded"
        if outcome.interrupted:
            status = "interrupted"
        elif outcome.notion_down and outcome.applied == 0:
            status = "failed"
        elif failed:
            status = "partial"
        self.result.outcome = outcome
        self.result.status = status


@contextlib.contextmanager
def recorded_run(ctx: Context, kind: RunKind, *, trigger: Trigger | None = None) -> Iterator[Run]:
    store, env = ctx.store, ctx.name
    run_id = store.start_run(env, kind, trigger or ctx.options.trigger, ctx.clock())
    result = RunResult(kind, env, run_id, "running", Plan())
    run = Run(ctx, kind, run_id, result)
    start_requests = ctx.gateway.traffic().requests
    ended = False
    try:
        yield run
        ended = True
    except PlanRefused as exc:
        result.status, result.failure = "refused", RunFailure("guard", exc.message)
        raise
    except Interrupted as exc:
        result.status, result.failure = "interrupted", RunFailure("interrupted", str(exc))
        raise
    except NotionError as exc:
        result.status, result.failure = "failed", RunFailure(exc.code, exc.message)
        raise
    except Exception as exc:
        result.status, result.failure = "failed", RunFailure(type(exc).__name__, str(exc))
        raise
    finally:
        result.requests = ctx.gateway.traffic().requests - start_requests
        _end_run(ctx, run, failing=not ended)


def _end_run(ctx: Context, run: Run, *, failing: bool) -> None:
    """Record the run's end and announce what it found. When the run is ending on an error
    already and the file refuses these writes too (another process holds it locked), the
    first error is the one to report: the run row stays ``running``, and the next run that
    takes the lock marks it interrupted (and announces what is still wrong)."""
    if run.notice is not None:
        run.result.notices += (run.notice(run.result),)
    try:
        _finish_run(ctx, run)
        _announce(ctx, run.result)
    except StoreError as exc:
        if not failing:
            raise
        logger.error("run.not_recorded: run {} could not be marked ended: {}", run.run_id, exc)


def _finish_run(ctx: Context, run: Run) -> None:
    result = run.result
    counts = {
        **result.plan.counts(),
        "applied": result.outcome.applied,
        "failed": result.outcome.failed,
        "skipped": result.outcome.skipped,
        "bad_rows": len(result.bad_rows),
        "requests": result.requests,
    }
    status = result.status
    assert status != "planned", "a recorded run is never a dry run"
    ctx.store.finish_run(
        run.run_id,
        status=status,
        now=ctx.clock(),
        counts=counts,
        error=_error_text(result),
        first_change_id=run.consumed[0] if run.consumed else None,
        last_change_id=run.consumed[1] if run.consumed else None,
    )


def _error_text(result: RunResult) -> str | None:
    """What the run row says went wrong: the run's failure, else its first failed key or bad
    row."""
    if result.failure is not None:
        code = result.failure.code
        prefix = "" if code in ("guard", "interrupted") else f"{code}: "
        return prefix + result.failure.message
    if result.outcome.failures:
        key, why = result.outcome.failures[0]
        return f"{key}: {why}"
    if result.bad_rows:
        bad = result.bad_rows[0]
        return f"{bad.key}: {bad.reason}"
    return None


def last_reconcile(store: Store, env: EnvName) -> dt.datetime | None:
    """When the last completed reconcile (or resync) of ``env`` finished, if ever."""
    run = last_completed_reconcile(store, env)
    return None if run is None else run.finished_at


def last_completed_reconcile(store: Store, env: EnvName) -> RunRecord | None:
    """The last completed reconcile (or resync) of ``env``, if ever.

    Completed: it succeeded, or it is partial only because of bad rows (no write failed).
    A bad row is the schedule's to fix; reconciling again at every drain would not fix it.
    """
    finished = [
        run
        for kind in ("reconcile", "resync")
        for status in ("succeeded", "partial")
        if (run := store.last_run(env, kind, status=status)) is not None
        and run.finished_at is not None
        and (status == "succeeded" or run.counts.get("failed", 0) == 0)
    ]
    return max(finished, key=lambda run: run.run_id, default=None)


def _announce(ctx: Context, result: RunResult) -> None:
    """Tell the administrators about new, long-open and resolved problems: once each."""
    view = RunView(result.status, _problems(result), _looked_at(result), result.run_id)
    now, every = ctx.clock(), ctx.settings.alerts.repeat_after
    decision = decide(ctx.store.open_problems(ctx.name), view, now=now, repeat_after=every)
    ctx.store.replace_problems(ctx.name, decision.still_open)
    worth = decision.worth_announcing or bool(result.notices)
    if worth and ctx.options.on_run_end is not None:
        end = RunEnd(
            ctx.name,
            result.run_id,
            result.kind,
            result.status,
            new=decision.new,
            repeated=decision.repeated,
            resolved=decision.resolved,
            notices=result.notices,
        )
        ctx.options.on_run_end(end)


def _problems(result: RunResult) -> tuple[Problem, ...]:
    """The problems a run's end shows, each identified by its kind and key (or error code)."""
    found = [
        Problem("bad_row", bad.key, f"{bad.table} row {bad.row_id}: {bad.reason}")
        for bad in result.bad_rows
    ]
    failure = result.failure
    if result.outcome.notion_down:
        # One outage, not one problem per key that could not be tried.
        found.append(Problem("run_failed", "notion_unavailable", result.outcome.outage or ""))
    else:
        found.extend(Problem("failed_key", key, why) for key, why in result.outcome.failures)
    if result.status == "failed" and not result.outcome.notion_down:
        code = failure.code if failure is not None else "failed"
        said = plainly(code, failure.message) if failure is not None else "failed"
        found.append(Problem("run_failed", code, said))
    if result.status == "refused":
        found.append(Problem("run_refused", "guard", str(failure or "refused")))
    return tuple(found)


def _looked_at(result: RunResult) -> frozenset[AnyKey] | None:
    """The keys this run would have found problems in: all of them for a whole reconcile."""
    if result.status in ("failed", "refused", "interrupted"):
        return frozenset()
    if result.kind in ("reconcile", "resync"):
        return None
    keys = {action.key for action in result.plan.actions} | result.looked_at
    return frozenset(keys | {bad.key for bad in result.bad_rows})
