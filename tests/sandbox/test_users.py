"""Users: listing with pagination, the calling bot, and the email capability."""

from __future__ import annotations

from notion_client.helpers import collect_paginated_api

from syncer.sandbox.server import RunningSandbox

from .conftest import ClientFactory
from .helpers import NO_EMAIL_TOKEN, Sdk


def test_list_includes_people_and_bots(client: Sdk, sb: RunningSandbox) -> None:
    """users.list returns persons (with emails) and the integrations' bots."""
    ada = sb.add_user("Ada", "ada@example.com")
    listed = client.users.list()
    assert listed["object"] == "list"
    assert listed["type"] == "user"
    assert listed["user"] == {}
    people = [u for u in listed["results"] if u["type"] == "person"]
    assert people == [ada]
    assert ada["person"] == {"email": "ada@example.com"}
    assert any(u["type"] == "bot" for u in listed["results"])


def test_list_paginates(client: Sdk, sb: RunningSandbox) -> None:
    """users.list pages through every user with opaque cursors."""
    for index in range(7):
        sb.add_user(f"User {index}", f"u{index}@example.com")
    first = client.users.list(page_size=2)
    assert len(first["results"]) == 2
    assert first["has_more"] is True
    everyone = collect_paginated_api(client.users.list, page_size=2)
    emails = [u["person"]["email"] for u in everyone if u["type"] == "person"]
    assert emails == [f"u{i}@example.com" for i in range(7)]


def test_me_is_the_calling_bot(make_client: ClientFactory, sb: RunningSandbox) -> None:
    """users.me returns the bot of the token's integration, with its workspace."""
    syncer_bot = make_client(sb.syncer_token).users.me()
    human_bot = make_client(sb.human_token).users.me()
    assert syncer_bot["type"] == "bot"
    assert syncer_bot["bot"]["owner"] == {"type": "workspace", "workspace": True}
    assert syncer_bot["id"] != human_bot["id"]


def test_retrieve_user(client: Sdk, sb: RunningSandbox) -> None:
    """users.retrieve returns one user."""
    ada = sb.add_user("Ada", "ada@example.com")
    got = client.users.retrieve(ada["id"])
    assert got.pop("request_id")
    assert got == ada


def test_no_email_capability_hides_emails(make_client: ClientFactory, sb: RunningSandbox) -> None:
    """An integration without the email capability sees persons without person.email."""
    ada = sb.add_user("Ada", "ada@example.com")
    client = make_client(NO_EMAIL_TOKEN)
    assert client.users.retrieve(ada["id"])["person"] == {}
    listed = [u for u in client.users.list()["results"] if u["type"] == "person"]
    assert listed[0]["person"] == {}
