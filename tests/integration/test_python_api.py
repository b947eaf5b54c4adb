"""The Python API: syncer.drain / reconcile / plan with the same config file as the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import syncer
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import TODAY, App, sandbox_databases, schedule_db

pytestmark = pytest.mark.integration


def test_python_callers_get_the_same_sync_as_the_cli(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drain() mirrors the schedule, plan() is then empty, reconcile(dry_run) changes nothing."""
    sandbox.add_user("Ada", "ada@example.com")
    created = sandbox_databases(sandbox)
    config = tmp_path / "syncer.toml"
    config.write_text(
        f"""
default_environment = "lab"
[environments.lab]
notion_token_env = "LAB_TOKEN"
calendar_database_id = "{created.calendar_database_id}"
past_calendar_database_id = "{created.past_calendar_database_id}"
notion_base_url = "{sandbox.url}"
"""
    )
    monkeypatch.setenv("LAB_TOKEN", sandbox.syncer_token)
    db = schedule_db(tmp_path)
    App(db).schedule(TODAY, "AM", "ada@example.com")

    runs = syncer.drain(db=db, config=config, today=TODAY)
    the_plan = syncer.plan(db=db, config=config, today=TODAY)
    dry = syncer.reconcile(db=db, config=config, today=TODAY, dry_run=True)

    assert [run.status for run in runs] == ["succeeded", "succeeded"]
    assert runs[0].outcome.by_kind == {"create": 1}
    assert the_plan.actions == ()
    assert dry.plan.actions == ()
