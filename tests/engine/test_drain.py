"""drain against an in-memory Notion: what reaches Notion, what is recorded, what is refused."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest

from syncer.config import Budget
from syncer.core import LockHolder, RunId
from syncer.core.errors import LockHeld, PermanentNotionError, PlanRefused
from syncer.engine import Engine
from syncer.store.audit import ActionFilter, AuditEntry
from tests.support.harness import ENV, TODAY, data_source, settings_for_tests
from tests.support.world import ALICE, BOB, CAROL, World, key, people, text

MONDAY = dt.date(2026, 3, 9)
NEXT_MONDAY = dt.date(2026, 3, 16)


def test_first_drain_creates_one_page_per_shift_with_people_and_emails(world: World) -> None:
    """Every shift becomes one page carrying its date range, rotation, people and emails."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", "nobody@example.com")
    world.app.override(TODAY, "PM", BOB)

    results = world.context().drain()

    assert [r.status for r in results] == ["succeeded", "succeeded"]
    pages = world.pages()
    assert set(pages) == {key(TODAY, "AM"), key(TODAY, "PM")}
    alice = next(u for u in world.notion.users if u.email == ALICE)
    bob = next(u for u in world.notion.users if u.email == BOB)
    am, pm = pages[key(TODAY, "AM")], pages[key(TODAY, "PM")]
    assert people(am, "Orig. Engineer") == [alice.user_id]
    assert people(am, "Final Engineer") == [alice.user_id]
    assert am["properties"]["Date"]["date"]["start"] == "2026-03-11T09:00:00+00:00"
    assert am["properties"]["Rotation"]["select"]["name"] == "AM"
    assert people(pm, "Orig. Engineer") == []  # unmapped: shown as text only
    assert text(pm, "Orig. Engineer Email") == "nobody@example.com"
    assert people(pm, "Override") == [bob.user_id]
    assert people(pm, "Final Engineer") == [bob.user_id]
    assert "Bob" in text(pm, "Name")
    assert "PM" in text(pm, "Name")


def test_a_drain_with_nothing_pending_makes_no_notion_call(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Once in sync, a drain costs nothing."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    calls()

    world.context().drain()

    assert calls() == []


def test_identical_regeneration_sends_nothing_to_notion(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Deleting and re-inserting the same 14-day window changes no page."""
    world.app.regenerate(TODAY, 14, [ALICE, BOB, CAROL])
    world.context().drain()
    calls()

    world.app.regenerate(TODAY, 14, [ALICE, BOB, CAROL])
    world.context().drain()

    assert calls() == []


def test_k_changed_shifts_cost_exactly_k_writes(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Reassigning three shifts sends three page updates and nothing else."""
    world.app.regenerate(TODAY, 14, [ALICE, BOB])
    world.context().drain()
    calls()
    for day in (TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)):
        world.app.reassign(day, "Core", CAROL)

    world.context().drain()

    assert calls() == ["update_page"] * 3
    assert text(world.pages()[key(TODAY, "Core")], "Final Engineer Email") == CAROL


def test_a_deleted_shift_is_trashed_and_a_new_one_gets_a_new_page(world: World) -> None:
    """Deleting a shift trashes its page; adding it back creates a fresh page."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    first = world.pages()[key(TODAY, "AM")]["id"]

    world.app.delete(TODAY, "AM")
    world.context().drain()
    assert world.pages() == {}
    assert world.notion.pages[first]["in_trash"] is True

    world.app.schedule(TODAY, "AM", BOB)
    world.context().drain()
    assert world.pages()[key(TODAY, "AM")]["id"] != first


def test_removing_an_override_gives_the_shift_back_to_its_engineer(world: World) -> None:
    """Final Engineer follows the override while it exists, then the original engineer."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.override(TODAY, "AM", BOB)
    world.context().drain()
    assert text(world.pages()[key(TODAY, "AM")], "Final Engineer Email") == BOB

    world.app.delete(TODAY, "AM", "oncall_schedule_overrides")
    world.context().drain()

    page = world.pages()[key(TODAY, "AM")]
    assert text(page, "Final Engineer Email") == ALICE
    assert people(page, "Override") == []


def test_history_goes_straight_to_past_calendar(world: World) -> None:
    """Shifts dated before this week are created in PAST CALENDAR, not created then moved."""
    world.app.schedule(MONDAY - dt.timedelta(days=7), "AM", ALICE)
    world.app.schedule(TODAY, "AM", BOB)

    world.context().drain()

    assert set(world.pages("past")) == {key(MONDAY - dt.timedelta(days=7), "AM")}
    assert set(world.pages("calendar")) == {key(TODAY, "AM")}
    assert "move_page" not in world.notion.calls


def test_shifts_older_than_history_since_are_not_synced(world: World) -> None:
    """history_since bounds how far back the first sync goes."""
    world.app.schedule(TODAY - dt.timedelta(days=400), "AM", ALICE)
    world.app.schedule(TODAY - dt.timedelta(days=30), "AM", ALICE)

    world.context().drain()

    assert set(world.pages("past")) == {key(TODAY - dt.timedelta(days=30), "AM")}


def test_last_weeks_pages_move_to_past_calendar_and_stay_immutable(world: World) -> None:
    """When a week ends its pages move; later local edits to them are skipped, not pushed."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page_id = world.pages()[key(TODAY, "AM")]["id"]

    results = world.context(today=NEXT_MONDAY).drain()
    assert results[-1].status == "succeeded"
    assert world.pages("calendar") == {}
    assert world.pages("past")[key(TODAY, "AM")]["id"] == page_id

    world.app.reassign(TODAY, "AM", BOB)
    result = world.context(today=NEXT_MONDAY).drain()[-1]
    assert result.status == "succeeded"
    assert result.outcome.skipped == 1
    assert text(world.pages("past")[key(TODAY, "AM")], "Final Engineer Email") == ALICE


def test_bad_rows_are_reported_and_the_rest_is_synced(world: World) -> None:
    """An unknown rotation, a malformed date or email is skipped with its key; exit says so."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "Night", BOB)
    world.app.schedule("2026-13-01", "AM", BOB)
    world.app.schedule(TODAY, "PM", "not-an-email")

    results = world.context().drain()

    assert "partial" in [result.status for result in results]
    reasons = {str(bad.key): bad.reason for result in results for bad in result.bad_rows}
    assert set(reasons) == {f"{TODAY}/Night", "2026-13-01/AM", f"{TODAY}/PM"}
    assert "unknown rotation" in reasons[f"{TODAY}/Night"]
    assert set(world.pages()) == {key(TODAY, "AM")}


def test_a_failure_is_recorded_the_key_stays_dirty_and_the_next_drain_fixes_it(
    world: World,
) -> None:
    """When retries run out the run is partial, and the failed key is retried next time."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    world.context().drain()
    world.app.reassign(TODAY, "AM", CAROL)
    for _ in range(4):  # the test schedule allows four attempts
        world.notion.fail_next("update_page", 503)

    result = world.context().drain()[-1]

    assert result.status in ("partial", "failed")
    assert [str(k) for k in result.outcome.failed_keys] == [key(TODAY, "AM")]
    assert world.sleeps == [0.0, 1.0, 2.0]
    failing = world.context().store.failing_keys(ENV)
    assert [str(f.key) for f in failing] == [key(TODAY, "AM")]

    result = world.context().drain()[-1]
    assert result.status == "succeeded"
    assert text(world.pages()[key(TODAY, "AM")], "Final Engineer Email") == CAROL
    assert world.context().store.failing_keys(ENV) == []


def test_a_create_that_landed_but_failed_is_not_created_twice(world: World) -> None:
    """A 503 after the page was created makes syncer look it up, not create a duplicate."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.notion.fail_next("create_page", 503, apply=True)

    results = world.context().drain()

    assert results[-1].status == "succeeded"
    assert len(world.pages()) == 1  # World.pages fails on duplicates


def test_committed_resource_id_is_adopted_instead_of_creating_again(world: World) -> None:
    """Notion's committed_resource_id names the page that was created: syncer keeps it."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.notion.fail_next("create_page", 503, committed=True, apply=True)
    world.context().drain()

    assert len(world.pages()) == 1
    assert world.notion.calls.count("create_page") == 1


def test_when_notion_is_down_the_run_stops_early(world: World) -> None:
    """After one action exhausts its retries, the rest are recorded as not attempted."""
    world.app.regenerate(TODAY, 3, [ALICE])
    ctx = world.context(
        settings=settings_for_tests(retry_waits=(0.0,), budget=Budget(concurrency=1))
    )
    for _ in range(2):
        world.notion.fail_next("create_page", 503)

    result = ctx.drain()[0]

    assert result.outcome.applied == 0
    assert world.notion.calls.count("create_page") == 2
    assert result.outcome.failed == len(result.plan.writes)
    assert result.status == "failed"


def test_trashing_most_pages_is_refused_before_any_write(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """A mass deletion looks like a mistake: refused with exit 3 unless --force."""
    world.app.regenerate(TODAY, 14, [ALICE, BOB])
    world.context().drain()
    world.app.execute("DELETE FROM oncall_schedule")
    calls()

    with pytest.raises(PlanRefused, match="trash"):
        world.context().drain()
    # Reads only (the databases, GET /v1/databases/{id}: a refusal names another keeper
    # first), no write.
    assert [c for c in calls() if c not in ("list_users", "data_source_id")] == []

    world.context(force=True).drain()
    assert world.pages() == {}


def test_a_second_sync_of_the_same_environment_is_refused(world: World) -> None:
    """The lock names its holder; a crashed holder's lease expires."""
    world.app.schedule(TODAY, "AM", ALICE)
    first = world.context()
    first.store.acquire_lock(
        ENV, LockHolder.parse("other-host:42"), world.clock(), dt.timedelta(minutes=30)
    )

    with pytest.raises(LockHeld) as refused:
        world.context().drain()
    assert "other-host:42" in str(refused.value.holder)

    world.clock.advance(dt.timedelta(minutes=31))
    assert world.context().drain()[-1].status == "succeeded"


def test_a_lease_held_by_a_dead_process_of_this_host_is_taken_over_at_once(world: World) -> None:
    """A drain killed with SIGKILL leaves its lease; the next run need not wait out the TTL."""
    world.app.schedule(TODAY, "AM", ALICE)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = LockHolder(socket.gethostname(), int(gone.stdout), "drain1")
    alive = LockHolder(socket.gethostname(), os.getpid(), "other")
    store = world.context().store
    store.acquire_lock(ENV, alive, world.clock(), dt.timedelta(minutes=30))
    with pytest.raises(LockHeld):  # a live process of this host keeps its lease
        world.context().drain()
    store.release_lock(ENV, alive)
    store.acquire_lock(ENV, dead, world.clock(), dt.timedelta(minutes=30))

    assert world.context().drain()[-1].status == "succeeded"
    assert store.lease(ENV, world.clock()) is None


def test_a_page_trashed_by_hand_is_restored_when_its_shift_changes(world: World) -> None:
    """A local edit to a key whose page was trashed in Notion brings the same page back."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page = world.pages()[key(TODAY, "AM")]
    page["in_trash"] = True
    world.app.reassign(TODAY, "AM", BOB)

    result = world.context().drain()[-1]

    assert result.status == "succeeded"
    restored = world.pages()[key(TODAY, "AM")]
    assert restored["id"] == page["id"]
    assert text(restored, "Final Engineer Email") == BOB


def test_after_a_crash_the_next_drain_adopts_what_the_crashed_run_created(world: World) -> None:
    """A drain that died between Notion's answer and its own commit leaves no duplicate."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()  # in sync; the next change is the one the crashed run was applying
    world.app.schedule(TODAY, "PM", BOB)
    crashed = world.context()
    crashed.store.start_run(ENV, "drain", "cli", world.clock())  # never finished
    orphan = crashed.gateway.create_page(  # what the crashed run had created in Notion
        data_source(crashed, "calendar"),
        {
            "Name": {"title": [{"text": {"content": "half-written"}}]},
            "Sync Key": {"rich_text": [{"text": {"content": key(TODAY, "PM")}}]},
        },
    )

    world.context().drain()

    assert world.pages()[key(TODAY, "PM")]["id"] == orphan.page_id
    assert text(world.pages()[key(TODAY, "PM")], "Final Engineer Email") == BOB


def test_a_rotation_spelled_another_way_is_the_same_shift_when_its_week_ends(
    world: World,
) -> None:
    """Rows written as 'am' are AM: the page moves to the past, it is never trashed."""
    world.app.schedule(TODAY, " am", ALICE)
    world.context().drain()
    assert set(world.pages()) == {key(TODAY, "AM")}

    world.context(today=NEXT_MONDAY).drain()

    assert world.pages("calendar") == {}
    assert set(world.pages("past")) == {key(TODAY, "AM")}


def test_a_429_on_the_data_source_lookup_is_waited_out(world: World) -> None:
    """Resolving where to create pages is retried like any call; the run succeeds."""
    world.app.schedule(TODAY, "PM", ALICE)
    world.context().drain()
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().data_source.forget()  # the next drain looks its data sources up again
    world.notion.fail_next("data_source_id", 429, retry_after=3)

    results = world.context().drain()

    assert all(result.ok for result in results)
    assert world.sleeps == [3.0]
    assert set(world.pages()) == {key(TODAY, "AM"), key(TODAY, "PM")}


def test_a_committed_page_whose_read_back_fails_is_still_not_created_twice(world: World) -> None:
    """503 with committed_resource_id, then a 429 reading that page: still exactly one page."""
    world.app.schedule(TODAY, "PM", ALICE)
    world.notion.fail_next("create_page", 503, committed=True, apply=True)
    world.notion.fail_next("retrieve_page", 429)

    assert all(result.ok for result in world.context().drain())
    assert len(world.pages()) == 1
    assert world.notion.calls.count("create_page") == 1


def test_a_new_engineer_added_to_notion_is_found_by_the_next_drain(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """An email the cache has never missed refreshes users.list once; the page shows them."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    dana = world.notion.add_person("Dana", "dana@example.com")
    world.app.reassign(TODAY, "AM", "dana@example.com")
    calls()

    world.context().drain()

    assert calls() == ["list_users", "update_page"]
    assert people(world.pages()[key(TODAY, "AM")], "Final Engineer") == [dana.user_id]


def test_an_email_that_matched_nobody_costs_no_request_next_time(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """A contractor without a Notion account is looked up once, not on every drain."""
    world.app.regenerate(TODAY, 1, ["contractor@example.org"])
    world.context().drain()
    world.app.regenerate(TODAY, 1, ["contractor@example.org"])
    calls()

    world.context().drain()

    assert calls() == []


def test_a_drain_that_fails_before_consuming_claims_no_changes(world: World) -> None:
    """Only a run whose cursor moved owns a change range (what a rollback would revert)."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.app.reassign(TODAY, "AM", "newcomer@example.com")
    world.notion.fail_next("list_users", 401)

    with pytest.raises(PermanentNotionError):
        world.context().drain()
    store = world.context().store
    failed = store.last_run(ENV, "drain")
    assert failed is not None
    assert failed.status == "failed"
    assert (failed.first_change_id, failed.last_change_id) == (None, None)

    (done,) = world.context().drain()
    record = store.run(done.run_id or RunId(0))
    assert record is not None
    assert record.first_change_id is not None
    assert record.first_change_id <= (record.last_change_id or 0)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(world: World) -> None:
    """The next run to take the lock records the abandoned one as interrupted, not running."""
    world.app.schedule(TODAY, "AM", ALICE)
    dead = world.context().store.start_run(ENV, "drain", "cli", world.clock())

    world.context().drain()

    record = world.context().store.run(dead)
    assert record is not None
    assert record.status == "interrupted"
    assert record.error is not None
    assert "without finishing" in record.error


def test_a_page_trashed_by_hand_when_its_week_ends_is_restored_and_moved(world: World) -> None:
    """The same page comes back and moves to PAST CALENDAR: no new page, no unaudited write."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page_id = world.pages()[key(TODAY, "AM")]["id"]
    world.notion.update_page(page_id, in_trash=True)  # by hand, before the week ends

    result = world.context(today=NEXT_MONDAY).drain()[-1]

    assert result.status == "succeeded"
    assert world.pages("past")[key(TODAY, "AM")]["id"] == page_id
    assert len(world.notion.pages) == 1
    assert world.notion.calls.count("create_page") == 1


def test_a_move_replaced_by_a_new_page_audits_the_old_pages_trash(world: World) -> None:
    """When Notion refuses the move, the plan's alternative runs: the move is recorded as
    skipped (saying why), the new page's create and the old page's trash as applied."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page_id = world.pages()[key(TODAY, "AM")]["id"]
    world.notion.fail_next("move_page", 400, code="validation_error")

    session = world.context(today=NEXT_MONDAY)
    result = session.drain()[-1]

    assert result.status == "succeeded"
    new_id = world.pages("past")[key(TODAY, "AM")]["id"]
    assert world.notion.pages[page_id]["in_trash"]
    run = session.store.find_actions(ActionFilter(run_id=result.run_id))
    rows = [(e.record.action, e.record.status, e.record.page_id) for e in reversed(run)]
    assert rows == [
        ("move", "skipped", page_id),
        ("create", "applied", new_id),
        ("trash", "applied", page_id),
    ]
    assert "refuses the move" in (run[-1].record.error or "")


def _actions(session: Engine) -> list[AuditEntry]:
    return session.store.find_actions(ActionFilter(env=session.env.name, status="applied"))


def test_pages_a_run_ahead_filed_as_past_move_back_at_the_next_drain(world: World) -> None:
    """A run with a --today weeks ahead moved this week's pages into PAST CALENDAR; the next
    drain on the real date, with nothing pending, moves them back (same page)."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    page_id = world.pages()[key(TODAY, "AM")]["id"]
    world.context(today=TODAY + dt.timedelta(weeks=3)).drain()
    assert set(world.pages("past")) == {key(TODAY, "AM")}

    result = world.context().drain()[-1]

    assert result.outcome.by_kind == {"move": 1}
    assert world.pages("calendar")[key(TODAY, "AM")]["id"] == page_id
    assert world.pages("past") == {}
