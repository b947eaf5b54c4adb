"""An environment for engine tests: a real schedule file, an in-memory Notion, a hand-moved
clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncer.config import Environment, Settings
from syncer.core import Key
from syncer.engine import Engine
from tests.support.fake_gateway import FakeGateway
from tests.support.harness import (
    TODAY,
    App,
    Clock,
    make_engine,
    settings_for_tests,
)

ALICE = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"


@dataclass
class World:
    """One environment: the app's file, a fake Notion, and sessions on demand."""

    db: Path
    app: App
    notion: FakeGateway
    env: Environment
    clock: Clock = field(default_factory=Clock)
    sleeps: list[float] = field(default_factory=list)
    contexts: list[Engine] = field(default_factory=list)

    def context(
        self, *, settings: Settings | None = None, today: dt.date | None = TODAY, **options: Any
    ) -> Engine:
        """An engine on this world (``today`` pinned; None: the clock's date); ``options`` are
        RunOptions fields (force, holder, ...)."""
        session = make_engine(
            self.db,
            self.notion,
            self.env,
            settings=settings or settings_for_tests(),
            today=today,
            clock=self.clock,
            sleeps=self.sleeps,
            **options,
        )
        self.contexts.append(session)
        return session

    def pages(self, database: str = "calendar") -> dict[str, dict[str, Any]]:
        """Live pages of a database by Sync Key (fails on a duplicate key)."""
        source = self.notion.databases[getattr(self.env, _ID_FIELD[database]).replace("-", "")]
        found: dict[str, dict[str, Any]] = {}
        for page in self.notion.live_pages(source):
            key = _text(page["properties"]["Sync Key"])
            assert key not in found, f"two live pages for {key}"
            found[key] = page
        return found


_ID_FIELD = {"calendar": "calendar_database_id", "past": "past_calendar_database_id"}


def _text(prop: dict[str, Any]) -> str:
    return "".join(item["plain_text"] for item in prop[prop["type"]])


def text(page: dict[str, Any], name: str) -> str:
    """A text or title property's plain text."""
    return _text(page["properties"][name])


def people(page: dict[str, Any], name: str) -> list[str]:
    """A people property's user ids."""
    return [person["id"] for person in page["properties"][name]["people"]]


def key(date: dt.date, rotation: str) -> str:
    return Key(date, rotation).sync_key
