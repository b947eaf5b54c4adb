"""A live environment: a schedule file and the sandbox, engines speaking real HTTP to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncer.config import DEFAULT_ROTATIONS, Environment
from syncer.core.codec import Codec
from syncer.engine import Engine
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import (
    TODAY,
    App,
    Clock,
    data_source,
    make_engine,
    settings_for_tests,
)

PEOPLE = (("Ada", "ada@example.com"), ("Grace", "grace@example.com"))


@dataclass
class Live:
    """A schedule file, the sandbox, and contexts speaking real HTTP to it."""

    db: Path
    app: App
    sandbox: RunningSandbox
    env: Environment
    sleeps: list[float] = field(default_factory=list)
    contexts: list[Engine] = field(default_factory=list)
    clock: Clock = field(default_factory=Clock)

    def context(
        self, token: str | None = None, *, timeout: float = 30.0, **settings: Any
    ) -> Engine:
        gateway = NotionGateway(
            token or self.sandbox.syncer_token,
            pacer=Pacer(10_000, 1),
            base_url=self.sandbox.url,
            timeout=timeout,
        )
        base = settings_for_tests(**settings)
        ctx = make_engine(
            self.db, gateway, self.env, settings=base, clock=self.clock, sleeps=self.sleeps
        )
        self.contexts.append(ctx)
        return ctx

    def human(self) -> NotionGateway:
        """Notion as a person edits it: the sandbox's second integration."""
        return NotionGateway(
            self.sandbox.human_token, pacer=Pacer(10_000, 1), base_url=self.sandbox.url
        )

    def pages(self, database: str = "calendar") -> list[dict[str, Any]]:
        """Every live page of a database, read through the SDK as a person would."""
        ctx = self.context()
        names = ctx.settings.properties
        found = []
        for page in ctx.gateway.query_pages(data_source(ctx, database)):
            content = Codec(names, DEFAULT_ROTATIONS, dt.UTC).decode(page.properties)
            assert content is not None
            found.append({"id": page.page_id, **content.to_json()})
        return found

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self.sandbox.requests() if r["path"].startswith("/v1/")]


def schedule_week(live: Live) -> None:
    live.app.regenerate(TODAY, 3, [email for _, email in PEOPLE])


def by_key(pages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keys = [page["sync_key"] for page in pages]
    assert len(keys) == len(set(keys)), f"duplicate pages: {sorted(keys)}"
    return {page["sync_key"]: page for page in pages}
