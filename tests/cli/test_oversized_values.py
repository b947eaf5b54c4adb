"""A 10 MB value in a schedule row is reported in a few hundred characters, never copied."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from loguru import logger

from syncer.cli._globals import Globals
from syncer.cli._logging import setup_logging
from tests.support.cli import Cli

TODAY = "2026-03-11"
HUGE = 10_000_000
LIMIT = 2_000  # what any one line, column or reason syncer writes about a row may take


def _size(cli: Cli) -> int:
    return sum(p.stat().st_size for p in cli.db.parent.glob(cli.db.name + "*"))


def _longest_written(cli: Cli) -> dict[str, int]:
    columns = {
        "sync_runs.error": "SELECT max(length(error)) FROM sync_runs",
        "sync_actions.error": "SELECT max(length(error)) FROM sync_actions",
        "sync_actions.key_text": "SELECT max(length(key_text)) FROM sync_actions",
        "sync_problems.subject": "SELECT max(length(subject)) FROM sync_problems",
        "sync_problems.detail": "SELECT max(length(detail)) FROM sync_problems",
        "sync_failing_keys.last_error": "SELECT max(length(last_error)) FROM sync_failing_keys",
    }
    with sqlite3.connect(cli.db) as conn:
        found = {name: conn.execute(sql).fetchone()[0] or 0 for name, sql in columns.items()}
    conn.close()
    return found


def test_a_huge_rotation_and_date_are_clipped_in_every_report_and_row(
    cli: Cli, tmp_path: Path
) -> None:
    """Log lines, --json, audit and problems stay small; the row itself stays whole."""
    log = tmp_path / "syncer.log"
    cli.app.schedule(TODAY, "A" * HUGE, "ada@example.com")
    cli.app.schedule("2026-03-1" + "2" * HUGE, "PM", "ada@example.com")
    cli.app.schedule(TODAY, "PM", "x" * HUGE + "@example.com")
    cli.app.schedule(TODAY, "Core", "ada@example.com")
    before = _size(cli)

    result = cli("--today", TODAY, "-v", "--log-file", str(log), "--json", "reconcile")
    status = cli("--today", TODAY, "--json", "status")
    audit = cli("--json", "audit", "actions")

    assert result.exit_code == 1
    bad = json.loads(result.stdout)["runs"][0]["bad_rows"]
    assert len(bad) == 3
    assert all(len(row["key"]) + len(row["reason"]) < LIMIT for row in bad)
    assert max(len(line) for line in log.read_text().splitlines()) < LIMIT
    assert len(result.stderr) < 10 * LIMIT
    assert len(status.stdout) + len(audit.stdout) < 20 * LIMIT
    assert max(_longest_written(cli).values()) < LIMIT, _longest_written(cli)
    assert _size(cli) - before < 1_000_000  # the rows are 30 MB; what is written about them is not
    with sqlite3.connect(cli.db) as conn:
        lengths = conn.execute(
            "SELECT length(date), length(rotation), length(engineer_email) FROM oncall_schedule"
        ).fetchall()
    conn.close()
    assert [max(row) for row in lengths[:3]] == [HUGE, HUGE + 9, HUGE + 12]


def test_a_huge_notion_error_message_is_clipped_in_the_audit_and_the_logs(
    cli: Cli, tmp_path: Path
) -> None:
    """A 1 MB message in Notion's answer becomes at most 1,000 characters wherever it goes."""
    log = tmp_path / "syncer.log"
    cli.sandbox.add_fault(
        {
            "kind": "status",
            "method": "POST",
            "path": "/v1/pages",
            "status": 400,
            "message": "body.properties is invalid: " + "x" * 1_000_000,
        }
    )
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    result = cli("--today", TODAY, "-vv", "--log-file", str(log), "drain")
    status = cli("--today", TODAY, "--json", "status")

    assert result.exit_code == 1
    assert "body.properties is invalid: xxx" in result.output
    assert max(len(line) for line in log.read_text().splitlines()) < LIMIT
    assert len(result.output) + len(status.output) < 10 * LIMIT
    assert max(_longest_written(cli).values()) <= 1_000


def test_a_log_message_longer_than_4000_characters_is_cut(cli: Cli, tmp_path: Path) -> None:
    """Whatever a caller logs, one line holds at most 4,000 characters of it, and says so."""
    log = tmp_path / "syncer.log"
    setup_logging(Globals(config_path=cli.config, log_file=log))

    logger.warning("value: {}", "v" * HUGE)

    [line] = log.read_text().splitlines()[-1:]
    assert len(line) < 4_100
    assert line.endswith(f"… ({HUGE + 7:,} characters)")
