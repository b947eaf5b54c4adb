"""The scheduler app's SQLite file before syncer arrives: its own DDL (``migrations/001`` and
``003`` of the app) and its rows, written with plain sqlite3 as the app writes them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path

APP_DDL = """
CREATE TABLE IF NOT EXISTS oncall_schedule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  date DATE NOT NULL,
  rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_oncall_schedule_engineer_email ON oncall_schedule(engineer_email);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_unique_date_rotation
  ON oncall_schedule(date, rotation);
CREATE TABLE IF NOT EXISTS oncall_schedule_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  date DATE NOT NULL,
  rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_unique_date_rotation
  ON oncall_schedule_overrides(date, rotation);
"""

Shift = tuple[dt.date, str, str]  # date, rotation, engineer email


def app_file(path: Path, schedule: Iterable[Shift]) -> Path:
    """The app's file at ``path`` holding ``schedule`` (no syncer table yet)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(APP_DDL)
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
            [(day.isoformat(), rotation, email) for day, rotation, email in schedule],
        )
    conn.close()
    return path
