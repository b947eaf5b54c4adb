"""Text from the schedule or from Notion never acts on the terminal: ESC sequences, C0/C1
controls and bidi overrides are shown escaped, and JSON output stays valid JSON."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.cli import Cli

TODAY = "2026-03-11"
# A title change, a screen clear, a C1 CSI, a bell and a right-to-left override.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_rows(cli: Cli) -> None:
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, f"PM{HOSTILE}", "ada@example.com")
    cli.app.schedule("2026-03-12", "AM", f"ada{HOSTILE}@example.com")


@pytest.mark.parametrize(
    "command",
    [
        ("drain",),
        ("plan",),
        ("status",),
        ("changes",),
        ("audit", "runs"),
        ("audit", "actions"),
        ("audit", "show", "1"),
    ],
    ids=" ".join,
)
def test_no_control_character_from_the_schedule_reaches_the_terminal(
    cli: Cli, command: tuple[str, ...]
) -> None:
    """Each report shows the hostile row escaped (\\x1b, \\u202e), never raw."""
    hostile_rows(cli)
    cli("--today", TODAY, "drain")

    result = cli("--today", TODAY, *command)

    assert not RAW.search(result.stdout), repr(result.stdout)
    assert not RAW.search(result.stderr), repr(result.stderr)
    if command != ("audit", "runs"):  # its error column is cut before the escapes
        assert "\\x1b" in result.output


def test_a_notion_message_with_control_characters_is_escaped_in_the_error_line(
    cli: Cli,
) -> None:
    """An error body from Notion (or something posing as it) prints escaped in `error:`."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.sandbox.add_fault(
        {"method": "*", "path": "*", "status": 400, "message": f"bad{HOSTILE}", "times": None}
    )

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 1
    assert not RAW.search(result.stderr), repr(result.stderr)
    assert "bad\\x1b]0;pwned\\x07" in result.stderr


def test_json_output_stays_valid_json_with_control_characters(cli: Cli) -> None:
    """--json keeps the values exact, escaped by JSON itself: every document parses."""
    hostile_rows(cli)
    drained = cli("--today", TODAY, "--json", "drain")

    for result in (drained, cli("--json", "status"), cli("--json", "audit", "actions")):
        assert not RAW.search(result.stdout)
        json.loads(result.stdout)
    reasons = [bad["key"] for bad in json.loads(drained.stdout)["runs"][0]["bad_rows"]]
    assert f"{TODAY}/PM{HOSTILE}" in reasons
