"""Fixtures for the store suite: migrated SQLite files, a Store on them, and a foreign writer."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syncer.store import Store, upgrade


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty database, copied by tests that need many fresh ones (fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(path)
    return path


@pytest.fixture(scope="session")
def new_db(migrated_template: Path) -> Callable[[Path], Path]:
    """Make a new migrated, empty database file in a directory (a copy of the template)."""

    def make(directory: Path) -> Path:
        path = directory / "oncall.db"
        shutil.copyfile(migrated_template, path)
        return path

    return make


# The upstream app's DDL for the two tables (its migrations 001 and 003): unlike revision 0001's,
# its schedule has a unique (date, rotation) index, which the app's own upsert needs.
APP_DDL = """
CREATE TABLE IF NOT EXISTS oncall_schedule (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS idx_oncall_schedule_engineer_email ON oncall_schedule(engineer_email);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_unique_date_rotation
  ON oncall_schedule(date, rotation);
CREATE TABLE IF NOT EXISTS oncall_schedule_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_engineer_email
  ON oncall_schedule_overrides(engineer_email);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_unique_date_rotation
  ON oncall_schedule_overrides(date, rotation);
"""

# The upstream app's write of a schedule row (src/database/queries.ts, saveSchedule).
APP_UPSERT_CLAUSE = (
    "ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = excluded.engineer_email"
)
APP_UPSERT = (
    "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?) "
    + APP_UPSERT_CLAUSE
)


@pytest.fixture(scope="session")
def app_schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file made by the upstream app's DDL, then migrated (empty; copied by tests)."""
    path = tmp_path_factory.mktemp("app-template") / "template.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(APP_DDL)
    conn.close()
    upgrade(path)
    return path


@pytest.fixture(scope="session")
def new_app_db(app_schema_template: Path) -> Callable[[Path], Path]:
    """Make a new migrated, empty file with the upstream app's DDL in a directory."""

    def make(directory: Path) -> Path:
        path = directory / "app.db"
        shutil.copyfile(app_schema_template, path)
        return path

    return make


@pytest.fixture(scope="session")
def open_app() -> Callable[[Path], sqlite3.Connection]:
    """Open a connection as the upstream app would: stdlib sqlite3, autocommit, WAL."""
    return connect_app


@pytest.fixture
def db_path(new_db: Callable[[Path], Path], tmp_path: Path) -> Path:
    """A migrated, empty database file."""
    return new_db(tmp_path)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A Store on a migrated, empty database."""
    opened = Store.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def app(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection as the upstream app would open one: stdlib sqlite3, autocommit."""
    connection = connect_app(db_path)
    yield connection
    connection.close()


def connect_app(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=10)
    connection.execute("PRAGMA journal_mode = WAL")
    return connection
