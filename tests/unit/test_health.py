"""The watch service's /healthz verdict, from its run records alone."""

from __future__ import annotations

import datetime as dt

from syncer.core.health import health
from syncer.core.ids import EnvName, RunId
from syncer.core.kinds import RunStatus
from syncer.core.records import RunRecord

NOW = dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def run(n: int, status: RunStatus, *, ago: dt.timedelta, failed: int = 0) -> RunRecord:
    at = NOW - ago
    counts = {"failed": failed} if failed else {}
    return RunRecord(RunId(n), EnvName("prod"), "drain", "watch", status, at, at, counts)


def test_a_service_that_never_ran_is_healthy() -> None:
    verdict = health([], now=NOW, threshold=HOUR)
    assert verdict.healthy
    assert verdict.json() == {"status": "ok", "last_run": None, "last_completed_at": None}


def test_a_failed_run_after_a_recent_success_is_still_healthy() -> None:
    verdict = health(
        [run(1, "succeeded", ago=10 * dt.timedelta(minutes=1)), run(2, "failed", ago=HOUR / 12)],
        now=NOW,
        threshold=HOUR,
    )
    assert verdict.healthy
    assert verdict.json()["last_run"] == {"id": 2, "kind": "drain", "status": "failed"}


def test_failing_since_longer_than_the_threshold_is_unhealthy() -> None:
    verdict = health(
        [run(1, "succeeded", ago=3 * HOUR), run(2, "failed", ago=HOUR / 2)],
        now=NOW,
        threshold=HOUR,
    )
    assert not verdict.healthy
    assert verdict.json()["status"] == "failing"
    assert verdict.json()["last_completed_at"] == (NOW - 3 * HOUR).isoformat()


def test_a_partial_run_is_completed_only_when_no_notion_write_failed() -> None:
    """Bad rows alone leave the service healthy; a failed write does not."""
    bad_rows = health([run(1, "partial", ago=3 * HOUR)], now=NOW, threshold=HOUR)
    failed_write = health([run(1, "partial", ago=3 * HOUR, failed=1)], now=NOW, threshold=HOUR)
    assert bad_rows.healthy
    assert not failed_write.healthy


def test_a_run_still_going_is_not_the_verdict() -> None:
    verdict = health(
        [run(1, "failed", ago=3 * HOUR), run(2, "running", ago=HOUR / 60)],
        now=NOW,
        threshold=HOUR,
    )
    assert not verdict.healthy
    assert verdict.last_run is not None
    assert verdict.last_run.run_id == RunId(1)
