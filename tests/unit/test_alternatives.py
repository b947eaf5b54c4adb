"""The alternatives a plan holds for what Notion may answer: the executor invents no step."""

from __future__ import annotations

from syncer.core import CreatePage, MovePage, PageId, RestorePage, TrashPage, UpdatePage
from syncer.core import alternatives as planned
from syncer.core.actions import alternative_of
from tests.support.plans import NOW, PAST, content

P1 = PageId("p1")


def test_a_move_plans_the_rewrite_the_restore_and_the_create_then_trash() -> None:
    """Lost values are written again; a page trashed by hand comes back and moves; a refused
    move becomes a create in the target and a trash of the old page, which leaves the shift
    its new page (so the mass-trash guard does not count it)."""
    move = planned.move(MovePage(PAST, P1, "calendar", "past", content(PAST)))

    lost = alternative_of(move, "values_lost")
    trashed = alternative_of(move, "page_trashed")
    refused = alternative_of(move, "move_refused")

    assert lost is not None
    assert lost.actions == (UpdatePage(PAST, "past", P1, content(PAST), None),)
    assert trashed is not None
    assert [a.kind for a in trashed.actions] == ["restore", "move"]
    assert trashed.actions[0] == RestorePage(PAST, "calendar", P1, content(PAST))
    assert refused is not None
    create, trash = refused.actions
    assert create == CreatePage(PAST, "past", content(PAST))
    assert isinstance(trash, TrashPage)
    assert (trash.database, trash.page_id, trash.duplicate) == ("calendar", P1, True)


def test_an_update_of_a_trashed_page_restores_it_first() -> None:
    """In CALENDAR the restore writes the content; in PAST CALENDAR (history) it keeps what the
    page held, so the update follows it."""
    here = planned.update(UpdatePage(NOW, "calendar", P1, content(NOW), None))
    there = planned.update(UpdatePage(PAST, "past", P1, content(PAST), None))

    calendar_steps = alternative_of(here, "page_trashed")
    past_steps = alternative_of(there, "page_trashed")

    assert calendar_steps is not None
    assert [a.kind for a in calendar_steps.actions] == ["restore"]
    assert past_steps is not None
    assert [a.kind for a in past_steps.actions] == ["restore", "update"]
    assert alternative_of(past_steps.actions[1], "page_trashed") is None  # no loop


def test_a_restore_of_a_page_gone_for_good_creates_it_only_when_it_was_the_keys_own() -> None:
    """A key's own page comes back as a new page; a duplicate that is gone needs no copy."""
    own = planned.restore(RestorePage(NOW, "calendar", P1, content(NOW)))
    duplicate = planned.restore(RestorePage(NOW, "calendar", P1, content(NOW)), own_page=False)

    gone = alternative_of(own, "page_gone")
    assert gone is not None
    assert gone.actions == (CreatePage(NOW, "calendar", content(NOW)),)
    assert alternative_of(duplicate, "page_gone") is None


def test_a_create_trash_or_skip_plans_no_alternative() -> None:
    """Only moves, updates and restores meet answers with a planned alternative."""
    create = CreatePage(NOW, "calendar", content(NOW))
    assert alternative_of(create, "page_gone") is None
