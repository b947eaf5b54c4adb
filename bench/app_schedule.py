"""The scheduler app's local side: its SQLite schedule read as its Notion sync reads it.

From kaibyao/oncall-scheduler-public: ``getWorkloadHistory`` and ``getAllOverrides``
(``src/database/queries.ts``), ``getCompleteScheduleData`` and the date rules
(``src/utils/schedule-data.ts``). The app's tables are :data:`APP_TABLES_SQL`, its own DDL
(``migrations/001``, ``003``, ``007``, ``008``), which ``syncer db upgrade`` adopts as they are.
Used by :mod:`bench.app_sync_peer`; imports the standard library only.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

APP_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS oncall_schedule (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_unique_date_rotation
  ON oncall_schedule(date, rotation);
CREATE TABLE IF NOT EXISTS oncall_schedule_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_unique_date_rotation
  ON oncall_schedule_overrides(date, rotation);
CREATE TABLE IF NOT EXISTS users (
  email TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, slack_user_id TEXT,
  notion_person_id TEXT, rotation TEXT NOT NULL, pod TEXT NOT NULL,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  deleted_at DATETIME);
"""
# saveSchedule: the generator upserts each row, it never deletes and inserts again.
UPSERT_SQL = """
INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)
ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = EXCLUDED.engineer_email
"""


@dataclass(frozen=True)
class Entry:
    """One shift as the app compares it: names (or emails when a name is unknown)."""

    date: str
    rotation: str
    original: str
    override: str | None
    final: str


SCHEDULE_SQL = """
SELECT os.date, os.rotation, COALESCE(u.name, os.engineer_email)
FROM oncall_schedule os LEFT JOIN users u ON os.engineer_email = u.email
WHERE os.date >= ? ORDER BY os.date DESC
"""
OVERRIDES_SQL = """
SELECT oso.date, oso.rotation, COALESCE(u.name, oso.engineer_email)
FROM oncall_schedule_overrides oso LEFT JOIN users u ON oso.engineer_email = u.email
"""


def read_schedule(db: Path, today: dt.date, lookback_days: int | None = None) -> list[Entry]:
    """The app's ``getAllScheduleData`` with overrides applied, as of ``today``.

    ``lookback_days`` defaults to the app's rule, 7 days per row of its ``users`` table (the
    query's ``date('now', -N days')`` becomes ``today - N`` so that runs can be pinned).
    """
    conn = sqlite3.connect(db)
    try:
        if lookback_days is None:
            users = conn.execute("SELECT COUNT(DISTINCT email) FROM users").fetchone()[0]
            lookback_days = 7 * users
        since = (today - dt.timedelta(days=lookback_days)).isoformat()
        rows = conn.execute(SCHEDULE_SQL, (since,)).fetchall()
        overrides = {(d, r): name for d, r, name in conn.execute(OVERRIDES_SQL)}
    finally:
        conn.close()
    entries = []
    for date, rotation, name in rows:
        override = overrides.get((date, rotation))
        entries.append(Entry(str(date), rotation, name, override, override or name))
    return entries


def _day(date: str) -> dt.date | None:
    """The app parses dates with luxon's ``yyyy-MM-dd``: a date-time is invalid, never past."""
    try:
        return dt.date.fromisoformat(date) if len(date) == 10 else None
    except ValueError:
        return None


def in_business_week(date: str, today: dt.date) -> bool:
    """``isInCurrentBusinessWeek``: Monday to Friday of today's week (a weekend's too)."""
    day = _day(date)
    monday = today - dt.timedelta(days=today.weekday())
    return day is not None and monday <= day <= monday + dt.timedelta(days=4)


def is_past(date: str, today: dt.date) -> bool:
    """``isPastDate``: before today (so this week's Monday on a Wednesday is past and current)."""
    day = _day(date)
    return day is not None and day < today


def is_current(date: str, today: dt.date) -> bool:
    """``filterOutPastEntries`` keeps it: not past, or in this business week."""
    return not is_past(date, today) or in_business_week(date, today)
