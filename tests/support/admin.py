"""An admin's environment: a schedule file and the sandbox over real HTTP, driven through the
engine or the CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from syncer.cli import main
from syncer.config import Environment
from syncer.engine import Engine, RunEnd
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import (
    ENV,
    TODAY,
    App,
    Clock,
    data_source,
    make_engine,
    sandbox_databases,
    schedule_db,
    settings_for_tests,
)

TOKEN_VARIABLE = "SYNCER_ADMIN_TEST_TOKEN"
WEBHOOK_VARIABLE = "SYNCER_ADMIN_TEST_WEBHOOK"
ADA, GRACE = "ada@example.com", "grace@example.com"
PEOPLE = (("Ada", ADA), ("Grace", GRACE))


@dataclass
class Admin:
    """A schedule file and the sandbox, driven through the engine or the `syncer` CLI."""

    db: Path
    app: App
    sandbox: RunningSandbox
    env: Environment
    config: Path
    clock: Clock = field(default_factory=Clock)
    sleeps: list[float] = field(default_factory=list)
    contexts: list[Engine] = field(default_factory=list)
    on_run_end: Callable[[RunEnd], None] | None = None

    def context(self, **settings: Any) -> Engine:
        """A session speaking real HTTP to the sandbox, on the hand-moved clock."""
        gateway = NotionGateway(
            self.sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=self.sandbox.url
        )
        ctx = make_engine(
            self.db,
            gateway,
            self.env,
            settings=settings_for_tests(**settings),
            clock=self.clock,
            sleeps=self.sleeps,
            on_run_end=self.on_run_end,
        )
        self.contexts.append(ctx)
        return ctx

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """`syncer --db --config --env test --today TODAY ARGS`, with the token set."""
        variables = {TOKEN_VARIABLE: self.sandbox.syncer_token, **(env or {})}
        common = ["--db", str(self.db), "--config", str(self.config), "--env", "test"]
        return CliRunner().invoke(
            main, [*common, "--today", str(TODAY), *args], env=variables, catch_exceptions=False
        )

    def rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every row of both schedule tables, as the app sees them."""
        with sqlite3.connect(self.db) as conn:
            schedule = conn.execute("SELECT * FROM oncall_schedule ORDER BY id").fetchall()
            overrides = conn.execute("SELECT * FROM oncall_schedule_overrides ORDER BY id")
            result = schedule, overrides.fetchall()
        conn.close()
        return result

    def pages(self, database: str = "calendar") -> dict[str, dict[str, Any]]:
        """Live pages by Sync Key: page id and decoded content (fails on a duplicate key)."""
        ctx = self.context()
        found: dict[str, dict[str, Any]] = {}
        for page in ctx.gateway.query_pages(data_source(ctx, database)):
            content = ctx.settings.codec.decode(page.properties)
            assert content is not None
            assert content.sync_key not in found, f"two live pages for {content.sync_key}"
            found[content.sync_key] = {"id": page.page_id, **content.to_json()}
        return found

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.store.close()
            ctx.gateway.close()  # type: ignore[attr-defined]
        self.contexts.clear()


def build_admin(sandbox: RunningSandbox, directory: Path) -> Admin:
    """A fresh environment in the sandbox (which the caller has reset) and a schedule file."""
    for name, email in PEOPLE:
        sandbox.add_user(name, email)
    created = sandbox_databases(sandbox)
    env = Environment(
        ENV,
        TOKEN_VARIABLE,
        created.calendar_database_id,
        created.past_calendar_database_id,
        sandbox.url,
    )
    config = directory / "syncer.toml"
    config.write_text(_config_text(env))
    db = schedule_db(directory)
    return Admin(db, App(db), sandbox, env, config)


def _config_text(env: Environment) -> str:
    return f"""
timezone = "Europe/London"

[retry]
waits = [0]

[environments.test]
notion_token_env = "{TOKEN_VARIABLE}"
calendar_database_id = "{env.calendar_database_id}"
past_calendar_database_id = "{env.past_calendar_database_id}"
notion_base_url = "{env.notion_base_url}"

[alerts]
webhook_url_env = "{WEBHOOK_VARIABLE}"
"""
