"""Real Notion answers, as documented, decode to what syncer wrote.

Each file in ``fixtures/`` is one Notion response body written from Notion's published shapes
(its ``source`` names where each detail comes from), for the page syncer writes for the
2026-03-30 AM shift. The sandbox answers in the same shapes, but a real workspace is what must
never look changed: dates in another offset, partial people, text in several items, a move
answered with an id only, users without emails, a query cut at the result cap.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import Key, PageContent, Person, Shift
from syncer.core.codec import Codec, PropertyNames, content_for
from syncer.core.errors import PermanentNotionError
from syncer.core.gateway import INCOMPLETE_READ
from syncer.notion.client import notion_user, query_results, raw_page

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = PropertyNames()


def codec(tz: dt.tzinfo) -> Codec:
    """The codec writing dates in ``tz``."""
    return Codec(NAMES, DEFAULT_ROTATIONS, tz)


LONDON = ZoneInfo("Europe/London")
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, LONDON)
ADA = Person("3e8a1f2b-9c4d-4e5f-a6b7-c8d9e0f1a2b3", "Ada Lovelace", "ada@example.com")


def fixture(name: str) -> dict[str, Any]:
    """The response body of one fixture (its source is checked to be named)."""
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    assert document["source"], f"{name} names no source"
    response: dict[str, Any] = document["response"]
    return response


def written() -> PageContent:
    """What syncer writes for Ada's AM shift on 2026-03-30 (British Summer Time)."""
    day = dt.date(2026, 3, 30)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=LONDON)
    shift = Shift(Key(day, "AM"), start, start + dt.timedelta(hours=3), ADA.email, None)
    return content_for(shift, {ADA.email: ADA})


def test_every_fixture_names_its_source() -> None:
    """No fixture without the documentation it was written from."""
    names = sorted(path.name for path in FIXTURES.glob("*.json"))
    assert len(names) >= 6
    for name in names:
        fixture(name)


@pytest.mark.parametrize(
    "name", ["page_as_written.json", "page_split_rich_text.json", "page_utc_partial_people.json"]
)
def test_a_page_as_notion_returns_it_decodes_to_what_syncer_wrote(name: str) -> None:
    """Offsets, milliseconds, full or partial people, annotated and split text, extra columns:
    none of it makes an untouched page look changed."""
    page = raw_page(fixture(name))

    assert CODEC.decode(page.properties) == written()
    assert (page.page_id, page.in_trash) == ("2b1e4c6a-8f3d-4e2a-9c1b-7d5e6f8a9b0c", False)
    assert page.data_source_id == "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def test_what_syncer_writes_names_every_property_of_the_fixture() -> None:
    """The fixture's properties are exactly syncer's plus columns syncer leaves alone."""
    properties = fixture("page_as_written.json")["properties"]
    sent = codec(LONDON).encode(written())

    assert {name: properties[name]["type"] for name in sent} == NAMES.types()
    assert set(properties) - set(sent) == {"Created"}
    assert sent[NAMES.date]["date"]["start"] == "2026-03-30T09:00:00+01:00"


def test_a_move_answered_with_the_page_id_only_has_nothing_to_check() -> None:
    """A partial page decodes to no properties, which syncer then reads back once."""
    page = raw_page(fixture("move_partial_page.json"))

    assert page.properties == {}
    assert CODEC.decode(page.properties) is None


def test_users_decode_with_lower_cased_emails_or_none() -> None:
    """A person's email is lower-cased; a person without a visible email has None; bots are bots."""
    users = [notion_user(item) for item in fixture("users_list.json")["results"]]

    assert [(u.kind, u.name, u.email) for u in users] == [
        ("person", "Ada Lovelace", "ada@example.com"),
        ("person", "Grace Hopper", None),
        ("bot", "syncer", None),
    ]


def test_a_query_cut_at_the_result_cap_is_never_a_complete_read() -> None:
    """has_more false with request_status incomplete raises instead of returning a short list."""
    with pytest.raises(PermanentNotionError) as incomplete:
        query_results(fixture("query_capped.json"))

    assert incomplete.value.code == INCOMPLETE_READ
