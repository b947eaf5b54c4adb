"""The service's Prometheus metrics, and what feeds them after each run. [service]

Metrics live in a registry of their own (never the process-wide default) and are fed after each
run from its result and from the store (:class:`Feeder`): runs and actions by kind and status,
the backlog, the failing keys, the last success per run kind, Notion requests and 429s.
"""

from __future__ import annotations

from collections.abc import Iterable

from loguru import logger
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from syncer.core import RunRecord
from syncer.core.health import completed
from syncer.engine import Engine, RunResult
from syncer.store.audit import ActionFilter


class Metrics:
    """The service's Prometheus metrics (names documented in docs/deploy.md)."""

    def __init__(self) -> None:
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
        if completed(record) and record.finished_at is not None:
            self.last_success.labels(record.kind).set(record.finished_at.timestamp())

    def backlog(self, pending: int, failing: int) -> None:
        self.pending.set(pending)
        self.failing.set(failing)

    def notion_traffic(self, requests: int, rate_limited: int) -> None:
        """Add what the gateway sent since the last call."""
        self.requests.inc(requests)
        self.rate_limited.inc(rate_limited)

    def exposition(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)


class Feeder:
    """Feeds the metrics after each run, from the results and the store."""

    def __init__(self, engine: Engine, metrics: Metrics) -> None:
        self.engine, self.metrics = engine, metrics
        self._requests = 0
        self._limited = 0

    def runs(self, results: Iterable[RunResult]) -> None:
        store = self.engine.store
        for result in results:
            record = store.run(result.run_id) if result.run_id is not None else None
            if record is None:
                continue
            by_action: dict[tuple[str, str], int] = {}
            for entry in store.find_actions(ActionFilter(run_id=record.run_id)):
                key = (entry.record.action, entry.record.status)
                by_action[key] = by_action.get(key, 0) + 1
            self.metrics.run_ended(record, by_action)
            done = ", ".join(f"{n} {kind}" for kind, n in sorted(result.outcome.by_kind.items()))
            logger.info(
                "watch.run: {} run {} {}: {}",
                record.kind,
                record.run_id,
                record.status,
                done or "no changes",
            )
        self.backlog()

    def backlog(self) -> None:
        store, env = self.engine.store, self.engine.name
        self.metrics.backlog(store.pending_count(env), len(store.failing_keys(env)))
        traffic = self.engine.gateway.traffic()
        requests, limited = traffic.requests, traffic.rate_limited
        self.metrics.notion_traffic(requests - self._requests, limited - self._limited)
        self._requests, self._limited = requests, limited
