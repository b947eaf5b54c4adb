"""What change capture costs the app: its writes with and without syncer's triggers.

Run: ``.venv/bin/python -m bench.trigger_overhead [--repeat N] [--dir PATH]``.
Both databases get the full migrated schema; the baseline then drops the triggers, so the
triggers are the only difference. The writer is stdlib ``sqlite3`` in WAL mode, as a foreign app
would be. Each figure is the median of N runs, in milliseconds, commit included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from syncer.store import upgrade

ROTATIONS = ("AM", "Core", "PM")
TODAY = dt.date(2026, 3, 2)
Row = tuple[str, str, str]


def make_db(directory: Path, name: str, *, triggers: bool) -> sqlite3.Connection:
    path = directory / f"{name}.db"
    upgrade(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    if not triggers:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (trigger,) in names:
            conn.execute(f"DROP TRIGGER {trigger}")
    return conn


def bulk_rows(count: int) -> list[Row]:
    start = dt.date(2020, 1, 1)
    return [
        ((start + dt.timedelta(days=i // 3)).isoformat(), ROTATIONS[i % 3], f"eng{i % 40}@ex.com")
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


def insert_many(conn: sqlite3.Connection, rows: list[Row], table: str = "oncall_schedule") -> None:
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO {table} (date, rotation, engineer_email) VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")


def insert_select(conn: sqlite3.Connection, count: int) -> None:
    """The same bulk insert as one INSERT ... SELECT: no per-row Python cost to hide behind."""
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


def regenerate(conn: sqlite3.Connection, salt: int) -> None:
    """The daily job: replace the 14-day window in one transaction (delete 30, insert 30)."""
    end = TODAY + dt.timedelta(days=14)
    conn.execute("BEGIN")
    conn.execute(
        "DELETE FROM oncall_schedule WHERE date >= ? AND date < ?",
        (TODAY.isoformat(), end.isoformat()),
    )
    conn.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
        window_rows(TODAY, salt),
    )
    conn.execute("COMMIT")


def reset(conn: sqlite3.Connection, history: list[Row]) -> None:
    """Untimed: empty the tables and the log, then load ``history``."""
    conn.execute("DELETE FROM oncall_schedule")
    conn.execute("DELETE FROM oncall_schedule_overrides")
    conn.execute("DELETE FROM sync_changes")
    if history:
        insert_many(conn, history)


Action = Callable[[sqlite3.Connection, int], None]


def measure(conn: sqlite3.Connection, action: Action, history: list[Row], repeat: int) -> float:
    """Median milliseconds of ``action`` over ``repeat`` runs, each from the same start state."""
    times = []
    for attempt in range(repeat):
        reset(conn, history)
        start = time.perf_counter()
        action(conn, attempt)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def scenarios(count: int) -> dict[str, tuple[Action, list[Row]]]:
    rows = bulk_rows(count)
    # One year of history behind the window, so the DELETE has rows to skip.
    history = bulk_rows(3 * 365) + window_rows(TODAY, 0)
    return {
        f"bulk insert {count:,} rows (executemany)": (lambda c, _: insert_many(c, rows), []),
        f"bulk insert {count:,} rows (INSERT ... SELECT)": (
            lambda c, _: insert_select(c, count),
            [],
        ),
        f"bulk insert {count:,} overrides (executemany)": (
            lambda c, _: insert_many(c, rows, "oncall_schedule_overrides"),
            [],
        ),
        "regenerate 14-day window (delete 30 + insert 30)": (regenerate, history),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per figure (median)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the bulk insert")
    parser.add_argument("--dir", type=Path, help="where the databases go (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        plain = make_db(Path(directory), "plain", triggers=False)
        captured = make_db(Path(directory), "captured", triggers=True)
        print(f"sqlite {sqlite3.sqlite_version}, median of {args.repeat} runs, milliseconds")
        print(f"{'scenario':52} {'no triggers':>12} {'triggers':>10} {'ratio':>6}")
        for name, (action, history) in scenarios(args.rows).items():
            base = measure(plain, action, history, args.repeat)
            with_triggers = measure(captured, action, history, args.repeat)
            print(f"{name:52} {base:12.2f} {with_triggers:10.2f} {with_triggers / base:5.2f}x")
        plain.close()
        captured.close()


if __name__ == "__main__":
    main()
