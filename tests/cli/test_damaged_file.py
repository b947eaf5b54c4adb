"""A damaged schedule file is refused before any plan: nothing is trashed, the user is told why."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import Cli

TODAY = "2026-03-11"
MONDAY = dt.date(2026, 3, 9)
# Long addresses fill a b-tree page with few rows, so the table spans several leaf pages.
EMAILS = [f"{'e' * 60}{n}@{'a' * 60}.{'b' * 60}.{'c' * 60}.com" for n in range(3)]


def _schedule_four_weeks(cli: Cli) -> int:
    for email in EMAILS:
        cli.sandbox.add_user(email.split("@")[0][:20], email)
    days = [MONDAY + dt.timedelta(days=n) for n in range(28)]
    keys = [
        (day, rotation) for day in days if day.weekday() < 5 for rotation in ("AM", "Core", "PM")
    ]
    rows: list[tuple[object, ...]] = [
        (day.isoformat(), rotation, EMAILS[index % 3]) for index, (day, rotation) in enumerate(keys)
    ]
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )
    return len(rows)


def damage_a_leaf_page(path: Path, table: str) -> None:
    """Zero half the cell content of one leaf page of ``table``, as a torn write would."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        ).fetchall()
    conn.close()
    assert len(leaves) >= 3, leaves  # the test needs a page in the middle of the table
    offset = (leaves[1][0] - 1) * page_size
    with path.open("r+b") as file:
        file.seek(offset + 5)  # a leaf page's header: the start of its cell content area
        content = int.from_bytes(file.read(2), "big")
        file.seek(offset + content)
        file.write(b"\0" * ((page_size - content) // 2))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    conn.close()


@pytest.fixture
def damaged(cli: Cli) -> Cli:
    """A file whose shifts were all synced, then one leaf page of the schedule was damaged."""
    count = _schedule_four_weeks(cli)
    synced = cli("--today", TODAY, "drain")
    assert synced.exit_code == 0, synced.output
    assert len(cli.sandbox.requests()) > count
    damage_a_leaf_page(cli.db, "oncall_schedule")
    cli.sandbox.clear_requests()
    return cli


@pytest.mark.parametrize("command", ["reconcile", "drain", "plan", "resync", "status"])
def test_a_damaged_schedule_file_is_refused_with_what_to_do(damaged: Cli, command: str) -> None:
    """Exit 2, the damage named, the way out given; Notion gets no write at all."""
    result = damaged("--today", TODAY, command)

    assert result.exit_code == 2, result.output
    assert "is damaged" in result.stderr
    assert ".recover" in result.stderr
    assert "syncer reconcile" in result.stderr
    writes = [r for r in damaged.sandbox.requests() if r["method"] == "PATCH"]
    assert writes == []


def test_a_damaged_file_is_a_json_error_under_json(damaged: Cli) -> None:
    """Under --json the refusal is the documented error document with its own code."""
    result = damaged("--today", TODAY, "--json", "reconcile")

    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "database_corrupt"
    assert "oncall_schedule" in error["message"]
    assert "backup" in error["hint"]


def test_a_row_whose_key_cannot_be_read_is_refused_like_damage(cli: Cli, tmp_path: Path) -> None:
    """A schedule row with no date (a table that allows NULL) stops the run before any plan."""
    adopted = tmp_path / "adopted.db"
    with sqlite3.connect(adopted) as conn:
        conn.execute(
            "CREATE TABLE oncall_schedule "
            "(id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE, rotation TEXT, engineer_email TEXT)"
        )
        conn.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
            "VALUES (NULL, 'AM', 'ada@example.com')"
        )
    conn.close()
    cli.db = adopted
    assert cli("db", "upgrade").exit_code == 0

    result = cli("--today", TODAY, "reconcile")

    assert result.exit_code == 2, result.output
    assert "row 1 of oncall_schedule has no date" in result.stderr
    assert [r for r in cli.sandbox.requests() if r["method"] == "PATCH"] == []
