"""Moving pages between data sources and pages, and the documented refusals."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .helpers import CALENDAR_SCHEMA, Sdk, shift, title


@pytest.fixture
def past_source(client: Sdk, sb: RunningSandbox) -> str:
    """A second database (PAST CALENDAR) with the same schema; returns its data source id."""
    db = client.databases.create(
        parent={"page_id": sb.root_page_id},
        title=[{"text": {"content": "PAST CALENDAR"}}],
        initial_data_source={"properties": CALENDAR_SCHEMA},
    )
    return str(db["data_sources"][0]["id"])


def _page(client: Sdk, source_id: str) -> dict[str, Any]:
    page: dict[str, Any] = client.pages.create(
        parent={"data_source_id": source_id},
        properties=shift("2026-01-05/AM", "2026-01-05T09:00:00+00:00"),
    )
    return page


def _refused(call: Any) -> str:
    with pytest.raises(APIResponseError) as caught:
        call()
    assert caught.value.code == APIErrorCode.ValidationError
    return str(caught.value)


def test_move_into_another_data_source(client: Sdk, source_id: str, past_source: str) -> None:
    """A moved page keeps its id and values and leaves the old data source's queries."""
    page = _page(client, source_id)
    moved = client.pages.move(
        page["id"], parent={"type": "data_source_id", "data_source_id": past_source}
    )
    assert moved["id"] == page["id"]
    assert moved["parent"]["data_source_id"] == past_source
    assert moved["properties"]["Sync Key"]["rich_text"][0]["plain_text"] == "2026-01-05/AM"
    assert moved["properties"]["Rotation"]["select"]["name"] == "AM"
    assert client.data_sources.query(source_id)["results"] == []
    assert [p["id"] for p in client.data_sources.query(past_source)["results"]] == [page["id"]]


def test_values_without_a_twin_are_dropped(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """Moving into a schema without a same-named, same-typed property drops that value."""
    other = client.databases.create(
        parent={"page_id": sb.root_page_id},
        initial_data_source={"properties": {"Title": {"title": {}}, "Sync Key": {"number": {}}}},
    )["data_sources"][0]["id"]
    moved = client.pages.move(_page(client, source_id)["id"], parent={"data_source_id": other})
    assert moved["properties"]["Title"]["title"][0]["plain_text"] == "2026-01-05/AM shift"
    assert moved["properties"]["Sync Key"]["number"] is None


def test_move_under_a_page(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """A page can move under an ordinary page, keeping only its title."""
    moved = client.pages.move(_page(client, source_id)["id"], parent={"page_id": sb.root_page_id})
    assert moved["parent"] == {"type": "page_id", "page_id": sb.root_page_id}
    assert list(moved["properties"]) == ["title"]


def test_move_to_current_parent_is_refused(client: Sdk, source_id: str) -> None:
    """Moving a page to the parent it already has is 400."""
    page = _page(client, source_id)
    _refused(lambda: client.pages.move(page["id"], parent={"data_source_id": source_id}))


def test_move_into_itself_or_descendant_is_refused(client: Sdk, sb: RunningSandbox) -> None:
    """A page cannot become its own parent or move under its descendant."""
    outer = client.pages.create(
        parent={"page_id": sb.root_page_id}, properties={"title": title("a")}
    )
    inner = client.pages.create(parent={"page_id": outer["id"]}, properties={"title": title("b")})
    _refused(lambda: client.pages.move(outer["id"], parent={"page_id": outer["id"]}))
    _refused(lambda: client.pages.move(outer["id"], parent={"page_id": inner["id"]}))


def test_move_of_trashed_page_is_refused(client: Sdk, source_id: str, past_source: str) -> None:
    """A page in the trash cannot be moved."""
    page = _page(client, source_id)
    client.pages.update(page["id"], in_trash=True)
    _refused(lambda: client.pages.move(page["id"], parent={"data_source_id": past_source}))


def test_move_needs_data_source_id_not_database_id(
    client: Sdk, source_id: str, calendar: dict[str, Any]
) -> None:
    """A database_id parent is refused by move (name the data source instead)."""
    page = _page(client, source_id)
    _refused(lambda: client.pages.move(page["id"], parent={"database_id": calendar["id"]}))


def test_move_of_unknown_page_is_not_found(client: Sdk, past_source: str) -> None:
    """Moving an unknown page is 404."""
    with pytest.raises(APIResponseError) as caught:
        client.pages.move(
            "00000000-0000-4000-8000-000000000000", parent={"data_source_id": past_source}
        )
    assert caught.value.code == APIErrorCode.ObjectNotFound


def test_title_only_moves_keep_nothing_but_the_title(
    client: Sdk, source_id: str, past_source: str, sb: RunningSandbox
) -> None:
    """With --move-values title-only, a page moved into another data source keeps its title."""
    sb.update_settings(move_values="title-only")
    moved = client.pages.move(
        _page(client, source_id)["id"], parent={"data_source_id": past_source}
    )

    properties = moved["properties"]
    assert properties["Name"]["title"][0]["plain_text"] == "2026-01-05/AM shift"
    assert properties["Sync Key"]["rich_text"] == []
    assert properties["Rotation"]["select"] is None
    assert properties["Date"]["date"] is None


def test_the_default_move_keeps_values_by_name(sb: RunningSandbox) -> None:
    """The documented best guess is the default, and an unknown choice is refused."""
    assert sb.info()["settings"]["move_values"] == "keep-by-name"
    with pytest.raises(ValueError, match="move_values"):
        sb.update_settings(move_values="keep-some")


def test_a_move_can_be_answered_with_the_page_id_only(
    client: Sdk, source_id: str, past_source: str, sb: RunningSandbox
) -> None:
    """With --move-answer id the answer is a partial page; the move itself happened."""
    sb.update_settings(move_answer="id")
    page = _page(client, source_id)

    moved = client.pages.move(page["id"], parent={"data_source_id": past_source})

    assert {k: v for k, v in moved.items() if k != "request_id"} == {
        "object": "page",
        "id": page["id"],
    }
    assert client.pages.retrieve(page["id"])["parent"]["data_source_id"] == past_source
