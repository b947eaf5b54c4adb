"""Notion-Version 2022-06-28 next to 2025-09-03: one workspace, each request answered in the shape
of the version it names (databases with ``properties``, ``database_id`` parents, the database
query), through the real notion-client with its version set to 2022-06-28."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .conftest import ClientFactory
from .helpers import CALENDAR_SCHEMA, Sdk, shift, text, title

MULTI_SOURCE = "Databases with multiple data sources are not supported in this API version."


@pytest.fixture
def old(make_client: ClientFactory) -> Sdk:
    """A notion-client sending Notion-Version 2022-06-28 (its methods that 3.x lacks go through
    ``request``)."""
    return make_client(notion_version="2022-06-28")


@pytest.fixture
def old_calendar(old: Sdk, sb: RunningSandbox) -> dict[str, Any]:
    """A calendar database created the 2022-06-28 way: the schema on the database."""
    created: dict[str, Any] = old.request(
        path="databases",
        method="POST",
        body={
            "parent": {"type": "page_id", "page_id": sb.root_page_id},
            "title": [{"text": {"content": "CALENDAR"}}],
            "properties": CALENDAR_SCHEMA,
        },
    )
    return created


def _query(old: Sdk, database_id: str, **body: Any) -> dict[str, Any]:
    found: dict[str, Any] = old.request(
        path=f"databases/{database_id}/query", method="POST", body=body
    )
    return found


def _refused(call: Any) -> APIResponseError:
    with pytest.raises(APIResponseError) as caught:
        call()
    return caught.value


def test_a_database_created_with_properties_is_one_data_source_under_2025(
    old_calendar: dict[str, Any], client: Sdk
) -> None:
    """A 2022-06-28 database shows its schema itself; 2025-09-03 sees one data source holding it."""
    assert old_calendar["object"] == "database"
    assert set(old_calendar["properties"]) == set(CALENDAR_SCHEMA)
    assert "data_sources" not in old_calendar
    assert {"archived", "in_trash", "is_inline", "url"} <= set(old_calendar)
    (source,) = client.databases.retrieve(old_calendar["id"])["data_sources"]
    assert client.data_sources.retrieve(source["id"])["properties"] == old_calendar["properties"]


def test_a_2025_database_reads_with_its_schema_under_2022(
    old: Sdk, calendar: dict[str, Any], source_id: str, client: Sdk
) -> None:
    """GET /databases/{id} under 2022-06-28 carries the only data source's properties."""
    got = old.databases.retrieve(calendar["id"])
    assert got["properties"] == client.data_sources.retrieve(source_id)["properties"]
    assert got["id"] == calendar["id"]


def test_pages_take_a_database_parent_and_answer_with_it(
    old: Sdk, old_calendar: dict[str, Any], client: Sdk
) -> None:
    """A page created with {database_id} names it as parent, with archived and in_trash; under
    2025-09-03 the same page names its data source."""
    page = old.pages.create(
        parent={"database_id": old_calendar["id"]}, properties=shift("k", "2026-01-05")
    )
    assert page["parent"] == {"type": "database_id", "database_id": old_calendar["id"]}
    assert (page["archived"], page["in_trash"]) == (False, False)
    assert old.pages.retrieve(page["id"])["parent"] == page["parent"]
    (source,) = client.databases.retrieve(old_calendar["id"])["data_sources"]
    assert client.pages.retrieve(page["id"])["parent"] == {
        "type": "data_source_id",
        "data_source_id": source["id"],
        "database_id": old_calendar["id"],
    }


def test_the_database_query_filters_sorts_and_pages_like_the_data_source_query(
    old: Sdk, old_calendar: dict[str, Any], client: Sdk
) -> None:
    """POST /databases/{id}/query returns what the data source query returns, as page_or_database,
    one cursor page at a time."""
    for day, rotation in (("2026-01-07", "AM"), ("2026-01-05", "AM"), ("2026-01-06", "PM")):
        old.pages.create(
            parent={"database_id": old_calendar["id"]}, properties=shift(day, day, rotation)
        )
    ask = {
        "filter": {"property": "Rotation", "select": {"equals": "AM"}},
        "sorts": [{"property": "Date", "direction": "ascending"}],
    }
    first = _query(old, old_calendar["id"], page_size=1, **ask)
    second = _query(old, old_calendar["id"], start_cursor=first["next_cursor"], **ask)
    assert (first["type"], first["page_or_database"], first["has_more"]) == (
        "page_or_database",
        {},
        True,
    )
    assert (second["has_more"], second["next_cursor"]) == (False, None)
    dates = [p["properties"]["Date"]["date"]["start"] for p in first["results"] + second["results"]]
    assert dates == ["2026-01-05", "2026-01-07"]
    assert first["results"][0]["parent"]["type"] == "database_id"
    (source,) = client.databases.retrieve(old_calendar["id"])["data_sources"]
    current = client.data_sources.query(source["id"], **ask)["results"]
    assert [p["id"] for p in current] == [p["id"] for p in first["results"] + second["results"]]


def test_the_database_query_keeps_notions_limits(
    old: Sdk, old_calendar: dict[str, Any], sb: RunningSandbox
) -> None:
    """page_size above 100 and unknown cursors are refused; the result cap holds; filter_properties
    keeps only the named properties."""
    for index in range(3):
        old.pages.create(
            parent={"database_id": old_calendar["id"]},
            properties={"Name": title(f"p{index}"), "Sync Key": text(f"k{index}")},
        )
    too_big = _refused(lambda: _query(old, old_calendar["id"], page_size=101))
    unknown = _refused(lambda: _query(old, old_calendar["id"], start_cursor="nope"))
    assert too_big.code == unknown.code == APIErrorCode.ValidationError
    sb.update_settings(query_result_cap=2)
    capped = _query(old, old_calendar["id"])
    assert (len(capped["results"]), capped["has_more"]) == (2, False)
    assert capped["request_status"]["incomplete_reason"] == "query_result_limit_reached"
    slim = old.request(
        path=f"databases/{old_calendar['id']}/query",
        method="POST",
        query={"filter_properties": ["Sync Key"]},
        body={},
    )
    assert set(slim["results"][0]["properties"]) == {"Sync Key"}


def test_database_patch_renames_adds_and_removes_properties_for_both_versions(
    old: Sdk, old_calendar: dict[str, Any], client: Sdk
) -> None:
    """PATCH /databases/{id} under 2022-06-28 changes the schema its 2025 data source shows."""
    before = old_calendar["properties"]
    updated = old.request(
        path=f"databases/{old_calendar['id']}",
        method="PATCH",
        body={
            "title": [{"text": {"content": "ROTA"}}],
            "description": [{"text": {"content": "on call"}}],
            "properties": {
                "Sync Key": {"name": "Key"},
                "Final Engineer Email": None,
                "Notes": {"rich_text": {}},
            },
        },
    )
    assert updated["title"][0]["plain_text"] == "ROTA"
    assert updated["description"][0]["plain_text"] == "on call"
    assert updated["properties"]["Key"]["id"] == before["Sync Key"]["id"]
    assert {"Sync Key", "Final Engineer Email"}.isdisjoint(updated["properties"])
    (source,) = client.databases.retrieve(old_calendar["id"])["data_sources"]
    assert client.data_sources.retrieve(source["id"])["properties"] == updated["properties"]


def test_a_bad_database_patch_changes_nothing(old: Sdk, old_calendar: dict[str, Any]) -> None:
    """A PATCH whose properties are invalid leaves the title as it was too."""
    error = _refused(
        lambda: old.request(
            path=f"databases/{old_calendar['id']}",
            method="PATCH",
            body={"title": [{"text": {"content": "ROTA"}}], "properties": {"Name": None}},
        )
    )
    assert error.code == APIErrorCode.ValidationError
    assert old.databases.retrieve(old_calendar["id"])["title"][0]["plain_text"] == "CALENDAR"


def test_archived_trashes_and_restores_pages_and_databases(
    old: Sdk, old_calendar: dict[str, Any], client: Sdk
) -> None:
    """archived: true takes a page out of the query (in_trash follows), false brings it back; a
    database is archived the same way."""
    page = old.pages.create(
        parent={"database_id": old_calendar["id"]}, properties=shift("k", "2026-01-05")
    )
    trashed = old.pages.update(page["id"], archived=True)
    assert (trashed["archived"], trashed["in_trash"]) == (True, True)
    assert _query(old, old_calendar["id"])["results"] == []
    assert client.pages.retrieve(page["id"])["in_trash"] is True
    old.pages.update(page["id"], archived=False)
    assert [p["id"] for p in _query(old, old_calendar["id"])["results"]] == [page["id"]]
    archived = old.request(
        path=f"databases/{old_calendar['id']}", method="PATCH", body={"archived": True}
    )
    assert (archived["archived"], archived["in_trash"]) == (True, True)


def test_a_database_with_two_data_sources_refuses_2022_calls(
    old: Sdk, calendar: dict[str, Any], client: Sdk
) -> None:
    """Once a second data source exists, 2022-06-28 database reads, writes, queries and
    database_id page parents fail with Notion's validation error."""
    client.data_sources.create(
        parent={"type": "database_id", "database_id": calendar["id"]},
        properties={"Name": {"title": {}}},
    )
    database_id = calendar["id"]
    calls = [
        lambda: old.databases.retrieve(database_id),
        lambda: old.request(path=f"databases/{database_id}", method="PATCH", body={}),
        lambda: _query(old, database_id),
        lambda: old.pages.create(parent={"database_id": database_id}, properties={}),
    ]
    for call in calls:
        error = _refused(call)
        assert (error.status, error.code, str(error)) == (
            400,
            APIErrorCode.ValidationError,
            MULTI_SOURCE,
        )


def test_data_source_endpoints_do_not_exist_under_2022(old: Sdk, source_id: str) -> None:
    """Every /v1/data_sources path answers 400 invalid_request_url under 2022-06-28."""
    calls = [
        lambda: old.request(path=f"data_sources/{source_id}", method="GET"),
        lambda: old.request(path=f"data_sources/{source_id}/query", method="POST", body={}),
        lambda: old.request(path="data_sources", method="POST", body={}),
    ]
    for call in calls:
        assert _refused(call).code == APIErrorCode.InvalidRequestURL


def test_ids_of_the_two_kinds_stay_apart(old: Sdk, source_id: str) -> None:
    """A data source id is no database id under 2022-06-28 either: 404."""
    assert _refused(lambda: _query(old, source_id)).code == APIErrorCode.ObjectNotFound


def test_create_database_needs_properties_under_2022(old: Sdk, sb: RunningSandbox) -> None:
    """A 2022-06-28 database create without properties is a validation error, as in Notion."""
    error = _refused(
        lambda: old.request(
            path="databases", method="POST", body={"parent": {"page_id": sb.root_page_id}}
        )
    )
    assert error.code == APIErrorCode.ValidationError
    assert "body.properties should be defined" in str(error)


def test_users_and_capabilities_are_the_same_under_2022(
    make_client: ClientFactory, sb: RunningSandbox, calendar: dict[str, Any]
) -> None:
    """users.list answers alike in both versions; a read-only token still cannot create."""
    ada = sb.add_user("Ada", "ada@example.com")
    old = make_client(notion_version="2022-06-28")
    listed = old.users.list()
    assert listed == {**make_client().users.list(), "request_id": listed["request_id"]}
    assert ada["id"] in [user["id"] for user in listed["results"]]
    reader = sb.add_integration("Reader", ["read_content"])["token"]
    error = _refused(
        lambda: make_client(reader, notion_version="2022-06-28").pages.create(
            parent={"database_id": calendar["id"]}, properties={}
        )
    )
    assert (error.status, error.code) == (403, APIErrorCode.RestrictedResource)
