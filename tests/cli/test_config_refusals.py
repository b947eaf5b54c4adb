"""Config values that would leak a secret or silently do nothing are refused, never echoed."""

from __future__ import annotations

import pytest

from tests.support.cli import TOKEN_VARIABLE, Cli

TODAY = "2026-03-11"
PASTED_TOKEN = "ntn_" + "P" * 46
PASTED_HOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"


@pytest.mark.parametrize(
    ("old", "new", "key", "secret"),
    [
        (
            'notion_base_url = "http://',
            'notion_base_url = "http://syncer:hunter2-password@',
            "environments.test.notion_base_url",
            "hunter2-password",
        ),
        (
            f'notion_token_env = "{TOKEN_VARIABLE}"',
            'notion_token_env = "v2.very-secret-oauth-value"',  # no token shape to mask
            "environments.test.notion_token_env",
            "very-secret-oauth-value",
        ),
        (
            "[retry]",
            f'[alerts]\nwebhook_url_env = "{PASTED_HOOK}"\n\n[retry]',
            "alerts.webhook_url_env",
            "XXXXXXXXXXXXXXXX",
        ),
    ],
)
def test_a_value_that_could_leak_is_refused_naming_the_key_not_the_value(
    cli: Cli, old: str, new: str, key: str, secret: str
) -> None:
    """Exit 2 before any request; the message names the key and what it should hold."""
    text = cli.config.read_text()
    assert old in text
    cli.config.write_text(text.replace(old, new, 1))
    before = len(cli.sandbox.requests())

    result = cli("--today", TODAY, "drain")
    as_json = cli("--today", TODAY, "--json", "drain")

    assert (result.exit_code, as_json.exit_code) == (2, 2), result.output
    assert key in result.stderr
    assert secret not in result.output + as_json.output
    assert '"code": "config_error"' in as_json.stdout
    assert len(cli.sandbox.requests()) == before


def test_the_refusals_say_what_the_key_should_hold(cli: Cli) -> None:
    """A pasted token is told to be a variable's name; a URL with a password, host and port."""
    text = cli.config.read_text()
    cli.config.write_text(text.replace(f'"{TOKEN_VARIABLE}"', f'"{PASTED_TOKEN}"', 1))
    named = cli("--today", TODAY, "drain")
    cli.config.write_text(text.replace("http://", "http://user:pw@", 1))
    with_credentials = cli("--today", TODAY, "drain")

    assert "the name of an environment variable" in named.stderr
    assert "no user name or password" in with_credentials.stderr
