"""A token that Notion's answer quotes back is redacted before any output, log or stored row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from loguru import logger

from syncer.cli._globals import Globals
from syncer.cli._logging import setup_logging
from tests.support.cli import TOKEN_VARIABLE, Cli

TODAY = "2026-03-11"
QUOTED_TOKEN = "ntn_" + "Q" * 46  # not syncer's: a token only Notion's message carries
LEGACY_TOKEN = "secret_" + "L" * 43
BEARER_VALUE = "eyJhbGciOiJIUzI1NiJ9.payload.signature"


def _stored_text(cli: Cli) -> str:
    """Every error column syncer writes, as the file holds them."""
    with sqlite3.connect(cli.db) as conn:
        rows = conn.execute(
            "SELECT error FROM sync_runs UNION ALL SELECT error FROM sync_actions "
            "UNION ALL SELECT last_error FROM sync_failing_keys UNION ALL "
            "SELECT request_ids FROM sync_actions UNION ALL SELECT detail FROM sync_problems"
        ).fetchall()
    conn.close()
    return "\n".join(str(value) for (value,) in rows if value is not None)


def _all_bytes(cli: Cli) -> bytes:
    files = [cli.db, *cli.db.parent.glob(cli.db.name + "-*")]
    return b"".join(path.read_bytes() for path in files)


def test_a_token_quoted_in_a_failed_write_reaches_no_output_or_row(
    cli: Cli, tmp_path: Path
) -> None:
    """A 400 whose message quotes a token: the audit, failing key, logs and status redact it."""
    log = tmp_path / "syncer.log"
    cli.sandbox.add_fault(
        {
            "kind": "status",
            "method": "POST",
            "path": "/v1/pages",
            "status": 400,
            "message": f"API token is invalid: Bearer {QUOTED_TOKEN} ({LEGACY_TOKEN})",
        }
    )
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    drained = cli("--today", TODAY, "-vv", "--log-file", str(log), "drain")
    runs = [str(run["id"]) for run in json.loads(cli("--json", "audit", "runs").stdout)]
    outputs = [
        drained.output,
        log.read_text(),
        *(cli("--json", "audit", "show", run).output for run in runs),
        cli("--json", "audit", "actions").output,
        cli("--today", TODAY, "--json", "status").output,
        _stored_text(cli),
    ]

    assert drained.exit_code == 1, drained.output
    assert "Bearer [redacted]" in _stored_text(cli)
    for text in outputs:
        assert QUOTED_TOKEN not in text
        assert LEGACY_TOKEN not in text
    assert QUOTED_TOKEN.encode() not in _all_bytes(cli)


def test_a_token_quoted_in_a_refused_read_reaches_no_error_line_or_run_row(cli: Cli) -> None:
    """A 401 quoting the bearer value: the error line, --json error and sync_runs redact it."""
    cli.sandbox.add_fault(
        {
            "kind": "status",
            "path": "/v1/data_sources/*/query",
            "status": 401,
            "message": f"API token is invalid: Bearer {BEARER_VALUE}",
            "times": None,
        }
    )
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    text = cli("--today", TODAY, "reconcile")
    as_json = cli("--today", TODAY, "--json", "reconcile")

    assert (text.exit_code, as_json.exit_code) == (1, 1)
    assert "error: Notion refused the token: API token is invalid: Bearer [redacted]" in (
        text.stderr
    )
    assert BEARER_VALUE not in json.loads(as_json.stdout)["error"]["message"]
    assert BEARER_VALUE not in text.output + as_json.output + _stored_text(cli)
    assert "Bearer [redacted]" in _stored_text(cli)


def test_log_lines_mask_the_configured_token_and_webhook_url(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a log line holds, the configured secrets and token-shaped text are masked."""
    webhook = "https://hooks.example.com/services/T0/B0/very-secret-path"
    config = cli.config.read_text() + '\n[alerts]\nwebhook_url_env = "SYNCER_TEST_HOOK"\n'
    cli.config.write_text(config)
    log = tmp_path / "syncer.log"
    monkeypatch.setenv(TOKEN_VARIABLE, "plain-token-without-a-shape")
    monkeypatch.setenv("SYNCER_TEST_HOOK", webhook)

    setup_logging(Globals(config_path=cli.config, log_file=log))
    logger.warning(
        "reached {} and {}; also Bearer abc.def and {}",
        "plain-token-without-a-shape",
        webhook,
        QUOTED_TOKEN,
    )

    assert (
        log.read_text()
        .splitlines()[-1]
        .endswith("reached [redacted] and [redacted]; also Bearer [redacted] and [redacted]")
    )
