"""`drain --no-wait` with a write Notion did not answer in time: exit 5 says Notion may still
change, and when to drain again (a plain drain waits that out itself)."""

from __future__ import annotations

import datetime as dt
import json

from tests.support.cli import Cli

TODAY = "2026-03-11"


def slow_creates(cli: Cli) -> None:
    """Answers slower than the request timeout: the create is sent again, and lands twice."""
    text = cli.config.read_text().replace("[retry]", "request_timeout = 0.3\n\n[retry]", 1)
    cli.config.write_text(text)
    cli.sandbox.add_fault(
        {"kind": "delay", "method": "POST", "path": "/v1/pages", "delay_ms": 600, "times": 1}
    )
    cli.app.schedule(TODAY, "AM", "ada@example.com")


def test_no_wait_exits_5_naming_the_time_after_which_to_drain(cli: Cli) -> None:
    """The error line says until when a late copy may land; the hint says what to run."""
    slow_creates(cli)

    result = cli("--today", TODAY, "drain", "--no-wait")

    assert result.exit_code == 5, result.output
    assert "may still land until" in result.stderr
    assert "run `syncer drain` after" in result.stderr


def test_no_wait_under_json_gives_the_time(cli: Cli) -> None:
    """--json: the runs, and late_writes_settle_at, an ISO time a few seconds ahead."""
    slow_creates(cli)

    result = cli("--today", TODAY, "--json", "drain", "--no-wait")

    assert result.exit_code == 5
    document = json.loads(result.stdout)
    settle_at = dt.datetime.fromisoformat(document["late_writes_settle_at"])
    assert dt.timedelta(0) < settle_at - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=1)
    assert [run["status"] for run in document["runs"]][-1] == "succeeded"
