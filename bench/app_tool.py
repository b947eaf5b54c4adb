"""The scheduler app's own sync as a benchmark tool: its SQLite file, its two databases, its run.

The tool keeps the schedule in a SQLite file with the app's own tables (:mod:`bench.app_schedule`)
and a ``users`` table naming the engineers as the sandbox's users are named, creates CALENDAR and
PAST CALENDAR the 2022-06-28 way with the app's properties, and runs :class:`AppSync` on them,
with its 350 ms pauses (none when ``paced`` is false, as csv2notion-neo's throttle is lifted).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from bench.app_schedule import APP_TABLES_SQL, UPSERT_SQL, read_schedule
from bench.app_sync_peer import PAUSE_S, AppSync, LegacyNotion, create_database
from bench.harness import NAMES, SETUP_TOKEN, TODAY, Layout, Placement, Row, Tool
from syncer.sandbox.server import RunningSandbox

# The app reads rows back 7 days per user of its users table. With the benchmarks' 8 engineers
# that is 56 days, and every run would archive the PAST pages older than that; a lookback of
# 53 users' worth (371 days) lets it hold the year of history the scenarios ask of every tool.
LOOKBACK_DAYS = 7 * 53


def app_file(path: Path) -> Path:
    """A fresh SQLite file with the app's tables and the engineers in its ``users`` table."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(APP_TABLES_SQL)
        conn.executemany(
            "INSERT INTO users (email, name, rotation, pod) VALUES (?, ?, ?, 'bench')",
            [(email, name, ("AM", "PM")[i % 2]) for i, (email, name) in enumerate(NAMES.items())],
        )
    conn.close()
    return path


def upsert(path: Path, rows: list[Row]) -> None:
    """Rows written as the app's generator writes them (``saveSchedule``)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(UPSERT_SQL, rows)
    conn.close()


def app_databases(sandbox: RunningSandbox, prefix: str) -> tuple[str, str]:
    """(CALENDAR, PAST CALENDAR) ids, made with the setup token (the app never makes them)."""
    setup = LegacyNotion(SETUP_TOKEN, sandbox.url)
    try:
        current = create_database(setup, sandbox.root_page_id, f"{prefix}CALENDAR")
        past = create_database(setup, sandbox.root_page_id, f"{prefix}PAST CALENDAR")
    finally:
        setup.close()
    return current, past


class App(Tool):
    """The app's sync, on its own file and databases, with ``today`` pinned for reproducibility."""

    name = "app-sync"
    layout = Layout(key=None, email="Final Engineer", names={n: e for e, n in NAMES.items()})

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        super().__init__(sandbox, tmp, env, paced=paced)
        self.current, self.past = app_databases(sandbox, f"{self.env} ")
        self.database_ids = {self.current, self.past}
        self.db = app_file(tmp / f"{self.env}.db")
        self.today = TODAY
        self.notion = LegacyNotion(self.token, sandbox.url)
        pause = (lambda: time.sleep(PAUSE_S)) if paced else (lambda: None)
        self.peer = AppSync(self.notion, self.current, self.past, pause=pause)

    def write(self, rows: list[Row]) -> None:
        super().write(rows)
        upsert(self.db, rows)

    def regenerate(self, rows: list[Row]) -> None:
        super().regenerate(rows)
        upsert(self.db, rows)

    def change(self, rows: list[Row]) -> None:
        super().change(rows)
        upsert(self.db, rows)

    def turn_week(self) -> None:
        self.today += dt.timedelta(days=7)

    def run(self, mode: str) -> str:
        # The app has one kind of run: a drain and a reconcile are the same to it.
        stats = self.peer.run(read_schedule(self.db, self.today, LOOKBACK_DAYS), self.today)
        return (
            f"{stats.created} created, {stats.updated} updated, {stats.archived} archived, "
            f"{stats.moved} moved, {stats.errors} failed"
        )

    def placement(self) -> Placement:
        return Placement(self.past, self.today - dt.timedelta(days=self.today.weekday()))

    def close(self) -> None:
        self.notion.close()
