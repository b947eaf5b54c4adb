"""What a person sees: piped output never hard-wrapped, one table style, `audit actions --limit`."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.cli import TOKEN_VARIABLE, Cli
from tests.support.harness import window_rows

TODAY = "2026-03-11"
LONG = "x" * 150


def test_piped_output_never_wraps_a_line(cli: Cli) -> None:
    """Cron mail and grep get each bad row, and each table row, on one line."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "Night", f"ada.{LONG}@example.com")
    cli("--today", TODAY, "drain")

    for command in (("drain",), ("plan",), ("status",)):
        out = cli("--today", TODAY, *command).stdout
        reason = "unknown rotation 'Night' (expected one of AM, Core, PM)"
        assert any(reason in line for line in out.splitlines()), (command, out)


def test_every_table_has_one_style_with_no_trailing_spaces(cli: Cli) -> None:
    """plan, audit runs, audit actions, changes: a rule under the header, no box, no padded
    line ends."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    plan = cli("--today", TODAY, "plan").stdout
    cli("--today", TODAY, "drain")

    tables = (plan, cli("audit", "runs").stdout, cli("audit", "actions").stdout)
    for out in (*tables, cli("changes").stdout):
        lines = out.splitlines()
        assert all(line == line.rstrip() for line in lines), out
        assert not any(mark in out for mark in "┏┃│└"), out
        assert any(set(line) == {"─"} for line in lines), out


def test_audit_actions_takes_a_limit(cli: Cli) -> None:
    """--limit N lists the newest N actions, as `audit runs --limit` does for runs."""
    for rotation in ("AM", "Core", "PM"):
        cli.app.schedule(TODAY, rotation, "ada@example.com")
    cli("--today", TODAY, "drain")

    every = json.loads(cli("--json", "audit", "actions").stdout)
    two = json.loads(cli("--json", "audit", "actions", "--limit", "2").stdout)

    assert len(every) == 3
    assert [a["id"] for a in two] == [a["id"] for a in every[:2]]


def read_until(fd: int, marker: str, seen: list[str]) -> bool:
    """Read a pty until ``marker`` shows (True) or it closes (False)."""
    while marker not in "".join(seen):
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end is closed
            return False
        if not chunk:
            return False
        seen.append(chunk.decode(errors="replace"))
    return True


def test_ctrl_c_during_a_drain_takes_the_bar_down_before_the_error_line(cli: Cli) -> None:
    """On a terminal: the `error:` line starts a line of its own, and no bar comes after it."""
    rows = window_rows(dt.date(2026, 3, 9), 21, ["ada@example.com"])
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )
    cli.sandbox.update_settings(latency_ms=40)
    command = [
        str(Path(sys.executable).with_name("syncer")),
        *("--db", str(cli.db), "--config", str(cli.config), "--env", "test", "--today", TODAY),
        "drain",
    ]
    env = {**os.environ, TOKEN_VARIABLE: cli.token, "TERM": "xterm", "COLUMNS": "100"}
    main_end, child_end = pty.openpty()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=child_end)
    os.close(child_end)
    seen: list[str] = []
    try:
        assert read_until(main_end, "written", seen), "".join(seen)
        child.send_signal(signal.SIGINT)
        read_until(main_end, "\x00never\x00", seen)  # to the end
        child.wait(timeout=10)
    finally:
        os.close(main_end)
        cli.sandbox.update_settings(latency_ms=0)

    screen = "".join(seen)
    assert child.returncode == 130, screen
    error_at = screen.index("error:")
    assert screen.rfind("written") < error_at, repr(screen[-400:])
    before = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen[:error_at])
    assert before == "" or before[-1] in "\r\n", repr(before[-120:])
