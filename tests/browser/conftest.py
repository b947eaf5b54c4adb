"""Fixtures for the sandbox page in a real browser: headless Chromium, and a sandbox after a sync.

The browser is Debian's ``chromium`` (``.ci/run`` installs it). Where it is missing the tests
skip, unless ``SYNCER_REQUIRE_BROWSER`` is set (CI sets it), in which case they fail.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncer.config import Environment
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from syncer.session import Session
from tests.support.browser import Browser, find_chromium
from tests.support.harness import (
    ENV,
    TODAY,
    TOKEN_VARIABLE,
    App,
    make_session,
    sandbox_databases,
    schedule_db,
    window_rows,
)

PEOPLE = {
    "ada@example.com": "Ada Lovelace",
    "grace@example.com": "Grace Hopper",
    "alan@example.com": "Alan Turing",
    "edsger@example.com": "Edsger Dijkstra",
}
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())  # 2026-03-09
LAST_MONDAY = MONDAY - dt.timedelta(days=7)
OVERRIDE = (TODAY, "PM", "grace@example.com")  # Grace overrides Wednesday's PM


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the session."""
    executable = find_chromium()
    if executable is None:
        message = "Chromium is not installed: apt-get install chromium (.ci/run does)"
        if os.environ.get("SYNCER_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    running = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield running
    running.close()


@dataclass
class Synced:
    """A sandbox whose CALENDAR and PAST CALENDAR were filled by a drain, and its schedule."""

    sandbox: RunningSandbox
    session: Session
    rows: list[tuple[str, str, str]]
    users: dict[str, str]  # email -> Notion user id

    def url(self, path: str = "/", **query: str) -> str:
        params = "&".join(
            f"{key}={value}" for key, value in {"tz": "Europe/London", **query}.items()
        )
        return f"{self.sandbox.url}{path}?{params}"

    def human(self) -> NotionGateway:
        """Notion as a person edits it: the sandbox's second integration, over the API."""
        return NotionGateway(
            self.sandbox.human_token, pacer=Pacer(10_000, 1), base_url=self.sandbox.url
        )

    def expected(self, day: dt.date, rotation: str) -> str:
        """The final engineer's name the page of (day, rotation) must show."""
        if (day, rotation) == OVERRIDE[:2]:
            return PEOPLE[OVERRIDE[2]]
        email = next(e for d, r, e in self.rows if d == day.isoformat() and r == rotation)
        return PEOPLE[email]


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
    session = make_session(db, gateway, env)
    assert all(run.ok for run in session.drain())
    yield Synced(sandbox, session, rows, users)
    gateway.close()
    session.store.close()
