"""The service's Prometheus metrics, and what feeds them from the store. [service]

Metrics live in a registry of their own (never the process-wide default). The run records are
the source: after every attempt to sync, :class:`Feeder` counts the runs this process recorded
since it last looked, whatever they ended in (a run that failed on an unreachable Notion
included), with their audit rows. The backlog (pending changes, failing keys) is read from the
change log at each scrape, so it is right during a long drain or a back-off. The last success
of each kind is read from the run records at start, so an alert on it has data after a restart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from loguru import logger
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)

from syncer.core import EnvName, RunId, RunKind, RunRecord
from syncer.core.errors import StoreError
from syncer.core.health import completed
from syncer.core.kinds import RUN_KINDS
from syncer.engine import Engine
from syncer.store import Store
from syncer.store.audit import ActionFilter, RunFilter


class Metrics:
    """The service's Prometheus metrics (names documented in docs/deploy.md)."""

    def __init__(self) -> None:
        # Counters would each add a `<name>_created` gauge (when the counter was made): a
        # timestamp no rule needs, and not among the documented metrics.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        registry = self.registry
        self.runs = Counter(
            "syncer_runs", "Runs by kind and status.", ["kind", "status"], registry=registry
        )
        self.actions = Counter(
            "syncer_actions",
            "Notion actions by kind and outcome.",
            ["action", "status"],
            registry=registry,
        )
        self.pending = Gauge(
            "syncer_pending_changes", "Changes not yet drained.", registry=registry
        )
        self.failing = Gauge(
            "syncer_failing_keys", "Keys whose last write failed.", registry=registry
        )
        self.last_success = Gauge(
            "syncer_last_success_timestamp_seconds",
            "When a run of each kind last completed.",
            ["kind"],
            registry=registry,
        )
        self.requests = Counter(
            "syncer_notion_requests", "Requests sent to Notion.", registry=registry
        )
        self.rate_limited = Counter(
            "syncer_notion_rate_limited", "429 answers from Notion.", registry=registry
        )

    def run_ended(self, record: RunRecord, by_action: dict[tuple[str, str], int]) -> None:
        """Count one finished run and its actions."""
        self.runs.labels(record.kind, record.status).inc()
        for (action, status), count in by_action.items():
            self.actions.labels(action, status).inc(count)
        self.succeeded(record)

    def succeeded(self, record: RunRecord) -> None:
        """Move the kind's last success to this run, if it completed."""
        if completed(record) and record.finished_at is not None:
            self.last_success.labels(record.kind).set(record.finished_at.timestamp())

    def read_backlog(self, pending: Callable[[], int], failing: Callable[[], int]) -> None:
        """Read the backlog at each scrape (from the change log and the failing keys)."""
        self.pending.set_function(_last_known(pending, "syncer_pending_changes"))
        self.failing.set_function(_last_known(failing, "syncer_failing_keys"))

    def notion_traffic(self, requests: int, rate_limited: int) -> None:
        """Add what the gateway sent since the last call."""
        self.requests.inc(requests)
        self.rate_limited.inc(rate_limited)

    def exposition(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)


def _last_known(read: Callable[[], int], name: str) -> Callable[[], float]:
    """``read``, or the value it last gave while the file cannot be read: a scrape answers."""
    last = [0.0]

    def value() -> float:
        try:
            last[0] = float(read())
        except StoreError as exc:
            logger.warning("watch.metrics: {} not read ({}); showing the last value", name, exc)
        return last[0]

    return value


class Feeder:
    """Feeds the metrics from the run records: the runs this process made, once each."""

    def __init__(self, engine: Engine, metrics: Metrics) -> None:
        self.engine, self.metrics = engine, metrics
        store, env = engine.store, engine.name
        newest = store.find_runs(RunFilter(env=env, limit=1))
        # Runs up to this one were made before the service started: not this process's to count.
        self._counted = newest[0].run_id if newest else RunId(0)
        for kind in RUN_KINDS:
            record = last_completed(store, env, kind)
            if record is not None:
                metrics.succeeded(record)
        metrics.read_backlog(lambda: store.pending_count(env), lambda: len(store.failing_keys(env)))
        self._requests = 0
        self._limited = 0

    def runs(self) -> None:
        """Count the runs recorded since the last call that have ended, oldest first."""
        store = self.engine.store
        for record in sorted(store.runs_after(self.engine.name, self._counted), key=_run_id):
            if record.status == "running":
                break  # counted once it ends
            self._count(record)
            self._counted = record.run_id
        self._traffic()

    def _count(self, record: RunRecord) -> None:
        by_action: dict[tuple[str, str], int] = {}
        for entry in self.engine.store.find_actions(ActionFilter(run_id=record.run_id)):
            key = (entry.record.action, entry.record.status)
            by_action[key] = by_action.get(key, 0) + 1
        self.metrics.run_ended(record, by_action)
        applied = {action: n for (action, status), n in by_action.items() if status == "applied"}
        done = ", ".join(f"{n} {action}" for action, n in sorted(applied.items()))
        # Why a run failed is the watch.backoff line's to say, once, in words.
        nothing = "no changes" if record.status == "succeeded" else "nothing applied"
        logger.info(
            "watch.run: {} run {} {}: {}",
            record.kind,
            record.run_id,
            record.status,
            done or nothing,
        )

    def _traffic(self) -> None:
        traffic = self.engine.gateway.traffic()
        requests, limited = traffic.requests, traffic.rate_limited
        self.metrics.notion_traffic(requests - self._requests, limited - self._limited)
        self._requests, self._limited = requests, limited


def last_completed(store: Store, env: EnvName, kind: RunKind) -> RunRecord | None:
    """The environment's newest completed run of ``kind`` (succeeded, or partial only because
    of bad rows), from the run records."""
    succeeded = store.find_runs(RunFilter(env=env, kind=kind, status="succeeded", limit=1))
    since = succeeded[0].started_at if succeeded else None
    partial = store.find_runs(RunFilter(env=env, kind=kind, status="partial", since=since))
    found = [run for run in [*succeeded, *partial] if completed(run) and run.finished_at]
    return max(found, key=_finished, default=None)


def _run_id(record: RunRecord) -> RunId:
    return record.run_id


def _finished(record: RunRecord) -> dt.datetime:
    assert record.finished_at is not None
    return record.finished_at
