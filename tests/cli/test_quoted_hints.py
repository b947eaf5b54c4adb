"""A hint that shows a command naming the environment quotes it, so it can be pasted as is."""

from __future__ import annotations

import re
import shlex

from tests.support.cli import TOKEN_VARIABLE, Cli
from tests.support.harness import sandbox_databases

TODAY = "2026-03-11"


def test_the_rollback_hint_for_another_environment_quotes_its_name(cli: Cli) -> None:
    """`rollback` of another environment's run names `syncer --env 'my env' rollback N`."""
    other = sandbox_databases(cli.sandbox)
    cli.config.write_text(
        cli.config.read_text()
        + f"""
[environments."my env"]
notion_token_env = "{TOKEN_VARIABLE}"
calendar_database_id = "{other.calendar_database_id}"
past_calendar_database_id = "{other.past_calendar_database_id}"
notion_base_url = "{cli.sandbox.url}"
"""
    )
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    assert cli("--env", "my env", "--today", TODAY, "drain").exit_code == 0
    run_id = "1"

    refused = cli("--today", TODAY, "rollback", run_id)  # the fixture's --env is "test"

    assert refused.exit_code == 2
    assert f"`syncer --env 'my env' rollback {run_id}`" in refused.stderr
    [command] = re.findall(r"`(syncer [^`]*)`", refused.stderr)
    pasted = cli("--today", TODAY, *shlex.split(command)[1:], "--dry-run")
    assert pasted.exit_code == 0, pasted.output
