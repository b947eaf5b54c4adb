"""The real SDKs the sandbox's contract is checked with, installed once into ``.cache/``.

Notion's JavaScript SDK comes from npm, into one prefix per major version (5.x speaks
2025-09-03, 4.x 2022-06-28); notion-client 2.5.0 (the last 2.x that sends 2022-06-28) comes from
PyPI into a virtual environment of its own, since the project's has 3.x. Later runs reuse them.
When node, npm or a registry is missing the tests skip, unless ``SYNCER_REQUIRE_CLIENTS`` is set
(``.ci/run`` sets it): then a missing client is a failure, never a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from syncer.sandbox.server import RunningSandbox

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
HERE = Path(__file__).parent
INSTALL_TIMEOUT_S = 300
RUN_TIMEOUT_S = 60


def unavailable(message: str) -> NoReturn:
    """Skip the test, or fail it where the clients are required (CI)."""
    if os.environ.get("SYNCER_REQUIRE_CLIENTS"):
        pytest.fail(f"{message} (SYNCER_REQUIRE_CLIENTS is set)")
    pytest.skip(message)


def _install(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        unavailable(f"could not install {what}: {exc}")
    if done.returncode != 0:
        unavailable(f"could not install {what}: {done.stderr.strip()[-400:]}")


@dataclass(frozen=True, slots=True)
class JsSdk:
    """``@notionhq/client`` at ``version`` (an exact version, or a major one), under ``prefix``."""

    version: str
    prefix: Path

    def installed(self) -> bool:
        manifest = self.prefix / "node_modules" / "@notionhq" / "client" / "package.json"
        if not manifest.exists():
            return False
        found = str(json.loads(manifest.read_text())["version"])
        return found == self.version or found.startswith(self.version + ".")

    def ready(self) -> Path:
        """The prefix, once the SDK is installed there (on first use)."""
        if shutil.which("node") is None or shutil.which("npm") is None:
            unavailable("node and npm are needed for the JavaScript SDK tests")
        if not self.installed():
            self.prefix.mkdir(parents=True, exist_ok=True)
            package = f"@notionhq/client@{self.version}"
            npm = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(self.prefix)]
            _install([*npm, package], package)
        return self.prefix


@dataclass(frozen=True, slots=True)
class PySdk:
    """A virtual environment holding one ``requirement`` (and only that)."""

    requirement: str
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def ready(self) -> Path:
        """Its interpreter, once the environment is made (on first use)."""
        marker = self.venv / ".installed"
        if not marker.exists():  # a half-made environment from an interrupted run is redone
            shutil.rmtree(self.venv, ignore_errors=True)
            _install([sys.executable, "-m", "venv", str(self.venv)], "a virtual environment")
            pip = [
                str(self.python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ]
            _install([*pip, self.requirement], self.requirement)
            marker.write_text(self.requirement + "\n")
        return self.python


JS_SDK_5 = JsSdk("5", CACHE / "npm")
JS_SDK_4 = JsSdk("4.0.2", CACHE / "npm-4")
PY_SDK_2 = PySdk("notion-client==2.5.0", CACHE / "notion-client-2.5.0")


def run_script(command: list[str], sandbox: RunningSandbox, **env: str) -> Any:
    """Run a client script against ``sandbox``; the JSON summary it prints last.

    The script gets the sandbox's URL (``SANDBOX_URL``), the syncer's token (``SANDBOX_TOKEN``)
    and the root page (``SANDBOX_ROOT``), plus ``env``.
    """
    variables = {
        **os.environ,
        "SANDBOX_URL": sandbox.url,
        "SANDBOX_TOKEN": sandbox.syncer_token,
        "SANDBOX_ROOT": sandbox.root_page_id,
        **env,
    }
    done = subprocess.run(
        command, capture_output=True, text=True, env=variables, timeout=RUN_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
