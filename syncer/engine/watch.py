"""``syncer watch``: the service that keeps one environment in sync until it is stopped.

It owns the environment's lock for as long as it runs (a manual `syncer drain` meanwhile exits 4
and names it; when another sync holds the lock at start, it waits). Every ``poll`` seconds it
looks at the change log: a committed change, by any process, is drained within about a second
or two. It reconciles every ``reconcile_every``, moves last week's pages when the week turns,
and after a run that failed it waits before trying again (the retry waits, doubled, at most
``max_backoff``) instead of hammering Notion. A stop request (SIGTERM, SIGINT) ends the run in
flight as ``interrupted`` and the loop with it.

All time comes from the injected ``clock`` and ``sleep``: tests drive the loop without waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from loguru import logger

from syncer.config import Environment, Settings
from syncer.core import as_raw
from syncer.core.errors import Interrupted, LockHeld, NotionError, PlanRefused
from syncer.core.gateway import Gateway
from syncer.core.projection import week_start
from syncer.engine import sync
from syncer.engine.job import Clock, Job, RunOptions, Sleep
from syncer.engine.runs import RunResult, take_lock
from syncer.store import Store

MAX_BACKOFF = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How often the service looks, and how long it waits after a failure at most."""

    poll: float = 0.5
    max_backoff: dt.timedelta = MAX_BACKOFF


class Watcher:
    """One environment's service loop; :meth:`run` returns when a stop is requested."""

    def __init__(
        self,
        store: Store,
        gateway: Gateway,
        settings: Settings,
        env: Environment,
        *,
        clock: Clock,
        sleep: Sleep,
        options: RunOptions,
        watch: WatchSettings = WatchSettings(),
        on_runs: Callable[[list[RunResult]], None] | None = None,
    ) -> None:
        self.store, self.gateway, self.settings, self.env = store, gateway, settings, env
        self.clock, self.sleep, self.options, self.watch = clock, sleep, options, watch
        self.on_runs = on_runs
        self._failures = 0
        self._not_before: dt.datetime | None = None
        self._week: dt.date | None = None
        self._lock_refreshed = clock()

    def run(self) -> None:
        """Take the lock (waiting while another sync holds it), then sync until stopped."""
        if not self._take_lock():
            return
        try:
            while not self.options.stop.is_set():
                self._tick()
                self._rest(self.watch.poll)
        finally:
            self.store.release_lock(self.env.name, self.options.holder)

    # -- the loop ---------------------------------------------------------------------------

    def _tick(self) -> None:
        now = self.clock()
        self._keep_lock(now)
        if self._not_before is not None and now < self._not_before:
            return  # backing off after a failure
        week = week_start(self._today(now))
        due = sync.reconcile_is_due(self.store, self.settings, self.env.name, now)
        pending = self.store.pending_count(self.env.name) > 0
        if due or pending or week != self._week or self._failing_to_look_up(now):
            self._week = week
            self._sync(now)

    def _failing_to_look_up(self, now: dt.datetime) -> bool:
        failing = self.store.failing_keys(self.env.name)
        waiting = sync.waiting_keys(failing, self.settings, now)
        return any(as_raw(f.key) not in waiting for f in failing)

    def _sync(self, now: dt.datetime) -> None:
        job = Job.build(
            self.store,
            self.gateway,
            self.settings,
            self.env,
            today=self._today(now),
            clock=self.clock,
            sleep=self.sleep,
            options=self.options,
        )
        try:
            results = sync.drain_job(job)
        except Interrupted:
            return  # recorded as interrupted; the loop ends with the stop request
        except (NotionError, PlanRefused) as exc:
            self._failed(f"{type(exc).__name__}: {exc}")
            return
        if self.on_runs is not None:
            self.on_runs(results)
        if any(result.status == "failed" or result.outcome.failed for result in results):
            self._failed("a run ended with failures")
        else:
            self._failures, self._not_before = 0, None

    def _failed(self, why: str) -> None:
        """Wait before the next attempt: the retry waits, doubled each time, capped."""
        self._failures += 1
        base = max(self.settings.retry_waits[-1], 1.0)
        wait = min(dt.timedelta(seconds=base * 2 ** (self._failures - 1)), self.watch.max_backoff)
        self._not_before = self.clock() + wait
        logger.warning("watch.backoff: {}; next attempt in {}", why, wait)

    # -- the lock ---------------------------------------------------------------------------

    def _take_lock(self) -> bool:
        """The environment's lock, waiting while another sync holds it; False when stopped."""
        while not self.options.stop.is_set():
            now = self.clock()
            try:
                take_lock(
                    self.store, self.env.name, self.options.holder, now, self.settings.lock_ttl
                )
            except LockHeld as exc:
                logger.info("watch.waiting: {}", exc.message)
                self._rest(max(self.watch.poll, 1.0))
                continue
            self.store.interrupt_abandoned_runs(self.env.name, now)
            return True
        return False

    def _keep_lock(self, now: dt.datetime) -> None:
        """Extend the lease well before it expires, without a write at every look."""
        ttl = self.settings.lock_ttl
        if now - self._lock_refreshed >= ttl / 4:
            self.store.refresh_lock(self.env.name, self.options.holder, now, ttl)
            self._lock_refreshed = now

    def _rest(self, seconds: float) -> None:
        if not self.options.stop.is_set():
            self.sleep(seconds)

    def _today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(self.settings.tz).date()
