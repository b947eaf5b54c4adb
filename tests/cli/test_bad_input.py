"""A corpus of bad rows and bad configs: each is named, the rest is synced, the exit code says
so; and no secret reaches any output, log file, audit row or the SQLite file."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.support.cli import TOKEN_VARIABLE, Cli

TODAY = "2026-03-11"
WEBHOOK = "SYNCER_TEST_WEBHOOK"

# (date, rotation, email, what the report must say)
BAD_ROWS = [
    (TODAY, "Night", "ada@example.com", "unknown rotation"),
    (TODAY, "AM'; DROP TABLE oncall_schedule;--", "ada@example.com", "unknown rotation"),
    ("2026-02-30", "AM", "ada@example.com", "no such day"),
    ("11/03/2026", "AM", "ada@example.com", "malformed date"),
    ("2026-03-12", "AM", "", "empty email"),
    ("2026-03-12", "PM", "ada at example.com", "malformed email"),
    ("2026-03-13", "AM", "a" * 3000 + "@example.com", "3012 characters"),
    ("2026-03-13", "PM", "\u202eada@example.com", "malformed email"),  # right-to-left override
    ("2026-03-16", "AM", "x'); DELETE FROM sync_pages;--@example.com", "malformed email"),
]
GOOD_ROWS = [(TODAY, "Core", "ada@example.com"), ("2026-03-12", "Core", "ada@example.com")]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_every_bad_row_is_named_and_the_good_ones_are_synced(cli: Cli, tmp_path: Path) -> None:
    """Each bad row appears by row id in the report and as a skip in the audit; exit 1."""
    rows: list[tuple[object, ...]] = [tuple(row[:3]) for row in BAD_ROWS]
    rows += [tuple(row) for row in GOOD_ROWS]
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )

    result = cli("--today", TODAY, "--json", "drain")
    skips = json.loads(cli("--json", "audit", "actions", "--action", "skip").stdout)

    assert result.exit_code == 1
    reported = [bad for run in json.loads(result.stdout)["runs"] for bad in run["bad_rows"]]
    by_row = {bad["row_id"]: bad["reason"] for bad in reported}
    for row_id, (_, _, _, says) in enumerate(BAD_ROWS, start=1):
        assert says in by_row[row_id], (row_id, by_row.get(row_id))
    assert all(len(reason) < 300 for reason in by_row.values())  # long values are cut
    assert {skip["key"] for skip in skips} >= {bad["key"] for bad in reported}
    creates = [
        r for r in cli.sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/pages")
    ]
    assert len(creates) == len(GOOD_ROWS)
    assert all(r["status"] < 400 for r in cli.sandbox.requests())


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('timezone = "Europe/London"', 'timezone = "Mars/Olympus"', "timezone"),
        (
            'timezone = "Europe/London"',
            'timezone = "Europe/London"\nreconcile_every = "soon"',
            "reconcile_every",
        ),
        ("[retry]", "[retries]", "did you mean retry?"),
        ("waits = [0]", "waits = [-1]", "waits"),
        ('calendar_database_id = "', 'calendar_database_id = "nope', "is not a Notion database id"),
        ("[environments.test]", '[environments.test]\nnotion_tokn_env = "X"', "did you mean"),
    ],
)
def test_each_bad_config_is_a_usage_error_naming_the_key(
    cli: Cli, old: str, new: str, says: str
) -> None:
    """Exit 2 and a message that names what to fix; nothing is sent to Notion."""
    cli.config.write_text(cli.config.read_text().replace(old, new, 1))
    before = len(cli.sandbox.requests())

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 2
    assert says in result.stderr
    assert len(cli.sandbox.requests()) == before


def test_no_secret_reaches_any_output_log_audit_or_the_sqlite_file(
    cli: Cli, tmp_path: Path
) -> None:
    """Through a refused token, an unreachable Notion and a failing webhook: no secret leaks."""
    webhook = f"http://127.0.0.1:{closed_port()}/hooks/T000/very-secret-path"
    log = tmp_path / "syncer.log"
    secrets = {cli.token, webhook, "very-secret-path", "secret_wrong_token"}
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "PM", "not an email")
    env = {WEBHOOK: webhook}
    with_hook = cli.config.read_text() + f'\n[alerts]\nwebhook_url_env = "{WEBHOOK}"\n'
    cli.config.write_text(with_hook)
    logging = ("--log-file", str(log), "-vv")

    outputs = [
        cli("--today", TODAY, *logging, "drain", env=env),  # partial: a bad row, alerted
        cli(
            "--today",
            TODAY,
            *logging,
            "--json",
            "plan",
            env={**env, TOKEN_VARIABLE: "secret_wrong_token"},
        ),
        cli("--json", "audit", "actions"),
        cli("--json", "audit", "runs"),
        cli("--json", "status"),
    ]
    dead = cli.config.read_text().replace(cli.sandbox.url, f"http://127.0.0.1:{closed_port()}")
    cli.config.write_text(dead)
    outputs.append(cli("--today", TODAY, *logging, "reconcile", env=env))

    texts = [result.output for result in outputs] + [log.read_text()]
    stored = cli.db.read_bytes() + b"".join(
        path.read_bytes() for path in cli.db.parent.glob(cli.db.name + "-*")
    )
    for secret in secrets:
        assert all(secret not in text for text in texts), secret
        assert secret.encode() not in stored, secret
