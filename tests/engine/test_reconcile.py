"""reconcile, resync and plan against an in-memory Notion: drift, duplicates, orphans, reads."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from syncer.core import PageId
from syncer.core.errors import PlanRefused, TransientNotionError
from tests.support.harness import ENV, TODAY, settings_for_tests
from tests.support.world import ALICE, BOB, World, key, text


def synced(world: World) -> None:
    """A schedule of two shifts, drained into Notion."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    world.context().drain()


def test_a_hand_edit_in_notion_is_reverted(world: World) -> None:
    """Notion is a mirror: an edited page is rewritten from the schedule."""
    synced(world)
    page = world.pages()[key(TODAY, "AM")]
    page["properties"]["Final Engineer Email"]["rich_text"][0]["plain_text"] = "mallory@x.io"

    result = world.context().reconcile()

    assert result.outcome.by_kind == {"update": 1}
    assert text(world.pages()[key(TODAY, "AM")], "Final Engineer Email") == ALICE


def test_duplicates_are_trashed_keeping_the_mapped_page(world: World) -> None:
    """A copied page (same Sync Key) is trashed; the page syncer created stays."""
    synced(world)
    original = world.pages()[key(TODAY, "AM")]
    copy_id = "copy-of-am"
    world.notion.pages[copy_id] = {**copy.deepcopy(original), "id": copy_id}

    world.context().reconcile()

    assert world.pages()[key(TODAY, "AM")]["id"] == original["id"]
    assert world.notion.pages[copy_id]["in_trash"] is True


def test_an_orphan_page_with_a_sync_key_is_trashed_and_foreign_pages_are_left(
    world: World,
) -> None:
    """A page for a key with no rows is trashed; a page without a Sync Key is not ours."""
    synced(world)
    am = world.pages()[key(TODAY, "AM")]
    orphan = copy.deepcopy(am)
    orphan["id"] = "orphan"
    orphan["properties"]["Sync Key"]["rich_text"][0]["plain_text"] = f"{TODAY}/Core"
    foreign = copy.deepcopy(am)
    foreign["id"] = "foreign"
    foreign["properties"]["Sync Key"]["rich_text"] = []
    world.notion.pages.update({"orphan": orphan, "foreign": foreign})

    world.context().reconcile()

    assert world.notion.pages["orphan"]["in_trash"] is True
    assert world.notion.pages["foreign"]["in_trash"] is False


def test_a_page_trashed_by_hand_is_restored_with_its_id(world: World) -> None:
    """Restoring keeps page ids, comments and links: no new page is created."""
    synced(world)
    am = world.pages()[key(TODAY, "AM")]
    am["in_trash"] = True

    world.context().reconcile()

    assert world.pages()[key(TODAY, "AM")]["id"] == am["id"]


def test_a_failed_read_stops_the_reconcile_before_any_deletion(world: World) -> None:
    """If any page of the Notion read fails, nothing is planned, nothing trashed."""
    synced(world)
    world.app.delete(TODAY, "AM")
    for _ in range(10):
        world.notion.fail_next("query_pages", 503)

    with pytest.raises(TransientNotionError):
        world.context().reconcile()

    assert key(TODAY, "AM") in world.pages()
    assert "update_page" not in world.notion.calls


def test_an_empty_database_while_pages_are_mapped_is_refused(world: World) -> None:
    """A database that suddenly looks empty is a wrong id or a lost share, not a deletion."""
    world.app.regenerate(TODAY, 14, [ALICE, BOB])
    world.context().drain()
    for page in world.notion.pages.values():
        page["in_trash"] = True

    with pytest.raises(PlanRefused, match="empty"):
        world.context().reconcile()


def test_resync_rebuilds_a_lost_mapping_without_duplicates(world: World) -> None:
    """After syncer's tables are lost, pages are adopted by Sync Key, not created again."""
    synced(world)
    before = {k: page["id"] for k, page in world.pages().items()}
    world.context().store.replace_mappings(ENV, [], world.clock())

    result = world.context().resync()

    assert result.outcome.by_kind == {"adopt": 2}
    assert {k: page["id"] for k, page in world.pages().items()} == before


def test_plan_shows_drift_without_changing_anything(world: World) -> None:
    """plan is reconcile stopped before its first write."""
    synced(world)
    world.app.reassign(TODAY, "AM", BOB)
    calls_before = len(world.notion.calls)

    the_plan = world.context().plan().plan

    assert [a.kind for a in the_plan.actions] == ["update"]
    writes = [c for c in world.notion.calls[calls_before:] if c in ("update_page", "create_page")]
    assert writes == []


def test_reconcile_after_a_week_moves_pages_to_the_past(world: World) -> None:
    """Pages left in CALENDAR after their week are moved by reconcile too."""
    synced(world)

    world.context(today=TODAY + dt.timedelta(days=7)).reconcile()

    assert world.pages("calendar") == {}
    assert set(world.pages("past")) == {key(TODAY, "AM"), key(TODAY, "PM")}


def test_a_validation_error_fails_one_action_and_the_rest_go_on(world: World) -> None:
    """A permanent error is not retried; other keys are still written."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    world.notion.fail_next("create_page", 400)

    result = world.context().reconcile()

    assert result.status == "partial"
    assert result.outcome.applied == 1
    assert world.sleeps == []


def test_a_resync_whose_read_fails_keeps_the_mapping(world: World) -> None:
    """A failed resync changes nothing, so the next drain does not create duplicates."""
    synced(world)
    for _ in range(10):
        world.notion.fail_next("query_pages", 503)

    with pytest.raises(TransientNotionError):
        world.context().resync()
    world.notion.clear_faults()
    world.app.reassign(TODAY, "AM", BOB)
    world.context().drain()

    assert text(world.pages()[key(TODAY, "AM")], "Final Engineer Email") == BOB


def _history_page_trashed_by_hand_after_a_late_edit(world: World) -> tuple[dt.date, str]:
    """A PAST CALENDAR page (Alice), its row then given to Bob (too late: the week is history),
    then trashed by hand. Returns the day the week is over on, and the page's id."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    later = TODAY + dt.timedelta(days=7)
    world.context(today=later).drain()
    page_id = PageId(world.pages("past")[key(TODAY, "AM")]["id"])
    world.app.reassign(TODAY, "AM", BOB)
    world.notion.update_page(page_id, in_trash=True)
    return later, page_id


def test_a_restore_of_a_history_page_that_timed_out_does_not_open_it_to_later_edits(
    world: World,
) -> None:
    """The restore of a hand-trashed PAST CALENDAR page lands, but every answer is lost; the
    drain that then looks the key up keeps what the page held when its week ended."""
    later, page_id = _history_page_trashed_by_hand_after_a_late_edit(world)
    for _ in range(len(settings_for_tests().retry_waits) + 1):
        world.notion.fail_next("update_page", None, code="timeout", apply=True)

    assert not world.context(today=later).reconcile().ok  # the restore "failed"
    assert all(result.ok for result in world.context(today=later).drain())

    page = world.pages("past")[key(TODAY, "AM")]
    assert page["id"] == page_id
    assert text(page, "Final Engineer Email") == ALICE


def test_restoring_a_hand_trashed_past_page_brings_back_what_syncer_wrote(world: World) -> None:
    """A local edit made after the week ended (skipped by drains) does not reach history."""
    later, page_id = _history_page_trashed_by_hand_after_a_late_edit(world)

    result = world.context(today=later).reconcile()

    assert result.ok
    page = world.pages("past")[key(TODAY, "AM")]
    assert page["id"] == page_id
    assert text(page, "Final Engineer Email") == ALICE
    assert [a.kind for a in world.context(today=later).plan().plan.actions] == ["skip"]
