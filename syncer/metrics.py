"""What `syncer watch --listen` serves: Prometheus metrics and a health verdict. [edge]

Metrics live in a registry of their own (never the process-wide default) and are fed after each
run from its result and from the store: runs and actions by kind and status, the backlog, the
failing keys, the last success per run kind, Notion requests and 429s. The health verdict is
pure: healthy when the newest run completed (succeeded, or partial only because of bad rows),
or the last completed run is younger than the threshold; unhealthy otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from syncer.core import RunRecord


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


def completed(record: RunRecord) -> bool:
    """Succeeded, or partial only because of bad rows (no Notion write failed)."""
    bad_rows_only = record.status == "partial" and record.counts.get("failed", 0) == 0
    return record.status == "succeeded" or bad_rows_only


@dataclass(frozen=True, slots=True)
class Health:
    """The `/healthz` verdict and what it is based on."""

    healthy: bool
    last_run: RunRecord | None
    last_completed: dt.datetime | None

    def json(self) -> dict[str, object]:
        last = self.last_run
        return {
            "status": "ok" if self.healthy else "failing",
            "last_run": None
            if last is None
            else {"id": last.run_id, "kind": last.kind, "status": last.status},
            "last_completed_at": self.last_completed.isoformat() if self.last_completed else None,
        }


def health(runs: Iterable[RunRecord], *, now: dt.datetime, threshold: dt.timedelta) -> Health:
    """Healthy when the newest run completed, or a completed run is younger than ``threshold``."""
    finished = sorted(
        (run for run in runs if run.status not in ("running", "interrupted")),
        key=lambda run: run.run_id,
    )
    newest = finished[-1] if finished else None
    done = [run.finished_at for run in finished if completed(run) and run.finished_at]
    last = max(done) if done else None
    fresh = last is not None and now - last < threshold
    healthy = newest is None or completed(newest) or fresh
    return Health(healthy, newest, last)
