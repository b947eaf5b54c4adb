"""Whether the service is healthy, from its run records alone. [core]

Healthy when the newest run completed (succeeded, or partial only because of bad rows: no
Notion write failed), or the last completed run is younger than the threshold; unhealthy
otherwise. ``syncer watch --listen`` answers ``/healthz`` with this verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from syncer.core.records import RunRecord


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
