"""History is protected from later schedule edits, not from repair: copies in PAST CALENDAR
are trashed, and a history page written while people could not be looked up gets them."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from syncer.core import PageId
from tests.support.fake_gateway import ALL_CAPABILITIES
from tests.support.harness import TODAY
from tests.support.world import ALICE, BOB, World, key, people, text

LATER = TODAY + dt.timedelta(days=7)  # TODAY's week is history by then


def history(world: World) -> dict[str, str]:
    """Two shifts of TODAY's week, drained, then filed in PAST CALENDAR by a drain a week on."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    world.context().drain()
    world.context(today=LATER).drain()
    return {name: page["id"] for name, page in world.pages("past").items()}


def test_a_hand_made_copy_of_a_history_page_is_trashed(world: World) -> None:
    """A person's duplicate (same Sync Key) in PAST CALENDAR goes to the trash; the page syncer
    keeps there stays."""
    ids = history(world)
    original = world.notion.pages[ids[key(TODAY, "AM")]]
    world.notion.pages["copy"] = {**copy.deepcopy(original), "id": "copy"}

    result = world.context(today=LATER).reconcile()

    assert result.outcome.by_kind == {"trash": 1}
    assert world.notion.pages["copy"]["in_trash"] is True
    assert world.pages("past")[key(TODAY, "AM")]["id"] == ids[key(TODAY, "AM")]


def test_a_copy_left_behind_by_a_rollback_is_trashed(world: World) -> None:
    """A shift a rollback removed (its page trashed, its rows gone) whose hand-made copy is
    still live in PAST CALENDAR: the copy is trashed too, not adopted as history."""
    world.app.schedule(TODAY, "Core", ALICE)
    (run,) = [done for done in world.context().drain() if done.run_id is not None]
    page_id = world.pages()[key(TODAY, "Core")]["id"]
    world.notion.pages["copy"] = {**copy.deepcopy(world.notion.pages[page_id]), "id": "copy"}
    world.context().rollback(run.run_id)  # type: ignore[arg-type]
    world.context(today=LATER).drain()  # the copy's week ends: it is filed as history...
    world.notion.move_page(
        PageId("copy"), world.notion.data_source_id(world.env.past_calendar_database_id)
    )

    world.context(today=LATER).reconcile()

    assert world.notion.pages["copy"]["in_trash"] is True
    assert world.pages("past") == {}


def test_a_history_page_written_without_people_gets_them_once_they_can_be_looked_up(
    world: World,
) -> None:
    """A first sync whose users.list was refused wrote history as email text; once people
    can be looked up, the reconcile completes those pages (same engineers, now as people)."""
    world.notion.capabilities = ALL_CAPABILITIES - {"read_users"}
    world.app.schedule(TODAY - dt.timedelta(days=7), "AM", ALICE)  # last week: history
    world.context().drain()
    (page,) = world.pages("past").values()
    assert people(page, "Final Engineer") == []
    world.notion.capabilities = ALL_CAPABILITIES

    result = world.context().reconcile()

    assert result.outcome.by_kind == {"update": 1}
    (page,) = world.pages("past").values()
    assert people(page, "Final Engineer") != []
    assert text(page, "Final Engineer Email") == ALICE


def test_history_still_never_takes_a_later_schedule_change(world: World) -> None:
    """Completing people is not a change of assignment: a row reassigned after its week ended
    stays as it was in PAST CALENDAR, people or not."""
    ids = history(world)
    world.app.reassign(TODAY, "AM", BOB)

    result = world.context(today=LATER).reconcile()

    assert result.outcome.by_kind == {}
    page = world.notion.pages[ids[key(TODAY, "AM")]]
    assert text(page, "Final Engineer Email") == ALICE


@pytest.mark.parametrize("run", ["reconcile", "resync"])
def test_history_whose_rows_were_deleted_stays(world: World, run: str) -> None:
    """syncer's own history page outlives its rows (the app may drop old rows): neither a
    reconcile nor a resync, which rebuilds the mapping from Notion, trashes it."""
    ids = history(world)
    world.app.delete(TODAY, "AM")

    getattr(world.context(today=LATER), run)()

    assert world.pages("past")[key(TODAY, "AM")]["id"] == ids[key(TODAY, "AM")]
