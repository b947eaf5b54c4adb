"""Querying a data source: pagination edges, filters, sorts, trash and page size."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode
from notion_client.helpers import collect_paginated_api

from syncer.sandbox.server import RunningSandbox

from .helpers import Sdk, create_pages, shift, text


@pytest.mark.parametrize("count", [0, 100, 101, 250])
def test_pagination_edges(client: Sdk, source_id: str, count: int) -> None:
    """Default page size 100; cursors walk every page exactly once, in a stable order."""
    created = create_pages(client, source_id, count)
    first = client.data_sources.query(source_id)
    assert first["object"] == "list"
    assert first["type"] == "page_or_data_source"
    assert first["page_or_data_source"] == {}
    assert len(first["results"]) == min(count, 100)
    assert first["has_more"] is (count > 100)
    assert (first["next_cursor"] is None) is (count <= 100)
    everything = collect_paginated_api(client.data_sources.query, data_source_id=source_id)
    assert [p["id"] for p in everything] == created


def test_page_size_over_100_is_refused(client: Sdk, source_id: str) -> None:
    """page_size above 100 is 400 validation_error."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(source_id, page_size=101)
    assert caught.value.code == APIErrorCode.ValidationError
    assert "page_size should be ≤ `100`" in str(caught.value)


def test_small_pages_and_last_page(client: Sdk, source_id: str) -> None:
    """A smaller page_size splits results; the last page has no cursor."""
    create_pages(client, source_id, 5)
    first = client.data_sources.query(source_id, page_size=3)
    second = client.data_sources.query(source_id, page_size=3, start_cursor=first["next_cursor"])
    assert len(first["results"]) == 3
    assert len(second["results"]) == 2
    assert (second["has_more"], second["next_cursor"]) == (False, None)


def test_bogus_cursor_is_refused(client: Sdk, source_id: str) -> None:
    """A cursor the sandbox never handed out is 400."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(source_id, start_cursor="nope")
    assert caught.value.code == APIErrorCode.ValidationError


def test_trashed_pages_are_left_out(client: Sdk, source_id: str) -> None:
    """Trashed pages do not appear in queries but can still be retrieved."""
    first, second = create_pages(client, source_id, 2)
    client.pages.update(first, in_trash=True)
    results = client.data_sources.query(source_id)["results"]
    assert [p["id"] for p in results] == [second]
    assert client.pages.retrieve(first)["in_trash"] is True


@pytest.fixture
def shifts(client: Sdk, source_id: str, sb: RunningSandbox) -> dict[str, str]:
    """Four calendar pages; returns key -> page id."""
    ada = sb.add_user("Ada", "ada@example.com")
    rows = [
        ("2026-01-05/AM", "2026-01-05T09:00:00+00:00", "AM", [ada["id"]]),
        ("2026-01-05/PM", "2026-01-05T18:00:00+00:00", "PM", []),
        ("2026-01-06/Core", "2026-01-06T12:00:00+00:00", "Core", [ada["id"]]),
        ("2026-01-07/AM", "2026-01-07T09:00:00+01:00", "AM", []),
    ]
    ids = {}
    for key, start, rotation, people in rows:
        page = client.pages.create(
            parent={"data_source_id": source_id},
            properties=shift(key, start, rotation, final=people),
        )
        ids[key] = page["id"]
    client.pages.create(parent={"data_source_id": source_id}, properties={"Sync Key": text("")})
    ids["ada"] = ada["id"]
    return ids


def _keys(client: Sdk, source_id: str, **query: Any) -> list[str]:
    results = client.data_sources.query(source_id, **query)["results"]
    return [
        "".join(t["plain_text"] for t in p["properties"]["Sync Key"]["rich_text"]) for p in results
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"equals": "2026-01-05"}, ["2026-01-05/AM", "2026-01-05/PM"]),
        ({"before": "2026-01-06"}, ["2026-01-05/AM", "2026-01-05/PM"]),
        ({"after": "2026-01-06"}, ["2026-01-07/AM"]),
        ({"on_or_before": "2026-01-06"}, ["2026-01-05/AM", "2026-01-05/PM", "2026-01-06/Core"]),
        ({"on_or_after": "2026-01-06"}, ["2026-01-06/Core", "2026-01-07/AM"]),
        ({"after": "2026-01-05T12:00:00Z"}, ["2026-01-05/PM", "2026-01-06/Core", "2026-01-07/AM"]),
        ({"is_empty": True}, [""]),
        (
            {"is_not_empty": True},
            ["2026-01-05/AM", "2026-01-05/PM", "2026-01-06/Core", "2026-01-07/AM"],
        ),
    ],
)
def test_date_filters(
    client: Sdk,
    source_id: str,
    shifts: dict[str, str],
    condition: dict[str, Any],
    expected: list[str],
) -> None:
    """Date conditions compare calendar dates (plain dates) or instants (date-times)."""
    filter_ = {"property": "Date", "date": condition}
    assert _keys(client, source_id, filter=filter_) == expected


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"property": "Rotation", "select": {"equals": "AM"}}, ["2026-01-05/AM", "2026-01-07/AM"]),
        (
            {"property": "Rotation", "select": {"does_not_equal": "AM"}},
            ["2026-01-05/PM", "2026-01-06/Core", ""],
        ),
        ({"property": "Rotation", "select": {"is_empty": True}}, [""]),
        ({"property": "Sync Key", "rich_text": {"equals": "2026-01-06/Core"}}, ["2026-01-06/Core"]),
        ({"property": "Sync Key", "rich_text": {"contains": "/PM"}}, ["2026-01-05/PM"]),
        ({"property": "Sync Key", "rich_text": {"starts_with": "2026-01-07"}}, ["2026-01-07/AM"]),
        ({"property": "Sync Key", "rich_text": {"is_empty": True}}, [""]),
        (
            {"property": "Final Engineer", "people": {"is_empty": True}},
            ["2026-01-05/PM", "2026-01-07/AM", ""],
        ),
        ({"property": "Name", "title": {"contains": "Core"}}, ["2026-01-06/Core"]),
        (
            {"or": [
                {"property": "Rotation", "select": {"equals": "PM"}},
                {"and": [
                    {"property": "Rotation", "select": {"equals": "AM"}},
                    {"property": "Date", "date": {"after": "2026-01-06"}},
                ]},
            ]},
            ["2026-01-05/PM", "2026-01-07/AM"],
        ),
    ],
)  # fmt: skip
def test_property_filters(
    client: Sdk,
    source_id: str,
    shifts: dict[str, str],
    filter_: dict[str, Any],
    expected: list[str],
) -> None:
    """Select, rich_text, title, people and nested compound filters select the right pages."""
    assert _keys(client, source_id, filter=filter_) == expected


def test_people_contains(client: Sdk, source_id: str, shifts: dict[str, str]) -> None:
    """A people filter finds pages naming a user."""
    filter_ = {"property": "Final Engineer", "people": {"contains": shifts["ada"]}}
    assert _keys(client, source_id, filter=filter_) == ["2026-01-05/AM", "2026-01-06/Core"]


def test_last_edited_time_filter(client: Sdk, source_id: str, shifts: dict[str, str]) -> None:
    """A timestamp filter on last_edited_time compares the pages' edit times."""
    on_or_after = {
        "timestamp": "last_edited_time",
        "last_edited_time": {"on_or_after": "2000-01-01"},
    }
    before = {"timestamp": "last_edited_time", "last_edited_time": {"before": "2000-01-01"}}
    assert len(_keys(client, source_id, filter=on_or_after)) == 5
    assert _keys(client, source_id, filter=before) == []


def test_unknown_filter_property_is_refused(client: Sdk, source_id: str) -> None:
    """Filtering on a property the schema lacks is 400 naming it."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(source_id, filter={"property": "Shift", "date": {"equals": "x"}})
    assert caught.value.code == APIErrorCode.ValidationError
    assert "Shift" in str(caught.value)


def test_filter_type_must_match_property(client: Sdk, source_id: str) -> None:
    """A condition keyed by another type than the property's is 400."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(
            source_id, filter={"property": "Rotation", "date": {"equals": "2026-01-01"}}
        )
    assert caught.value.code == APIErrorCode.ValidationError


def test_sorts(client: Sdk, source_id: str, shifts: dict[str, str]) -> None:
    """Sorts by property and timestamp; earlier sorts win; empty values sort last."""
    by_date = _keys(client, source_id, sorts=[{"property": "Date", "direction": "descending"}])
    assert by_date == ["2026-01-07/AM", "2026-01-06/Core", "2026-01-05/PM", "2026-01-05/AM", ""]
    by_rotation = _keys(
        client,
        source_id,
        sorts=[
            {"property": "Rotation", "direction": "ascending"},
            {"property": "Date", "direction": "descending"},
        ],
    )
    assert by_rotation == ["2026-01-07/AM", "2026-01-05/AM", "2026-01-06/Core", "2026-01-05/PM", ""]
    by_created = _keys(
        client, source_id, sorts=[{"timestamp": "created_time", "direction": "ascending"}]
    )
    assert by_created[0] == "2026-01-05/AM"


def test_unknown_sort_property_is_refused(client: Sdk, source_id: str) -> None:
    """Sorting on a property the schema lacks is 400."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(source_id, sorts=[{"property": "Nope", "direction": "ascending"}])
    assert caught.value.code == APIErrorCode.ValidationError


def test_filter_properties_on_query(client: Sdk, source_id: str, shifts: dict[str, str]) -> None:
    """filter_properties limits the properties of each result."""
    results = client.data_sources.query(source_id, filter_properties=["title"])["results"]
    assert all(list(p["properties"]) == ["Name"] for p in results)


def test_pagination_survives_edits_elsewhere(
    client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """A cursor stays valid while other pages of the data source are edited."""
    created = create_pages(client, source_id, 5)
    first = client.data_sources.query(source_id, page_size=2)
    client.pages.update(created[0], properties={"Sync Key": text("edited")})
    rest = client.data_sources.query(source_id, page_size=10, start_cursor=first["next_cursor"])
    assert [p["id"] for p in rest["results"]] == created[2:]


def test_pagination_survives_the_cursor_page_being_trashed(client: Sdk, source_id: str) -> None:
    """Trashing the very page a cursor points at between reads skips it, as Notion's opaque
    cursors do, instead of failing the whole listing."""
    created = create_pages(client, source_id, 5)
    first = client.data_sources.query(source_id, page_size=2)
    client.pages.update(created[2], in_trash=True)

    rest = client.data_sources.query(source_id, page_size=10, start_cursor=first["next_cursor"])

    assert [p["id"] for p in rest["results"]] == created[3:]
    assert rest["has_more"] is False


def test_the_query_result_cap_ends_a_read_incomplete(
    client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """Past the cap a query stops: has_more false, and request_status says it is incomplete."""
    sb.update_settings(query_result_cap=5)
    create_pages(client, source_id, 7)

    first = client.data_sources.query(source_id, page_size=3)
    second = client.data_sources.query(source_id, page_size=3, start_cursor=first["next_cursor"])

    assert (len(first["results"]), first["has_more"]) == (3, True)
    assert "request_status" not in first
    assert (len(second["results"]), second["has_more"], second["next_cursor"]) == (2, False, None)
    assert second["request_status"] == {
        "type": "incomplete",
        "incomplete_reason": "query_result_limit_reached",
    }
    narrow = client.data_sources.query(
        source_id, filter={"property": "Sync Key", "rich_text": {"equals": "k001"}}
    )
    assert "request_status" not in narrow  # a filter that selects fewer pages reads them all
