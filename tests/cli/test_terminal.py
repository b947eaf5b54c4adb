"""What a person sees: piped output never hard-wrapped, one table style, `audit actions --limit`."""

from __future__ import annotations

import json

from tests.support.cli import Cli

TODAY = "2026-03-11"
LONG = "x" * 150


def test_piped_output_never_wraps_a_line(cli: Cli) -> None:
    """Cron mail and grep get each bad row, and each table row, on one line."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "Night", f"ada.{LONG}@example.com")
    cli("--today", TODAY, "drain")

    for command in (("drain",), ("plan",), ("status",)):
        out = cli("--today", TODAY, *command).stdout
        reason = "unknown rotation 'Night' (expected one of AM, Core, PM)"
        assert any(reason in line for line in out.splitlines()), (command, out)


def test_every_table_has_one_style_with_no_trailing_spaces(cli: Cli) -> None:
    """plan, audit runs, audit actions: a rule under the header, no box, no padded line ends."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    plan = cli("--today", TODAY, "plan").stdout
    cli("--today", TODAY, "drain")

    for out in (plan, cli("audit", "runs").stdout, cli("audit", "actions").stdout):
        lines = out.splitlines()
        assert all(line == line.rstrip() for line in lines), out
        assert not any(mark in out for mark in "┏┃│└"), out
        assert any(set(line) == {"─"} for line in lines), out


def test_audit_actions_takes_a_limit(cli: Cli) -> None:
    """--limit N lists the newest N actions, as `audit runs --limit` does for runs."""
    for rotation in ("AM", "Core", "PM"):
        cli.app.schedule(TODAY, rotation, "ada@example.com")
    cli("--today", TODAY, "drain")

    every = json.loads(cli("--json", "audit", "actions").stdout)
    two = json.loads(cli("--json", "audit", "actions", "--limit", "2").stdout)

    assert len(every) == 3
    assert [a["id"] for a in two] == [a["id"] for a in every[:2]]
