"""Pages: create, retrieve, update, trash and move, with Notion's validation rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .helpers import CALENDAR_SCHEMA, Sdk, shift, text, title

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _create(client: Sdk, source_id: str, **props: Any) -> dict[str, Any]:
    page: dict[str, Any] = client.pages.create(
        parent={"type": "data_source_id", "data_source_id": source_id},
        properties=props or shift("2026-01-05/AM", "2026-01-05T09:00:00+00:00"),
    )
    return page


def _validation_message(call: Any) -> str:
    with pytest.raises(APIResponseError) as caught:
        call()
    assert caught.value.code == APIErrorCode.ValidationError
    assert caught.value.status == 400
    return str(caught.value)


def test_created_page_has_notion_metadata(
    client: Sdk, source_id: str, calendar: dict[str, Any], sb: RunningSandbox
) -> None:
    """A created page carries times, creator, data source parent, url, trash and lock flags."""
    page = _create(client, source_id)
    me = client.users.me()["id"]
    assert page["object"] == "page"
    assert TIMESTAMP.fullmatch(page["created_time"])
    assert TIMESTAMP.fullmatch(page["last_edited_time"])
    assert page["created_by"] == {"object": "user", "id": me}
    assert page["last_edited_by"] == {"object": "user", "id": me}
    assert page["parent"] == {
        "type": "data_source_id",
        "data_source_id": source_id,
        "database_id": calendar["id"],
    }
    assert page["url"].endswith(page["id"].replace("-", ""))
    assert (page["in_trash"], page["archived"], page["is_locked"]) == (False, False, False)


def test_properties_read_back_with_ids_and_types(client: Sdk, source_id: str) -> None:
    """Every schema property comes back with its id and type; unset ones are empty."""
    page = _create(client, source_id)
    schema = client.data_sources.retrieve(source_id)["properties"]
    props = page["properties"]
    assert set(props) == set(CALENDAR_SCHEMA)
    for name, value in props.items():
        assert value["id"] == schema[name]["id"]
        assert value["type"] == schema[name]["type"]
    assert props["Name"]["id"] == "title"
    assert props["Name"]["title"][0]["plain_text"] == "2026-01-05/AM shift"
    assert props["Final Engineer"]["people"] == []
    assert props["Final Engineer Email"]["rich_text"] == []


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ({"start": "2026-03-30T09:00:00+01:00"}, "2026-03-30T09:00:00.000+01:00"),
        ({"start": "2026-03-30T09:00:00Z"}, "2026-03-30T09:00:00.000+00:00"),
        ({"start": "2026-03-30T09:00:00"}, "2026-03-30T09:00:00.000+00:00"),
        (
            {"start": "2026-03-30T09:00:00", "time_zone": "Europe/London"},
            "2026-03-30T09:00:00.000+01:00",
        ),
        ({"start": "2026-03-30"}, "2026-03-30"),
    ],
)
def test_dates_read_back_in_offset_form(
    client: Sdk, source_id: str, written: dict[str, Any], read: str
) -> None:
    """Dates read back with an offset (UTC when none) and time_zone null."""
    page = _create(client, source_id, Date={"date": {**written, "end": None}})
    assert page["properties"]["Date"]["date"] == {"start": read, "end": None, "time_zone": None}


def test_time_zone_with_offset_is_refused(client: Sdk, source_id: str) -> None:
    """A date with both time_zone and a UTC offset is a validation error naming the property."""
    value = {"start": "2026-03-30T09:00:00+01:00", "time_zone": "Europe/London"}
    message = _validation_message(lambda: _create(client, source_id, Date={"date": value}))
    assert "Date" in message


def test_unknown_property_is_named(client: Sdk, source_id: str) -> None:
    """Writing a property the schema lacks is 400 naming it."""
    message = _validation_message(lambda: _create(client, source_id, Shift=text("x")))
    assert message == "Shift is not a property that exists."


def test_wrong_type_is_named(client: Sdk, source_id: str) -> None:
    """Writing a value of the wrong type is 400 naming the property and its type."""
    message = _validation_message(lambda: _create(client, source_id, Rotation=text("AM")))
    assert message == "Rotation is expected to be select."


def test_text_over_2000_characters_is_refused(client: Sdk, source_id: str) -> None:
    """A text item over 2,000 characters is 400 in Notion's 'should be ≤' style."""
    message = _validation_message(lambda: _create(client, source_id, Name=title("x" * 2001)))
    assert "body.properties.Name.title[0].text.content.length should be ≤ `2000`" in message


def test_arrays_over_100_items_are_refused(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """A rich text array or people list over 100 items is 400."""
    items = [{"text": {"content": "x"}}] * 101
    message = _validation_message(
        lambda: _create(client, source_id, **{"Sync Key": {"rich_text": items}})
    )
    assert "should be ≤ `100`, instead was `101`" in message
    user = sb.add_user("Ada", "ada@example.com")
    people = {"people": [{"id": user["id"]}] * 101}
    _validation_message(lambda: _create(client, source_id, **{"Final Engineer": people}))


def test_people_must_exist(client: Sdk, source_id: str) -> None:
    """People values must be users of the workspace."""
    people = {"people": [{"object": "user", "id": "00000000-0000-4000-8000-000000000001"}]}
    message = _validation_message(lambda: _create(client, source_id, **{"Final Engineer": people}))
    assert "Final Engineer" in message


def test_people_read_back_as_users(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """A people value reads back as user objects, accepting ids without dashes."""
    ada = sb.add_user("Ada", "ada@example.com")
    people = {"people": [{"id": ada["id"].replace("-", "")}]}
    page = _create(client, source_id, **{"Final Engineer": people})
    [person] = page["properties"]["Final Engineer"]["people"]
    assert person["id"] == ada["id"]
    assert person["person"] == {"email": "ada@example.com"}


def test_new_select_option_is_created(client: Sdk, source_id: str) -> None:
    """Writing an unknown select option adds it to the schema."""
    page = _create(client, source_id, Rotation={"select": {"name": "Night"}})
    option = page["properties"]["Rotation"]["select"]
    options = client.data_sources.retrieve(source_id)["properties"]["Rotation"]["select"]
    assert option["name"] == "Night"
    assert option["id"] in [o["id"] for o in options["options"]]


def test_select_option_with_comma_is_refused(client: Sdk, source_id: str) -> None:
    """Select option names cannot contain commas."""
    _validation_message(lambda: _create(client, source_id, Rotation={"select": {"name": "a,b"}}))


def test_update_is_partial_and_arrays_replace(
    client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """An update keeps unnamed properties and replaces each named array whole."""
    ada, bob = sb.add_user("Ada", "ada@x.org"), sb.add_user("Bob", "bob@x.org")
    page = _create(client, source_id, **{"Final Engineer": {"people": [{"id": ada["id"]}]}})
    updated = client.pages.update(
        page["id"], properties={"Final Engineer": {"people": [{"id": bob["id"]}]}}
    )
    people = updated["properties"]["Final Engineer"]["people"]
    assert [p["id"] for p in people] == [bob["id"]]
    assert updated["properties"]["Name"] == page["properties"]["Name"]


def test_update_by_property_id(client: Sdk, source_id: str) -> None:
    """Properties can be addressed by id as well as by name."""
    page = _create(client, source_id)
    prop_id = page["properties"]["Sync Key"]["id"]
    updated = client.pages.update(page["id"], properties={prop_id: text("new")})
    assert updated["properties"]["Sync Key"]["rich_text"][0]["plain_text"] == "new"


def test_trash_and_restore(client: Sdk, source_id: str) -> None:
    """in_trash moves a page to the trash (still retrievable) and back; archived mirrors it."""
    page = _create(client, source_id)
    trashed = client.pages.update(page["id"], in_trash=True)
    assert (trashed["in_trash"], trashed["archived"]) == (True, True)
    assert client.pages.retrieve(page["id"])["in_trash"] is True
    restored = client.pages.update(page["id"], archived=False)
    assert restored["in_trash"] is False


def test_editing_a_trashed_page_is_refused(client: Sdk, source_id: str) -> None:
    """Editing the properties of a trashed page is 400 until it is restored."""
    page = _create(client, source_id)
    client.pages.update(page["id"], in_trash=True)
    message = _validation_message(
        lambda: client.pages.update(page["id"], properties={"Sync Key": text("x")})
    )
    assert "archived" in message


def test_filter_properties_on_retrieve(client: Sdk, source_id: str) -> None:
    """filter_properties limits the returned properties (ids or names)."""
    page = _create(client, source_id)
    key_id = page["properties"]["Sync Key"]["id"]
    got = client.pages.retrieve(page["id"], filter_properties=["title", key_id])
    assert set(got["properties"]) == {"Name", "Sync Key"}


def test_create_with_single_source_database_parent(
    client: Sdk, calendar: dict[str, Any], source_id: str
) -> None:
    """A database_id parent works while the database has a single data source."""
    page = client.pages.create(
        parent={"database_id": calendar["id"]}, properties={"Name": title("x")}
    )
    assert page["parent"]["data_source_id"] == source_id


def test_create_under_a_page(client: Sdk, sb: RunningSandbox) -> None:
    """A page under a page has only a title."""
    page = client.pages.create(
        parent={"page_id": sb.root_page_id}, properties={"title": title("Notes")}
    )
    assert page["parent"] == {"type": "page_id", "page_id": sb.root_page_id}
    assert list(page["properties"]) == ["title"]


def test_computed_properties_cannot_be_written(client: Sdk, source_id: str) -> None:
    """created_time and similar body fields are refused on create."""
    _validation_message(
        lambda: client.request(
            path="pages",
            method="POST",
            body={"parent": {"data_source_id": source_id}, "created_time": "2020-01-01"},
        )
    )


@pytest.mark.parametrize(
    "start", ["2026-03-30T09:00:00+05:30:15", "0999-03-30T09:00:00+00:00", "0001-01-01"]
)
def test_dates_notion_cannot_store_are_refused_not_mangled(
    client: Sdk, source_id: str, start: str
) -> None:
    """Offsets with seconds and years before 1000 are a 400 naming the property."""
    value = {"start": start, "end": None}
    message = _validation_message(lambda: _create(client, source_id, Date={"date": value}))
    assert "Date" in message


def test_dates_can_be_read_back_normalised_to_utc(
    client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """With --dates-in-utc, date-times come back in UTC with milliseconds; plain dates stay."""
    sb.update_settings(dates_in_utc=True)
    page = _create(
        client,
        source_id,
        Date={"date": {"start": "2026-03-30T09:00:00+01:00", "end": "2026-03-30T12:00:00+01:00"}},
    )
    plain = _create(client, source_id, Date={"date": {"start": "2026-03-30"}})

    assert page["properties"]["Date"]["date"] == {
        "start": "2026-03-30T08:00:00.000+00:00",
        "end": "2026-03-30T11:00:00.000+00:00",
        "time_zone": None,
    }
    assert plain["properties"]["Date"]["date"]["start"] == "2026-03-30"
