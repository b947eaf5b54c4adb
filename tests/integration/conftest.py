"""Fixtures for integration tests: a live environment against the sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.config import Environment
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.harness import ENV, App, schedule_db, settings_for_tests
from tests.support.live import PEOPLE, Live


@pytest.fixture
def live(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[Live]:
    for name, email in PEOPLE:
        sandbox.add_user(name, email)
    settings = settings_for_tests()
    gateway = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    created = init_databases(settings, gateway, sandbox.root_page_id)
    env = Environment(
        ENV,
        "UNUSED",
        created.calendar_database_id,
        created.past_calendar_database_id,
        sandbox.url,
    )
    db = schedule_db(tmp_path)
    result = Live(db, App(db), sandbox, env)
    yield result
    gateway.close()
    for ctx in result.contexts:
        ctx.store.close()
        ctx.gateway.close()  # type: ignore[attr-defined]
