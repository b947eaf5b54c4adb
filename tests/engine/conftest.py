"""Fixtures for engine tests: a world of a real schedule file and an in-memory Notion."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.fake_gateway import FakeGateway
from tests.support.harness import App, schedule_db, settings_for_tests, setup_databases
from tests.support.world import ALICE, BOB, CAROL, World


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    notion = FakeGateway()
    for name, email in (("Alice", ALICE), ("Bob", BOB), ("Carol", CAROL)):
        notion.add_person(name, email)
    env = setup_databases(settings_for_tests(), notion)
    db = schedule_db(tmp_path)
    result = World(db, App(db), notion, env)
    yield result
    for ctx in result.contexts:
        ctx.store.close()


@pytest.fixture
def calls(world: World) -> Callable[[], list[str]]:
    """The Notion calls made since the last time this was called."""
    seen = [len(world.notion.calls)]

    def new_calls() -> list[str]:
        fresh = world.notion.calls[seen[0] :]
        seen[0] = len(world.notion.calls)
        return fresh

    return new_calls
