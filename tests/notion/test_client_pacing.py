"""The gateway slows down when Notion says so: a 429, and a 529 (service_overload) alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncer.core.errors import TransientNotionError
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox


@pytest.fixture
def gateway(sandbox: RunningSandbox) -> Iterator[NotionGateway]:
    client = NotionGateway(sandbox.syncer_token, pacer=Pacer(180, 60), base_url=sandbox.url)
    yield client
    client.close()


@pytest.mark.parametrize("status", [429, 529])
def test_an_overloaded_answer_halves_the_pace_once(
    gateway: NotionGateway, sandbox: RunningSandbox, status: int
) -> None:
    sandbox.fail_next(status, method="GET", path="/v1/users")

    with pytest.raises(TransientNotionError):
        gateway.list_users()

    assert gateway.traffic().rate_limited == 1
    assert gateway.pacer.episodes == 1


def test_a_server_error_leaves_the_pace_alone(
    gateway: NotionGateway, sandbox: RunningSandbox
) -> None:
    sandbox.fail_next(503, method="GET", path="/v1/users")

    with pytest.raises(TransientNotionError):
        gateway.list_users()

    assert gateway.traffic().rate_limited == 0
