"""Alembic, driven programmatically: upgrade, downgrade and the current revision of a file.

Opening a store only checks the file's revision and triggers against :data:`HEAD` and
:data:`CAPTURE_TRIGGERS` with two plain queries; Alembic itself (a tenth of a second to
import) is loaded only to migrate. Tests pin both constants to what the scripts say.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syncer.core.errors import DatabaseNotReady, StoreError
from syncer.store.connection import make_engine, reading, translated, writing
from syncer.store.revision import CAPTURE_REVISION as CAPTURE_REVISION
from syncer.store.revision import CAPTURE_TRIGGERS as CAPTURE_TRIGGERS
from syncer.store.revision import HEAD as HEAD

if TYPE_CHECKING:
    from alembic.config import Config

UPGRADE_HINT = "run `syncer db upgrade`"


def scripts_location() -> Path:
    """Where the migration scripts are: inside the wheel, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_migrations"  # pyproject's force-include puts them here in a wheel
    if bundled.is_dir():
        return bundled
    return package.parent / "migrations"


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(scripts_location()))
    return config


def head() -> str:
    """The newest revision the scripts know (read from them; :data:`HEAD` is the fast copy)."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, "the migration scripts have no head"
    return revision


def upgrade(path: Path | str, revision: str = "head") -> list[str]:
    """Create or upgrade the schema of the file at ``path`` (it is created when missing).

    Returns:
        The change-capture triggers missing once at ``head`` (an app that rebuilds a schedule
        table drops them with it); empty when capture is on.

    Missing triggers are left for the next drain (or run, reconcile, resync, watch cycle): it
    re-creates them inside a recorded run of trigger ``restore`` and reconciles every row,
    and that record is what makes every other environment of the file owe a reconcile too.
    Re-creating them here would leave no such record, and the next drain would find nothing
    pending while Notion still lacked what changed meanwhile.
    """
    from alembic import command

    create_private(path)
    with _migrating(path) as config:
        command.upgrade(config, revision)
        if revision != "head":
            return []
        return missing_triggers(config.attributes["connection"])


def create_private(path: Path | str) -> None:
    """Create ``path`` as an empty file only its owner can read, unless it exists already.

    The file will hold every engineer's email and the audit log; SQLite would create it with
    the umask's mode (often world-readable). Its -wal and -shm files copy the mode. A file
    that exists is the app's: its mode is its owner's choice and is left alone.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
    finally:
        os.close(descriptor)


@functools.cache
def _capture_triggers() -> dict[str, str]:
    """Each change-capture trigger's CREATE statement, as the migration that installs them."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config()).get_revision(CAPTURE_REVISION)
    assert script is not None
    assert script.module is not None
    triggers: dict[str, str] = script.module.TRIGGERS
    return triggers


def missing_triggers(connection: sa.Connection) -> list[str]:
    """The change-capture triggers absent from the database (sorted names)."""
    rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {row[0] for row in rows}
    return sorted(CAPTURE_TRIGGERS - present)


# The columns the triggers copy, in each schedule table (the app may add its own beside them).
CAPTURED_COLUMNS = ("id", "date", "rotation", "engineer_email")
CAPTURED_TABLES = ("oncall_schedule", "oncall_schedule_overrides")


def restore_capture(
    connection: sa.Connection, path: Path | str, *, check_only: bool = False
) -> list[str]:
    """Re-create the change-capture triggers a table rebuild dropped (sorted names; empty when
    none was missing), in the caller's write transaction.

    Raises:
        DatabaseNotReady: a schedule table is missing or lacks a column the triggers copy (a
            trigger on it would fail the app's every write): nothing is created.
    """
    missing = missing_triggers(connection)
    if not missing:
        return []
    for table in CAPTURED_TABLES:
        columns = {row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")}
        absent = [name for name in CAPTURED_COLUMNS if name not in columns]
        if absent:
            state = "is missing" if not columns else f"has no column {', '.join(absent)}"
            raise DatabaseNotReady(
                f"change capture is off in {path} and cannot be restored: table {table} "
                f"{state} (was it rebuilt with another schema?)",
                hint="give the table the app's columns (id, date, rotation, engineer_email) or "
                "wait for the app to finish rebuilding it, then run `syncer drain` again",
            )
    if check_only:
        return missing
    for name in missing:
        connection.exec_driver_sql(_capture_triggers()[name])
    return missing


def downgrade(path: Path | str, revision: str = "base") -> None:
    """Undo migrations down to ``revision``; the schedule tables and their rows always stay."""
    from alembic import command

    with _migrating(path) as config:
        command.downgrade(config, revision)


def current(path: Path | str) -> str | None:
    """The file's revision, or None when syncer's schema was never installed in it."""
    engine = make_engine(path)
    try:
        with reading(engine) as connection:
            return current_revision(connection)
    finally:
        engine.dispose()


def current_revision(connection: sa.Connection) -> str | None:
    """The revision recorded in an open connection's database (Alembic's own table)."""
    tables = sa.inspect(connection).get_table_names()
    if "alembic_version" not in tables:
        return None
    found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if found is None else str(found)


def require_head(
    connection: sa.Connection, path: Path | str, *, require_capture: bool = True
) -> None:
    """Raise StoreError unless the database is at the newest revision (with its triggers)."""
    found = current_revision(connection)
    wanted = HEAD
    if found != wanted:
        state = "has no syncer schema" if found is None else f"is at revision {found}"
        raise DatabaseNotReady(f"database {path} {state}, not {wanted}", hint=UPGRADE_HINT)
    missing = missing_triggers(connection) if require_capture else []
    if missing:
        raise DatabaseNotReady(
            f"change capture is off in {path}: {len(missing)} trigger(s) missing, e.g. "
            f"{missing[0]} (was a schedule table rebuilt?)",
            hint="run `syncer drain` (it restores them and reconciles every row, as each "
            "`syncer watch` cycle does): changes made meanwhile were not captured",
        )


@contextmanager
def _migrating(path: Path | str) -> Iterator[Config]:
    """A config carrying one write transaction (BEGIN IMMEDIATE) for env.py to migrate in."""
    from alembic.util import CommandError as AlembicCommandError

    engine = make_engine(path)
    config = _config()
    try:
        with translated():
            try:
                with writing(engine) as connection:
                    config.attributes["connection"] = connection
                    yield config
            except AlembicCommandError as exc:
                raise StoreError(f"migration failed: {exc}") from exc
    finally:
        engine.dispose()
