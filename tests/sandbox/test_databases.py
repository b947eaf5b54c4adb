"""Databases and data sources: create, retrieve, update, and schema changes."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .helpers import CALENDAR_SCHEMA, Sdk, shift, title


def test_create_database_returns_its_data_source(
    calendar: dict[str, Any], sb: RunningSandbox
) -> None:
    """A new database lists one data source named after it and no properties of its own."""
    assert calendar["object"] == "database"
    assert calendar["parent"] == {"type": "page_id", "page_id": sb.root_page_id}
    assert [s["name"] for s in calendar["data_sources"]] == ["CALENDAR"]
    assert "properties" not in calendar


def test_retrieve_database_with_or_without_dashes(client: Sdk, calendar: dict[str, Any]) -> None:
    """Ids are accepted with or without dashes."""
    got = client.databases.retrieve(calendar["id"].replace("-", ""))
    assert got["id"] == calendar["id"]
    assert got["data_sources"] == calendar["data_sources"]


def test_data_source_has_schema_and_parents(
    client: Sdk, calendar: dict[str, Any], source_id: str, sb: RunningSandbox
) -> None:
    """A data source carries the schema, its database as parent, and the database's parent."""
    source = client.data_sources.retrieve(source_id)
    assert source["object"] == "data_source"
    assert source["parent"] == {"type": "database_id", "database_id": calendar["id"]}
    assert source["database_parent"] == {"type": "page_id", "page_id": sb.root_page_id}
    assert set(source["properties"]) == set(CALENDAR_SCHEMA)
    assert source["properties"]["Name"] == {
        "id": "title",
        "name": "Name",
        "description": "",
        "type": "title",
        "title": {},
    }
    options = source["properties"]["Rotation"]["select"]["options"]
    assert [(o["name"], o["color"]) for o in options] == [
        ("AM", "blue"),
        ("Core", "green"),
        ("PM", "purple"),
    ]


def test_update_database_attributes(client: Sdk, calendar: dict[str, Any]) -> None:
    """PATCH /databases changes title, lock and trash flags."""
    updated = client.databases.update(
        calendar["id"], title=[{"text": {"content": "Renamed"}}], is_locked=True
    )
    assert updated["title"][0]["plain_text"] == "Renamed"
    assert updated["is_locked"] is True
    assert client.databases.update(calendar["id"], in_trash=True)["in_trash"] is True


def test_schema_add_rename_remove(client: Sdk, source_id: str) -> None:
    """PATCH /data_sources adds, renames (keeping the id) and removes properties."""
    before = client.data_sources.retrieve(source_id)["properties"]
    after = client.data_sources.update(
        source_id,
        properties={
            "Email": {"email": {}},
            "Sync Key": {"name": "Key"},
            "Final Engineer Email": None,
        },
    )["properties"]
    assert after["Email"]["type"] == "email"
    assert after["Key"]["id"] == before["Sync Key"]["id"]
    assert "Sync Key" not in after
    assert "Final Engineer Email" not in after


def test_renamed_property_keeps_page_values(client: Sdk, source_id: str) -> None:
    """Page values follow a renamed property."""
    page = client.pages.create(
        parent={"data_source_id": source_id}, properties=shift("k", "2026-01-05")
    )
    client.data_sources.update(source_id, properties={"Sync Key": {"name": "Key"}})
    got = client.pages.retrieve(page["id"])["properties"]
    assert got["Key"]["rich_text"][0]["plain_text"] == "k"


def test_title_cannot_be_removed(client: Sdk, source_id: str) -> None:
    """Removing the title property is a validation error."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.update(source_id, properties={"Name": None})
    assert caught.value.code == APIErrorCode.ValidationError


def test_unknown_property_type_is_refused(client: Sdk, sb: RunningSandbox) -> None:
    """A schema with an unsupported property type is a validation error."""
    with pytest.raises(APIResponseError) as caught:
        client.databases.create(
            parent={"page_id": sb.root_page_id},
            initial_data_source={"properties": {"Name": {"title": {}}, "X": {"type": "hologram"}}},
        )
    assert caught.value.code == APIErrorCode.ValidationError


def test_database_properties_patch_is_refused(client: Sdk, calendar: dict[str, Any]) -> None:
    """Schema changes through PATCH /databases are refused under 2025-09-03."""
    with pytest.raises(APIResponseError) as caught:
        client.request(
            path=f"databases/{calendar['id']}",
            method="PATCH",
            body={"properties": {"X": {"email": {}}}},
        )
    assert caught.value.code == APIErrorCode.ValidationError


def test_second_data_source_makes_database_parent_ambiguous(
    client: Sdk, calendar: dict[str, Any]
) -> None:
    """After POST /data_sources adds a source, a database_id page parent is refused."""
    second = client.data_sources.create(
        parent={"type": "database_id", "database_id": calendar["id"]},
        title=[{"text": {"content": "Second"}}],
        properties={"Name": {"title": {}}},
    )
    listed = client.databases.retrieve(calendar["id"])["data_sources"]
    assert [s["id"] for s in listed][1] == second["id"]
    with pytest.raises(APIResponseError) as caught:
        client.pages.create(parent={"database_id": calendar["id"]}, properties={"Name": title("x")})
    assert caught.value.code == APIErrorCode.ValidationError


def test_database_parent_must_exist(client: Sdk) -> None:
    """Creating a database under an unknown page is 404."""
    with pytest.raises(APIResponseError) as caught:
        client.databases.create(parent={"page_id": "00000000-0000-4000-8000-000000000000"})
    assert caught.value.code == APIErrorCode.ObjectNotFound
