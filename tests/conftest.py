"""Shared test configuration and fixtures: the hypothesis profiles (chosen by environment
variable), the sandbox, an admin's environment over real HTTP, log sinks.

``HYPOTHESIS_PROFILE`` picks one of ``ci`` (derandomized, 100 examples, no deadline), ``dev``
(quick local runs) or ``deterministic`` (derandomized with the default example count, for
reproducing a failure); without it, ``ci`` is used when ``CI`` is set and ``dev`` otherwise.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from loguru import logger

from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings
from tests.support.admin import Admin, build_admin

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The WARNING (and worse) lines syncer logs during the test."""
    lines: list[str] = []
    sink = logger.add(lines.append, level="WARNING", format="{message}")
    yield lines
    logger.remove(sink)


# -- the sandbox, shared by the contract, integration and CLI suites ------------------------------


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    """One sandbox on 127.0.0.1:<free port> for the whole session, no latency, no rate limit."""
    with serve_in_thread(SandboxSettings(port=0, rate_limit=None)) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> Iterator[RunningSandbox]:
    """The session's sandbox, reset to a fresh workspace for this test."""
    sandbox_server.reset()
    sandbox_server.update_settings(rate_limit=None, latency_ms=0, jitter_ms=0)
    yield sandbox_server
    sandbox_server.clear_faults()


@pytest.fixture
def admin(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[Admin]:
    result = build_admin(sandbox, tmp_path)
    yield result
    result.close()


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every loguru line (any level) written during the test."""
    lines: list[str] = []
    sink = logger.add(lines.append, level="DEBUG", format="{level} {message}")
    yield lines
    with contextlib.suppress(ValueError):  # a CLI run may have removed every sink already
        logger.remove(sink)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A CLI run points loguru at the runner's stderr; put it back afterwards."""
    yield
    logger.remove()
    logger.add(sys.stderr)
