"""The world the sandbox page is tested in: a schedule of two weeks, one override, a drain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from syncer.engine import Engine
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import TODAY

PEOPLE = {
    "ada@example.com": "Ada Lovelace",
    "grace@example.com": "Grace Hopper",
    "alan@example.com": "Alan Turing",
    "edsger@example.com": "Edsger Dijkstra",
}
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())  # 2026-03-09
LAST_MONDAY = MONDAY - dt.timedelta(days=7)
OVERRIDE = (TODAY, "PM", "grace@example.com")  # Grace overrides Wednesday's PM


@dataclass
class Synced:
    """A sandbox whose CALENDAR and PAST CALENDAR were filled by a drain, and its schedule."""

    sandbox: RunningSandbox
    session: Engine
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
