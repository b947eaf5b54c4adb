"""Alembic migrations: a fresh file, an adopted upstream file, and the round trip with data."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from syncer.core import EnvName
from syncer.core.errors import DatabaseNotReady, StoreError
from syncer.store import Store, current, downgrade, head, migrate, schema, upgrade

UPSTREAM_DDL = """
CREATE TABLE oncall_schedule (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
    rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
CREATE TABLE oncall_schedule_overrides (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
    rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
CREATE UNIQUE INDEX idx_overrides_date_rotation ON oncall_schedule_overrides (date, rotation);
"""

ROWS = [("2026-03-02", "AM", "a@x"), ("2026-03-02", "Core", "b@x"), ("2026-03-03", "PM", "c@x")]


def upstream_file(path: Path) -> Path:
    """A file as the upstream app makes it: its DDL and some rows, no syncer schema."""
    with sqlite3.connect(path) as conn:
        conn.executescript(UPSTREAM_DDL)
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", ROWS
        )
        conn.execute(
            "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) "
            "VALUES ('2026-03-02', 'AM', 'z@x')"
        )
    conn.close()
    return path


def dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT 's', * FROM oncall_schedule").fetchall()
        rows += conn.execute("SELECT 'o', * FROM oncall_schedule_overrides").fetchall()
    conn.close()
    return rows


def schema_objects(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    conn.close()
    return set(rows)


def trigger_sql(path: Path) -> dict[str, str]:
    """Each trigger in the file, with the CREATE statement SQLite keeps for it."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    conn.close()
    return dict(rows)


def revision_triggers(revision: str) -> dict[str, str]:
    """The CREATE statements of a revision's ``TRIGGERS``, as SQLite keeps them (trimmed)."""
    config = Config()
    config.set_main_option("script_location", str(migrate.scripts_location()))
    script = ScriptDirectory.from_config(config).get_revision(revision)
    assert script is not None
    assert script.module is not None
    return {name: sql.strip() for name, sql in script.module.TRIGGERS.items()}


def change_log(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM sync_changes ORDER BY id").fetchall()
    conn.close()
    return rows


def app_writes(path: Path, *statements: str) -> None:
    """Run statements as the upstream app would: stdlib sqlite3, autocommit."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


# Four log rows on an upstream_file(): an insert, an update, then a conflict and an insert.
SOME_WRITES = (
    "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
    "VALUES ('2026-03-04', 'AM', 'd@x')",
    "UPDATE oncall_schedule SET engineer_email = 'e@x' WHERE rotation = 'Core'",
    "INSERT OR REPLACE INTO oncall_schedule_overrides (date, rotation, engineer_email) "
    "VALUES ('2026-03-02', 'AM', 'y@x')",
)


def test_fresh_file_gets_every_table_and_trigger(tmp_path: Path) -> None:
    """Upgrading a new file creates the schedule tables, syncer's tables and the triggers."""
    path = tmp_path / "new.db"
    upgrade(path)
    objects = schema_objects(path)
    assert current(path) == head()
    for table in ("oncall_schedule", "oncall_schedule_overrides", "sync_changes", "sync_pages"):
        assert ("table", table) in objects
    assert sum(kind == "trigger" for kind, _ in objects) == 10
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_upstream_file_is_adopted_with_rows_intact(tmp_path: Path) -> None:
    """An existing upstream file keeps its rows and index; its writes are captured from then on."""
    path = upstream_file(tmp_path / "upstream.db")
    before = dump(path)
    upgrade(path)
    assert dump(path) == before
    assert ("index", "oncall_schedule_overrides_date_rotation") not in schema_objects(path)
    app = sqlite3.connect(path, isolation_level=None)
    # The adopted row's old image is captured when a REPLACE removes it.
    app.execute(
        "INSERT OR REPLACE INTO oncall_schedule_overrides (date, rotation, engineer_email) "
        "VALUES ('2026-03-02', 'AM', 'y@x')"
    )
    app.close()
    with Store.open(path) as store:
        assert [(c.op, c.old and c.old.engineer_email) for c in store.changes()] == [
            ("delete", "z@x"),
            ("insert", None),
        ]


def test_round_trip_with_data_leaves_schedule_rows_untouched(tmp_path: Path) -> None:
    """upgrade head -> downgrade base -> upgrade head keeps every schedule row."""
    path = upstream_file(tmp_path / "roundtrip.db")
    before = dump(path)
    upgrade(path)
    downgrade(path, "base")
    assert current(path) is None
    assert not any(name.startswith("sync_") for _, name in schema_objects(path))
    assert dump(path) == before
    upgrade(path)
    assert current(path) == head()
    assert dump(path) == before


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    """A second upgrade of an up-to-date file changes nothing."""
    path = tmp_path / "twice.db"
    upgrade(path)
    objects = schema_objects(path)
    upgrade(path)
    assert schema_objects(path) == objects


def test_duplicate_overrides_refuse_the_upgrade(tmp_path: Path) -> None:
    """A file whose overrides break the one-per-key rule is refused with a clear message."""
    path = tmp_path / "dup.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE oncall_schedule_overrides (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "date DATE NOT NULL, rotation TEXT NOT NULL, engineer_email TEXT NOT NULL)"
        )
        conn.executemany(
            "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) "
            "VALUES (?, ?, ?)",
            [("2026-03-02", "AM", "a@x"), ("2026-03-02", "AM", "b@x")],
        )
    conn.close()
    with pytest.raises(StoreError, match="two rows for 2026-03-02/AM"):
        upgrade(path)


def test_open_refuses_an_unmigrated_file(tmp_path: Path) -> None:
    """Store.open on a file without syncer's schema says to run `syncer db upgrade` (exit 2)."""
    path = upstream_file(tmp_path / "plain.db")
    with pytest.raises(DatabaseNotReady) as unmigrated:
        Store.open(path)
    with pytest.raises(DatabaseNotReady) as missing:
        Store.open(tmp_path / "missing.db")
    for refused in (unmigrated.value, missing.value):
        assert isinstance(refused, StoreError)
        assert "syncer db upgrade" in (refused.hint or "")


def test_open_refuses_an_older_revision(tmp_path: Path) -> None:
    """Store.open on a file at an older revision names it and says to upgrade."""
    path = tmp_path / "old.db"
    upgrade(path)
    downgrade(path, "0002")
    with pytest.raises(StoreError, match="revision 0002"):
        Store.open(path)


def test_a_rebuilt_schedule_table_is_caught_and_db_upgrade_leaves_the_restore_to_a_drain(
    tmp_path: Path,
) -> None:
    """An app migration that recreates a table drops syncer's triggers: syncer refuses to
    run blind, and `db upgrade` names them but does not put them back, since only a drain's
    recorded restore makes every environment reconcile what was not captured."""
    path = tmp_path / "oncall.db"
    upgrade(path)
    with sqlite3.connect(path) as conn:  # what an ORM's "rebuild table" migration does
        conn.executescript(
            """
            CREATE TABLE schedule_new (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
                rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
            INSERT INTO schedule_new SELECT * FROM oncall_schedule;
            DROP TABLE oncall_schedule;
            ALTER TABLE schedule_new RENAME TO oncall_schedule;
            """
        )
    conn.close()

    with pytest.raises(DatabaseNotReady, match="change capture is off"):
        Store.open(path)
    missing = upgrade(path)

    assert len(missing) == 5
    assert all(name.startswith("sync_schedule_") for name in missing)
    with pytest.raises(DatabaseNotReady, match="change capture is off") as refused:
        Store.open(path)
    assert "syncer drain" in (refused.value.hint or "")


def test_the_query_schema_equals_what_the_migrations_build(tmp_path: Path) -> None:
    """syncer's SQLAlchemy tables match `alembic upgrade head`: columns, types, keys, indexes."""
    path = tmp_path / "head.db"
    upgrade(path)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, schema.metadata)
    finally:
        engine.dispose()
    # The upstream app's tables are not syncer's to describe (an adopted file keeps its own DDL);
    # they are compared by column names below.
    owned = [d for d in differences if not _about_upstream(d)]
    assert owned == []


def test_the_schedule_tables_have_the_columns_syncer_reads(tmp_path: Path) -> None:
    """The upstream tables the store queries have exactly the columns of `schema.upstream`."""
    path = tmp_path / "head.db"
    upgrade(path)
    with sqlite3.connect(path) as conn:
        for table in schema.upstream.tables.values():
            found = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")]
            assert found == [column.name for column in table.columns]
    conn.close()


def _about_upstream(difference: Any) -> bool:
    upstream = set(schema.upstream.tables)
    items: list[Any] = difference if isinstance(difference, list) else [difference]
    for item in items:
        for part in item:
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if name in upstream or getattr(table, "name", None) in upstream or part in upstream:
                return True
    return False


def test_the_fast_revision_check_knows_the_scripts_head_and_triggers() -> None:
    """Opening a store checks against constants; they must be what the migration scripts say."""
    assert head() == migrate.HEAD
    assert set(migrate._capture_triggers()) == migrate.CAPTURE_TRIGGERS


def test_installed_triggers_are_the_capture_revisions_statements(tmp_path: Path) -> None:
    """A new file's triggers are exactly the CREATE statements of CAPTURE_REVISION's TRIGGERS."""
    path = tmp_path / "new.db"
    upgrade(path)
    assert trigger_sql(path) == revision_triggers(migrate.CAPTURE_REVISION)


def test_upgrade_from_0006_swaps_the_triggers_and_keeps_rows_and_pending_changes(
    tmp_path: Path,
) -> None:
    """From 0006, upgrading installs 0007's triggers; rows and unconsumed changes keep their ids."""
    path = upstream_file(tmp_path / "oncall.db")
    upgrade(path, "0006")
    assert trigger_sql(path) == revision_triggers("0003")
    app_writes(path, *SOME_WRITES, "INSERT INTO sync_cursors (env, change_id) VALUES ('prod', 1)")
    rows, log = dump(path), change_log(path)

    upgrade(path)

    assert trigger_sql(path) == revision_triggers("0007")
    assert (dump(path), change_log(path)) == (rows, log)
    app_writes(path, "DELETE FROM oncall_schedule WHERE rotation = 'PM'")
    with Store.open(path) as store:
        assert (
            store.pending_count(EnvName("prod")) == 3
        )  # changes 2 and 4 from before, 5 from after
        assert [(c.change_id, c.op) for c in store.changes(since=4)] == [(5, "delete")]


def test_downgrade_to_0006_puts_back_the_0003_triggers(tmp_path: Path) -> None:
    """Downgrading to 0006 restores 0003's triggers, keeps the log, and capture goes on."""
    path = upstream_file(tmp_path / "oncall.db")
    upgrade(path)
    app_writes(path, *SOME_WRITES)
    log = change_log(path)

    downgrade(path, "0006")

    assert trigger_sql(path) == revision_triggers("0003")
    assert change_log(path) == log
    app_writes(path, "DELETE FROM oncall_schedule WHERE rotation = 'PM'")
    new_rows = change_log(path)[len(log) :]
    assert [(row[0], row[3]) for row in new_rows] == [(len(log) + 1, 3)]  # (id, op): a delete
    upgrade(path)
    assert trigger_sql(path) == revision_triggers("0007")


def test_a_trigger_dropped_before_0007_is_reported_by_db_upgrade_and_left_to_a_drain(
    tmp_path: Path,
) -> None:
    """0007 does not re-create a trigger an app's table rebuild dropped, nor does `db upgrade`,
    which names it: the next drain restores it in a recorded run and reconciles."""
    path = tmp_path / "oncall.db"
    upgrade(path, "0006")
    with sqlite3.connect(path) as conn:  # an app's "rebuild table" migration drops its triggers
        conn.executescript(
            """
            CREATE TABLE schedule_new (id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL,
                rotation TEXT NOT NULL, engineer_email TEXT NOT NULL);
            DROP TABLE oncall_schedule;
            ALTER TABLE schedule_new RENAME TO oncall_schedule;
            """
        )
    conn.close()

    missing = upgrade(path)

    assert missing == sorted(name for name in migrate.CAPTURE_TRIGGERS if "_schedule_" in name)
    expected = revision_triggers("0007")
    assert trigger_sql(path) == {name: expected[name] for name in expected if name not in missing}
    with Store.open(path, require_capture=False) as store:
        assert store.restore_capture() == missing
    assert trigger_sql(path) == expected
