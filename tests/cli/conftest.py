"""CLI fixtures: a configured environment against the sandbox, and a runner with its variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.sandbox.server import RunningSandbox
from tests.support.cli import Cli, configured_cli


@pytest.fixture
def cli(sandbox: RunningSandbox, tmp_path: Path) -> Cli:
    return configured_cli(sandbox, tmp_path)
