"""The `db upgrade`, `db current` and `changes` commands, in process and as a real subprocess."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from syncer.cli import main
from syncer.store import head

EXPECTED = [
    {
        "table": "oncall_schedule",
        "op": "insert",
        "old": None,
        "new": {"date": "2026-03-02", "rotation": "AM", "engineer_email": "a@x"},
    },
    {
        "table": "oncall_schedule_overrides",
        "op": "insert",
        "old": None,
        "new": {"date": "2026-03-02", "rotation": "AM", "engineer_email": "b@x"},
    },
    {
        "table": "oncall_schedule",
        "op": "update",
        "old": {"date": "2026-03-02", "rotation": "AM", "engineer_email": "a@x"},
        "new": {"date": "2026-03-03", "rotation": "PM", "engineer_email": "a@x"},
    },
    {
        "table": "oncall_schedule_overrides",
        "op": "delete",
        "old": {"date": "2026-03-02", "rotation": "AM", "engineer_email": "b@x"},
        "new": None,
    },
]


def write_rows(path: Path) -> None:
    app = sqlite3.connect(path, isolation_level=None)
    app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "VALUES ('2026-03-02', 'AM', 'a@x')"
    )
    app.execute(
        "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) "
        "VALUES ('2026-03-02', 'AM', 'b@x')"
    )
    app.execute("UPDATE oncall_schedule SET date = '2026-03-03', rotation = 'PM'")
    app.execute("DELETE FROM oncall_schedule_overrides")
    app.close()


def without_volatile(found: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in item.items() if k not in ("id", "at")} for item in found]


def test_upgrade_then_changes_json_shows_exactly_the_writes(tmp_path: Path) -> None:
    """db upgrade, rows written with sqlite3, then `--json changes` lists exactly those writes."""
    path = tmp_path / "oncall.db"
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(path), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    write_rows(path)
    result = runner.invoke(main, ["--db", str(path), "--json", "changes"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert without_volatile(found) == EXPECTED
    assert [item["id"] for item in found] == [1, 2, 3, 4]
    assert all(str(item["at"]).endswith("Z") for item in found)
    paged = json.loads(
        runner.invoke(
            main, ["--db", str(path), "--json", "changes", "--since", "2", "--limit", "1"]
        ).output
    )
    assert [item["id"] for item in paged] == [3]


def test_real_subprocess_round_trip(tmp_path: Path) -> None:
    """The installed `syncer` script upgrades a file and prints its changes as JSON."""
    path = tmp_path / "oncall.db"
    syncer = Path(sys.executable).with_name("syncer")
    subprocess.run(
        [str(syncer), "--db", str(path), "db", "upgrade"], check=True, capture_output=True
    )
    write_rows(path)
    done = subprocess.run(
        [str(syncer), "--db", str(path), "--json", "changes"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert without_volatile(json.loads(done.stdout)) == EXPECTED


def test_current_reports_revision(tmp_path: Path) -> None:
    """db current says whether the file has syncer's schema and at which revision."""
    path = tmp_path / "oncall.db"
    runner = CliRunner()
    assert "no syncer schema" in runner.invoke(main, ["--db", str(path), "db", "current"]).output
    runner.invoke(main, ["--db", str(path), "db", "upgrade"])
    result = runner.invoke(main, ["--db", str(path), "--json", "db", "current"])
    assert json.loads(result.output) == {"path": str(path), "revision": head(), "head": head()}


def test_changes_table_and_errors(tmp_path: Path) -> None:
    """Without --json, changes prints a table; on an unmigrated file it fails with a hint."""
    path = tmp_path / "oncall.db"
    runner = CliRunner()
    missing = runner.invoke(main, ["--db", str(path), "changes"])
    assert missing.exit_code != 0
    assert "syncer db upgrade" in missing.output
    runner.invoke(main, ["--db", str(path), "db", "upgrade"])
    assert "no changes" in runner.invoke(main, ["--db", str(path), "changes"]).output
    write_rows(path)
    table = runner.invoke(main, ["--db", str(path), "changes"], env={"COLUMNS": "200"}).output
    assert "oncall_schedule_overrides" in table
    assert "2026-03-03/PM a@x" in table


def test_db_commands_need_a_database() -> None:
    """Without --db or SYNCER_DB the commands exit 2 and say how to give one."""
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"SYNCER_DB": None})
    assert result.exit_code == 2
    assert "--db" in result.output


def test_plain_sqlite3_sees_readable_view(tmp_path: Path) -> None:
    """People reading the file with sqlite3 get words, not codes, from sync_changes_readable."""
    path = tmp_path / "oncall.db"
    CliRunner().invoke(main, ["--db", str(path), "db", "upgrade"])
    write_rows(path)
    with sqlite3.connect(path) as conn:
        ops = [row[0] for row in conn.execute("SELECT op FROM sync_changes_readable ORDER BY id")]
    conn.close()
    assert ops == ["insert", "insert", "update", "delete"]


def test_changes_streams_a_long_log_in_bounded_memory(tmp_path: Path) -> None:
    """100,000 changes print as JSON without the process holding them all (RSS stays small)."""
    path = tmp_path / "oncall.db"
    CliRunner().invoke(main, ["--db", str(path), "db", "upgrade"])
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
            [(f"2020-01-{1 + i % 28:02d}", "AM", f"e{i}@example.com") for i in range(100_000)],
        )
    conn.close()
    syncer = str(Path(sys.executable).with_name("syncer"))
    out = tmp_path / "changes.json"

    # A small parent whose only child is syncer reports that child's peak memory.
    measure = (
        "import resource, subprocess, sys\n"
        "with open(sys.argv[1], 'w') as out:\n"
        "    subprocess.run(sys.argv[2:], stdout=out, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [syncer, "--db", str(path), "--json", "changes"]
    peak = subprocess.run(
        [sys.executable, "-c", measure, str(out), *command], capture_output=True, text=True
    )

    assert peak.returncode == 0, peak.stderr
    assert len(json.loads(out.read_text())) == 100_000
    assert int(peak.stdout) < 150_000  # KiB; holding every change took over 300 MiB
