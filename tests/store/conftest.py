"""Fixtures for the store suite: migrated SQLite files, a Store on them, and a foreign writer."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.store import Store, upgrade

UPSTREAM_DDL = """
CREATE TABLE oncall_schedule (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
    rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
CREATE TABLE oncall_schedule_overrides (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
    rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
CREATE UNIQUE INDEX idx_overrides_date_rotation ON oncall_schedule_overrides (date, rotation);
"""


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty database, copied by tests that need many fresh ones (fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(path)
    return path


def fresh_copy(template: Path, directory: Path) -> Path:
    """A new migrated database file in ``directory``."""
    path = directory / "oncall.db"
    shutil.copyfile(template, path)
    return path


@pytest.fixture
def db_path(migrated_template: Path, tmp_path: Path) -> Path:
    """A migrated, empty database file."""
    return fresh_copy(migrated_template, tmp_path)


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
