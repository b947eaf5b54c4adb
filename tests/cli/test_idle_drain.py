"""A drain with nothing to do answers from a quick look at the file, as the full drain would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from syncer.cli._render import idle_run_json, run_json
from syncer.core import EnvName, Plan
from syncer.engine import RunResult
from tests.support.cli import TOKEN_VARIABLE, Cli

LOADED = """
import sys
from syncer.cli import main
try:
    main(sys.argv[1:], prog_name="syncer")
except SystemExit as exc:
    print("exit", exc.code, file=sys.stderr)
heavy = ("sqlalchemy", "alembic", "notion_client", "httpx", "syncer.engine.engine",
         "syncer.store.store")
print(sorted({m for m in sys.modules if m.startswith(heavy)}), file=sys.stderr)
"""


def test_an_idle_drain_says_what_a_full_drain_says_and_sends_nothing(cli: Cli) -> None:
    """Same words, same JSON, exit 0, and not one request to Notion."""
    cli.app.schedule("2026-03-11", "AM", "ada@example.com")
    assert cli("drain").exit_code == 0
    sent = len(cli.sandbox.requests())

    text = cli("drain")
    as_json = cli("--json", "drain")

    assert (text.exit_code, text.output) == (0, "drain: nothing to do.\n")
    assert as_json.exit_code == 0
    empty = RunResult("drain", EnvName("test"), None, "succeeded", Plan())
    assert json.loads(as_json.output) == {"runs": [run_json(empty)]}
    assert idle_run_json("drain", EnvName("test")) == run_json(empty)
    assert len(cli.sandbox.requests()) == sent


def test_an_idle_drain_loads_neither_sqlalchemy_nor_the_engine(cli: Cli) -> None:
    """Its cost is Python's start, the config and a few queries (see bench/startup.py)."""
    cli.app.schedule("2026-03-11", "AM", "ada@example.com")
    assert cli("drain").exit_code == 0
    args = ["--db", str(cli.db), "--config", str(cli.config), "--env", "test", "-q", "drain"]

    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        env={**os.environ, TOKEN_VARIABLE: cli.token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.stderr.strip().splitlines()[-2:] == ["exit 0", "[]"], done.stderr


def test_an_idle_drain_without_its_token_is_still_refused(cli: Cli) -> None:
    """Nothing to do is no reason to hide a broken setup until the next change."""
    cli.app.schedule("2026-03-11", "AM", "ada@example.com")
    assert cli("drain").exit_code == 0

    refused = cli("drain", env={TOKEN_VARIABLE: None})  # type: ignore[dict-item]

    assert refused.exit_code == 2
    assert TOKEN_VARIABLE in refused.output
