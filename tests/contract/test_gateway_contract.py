"""One contract, two gateways: the in-memory fake must behave like notion-client + the sandbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import DataSourceId, Key, PageContent, PageId, Person, Shift
from syncer.core.codec import Codec, PropertyNames, content_for, schema_properties
from syncer.core.errors import PermanentNotionError, TransientNotionError
from syncer.core.gateway import INCOMPLETE_READ, Gateway
from syncer.core.kinds import CAPABILITIES, Capability
from syncer.core.windows import year_windows
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.fake_gateway import FakeGateway

NAMES = PropertyNames()
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, dt.UTC)


def codec(tz: dt.tzinfo) -> Codec:
    """The codec writing dates in ``tz``."""
    return Codec(NAMES, DEFAULT_ROTATIONS, tz)


# (gateway method, status or None for a dropped connection, retry_after, committed, apply)
Fault = Callable[[str, int | None, int | None, bool, bool], None]


@dataclass
class Subject:
    """A gateway under contract, two fresh databases in it, and ways to add people and faults,
    to change how its Notion behaves, and to get a gateway whose token has fewer capabilities."""

    gateway: Gateway
    calendar: DataSourceId
    past: DataSourceId
    add_person: Callable[[str, str], str]
    fail_next: Fault
    behave: Callable[..., None]  # move_values=..., result_cap=..., move_answer=...
    limited: Callable[[frozenset[Capability]], Gateway]


# Each Gateway method as the sandbox sees it: (HTTP method, path pattern).
ROUTES = {
    "create_page": ("POST", "/v1/pages"),
    "update_page": ("PATCH", "/v1/pages/*"),
    "query_pages": ("POST", "/v1/data_sources/*/query"),
    "data_source_id": ("GET", "/v1/databases/*"),
    "list_users": ("GET", "/v1/users"),
}


def _sandbox_fault(
    sandbox: RunningSandbox,
) -> Callable[[str, int | None, int | None, bool, bool], None]:
    def fail_next(
        method: str, status: int | None, retry_after: int | None, committed: bool, apply: bool
    ) -> None:
        http_method, path = ROUTES[method]
        kind = "apply_then_drop" if status is None else "apply_then_fail" if apply else "status"
        rule: dict[str, object] = {"kind": kind, "method": http_method, "path": path}
        rule.update(status=status or 500, retry_after=retry_after, committed_resource_id=committed)
        sandbox.add_fault(rule)

    return fail_next


def _databases(gateway: Gateway) -> tuple[DataSourceId, DataSourceId]:
    schema = schema_properties(NAMES, DEFAULT_ROTATIONS)
    calendar = gateway.create_database("root", "CALENDAR", schema)
    past = gateway.create_database("root", "PAST CALENDAR", schema)
    return gateway.data_source_id(calendar), gateway.data_source_id(past)


@pytest.fixture(params=["fake", "sandbox"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        fake = FakeGateway()
        calendar, past = _databases(fake)

        def fake_fault(
            method: str, status: int | None, retry_after: int | None, committed: bool, apply: bool
        ) -> None:
            fake.fail_next(
                method, status, retry_after=retry_after, committed=committed, apply=apply
            )

        def fake_behave(
            move_values: str | None = None,
            result_cap: int | None = None,
            move_answer: str | None = None,
        ) -> None:
            fake.move_values = move_values or fake.move_values
            fake.result_cap = result_cap or fake.result_cap
            fake.move_answer = move_answer or fake.move_answer

        def fake_limited(capabilities: frozenset[Capability]) -> Gateway:
            fake.capabilities = capabilities
            return fake

        yield Subject(
            fake,
            calendar,
            past,
            lambda n, e: fake.add_person(n, e).user_id,
            fake_fault,
            fake_behave,
            fake_limited,
        )
        return
    sandbox: RunningSandbox = request.getfixturevalue("sandbox")
    real = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    # The fake's "root" parent stands for the sandbox's root page.
    schema = schema_properties(NAMES, DEFAULT_ROTATIONS)
    calendar_id = real.create_database(sandbox.root_page_id, "CALENDAR", schema)
    past_id = real.create_database(sandbox.root_page_id, "PAST CALENDAR", schema)

    def add_person(name: str, email: str) -> str:
        return str(sandbox.add_user(name, email)["id"])

    def behave(
        move_values: str | None = None,
        result_cap: int | None = None,
        move_answer: str | None = None,
    ) -> None:
        changes: dict[str, object] = {
            "move_values": move_values,
            "query_result_cap": result_cap,
            "move_answer": move_answer,
        }
        sandbox.update_settings(**{k: v for k, v in changes.items() if v is not None})

    made: list[NotionGateway] = []

    def limited(capabilities: frozenset[Capability]) -> Gateway:
        token = sandbox.add_integration("Limited", capabilities)["token"]
        made.append(NotionGateway(token, pacer=Pacer(10_000, 1), base_url=sandbox.url))
        return made[-1]

    yield Subject(
        real,
        real.data_source_id(calendar_id),
        real.data_source_id(past_id),
        add_person,
        _sandbox_fault(sandbox),
        behave,
        limited,
    )
    for gateway in (real, *made):
        gateway.close()
    sandbox.clear_faults()


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
    subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(wanted))

    pages = subject.gateway.query_pages(subject.calendar)

    assert [CODEC.decode(page.properties) for page in pages] == [wanted]


def test_the_schema_has_every_property_with_its_type(subject: Subject) -> None:
    """notion init's schema is what notion check expects."""
    schema = subject.gateway.schema(subject.calendar)
    assert {name: schema[name]["type"] for name in NAMES.types()} == NAMES.types()


def test_an_update_replaces_properties(subject: Subject) -> None:
    """Updating a page changes exactly what was sent."""
    first = content(subject)
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(first))
    second = content(subject, email="b@x.io")
    subject.gateway.update_page(page.page_id, properties=codec(dt.UTC).encode(second))

    [read] = subject.gateway.query_pages(subject.calendar)
    assert CODEC.decode(read.properties) == second


def test_a_schema_change_renames_a_property_with_its_values_and_adds_one(
    subject: Subject,
) -> None:
    """A renamed property keeps each page's value under its new name; an added one reads empty;
    both answer with the whole new schema (what `notion adopt` relies on)."""
    page = subject.gateway.create_page(subject.calendar, CODEC.encode(content(subject)))

    renamed = subject.gateway.update_schema(
        subject.calendar, {"Orig. Engineer Email": {"name": "Orig. Engineer Email (old)"}}
    )
    added = subject.gateway.update_schema(subject.calendar, {"Notes": {"rich_text": {}}})
    read = subject.gateway.retrieve_page(page.page_id).properties

    assert "Orig. Engineer Email (old)" in renamed
    assert "Orig. Engineer Email" not in renamed
    assert added["Notes"]["type"] == "rich_text"
    assert subject.gateway.schema(subject.calendar) == added
    old = read["Orig. Engineer Email (old)"]["rich_text"]
    assert "".join(item["plain_text"] for item in old) == "a@x.io"
    assert read.get("Notes", {"rich_text": []})["rich_text"] == []


def test_a_trashed_page_leaves_queries_but_can_be_read_and_restored(subject: Subject) -> None:
    """Trash hides a page from queries; retrieve still shows it, flagged; restore brings it back."""
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))

    subject.gateway.update_page(page.page_id, in_trash=True)
    assert subject.gateway.query_pages(subject.calendar) == []
    assert subject.gateway.retrieve_page(page.page_id).in_trash is True

    subject.gateway.update_page(page.page_id, in_trash=False)
    assert [p.page_id for p in subject.gateway.query_pages(subject.calendar)] == [page.page_id]


def test_a_moved_page_lives_in_the_other_database(subject: Subject) -> None:
    """pages.move into the past data source keeps the page id and its properties."""
    wanted = content(subject)
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(wanted))

    moved = subject.gateway.move_page(page.page_id, subject.past)

    assert moved.page_id == page.page_id
    assert subject.gateway.query_pages(subject.calendar) == []
    [read] = subject.gateway.query_pages(subject.past)
    assert CODEC.decode(read.properties) == wanted


def test_a_sync_key_filter_finds_only_that_page(subject: Subject) -> None:
    """The look-up after an ambiguous create finds the page by its natural key."""
    for day in (10, 11, 12):
        properties = codec(dt.UTC).encode(content(subject, day, f"p{day}@x.io"))
        subject.gateway.create_page(subject.calendar, properties)

    query = {"property": NAMES.sync_key, "rich_text": {"equals": "2026-03-11/AM"}}
    found = subject.gateway.query_pages(subject.calendar, filter=query)

    keys = [getattr(CODEC.decode(p.properties), "sync_key", None) for p in found]
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
        subject.gateway.retrieve_page(PageId("0" * 32))
    assert missing.value.code == "object_not_found"

    with pytest.raises(PermanentNotionError) as invalid:
        subject.gateway.create_page(subject.calendar, {"Nonsense": {"rich_text": []}})
    assert invalid.value.code == "validation_error"


def test_moving_a_trashed_page_is_refused(subject: Subject) -> None:
    """Notion refuses to move a page in the trash (400 validation_error)."""
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))
    subject.gateway.update_page(page.page_id, in_trash=True)

    with pytest.raises(PermanentNotionError) as refused:
        subject.gateway.move_page(page.page_id, subject.past)
    assert refused.value.code == "validation_error"


def test_a_trashed_page_cannot_be_edited_until_restored(subject: Subject) -> None:
    """Notion refuses property writes to a page in the trash (400 validation_error)."""
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))
    subject.gateway.update_page(page.page_id, in_trash=True)
    other = codec(dt.UTC).encode(content(subject, email="b@x.io"))

    with pytest.raises(PermanentNotionError) as refused:
        subject.gateway.update_page(page.page_id, properties=other)
    assert refused.value.code == "validation_error"


def test_an_or_of_sync_keys_finds_exactly_those_pages(subject: Subject) -> None:
    """A failed key's look-up combines several Sync Keys in one query."""
    for day in (10, 11, 12):
        properties = codec(dt.UTC).encode(content(subject, day, f"q{day}@x.io"))
        subject.gateway.create_page(subject.calendar, properties)
    clauses = [
        {"property": NAMES.sync_key, "rich_text": {"equals": key}}
        for key in ("2026-03-10/AM", "2026-03-12/AM", "2026-03-13/AM")
    ]

    found = subject.gateway.query_pages(subject.calendar, filter={"or": clauses})

    keys = sorted(getattr(CODEC.decode(p.properties), "sync_key", "") for p in found)
    assert keys == ["2026-03-10/AM", "2026-03-12/AM"]


# -- failures: both gateways raise the same classes with the same fields ---------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
        (529, "service_overload"),
    ],
)
def test_server_errors_are_transient_with_their_status_and_code(
    subject: Subject, status: int, code: str
) -> None:
    """5xx and 529 are worth retrying, and say which they were."""
    subject.fail_next("query_pages", status, None, False, False)

    with pytest.raises(TransientNotionError) as caught:
        subject.gateway.query_pages(subject.calendar)

    assert (caught.value.status, caught.value.code) == (status, code)
    assert subject.gateway.query_pages(subject.calendar) == []  # the fault fired once


def test_a_429_carries_its_retry_after(subject: Subject) -> None:
    """Rate limiting is transient and tells how long to wait."""
    subject.fail_next("data_source_id", 429, 7, False, False)

    with pytest.raises(TransientNotionError) as caught:
        subject.gateway.data_source_id("0" * 32)

    assert (caught.value.status, caught.value.code) == (429, "rate_limited")
    assert caught.value.retry_after == 7


def test_a_failed_create_can_name_the_page_it_committed(subject: Subject) -> None:
    """A 503 after the write carries committed_resource_id: the page that now exists."""
    subject.fail_next("create_page", 503, None, True, True)

    with pytest.raises(TransientNotionError) as caught:
        subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))

    (page,) = subject.gateway.query_pages(subject.calendar)
    assert caught.value.committed_resource_id is not None
    assert caught.value.committed_resource_id.replace("-", "") == page.page_id.replace("-", "")


def test_a_dropped_connection_is_transient_and_the_write_may_have_landed(subject: Subject) -> None:
    """No answer at all: code `connection`, no status, and the update was applied anyway."""
    created = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))
    subject.fail_next("update_page", None, None, False, True)

    with pytest.raises(TransientNotionError) as caught:
        subject.gateway.update_page(created.page_id, in_trash=True)

    assert (caught.value.status, caught.value.code) == (None, "connection")
    assert subject.gateway.retrieve_page(created.page_id).in_trash


# -- what a real workspace may do: the fake follows the sandbox --------------------------------


@pytest.mark.parametrize("move_values", ["keep-by-name", "title-only"])
def test_a_move_keeps_what_the_workspace_keeps(subject: Subject, move_values: str) -> None:
    """Values survive a move by name, or only the title does: both gateways show the same."""
    subject.behave(move_values=move_values)
    wanted = content(subject)
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(wanted))

    moved = subject.gateway.move_page(page.page_id, subject.past)

    seen = CODEC.decode(moved.properties)
    if move_values == "keep-by-name":
        assert seen == wanted
    else:
        assert seen is None  # the Sync Key did not survive
        title = moved.properties[NAMES.name]["title"]
        assert title[0]["plain_text"] == wanted.name
    assert moved.page_id == page.page_id


def test_a_move_may_be_answered_with_the_page_id_only(subject: Subject) -> None:
    """Notion's move answer may be a partial page: no properties, and the page did move."""
    subject.behave(move_answer="id")
    page = subject.gateway.create_page(subject.calendar, codec(dt.UTC).encode(content(subject)))

    moved = subject.gateway.move_page(page.page_id, subject.past)

    assert (moved.page_id, moved.properties) == (page.page_id, {})
    assert [p.page_id for p in subject.gateway.query_pages(subject.past)] == [page.page_id]


def test_users_list_without_user_information_is_403(subject: Subject) -> None:
    """A token that may not read users gets restricted_resource, a permanent error."""
    gateway = subject.limited(frozenset(CAPABILITIES) - {"read_users", "read_user_emails"})

    with pytest.raises(PermanentNotionError) as refused:
        gateway.list_users()

    assert (refused.value.status, refused.value.code) == (403, "restricted_resource")


def test_users_without_the_email_capability_have_no_email(subject: Subject) -> None:
    """Persons are listed, but without an email."""
    user_id = subject.add_person("Eve", "eve@example.com")
    gateway = subject.limited(frozenset(CAPABILITIES) - {"read_user_emails"})

    users = {u.user_id: u for u in gateway.list_users()}

    assert (users[user_id].kind, users[user_id].email) == ("person", None)


def test_a_read_only_token_cannot_create(subject: Subject) -> None:
    """Writing without the insert capability is 403 restricted_resource."""
    properties = codec(dt.UTC).encode(content(subject))
    gateway = subject.limited(frozenset({"read_content", "read_users", "read_user_emails"}))

    with pytest.raises(PermanentNotionError) as refused:
        gateway.create_page(subject.calendar, properties)

    assert (refused.value.status, refused.value.code) == (403, "restricted_resource")


def test_a_query_over_the_result_cap_is_an_incomplete_read(subject: Subject) -> None:
    """A capped query never passes for a complete read."""
    subject.behave(result_cap=2)
    for day in (9, 10, 11):
        subject.gateway.create_page(
            subject.calendar, codec(dt.UTC).encode(content(subject, day, f"r{day}@x.io"))
        )

    with pytest.raises(PermanentNotionError) as capped:
        subject.gateway.query_pages(subject.calendar)

    assert capped.value.code == INCOMPLETE_READ


def test_date_windows_select_each_page_exactly_once(subject: Subject) -> None:
    """The year windows reconcile reads PAST CALENDAR with cover every page, dated or not."""
    for day in (1, 2):
        subject.gateway.create_page(
            subject.past, codec(dt.UTC).encode(content(subject, day, f"w{day}@x.io"))
        )
    undated = codec(dt.UTC).encode(content(subject, 3, "w3@x.io"))
    undated[NAMES.date] = {"date": None}
    subject.gateway.create_page(subject.past, undated)

    found = [
        page.page_id
        for window in year_windows(2025, 2026)
        for page in subject.gateway.query_pages(subject.past, filter=window.filter(NAMES.date))
    ]

    assert len(found) == len(set(found)) == 3
    per_window = [
        len(subject.gateway.query_pages(subject.past, filter=w.filter(NAMES.date)))
        for w in year_windows(2025, 2026)
    ]
    assert per_window == [1, 2]  # the undated page with the old ones; March 2026 in its year
