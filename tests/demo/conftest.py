"""Fixtures for the demo's tests: the story told once per module, by a real process."""

from __future__ import annotations

import time

import pytest

from tests.support.demo import Told, syncer


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Told:
    """`syncer demo --dir DIR --port 0`, told once for the module, in a 200-column terminal."""
    folder = tmp_path_factory.mktemp("demo") / "kept"
    started = time.monotonic()
    done = syncer("demo", "--dir", str(folder), "--port", "0", env={"COLUMNS": "200"})
    return Told(done.stdout, done.stderr, done.returncode, time.monotonic() - started, folder)
