"""The store's own state: cursors, mapping, runs, audit actions, failing keys, people, lock."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from syncer.core import (
    ActionRecord,
    EnvName,
    Key,
    Lease,
    LockHolder,
    MappingRecord,
    PageImage,
    Person,
    RawKey,
    RunId,
)
from syncer.core.commit import Commit
from syncer.core.errors import LockHeld, StoreError
from syncer.core.ids import page_id
from syncer.store import Store
from syncer.store.audit import ActionFilter

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PROD, NON_PROD = EnvName("prod"), EnvName("non-prod")
KEY = Key(dt.date(2026, 3, 2), "AM")


def mapping(key: Key = KEY, page: str = "page-1") -> MappingRecord:
    return MappingRecord(key=key, database="calendar", page_id=page_id(page), content_digest="d1")


def action(run_id: int, **overrides: object) -> ActionRecord:
    values: dict[str, object] = {
        "run_id": run_id,
        "env": PROD,
        "key": KEY,
        "action": "create",
        "status": "applied",
        "at": NOW,
        "page_id": page_id("page-1"),
        "database": "calendar",
        "after": PageImage("calendar"),
        "attempts": 1,
        "request_ids": ("r1",),
    }
    values.update(overrides)
    return ActionRecord(**values)  # type: ignore[arg-type]


def test_cursor_advances_per_env_and_never_back(store: Store, app: sqlite3.Connection) -> None:
    """Cursors are per environment and advance_cursor never moves one backwards."""
    app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "VALUES ('2026-03-02', 'AM', 'a@x')"
    )
    last, keys = store.pending(PROD)
    assert (last, keys) == (1, frozenset({RawKey("2026-03-02", "AM")}))
    store.advance_cursor(PROD, last)
    store.advance_cursor(PROD, 0)
    assert store.cursor(PROD) == 1
    assert store.pending(PROD) == (1, frozenset())
    assert store.pending_count(NON_PROD) == 1


def test_truncated_log_is_reported(store: Store, app: sqlite3.Connection) -> None:
    """A change log emptied behind a cursor is an error, not a silent 'nothing pending'."""
    app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "VALUES ('2026-03-02', 'AM', 'a@x')"
    )
    store.advance_cursor(PROD, 1)
    app.execute("DELETE FROM sync_changes")
    with pytest.raises(StoreError, match="reconcile"):
        store.pending(PROD)


def test_compaction_keeps_unconsumed_and_newest(store: Store, app: sqlite3.Connection) -> None:
    """Compaction deletes only consumed, old-enough changes, and never the newest one."""
    for day in (2, 3, 4):
        app.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
            f"VALUES ('2026-03-0{day}', 'AM', 'a@x')"
        )
    store.advance_cursor(PROD, 3)
    store.advance_cursor(NON_PROD, 2)
    future = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
    assert store.prune(older_than=future).changes == 2
    store.advance_cursor(NON_PROD, 3)
    assert store.prune(older_than=future).changes == 0  # id 3 is the newest: it stays
    app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "VALUES ('2026-03-05', 'AM', 'a@x')"
    )
    assert [c.change_id for c in store.changes()] == [3, 4]


def test_rows_on_reads_both_tables_for_many_dates(store: Store, app: sqlite3.Connection) -> None:
    """rows_on returns exactly the rows of both tables dated one of the given dates."""
    rows = [
        (f"2026-{m:02d}-{d:02d}", r, "a@x")
        for m in (1, 2, 3)
        for d in range(1, 29)
        for r in ("AM", "PM")
    ]
    app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )
    app.execute(
        "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) "
        "VALUES ('2026-01-01', 'AM', 'o@x')"
    )
    few = store.rows_on([RawKey("2026-01-01", "AM")])
    assert sorted((r.table, r.key.rotation, r.engineer_email) for r in few) == [
        ("override", "AM", "o@x"),
        ("schedule", "AM", "a@x"),
        ("schedule", "PM", "a@x"),
    ]
    many = {d for d, _, _ in rows if d < "2026-03-01"}
    assert {r.key.date for r in store.rows_on([RawKey(d, "x") for d in many])} == many
    assert len(store.all_rows()) == len(rows) + 1


def test_mappings_by_key_and_replace(store: Store) -> None:
    """replace_mappings sets an env's whole mapping; mappings() reads all or some keys."""
    other = Key(dt.date(2026, 3, 3), "PM")
    store.replace_mappings(PROD, [mapping(), mapping(other, "page-2")], NOW)
    store.replace_mappings(NON_PROD, [mapping(page="np")], NOW)
    assert store.mappings(PROD, [other]) == {other: mapping(other, "page-2")}
    assert set(store.mappings(PROD)) == {KEY, other}
    many = [Key(dt.date(2026, 1, 1) + dt.timedelta(days=i), "AM") for i in range(900)]
    assert store.mappings(PROD, [*many, KEY]) == {KEY: mapping()}
    store.replace_mappings(PROD, [], NOW)
    assert store.mappings(PROD) == {}
    assert store.mappings(NON_PROD) == {KEY: mapping(page="np")}


def test_runs_round_trip(store: Store) -> None:
    """start_run/finish_run record a run; last_run finds the newest, optionally by status."""
    first = store.start_run(PROD, "drain", "cli", NOW)
    store.finish_run(
        first,
        status="succeeded",
        now=NOW,
        counts={"create": 2},
        first_change_id=1,
        last_change_id=5,
    )
    second = store.start_run(PROD, "drain", "cli", NOW)
    record = store.run(first)
    assert record is not None
    assert (record.status, record.counts, record.last_change_id, record.finished_at) == (
        "succeeded",
        {"create": 2},
        5,
        NOW,
    )
    latest = store.last_run(PROD, "drain")
    assert latest is not None
    assert (latest.run_id, latest.status) == (second, "running")
    done = store.last_run(PROD, "drain", status="succeeded")
    assert done is not None
    assert done.run_id == first
    assert store.last_run(PROD, "reconcile") is None
    assert store.run(RunId(999)) is None


def test_commit_writes_audit_and_mapping_together(store: Store) -> None:
    """commit stores the audit row and the mapping change in one transaction."""
    run_id = store.start_run(PROD, "drain", "cli", NOW)
    store.commit(Commit(action(run_id), upsert=mapping()))
    assert [e.record for e in store.find_actions(ActionFilter(run_id=run_id))] == [action(run_id)]
    assert store.mappings(PROD) == {KEY: mapping()}
    store.commit(Commit(action(run_id, action="trash"), forget=KEY))
    assert store.mappings(PROD) == {}


def test_commit_is_atomic(store: Store) -> None:
    """When the audit row cannot be written, the mapping and failing keys stay as they were."""
    with pytest.raises(StoreError):  # no such run: the foreign key fails
        store.commit(Commit(action(run_id=404), upsert=mapping(), mark_failing=True))
    assert store.mappings(PROD) == {}
    assert store.failing_keys(PROD) == []


def test_an_action_announced_ahead_is_in_doubt_until_its_outcome_replaces_it(
    store: Store,
) -> None:
    """begin_action leaves one 'unknown' row and the key failing (what a killed run leaves);
    the outcome replaces that row, and clears the failing mark only if the announce made it."""
    run_id = store.start_run(PROD, "drain", "cli", NOW)
    intent = store.begin_action(action(run_id, status="unknown", page_id=None, after=None))
    assert [e.record.status for e in store.find_actions(ActionFilter(run_id=run_id))] == ["unknown"]
    assert [f.key for f in store.failing_keys(PROD)] == [KEY]

    store.commit(Commit(action(run_id), upsert=mapping()), intent)
    assert [e.record for e in store.find_actions(ActionFilter(run_id=run_id))] == [action(run_id)]
    assert store.failing_keys(PROD) == []

    store.commit(Commit(action(run_id, status="failed", error="timeout"), mark_failing=True))
    again = store.begin_action(action(run_id, status="unknown"))
    store.commit(Commit(action(run_id)), again)
    assert [f.last_error for f in store.failing_keys(PROD)] == ["timeout"]  # failing before


def test_failing_keys_count_attempts(store: Store) -> None:
    """A failed commit counts attempts and keeps the first failure time; clear_failing forgets."""
    later = NOW + dt.timedelta(hours=1)
    key = Key(dt.date(2026, 3, 2), "AM")
    run_id = store.start_run(PROD, "drain", "cli", NOW)
    for error, at in (("timeout", NOW), ("429", later)):
        failed = action(run_id, key=key, status="failed", error=error, at=at)
        store.commit(Commit(failed, mark_failing=True))
    (failing,) = store.failing_keys(PROD)
    assert (failing.attempts, failing.last_error, failing.since) == (2, "429", NOW)
    assert failing.key == key
    store.clear_failing(PROD, [key])
    assert store.failing_keys(PROD) == []


def test_people_cache_replaced_with_fetch_time(store: Store) -> None:
    """replace_people stores people by lower-cased email, with when they were fetched."""
    assert store.people(PROD) == ({}, None)
    store.replace_people(PROD, [Person("u1", "Ann", "ann@x")], NOW)
    assert store.people(PROD) == ({"ann@x": Person("u1", "Ann", "ann@x")}, NOW)
    store.replace_people(PROD, [], NOW)
    assert store.people(PROD) == ({}, NOW)


def test_second_acquirer_gets_lock_held_naming_holder(store: Store) -> None:
    """A live lease makes another acquirer fail with LockHeld naming the holder and expiry."""
    store.acquire_lock(PROD, LockHolder.parse("host-a:1"), NOW, dt.timedelta(minutes=10))
    with pytest.raises(LockHeld, match="host-a:1") as raised:
        store.acquire_lock(
            PROD,
            LockHolder.parse("host-b:2"),
            NOW + dt.timedelta(minutes=1),
            dt.timedelta(minutes=10),
        )
    assert str(raised.value.holder) == "host-a:1"
    assert "09:10" in raised.value.message
    store.acquire_lock(
        NON_PROD, LockHolder.parse("host-b:2"), NOW, dt.timedelta(minutes=10)
    )  # per env


def test_expired_lease_can_be_taken_over(store: Store) -> None:
    """After its expiry a lease is free: lock_holder says None and another holder takes it."""
    store.acquire_lock(PROD, LockHolder.parse("crashed"), NOW, dt.timedelta(minutes=10))
    later = NOW + dt.timedelta(minutes=11)
    assert store.lease(PROD, later) is None
    store.acquire_lock(PROD, LockHolder.parse("next"), later, dt.timedelta(minutes=10))
    assert store.lease(PROD, later) == Lease(
        LockHolder.parse("next"), later + dt.timedelta(minutes=10)
    )
    with pytest.raises(LockHeld):
        store.refresh_lock(PROD, LockHolder.parse("crashed"), later, dt.timedelta(minutes=10))


def test_refresh_and_release(store: Store) -> None:
    """The holder can extend its lease and release it; releasing someone else's is a no-op."""
    ttl = dt.timedelta(minutes=10)
    store.acquire_lock(PROD, LockHolder.parse("me"), NOW, ttl)
    store.refresh_lock(PROD, LockHolder.parse("me"), NOW + dt.timedelta(minutes=9), ttl)
    assert store.lease(PROD, NOW + dt.timedelta(minutes=15)) == Lease(
        LockHolder.parse("me"), NOW + dt.timedelta(minutes=19)
    )
    store.release_lock(PROD, LockHolder.parse("other"))
    assert store.lease(PROD, NOW) is not None
    store.release_lock(PROD, LockHolder.parse("me"))
    assert store.lease(PROD, NOW) is None


def test_naive_datetimes_are_refused(store: Store) -> None:
    """The store only takes timezone-aware times."""
    with pytest.raises(ValueError, match="timezone-aware"):
        store.start_run(PROD, "drain", "cli", dt.datetime(2026, 3, 2))


def test_undoing_the_delete_of_an_undecodable_row_restores_its_exact_bytes(
    store: Store, app: sqlite3.Connection
) -> None:
    """A rollback puts back a row that is not UTF-8 as it was: same bytes, same type."""
    app.execute(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
        "VALUES ('2026-03-11', 'AM', CAST(? AS TEXT))",
        (b"ada\xff@example.com",),
    )
    app.execute("DELETE FROM oncall_schedule")
    deleted = store.last_change_id()

    store.undo_changes(deleted, deleted)

    row = app.execute(
        "SELECT CAST(engineer_email AS BLOB), typeof(engineer_email) FROM oncall_schedule"
    ).fetchone()
    assert row == (b"ada\xff@example.com", "text")
    assert [c.new.engineer_email for c in store.changes(since=deleted) if c.new] == [
        "ada\\xff@example.com"
    ]


def test_what_the_store_writes_about_a_huge_error_is_clipped(store: Store) -> None:
    """A 10 MB error reaches the run, the audit row and the failing key as 1,000 characters."""
    huge = "e" * 10_000_000
    run_id = store.start_run(PROD, "drain", "cli", NOW)
    store.commit(Commit(action(run_id, status="failed", error=huge), mark_failing=True))
    store.finish_run(run_id, status="partial", now=NOW, counts={}, error=huge)

    record = store.run(run_id)
    [entry] = store.find_actions(ActionFilter(env=PROD))
    [failing] = store.failing_keys(PROD)
    texts = [record.error if record else None, entry.record.error, failing.last_error]
    assert all(len(text or "") <= 1_000 for text in texts)
    assert all((text or "").endswith("(10,000,000 characters)") for text in texts)
