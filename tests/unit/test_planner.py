"""The planner's decision table, branch by branch, and the guards that refuse a plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from syncer.core import (
    AdoptPage,
    CreatePage,
    Database,
    ForgetMapping,
    Key,
    MappingRecord,
    MovePage,
    Plan,
    RemotePage,
    RestorePage,
    SkipKey,
    TrashPage,
    UpdatePage,
)
from syncer.core.actions import Verdict
from syncer.core.commit import UNKNOWN_DIGEST
from syncer.core.ids import PageId
from syncer.core.planner import (
    Guards,
    check_guards,
    plan_adoption,
    plan_changes,
    plan_reconcile,
)
from syncer.core.planner import with_alternatives as planned
from tests.support.plans import ANCIENT, CAL, NOW, PAST, content, kinds, mapped, page

# ---------------------------------------------------------------------------------------------
# plan_changes (drain): "what Notion holds" is the mapping.


def test_new_shift_this_week_is_created_in_calendar() -> None:
    """A key with rows and no page yet is created in CALENDAR when its week is current."""
    plan = plan_changes({NOW: content(NOW)}, {}, CAL)
    assert plan.actions == (CreatePage(NOW, "calendar", content(NOW)),)


def test_new_shift_from_a_past_week_is_created_directly_in_past() -> None:
    """History goes straight to PAST CALENDAR: one create, not create-then-move."""
    plan = plan_changes({PAST: content(PAST)}, {}, CAL)
    assert plan.actions == (CreatePage(PAST, "past", content(PAST)),)


def test_shift_before_history_cutoff_is_never_created() -> None:
    """Rows dated before history_since produce no page at all."""
    assert plan_changes({ANCIENT: content(ANCIENT)}, {}, CAL).actions == ()


def test_unchanged_content_sends_nothing() -> None:
    """A key whose content digest equals the last pushed one costs no Notion write."""
    plan = plan_changes({NOW: content(NOW)}, mapped(NOW, "calendar", content(NOW)), CAL)
    assert plan.actions == ()
    assert not plan


def test_changed_content_updates_the_mapped_page() -> None:
    """A local change rewrites the mapped page with the new content."""
    new = content(NOW, "bob@example.com")
    plan = plan_changes({NOW: new}, mapped(NOW, "calendar", content(NOW)), CAL)
    assert plan.actions == (planned(UpdatePage(NOW, "calendar", PageId("p1"), new, None)),)


def test_key_without_rows_trashes_its_page() -> None:
    """When a key loses both its rows, its page goes to the trash."""
    plan = plan_changes({NOW: None}, mapped(NOW, "calendar", content(NOW)), CAL)
    [trash] = plan.actions
    assert isinstance(trash, TrashPage)
    assert (trash.database, trash.page_id) == ("calendar", "p1")


def test_key_without_rows_or_page_does_nothing() -> None:
    """A dirty key that never had a page and has no rows now needs no write."""
    assert plan_changes({NOW: None}, {}, CAL).actions == ()


def test_local_edit_of_a_past_week_is_skipped_not_pushed() -> None:
    """Once in PAST CALENDAR a page is immutable: a local edit is recorded as skipped."""
    plan = plan_changes(
        {PAST: content(PAST, "bob@example.com")}, mapped(PAST, "past", content(PAST)), CAL
    )
    [skip] = plan.actions
    assert isinstance(skip, SkipKey)
    assert skip.key == PAST
    assert "immutable" in skip.reason
    assert not plan.writes


def test_deleting_rows_of_a_past_week_does_not_trash_history() -> None:
    """Deleting a past week's rows does not remove its page from PAST CALENDAR."""
    plan = plan_changes({PAST: None}, mapped(PAST, "past", content(PAST)), CAL)
    assert kinds(plan) == ["skip"]


def test_unchanged_past_page_is_silent() -> None:
    """A past page with unchanged rows produces no action, not even a skip."""
    assert plan_changes({PAST: content(PAST)}, mapped(PAST, "past", content(PAST)), CAL) == Plan()


def test_finished_week_moves_to_past() -> None:
    """A calendar page whose week is over is moved to PAST CALENDAR, keeping its page id."""
    plan = plan_changes({PAST: content(PAST)}, mapped(PAST, "calendar", content(PAST)), CAL)
    assert plan.actions == (
        planned(MovePage(PAST, PageId("p1"), "calendar", "past", content(PAST))),
    )


def test_finished_week_with_a_change_is_updated_before_the_move() -> None:
    """A pending change lands before the move, so the page arriving in the past is final."""
    new = content(PAST, "bob@example.com")
    plan = plan_changes({PAST: new}, mapped(PAST, "calendar", content(PAST)), CAL)
    assert kinds(plan) == ["update", "move"]
    update, move = plan.actions
    assert isinstance(update, UpdatePage)
    assert (update.database, update.content) == ("calendar", new)
    assert isinstance(move, MovePage)
    assert (move.source, move.target) == ("calendar", "past")


def test_page_filed_in_past_for_the_current_week_moves_back() -> None:
    """If the date 'today' goes back, a current-week page in PAST is corrected, then returns to
    CALENDAR (updated first, so the page that moves is final and the move can be checked)."""
    new = content(NOW, "bob@example.com")
    plan = plan_changes({NOW: new}, mapped(NOW, "past", content(NOW)), CAL)
    assert kinds(plan) == ["update", "move"]
    update, move = plan.actions
    assert isinstance(update, UpdatePage)
    assert update.database == "past"
    assert isinstance(move, MovePage)
    assert (move.source, move.target, move.content) == ("past", "calendar", new)


def test_actions_come_out_in_key_order() -> None:
    """A plan lists its keys in date then rotation order, so output is stable."""
    keys = [Key(dt.date(2024, 6, d), r) for d in (14, 11, 12) for r in ("PM", "AM")]
    plan = plan_changes({k: content(k) for k in keys}, {}, CAL)
    created = [a.key for a in plan.actions if isinstance(a, CreatePage)]
    assert created == sorted(keys)


# ---------------------------------------------------------------------------------------------
# plan_reconcile: "what Notion holds" is a complete read of both databases.


def test_reconcile_adopts_an_unmapped_page_by_sync_key() -> None:
    """An existing page with the right Sync Key is adopted instead of creating a twin."""
    plan = plan_reconcile({NOW: content(NOW)}, {}, [page(NOW, "calendar", "found")], CAL)
    assert plan.actions == (AdoptPage(NOW, "calendar", PageId("found"), content(NOW)),)
    assert not plan.writes


def test_reconcile_creates_a_missing_page() -> None:
    """A key with rows and no page anywhere is created where its date belongs."""
    plan = plan_reconcile({NOW: content(NOW), PAST: content(PAST)}, {}, [], CAL)
    assert set(plan.actions) == {
        CreatePage(NOW, "calendar", content(NOW)),
        CreatePage(PAST, "past", content(PAST)),
    }


def test_reconcile_respects_the_history_cutoff() -> None:
    """Reconcile does not create pages dated before history_since either."""
    assert plan_reconcile({ANCIENT: content(ANCIENT)}, {}, [], CAL) == Plan()


def test_reconcile_in_sync_is_empty() -> None:
    """A mapped page equal to the desired content gives an empty plan."""
    plan = plan_reconcile(
        {NOW: content(NOW)},
        mapped(NOW, "calendar", content(NOW)),
        [page(NOW, "calendar", "p1")],
        CAL,
    )
    assert plan == Plan()


def test_reconcile_keeps_the_mapped_page_and_trashes_duplicates() -> None:
    """With several pages for one key, the mapped one stays and the others are trashed."""
    pages = [
        page(NOW, "calendar", "older", created="2023-01-01T00:00:00.000Z"),
        page(NOW, "calendar", "p1", created="2024-05-01T00:00:00.000Z"),
        page(NOW, "past", "stray"),
    ]
    plan = plan_reconcile({NOW: content(NOW)}, mapped(NOW, "calendar", content(NOW)), pages, CAL)
    trashed = {a.page_id: a for a in plan.actions if isinstance(a, TrashPage)}
    assert set(trashed) == {"older", "stray"}
    assert all("p1" in a.reason for a in trashed.values())
    assert trashed[PageId("stray")].database == "past"
    assert kinds(plan) == ["trash", "trash"]


def test_reconcile_without_mapping_keeps_the_oldest_page_in_the_right_database() -> None:
    """Unmapped duplicates: the oldest page in the key's database is adopted, others trashed."""
    pages = [
        page(NOW, "past", "oldest-but-wrong-db", created="2022-01-01T00:00:00.000Z"),
        page(NOW, "calendar", "newer", created="2024-05-02T00:00:00.000Z"),
        page(NOW, "calendar", "older", created="2024-05-01T00:00:00.000Z"),
    ]
    plan = plan_reconcile({NOW: content(NOW)}, {}, pages, CAL)
    adopted = [a for a in plan.actions if isinstance(a, AdoptPage)]
    assert [a.page_id for a in adopted] == ["older"]
    assert {a.page_id for a in plan.actions if isinstance(a, TrashPage)} == {
        "oldest-but-wrong-db",
        "newer",
    }


def test_reconcile_restores_a_mapped_page_missing_from_the_listing() -> None:
    """A mapped page trashed by hand is restored (same page id), not re-created."""
    plan = plan_reconcile({NOW: content(NOW)}, mapped(NOW, "calendar", content(NOW)), [], CAL)
    assert plan.actions == (planned(RestorePage(NOW, "calendar", PageId("p1"), content(NOW))),)


def test_reconcile_reverts_a_hand_edit() -> None:
    """A page edited in Notion is rewritten to the schedule, recording what it looked like."""
    edited = dataclasses.replace(content(NOW), final_email="mallory@example.com")
    plan = plan_reconcile(
        {NOW: content(NOW)},
        mapped(NOW, "calendar", content(NOW)),
        [page(NOW, "calendar", "p1", body=edited)],
        CAL,
    )
    assert plan.actions == (
        planned(UpdatePage(NOW, "calendar", PageId("p1"), content(NOW), edited)),
    )


def test_reconcile_pushes_a_local_change_the_mapping_missed() -> None:
    """Notion follows SQLite even when the drain never ran: differing content is updated."""
    new = content(NOW, "bob@example.com")
    plan = plan_reconcile(
        {NOW: new}, mapped(NOW, "calendar", content(NOW)), [page(NOW, "calendar", "p1")], CAL
    )
    assert kinds(plan) == ["update"]


def test_reconcile_trashes_orphans() -> None:
    """A page whose key has no rows is trashed, whether or not syncer created it."""
    orphan = Key(dt.date(2024, 6, 13), "PM")
    plan = plan_reconcile(
        {},
        mapped(NOW, "calendar", content(NOW)),
        [page(NOW, "calendar", "p1"), page(orphan, "calendar", "hand-made")],
        CAL,
    )
    trashed = {(a.key, a.page_id) for a in plan.actions if isinstance(a, TrashPage)}
    assert trashed == {(NOW, "p1"), (orphan, "hand-made")}


def test_reconcile_leaves_pages_without_sync_key_alone() -> None:
    """Pages that carry no Sync Key (notes, views) are never touched."""
    plan = plan_reconcile({}, {}, [page(None, "calendar", "notes", body=None)], CAL)
    assert plan == Plan()


def test_reconcile_leaves_blocked_keys_untouched() -> None:
    """A key with a bad row is not updated, trashed or created until the row is fixed."""
    other = Key(dt.date(2024, 6, 13), "AM")
    edited = dataclasses.replace(content(NOW), name="hand edit")
    plan = plan_reconcile(
        {},
        mapped(NOW, "calendar", content(NOW)),
        [page(NOW, "calendar", "p1", body=edited), page(other, "calendar", "p2")],
        CAL,
        blocked=[NOW, other],
    )
    assert plan == Plan()


def test_reconcile_moves_a_finished_week_to_past() -> None:
    """Reconcile re-checks past-week moves: a calendar page of last week moves to PAST."""
    plan = plan_reconcile(
        {PAST: content(PAST)},
        mapped(PAST, "calendar", content(PAST)),
        [page(PAST, "calendar", "p1")],
        CAL,
    )
    assert plan.actions == (
        planned(MovePage(PAST, PageId("p1"), "calendar", "past", content(PAST))),
    )


def test_reconcile_updates_before_moving_to_past() -> None:
    """A finished-week page that differs is updated first, then moved."""
    new = content(PAST, "bob@example.com")
    plan = plan_reconcile(
        {PAST: new},
        mapped(PAST, "calendar", content(PAST)),
        [page(PAST, "calendar", "p1")],
        CAL,
    )
    assert kinds(plan) == ["update", "move"]
    update = plan.actions[0]
    assert isinstance(update, UpdatePage)
    assert update.database == "calendar"


def test_reconcile_corrects_a_current_page_in_past_then_moves_it_back() -> None:
    """A current-week page found in PAST is corrected, then returns to CALENDAR."""
    plan = plan_reconcile(
        {NOW: content(NOW, "bob@example.com")},
        mapped(NOW, "past", content(NOW)),
        [page(NOW, "past", "p1")],
        CAL,
    )
    assert kinds(plan) == ["update", "move"]
    update = plan.actions[0]
    assert isinstance(update, UpdatePage)
    assert update.database == "past"


def test_reconcile_does_not_rewrite_or_trash_history() -> None:
    """A past page that differs from the rows is skipped; one whose rows are gone is kept."""
    differs = plan_reconcile(
        {PAST: content(PAST, "bob@example.com")},
        mapped(PAST, "past", content(PAST)),
        [page(PAST, "past", "p1")],
        CAL,
    )
    assert kinds(differs) == ["skip"]
    gone = plan_reconcile({}, mapped(PAST, "past", content(PAST)), [page(PAST, "past", "p1")], CAL)
    assert gone == Plan()


def test_reconcile_restores_then_moves_a_page_whose_week_ended_in_the_trash() -> None:
    """A hand-trashed calendar page of a finished week comes back and lands in PAST."""
    plan = plan_reconcile({PAST: content(PAST)}, mapped(PAST, "calendar", content(PAST)), [], CAL)
    assert plan.actions == (
        planned(RestorePage(PAST, "calendar", PageId("p1"), content(PAST))),
        planned(MovePage(PAST, PageId("p1"), "calendar", "past", content(PAST))),
    )


def test_reconcile_trashes_a_vanished_mapped_page_whose_rows_are_gone() -> None:
    """A mapped page missing from Notion with no rows left is trashed, dropping its mapping."""
    plan = plan_reconcile({}, mapped(NOW, "calendar", content(NOW)), [], CAL)
    [trash] = plan.actions
    assert isinstance(trash, TrashPage)
    assert (trash.key, trash.database, trash.page_id) == (NOW, "calendar", "p1")


def test_reconcile_never_trashes_vanished_history() -> None:
    """A past page missing from the listing with no rows is left alone, as history is."""
    assert plan_reconcile({}, mapped(PAST, "past", content(PAST)), [], CAL) == Plan()


@pytest.mark.parametrize(("mapped_in", "found_in"), [("calendar", "past"), ("past", "calendar")])
def test_reconcile_records_a_page_dragged_to_the_other_database(
    mapped_in: Database, found_in: Database
) -> None:
    """A page moved by hand between databases is re-adopted where it is, then filed correctly."""
    key = PAST if found_in == "past" else NOW
    plan = plan_reconcile(
        {key: content(key)}, mapped(key, mapped_in, content(key)), [page(key, found_in, "p1")], CAL
    )
    assert plan.actions == (AdoptPage(key, found_in, PageId("p1"), content(key)),)


def test_reconcile_adopts_the_listed_page_when_the_mapped_one_is_gone() -> None:
    """If the mapped page vanished but another page carries the key, that page is adopted."""
    plan = plan_reconcile(
        {NOW: content(NOW)},
        mapped(NOW, "calendar", content(NOW), page_id=PageId("gone")),
        [page(NOW, "calendar", "other")],
        CAL,
    )
    assert plan.actions == (AdoptPage(NOW, "calendar", PageId("other"), content(NOW)),)


# ---------------------------------------------------------------------------------------------
# History is sealed only once syncer confirmed what a page holds in PAST CALENDAR.


def unconfirmed(key: Key, database: Database, page_id: str = "p1") -> dict[Key, MappingRecord]:
    return {key: MappingRecord(key, database, PageId(page_id), UNKNOWN_DIGEST)}


def test_drain_rewrites_a_past_page_whose_move_was_never_confirmed() -> None:
    """A move that lost values (and whose rewrite failed) is finished, not skipped as history."""
    plan = plan_changes({PAST: content(PAST)}, unconfirmed(PAST, "past"), CAL)
    assert plan.actions == (planned(UpdatePage(PAST, "past", PageId("p1"), content(PAST), None)),)


def test_drain_never_trashes_an_unconfirmed_past_page_whose_rows_are_gone() -> None:
    """Deleting the rows of a past week is still not pushed, confirmed or not."""
    assert kinds(plan_changes({PAST: None}, unconfirmed(PAST, "past"), CAL)) == ["skip"]


@pytest.mark.parametrize("mapped_in", ["calendar", "past"])
def test_reconcile_repairs_a_past_page_syncer_never_confirmed(mapped_in: Database) -> None:
    """A past page whose move is unrecorded, or whose values were never confirmed, is rewritten:
    a hand edit carried into PAST CALENDAR by the move does not become history."""
    edited = content(PAST, "mallory@example.com")
    mapping = unconfirmed(PAST, "past") if mapped_in == "past" else mapped(PAST, "calendar", edited)
    plan = plan_reconcile(
        {PAST: content(PAST)}, mapping, [page(PAST, "past", "p1", body=edited)], CAL
    )
    assert plan.actions[-1] == planned(
        UpdatePage(PAST, "past", PageId("p1"), content(PAST), edited)
    )
    assert kinds(plan) == (["update"] if mapped_in == "past" else ["adopt", "update"])


def test_reconcile_keeps_an_unmapped_past_page_as_history() -> None:
    """A past page syncer has no record of (after a resync, say) is history: skipped."""
    plan = plan_reconcile(
        {PAST: content(PAST)}, {}, [page(PAST, "past", "p1", body=content(PAST, "x@y.io"))], CAL
    )
    assert kinds(plan) == ["adopt", "skip"]


def test_reconcile_finds_a_mapped_page_that_lost_its_sync_key_by_its_id() -> None:
    """A page whose Sync Key did not survive is still the key's page: rewritten, never orphaned."""
    plan = plan_reconcile(
        {NOW: content(NOW)},
        mapped(NOW, "calendar", content(NOW)),
        [RemotePage(PageId("p1"), "calendar", None), RemotePage(PageId("p2"), "calendar", None)],
        CAL,
    )
    assert plan.actions == (planned(UpdatePage(NOW, "calendar", PageId("p1"), content(NOW), None)),)


def test_reconcile_adopts_a_keyless_page_found_where_its_move_took_it() -> None:
    """A move that landed unrecorded and dropped the Sync Key: adopted by id, then rewritten."""
    plan = plan_reconcile(
        {PAST: content(PAST)},
        mapped(PAST, "calendar", content(PAST)),
        [RemotePage(PageId("p1"), "past", None)],
        CAL,
    )
    assert plan.actions == (
        AdoptPage(PAST, "past", PageId("p1"), None),
        planned(UpdatePage(PAST, "past", PageId("p1"), content(PAST), None)),
    )


def test_a_sealed_past_page_that_lost_its_sync_key_is_left_as_history() -> None:
    """Found by id, but history: the difference is recorded, never pushed."""
    plan = plan_reconcile(
        {PAST: content(PAST)},
        mapped(PAST, "past", content(PAST)),
        [RemotePage(PageId("p1"), "past", None)],
        CAL,
    )
    assert kinds(plan) == ["skip"]


# ---------------------------------------------------------------------------------------------
# Retention: pages older than the cut-off are trashed by reconcile and never created again.

RETAINED = dataclasses.replace(CAL, retain_since=dt.date(2024, 1, 1))
OLD = Key(dt.date(2023, 12, 29), "PM")  # before the retention cut-off


def test_reconcile_trashes_every_page_of_a_key_older_than_the_retention() -> None:
    """The mapped page and its duplicates go to the trash (restorable), naming the cut-off."""
    plan = plan_reconcile(
        {OLD: content(OLD)},
        mapped(OLD, "past", content(OLD)),
        [page(OLD, "past", "p1"), page(OLD, "past", "p2")],
        RETAINED,
    )
    assert kinds(plan) == ["trash", "trash"]
    assert all(
        isinstance(a, TrashPage) and "retention cut-off 2024-01-01" in a.reason
        for a in plan.actions
    )


def test_a_key_older_than_the_retention_whose_page_is_gone_forgets_its_mapping() -> None:
    """Nothing is created again: only the stale mapping is dropped."""
    plan = plan_reconcile({OLD: content(OLD)}, mapped(OLD, "past", content(OLD)), [], RETAINED)
    assert plan.actions == (ForgetMapping(OLD, "past", PageId("p1")),)


def test_keys_older_than_the_retention_are_never_created() -> None:
    """Neither a drain nor a reconcile creates what the retention would trash."""
    assert plan_changes({OLD: content(OLD)}, {}, RETAINED) == Plan()
    assert plan_reconcile({OLD: content(OLD)}, {}, [], RETAINED) == Plan()
    assert not RETAINED.in_history(OLD)
    assert RETAINED.in_history(PAST)


# ---------------------------------------------------------------------------------------------
# Guards: their verdict is part of the plan; it names the command to run.


def trashes(n: int, *, duplicates: int = 0) -> Plan:
    """A plan that trashes the pages of ``n`` shifts, and ``duplicates`` copies of others."""
    day = dt.date(2024, 6, 10)
    gone = [
        TrashPage(Key(day, f"R{i}"), "calendar", PageId(f"p{i}"), "gone", None) for i in range(n)
    ]
    copies = [
        TrashPage(Key(day, f"D{i}"), "calendar", PageId(f"d{i}"), "copy", None, duplicate=True)
        for i in range(duplicates)
    ]
    return Plan((*gone, *copies))


GUARDS = Guards(max_trash_share=0.25, min_trash_to_check=10)


def verdict(plan: Plan, known: int, **counts: object) -> Verdict:
    remote = counts.get("remote")
    mapped = counts.get("mapped", {})
    assert remote is None or isinstance(remote, dict)
    assert isinstance(mapped, dict)
    judged = check_guards(
        plan, pages_known=known, remote_counts=remote, mapped_counts=mapped, guards=GUARDS
    )
    assert judged.actions == plan.actions  # the verdict never changes what the plan does
    return judged.verdict


def test_guard_refuses_a_plan_trashing_more_than_the_share() -> None:
    """Trashing 26 of 100 shifts' pages with a 25% limit is refused, naming `syncer plan`."""
    refused = verdict(trashes(26), 100)

    assert refused.refusal is not None
    assert "26" in refused.refusal
    assert refused.hint is not None
    assert "syncer plan" in refused.hint
    assert "--force" in refused.hint


def test_guard_allows_a_plan_within_the_share() -> None:
    """Exactly the configured share (25 of 100) is still allowed."""
    assert not verdict(trashes(25), 100).refused


def test_guard_does_not_fire_on_small_plans() -> None:
    """Up to min_trash_to_check trashes pass even when they are most of a tiny database."""
    assert not verdict(trashes(10), 12).refused
    assert verdict(trashes(11), 12).refused


def test_guard_counts_shifts_not_the_duplicates_trashed_beside_their_page() -> None:
    """Trashing 35 late copies of shifts that keep their page is recovery, not a mass delete:
    it needs no --force; the shifts that would lose their page still count."""
    assert not verdict(trashes(3, duplicates=35), 73).refused
    assert verdict(trashes(20, duplicates=35), 73).refused


@pytest.mark.parametrize("database", ["calendar", "past"])
def test_guard_refuses_when_a_mapped_database_reads_empty(database: Database) -> None:
    """An empty database that the mapping says has pages is refused, naming `notion check`."""
    remote: dict[Database, int] = {"calendar": 30, "past": 40}
    remote[database] = 0
    refused = verdict(Plan(), 70, remote=remote, mapped={"calendar": 30, "past": 40})

    assert refused.refusal is not None
    assert database in refused.refusal
    assert refused.hint is not None
    assert "syncer notion check" in refused.hint
    assert "--force" in refused.hint


def test_guard_accepts_empty_databases_on_first_sync() -> None:
    """Empty databases with an empty mapping (the first sync) are fine."""
    assert not verdict(Plan(), 0, remote={}, mapped={"calendar": 0}).refused


def test_drain_skips_the_empty_database_guard() -> None:
    """Without a complete read (a drain), the empty-database guard has nothing to check."""
    assert not verdict(Plan(), 5, mapped={"calendar": 5}).refused


def test_reconcile_gives_each_page_to_one_key_after_a_hand_edited_sync_key() -> None:
    """A page whose Sync Key was edited by hand is acted on for one key only, never two."""
    other = Key(NOW.date, "PM")
    relabelled = dataclasses.replace(content(NOW), key=other)
    plan = plan_reconcile(
        {NOW: content(NOW), other: content(other)},
        mapped(NOW, "calendar", content(NOW)),
        [page(other, "calendar", "p1", body=relabelled)],
        CAL,
    )
    on_page = (UpdatePage, TrashPage, RestorePage, MovePage, AdoptPage)
    claimed_by = {a.key for a in plan.actions if isinstance(a, on_page) and a.page_id == "p1"}
    assert claimed_by == {other}


def test_adoption_keeps_syncers_older_page_as_it_is_and_trashes_the_other_tools_twin() -> None:
    """A page syncer made before the takeover, already right, is kept unwritten; the other
    tool's newer page for the same shift goes to the trash as its duplicate."""
    ours = page(NOW, "calendar", "ours", created="2024-06-01T00:00:00.000Z")
    theirs = RemotePage(PageId("theirs"), "calendar", None, "2024-06-02T00:00:00.000Z", shift=NOW)
    plan = plan_adoption({NOW: content(NOW)}, {}, [ours, theirs], CAL)

    assert kinds(plan) == ["adopt", "trash"]
    trash = plan.writes[0]
    assert isinstance(trash, TrashPage)
    assert trash.page_id == PageId("theirs")
