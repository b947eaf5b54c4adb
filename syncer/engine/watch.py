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

from syncer.core import as_raw
from syncer.core.errors import (
    DatabaseNotReady,
    Interrupted,
    LockHeld,
    NotionError,
    PlanRefused,
    plainly,
)
from syncer.core.projection import week_start
from syncer.engine import sync
from syncer.engine.engine import Engine
from syncer.engine.lock import take_lock

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
        engine: Engine,
        *,
        watch: WatchSettings = WatchSettings(),
        after_sync: Callable[[], None] | None = None,
    ) -> None:
        # The service looks late writes up itself once their window ends (see _tick), rather
        # than block in a drain meanwhile.
        self.engine = engine.with_options(settle_late_writes=False)
        self.watch = watch
        self.after_sync = after_sync
        self._failures = 0
        self._not_before: dt.datetime | None = None
        self._week: dt.date | None = None
        self._lock_refreshed = engine.clock()

    def run(self) -> None:
        """Take the lock (waiting while another sync holds it), then sync until stopped."""
        engine = self.engine
        if not self._take_lock():
            return
        try:
            while not engine.options.stop.is_set():
                self._tick()
                self._rest(self.watch.poll)
        finally:
            engine.store.release_lock(engine.name, engine.options.holder)

    # -- the loop ---------------------------------------------------------------------------

    def _tick(self) -> None:
        engine = self.engine
        now = engine.clock()
        self._keep_lock(now)
        if self._not_before is not None and now < self._not_before:
            return  # backing off after a failure
        week = week_start(engine.today)
        due = engine.reconcile_due()
        pending = engine.store.pending_count(engine.name) > 0
        # An app that rebuilt a schedule table dropped the triggers: the drain restores them.
        capture_off = bool(engine.store.missing_triggers())
        if due or pending or capture_off or week != self._week or self._failing_to_look_up(now):
            self._week = week
            self._sync()

    def _failing_to_look_up(self, now: dt.datetime) -> bool:
        failing = self.engine.store.failing_keys(self.engine.name)
        waiting = sync.waiting_keys(failing, self.engine.settings, now)
        return any(as_raw(f.key) not in waiting for f in failing)

    def _sync(self) -> None:
        """One drain; ``after_sync`` is told whatever it ended in (a run that failed or was
        interrupted is a recorded run too)."""
        try:
            self._drain()
        finally:
            if self.after_sync is not None:
                self.after_sync()

    def _drain(self) -> None:
        try:
            results = self.engine.drain()
        except Interrupted:
            return  # recorded as interrupted; the loop ends with the stop request
        except NotionError as exc:
            self._failed(plainly(exc.code, exc.message))
            return
        except PlanRefused as exc:
            self._failed(f"the guards refused the plan: {exc.message}")
            return
        except DatabaseNotReady as exc:
            # A schedule table is gone or odd (the app may be rebuilding it).
            self._failed(exc.message)
            return
        if any(result.status == "failed" or result.outcome.failed for result in results):
            self._failed("a run ended with failures")
        else:
            self._failures, self._not_before = 0, None

    def _failed(self, why: str) -> None:
        """Wait before the next attempt: the retry waits, doubled each time, capped."""
        self._failures += 1
        base = max(self.engine.settings.retry_waits[-1], 1.0)
        wait = min(dt.timedelta(seconds=base * 2 ** (self._failures - 1)), self.watch.max_backoff)
        self._not_before = self.engine.clock() + wait
        logger.warning("watch.backoff: {}; next attempt in {}", why, wait)

    # -- the lock ---------------------------------------------------------------------------

    def _take_lock(self) -> bool:
        """The environment's lock, waiting while another sync holds it; False when stopped."""
        engine = self.engine
        while not engine.options.stop.is_set():
            now = engine.clock()
            try:
                take_lock(
                    engine.store, engine.name, engine.options.holder, now, engine.settings.lock_ttl
                )
            except LockHeld as exc:
                logger.info("watch.waiting: {}", exc.message)
                self._rest(max(self.watch.poll, 1.0))
                continue
            engine.store.interrupt_abandoned_runs(engine.name, now)
            return True
        return False

    def _keep_lock(self, now: dt.datetime) -> None:
        """Extend the lease well before it expires, without a write at every look."""
        engine = self.engine
        ttl = engine.settings.lock_ttl
        if now - self._lock_refreshed >= ttl / 4:
            engine.store.refresh_lock(engine.name, engine.options.holder, now, ttl)
            self._lock_refreshed = now

    def _rest(self, seconds: float) -> None:
        if not self.engine.options.stop.is_set():
            self.engine.sleep(seconds)
