"""Property tests: random writes by a foreign sqlite3 client, interleaved with consume steps.

Invariants: every key whose rows changed since the last consume is among the dirty keys, and
replaying the change log from empty tables reproduces both tables exactly, row by row.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncer.core import Change, EnvName, RawKey
from syncer.store import Store
from tests.store.conftest import APP_UPSERT_CLAUSE

TABLES = {"schedule": "oncall_schedule", "override": "oncall_schedule_overrides"}
# Small domains so that writes collide; "1" is stored as an integer by the DATE column.
DATES = st.sampled_from(["2026-03-02", "2026-03-03", "1"])
ROTATIONS = st.sampled_from(["AM", "PM"])
EMAILS = st.sampled_from(["a@x", "A@x", "", " ", "b@x", None])  # None: the DDL rejects it
IDS = st.integers(min_value=1, max_value=5)
TABLE = st.sampled_from(sorted(TABLES.values()))

Row = tuple[str, str, str | None]  # (date, rotation, email) as text
State = dict[tuple[str, int], Row]  # (table, id) -> row

PROD = EnvName("prod")


@dataclass(frozen=True)
class Write:
    sql: str
    params: tuple[object, ...]


@dataclass(frozen=True)
class Txn:
    writes: tuple[Write, ...]
    commit: bool


@dataclass(frozen=True)
class Consume:
    pass


def _insert(verb: str, table: str, row_id: int | None, values: Row, suffix: str = "") -> Write:
    if row_id is None:
        sql = f"{verb} INTO {table} (date, rotation, engineer_email) VALUES (?, ?, ?) {suffix}"
        return Write(sql, values)
    sql = f"{verb} INTO {table} (id, date, rotation, engineer_email) VALUES (?, ?, ?, ?) {suffix}"
    return Write(sql, (row_id, *values))


ROW = st.tuples(DATES, ROTATIONS, EMAILS)
OPTIONAL_ID = st.one_of(st.none(), IDS)
INSERTS = st.builds(
    _insert,
    st.sampled_from(
        ["INSERT", "INSERT OR REPLACE", "REPLACE", "INSERT OR IGNORE", "INSERT OR FAIL"]
    ),
    TABLE,
    OPTIONAL_ID,
    ROW,
)
OVERRIDE_UPSERTS = st.builds(
    _insert,
    st.just("INSERT"),
    st.just(TABLES["override"]),
    OPTIONAL_ID,
    ROW,
    st.sampled_from(
        [
            "ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = excluded.engineer_email",
            "ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = 'a@x'",
            "ON CONFLICT (date, rotation) DO NOTHING",
            "ON CONFLICT DO NOTHING",
        ]
    ),
)
ID_UPSERTS = st.builds(
    _insert,
    st.just("INSERT"),
    TABLE,
    IDS,
    ROW,
    st.just(
        "ON CONFLICT (id) DO UPDATE SET date = excluded.date, rotation = excluded.rotation, "
        "engineer_email = excluded.engineer_email"
    ),
)
MULTI_ROW = st.builds(
    lambda verb, table, a, b: Write(
        f"{verb} INTO {table} (date, rotation, engineer_email) VALUES (?, ?, ?), (?, ?, ?)",
        (*a, *b),
    ),
    st.sampled_from(["INSERT OR REPLACE", "INSERT OR FAIL", "INSERT OR IGNORE"]),
    TABLE,
    ROW,
    ROW,
)
UPDATES = st.one_of(
    st.builds(
        lambda verb, table, column, value, row_id: Write(
            f"{verb} {table} SET {column} = ? WHERE id = ?", (value, row_id)
        ),
        st.sampled_from(["UPDATE", "UPDATE OR REPLACE", "UPDATE OR IGNORE"]),
        TABLE,
        st.sampled_from(["date", "rotation", "engineer_email"]),
        st.one_of(DATES, ROTATIONS, EMAILS),
        IDS,
    ),
    st.builds(
        lambda table, date, email: Write(
            f"UPDATE {table} SET engineer_email = ? WHERE date = ?", (email, date)
        ),
        TABLE,
        DATES,
        EMAILS,
    ),
    st.builds(
        lambda verb, table, new_id, old_id: Write(
            f"{verb} {table} SET id = ? WHERE id = ?", (new_id, old_id)
        ),
        st.sampled_from(["UPDATE OR REPLACE", "UPDATE"]),
        TABLE,
        IDS,
        IDS,
    ),
)
DELETES = st.one_of(
    st.builds(
        lambda table, row_id: Write(f"DELETE FROM {table} WHERE id = ?", (row_id,)), TABLE, IDS
    ),
    st.builds(
        lambda table, date: Write(f"DELETE FROM {table} WHERE date = ?", (date,)), TABLE, DATES
    ),
)
WRITES = st.one_of(INSERTS, OVERRIDE_UPSERTS, ID_UPSERTS, MULTI_ROW, UPDATES, DELETES)
STEPS = st.lists(
    st.one_of(
        WRITES,
        WRITES,
        WRITES,
        st.builds(Txn, st.lists(WRITES, min_size=1, max_size=4).map(tuple), st.booleans()),
        st.just(Consume()),
    ),
    min_size=5,
    max_size=40,
)


def snapshot(app: sqlite3.Connection) -> State:
    state: State = {}
    for name, table in TABLES.items():
        query = (
            "SELECT id, CAST(date AS TEXT), CAST(rotation AS TEXT), CAST(engineer_email AS TEXT) "
            f"FROM {table}"
        )
        for row_id, date, rotation, email in app.execute(query):
            state[(name, row_id)] = (date, rotation, email)
    return state


def by_key(state: State) -> dict[RawKey, set[tuple[str, int, str | None]]]:
    keys: dict[RawKey, set[tuple[str, int, str | None]]] = {}
    for (table, row_id), (date, rotation, email) in state.items():
        keys.setdefault(RawKey(date, rotation), set()).add((table, row_id, email))
    return keys


def changed_keys(before: State, after: State) -> set[RawKey]:
    old, new = by_key(before), by_key(after)
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def run_write(app: sqlite3.Connection, write: Write) -> None:
    # A write may fail on the DDL's constraints, exactly as it would without syncer.
    with contextlib.suppress(sqlite3.IntegrityError):
        app.execute(write.sql, write.params)


def run_txn(app: sqlite3.Connection, txn: Txn) -> None:
    app.execute("BEGIN")
    for write in txn.writes:
        run_write(app, write)
    app.execute("COMMIT" if txn.commit else "ROLLBACK")


def replay(changes: list[Change], ids: list[tuple[str, int | None, int | None]]) -> State:
    """Apply the changes' images in order, checking each old image against the replayed state."""
    state: State = {}
    for change, (table, old_id, new_id) in zip(changes, ids, strict=True):
        assert table == change.table
        if change.old is not None:
            assert old_id is not None
            old = (change.old.key.date, change.old.key.rotation, change.old.engineer_email)
            assert state.pop((table, old_id)) == old, f"stale old image in {change}"
        if change.new is not None:
            assert new_id is not None
            assert (table, new_id) not in state, f"insert over a live row in {change}"
            state[(table, new_id)] = (
                change.new.key.date,
                change.new.key.rotation,
                change.new.engineer_email,
            )
    return state


def row_ids(
    app: sqlite3.Connection, changes: list[Change]
) -> list[tuple[str, int | None, int | None]]:
    """The row ids behind each change (the Change type carries images only)."""
    result: list[tuple[str, int | None, int | None]] = []
    for change in changes:
        old_id, new_id = app.execute(
            "SELECT old_id, new_id FROM sync_changes WHERE id = ?", (change.change_id,)
        ).fetchone()
        result.append((change.table, old_id, None if change.op == "delete" else new_id))
    return result


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(steps=STEPS, recursive=st.booleans())
def test_dirty_keys_cover_changes_and_log_replays_to_tables(
    new_db: Callable[[Path], Path],
    open_app: Callable[[Path], sqlite3.Connection],
    steps: list[object],
    recursive: bool,
) -> None:
    """Dirty keys cover every changed key, and the log replays to both tables exactly."""
    with tempfile.TemporaryDirectory() as directory:
        path = new_db(Path(directory))
        app = open_app(path)
        if recursive:  # a writer that fires delete triggers on REPLACE must not be double-counted
            app.execute("PRAGMA recursive_triggers = ON")
        store = Store.open(path)
        try:
            consumed = snapshot(app)
            for step in [*steps, Consume()]:
                if isinstance(step, Write):
                    run_write(app, step)
                elif isinstance(step, Txn):
                    run_txn(app, step)
                else:
                    now = snapshot(app)
                    last, dirty = store.pending(PROD)
                    assert changed_keys(consumed, now) <= dirty
                    store.advance_cursor(PROD, last)
                    consumed = now
            changes = store.changes()
            assert [c.change_id for c in changes] == sorted({c.change_id for c in changes})
            assert replay(changes, row_ids(app, changes)) == snapshot(app)
            assert store.pending(PROD)[1] == frozenset()
        finally:
            store.close()
            app.close()


# -- the same on the upstream app's own DDL, with the app's upsert --------------------------------
# There the schedule has a unique (date, rotation) index, which the app's upsert needs. A REPLACE
# on that table can then remove a row by its key, which the triggers do not see (a known gap,
# pinned by an xfail in test_capture.py), so REPLACE on the schedule is left out here.

SCHEDULE_UPSERTS = st.builds(
    _insert,
    st.just("INSERT"),
    st.just(TABLES["schedule"]),
    OPTIONAL_ID,
    ROW,
    st.sampled_from(
        [
            APP_UPSERT_CLAUSE,
            "ON CONFLICT (date, rotation) DO UPDATE SET engineer_email = 'a@x'",
            "ON CONFLICT (date, rotation) DO NOTHING",
        ]
    ),
)


def _not_a_schedule_replace(write: Write) -> bool:
    return "REPLACE" not in write.sql or re.search(r"\boncall_schedule\b", write.sql) is None


APP_WRITES = st.one_of(WRITES.filter(_not_a_schedule_replace), SCHEDULE_UPSERTS)
APP_STEPS = st.lists(
    st.one_of(
        APP_WRITES,
        APP_WRITES,
        APP_WRITES,
        st.builds(Txn, st.lists(APP_WRITES, min_size=1, max_size=4).map(tuple), st.booleans()),
        st.just(Consume()),
    ),
    min_size=5,
    max_size=40,
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(steps=APP_STEPS, recursive=st.booleans())
def test_on_the_apps_ddl_dirty_keys_cover_changes_and_log_replays_to_tables(
    new_app_db: Callable[[Path], Path],
    open_app: Callable[[Path], sqlite3.Connection],
    steps: list[object],
    recursive: bool,
) -> None:
    """On the app's DDL, its upsert included, dirty keys cover all changes and the log replays."""
    with tempfile.TemporaryDirectory() as directory:
        path = new_app_db(Path(directory))
        app = open_app(path)
        if recursive:
            app.execute("PRAGMA recursive_triggers = ON")
        store = Store.open(path)
        try:
            consumed = snapshot(app)
            for step in [*steps, Consume()]:
                if isinstance(step, Write):
                    run_write(app, step)
                elif isinstance(step, Txn):
                    run_txn(app, step)
                else:
                    now = snapshot(app)
                    last, dirty = store.pending(EnvName("prod"))
                    assert changed_keys(consumed, now) <= dirty
                    store.advance_cursor(EnvName("prod"), last)
                    consumed = now
            changes = store.changes()
            assert replay(changes, row_ids(app, changes)) == snapshot(app)
        finally:
            store.close()
            app.close()
