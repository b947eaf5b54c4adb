"""PATCH /v1/data_sources/{id} changes a schema as Notion documents: ``name`` renames, a type
object changes the type, ``null`` removes; what a later ``syncer notion adopt`` relies on."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .helpers import Sdk, text, title


@pytest.fixture
def adoptable(client: Sdk, sb: RunningSandbox) -> str:
    """A data source whose ``Orig. Engineer`` is text, not people (made by hand, say)."""
    db = client.databases.create(
        parent={"page_id": sb.root_page_id},
        initial_data_source={
            "properties": {"Name": {"title": {}}, "Orig. Engineer": {"rich_text": {}}}
        },
    )
    return str(db["data_sources"][0]["id"])


def _page(client: Sdk, source_id: str, engineer: str) -> dict[str, Any]:
    page: dict[str, Any] = client.pages.create(
        parent={"data_source_id": source_id},
        properties={"Name": title("shift"), "Orig. Engineer": text(engineer)},
    )
    return page


def test_a_conflicting_property_is_renamed_then_its_name_reused_for_people(
    client: Sdk, adoptable: str, sb: RunningSandbox
) -> None:
    """Renaming the text property keeps its id and values; a people property then takes the old
    name with a new id, empty on existing pages and writable."""
    page = _page(client, adoptable, "ada@example.com")
    old_id = client.data_sources.retrieve(adoptable)["properties"]["Orig. Engineer"]["id"]
    renamed = client.data_sources.update(
        adoptable, properties={"Orig. Engineer": {"name": "Orig. Engineer (text)"}}
    )["properties"]
    added = client.data_sources.update(adoptable, properties={"Orig. Engineer": {"people": {}}})[
        "properties"
    ]
    assert renamed["Orig. Engineer (text)"]["id"] == old_id
    assert "Orig. Engineer" not in renamed
    assert added["Orig. Engineer"]["type"] == "people"
    assert added["Orig. Engineer"]["id"] != old_id
    got = client.pages.retrieve(page["id"])["properties"]
    assert got["Orig. Engineer (text)"]["rich_text"][0]["plain_text"] == "ada@example.com"
    assert got["Orig. Engineer"]["people"] == []
    ada = sb.add_user("Ada", "ada@example.com")
    client.pages.update(page["id"], properties={"Orig. Engineer": {"people": [{"id": ada["id"]}]}})
    people = client.pages.retrieve(page["id"])["properties"]["Orig. Engineer"]["people"]
    assert [person["id"] for person in people] == [ada["id"]]


def test_a_type_object_changes_the_type_and_keeps_the_id(client: Sdk, adoptable: str) -> None:
    """{"Orig. Engineer": {"people": {}}} on a text property makes it people under the same id;
    its old text values no longer fit and read back empty."""
    page = _page(client, adoptable, "ada@example.com")
    before = client.data_sources.retrieve(adoptable)["properties"]["Orig. Engineer"]
    after = client.data_sources.update(
        adoptable, properties={"Orig. Engineer": {"type": "people", "people": {}}}
    )["properties"]["Orig. Engineer"]
    assert (after["id"], after["type"]) == (before["id"], "people")
    assert client.pages.retrieve(page["id"])["properties"]["Orig. Engineer"]["people"] == []


def test_rename_and_retype_in_one_change(client: Sdk, adoptable: str) -> None:
    """A name and a type object together rename and retype one property."""
    after = client.data_sources.update(
        adoptable, properties={"Orig. Engineer": {"name": "Contact", "email": {}}}
    )["properties"]
    assert after["Contact"]["type"] == "email"
    assert "Orig. Engineer" not in after


def test_a_property_is_found_by_its_id_too(client: Sdk, adoptable: str) -> None:
    """The key of a change may be the property's id instead of its name."""
    prop_id = client.data_sources.retrieve(adoptable)["properties"]["Orig. Engineer"]["id"]
    after = client.data_sources.update(adoptable, properties={prop_id: {"name": "Was"}})
    assert after["properties"]["Was"]["id"] == prop_id


def test_null_removes_a_property_and_its_values(client: Sdk, adoptable: str) -> None:
    """null removes the property from the schema and from every page."""
    page = _page(client, adoptable, "ada@example.com")
    after = client.data_sources.update(adoptable, properties={"Orig. Engineer": None})
    assert set(after["properties"]) == {"Name"}
    assert set(client.pages.retrieve(page["id"])["properties"]) == {"Name"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Orig. Engineer": {"name": "Name"}}, "A property named Name already exists."),
        ({"Name": {"rich_text": {}}}, "Cannot change the type of Name to or from title."),
        ({"Orig. Engineer": {"title": {}}}, "to or from title"),
        ({"Nope": {"name": "Yes"}}, "Nope is not a property that exists."),
        ({"Nope": None}, "Nope is not a property that exists."),
    ],
)
def test_impossible_schema_changes_are_refused(
    client: Sdk, adoptable: str, change: dict[str, Any], message: str
) -> None:
    """Renaming onto an existing name, retyping the title, or changing a missing property is 400,
    and the schema stays as it was."""
    before = client.data_sources.retrieve(adoptable)["properties"]
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.update(adoptable, properties=change)
    assert caught.value.code == APIErrorCode.ValidationError
    assert message in str(caught.value)
    assert client.data_sources.retrieve(adoptable)["properties"] == before


def test_a_refused_change_keeps_page_values(client: Sdk, adoptable: str) -> None:
    """A request that retypes a property but fails on another field drops no values."""
    page = _page(client, adoptable, "ada@example.com")
    with pytest.raises(APIResponseError):
        client.data_sources.update(
            adoptable, properties={"Orig. Engineer": {"people": {}}}, title="not rich text"
        )
    got = client.pages.retrieve(page["id"])["properties"]["Orig. Engineer"]
    assert got["rich_text"][0]["plain_text"] == "ada@example.com"
