"""Internationalised addresses (RFC 6531) are synced and matched to their Notion person."""

from __future__ import annotations

import json
from typing import Any

from tests.support.cli import Cli

TODAY = "2026-03-11"


def _page(cli: Cli, sync_key: str) -> dict[str, Any]:
    pages = cli.sandbox.dump()["pages"]
    found = [
        p
        for p in pages
        if "Sync Key" in p["properties"]
        and "".join(t["plain_text"] for t in p["properties"]["Sync Key"]["rich_text"]) == sync_key
    ]
    assert len(found) == 1, sync_key
    return dict(found[0]["properties"])


def test_an_address_with_a_non_ascii_domain_or_local_part_is_synced(cli: Cli) -> None:
    """peggy@exämple.com and Ünal@例え.jp land on their pages, matched case-insensitively."""
    peggy = cli.sandbox.add_user("Peggy", "peggy@exämple.com")
    unal = cli.sandbox.add_user("Ünal", "ünal@例え.jp")
    cli.app.schedule(TODAY, "AM", "Peggy@EXÄMPLE.com")
    cli.app.schedule(TODAY, "PM", "Ünal@例え.jp")

    result = cli("--today", TODAY, "--json", "drain")

    assert result.exit_code == 0, result.output
    assert all(run["bad_rows"] == [] for run in json.loads(result.stdout)["runs"])
    am, pm = _page(cli, f"{TODAY}/AM"), _page(cli, f"{TODAY}/PM")
    assert am["Final Engineer Email"]["rich_text"][0]["plain_text"] == "peggy@exämple.com"
    assert [person["id"] for person in am["Final Engineer"]["people"]] == [peggy["id"]]
    assert [person["id"] for person in pm["Final Engineer"]["people"]] == [unal["id"]]


def test_invisible_and_space_characters_in_an_address_stay_refused(cli: Cli) -> None:
    """A right-to-left override, a zero-width space or a space makes a bad row, named."""
    cli.app.schedule(TODAY, "AM", "peggy@exämple.com\u202e")
    cli.app.schedule(TODAY, "Core", "peggy\u200b@exämple.com")
    cli.app.schedule(TODAY, "PM", "peggy @exämple.com")

    result = cli("--today", TODAY, "--json", "drain")

    assert result.exit_code == 1
    reasons = [
        bad["reason"] for run in json.loads(result.stdout)["runs"] for bad in run["bad_rows"]
    ]
    assert len(reasons) == 3
    assert all("malformed email" in reason for reason in reasons)
    assert any("RIGHT-TO-LEFT OVERRIDE" in reason for reason in reasons)
