"""What a person reads when something is in the way: one sentence per problem, in their words,
naming what to do; never an exception's class name or a code said twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from syncer.core import EnvName, LockHolder
from syncer.store import Store
from tests.support.cli import Cli

TODAY = "2026-03-11"
ENV = EnvName("test")


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def hold_lock(cli: Cli, holder: LockHolder) -> None:
    """Give the test environment's lock to ``holder`` for half an hour from now."""
    store = Store.open(cli.db)
    try:
        store.acquire_lock(ENV, holder, dt.datetime.now(dt.UTC), dt.timedelta(minutes=30))
    finally:
        store.close()


def dead_pid() -> int:
    """The pid of a process of this host that has ended (as after a `kill -9`)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_drain_while_watch_runs_names_the_service_and_says_to_stop_it(cli: Cli) -> None:
    """Exit 4; not "wait for that sync to finish" (watch never finishes): stop the service."""
    hold_lock(cli, LockHolder(socket.gethostname(), os.getpid(), "watch"))

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 4
    assert "`syncer watch` service" in result.stderr
    assert "stop the service" in result.stderr
    assert "wait for that sync to finish" not in result.stderr
    assert "held by the `syncer watch` service" in cli("status").stdout


def test_status_after_a_killed_drain_says_its_holder_is_gone(cli: Cli) -> None:
    """`kill -9` of a drain: `status` says the lock is free to take, not "held until"."""
    holder = LockHolder(socket.gethostname(), dead_pid(), "")
    hold_lock(cli, holder)

    text = cli("status").stdout
    document = json.loads(cli("--json", "status").stdout)

    assert f"lock: free: its holder {holder} no longer runs" in text
    assert "held by" not in text
    assert document["environments"]["test"]["lock"]["holder_gone"] is True
    assert cli("--today", TODAY, "drain").exit_code == 0  # and the next drain takes it


def alerts_to(cli: Cli, tmp_path: Path) -> Path:
    """Make every alert append its text to a file (the `[alerts] command`)."""
    out = tmp_path / "alerts.txt"
    script = tmp_path / "alert.py"
    append = "    f.write(sys.stdin.read() + '\\n--\\n')\n"
    script.write_text(f"import sys\nwith open({str(out)!r}, 'a') as f:\n{append}")
    alerts = f'\n[alerts]\ncommand = "{sys.executable} {script}"\n'
    cli.config.write_text(cli.config.read_text() + alerts)
    return out


def test_an_unreachable_notion_is_said_once_in_words_in_logs_and_alerts(
    cli: Cli, tmp_path: Path
) -> None:
    """No `ConnectError` class name, no code said twice: "Notion could not be reached"."""
    out = alerts_to(cli, tmp_path)
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.config.write_text(cli.config.read_text().replace(cli.sandbox.url, closed_url()))

    result = cli("--today", TODAY, "drain")

    alert = out.read_text()
    assert result.exit_code == 1
    for text in (result.stderr, alert):
        assert "ConnectError" not in text
        assert "Error:" not in text
    assert "run failed: Notion could not be reached: no connection could be made" in alert
    assert "unreachable: unreachable" not in alert


def test_a_refused_token_is_said_once_in_the_alert(cli: Cli, tmp_path: Path) -> None:
    """`unauthorized: unauthorized: ...` becomes "Notion refused the token: ..."."""
    out = alerts_to(cli, tmp_path)
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    result = cli("--today", TODAY, "drain", env={"SYNCER_CLI_TEST_TOKEN": "secret_wrong"})

    alert = out.read_text()
    assert result.exit_code == 1
    assert "run failed: Notion refused the token: API token is invalid." in alert
    assert alert.count("unauthorized") == 0


def test_fixing_several_bad_rows_resolves_every_one_in_one_alert(cli: Cli, tmp_path: Path) -> None:
    """Three bad rows fixed at once (keys changed, or rows deleted): the next drain's alert
    names all three as resolved."""
    out = alerts_to(cli, tmp_path)
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule("2026-03-12", "Night", "ada@example.com")
    cli.app.schedule("2026-03-13", "Night", "ada@example.com")
    cli.app.schedule("2026-02-30", "AM", "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 1

    cli.app.execute("UPDATE oncall_schedule SET rotation = 'PM' WHERE rotation = 'Night'")
    cli.app.execute("DELETE FROM oncall_schedule WHERE date = '2026-02-30'")
    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 0, result.output
    resolved = out.read_text().split("\n--\n")[-2]
    for key in ("2026-03-12/Night", "2026-03-13/Night", "2026-02-30/AM"):
        assert f"resolved: bad row {key}" in resolved
