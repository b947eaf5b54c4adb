"""Engines on the schedule file (WAL, busy timeout, foreign keys) and the store's error boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from syncer.core.errors import StoreError

BUSY_TIMEOUT_MS = 10_000
"""How long a statement waits for another process's write lock before failing."""

_BEGIN_OPTION = "syncer_begin"


def make_engine(path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sa.Engine:
    """An engine whose connections use WAL and whose transactions begin IMMEDIATE by default.

    pysqlite's own transaction handling is switched off and SQLAlchemy's ``begin`` event emits
    the BEGIN itself (the recipe in SQLAlchemy's SQLite dialect documentation), so a write
    transaction takes the write lock up front instead of failing half-way with SQLITE_BUSY.
    """
    url = sa.URL.create("sqlite+pysqlite", database=str(path))
    engine = sa.create_engine(url)
    event.listen(engine, "connect", partial(_on_connect, busy_timeout_ms=busy_timeout_ms))
    event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL may have to wait for another process.
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_begin(connection: sa.Connection) -> None:
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read transaction: one consistent snapshot, without taking the write lock."""
    with translated(), engine.connect() as connection:
        connection.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        with connection.begin():
            yield connection


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction begun with BEGIN IMMEDIATE: committed on success, else rolled back."""
    with translated(), engine.connect() as connection, connection.begin():
        yield connection


@contextmanager
def translated() -> Iterator[None]:
    """Turn SQLAlchemy's errors into :class:`StoreError`: the store's one error boundary."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        raise StoreError(f"SQLite: {exc.orig}") from exc
    except sa_exc.SQLAlchemyError as exc:
        raise StoreError(f"SQLite: {exc}") from exc
