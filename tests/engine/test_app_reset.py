"""The scheduler app's reset task (DROP TABLE, then its DDL) must not stop syncer: a drain or
the service restores change capture, reconciles and says so once."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import pytest

from syncer.core import EnvName, Key, RunEnd
from syncer.core.errors import (
    DatabaseNotReady,
    PlanRefused,
    RollbackRefused,
    TransientNotionError,
)
from syncer.engine import Engine
from syncer.engine.sync import reconcile_is_due
from syncer.engine.watch import Watcher, WatchSettings
from syncer.store import Store
from syncer.store.migrate import CAPTURE_TRIGGERS
from tests.support.harness import TODAY, window_rows
from tests.support.world import ALICE, BOB, CAROL, World, key, text

TOMORROW = TODAY + dt.timedelta(days=1)


def _alerting(world: World, **options: Any) -> tuple[Engine, list[RunEnd]]:
    ends: list[RunEnd] = []
    return world.context(on_run_end=ends.append, **options), ends


def _emails_in_notion(world: World) -> dict[str, str]:
    return {
        sync_key: text(page, "Orig. Engineer Email") for sync_key, page in world.pages().items()
    }


def _triggers(world: World) -> set[str]:
    with sqlite3.connect(world.db) as conn:
        found = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    conn.close()
    return found


def _synced_then_reset(world: World) -> None:
    """Nine shifts in Notion; then the app resets: the same days with other engineers, one
    shift gone, and a row the app writes after its reset (before any drain)."""
    world.app.regenerate(TODAY, 3, [ALICE, BOB, CAROL])
    world.context().drain()
    rows = window_rows(TODAY, 3, [CAROL, ALICE, BOB])
    world.app.reset([row for row in rows if row[:2] != (TOMORROW.isoformat(), "PM")])
    world.app.reassign(TODAY, "AM", BOB)  # written while capture is off


def test_a_drain_after_the_apps_reset_restores_capture_reconciles_and_alerts_once(
    world: World,
) -> None:
    """After the reset, one drain puts Notion equal to the rebuilt schedule, with one alert."""
    _synced_then_reset(world)
    engine, ends = _alerting(world)

    results = engine.drain()

    assert [r.kind for r in results][:1] == ["reconcile"]
    assert all(r.ok for r in results)
    assert _triggers(world) >= CAPTURE_TRIGGERS
    notion = _emails_in_notion(world)
    assert key(TOMORROW, "PM") not in notion
    assert notion[key(TODAY, "AM")] == BOB
    assert notion[key(TODAY, "Core")] == ALICE
    assert len(notion) == 8
    (end,) = ends
    assert end.notices == (
        "change capture was off (10 trigger(s) missing: a schedule table was rebuilt); "
        "restored; reconciled",
    )
    assert engine.store.last_run(engine.name, "reconcile").trigger == "restore"  # type: ignore[union-attr]


def test_after_the_restore_a_drain_is_incremental_and_changes_are_captured(world: World) -> None:
    """The next drain does not reconcile again, sends nothing, and a new change is drained."""
    _synced_then_reset(world)
    engine, ends = _alerting(world)
    engine.drain()
    ends.clear()

    again = engine.drain()
    world.app.reassign(TODAY, "PM", CAROL)
    third = engine.drain()

    assert [r.kind for r in again] == ["drain"]
    assert again[0].plan.actions == ()
    assert [r.kind for r in third] == ["drain"]
    assert _emails_in_notion(world)[key(TODAY, "PM")] == CAROL
    assert ends == []


def test_status_says_when_capture_was_last_found_off_and_restored(world: World) -> None:
    """Status names the run that restored capture, and the environment is no longer due."""
    _synced_then_reset(world)
    engine = world.context()
    before, _ = engine.status()
    engine.drain()

    schedule, env = engine.status()

    assert before.missing_triggers
    assert before.capture_restored is None
    assert schedule.missing_triggers == ()
    assert schedule.capture_restored is not None
    assert schedule.capture_restored.trigger == "restore"
    assert not env.reconcile_due


def test_changes_pending_before_the_reset_are_not_lost_or_replayed(world: World) -> None:
    """A change captured but not drained before the reset: the reconcile covers it, and the
    pre-reset rows it names (their ids reused since) do not come back."""
    world.app.regenerate(TODAY, 1, [ALICE, BOB, CAROL])
    world.context().drain()
    world.app.reassign(TODAY, "AM", CAROL)  # captured, not drained
    world.app.reset([(TODAY.isoformat(), "AM", BOB)])
    engine = world.context()

    engine.drain()

    assert _emails_in_notion(world) == {key(TODAY, "AM"): BOB}
    assert engine.store.pending_count(engine.name) == 0


def test_the_mass_trash_guard_still_applies_after_a_reset_that_emptied_the_schedule(
    world: World,
) -> None:
    """A reset that leaves the tables empty is refused like any mass trash, at every drain,
    until --force; capture is restored meanwhile."""
    world.app.regenerate(TODAY, 6, [ALICE, BOB, CAROL])  # 12 shifts: over min_trash_to_check
    world.context().drain()
    world.app.reset([])

    with pytest.raises(PlanRefused):
        world.context().drain()
    with pytest.raises(PlanRefused):
        world.context().drain()  # capture is on again, but the reconcile is still owed
    assert _triggers(world) >= CAPTURE_TRIGGERS
    assert len(world.pages()) == 12

    world.context(force=True).drain()
    assert world.pages() == {}


def test_a_table_rebuilt_with_other_columns_is_refused_and_left_alone(world: World) -> None:
    """No trigger is put on a table without the columns it copies; nothing reaches Notion."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    calls = len(world.notion.calls)
    with sqlite3.connect(world.db) as conn:
        conn.executescript(
            "DROP TABLE oncall_schedule; CREATE TABLE oncall_schedule (id INTEGER PRIMARY KEY, "
            "date DATE, rotation TEXT, email TEXT);"
        )
    conn.close()

    with pytest.raises(DatabaseNotReady, match="has no column engineer_email") as refused:
        world.context().drain()

    assert "engineer_email" in (refused.value.hint or "")
    assert not _triggers(world) & {"sync_schedule_after_insert"}
    assert len(world.notion.calls) == calls


def test_a_rollback_of_a_run_from_before_the_reset_refuses_the_rows(world: World) -> None:
    """Row ids start again after the reset: reverting the old run's inserts would delete
    other shifts, so the rollback refuses and the rebuilt rows stay."""
    world.app.regenerate(TODAY, 1, [ALICE, BOB, CAROL])
    first = world.context().drain()[0]
    world.app.reset(window_rows(TOMORROW, 1, [ALICE, BOB, CAROL]))
    world.context().drain()
    assert first.run_id is not None

    with pytest.raises(RollbackRefused, match="since rebuilt"):
        world.context().rollback(first.run_id, cascade=True)

    with sqlite3.connect(world.db) as conn:
        assert conn.execute("SELECT count(*) FROM oncall_schedule").fetchone() == (3,)
    conn.close()


def test_a_rollback_refuses_rows_the_change_log_no_longer_describes(world: World) -> None:
    """Even with the triggers put back by hand (no restore run on record), a row whose id now
    holds another shift is not reverted."""
    world.app.regenerate(TODAY, 1, [ALICE, BOB, CAROL])
    first = world.context().drain()[0]
    world.app.reset(window_rows(TODAY, 1, [CAROL, ALICE, BOB]))
    with Store.open(world.db, require_capture=False) as store:
        assert store.restore_capture()
    assert first.run_id is not None

    with pytest.raises(RollbackRefused, match="is not what the change log says"):
        world.context().rollback(first.run_id, dry_run=True)


def test_the_service_restores_capture_after_the_apps_reset(world: World) -> None:
    """`syncer watch` notices the dropped triggers though nothing is pending, and catches up."""
    _synced_then_reset(world)
    engine, ends = _alerting(world)
    watcher = Watcher(engine, watch=WatchSettings(poll=0.0))
    assert watcher._take_lock()

    watcher._tick()

    assert _triggers(world) >= CAPTURE_TRIGGERS
    assert _emails_in_notion(world)[key(TODAY, "AM")] == BOB
    assert len(ends) == 1
    assert ends[0].notices


def test_a_restore_whose_reconcile_failed_leaves_the_reconcile_owed(world: World) -> None:
    """Capture is back, but the reconcile after it failed (Notion down): the next drain still
    reconciles, so the rows written while capture was off are not forgotten."""
    _synced_then_reset(world)
    for _ in range(10):
        world.notion.fail_next("query_pages", 503)
    with pytest.raises(TransientNotionError):
        world.context().drain()
    assert _triggers(world) >= CAPTURE_TRIGGERS
    world.notion.clear_faults()

    results = world.context().drain()

    assert results[0].kind == "reconcile"
    assert _emails_in_notion(world)[key(TODAY, "AM")] == BOB
    assert key(TOMORROW, "PM") not in world.pages()


def test_a_rollback_of_the_reconcile_owed_after_a_failed_restore_refuses_the_old_rows(
    world: World,
) -> None:
    """Changes logged before the reset, consumed by the reconcile owed after a restore whose
    own reconcile failed: their row ids name other shifts now, so its rollback refuses."""
    world.app.regenerate(TODAY, 1, [ALICE, BOB, CAROL])
    world.context().drain()
    world.app.reassign(TODAY, "AM", CAROL)  # captured, not drained
    world.app.reset(window_rows(TODAY, 1, [BOB, CAROL, ALICE]))
    for _ in range(10):
        world.notion.fail_next("query_pages", 503)
    with pytest.raises(TransientNotionError):
        world.context().drain()
    world.notion.clear_faults()
    owed = world.context().drain()[0]
    assert owed.run_id is not None

    with pytest.raises(RollbackRefused, match="rebuilt"):
        world.context().rollback(owed.run_id, dry_run=True)


def test_another_environment_of_the_file_reconciles_after_the_restore_too(
    world: World,
) -> None:
    """The triggers are the file's, the cursors each environment's: an environment that had
    reconciled before the reset owes a reconcile once another one restored capture."""
    _synced_then_reset(world)
    engine = world.context()
    store, now, other = engine.store, world.clock(), EnvName("other")
    run_id = store.start_run(other, "reconcile", "cli", now)
    store.finish_run(run_id, status="succeeded", now=now, counts={})
    assert not reconcile_is_due(store, engine.settings, other, now)

    engine.drain()

    assert reconcile_is_due(store, engine.settings, other, now)
    assert not reconcile_is_due(store, engine.settings, engine.name, now)


def test_the_drain_preview_after_the_reset_shows_the_reconcile_it_will_run(world: World) -> None:
    """`drain --dry-run` with capture off plans the catch-up reconcile and writes nothing."""
    _synced_then_reset(world)
    writes = {"create_page", "update_page", "move_page"}
    sent = len([call for call in world.notion.calls if call in writes])

    preview = world.context().preview_drain()

    assert preview.kind == "reconcile"
    assert {action.key for action in preview.plan.actions if action.kind == "trash"} == {
        Key(TOMORROW, "PM")
    }
    assert len([call for call in world.notion.calls if call in writes]) == sent
    assert not _triggers(world) & CAPTURE_TRIGGERS  # a preview restores nothing


def test_a_drain_between_the_drop_and_the_re_creation_waits_for_the_table(world: World) -> None:
    """Mid-reset (a table dropped, not yet re-created): refused as not ready, not as damage;
    the service backs off and catches up once the app is done."""
    _synced_then_reset(world)
    world.app.execute("DROP TABLE oncall_schedule")
    engine, ends = _alerting(world)
    watcher = Watcher(engine, watch=WatchSettings(poll=0.0))
    assert watcher._take_lock()

    with pytest.raises(DatabaseNotReady, match="oncall_schedule is missing"):
        world.context().drain()
    watcher._tick()  # backs off instead of stopping
    world.app.reset(window_rows(TODAY, 3, [CAROL, ALICE, BOB]))
    world.clock.advance(dt.timedelta(hours=1))
    watcher._tick()

    assert _emails_in_notion(world)[key(TODAY, "AM")] == CAROL
    assert len(ends) == 1
