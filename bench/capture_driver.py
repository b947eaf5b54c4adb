"""The app's writes that ``bench.trigger_overhead`` measures, and a driver that runs one of them.

Standard library only: ``bench.trigger_overhead`` runs this file under valgrind as
``python -S bench/capture_driver.py DB SCENARIO PHASE`` (no site-packages, so the process does
nothing but open the file, prepare the scenario's starting state and, in the ``run`` phase,
write). The instructions of a write are those of ``run`` minus those of ``setup``: the
interpreter's start-up, the imports and the preparation cancel out. The wall-clock
measurement imports the same scenarios, so both methods time the same statements.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ROTATIONS = ("AM", "Core", "PM")
TODAY = dt.date(2026, 3, 2)
Row = tuple[str, str, str]
Schema = Literal["syncer", "app"]

INSERT = "INSERT INTO {table} (date, rotation, engineer_email) VALUES (?, ?, ?)"
# The upstream app's own write of a schedule (src/database/queries.ts, saveSchedule).
APP_UPSERT = (
    "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?) "
    "ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = excluded.engineer_email"
)


@dataclass(frozen=True)
class Scenario:
    """One write of the app's, from a starting state that ``setup`` prepares (untimed)."""

    schema: Schema  # the tables it runs on: syncer's 0001 DDL, or the upstream app's own
    setup: Callable[[sqlite3.Connection], None]
    work: Callable[[sqlite3.Connection], None]


def bulk_rows(count: int, salt: int = 0) -> list[Row]:
    """``count`` shifts from 2020-01-01 on, three a day; ``salt`` changes every engineer."""
    start = dt.date(2020, 1, 1)
    return [
        (
            (start + dt.timedelta(days=i // 3)).isoformat(),
            ROTATIONS[i % 3],
            f"eng{(i + salt) % 40}@ex.com",
        )
        for i in range(count)
    ]


def window_rows(today: dt.date, salt: int) -> list[Row]:
    """A 14-day lookahead of weekday shifts: 10 weekdays x 3 rotations = 30 rows."""
    days = [today + dt.timedelta(days=i) for i in range(14)]
    weekdays = [day for day in days if day.weekday() < 5]
    return [
        (day.isoformat(), rotation, f"eng{(n + salt) % 7}@ex.com")
        for n, (day, rotation) in enumerate((d, r) for d in weekdays for r in ROTATIONS)
    ]


def in_transaction(conn: sqlite3.Connection, sql: str, rows: list[Row]) -> None:
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")


def insert_select(conn: sqlite3.Connection, count: int) -> None:
    """The bulk insert as one INSERT ... SELECT: no per-row Python cost to hide behind."""
    conn.execute("BEGIN")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "SELECT date('2020-01-01', '+' || (i / 3) || ' days'), "
        "CASE i % 3 WHEN 0 THEN 'AM' WHEN 1 THEN 'Core' ELSE 'PM' END, "
        "'eng' || (i % 40) || '@ex.com' FROM n",
        (count - 1,),
    )
    conn.execute("COMMIT")


def regenerate(conn: sqlite3.Connection) -> None:
    """The daily job: replace the 14-day window in one transaction (delete 30, insert 30)."""
    end = TODAY + dt.timedelta(days=14)
    conn.execute("BEGIN")
    conn.execute(
        "DELETE FROM oncall_schedule WHERE date >= ? AND date < ?",
        (TODAY.isoformat(), end.isoformat()),
    )
    conn.executemany(INSERT.format(table="oncall_schedule"), window_rows(TODAY, 1))
    conn.execute("COMMIT")


def load(rows: list[Row]) -> Callable[[sqlite3.Connection], None]:
    """A setup that writes ``rows`` to the schedule, then empties the change log."""

    def setup(conn: sqlite3.Connection) -> None:
        if rows:
            in_transaction(conn, INSERT.format(table="oncall_schedule"), rows)
        conn.execute("DELETE FROM sync_changes")

    return setup


def scenarios(count: int) -> dict[str, Scenario]:
    """Every measured write, by the name its figures carry."""
    rows = bulk_rows(count)
    upserts = bulk_rows(count, salt=7)  # the first half of the keys exist, with other engineers
    history = bulk_rows(3 * 365) + window_rows(TODAY, 0)
    schedule, overrides = (
        INSERT.format(table="oncall_schedule"),
        INSERT.format(table="oncall_schedule_overrides"),
    )
    return {
        f"bulk insert {count:,} rows (executemany)": Scenario(
            "syncer", load([]), lambda c: in_transaction(c, schedule, rows)
        ),
        f"app upsert {count:,} rows ({count // 2:,} updates, {count - count // 2:,} inserts)": (
            Scenario(
                "app", load(rows[: count // 2]), lambda c: in_transaction(c, APP_UPSERT, upserts)
            )
        ),
        f"bulk insert {count:,} rows (INSERT ... SELECT)": Scenario(
            "syncer", load([]), lambda c: insert_select(c, count)
        ),
        f"bulk insert {count:,} overrides (executemany)": Scenario(
            "syncer", load([]), lambda c: in_transaction(c, overrides, rows)
        ),
        "regenerate 14-day window (delete 30 + insert 30)": Scenario(
            "syncer", load(history), regenerate
        ),
    }


def connect(path: str) -> sqlite3.Connection:
    """The app's connection: stdlib sqlite3, autocommit, WAL, default ``synchronous``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def prepare(conn: sqlite3.Connection, scenario: Scenario) -> None:
    """The scenario's starting state, with an empty WAL so no checkpoint lands in the write."""
    scenario.setup(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def main(argv: list[str]) -> None:
    path, name, phase, count = argv[1], argv[2], argv[3], int(argv[4])
    conn = connect(path)
    scenario = scenarios(count)[name]
    prepare(conn, scenario)
    if phase == "run":
        scenario.work(conn)
    # Leave without closing: closing checkpoints the WAL, which is not the write's own cost.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
