"""`syncer` as a command-line user runs it: a configured environment against the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from syncer.cli import main
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import App, sandbox_databases, schedule_db

TOKEN_VARIABLE = "SYNCER_CLI_TEST_TOKEN"


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


def configured_cli(sandbox: RunningSandbox, folder: Path) -> Cli:
    """A schedule file and a config in ``folder`` for an environment `test` on ``sandbox``
    (its databases created, a person Ada added, retries without waiting)."""
    sandbox.add_user("Ada", "ada@example.com")
    created = sandbox_databases(sandbox)
    config = folder / "syncer.toml"
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
    db = schedule_db(folder)
    return Cli(db, config, App(db), sandbox, sandbox.syncer_token)
