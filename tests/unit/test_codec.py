"""Shift <-> Notion properties: the property contract of design.md and the canonical form."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import Key, PageContent, Person, Shift
from syncer.core.codec import (
    Codec,
    PropertyNames,
    content_for,
    schema_problems,
    schema_properties,
)

LONDON = ZoneInfo("Europe/London")
NAMES = PropertyNames()
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, LONDON)


def codec(tz: dt.tzinfo) -> Codec:
    """The codec writing dates in ``tz``."""
    return Codec(NAMES, DEFAULT_ROTATIONS, tz)


ALICE = Person("user-alice", "Alice Archer", "alice@example.com")
BOB = Person("user-bob", "Bob Baker", "bob@example.com")
PEOPLE = {p.email: p for p in (ALICE, BOB)}


def shift(
    orig: str | None = "alice@example.com",
    override: str | None = None,
    *,
    day: dt.date = dt.date(2024, 7, 1),
    rotation: str = "AM",
    hours: tuple[int, int] = (9, 12),
) -> Shift:
    start = dt.datetime.combine(day, dt.time(hours[0]), tzinfo=LONDON)
    end = dt.datetime.combine(day, dt.time(hours[1]), tzinfo=LONDON)
    return Shift(Key(day, rotation), start, end, orig, override)


def as_notion_returns_it(properties: dict[str, Any]) -> dict[str, Any]:
    """Turn written property JSON into the shape Notion reads back (ids, plain_text, ms Z dates)."""
    result: dict[str, Any] = {}
    for index, (name, value) in enumerate(properties.items()):
        kind = next(iter(value))
        body = value[kind]
        if kind in ("title", "rich_text"):
            body = [
                {
                    "type": "text",
                    "text": {"content": item["text"]["content"], "link": None},
                    "annotations": {"bold": False, "color": "default"},
                    "plain_text": item["text"]["content"],
                    "href": None,
                }
                for item in body
            ]
        elif kind == "people":
            body = [{"object": "user", "id": item["id"]} for item in reversed(body)]
        elif kind == "select":
            body = {"id": "opt1", "name": body["name"], "color": "blue"}
        elif kind == "date":
            body = {
                key: dt.datetime.fromisoformat(body[key])
                .astimezone(dt.UTC)
                .strftime("%Y-%m-%dT%H:%M:%S.000Z")
                for key in ("start", "end")
            } | {"time_zone": None}
        result[name] = {"id": f"p{index}", "type": kind, kind: body}
    return result


def test_encode_writes_every_contract_property_with_its_type() -> None:
    """A page write carries all ten contract properties, each under its Notion type."""
    written = codec(LONDON).encode(content_for(shift(), PEOPLE))
    assert {name: next(iter(value)) for name, value in written.items()} == NAMES.types()


def test_date_is_written_as_local_wall_clock_with_offset() -> None:
    """The Date property shows the rotation's local hours with that day's UTC offset."""
    written = codec(LONDON).encode(content_for(shift(), PEOPLE))
    assert written["Date"]["date"] == {
        "start": "2024-07-01T09:00:00+01:00",
        "end": "2024-07-01T12:00:00+01:00",
    }


def test_winter_date_is_written_with_gmt_offset() -> None:
    """A January shift in London is written with +00:00, not the summer offset."""
    written = CODEC.encode(content_for(shift(day=dt.date(2024, 1, 8)), PEOPLE))
    assert written["Date"]["date"]["start"] == "2024-01-08T09:00:00+00:00"


def test_people_and_emails_follow_the_override_rule() -> None:
    """Orig, Override and Final people/emails are written as the design's table says."""
    content = content_for(shift("alice@example.com", "bob@example.com"), PEOPLE)
    written = codec(LONDON).encode(content)
    assert written["Orig. Engineer"]["people"] == [{"object": "user", "id": "user-alice"}]
    assert written["Override"]["people"] == [{"object": "user", "id": "user-bob"}]
    assert written["Final Engineer"]["people"] == [{"object": "user", "id": "user-bob"}]
    texts = {
        name: [item["text"]["content"] for item in written[name]["rich_text"]]
        for name in ("Orig. Engineer Email", "Override Email", "Final Engineer Email", "Sync Key")
    }
    assert texts == {
        "Orig. Engineer Email": ["alice@example.com"],
        "Override Email": ["bob@example.com"],
        "Final Engineer Email": ["bob@example.com"],
        "Sync Key": ["2024-07-01/AM"],
    }


def test_no_override_leaves_override_empty() -> None:
    """Without an override the Override people and email are empty, not copied from orig."""
    written = codec(LONDON).encode(content_for(shift(), PEOPLE))
    assert written["Override"]["people"] == []
    assert written["Override Email"]["rich_text"] == []


def test_unmapped_email_is_still_visible_as_text() -> None:
    """An engineer with no Notion user gets empty people but the email text is written."""
    content = content_for(shift("carol@example.com"), PEOPLE)
    assert content.orig_people == content.final_people == ()
    assert content.final_email == "carol@example.com"
    assert "carol@example.com" in content.name


def test_title_names_date_rotation_and_final_engineer() -> None:
    """The Name holds the date, the rotation and the final engineer's Notion name."""
    content = content_for(shift("alice@example.com", "bob@example.com"), PEOPLE)
    assert "2024-07-01" in content.name
    assert "AM" in content.name
    assert "Bob Baker" in content.name


@pytest.mark.parametrize("name", ["", "   ", " Bob Baker ", "Bob Baker\n"])
def test_blank_or_padded_user_name_does_not_look_like_drift(name: str) -> None:
    """A Notion user whose name is blank or padded still gives a title that reads back equal."""
    people = {"bob@example.com": Person("user-bob", name, "bob@example.com")}
    content = content_for(shift("bob@example.com"), people)
    assert CODEC.decode(codec(LONDON).encode(content)) == content
    assert content.name.endswith("Bob Baker" if name.strip() else "bob@example.com")


def test_page_read_back_from_notion_decodes_to_what_was_written() -> None:
    """A page as Notion returns it (plain_text, ids, ms-precision UTC dates) is unchanged."""
    content = content_for(shift("alice@example.com", "bob@example.com"), PEOPLE)
    read = as_notion_returns_it(codec(LONDON).encode(content))
    decoded = CODEC.decode(read)
    assert decoded == content
    assert decoded is not None
    assert decoded.digest == content.digest


def test_decode_canonicalises_case_whitespace_and_people_order() -> None:
    """Upper-case emails, padded text and reordered people do not count as a change."""
    content = PageContent(
        key=Key(dt.date(2024, 7, 1), "AM"),
        name="2024-07-01 AM · pair",
        start=dt.datetime(2024, 7, 1, 8, tzinfo=dt.UTC),
        end=dt.datetime(2024, 7, 1, 11, tzinfo=dt.UTC),
        rotation="AM",
        orig_people=("u1", "u2"),
        final_people=("u1", "u2"),
        orig_email="a@example.com",
        final_email="a@example.com",
    )
    written = codec(LONDON).encode(content)
    written["Orig. Engineer Email"]["rich_text"][0]["text"]["content"] = " A@Example.com "
    written["Name"]["title"][0]["text"]["content"] += "  "
    written["Orig. Engineer"]["people"].reverse()
    assert CODEC.decode(written) == content


def test_text_split_over_several_items_is_joined() -> None:
    """Notion may return one text as several rich-text items; they read as one string."""
    content = content_for(shift(), PEOPLE)
    read = as_notion_returns_it(codec(LONDON).encode(content))
    whole = read["Name"]["title"][0]["plain_text"]
    read["Name"]["title"] = [
        {"type": "text", "plain_text": whole[:5], "text": {"content": whole[:5]}},
        {"type": "text", "plain_text": whole[5:], "text": {"content": whole[5:]}},
    ]
    assert CODEC.decode(read) == content


def test_page_without_sync_key_is_not_ours() -> None:
    """A page with an empty or missing Sync Key decodes to None, so syncer leaves it alone."""
    written = codec(LONDON).encode(content_for(shift(), PEOPLE))
    written["Sync Key"] = {"rich_text": []}
    assert CODEC.decode(written) is None
    del written["Sync Key"]
    assert CODEC.decode(written) is None


@pytest.mark.parametrize("broken", [None, {"date": None}, {"date": {"start": "soon"}}])
def test_missing_or_garbled_date_reads_as_a_difference(broken: Any) -> None:
    """A page whose Date was cleared or garbled by hand never equals the desired content."""
    content = content_for(shift(), PEOPLE)
    written = codec(LONDON).encode(content)
    written["Date"] = broken
    decoded = CODEC.decode(written)
    assert decoded is not None
    assert decoded != content
    assert decoded.digest != content.digest


def test_renamed_properties_are_used_for_both_directions() -> None:
    """With properties renamed in config, writes and reads use the configured names."""
    names = dataclasses.replace(PropertyNames(), sync_key="Key", date="When")
    content = content_for(shift(), PEOPLE)
    written = Codec(names, DEFAULT_ROTATIONS, LONDON).encode(content)
    assert {"Key", "When"} <= set(written)
    assert not {"Sync Key", "Date"} & set(written)
    assert Codec(names, DEFAULT_ROTATIONS, dt.UTC).decode(written) == content


def test_digest_changes_with_every_field() -> None:
    """Any field change gives a new digest, so no local change is ever skipped as 'same'."""
    content = content_for(shift("alice@example.com", "bob@example.com"), PEOPLE)
    changes: dict[str, Any] = {
        "key": Key(dt.date(2024, 7, 2), "AM"),
        "name": "other",
        "start": content.start + dt.timedelta(minutes=1),
        "end": content.end + dt.timedelta(minutes=1),
        "rotation": "PM",
        "orig_people": (),
        "override_people": (),
        "final_people": (),
        "orig_email": None,
        "override_email": None,
        "final_email": "x@example.com",
        "all_day": True,
    }
    assert set(changes) == {f.name for f in dataclasses.fields(PageContent)}
    for field, value in changes.items():
        changed = dataclasses.replace(content, **{field: value})
        assert changed.digest != content.digest, field


def test_audit_image_round_trips() -> None:
    """to_json/from_json (the audit's before/after images) give back the same content."""
    content = content_for(shift("alice@example.com", "bob@example.com"), PEOPLE)
    assert PageContent.from_json(content.to_json()) == content


def test_schema_built_by_init_passes_check() -> None:
    """The schema `notion init` creates reports no problems when `notion check` reads it."""
    created = schema_properties(NAMES, DEFAULT_ROTATIONS)
    read = {
        name: {"id": "x", "name": name, "type": next(iter(v))} | v for name, v in created.items()
    }
    assert schema_problems(read, NAMES) == []
    assert read["Rotation"]["select"]["options"] == [{"name": r} for r in ("AM", "Core", "PM")]


def test_schema_check_names_missing_and_mistyped_properties() -> None:
    """`notion check` lists each missing property and each wrong type, by name."""
    created = schema_properties(NAMES, DEFAULT_ROTATIONS)
    read = {name: {"type": next(iter(v))} for name, v in created.items()}
    del read["Sync Key"]
    read["Override"] = {"type": "rich_text"}
    problems = schema_problems(read, NAMES)
    assert len(problems) == 2
    assert any("Sync Key" in p and "missing" in p for p in problems)
    assert any("Override" in p and "people" in p for p in problems)


def test_a_page_name_never_exceeds_notions_text_limit() -> None:
    """A display name of 5,000 characters is cut so the title fits in 2,000."""
    key = Key(dt.date(2026, 3, 11), "AM")
    start = dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)
    shift = Shift(key, start, start + dt.timedelta(hours=3), "ada@example.com", None)
    person = Person("u1", "A" * 5000, "ada@example.com")

    name = content_for(shift, {"ada@example.com": person}).name

    assert len(name) == 2000
    assert name.startswith("2026-03-11 AM · AAA")


def test_differences_name_the_properties_a_page_does_not_hold() -> None:
    """After a move, the log names exactly the properties that did not survive."""
    wanted = content_for(shift(override="bob@example.com"), PEOPLE)
    moved = dataclasses.replace(wanted, final_email=None, start=wanted.start + dt.timedelta(1))

    assert CODEC.differences(wanted, wanted) == []
    assert CODEC.differences(wanted, moved) == ["Date", "Final Engineer Email"]
    assert len(CODEC.differences(wanted, None)) == 10
