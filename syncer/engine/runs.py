"""Run bookkeeping: the lock around a sync, and a run row that is always finished.

Every run (drain, reconcile, resync, rollback) is recorded with its status, counts and the
change-log range it consumed, and announces a bad ending (partial, failed, refused) once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from loguru import logger

from syncer.core import BadRow, Plan, ResultStatus, RunEnd, RunKind, RunStatus
from syncer.core.errors import Interrupted, NotionError, PlanRefused
from syncer.core.problems import Decision, Problem, RunView, decide
from syncer.engine.executor import Outcome
from syncer.engine.job import Job, holder_is_gone
from syncer.store import Store


@dataclass
class RunResult:
    """What a run did, for the CLI and Python callers."""

    kind: RunKind
    env: str
    run_id: int | None
    status: ResultStatus
    plan: Plan
    outcome: Outcome = field(default_factory=Outcome)
    bad_rows: tuple[BadRow, ...] = ()
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


@contextlib.contextmanager
def locked(job: Job) -> Iterator[None]:
    """Hold the environment's lock for the block (LockHeld, naming the holder, if taken)."""
    ttl = job.settings.lock_ttl
    now = job.clock()
    current = job.store.lock_holder(job.env.name, now)
    if current is not None and current[0] == job.options.holder:
        yield  # held already by this holder (the watch service owns it between runs)
        return
    take_lock(job.store, job.env.name, job.options.holder, now, ttl)
    try:
        # Holding the lock, no other run of the environment can be alive: one still marked
        # running lost its process (killed, or the machine stopped) without finishing.
        job.store.interrupt_abandoned_runs(job.env.name, now)
        yield
    finally:
        job.store.release_lock(job.env.name, job.options.holder)


def take_lock(store: Store, env: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> None:
    """Take the environment's lease (LockHeld, naming the holder, if another holds it).

    A lease whose holder was a process of this host that is gone (killed with SIGKILL, or by
    the OOM killer) is void at once rather than after its TTL: a cron line must not stay
    locked out for half an hour by a run that no longer exists.
    """
    current = store.lock_holder(env, now)
    if current is not None and current[0] != holder and holder_is_gone(current[0]):
        logger.warning("lock.taken_over: {} no longer runs; its lease is void", current[0])
        store.release_lock(env, current[0])
    store.acquire_lock(env, holder, now, ttl)


class Run:
    """A run row that is always finished, whatever happens inside."""

    def __init__(self, job: Job, kind: RunKind, run_id: int, result: RunResult) -> None:
        self.job = job
        self.kind = kind
        self.run_id = run_id
        self.result = result
        self.consumed: tuple[int, int] | None = None

    def advance_cursor(self, first: int, last: int) -> None:
        """Move the env's cursor to ``last``, and record ``first..last`` as this run's own.

        Only a range the cursor really moved over is recorded: rolling a run back reverts its
        range, so a run that failed before consuming anything must not claim one.
        """
        self.job.store.advance_cursor(self.job.env.name, last)
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
def recorded_run(
    job: Job,
    kind: RunKind,
    *,
    trigger: str | None = None,
) -> Iterator[Run]:
    store, env = job.store, job.env.name
    run_id = store.start_run(env, kind, trigger or job.options.trigger, job.clock())
    result = RunResult(kind, env, run_id, "running", Plan())
    run = Run(job, kind, run_id, result)
    start_requests = _requests(job)
    error: str | None = None
    try:
        yield run
    except PlanRefused as exc:
        result.status, error = "refused", exc.message
        raise
    except Interrupted as exc:
        result.status, error = "interrupted", str(exc)
        raise
    except NotionError as exc:
        result.status, error = "failed", f"{exc.code}: {exc.message}"
        raise
    except Exception as exc:
        result.status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result.requests = _requests(job) - start_requests
        counts = {
            **result.plan.counts(),
            "applied": result.outcome.applied,
            "failed": result.outcome.failed,
            "skipped": result.outcome.skipped,
            "bad_rows": len(result.bad_rows),
            "requests": result.requests,
        }
        if error is None and result.outcome.failures:
            error = f"{result.outcome.failures[0][0]}: {result.outcome.failures[0][1]}"
        elif error is None and result.bad_rows:
            bad = result.bad_rows[0]
            error = f"{bad.key}: {bad.reason}"
        store.finish_run(
            run_id,
            status=result.status,
            now=job.clock(),
            counts=counts,
            error=error,
            first_change_id=run.consumed[0] if run.consumed else None,
            last_change_id=run.consumed[1] if run.consumed else None,
        )
        _announce(job, result, error)


def last_reconcile(store: Store, env: str) -> dt.datetime | None:
    """When the last completed reconcile (or resync) of ``env`` finished, if ever.

    Completed: it succeeded, or it is partial only because of bad rows (no write failed).
    A bad row is the schedule's to fix; reconciling again at every drain would not fix it.
    """
    finished = [
        run.finished_at
        for kind in ("reconcile", "resync")
        for status in ("succeeded", "partial")
        if (run := store.last_run(env, kind, status=status)) is not None
        and run.finished_at is not None
        and (status == "succeeded" or run.counts.get("failed", 0) == 0)
    ]
    return max(finished) if finished else None


def _requests(job: Job) -> int:
    return int(getattr(job.gateway, "request_count", 0))


def _announce(job: Job, result: RunResult, error: str | None) -> None:
    """Tell the administrators about new, long-open and resolved problems: once each."""
    env = job.env.name
    view = RunView(result.status, _problems(result, error), _looked_at(result), result.run_id)
    now, every = job.clock(), job.settings.alerts.repeat_after
    decision = decide(job.store.open_problems(env), view, now=now, repeat_after=every)
    job.store.replace_problems(env, decision.still_open)
    if decision.worth_announcing and job.options.on_run_end is not None:
        end = RunEnd(env, result.run_id, result.kind, result.status, *_grouped(decision))
        job.options.on_run_end(end)


def _grouped(decision: Decision) -> tuple[tuple[Problem, ...], ...]:
    return decision.new, decision.repeated, decision.resolved


def _problems(result: RunResult, error: str | None) -> tuple[Problem, ...]:
    """The problems a run's end shows, each identified by its kind and key (or error code)."""
    found = [
        Problem("bad_row", str(bad.key), f"{bad.table} row {bad.row_id}: {bad.reason}")
        for bad in result.bad_rows
    ]
    if result.outcome.notion_down:
        # One outage, not one problem per key that could not be tried.
        first = result.outcome.failures[0][1] if result.outcome.failures else error or ""
        found.append(Problem("run_failed", "notion_unavailable", first))
    else:
        found.extend(Problem("failed_key", str(key), why) for key, why in result.outcome.failures)
    if result.status == "failed" and not result.outcome.notion_down:
        code = (error or "failed").split(":", 1)[0].strip()
        found.append(Problem("run_failed", code, error or "failed"))
    if result.status == "refused":
        found.append(Problem("run_refused", "guard", error or "refused"))
    return tuple(found)


def _looked_at(result: RunResult) -> frozenset[str] | None:
    """The keys this run would have found problems in: all of them for a whole reconcile."""
    if result.status in ("failed", "refused", "interrupted"):
        return frozenset()
    if result.kind in ("reconcile", "resync"):
        return None
    keys = {str(action.key) for action in result.plan.actions}
    return frozenset(keys | {str(bad.key) for bad in result.bad_rows})
