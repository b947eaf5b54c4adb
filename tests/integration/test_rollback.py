"""rollback over real HTTP: both sides go back, page ids survive, later runs are respected."""

from __future__ import annotations

import datetime as dt

import pytest

from syncer.core import RunId
from syncer.core.errors import RollbackRefused
from syncer.store.audit import ActionFilter
from tests.support.admin import ADA, GRACE, Admin
from tests.support.harness import ENV, TODAY

TOMORROW = TODAY + dt.timedelta(days=1)


def baseline(admin: Admin) -> None:
    """Two days of shifts, drained (the first drain reconciles and creates every page)."""
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    assert all(result.ok for result in admin.context().drain())


def edit_everything(admin: Admin) -> RunId:
    """One drain that updates, trashes and creates; returns its run id."""
    admin.app.reassign(TODAY, "AM", GRACE)
    admin.app.override(TODAY, "PM", ADA)
    admin.app.delete(TOMORROW, "Core")
    admin.app.schedule(TODAY + dt.timedelta(days=5), "AM", ADA)
    (result,) = admin.context().drain()
    assert result.kind == "drain"
    assert result.ok
    assert result.outcome.by_kind == {"update": 2, "trash": 1, "create": 1}
    assert result.run_id is not None
    return result.run_id


def test_a_rolled_back_drain_leaves_both_sides_as_before_with_the_same_page_ids(
    admin: Admin,
) -> None:
    """Rows, pages and page ids equal their state before the drain; plan finds nothing."""
    baseline(admin)
    rows, pages = admin.rows(), admin.pages()
    run_id = edit_everything(admin)

    result = admin.context().rollback(run_id)

    assert result.ok
    assert admin.rows() == rows
    assert admin.pages() == pages
    assert admin.context().plan().plan.actions == ()
    assert admin.context().store.pending_count(ENV) == 0


def test_the_trashed_page_comes_back_rather_than_a_new_one(admin: Admin) -> None:
    """Undoing a trash un-trashes the same page: no create reaches Notion."""
    baseline(admin)
    page_id = admin.pages()[f"{TOMORROW}/Core"]["id"]
    admin.app.delete(TOMORROW, "Core")
    (run,) = admin.context().drain()
    admin.sandbox.clear_requests()

    admin.context().rollback(run.run_id or RunId(0))

    assert admin.pages()[f"{TOMORROW}/Core"]["id"] == page_id
    posts = [r for r in admin.sandbox.requests() if r["method"] == "POST"]
    assert [r["path"] for r in posts if r["path"] == "/v1/pages"] == []


def test_the_rollback_is_a_run_with_audited_actions(admin: Admin) -> None:
    """A run of kind rollback records one applied action per undone write."""
    baseline(admin)
    run_id = edit_everything(admin)

    result = admin.context().rollback(run_id)

    (made,) = result.runs
    store = admin.context().store
    record = store.run(made.run_id or RunId(0))
    assert record is not None
    assert (record.kind, record.trigger, record.status) == ("rollback", "cli", "succeeded")
    entries = store.find_actions(ActionFilter(run_id=made.run_id))
    assert sorted(e.record.action for e in entries) == ["restore", "trash", "update", "update"]
    assert all(e.record.status == "applied" for e in entries)


def test_a_dry_run_changes_nothing_anywhere(admin: Admin) -> None:
    """The plan is shown; rows, pages and runs stay as they are."""
    baseline(admin)
    run_id = edit_everything(admin)
    rows, pages = admin.rows(), admin.pages()
    runs = admin.context().store.runs_after(ENV, RunId(0))

    result = admin.context().rollback(run_id, dry_run=True)

    assert [step.run.run_id for step in result.steps] == [run_id]
    assert result.steps[0].plan.counts() == {"trash": 1, "update": 2, "restore": 1}
    assert result.runs == []
    assert (admin.rows(), admin.pages()) == (rows, pages)
    assert admin.context().store.runs_after(ENV, RunId(0)) == runs


def test_a_later_run_on_the_same_keys_refuses_without_cascade(admin: Admin) -> None:
    """Refused (nothing written) unless --cascade undoes the later run first."""
    baseline(admin)
    rows, pages = admin.rows(), admin.pages()
    first = edit_everything(admin)
    admin.app.reassign(TODAY, "AM", ADA)
    (later,) = admin.context().drain()

    with pytest.raises(RollbackRefused, match=f"{later.run_id} \\(drain\\)"):
        admin.context().rollback(first)

    result = admin.context().rollback(first, cascade=True)
    assert [step.run.run_id for step in result.steps] == [later.run_id, first]
    assert result.ok
    assert (admin.rows(), admin.pages()) == (rows, pages)


def test_a_later_run_on_other_keys_does_not_block(admin: Admin) -> None:
    """Only runs that touched the same keys matter."""
    baseline(admin)
    admin.app.reassign(TODAY, "AM", GRACE)
    (first,) = admin.context().drain()
    admin.app.reassign(TOMORROW, "PM", ADA)
    admin.context().drain()

    result = admin.context().rollback(first.run_id or RunId(0))

    assert [step.run.run_id for step in result.steps] == [first.run_id]
    assert admin.pages()[f"{TODAY}/AM"]["final_email"] == ADA
    assert admin.pages()[f"{TOMORROW}/PM"]["final_email"] == ADA


def test_rolling_back_a_rollback_redoes_the_run(admin: Admin) -> None:
    """Undoing the undo brings back the run's rows and pages, trashed page included."""
    baseline(admin)
    run_id = edit_everything(admin)
    rows, pages = admin.rows(), admin.pages()
    (undo,) = admin.context().rollback(run_id).runs

    redo = admin.context().rollback(undo.run_id or RunId(0))

    assert redo.ok
    assert (admin.rows(), admin.pages()) == (rows, pages)
    assert admin.context().plan().plan.actions == ()


def test_undrained_changes_to_the_same_keys_refuse(admin: Admin) -> None:
    """A pending edit would be lost: drain first."""
    baseline(admin)
    run_id = edit_everything(admin)
    admin.app.reassign(TODAY, "AM", ADA)

    with pytest.raises(RollbackRefused, match="drain"):
        admin.context().rollback(run_id)


def test_a_reconcile_that_reverted_a_hand_edit_is_undone_in_notion(admin: Admin) -> None:
    """The reconcile's before image (the hand edit) is put back on the same page."""
    baseline(admin)
    ctx = admin.context()
    page_id = admin.pages()[f"{TODAY}/AM"]["id"]
    name = ctx.settings.properties.final_email
    ctx.gateway.update_page(
        page_id, properties={name: {"rich_text": [{"text": {"content": "hand@edit.io"}}]}}
    )
    fixed = admin.context().reconcile()

    admin.context().rollback(fixed.run_id or RunId(0))

    assert admin.pages()[f"{TODAY}/AM"]["final_email"] == "hand@edit.io"


def test_rolling_back_a_reconcile_reverts_what_it_pushed_on_both_sides(admin: Admin) -> None:
    """A change pushed by a (scheduled) reconcile is its own: undoing it, both sides agree."""
    baseline(admin)
    rows, pages = admin.rows(), admin.pages()
    admin.app.reassign(TODAY, "AM", GRACE)
    pushed = admin.context().reconcile()
    assert pushed.outcome.by_kind == {"update": 1}

    admin.context().rollback(pushed.run_id or RunId(0))

    assert admin.rows() == rows
    assert admin.pages() == pages
    assert admin.context().plan().plan.actions == ()


def test_a_later_drain_of_a_rollbacks_changes_can_itself_be_rolled_back(admin: Admin) -> None:
    """Undoing a drain that consumed a rollback's compensating changes keeps both sides equal."""
    baseline(admin)
    admin.app.reassign(TODAY, "AM", GRACE)
    (first,) = admin.context().drain()
    admin.app.reassign(TOMORROW, "PM", ADA)  # pending elsewhere: the rollback cannot skip it
    admin.context().rollback(first.run_id or RunId(0))
    (second,) = admin.context().drain()

    admin.context().rollback(second.run_id or RunId(0))

    assert admin.context().plan().plan.actions == ()


@pytest.mark.parametrize("spelling", ["AM", "am", " Am "])
def test_an_undrained_override_refuses_however_its_rotation_is_spelled(
    admin: Admin, spelling: str
) -> None:
    """A pending override written `am` touches key .../AM as surely as one written `AM`."""
    baseline(admin)
    run_id = edit_everything(admin)
    admin.app.override(TODAY, spelling, GRACE)

    with pytest.raises(RollbackRefused, match="not yet drained"):
        admin.context().rollback(run_id)
