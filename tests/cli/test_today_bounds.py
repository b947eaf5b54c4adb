"""`--today` is for reproducing runs: a date syncer cannot work with, or one far ahead of the
clock (a typo such as 2062 for 2026), is refused before anything is read or written."""

from __future__ import annotations

import datetime as dt
import json

from syncer.engine.today import FAR_AHEAD
from tests.support.cli import Cli


def pages(cli: Cli) -> list[dict[str, object]]:
    return [page for page in cli.sandbox.dump()["pages"] if "Sync Key" in page["properties"]]


def test_a_date_whose_weeks_cannot_be_worked_out_is_a_usage_error(cli: Cli) -> None:
    """0001-01-01 gives a clear error, exit 2, not a traceback."""
    result = cli("--today", "0001-01-01", "--json", "plan")

    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "config_error"
    assert "out of range" in error["message"]


def test_a_date_far_ahead_is_refused_unless_forced(cli: Cli) -> None:
    """Weeks ahead of the clock: refused with exit 2 and nothing written; --force runs it."""
    ahead = dt.datetime.now(dt.UTC).date() + FAR_AHEAD + dt.timedelta(weeks=2)
    cli.app.schedule(ahead, "AM", "ada@example.com")

    refused = cli("--today", ahead.isoformat(), "drain")
    assert refused.exit_code == 2
    assert "ahead of today" in refused.stderr
    assert "--force" in refused.stderr
    assert pages(cli) == []
    assert cli("--today", ahead.isoformat(), "plan").exit_code == 2

    forced = cli("--today", ahead.isoformat(), "drain", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(pages(cli)) == 1


def test_a_date_in_the_past_is_taken_as_given(cli: Cli) -> None:
    """Reproducing an older run is what --today is for: no refusal, however far back."""
    cli.app.schedule("2019-06-05", "AM", "ada@example.com")

    result = cli("--today", "2019-06-05", "drain")

    assert result.exit_code == 0, result.output
    assert len(pages(cli)) == 1
