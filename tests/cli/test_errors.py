"""Errors at the prompt: each names what is wrong and what to do next, in text or JSON."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from click.testing import CliRunner, Result

from syncer.cli import main
from tests.support.cli import TOKEN_VARIABLE, Cli


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_config(cli: Cli, old: str, new: str) -> None:
    """Rewrite one line of the test environment's config."""
    text = cli.config.read_text()
    assert old in text
    cli.config.write_text(text.replace(old, new))


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def test_an_unreachable_notion_is_named_with_the_key_to_check(cli: Cli) -> None:
    """A dead port: two attempts, then 'cannot reach URL' and the notion_base_url hint."""
    url = f"http://127.0.0.1:{closed_port()}"
    with_config(cli, f'notion_base_url = "{cli.sandbox.url}"', f'notion_base_url = "{url}"')
    cli.app.schedule("2026-03-11", "AM", "ada@example.com")

    text = cli("--today", "2026-03-11", "drain")
    document = json.loads(cli("--today", "2026-03-11", "--json", "drain").stdout)

    assert text.exit_code == 1
    assert f"cannot reach {url}" in text.stderr
    assert "check notion_base_url in [environments.test]" in text.stderr
    assert "token" not in text.stderr
    assert text.stderr.count("retry 1 in") == 1  # two attempts, one retry, then it gives up
    assert document["error"]["code"] == "unreachable"


def test_a_refused_token_names_the_variable_that_holds_it(cli: Cli) -> None:
    """401: the hint names the token variable of the environment, never the token."""
    result = cli("--today", "2026-03-11", "plan", env={TOKEN_VARIABLE: "secret_wrong"})

    assert result.exit_code == 1
    assert f"check {TOKEN_VARIABLE}" in result.stderr
    assert "secret_wrong" not in result.output


def test_a_database_notion_cannot_find_says_to_share_it(cli: Cli) -> None:
    """404 / object_not_found: share the databases with the integration, check the ids."""
    text = cli.config.read_text()
    cli.config.write_text(
        re.sub(r'\ncalendar_database_id = "[^"]*"', f'\ncalendar_database_id = "{"0" * 32}"', text)
    )

    result = cli("--today", "2026-03-11", "plan")

    assert result.exit_code == 1
    assert "share both databases with the integration" in result.stderr


def test_a_db_file_that_is_not_sqlite_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    """Exit 2 and the file's name, not a driver message."""
    path = tmp_path / "schedule.txt"
    path.write_text("not a database")

    result = run("--db", str(path), "changes")

    assert result.exit_code == 2
    assert f"{path} is not a SQLite database" in result.stderr


def test_config_mistakes_each_get_their_own_message(tmp_path: Path, cli: Cli) -> None:
    """A missing file, an unset or empty token variable, a typo'd key, a malformed id."""
    missing = run("--config", str(tmp_path / "nope.toml"), "--db", str(cli.db), "plan")
    unset = cli("plan", env={TOKEN_VARIABLE: ""})
    typo = tmp_path / "typo.toml"
    typo.write_text(cli.config.read_text().replace("timezone =", "timezon ="))
    typoed = run("--config", str(typo), "--db", str(cli.db), "plan")
    bad_id = tmp_path / "id.toml"
    bad_id.write_text(
        cli.config.read_text().replace('calendar_database_id = "', 'calendar_database_id = "x')
    )
    malformed = run("--config", str(bad_id), "--db", str(cli.db), "plan")

    assert "config file not found" in missing.stderr
    assert f"{TOKEN_VARIABLE} is set but empty" in unset.stderr
    assert "did you mean timezone?" in typoed.stderr
    assert "is not a Notion database id" in malformed.stderr
    assert {r.exit_code for r in (missing, unset, typoed, malformed)} == {2}


def test_a_usage_error_is_json_under_json() -> None:
    """Even a bad option value answers in JSON when --json was given, with exit 2."""
    result = run("audit", "runs", "--kind", "bogus", "--json")

    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "usage_error"
