"""Property: any drained change set, rolled back, leaves both sides exactly as before the drain."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncer.core import RunId
from syncer.sandbox.server import RunningSandbox
from tests.support.admin import ADA, GRACE, Admin, build_admin
from tests.support.harness import TODAY

pytestmark = pytest.mark.integration

DAYS = st.integers(min_value=0, max_value=3).map(lambda n: TODAY + dt.timedelta(days=n))
ROTATIONS = st.sampled_from(["AM", "Core", "PM"])
EMAILS = st.sampled_from([ADA, GRACE, "Grace@Example.com", "nobody@example.com"])
TABLES = st.sampled_from(["oncall_schedule", "oncall_schedule_overrides"])

EDITS = st.one_of(
    st.tuples(st.just("schedule"), DAYS, ROTATIONS, EMAILS),
    st.tuples(st.just("reassign"), DAYS, ROTATIONS, EMAILS),
    st.tuples(st.just("override"), DAYS, ROTATIONS, EMAILS),
    st.tuples(st.just("delete"), DAYS, ROTATIONS, TABLES),
)


def apply_edit(admin: Admin, edit: tuple[str, dt.date, str, str]) -> None:
    verb, day, rotation, value = edit
    if verb == "delete":
        admin.app.delete(day, rotation, value)
    else:
        getattr(admin.app, verb)(day, rotation, value)


@settings(max_examples=15, deadline=None)
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_a_drained_change_set_rolled_back_restores_rows_pages_and_page_ids(
    sandbox_server: RunningSandbox, edits: list[tuple[str, dt.date, str, str]]
) -> None:
    """Local rows and Notion pages (ids included) equal their state before the drain."""
    sandbox_server.reset()
    with tempfile.TemporaryDirectory() as directory:
        admin = build_admin(sandbox_server, Path(directory))
        try:
            admin.app.regenerate(TODAY, 2, [ADA, GRACE])
            admin.app.override(TODAY, "PM", GRACE)
            admin.context().drain()
            rows, pages = admin.rows(), admin.pages()
            for edit in edits:
                apply_edit(admin, edit)
            runs = [result for result in admin.context().drain() if result.run_id is not None]

            for run in runs:
                assert admin.context().rollback(run.run_id or RunId(0)).ok

            assert admin.rows() == rows
            assert admin.pages() == pages
            assert admin.context().plan().plan.actions == ()
        finally:
            admin.close()
