"""`syncer watch` as a real process: it follows commits within 2 s, serves health and metrics,
owns the lock, and stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import signal
import time

import httpx

from syncer.core import LockHolder
from syncer.store import Store
from tests.support.cli import Cli
from tests.support.harness import ENV
from tests.support.service import Service, free_port

TODAY = "2026-03-11"


def test_watch_follows_commits_serves_health_and_stops_on_sigterm(cli: Cli) -> None:
    """A commit by sqlite3 reaches Notion within 2 s; a manual drain meanwhile exits 4."""
    port = free_port()
    service = Service(cli, "--listen", f"127.0.0.1:{port}")
    try:
        service.wait_for("watch.run: reconcile run")  # the first reconcile, at start
        committed = time.monotonic()
        cli.app.schedule(TODAY, "AM", "ada@example.com")
        drained = service.wait_for("watch.run: drain run")
        manual = cli("--today", TODAY, "drain")
        healthz = httpx.get(f"http://127.0.0.1:{port}/healthz")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    finally:
        service.child.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        service.child.communicate(timeout=10)
    stopped_after = time.monotonic() - stopping

    assert drained - committed < 2.0
    assert "1 create" in service.lines[-1]
    assert manual.exit_code == 4
    assert ":watch" in manual.stderr
    assert healthz.status_code == 200
    assert healthz.json()["status"] == "ok"
    assert 'syncer_runs_total{kind="drain",status="succeeded"} 1.0' in metrics
    assert "syncer_pending_changes 0.0" in metrics
    assert "syncer_notion_requests_total" in metrics
    assert service.child.returncode == 0
    assert stopped_after < 5
    assert json.loads(cli("--json", "status").stdout)["environments"]["test"]["lock"] is None


def test_watch_waits_for_a_held_lock_instead_of_failing(cli: Cli) -> None:
    """Started while another sync holds the lock, it waits and says so; it does not exit 4."""
    with Store.open(cli.db) as store:
        now = dt.datetime.now(dt.UTC)
        store.acquire_lock(ENV, LockHolder.parse("other:1:cli"), now, dt.timedelta(minutes=5))
    service = Service(cli)
    try:
        service.wait_for("watch.waiting")
        assert service.child.poll() is None
    finally:
        service.child.send_signal(signal.SIGTERM)
        service.child.communicate(timeout=10)
    assert service.child.returncode == 0


def test_watch_refuses_a_pinned_today_instead_of_ignoring_it(cli: Cli) -> None:
    """`--today` or SYNCER_TODAY with watch exits 2 naming which one, before anything starts."""
    given = cli("--today", TODAY, "watch")
    after_the_name = cli("watch", "--today", TODAY)
    from_the_variable = cli("watch", env={"SYNCER_TODAY": TODAY})
    as_json = cli("--json", "watch", env={"SYNCER_TODAY": TODAY})

    assert [given.exit_code, after_the_name.exit_code, from_the_variable.exit_code] == [2, 2, 2]
    assert "--today" in given.stderr
    assert "--today" in after_the_name.stderr
    assert "SYNCER_TODAY" in from_the_variable.stderr
    assert "clock" in given.stderr
    assert "unset SYNCER_TODAY" in from_the_variable.stderr
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"]["code"] == "config_error"
    assert json.loads(cli("--json", "status").stdout)["environments"]["test"]["lock"] is None
