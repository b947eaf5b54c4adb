"""Fixtures for the sandbox page in a real browser: headless Chromium, and a sandbox after a sync.

The browser is Debian's ``chromium`` (``.ci/run`` installs it). Where it is missing the tests
skip, unless ``SYNCER_REQUIRE_BROWSER`` is set (CI sets it), in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.config import Environment
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.browser.world import LAST_MONDAY, OVERRIDE, PEOPLE, Synced
from tests.support.browser import Browser, find_chromium
from tests.support.harness import (
    ENV,
    TOKEN_VARIABLE,
    App,
    make_engine,
    sandbox_databases,
    schedule_db,
    window_rows,
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the module."""
    executable = find_chromium()
    if executable is None:
        message = "Chromium is not installed: apt-get install chromium (.ci/run does)"
        if os.environ.get("SYNCER_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    running = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield running
    running.close()


@pytest.fixture
def synced(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[Synced]:
    """Last week and this week of weekday shifts, one override, drained into the sandbox."""
    users = {email: sandbox.add_user(name, email)["id"] for email, name in PEOPLE.items()}
    created = sandbox_databases(sandbox)
    env = Environment(
        ENV,
        TOKEN_VARIABLE,
        created.calendar_database_id,
        created.past_calendar_database_id,
        sandbox.url,
    )
    db = schedule_db(tmp_path)
    app = App(db)
    rows = [(str(d), str(r), str(e)) for d, r, e in window_rows(LAST_MONDAY, 12, list(PEOPLE))]
    app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
        [tuple(row) for row in rows],
    )
    app.override(*OVERRIDE)
    gateway = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    session = make_engine(db, gateway, env)
    assert all(run.ok for run in session.drain())
    yield Synced(sandbox, session, rows, users)
    gateway.close()
    session.store.close()
