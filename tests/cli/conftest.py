"""CLI fixtures: a configured environment against the sandbox, and a runner with its variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.sandbox.server import RunningSandbox
from tests.support.cli import TOKEN_VARIABLE, Cli
from tests.support.harness import App, sandbox_databases, schedule_db


@pytest.fixture
def cli(sandbox: RunningSandbox, tmp_path: Path) -> Cli:
    sandbox.add_user("Ada", "ada@example.com")
    created = sandbox_databases(sandbox)
    config = tmp_path / "syncer.toml"
    config.write_text(
        f"""
timezone = "Europe/London"

[retry]
waits = [0]

[environments.test]
notion_token_env = "{TOKEN_VARIABLE}"
calendar_database_id = "{created.calendar_database_id}"
past_calendar_database_id = "{created.past_calendar_database_id}"
notion_base_url = "{sandbox.url}"
"""
    )
    db = schedule_db(tmp_path)
    return Cli(db, config, App(db), sandbox, sandbox.syncer_token)
