"""The quick look that lets an idle drain skip the engine: never idle while there is work."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncer.core import EnvName, LockHolder
from syncer.engine.sync import reconcile_is_due
from syncer.store.quick import nothing_to_do
from tests.support.fake_gateway import FakeGateway
from tests.support.harness import App, schedule_db, settings_for_tests, setup_databases
from tests.support.world import ALICE, BOB, World

SETTINGS = settings_for_tests()
DAY = dt.timedelta(days=1)


def new_world(folder: Path) -> World:
    notion = FakeGateway()
    for name, email in (("Alice", ALICE), ("Bob", BOB)):
        notion.add_person(name, email)
    env = setup_databases(SETTINGS, notion)
    db = schedule_db(folder)
    return World(db, App(db), notion, env)


def idle(world: World) -> bool:
    now = world.clock()
    calendar = SETTINGS.calendar(now.astimezone(SETTINGS.tz).date())
    return nothing_to_do(world.db, world.env.name, calendar, now, SETTINGS.reconcile_every)


def in_sync(world: World) -> World:
    """A world whose first drain (and its reconcile) is done."""
    world.app.schedule(world.clock().date(), "AM", ALICE)
    world.context(today=None).drain()
    return world


@pytest.fixture
def synced(world: World) -> World:
    return in_sync(world)


def test_a_drained_environment_is_idle_and_its_drain_sends_nothing(synced: World) -> None:
    """Idle means what the engine would find: no request, no run."""
    assert idle(synced)
    calls = len(synced.notion.calls)

    results = synced.context(today=None).drain()

    assert [result.run_id for result in results] == [None]
    assert len(synced.notion.calls) == calls


def test_a_change_the_app_wrote_is_work(synced: World) -> None:
    synced.app.reassign(synced.clock().date(), "AM", BOB)
    assert not idle(synced)


def test_a_due_reconcile_is_work(synced: World) -> None:
    synced.clock.advance(SETTINGS.reconcile_every)
    assert not idle(synced)


def test_a_week_that_ended_is_work_its_pages_move(synced: World) -> None:
    """Its pages move to PAST CALENDAR, even with no change and no reconcile due."""
    synced.clock.now = dt.datetime(2026, 3, 15, 23, tzinfo=dt.UTC)  # Sunday night in London
    synced.context(today=None).drain()
    assert idle(synced)

    synced.clock.advance(dt.timedelta(hours=2))  # Monday

    assert not idle(synced)


def test_a_failing_key_is_work(synced: World) -> None:
    synced.app.reassign(synced.clock().date(), "AM", BOB)
    synced.notion.fail_next("update_page", 400, code="validation_error")
    synced.context(today=None).drain()
    assert not idle(synced)


def test_a_bad_row_keeps_the_normal_path_which_reports_it(synced: World) -> None:
    """The row stays bad after the drain that skipped it: every drain says so."""
    synced.app.schedule(synced.clock().date(), "Night", ALICE)
    synced.context(today=None).drain()
    assert not idle(synced)


def test_a_held_lock_keeps_the_normal_path_which_names_the_holder(synced: World) -> None:
    engine = synced.context(today=None)
    holder = LockHolder("elsewhere", 1, "watch")
    engine.store.acquire_lock(EnvName(synced.env.name), holder, synced.clock(), DAY)
    assert not idle(synced)


def test_missing_triggers_keep_the_normal_path_which_restores_or_refuses(synced: World) -> None:
    with sqlite3.connect(synced.db) as db:
        db.execute("DROP TRIGGER sync_schedule_after_update")
    db.close()
    assert not idle(synced)


def test_a_file_that_is_not_a_schedule_file_is_not_idle(tmp_path: Path) -> None:
    """An unreadable file never looks like an idle one."""
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    calendar = SETTINGS.calendar(dt.date(2026, 3, 11))
    now = dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC)

    assert not nothing_to_do(junk, EnvName("prod"), calendar, now, SETTINGS.reconcile_every)
    assert not nothing_to_do(tmp_path / "absent.db", EnvName("prod"), calendar, now, DAY)
    assert not (tmp_path / "absent.db").exists()


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(-10, 20), st.sampled_from(["AM", "PM"])),
        st.tuples(st.just("delete"), st.integers(-10, 20), st.sampled_from(["AM", "PM"])),
        st.tuples(st.just("bad row"), st.integers(0, 5), st.just("Night")),
        st.tuples(st.just("wait hours"), st.integers(1, 80), st.just("")),
        st.tuples(st.just("failing drain"), st.integers(0, 0), st.just("")),
        st.tuples(st.just("drain"), st.integers(0, 0), st.just("")),
    ),
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(steps=STEPS)
def test_whenever_the_quick_look_says_idle_the_engine_finds_nothing_to_do(
    steps: list[tuple[str, int, str]],
) -> None:
    """Whatever happened before, an idle verdict is never wrong: the drain the quick look
    replaces would have sent no request and recorded no run."""
    with tempfile.TemporaryDirectory() as folder:
        world = in_sync(new_world(Path(folder)))
        for step, days, rotation in [*steps, ("drain", 0, "")]:
            day = world.clock().date() + days * DAY
            if step == "write":
                world.app.schedule(day, rotation, BOB)
            elif step == "delete":
                world.app.delete(day, rotation)
            elif step == "bad row":
                world.app.schedule(day, rotation, ALICE)
            elif step == "wait hours":
                world.clock.advance(dt.timedelta(hours=days))
            else:
                verdict, calls = idle(world), len(world.notion.calls)
                if step == "failing drain":
                    world.notion.fail_next("create_page", 503)
                results = world.context(today=None).drain()
                if verdict:
                    assert [r.run_id for r in results] == [None]
                    assert len(world.notion.calls) == calls
        for engine in world.contexts:
            engine.store.close()


def test_a_restore_of_change_capture_by_another_environment_owes_this_one_a_reconcile(
    synced: World,
) -> None:
    """The triggers are the file's: once any environment found them gone and put them back,
    every other one reconciles at its next drain, as the engine says."""
    engine = synced.context(today=None)
    now = synced.clock()
    run_id = engine.store.start_run(EnvName("other"), "reconcile", "restore", now)
    engine.store.finish_run(run_id, status="succeeded", now=now, counts={})

    assert reconcile_is_due(engine.store, SETTINGS, EnvName(synced.env.name), now)
    assert not idle(synced)
