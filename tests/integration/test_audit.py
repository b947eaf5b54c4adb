"""Audit queries over a history made over real HTTP: each filter returns exactly its rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from syncer.core import ActionRecord, EnvName, RunId
from syncer.store.audit import ActionFilter, AuditEntry, RunFilter
from tests.support.admin import ADA, GRACE, Admin
from tests.support.harness import TODAY

TOMORROW = TODAY + dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
EMAIL_FIELDS = ("orig_email", "override_email", "final_email")


def make_history(admin: Admin) -> list[dt.datetime]:
    """Four runs an hour apart: create, update+trash, override, a run with failed updates."""
    times = [admin.clock.now]
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    admin.context().drain()
    for edit in (_reassign_and_delete, _override, _failing_update):
        admin.clock.advance(HOUR)
        times.append(admin.clock.now)
        edit(admin)
        admin.context().drain()
    admin.sandbox.clear_faults()
    return times


def _reassign_and_delete(admin: Admin) -> None:
    admin.app.reassign(TODAY, "AM", GRACE)
    admin.app.delete(TOMORROW, "Core")


def _override(admin: Admin) -> None:
    admin.app.override(TOMORROW, "PM", "Ada@Example.COM")


def _failing_update(admin: Admin) -> None:
    admin.sandbox.add_fault({"method": "PATCH", "path": "/v1/pages/*", "status": 400, "times": 1})
    admin.app.reassign(TODAY, "PM", GRACE)


def mentions(record: ActionRecord, email: str) -> bool:
    contents = [image.content for image in (record.before, record.after) if image]
    return any(
        str(getattr(content, name) or "").lower() == email
        for content in contents
        if content is not None
        for name in EMAIL_FIELDS
    )


@pytest.fixture
def history(admin: Admin) -> tuple[Admin, list[dt.datetime], list[AuditEntry]]:
    times = make_history(admin)
    every = admin.context().store.find_actions(ActionFilter())
    return admin, times, every


FILTERS: list[tuple[str, Callable[[list[dt.datetime]], dict[str, Any]], Callable[..., bool]]] = [
    ("email", lambda t: {"email": "ADA@example.com"}, lambda r, t: mentions(r, ADA)),
    ("run", lambda t: {"run_id": 2}, lambda r, t: r.run_id == 2),
    ("date", lambda t: {"date": TOMORROW}, lambda r, t: str(r.key).startswith(f"{TOMORROW}/")),
    ("rotation", lambda t: {"rotation": "PM"}, lambda r, t: str(r.key).endswith("/PM")),
    ("action", lambda t: {"action": "update"}, lambda r, t: r.action == "update"),
    ("status", lambda t: {"status": "failed"}, lambda r, t: r.status == "failed"),
    ("since", lambda t: {"since": t[2]}, lambda r, t: r.at >= t[2]),
    ("until", lambda t: {"until": t[1]}, lambda r, t: r.at < t[1]),
    (
        "combined",
        lambda t: {"rotation": "PM", "email": GRACE, "status": "applied"},
        lambda r, t: str(r.key).endswith("/PM") and mentions(r, GRACE) and r.status == "applied",
    ),
]


@pytest.mark.parametrize(("name", "where", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_each_action_filter_returns_exactly_the_matching_rows(
    history: tuple[Admin, list[dt.datetime], list[AuditEntry]],
    name: str,
    where: Callable[[list[dt.datetime]], dict[str, Any]],
    expected: Callable[..., bool],
) -> None:
    """The SQL filter agrees with the same predicate applied to every row by hand."""
    admin, times, every = history

    found = admin.context().store.find_actions(ActionFilter(**where(times)))

    wanted = [entry.action_id for entry in every if expected(entry.record, times)]
    assert wanted, f"the history has no row for the {name} filter"
    assert [entry.action_id for entry in found] == wanted


def test_email_matches_the_before_image_too(admin: Admin) -> None:
    """A reconcile's update keeps the old engineer in its before image, and is found by it."""
    admin.app.regenerate(TODAY, 1, [ADA])
    admin.context().drain()
    admin.app.reassign(TODAY, "AM", GRACE)
    (run,) = admin.context().drain()
    admin.context().rollback(run.run_id or RunId(0))  # its update carries before=Grace, after=Ada

    found = admin.context().store.find_actions(ActionFilter(email=GRACE, action="update"))

    assert {entry.record.run_id for entry in found} == {run.run_id, (run.run_id or 0) + 1}


def test_runs_are_listed_newest_first_and_filtered(
    history: tuple[Admin, list[dt.datetime], list[AuditEntry]],
) -> None:
    """kind, status, since and limit narrow the list; the order is newest first."""
    admin, times, _ = history
    store = admin.context().store

    every = store.find_runs(RunFilter())
    drains = store.find_runs(RunFilter(kind="drain"))
    partial = store.find_runs(RunFilter(status="partial"))
    recent = store.find_runs(RunFilter(since=times[2]))

    assert [run.run_id for run in every] == [4, 3, 2, 1]
    assert [run.kind for run in every] == ["drain", "drain", "drain", "reconcile"]
    assert [run.run_id for run in drains] == [4, 3, 2]
    assert [run.run_id for run in partial] == [4]
    assert [run.run_id for run in recent] == [4, 3]
    assert [run.run_id for run in store.find_runs(RunFilter(limit=2))] == [4, 3]
    assert store.find_runs(RunFilter(env=EnvName("other"))) == []


def test_prune_keeps_what_rolling_back_the_newest_run_needs(admin: Admin) -> None:
    """After pruning everything old, the newest run still rolls back on both sides."""
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    admin.context().drain()
    admin.app.reassign(TODAY, "AM", GRACE)
    admin.context().drain()
    rows, pages = admin.rows(), admin.pages()
    admin.app.reassign(TODAY, "AM", ADA)
    admin.app.delete(TOMORROW, "PM")
    (newest,) = admin.context().drain()
    store = admin.context().store

    report = store.prune(older_than=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))

    assert report.kept_from == {"test": newest.run_id}
    assert report.actions > 0
    assert report.changes > 0
    assert store.find_runs(RunFilter(limit=1))[0].run_id == newest.run_id
    assert admin.context().rollback(newest.run_id or RunId(0)).ok
    assert (admin.rows(), admin.pages()) == (rows, pages)
