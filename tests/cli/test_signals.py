"""SIGTERM and SIGINT stop a run cleanly: recorded `interrupted`, lock released, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import TOKEN_VARIABLE, Cli
from tests.support.harness import window_rows

TODAY = "2026-03-11"


def syncer_process(cli: Cli, *args: str) -> subprocess.Popen[str]:
    """`syncer -vv ARGS` as a real process on the test environment (it logs every request)."""
    command = [
        str(Path(sys.executable).with_name("syncer")),
        *("--db", str(cli.db), "--config", str(cli.config), "--env", "test", "--today", TODAY),
        *("-vv", *args),
    ]
    env = {**os.environ, TOKEN_VARIABLE: cli.token}
    pipe = subprocess.PIPE
    return subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, text=True)


def read_until_creates(child: subprocess.Popen[str], count: int) -> list[str]:
    """The child's log lines until it has created ``count`` pages (it is mid-run then)."""
    assert child.stderr is not None
    lines: list[str] = []
    while sum("POST /v1/pages -> 200" in line for line in lines) < count:
        line = child.stderr.readline()
        assert line, "the run ended before it got going: " + "".join(lines)
        lines.append(line)
    return lines


def page_creates(cli: Cli) -> list[dict[str, Any]]:
    return [r for r in cli.sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/pages")]


@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_records_interrupted_and_the_next_drain_finishes(
    cli: Cli, number: int, code: int
) -> None:
    """Exit 128+signal within 5 s, the run `interrupted`, lock free, then a drain completes it."""
    rows = window_rows(dt.date(2026, 3, 9), 21, ["ada@example.com"])
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )
    cli.sandbox.update_settings(latency_ms=40)
    child = syncer_process(cli, "drain")
    read_until_creates(child, 3)

    sent = time.monotonic()
    child.send_signal(number)
    _, stderr = child.communicate(timeout=10)
    stopped_after = time.monotonic() - sent
    cli.sandbox.update_settings(latency_ms=0)

    assert child.returncode == code, stderr
    assert stopped_after < 5
    assert "recorded as interrupted" in stderr
    interrupted = json.loads(cli("--json", "audit", "runs").stdout)[0]
    assert interrupted["status"] == "interrupted"
    assert json.loads(cli("--json", "status").stdout)["environments"]["test"]["lock"] is None
    assert len(page_creates(cli)) < len(rows)  # it really stopped part-way
    assert cli("--today", TODAY, "drain").exit_code == 0
    assert cli("--today", TODAY, "plan", "--detailed-exitcode").exit_code == 0
    undo = cli("--json", "rollback", str(interrupted["id"]), "--cascade", "--dry-run")
    assert undo.exit_code == 0  # an interrupted run can be rolled back like any other
    assert interrupted["id"] in [step["run_id"] for step in json.loads(undo.stdout)["steps"]]
    audited = json.loads(cli("--json", "audit", "actions", "--action", "create").stdout)
    assert len(page_creates(cli)) == len([a for a in audited if a["status"] == "applied"])


def until(condition: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    """Wait for something another process does (polling, with a deadline)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_a_drain_killed_while_its_create_is_in_flight_leaves_an_audit_row_naming_the_page(
    cli: Cli,
) -> None:
    """SIGKILL after Notion took the create but before syncer recorded it: the create's audit
    row, written before the call, says its outcome is unknown; the next drain looks the key up,
    finds the page and deals with it (here the shift was deleted meanwhile: it is trashed)."""
    cli.app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
        TODAY,
        "AM",
        "ada@example.com",
    )
    cli.sandbox.add_fault(
        {"kind": "delay", "method": "POST", "path": "/v1/pages", "delay_ms": 1500, "times": 1}
    )
    child = syncer_process(cli, "drain")
    until(lambda: not cli.sandbox.fault_rules(), "the create reached Notion")
    child.kill()
    child.communicate(timeout=10)
    until(lambda: bool(page_creates(cli)), "the held create landed")
    (created,) = [p["id"] for p in cli.sandbox.dump()["pages"] if "data_source_id" in p["parent"]]
    in_doubt = json.loads(cli("--json", "audit", "actions", "--action", "create").stdout)
    assert [(a["key"], a["status"], a["page_id"]) for a in in_doubt] == [
        (f"{TODAY}/AM", "unknown", None)
    ]

    cli.app.execute("DELETE FROM oncall_schedule WHERE date = ?", TODAY)
    assert cli("--today", TODAY, "drain").exit_code == 0

    trashed = json.loads(cli("--json", "audit", "actions", "--action", "trash").stdout)
    assert [(a["key"], a["status"], a["page_id"]) for a in trashed] == [
        (f"{TODAY}/AM", "applied", created)
    ]
    assert {p["id"]: p.get("in_trash") for p in cli.sandbox.dump()["pages"]}[created] is True
    assert cli("--today", TODAY, "plan", "--detailed-exitcode").exit_code == 0
