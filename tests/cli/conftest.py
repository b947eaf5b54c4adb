"""CLI fixtures: a configured environment against the sandbox, and a runner with its variables."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from loguru import logger

from syncer.cli import main
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import App, sandbox_databases, schedule_db

TOKEN_VARIABLE = "SYNCER_CLI_TEST_TOKEN"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points loguru at the runner's stderr; put it back afterwards."""
    yield
    logger.remove()
    logger.add(sys.stderr)


@dataclass
class Cli:
    """`syncer` with --db, --config and --env set, and the token in the environment."""

    db: Path
    config: Path
    app: App
    sandbox: RunningSandbox
    token: str

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        variables = {TOKEN_VARIABLE: self.token, **(env or {})}
        runner = CliRunner()
        return runner.invoke(
            main,
            ["--db", str(self.db), "--config", str(self.config), "--env", "test", *args],
            env=variables,
            catch_exceptions=False,
        )


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
