"""The README's quick start, run as written (port and venv path aside) in a fresh folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_script(port: int) -> str:
    """The quick start section's shell blocks, joined, with the sandbox on ``port``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start against the sandbox", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the quick start has its two shell blocks"
    script = "\n".join(blocks).replace("8765", str(port))
    venv = Path(sys.executable).parent
    return script.replace(". .venv/bin/activate", f'export PATH="{venv}:$PATH"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_quick_start_works_as_written_on_any_day(tmp_path: Path) -> None:
    """Every command exits 0, the drain creates today's three pages, and plan says in sync."""
    port = free_port()
    script = "set -euo pipefail\ntrap 'kill %1 2>/dev/null || true' EXIT\n"
    script += quick_start_script(port)
    script = script.replace(
        "syncer sandbox ", f"SYNCER_SANDBOX_URL=http://127.0.0.1:{port} syncer sandbox "
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCER_")}
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["quickstart"]  # its own folder
    assert "3 create" in result.stdout
    assert "In sync: nothing to do." in result.stdout
    assert "bad rows: 0" in result.stdout
