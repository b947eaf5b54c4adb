"""Integrations with capability sets: what each token may read and write, as Notion enforces it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.settings import IntegrationSpec

from .conftest import ClientFactory
from .helpers import Sdk, shift

Limited = Callable[..., Sdk]


@pytest.fixture
def limited(make_client: ClientFactory, sb: RunningSandbox) -> Limited:
    """A client whose token was made over HTTP with only the given capabilities."""

    def make(*capabilities: str) -> Sdk:
        made = httpx.post(
            f"{sb.url}/_sandbox/tokens",
            json={"name": "Limited", "capabilities": list(capabilities)},
        ).json()
        return make_client(made["token"])

    return make


def _restricted(call: Callable[[], Any]) -> None:
    with pytest.raises(APIResponseError) as caught:
        call()
    assert (caught.value.status, caught.value.code) == (403, APIErrorCode.RestrictedResource)


def test_a_token_made_over_http_has_exactly_its_capabilities(sb: RunningSandbox) -> None:
    """POST /_sandbox/tokens answers a new token; /_sandbox/info lists what it may do."""
    made = httpx.post(
        f"{sb.url}/_sandbox/tokens", json={"name": "Reader", "capabilities": ["read_content"]}
    ).json()

    assert made["token"].startswith("ntn_sandbox_")
    listed = {i["token"]: i for i in sb.info()["integrations"]}
    assert listed[made["token"]]["capabilities"] == ["read_content"]
    assert listed[made["token"]]["name"] == "Reader"


def test_bad_token_requests_are_refused_with_a_reason(sb: RunningSandbox) -> None:
    """An unknown capability or a missing name is a 400 that says what is expected."""
    unknown = httpx.post(
        f"{sb.url}/_sandbox/tokens", json={"name": "X", "capabilities": ["read_minds"]}
    )
    assert unknown.status_code == 400
    assert "read_minds" in unknown.json()["error"]
    assert httpx.post(f"{sb.url}/_sandbox/tokens", json={"capabilities": []}).status_code == 400


def test_without_user_information_users_list_is_403_but_me_works(limited: Limited) -> None:
    """No user capability: users.list and users.retrieve are refused; users.me is not."""
    client = limited("read_content", "update_content", "insert_content")

    _restricted(client.users.list)
    assert client.users.me()["type"] == "bot"


def test_without_user_information_people_values_are_partial_users(
    limited: Limited, client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """Page people values show only {object, id} to a token that may not read users."""
    ada = sb.add_user("Ada", "ada@example.com")
    page = client.pages.create(
        parent={"data_source_id": source_id},
        properties=shift("2026-01-05/AM", "2026-01-05T09:00:00Z", final=[ada["id"]]),
    )
    reader = limited("read_content")

    seen = reader.pages.retrieve(page["id"])["properties"]["Final Engineer"]["people"]

    assert seen == [{"object": "user", "id": ada["id"]}]


def test_users_without_email_capability_are_listed_without_email(
    limited: Limited, sb: RunningSandbox
) -> None:
    """read_users alone lists persons with name and avatar but no person.email."""
    sb.add_user("Ada", "ada@example.com")
    client = limited("read_content", "read_users")

    persons = [u for u in client.users.list()["results"] if u["type"] == "person"]

    assert [(u["name"], u["person"]) for u in persons] == [("Ada", {})]


def test_a_read_only_token_cannot_create_update_or_move(
    limited: Limited, client: Sdk, source_id: str
) -> None:
    """Without insert or update capabilities every write is 403; reads still work."""
    page = client.pages.create(
        parent={"data_source_id": source_id}, properties=shift("2026-01-05/AM", "2026-01-05")
    )
    reader = limited("read_content", "read_users", "read_user_emails")

    _restricted(
        lambda: reader.pages.create(
            parent={"data_source_id": source_id}, properties=shift("2026-01-06/AM", "2026-01-06")
        )
    )
    _restricted(lambda: reader.pages.update(page["id"], in_trash=True))
    _restricted(lambda: reader.pages.move(page["id"], parent={"page_id": source_id}))
    assert [p["id"] for p in reader.data_sources.query(source_id)["results"]] == [page["id"]]


def test_without_read_content_nothing_can_be_read(limited: Limited, source_id: str) -> None:
    """A token that may only insert cannot query."""
    _restricted(lambda: limited("insert_content").data_sources.query(source_id))


def test_added_tokens_end_with_a_reset(limited: Limited, sb: RunningSandbox) -> None:
    """A reset returns to the integrations the sandbox was started with."""
    client = limited("read_content")
    sb.reset()

    with pytest.raises(APIResponseError) as caught:
        client.users.me()
    assert caught.value.code == APIErrorCode.Unauthorized


@pytest.mark.parametrize(
    ("spec", "missing"),
    [
        ("tok", set()),
        ("tok:no-email", {"read_user_emails"}),
        ("tok:read_content,update_content", {"insert_content", "read_users", "read_user_emails"}),
    ],
)
def test_the_token_option_names_capabilities(spec: str, missing: set[str]) -> None:
    """--token TOKEN, TOKEN:no-email and TOKEN:CAP,CAP give those capability sets."""
    parsed = IntegrationSpec.parse(spec)
    assert parsed.token == "tok"
    every = {"read_content", "update_content", "insert_content", "read_users", "read_user_emails"}
    assert every - parsed.capabilities == missing
