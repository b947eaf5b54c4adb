"""`syncer` as a command-line user runs it: a configured environment against the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from syncer.cli import main
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import App

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
