"""`syncer notion check [--write-test]` against the sandbox: capabilities, version, preflight."""

from __future__ import annotations

import json
from typing import Any

import pytest

from syncer.core.kinds import CAPABILITIES
from tests.support.cli import TOKEN_VARIABLE, Cli


def scratch_pages(cli: Cli) -> list[dict[str, Any]]:
    """Every page the write test made, trashed or not (its title always says what it is)."""
    return [
        page
        for page in cli.sandbox.dump()["pages"]
        if "syncer self-test" in json.dumps(page["properties"])
    ]


def check(cli: Cli, *args: str, capabilities: list[str] | None = None) -> Any:
    """`notion check` with --json, as a token with these capabilities (default: every one)."""
    env = {}
    if capabilities is not None:
        env[TOKEN_VARIABLE] = cli.sandbox.add_integration("Checked", capabilities)["token"]
    result = cli("--json", "notion", "check", *args, env=env)
    return result.exit_code, json.loads(result.stdout)


def test_check_prints_the_notion_version_and_what_the_token_may_do(cli: Cli) -> None:
    """Reading tells content and user capabilities; writing ones wait for --write-test."""
    result = cli("notion", "check")

    assert result.exit_code == 0
    assert "Notion-Version: 2025-09-03" in result.stdout
    assert "read_user_emails  present" in result.stdout
    assert "insert_content    unchecked  (run with --write-test)" in result.stdout


def test_a_token_without_user_information_is_listed_but_usable(cli: Cli) -> None:
    """Missing user capabilities are named (emails become text); the databases stay usable."""
    code, report = check(cli, capabilities=list(CAPABILITIES[:3]))

    assert code == 0
    assert report["capabilities"]["read_users"] == "missing"
    assert report["capabilities"]["read_user_emails"] == "missing"


@pytest.mark.parametrize("move_values", ["keep-by-name", "title-only"])
def test_the_write_test_runs_every_step_and_leaves_nothing_behind(
    cli: Cli, move_values: str
) -> None:
    """Create, update, move, read back, trash: each timed and compared; the page ends in the
    trash, and what the move kept is reported."""
    cli.sandbox.update_settings(move_values=move_values)

    code, report = check(cli, "--write-test")

    assert code == 0
    test = report["write_test"]
    steps = [step["step"] for step in test["steps"]]
    expected = ["create", "update", "move", "read back", "trash"]
    if move_values == "title-only":
        expected.insert(3, "rewrite")
    assert steps == expected
    assert all(step["ok"] and step["ms"] >= 0 for step in test["steps"])
    assert test["sync_key"].startswith("syncer-selftest/")
    move = test["steps"][2]["detail"]
    assert ("kept every value" in move) == (move_values == "keep-by-name")
    assert report["capabilities"]["insert_content"] == "present"
    assert report["capabilities"]["update_content"] == "present"
    assert [page["in_trash"] for page in scratch_pages(cli)] == [True]


def test_a_failing_step_still_trashes_the_scratch_page(cli: Cli) -> None:
    """A move Notion refuses fails the test (exit 2), and the page is trashed all the same."""
    cli.sandbox.add_fault(
        {"method": "POST", "path": "/v1/pages/*/move", "status": 400, "times": None}
    )

    code, report = check(cli, "--write-test")

    assert code == 2
    steps = {step["step"]: step for step in report["write_test"]["steps"]}
    assert not steps["move"]["ok"]
    assert steps["trash"]["ok"]
    assert [page["in_trash"] for page in scratch_pages(cli)] == [True]


def test_a_create_whose_answer_was_lost_is_found_and_trashed(cli: Cli) -> None:
    """The page a failed create made anyway is looked up by its Sync Key and trashed."""
    cli.sandbox.add_fault(
        {"kind": "apply_then_fail", "method": "POST", "path": "/v1/pages", "status": 504}
    )

    code, report = check(cli, "--write-test")

    assert code == 2
    assert [step["step"] for step in report["write_test"]["steps"]] == ["create", "trash"]
    assert [page["in_trash"] for page in scratch_pages(cli)] == [True]


def test_a_read_only_token_fails_the_write_test_naming_the_capability(cli: Cli) -> None:
    """The create answers 403: insert_content is missing, exit 2, nothing to trash."""
    code, report = check(cli, "--write-test", capabilities=["read_content", "read_users"])

    assert code == 2
    assert report["capabilities"]["insert_content"] == "missing"
    assert report["write_test"]["steps"][0]["step"] == "create"
    assert scratch_pages(cli) == []


def test_the_write_test_in_text_tells_each_step(cli: Cli) -> None:
    """The text report lists each step with ok, milliseconds and what the workspace did."""
    result = cli("notion", "check", "--write-test")

    assert result.exit_code == 0
    assert "write test (Sync Key syncer-selftest/" in result.stdout
    for step in ("create", "update", "move", "read back", "trash"):
        assert f"  {step:<11} ok " in result.stdout


def test_a_database_notion_cannot_find_exits_2_naming_its_config_key(cli: Cli) -> None:
    """Not shared (or a wrong id): exit 2, the other database still checked, the key named."""
    text = cli.config.read_text()
    start = text.index('past_calendar_database_id = "') + len('past_calendar_database_id = "')
    end = text.index('"', start)
    cli.config.write_text(text[:start] + "1" * 32 + text[end:])

    code, report = check(cli)

    assert code == 2
    assert report["databases"]["calendar"]["problems"] == []
    (problem,) = report["databases"]["past"]["problems"]
    assert "past_calendar_database_id" in problem
    assert "share it with the integration" in problem
