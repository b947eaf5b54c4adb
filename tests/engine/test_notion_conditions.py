"""What a real workspace does that a friendly one does not: moves that drop values, tokens
without capabilities, refusals, the query result cap, and the retention of old pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from syncer.config import Budget
from syncer.core import RunId
from syncer.core.errors import NotionError, PermanentNotionError, PlanRefused
from syncer.store.audit import ActionFilter
from tests.support.fake_gateway import ALL_CAPABILITIES
from tests.support.harness import ENV, TODAY, settings_for_tests
from tests.support.world import ALICE, BOB, World, key, people, text

NEXT_MONDAY = dt.date(2026, 3, 16)
MOVE_VALUES = ["keep-by-name", "title-only"]


def hand_edit(world: World, sync_key: str, name: str, value: str) -> None:
    """A person changes one text property of a page in Notion."""
    page = world.pages()[sync_key]
    page["properties"][name]["rich_text"] = [
        {"type": "text", "text": {"content": value}, "plain_text": value, "href": None}
    ]


def actions(world: World, run_id: RunId | None) -> list[tuple[str, str]]:
    """The run's audit rows, oldest first, as (action, status)."""
    entries = world.context().store.find_actions(ActionFilter(run_id=run_id))
    return [(e.record.action, e.record.status) for e in reversed(entries)]


# -- moves into PAST CALENDAR are checked ---------------------------------------------------------


@pytest.mark.parametrize("move_values", MOVE_VALUES)
def test_a_hand_edit_carried_into_past_calendar_by_a_move_is_reverted(
    world: World, move_values: str
) -> None:
    """A page edited by hand after the last reconcile is rewritten right after its move, so
    history holds the schedule and `plan` agrees: whatever a move keeps of the values."""
    world.notion.move_values = move_values
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    hand_edit(world, key(TODAY, "AM"), "Final Engineer Email", "mallory@example.com")

    result = world.context(today=NEXT_MONDAY).drain()[-1]

    assert result.status == "succeeded"
    page = world.pages("past")[key(TODAY, "AM")]
    assert text(page, "Final Engineer Email") == ALICE
    assert text(page, "Sync Key") == key(TODAY, "AM")
    assert actions(world, result.run_id) == [("move", "applied"), ("update", "applied")]
    assert not world.context(today=NEXT_MONDAY).plan().plan.actions


@pytest.mark.parametrize("move_values", MOVE_VALUES)
def test_an_untouched_page_moves_with_one_request_when_the_move_keeps_its_values(
    world: World, move_values: str
) -> None:
    """A move that keeps everything costs one request; one that keeps only the title, two."""
    world.notion.move_values = move_values
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    before = len(world.notion.calls)

    world.context(today=NEXT_MONDAY).drain()

    writes = [c for c in world.notion.calls[before:] if c in ("move_page", "update_page")]
    expected = ["move_page"] if move_values == "keep-by-name" else ["move_page", "update_page"]
    assert writes == expected
    assert people(world.pages("past")[key(TODAY, "AM")], "Final Engineer") != []


def test_a_rewrite_that_failed_after_a_move_is_finished_by_the_next_drain(world: World) -> None:
    """The page that lost its Sync Key in the move is found by its id and completed, not left
    as a nameless page in history."""
    world.notion.move_values = "title-only"
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.notion.fail_next("update_page", 400)  # the rewrite after the move is refused once

    first = world.context(today=NEXT_MONDAY).drain()[-1]
    assert first.status == "partial"
    assert list(world.pages("past")) == [""]  # the moved page has no Sync Key yet

    second = world.context(today=NEXT_MONDAY).drain()[-1]

    assert second.status == "succeeded"
    page = world.pages("past")[key(TODAY, "AM")]
    assert text(page, "Final Engineer Email") == ALICE
    assert actions(world, second.run_id) == [("update", "applied")]


def test_a_run_that_died_between_the_move_and_its_rewrite_is_finished_next_time(
    world: World,
) -> None:
    """Even with no failing key recorded, a past page never confirmed is rewritten, not kept."""
    world.notion.move_values = "title-only"
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.notion.fail_next("update_page", 400)
    world.context(today=NEXT_MONDAY).drain()
    store = world.context().store
    store.clear_failing(ENV, [f.key for f in store.failing_keys(ENV)])  # as if it died

    result = world.context(today=NEXT_MONDAY).drain()[-1]

    assert result.status == "succeeded"
    assert text(world.pages("past")[key(TODAY, "AM")], "Final Engineer Email") == ALICE


def test_a_move_answered_with_a_partial_page_is_read_back_once(world: World) -> None:
    """Notion may answer a move with only the page's id: syncer reads the page before trusting."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.notion.move_answer = "id"
    before = len(world.notion.calls)

    result = world.context(today=NEXT_MONDAY).drain()[-1]

    assert result.status == "succeeded"
    assert world.notion.calls[before:].count("retrieve_page") == 1
    assert text(world.pages("past")[key(TODAY, "AM")], "Final Engineer Email") == ALICE


# -- a token without user capabilities ------------------------------------------------------------


@pytest.mark.parametrize("missing", ["read_users", "read_user_emails"])
def test_without_user_capabilities_engineers_are_written_as_email_text(
    world: World, warnings: list[str], missing: str
) -> None:
    """One warning per run names the capability; the run succeeds with empty people columns."""
    world.notion.capabilities = ALL_CAPABILITIES - {missing}
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)

    results = world.context().drain()

    assert [r.status for r in results] == ["succeeded", "succeeded"]
    assert len(warnings) == 1  # one for the run that wrote, never one per engineer
    assert "'Read user information including email addresses'" in warnings[0]
    world.app.schedule(TODAY, "Core", BOB)
    world.context().drain()
    assert len(warnings) == 2  # and one again for the next run
    page = world.pages()[key(TODAY, "AM")]
    assert people(page, "Final Engineer") == []
    assert text(page, "Final Engineer Email") == ALICE


def test_a_granted_user_capability_takes_effect_on_the_next_run(world: World) -> None:
    """Nothing about the missing capability is cached: people appear once it is granted."""
    world.notion.capabilities = ALL_CAPABILITIES - {"read_users"}
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.notion.capabilities = ALL_CAPABILITIES

    world.context().reconcile()

    assert people(world.pages()[key(TODAY, "AM")], "Final Engineer") != []


# -- 401 and 403 stop the run ---------------------------------------------------------------------


def stop_reason(world: World, status: int, code: str) -> tuple[NotionError, Any]:
    """Nine shifts synced, nine more to create, and Notion refusing the first create."""
    world.app.regenerate(TODAY, 3, [ALICE, BOB])
    world.context().reconcile()  # not due again for a day: the drain below is a plain drain
    world.app.regenerate(NEXT_MONDAY, 3, [ALICE])
    world.notion.calls.clear()
    world.notion.fail_next("create_page", status, code=code)
    ctx = world.context(settings=settings_for_tests(budget=Budget(concurrency=1)))
    with pytest.raises(PermanentNotionError) as stopped:
        ctx.drain()
    return stopped.value, ctx.store.last_run(ENV, "drain")


def test_a_workspace_over_its_block_limit_stops_the_run_with_one_clear_error(
    world: World,
) -> None:
    """A 403 on create names the block limit; nothing is retried or tried one by one."""
    sleeps_before = len(world.sleeps)

    error, run = stop_reason(world, 403, "restricted_resource")

    assert "block limit" in error.message
    assert "1,000 blocks" in error.message
    assert world.notion.calls.count("create_page") == 1
    assert len(world.sleeps) == sleeps_before
    assert run.status == "failed"
    assert run.error is not None
    assert "block limit" in run.error
    assert run.counts["failed"] == 1


def test_a_refused_token_stops_the_run_and_the_next_drain_finishes_it(world: World) -> None:
    """After a 401 nothing else is tried; the changes stay pending for the next drain."""
    error, run = stop_reason(world, 401, "unauthorized")

    assert "token is wrong, revoked or expired" in error.message
    assert run.status == "failed"
    result = world.context().drain()[-1]
    assert result.status == "succeeded"
    assert len(world.pages()) == 18


def test_a_read_only_token_is_refused_at_its_first_write(world: World) -> None:
    """Without Update content the first update fails with 403 and the run stops there."""
    world.app.regenerate(TODAY, 3, [ALICE])
    world.context().drain()
    world.app.regenerate(TODAY, 3, [BOB])
    world.notion.capabilities = ALL_CAPABILITIES - {"update_content"}
    before = len(world.notion.calls)

    with pytest.raises(PermanentNotionError) as stopped:
        world.context(settings=settings_for_tests(budget=Budget(concurrency=1))).drain()

    assert "Update content" in stopped.value.message
    assert world.notion.calls[before:].count("update_page") == 1


# -- reading PAST CALENDAR under the query result cap ---------------------------------------------


def history(world: World, weeks: int) -> None:
    """``weeks`` full weeks of shifts before this one, already in PAST CALENDAR."""
    start = TODAY - dt.timedelta(weeks=weeks, days=TODAY.weekday())
    world.app.regenerate(start, weeks * 7, [ALICE, BOB])
    world.context().drain()


def test_past_calendar_is_read_in_windows_each_under_the_result_cap(world: World) -> None:
    """With a cap smaller than the whole history, reconcile still reads every page."""
    history(world, 20)  # 300 pages: 150 dated in 2025, 150 in 2026
    world.notion.result_cap = 250
    assert len(world.pages("past")) > world.notion.result_cap  # one query would not do
    old = key(TODAY - dt.timedelta(weeks=18), "AM")
    world.pages("past")[old]["in_trash"] = True  # trashed by hand, deep in history

    result = world.context().reconcile()

    assert result.status == "succeeded"
    assert result.outcome.by_kind == {"restore": 1}


def test_a_window_over_the_cap_is_split_until_each_part_fits(world: World) -> None:
    """A year holding more pages than one query returns is read in halves, then quarters."""
    history(world, 20)
    world.notion.result_cap = 50

    result = world.context().plan()

    assert not result.plan.actions
    queries = world.notion.calls.count("query_pages")
    assert queries > 10


def test_a_single_day_over_the_cap_stops_the_reconcile_before_any_write(world: World) -> None:
    """When even one day cannot be read in one query, the read is incomplete: nothing changes."""
    history(world, 2)
    world.notion.result_cap = 2
    world.app.execute("DELETE FROM oncall_schedule")

    with pytest.raises(PermanentNotionError) as incomplete:
        world.context().reconcile()

    assert "than one Notion query returns" in incomplete.value.message
    assert len(world.pages("past")) == 30


# -- retention ------------------------------------------------------------------------------------


def test_retention_trashes_old_past_pages_audited_and_reversibly(world: World) -> None:
    """Pages older than past_retention go to the trash; a rollback brings the same pages back."""
    history(world, 6)
    keep = settings_for_tests(past_retention=dt.timedelta(weeks=4))
    page_ids = {k: p["id"] for k, p in world.pages("past").items()}

    result = world.context(settings=keep, force=True).reconcile()

    assert result.outcome.by_kind == {"trash": 30}
    assert len(world.pages("past")) == 60
    assert min(dt.date.fromisoformat(k[:10]) for k in world.pages("past")) == dt.date(2026, 2, 9)
    audited = world.context().store.find_actions(ActionFilter(run_id=result.run_id))
    assert all(e.record.before and e.record.after for e in audited)  # restorable images
    world.context(settings=keep).rollback(result.run_id or RunId(0))
    assert {k: p["id"] for k, p in world.pages("past").items()} == page_ids


def test_retention_is_off_by_default_and_never_recreates_what_it_trashed(world: World) -> None:
    """Without past_retention nothing old is trashed; with it, trashed keys are not created."""
    history(world, 6)
    assert world.context().reconcile().outcome.by_kind == {}
    keep = settings_for_tests(past_retention=dt.timedelta(weeks=4))
    world.context(settings=keep, force=True).reconcile()

    again = world.context(settings=keep).reconcile()

    assert again.outcome.by_kind == {}
    assert len(world.pages("past")) == 60


def test_turning_retention_on_over_a_long_history_is_guarded(world: World) -> None:
    """Trashing a large share of the pages at once is refused until forced, like any mass trash."""
    history(world, 6)
    keep = settings_for_tests(past_retention=dt.timedelta(weeks=2))

    with pytest.raises(PlanRefused):
        world.context(settings=keep).reconcile()


@pytest.mark.parametrize("move_values", MOVE_VALUES)
def test_a_drain_whose_moves_lost_values_can_be_rolled_back(world: World, move_values: str) -> None:
    """Undoing the week's move puts the page back in CALENDAR holding its shift, whatever the
    move kept: the rewrite is undone first, then the move, and the move back is checked too."""
    world.notion.move_values = move_values
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page_id = world.pages()[key(TODAY, "AM")]["id"]
    moved = world.context(today=NEXT_MONDAY).drain()[-1]

    undone = world.context().rollback(moved.run_id or RunId(0))

    assert undone.ok
    page = world.pages()[key(TODAY, "AM")]
    assert (page["id"], text(page, "Final Engineer Email")) == (page_id, ALICE)
    assert world.pages("past") == {}
