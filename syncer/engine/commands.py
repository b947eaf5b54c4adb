"""The engine's entry points: each takes its real dependencies as arguments.

``store``, ``gateway``, ``settings`` and ``env`` say what to sync and where; ``today`` is the date
the run treats as today; ``clock``, ``sleep`` and ``jitter`` are the time and randomness it uses
(tests pass a hand-moved clock and a sleep that records); ``options`` says how the run was
started. Each function builds one :class:`~syncer.engine.job.Job` from them and runs it.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from syncer.config import Environment, Settings
from syncer.core.gateway import Gateway
from syncer.engine import rollback as _rollback
from syncer.engine import sync
from syncer.engine.job import Clock, Jitter, Job, RunOptions, Sleep, utc_now
from syncer.engine.rollback import RollbackResult
from syncer.engine.runs import RunResult
from syncer.store import Store


def drain(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
    options: RunOptions | None = None,
) -> list[RunResult]:
    """Apply pending local changes to Notion, reconciling first when one is due.

    Returns:
        The runs made: an automatic reconcile (when due), then the drain.

    Raises:
        LockHeld: another sync of this environment is running.
        PlanRefused: a guard refused the plan (nothing was written).
    """
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=options,
    )
    return sync.drain_job(job)


def reconcile(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
    options: RunOptions | None = None,
    dry_run: bool = False,
) -> RunResult:
    """Compare everything local with a complete read of Notion and repair every difference."""
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=options,
    )
    return sync.reconcile_job(job, dry_run=dry_run)


def resync(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
    options: RunOptions | None = None,
) -> RunResult:
    """Rebuild the mapping and people cache from Notion, then reconcile (recovery)."""
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=options,
    )
    return sync.resync_job(job)


def plan(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
) -> RunResult:
    """What a reconcile would do now, without doing it (and without recording a run).

    A plan is shown, never applied, so the guards (which refuse before writes) do not apply.
    """
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=RunOptions(force=True),
    )
    return sync.plan_job(job)


def preview_drain(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
) -> RunResult:
    """What the next drain would send (a reconcile's plan when one is due), writing nothing."""
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=RunOptions(force=True),
    )
    return sync.preview_drain_job(job)


def rollback(
    store: Store,
    gateway: Gateway,
    settings: Settings,
    env: Environment,
    run_id: int,
    *,
    today: dt.date,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    jitter: Jitter = random.random,
    options: RunOptions | None = None,
    dry_run: bool = False,
    cascade: bool = False,
) -> RollbackResult:
    """Put the schedule and Notion back as they were before run ``run_id``.

    See :func:`syncer.engine.rollback.rollback_job` for the rules.
    """
    job = Job.build(
        store,
        gateway,
        settings,
        env,
        today=today,
        clock=clock,
        sleep=sleep,
        jitter=jitter,
        options=options,
    )
    return _rollback.rollback_job(job, run_id, dry_run=dry_run, cascade=cascade)


def reconcile_due(store: Store, settings: Settings, env: Environment, *, now: dt.datetime) -> bool:
    """Whether the last successful reconcile (or resync) is older than ``reconcile_every``."""
    return sync.reconcile_is_due(store, settings, env.name, now)
