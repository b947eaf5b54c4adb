"""One contract, two gateways: the in-memory fake must behave like notion-client + the sandbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from syncer.core import Key, PageContent, Person, Shift
from syncer.core.codec import PropertyNames, content_for, decode, encode, schema_properties
from syncer.core.errors import PermanentNotionError
from syncer.core.gateway import Gateway
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.fake_gateway import FakeGateway

NAMES = PropertyNames()


@dataclass
class Subject:
    """A gateway under contract, two fresh databases in it, and a way to add people."""

    gateway: Gateway
    calendar: str  # data source ids
    past: str
    add_person: Callable[[str, str], str]


def _databases(gateway: Gateway) -> tuple[str, str]:
    schema = schema_properties(NAMES, ["AM", "Core", "PM"])
    calendar = gateway.create_database("root", "CALENDAR", schema)
    past = gateway.create_database("root", "PAST CALENDAR", schema)
    return gateway.data_source_id(calendar), gateway.data_source_id(past)


@pytest.fixture(params=["fake", "sandbox"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        fake = FakeGateway()
        calendar, past = _databases(fake)
        yield Subject(fake, calendar, past, lambda n, e: fake.add_person(n, e).user_id)
        return
    sandbox: RunningSandbox = request.getfixturevalue("sandbox")
    real = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    # The fake's "root" parent stands for the sandbox's root page.
    schema = schema_properties(NAMES, ["AM", "Core", "PM"])
    calendar = real.create_database(sandbox.root_page_id, "CALENDAR", schema)
    past = real.create_database(sandbox.root_page_id, "PAST CALENDAR", schema)

    def add_person(name: str, email: str) -> str:
        return str(sandbox.add_user(name, email)["id"])

    yield Subject(real, real.data_source_id(calendar), real.data_source_id(past), add_person)
    real.close()


def content(subject: Subject, day: int = 11, email: str = "a@x.io") -> PageContent:
    """The content of an AM shift on 2026-03-<day> held by a new person with ``email``."""
    name = email.split("@")[0].title()
    person = Person(subject.add_person(name, email), name, email)
    start = dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC)
    key = Key(dt.date(2026, 3, day), "AM")
    shift = Shift(key, start, start + dt.timedelta(hours=3), email, None)
    return content_for(shift, {email: person})


def test_a_created_page_reads_back_as_the_same_content(subject: Subject) -> None:
    """What syncer writes is what it reads: no page ever looks changed by a round trip."""
    wanted = content(subject)
    subject.gateway.create_page(subject.calendar, encode(wanted, NAMES, dt.UTC))

    pages = subject.gateway.query_pages(subject.calendar)

    assert [decode(page.properties, NAMES) for page in pages] == [wanted]


def test_the_schema_has_every_property_with_its_type(subject: Subject) -> None:
    """notion init's schema is what notion check expects."""
    schema = subject.gateway.schema(subject.calendar)
    assert {name: schema[name]["type"] for name in NAMES.types()} == NAMES.types()


def test_an_update_replaces_properties(subject: Subject) -> None:
    """Updating a page changes exactly what was sent."""
    first = content(subject)
    page = subject.gateway.create_page(subject.calendar, encode(first, NAMES, dt.UTC))
    second = content(subject, email="b@x.io")
    subject.gateway.update_page(page.page_id, properties=encode(second, NAMES, dt.UTC))

    [read] = subject.gateway.query_pages(subject.calendar)
    assert decode(read.properties, NAMES) == second


def test_a_trashed_page_leaves_queries_but_can_be_read_and_restored(subject: Subject) -> None:
    """Trash hides a page from queries; retrieve still shows it, flagged; restore brings it back."""
    page = subject.gateway.create_page(subject.calendar, encode(content(subject), NAMES, dt.UTC))

    subject.gateway.update_page(page.page_id, in_trash=True)
    assert subject.gateway.query_pages(subject.calendar) == []
    assert subject.gateway.retrieve_page(page.page_id).in_trash is True

    subject.gateway.update_page(page.page_id, in_trash=False)
    assert [p.page_id for p in subject.gateway.query_pages(subject.calendar)] == [page.page_id]


def test_a_moved_page_lives_in_the_other_database(subject: Subject) -> None:
    """pages.move into the past data source keeps the page id and its properties."""
    wanted = content(subject)
    page = subject.gateway.create_page(subject.calendar, encode(wanted, NAMES, dt.UTC))

    moved = subject.gateway.move_page(page.page_id, subject.past)

    assert moved.page_id == page.page_id
    assert subject.gateway.query_pages(subject.calendar) == []
    [read] = subject.gateway.query_pages(subject.past)
    assert decode(read.properties, NAMES) == wanted


def test_a_sync_key_filter_finds_only_that_page(subject: Subject) -> None:
    """The look-up after an ambiguous create finds the page by its natural key."""
    for day in (10, 11, 12):
        properties = encode(content(subject, day, f"p{day}@x.io"), NAMES, dt.UTC)
        subject.gateway.create_page(subject.calendar, properties)

    query = {"property": NAMES.sync_key, "rich_text": {"equals": "2026-03-11/AM"}}
    found = subject.gateway.query_pages(subject.calendar, filter=query)

    keys = [getattr(decode(p.properties, NAMES), "sync_key", None) for p in found]
    assert keys == ["2026-03-11/AM"]


def test_users_list_gives_people_with_lower_cased_emails(subject: Subject) -> None:
    """Persons come with their email when the integration may read it."""
    user_id = subject.add_person("Dana", "Dana@Example.com")

    users = {u.user_id: u for u in subject.gateway.list_users()}

    assert users[user_id].kind == "person"
    assert users[user_id].email == "dana@example.com"


def test_unknown_pages_and_bad_writes_are_permanent_errors(subject: Subject) -> None:
    """404 and validation errors are not worth retrying."""
    with pytest.raises(PermanentNotionError) as missing:
        subject.gateway.retrieve_page("0" * 32)
    assert missing.value.code == "object_not_found"

    with pytest.raises(PermanentNotionError) as invalid:
        subject.gateway.create_page(subject.calendar, {"Nonsense": {"rich_text": []}})
    assert invalid.value.code == "validation_error"


def test_moving_a_trashed_page_is_refused(subject: Subject) -> None:
    """Notion refuses to move a page in the trash (400 validation_error)."""
    page = subject.gateway.create_page(subject.calendar, encode(content(subject), NAMES, dt.UTC))
    subject.gateway.update_page(page.page_id, in_trash=True)

    with pytest.raises(PermanentNotionError) as refused:
        subject.gateway.move_page(page.page_id, subject.past)
    assert refused.value.code == "validation_error"


def test_a_trashed_page_cannot_be_edited_until_restored(subject: Subject) -> None:
    """Notion refuses property writes to a page in the trash (400 validation_error)."""
    page = subject.gateway.create_page(subject.calendar, encode(content(subject), NAMES, dt.UTC))
    subject.gateway.update_page(page.page_id, in_trash=True)
    other = encode(content(subject, email="b@x.io"), NAMES, dt.UTC)

    with pytest.raises(PermanentNotionError) as refused:
        subject.gateway.update_page(page.page_id, properties=other)
    assert refused.value.code == "validation_error"


def test_an_or_of_sync_keys_finds_exactly_those_pages(subject: Subject) -> None:
    """A failed key's look-up combines several Sync Keys in one query."""
    for day in (10, 11, 12):
        properties = encode(content(subject, day, f"q{day}@x.io"), NAMES, dt.UTC)
        subject.gateway.create_page(subject.calendar, properties)
    clauses = [
        {"property": NAMES.sync_key, "rich_text": {"equals": key}}
        for key in ("2026-03-10/AM", "2026-03-12/AM", "2026-03-13/AM")
    ]

    found = subject.gateway.query_pages(subject.calendar, filter={"or": clauses})

    keys = sorted(getattr(decode(p.properties, NAMES), "sync_key", "") for p in found)
    assert keys == ["2026-03-10/AM", "2026-03-12/AM"]
