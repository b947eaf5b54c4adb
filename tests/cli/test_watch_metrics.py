"""`/metrics` of a real `syncer watch` process, scraped over HTTP through a healthy run, a run
that fails because Notion cannot be reached, and a restart: every metric agrees with the run
records, the change log and the audit in the schedule file."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.core import RunId
from syncer.core.health import completed
from syncer.sandbox.server import RunningSandbox, start_in_thread
from syncer.sandbox.settings import SandboxSettings
from syncer.store import Store
from syncer.store.audit import ActionFilter, RunFilter
from tests.support.cli import Cli, configured_cli
from tests.support.harness import ENV, window_rows
from tests.support.service import Sample, Service, free_port, scrape

pytestmark = pytest.mark.integration

DEADLINE = 30.0
ROOT = Path(__file__).resolve().parents[2]


class Notion:
    """A sandbox of this test's own on a fixed port: stopped, the port is dead (Notion cannot
    be reached); started again, it serves the same workspace from its state file."""

    def __init__(self, state: Path) -> None:
        self.settings = SandboxSettings(
            port=free_port(), rate_limit=None, state_file=state, save_delay_s=0.0
        )
        self.running: RunningSandbox | None = start_in_thread(self.settings)

    @property
    def sandbox(self) -> RunningSandbox:
        assert self.running is not None
        return self.running

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None

    def start(self) -> None:
        self.running = start_in_thread(self.settings)


@pytest.fixture
def notion(tmp_path: Path) -> Iterator[Notion]:
    own = Notion(tmp_path / "sandbox.json")
    yield own
    own.stop()


@pytest.fixture
def service_cli(notion: Notion, tmp_path: Path) -> Cli:
    return configured_cli(notion.sandbox, tmp_path)


def from_the_file(db: Path, since: RunId) -> dict[Sample, float]:
    """Every sample `/metrics` should show, from the schedule file alone: the runs after
    ``since`` (the ones this process made) that ended, their actions, the change log's
    backlog, the failing keys, and the last completed run of each kind ever recorded."""
    with Store.open(db) as store:
        runs = store.find_runs(RunFilter(env=ENV))
        ended = [run for run in runs if run.run_id > since and run.status != "running"]
        actions = Counter(
            (entry.record.action, entry.record.status)
            for run in ended
            for entry in store.find_actions(ActionFilter(run_id=run.run_id))
        )
        pending, failing = store.pending_count(ENV), len(store.failing_keys(ENV))
    samples: dict[Sample, float] = {
        ("syncer_pending_changes", ()): pending,
        ("syncer_failing_keys", ()): failing,
    }
    for (kind, status), count in Counter((run.kind, run.status) for run in ended).items():
        samples["syncer_runs_total", (("kind", kind), ("status", status))] = count
    for (action, outcome), count in actions.items():
        samples["syncer_actions_total", (("action", action), ("status", outcome))] = count
    for run in sorted(runs, key=lambda run: run.run_id):
        if completed(run) and run.finished_at is not None:
            key: Sample = ("syncer_last_success_timestamp_seconds", (("kind", run.kind),))
            samples[key] = max(samples.get(key, 0.0), run.finished_at.timestamp())
    return samples


def agreed(port: int, db: Path, since: RunId) -> dict[Sample, float]:
    """A scrape taken while the file did not change, checked against the file: polled until
    the two agree (a run may end between the two reads), failing at the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        before = from_the_file(db, since)
        scraped = scrape(port)
        after = from_the_file(db, since)
        shown = {sample: value for sample, value in scraped.items() if sample[0] in _FROM_FILE}
        if before == after and shown == pytest.approx(after):
            return scraped
        assert time.monotonic() < deadline, f"scraped {shown}\nthe file says {after}"


_FROM_FILE = {
    "syncer_pending_changes",
    "syncer_failing_keys",
    "syncer_runs_total",
    "syncer_actions_total",
    "syncer_last_success_timestamp_seconds",
}


def documented() -> set[str]:
    """The metric names of docs/deploy.md's table."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(syncer_[a-z_]+)", text, re.M))


INSERT = "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)"
SLOW_CREATES = {
    "kind": "delay",
    "method": "POST",
    "path": "/v1/pages",
    "delay_ms": 300,
    "times": None,
}


def pending_while_a_drain_runs(port: int, db: Path) -> float:
    """`syncer_pending_changes` scraped while the file shows a drain running before and after
    the scrape, checked against the change log meanwhile."""
    deadline = time.monotonic() + DEADLINE

    def running() -> tuple[bool, int]:
        with Store.open(db) as store:
            newest = store.find_runs(RunFilter(env=ENV, limit=1))
            return bool(newest) and newest[0].status == "running", store.pending_count(ENV)

    while True:
        before, pending = running()
        shown = scrape(port)["syncer_pending_changes", ()]
        after, _ = running()
        if before and after:
            assert shown == pending
            return shown
        assert time.monotonic() < deadline, "no drain seen running"


def newest_run(db: Path) -> RunId:
    with Store.open(db) as store:
        runs = store.find_runs(RunFilter(env=ENV, limit=1))
    return runs[0].run_id if runs else RunId(0)


def statuses(samples: dict[Sample, float]) -> set[tuple[str, str]]:
    return {
        (dict(labels)["kind"], dict(labels)["status"])
        for name, labels in samples
        if name == "syncer_runs_total"
    }


def test_metrics_agree_with_the_run_records_through_a_failure_and_a_restart(
    service_cli: Cli, notion: Notion
) -> None:
    """Through a healthy run, a dead Notion port and a restart, /metrics matches the file."""
    cli, today = service_cli, dt.datetime.now(dt.UTC).date()
    port = free_port()
    first = Service(cli, "--listen", f"127.0.0.1:{port}")
    try:
        first.wait_for("watch.run: reconcile run")
        cli.app.schedule(str(today), "AM", "ada@example.com")
        first.wait_for("watch.run: drain run")
        healthy = agreed(port, cli.db, RunId(0))
        assert {("reconcile", "succeeded"), ("drain", "succeeded")} <= statuses(healthy)
        assert {name for name, _ in healthy} == documented()  # no `_created` series either
        assert healthy["syncer_notion_requests_total", ()] > 0

        notion.sandbox.add_fault(SLOW_CREATES)
        monday = today + dt.timedelta(days=7 - today.weekday())
        cli.app.executemany(INSERT, window_rows(monday, 3, ["ada@example.com"]))
        assert pending_while_a_drain_runs(port, cli.db) == 9  # the change log's, not the last run's
        notion.sandbox.clear_faults()
        first.wait_for("watch.run: drain run")
        agreed(port, cli.db, RunId(0))

        notion.stop()
        cli.app.schedule(str(today), "PM", "ada@example.com")
        first.wait_for("watch.backoff")
        failed = agreed(port, cli.db, RunId(0))
        assert ("drain", "failed") in statuses(failed)
        cli.app.schedule(str(today), "Core", "ada@example.com")  # while it backs off
        assert agreed(port, cli.db, RunId(0))["syncer_pending_changes", ()] >= 1
    finally:
        assert first.stop() == 0

    before_restart = newest_run(cli.db)
    second = Service(cli, "--listen", f"127.0.0.1:{port}")
    try:
        second.wait_for("watch.backoff")  # Notion is still unreachable
        restarted = agreed(port, cli.db, before_restart)
        last_success = {labels for name, labels in restarted if name.startswith("syncer_last")}
        assert last_success == {(("kind", "drain"),), (("kind", "reconcile"),)}
        assert statuses(restarted) == {("drain", "failed")}

        notion.start()
        second.wait_for("watch.run: drain run", "succeeded", timeout=DEADLINE)
        recovered = agreed(port, cli.db, before_restart)
        assert recovered["syncer_pending_changes", ()] == 0
        assert ("drain", "succeeded") in statuses(recovered)
    finally:
        assert second.stop() == 0
