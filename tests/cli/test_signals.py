"""SIGTERM and SIGINT stop a run cleanly: recorded `interrupted`, lock released, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import TOKEN_VARIABLE, Cli
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
