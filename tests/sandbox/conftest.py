"""Fixtures for the sandbox conformance suite: one sandbox per session, reset before each test."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import notion_client
import pytest

from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import IntegrationSpec, SandboxSettings

from .helpers import CALENDAR_SCHEMA, NO_EMAIL_TOKEN, Sdk

_SDK_LOGGER = logging.getLogger("tests.sandbox.notion_client")

ClientFactory = Callable[..., Sdk]


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[RunningSandbox]:
    """One sandbox on a free port for the session, plus an integration without emails."""
    settings = SandboxSettings(
        rate_limit=None,
        extra_integrations=(IntegrationSpec.parse(f"{NO_EMAIL_TOKEN}:no-email"),),
    )
    with serve_in_thread(settings) as sandbox:
        yield sandbox


@pytest.fixture
def sb(sandbox_session: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to its just-started state."""
    sandbox_session.reset()
    return sandbox_session


@pytest.fixture
def make_client(sb: RunningSandbox) -> Iterator[ClientFactory]:
    """Build real notion-client SDK clients pointed at the sandbox; they are closed afterwards."""
    made: list[Sdk] = []

    def factory(token: str | None = None, **options: Any) -> Sdk:
        options.setdefault("retry", False)
        client = notion_client.Client(
            auth=token or sb.syncer_token, base_url=sb.url, logger=_SDK_LOGGER, **options
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> Sdk:
    """A notion-client SDK client using the syncer's token, with retries off."""
    return make_client()


@pytest.fixture
def calendar(client: Sdk, sb: RunningSandbox) -> dict[str, Any]:
    """A database shaped like the syncer's calendar; returns the database object."""
    database: dict[str, Any] = client.databases.create(
        parent={"type": "page_id", "page_id": sb.root_page_id},
        title=[{"text": {"content": "CALENDAR"}}],
        initial_data_source={"properties": CALENDAR_SCHEMA},
    )
    return database


@pytest.fixture
def source_id(calendar: dict[str, Any]) -> str:
    """The calendar's data source id."""
    return str(calendar["data_sources"][0]["id"])
