"""The cron lines of docs/deploy.md and the README, run as cron runs them: /bin/sh, an almost
empty environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import TOKEN_VARIABLE, Cli

ROOT = Path(__file__).resolve().parents[2]


def cron_commands(document: str) -> list[str]:
    """The command part of each line of the cron block (after the five schedule fields)."""
    text = (ROOT / document).read_text(encoding="utf-8")
    (block,) = re.findall(r"```cron\n(.*?)```", text, re.S)
    lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    return [line.split(None, 5)[5] for line in lines]


@pytest.mark.parametrize("document", ["docs/deploy.md", "README.md"])
def test_the_cron_lines_work_as_written_and_print_nothing_on_success(
    cli: Cli, tmp_path: Path, document: str
) -> None:
    """With only the paths replaced by the test's, each line exits 0 and prints nothing."""
    env_file = tmp_path / "syncer.env"
    env_file.write_text(
        f"{TOKEN_VARIABLE}={cli.token}\nSYNCER_CONFIG={cli.config}\n"
        f"SYNCER_DB={cli.db}\nSYNCER_ENV=test\n"
    )
    syncer = str(Path(sys.executable).with_name("syncer"))
    cli.app.schedule("2026-03-11", "AM", "ada@example.com")
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}

    commands = cron_commands(document)
    results = [
        subprocess.run(
            [
                "/bin/sh",
                "-c",
                command.replace("/etc/syncer/syncer.env", str(env_file)).replace(
                    "/opt/syncer/.venv/bin/syncer", syncer
                ),
            ],
            env=cron_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for command in commands
    ]

    assert len(commands) == 2
    assert [(r.returncode, r.stdout, r.stderr) for r in results] == [(0, "", "")] * 2
    creates = [
        r for r in cli.sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/pages")
    ]
    assert len(creates) == 1  # they really synced the row
