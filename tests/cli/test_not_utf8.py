"""Rows whose text is not valid UTF-8 (or is a BLOB) are bad rows: named, skipped, kept."""

from __future__ import annotations

import json
import sqlite3

from tests.support.cli import Cli

TODAY = "2026-03-11"
INSERT = "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)"
# (date, rotation, email) as SQLite holds them: text with a stray byte, or a BLOB.
UNDECODABLE: list[tuple[object, ...]] = [
    (TODAY, "AM", b"ada\xff@example.com"),  # inserted as TEXT by CAST below
    ("2026-03-12", "AM\xff".encode("latin-1"), "ada@example.com"),
    (b"2026-03-1\xfe", "PM", "ada@example.com"),  # a BLOB date
]


def _insert_undecodable(cli: Cli) -> None:
    with sqlite3.connect(cli.db) as conn:
        conn.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
            "VALUES (?, ?, CAST(? AS TEXT))",
            UNDECODABLE[0],
        )
        conn.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
            "VALUES (?, CAST(? AS TEXT), ?)",
            UNDECODABLE[1],
        )
        conn.execute(INSERT, UNDECODABLE[2])
        conn.execute(INSERT, (TODAY, "Core", "ada@example.com"))
    conn.close()


def _bad_rows(output: str) -> dict[int, dict[str, str]]:
    runs = json.loads(output)["runs"]
    return {bad["row_id"]: bad for run in runs for bad in run["bad_rows"]}


def test_a_row_that_is_not_utf8_is_reported_skipped_and_the_rest_synced(cli: Cli) -> None:
    """drain names each undecodable row by key and row id, creates the good one, exits 1."""
    assert cli("--today", TODAY, "reconcile").exit_code == 0  # so the drain reads the log
    _insert_undecodable(cli)

    result = cli("--today", TODAY, "--json", "drain")

    assert result.exit_code == 1, result.output
    bad = _bad_rows(result.stdout)
    assert sorted(bad) == [1, 2, 3]
    assert all("not valid UTF-8" in row["reason"] for row in bad.values())
    assert bad[1]["key"] == f"{TODAY}/AM"
    assert "ada\\xff@example.com" in bad[1]["reason"]
    assert bad[2]["key"] == "2026-03-12/AM\\xff"
    assert bad[3]["key"] == "2026-03-1\\xfe/PM"
    runs = json.loads(result.stdout)["runs"]
    assert [(run["kind"], run["status"]) for run in runs] == [("drain", "partial")]
    creates = [
        r for r in cli.sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/pages")
    ]
    assert len(creates) == 1


def test_reconcile_and_status_report_undecodable_rows_and_keep_them(cli: Cli) -> None:
    """reconcile and status name the rows too; the rows' bytes in SQLite are unchanged."""
    _insert_undecodable(cli)
    cli("--today", TODAY, "drain")

    reconciled = cli("--today", TODAY, "--json", "reconcile")
    status = cli("--today", TODAY, "--json", "status")

    assert reconciled.exit_code == 1, reconciled.output
    assert sorted(_bad_rows(reconciled.stdout)) == [1, 2, 3]
    assert status.exit_code == 0, status.output
    reported = json.loads(status.stdout)["bad_rows"]
    assert sorted(bad["row_id"] for bad in reported) == [1, 2, 3]
    with sqlite3.connect(cli.db) as conn:
        stored = conn.execute(
            "SELECT CAST(date AS BLOB), CAST(rotation AS BLOB), CAST(engineer_email AS BLOB), "
            "typeof(date) FROM oncall_schedule ORDER BY id"
        ).fetchall()
    conn.close()
    assert stored[0][2] == b"ada\xff@example.com"
    assert stored[1][1] == b"AM\xff"
    assert stored[2][0] == b"2026-03-1\xfe"
    assert stored[2][3] == "blob"
    trashes = [
        r
        for r in cli.sandbox.requests()
        if r["method"] == "PATCH" and r["path"].startswith("/v1/pages")
    ]
    assert trashes == []


def test_the_change_log_of_an_undecodable_row_reads_as_text(cli: Cli) -> None:
    """`syncer changes` lists the undecodable change with its bytes escaped, not a crash."""
    _insert_undecodable(cli)

    result = cli("--json", "changes")

    assert result.exit_code == 0, result.output
    assert "ada\\\\xff@example.com" in result.stdout


def test_a_synced_shift_whose_email_turns_undecodable_is_left_alone(cli: Cli) -> None:
    """Its page is neither trashed nor rewritten: the key is blocked until the row is fixed."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 0
    cli.app.execute(
        "UPDATE oncall_schedule SET engineer_email = CAST(? AS TEXT)", b"ada\xff@example.com"
    )
    cli.sandbox.clear_requests()

    drained = cli("--today", TODAY, "--json", "drain")
    reconciled = cli("--today", TODAY, "--json", "reconcile")

    assert (drained.exit_code, reconciled.exit_code) == (1, 1)
    assert list(_bad_rows(reconciled.stdout)) == [1]
    writes = [
        r
        for r in cli.sandbox.requests()
        if r["method"] == "PATCH" or (r["method"], r["path"]) == ("POST", "/v1/pages")
    ]
    assert writes == []
