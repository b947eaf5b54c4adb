"""The commit rule: what the store records for each outcome of an action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.core import (
    Action,
    AdoptPage,
    CreatePage,
    Key,
    MappingRecord,
    MovePage,
    RawKey,
    RestorePage,
    SkipKey,
    TrashPage,
    UpdatePage,
)
from syncer.core.commit import (
    IN_DOUBT,
    UNKNOWN_DIGEST,
    Attempt,
    Commit,
    Performed,
    commit_for,
    intent_for,
)
from syncer.core.content import PageImage
from syncer.core.errors import (
    ConflictError,
    PermanentNotionError,
    TransientNotionError,
    notion_error,
)
from syncer.core.ids import EnvName, PageId, RunId
from syncer.core.keys import stored_key
from tests.support.plans import NOW, content, mapped

AT = dt.datetime(2024, 6, 12, 8, tzinfo=dt.UTC)
RUN, PROD = RunId(7), EnvName("prod")


def commit(
    action: Action, attempt: Attempt, mapping: Mapping[Key, MappingRecord] | None = None
) -> Commit:
    return commit_for(action, attempt, run_id=RUN, env=PROD, at=AT, mapping=mapping or {})


def test_an_applied_create_maps_the_new_page_and_audits_its_content() -> None:
    """The mapping points at the created page with the content's digest; after = the content."""
    made = content(NOW)
    done = commit(
        CreatePage(NOW, "calendar", made),
        Attempt("applied", Performed(PageId("p9"), "calendar", made)),
    )

    assert done.upsert is not None
    assert (done.upsert.page_id, done.upsert.content_digest) == ("p9", made.digest)
    assert done.record.after is not None
    assert done.record.after.content == made
    assert (done.forget, done.mark_failing) == (None, False)


def test_a_failed_write_of_a_mapped_key_leaves_its_content_unknown_and_the_key_failing() -> None:
    """The write may have landed: the next drain must rewrite the page, and the key is failing."""
    before = content(NOW)
    action = UpdatePage(NOW, "calendar", PageId("p1"), content(NOW, "bob@example.com"), before)
    done = commit(
        action,
        Attempt("failed", error="boom", attempts=4, request_id="r1"),
        mapped(NOW, "calendar", before),
    )

    assert done.upsert is not None
    assert done.upsert.content_digest == UNKNOWN_DIGEST
    assert done.mark_failing
    assert (done.record.error, done.record.attempts, done.record.request_ids) == (
        "boom",
        4,
        ("r1",),
    )


def test_an_action_that_may_create_a_page_is_announced_with_its_outcome_unknown() -> None:
    """The row written ahead of the call names what is known (key, kind, the page a move
    starts from) and says that the outcome is not."""
    create = intent_for(CreatePage(NOW, "calendar", content(NOW)), run_id=RUN, env=PROD, at=AT)
    move = intent_for(
        MovePage(NOW, PageId("p1"), "calendar", "past", content(NOW)), run_id=RUN, env=PROD, at=AT
    )

    assert (create.status, create.action, create.key, create.page_id) == (
        "unknown",
        "create",
        NOW,
        None,
    )
    assert (create.after, create.error) == (None, IN_DOUBT)
    assert (move.page_id, move.database, move.before) == ("p1", "calendar", PageImage("calendar"))


def test_a_failed_restore_or_trash_of_a_history_page_keeps_it_sealed() -> None:
    """Neither writes a page's values: PAST CALENDAR history stays immutable (a later local edit
    must not reach it because a restore timed out), while the key is still looked up."""
    history = content(NOW)
    mapping = mapped(NOW, "past", history)
    timed_out = Attempt("failed", error="timeout")
    later_edit = content(NOW, "bob@example.com")
    failures = [
        commit(RestorePage(NOW, "past", PageId("p1"), later_edit), timed_out, mapping),
        commit(TrashPage(NOW, "past", PageId("p1"), "retention", history), timed_out, mapping),
    ]
    calendar = mapped(NOW, "calendar", history)
    restored = commit(RestorePage(NOW, "calendar", PageId("p1"), history), timed_out, calendar)

    assert [(done.upsert, done.mark_failing) for done in failures] == [(None, True), (None, True)]
    assert restored.upsert is not None
    assert restored.upsert.content_digest == UNKNOWN_DIGEST  # a calendar restore writes values


def test_a_history_action_never_sent_keeps_it_sealed() -> None:
    """Notion down mid-run: the skip (a local edit of history, not pushed) and the update left
    unsent are recorded as failed, yet the page's history stays sealed against that edit."""
    history = content(NOW)
    mapping = mapped(NOW, "past", history)
    not_sent = Attempt("failed", error="not attempted: Notion was unavailable earlier")
    later_edit = content(NOW, "bob@example.com")
    failures = [
        commit(SkipKey(NOW, "past weeks are immutable"), not_sent, mapping),
        commit(UpdatePage(NOW, "past", PageId("p1"), later_edit, history), not_sent, mapping),
    ]
    sent = commit(
        UpdatePage(NOW, "past", PageId("p1"), later_edit, history),
        Attempt("failed", error="timeout", attempts=1),
        mapping,
    )

    assert [(done.upsert, done.mark_failing) for done in failures] == [(None, True), (None, True)]
    assert sent.upsert is not None  # an update that was sent may have landed


def test_a_failed_move_is_audited_where_the_page_was() -> None:
    """Until a move lands, the page is still in its source database."""
    action = MovePage(NOW, PageId("p1"), "calendar", "past", content(NOW))
    done = commit(action, Attempt("failed", error="down"))

    assert done.record.database == "calendar"
    assert done.upsert is None  # an unmapped key has nothing to mark unknown


def test_trashing_a_duplicate_keeps_the_keys_own_mapping() -> None:
    """Only trashing the mapped page itself drops the mapping."""
    pushed = content(NOW)
    mapping = mapped(NOW, "calendar", pushed, page_id=PageId("keeper"))
    duplicate = TrashPage(NOW, "calendar", PageId("other"), "duplicate", pushed)
    own = TrashPage(NOW, "calendar", PageId("keeper"), "no rows", pushed)

    kept = commit(
        duplicate, Attempt("applied", Performed(PageId("other"), "calendar", None)), mapping
    )
    dropped = commit(
        own, Attempt("applied", Performed(PageId("keeper"), "calendar", None)), mapping
    )

    assert kept.forget is None
    assert dropped.forget == NOW
    assert dropped.record.after is not None
    assert dropped.record.after.in_trash is True


def test_restoring_a_duplicate_keeps_the_keys_own_mapping() -> None:
    """A rollback that brings back a trashed duplicate does not make it the key's page; the
    key's own page, once restored, is mapped again (even when it is recreated under a new id)."""
    pushed = content(NOW)
    mapping = mapped(NOW, "past", pushed, page_id=PageId("keeper"))
    duplicate = RestorePage(NOW, "calendar", PageId("other"), pushed)
    own = RestorePage(NOW, "past", PageId("keeper"), pushed)

    kept = commit(
        duplicate, Attempt("applied", Performed(PageId("other"), "calendar", pushed)), mapping
    )
    again = commit(own, Attempt("applied", Performed(PageId("new-id"), "past", pushed)), mapping)
    unmapped = commit(duplicate, Attempt("applied", Performed(PageId("other"), "calendar", pushed)))

    assert (kept.upsert, kept.record.page_id) == (None, "other")
    assert again.upsert is not None
    assert again.upsert.page_id == "new-id"
    assert unmapped.upsert is not None
    assert unmapped.upsert.page_id == "other"


def test_a_skip_of_a_bad_row_keeps_its_raw_key() -> None:
    """A bad row's key that does not parse reaches the audit row as the same RawKey."""
    bad = RawKey("2026-13-01", "AM")
    done = commit(
        SkipKey(bad, "bad schedule row 3"), Attempt("skipped", error="bad schedule row 3")
    )

    assert done.record.key == bad
    assert (done.record.database, done.upsert, done.mark_failing) == (None, None, False)


@given(st.dates(), st.sampled_from(["AM", "Core", "PM"]))
def test_a_key_survives_the_stores_text(date: dt.date, rotation: str) -> None:
    """A key syncer stored comes back from its text as the same key."""
    key = Key(date, rotation)
    assert stored_key(RawKey.split(str(key))) == key


@pytest.mark.parametrize("text", ["2026-02-30/AM", "20260301/AM", "2026-03-01/", "garbage"])
def test_a_key_text_that_does_not_parse_stays_raw(text: str) -> None:
    """Impossible, compact or empty parts never become a Key."""
    assert stored_key(RawKey.split(text)) == RawKey.split(text)


@pytest.mark.parametrize(
    ("status", "code", "blocked", "expected", "expected_code"),
    [
        (409, None, False, ConflictError, "conflict_error"),
        (400, None, False, PermanentNotionError, "validation_error"),
        (429, None, True, PermanentNotionError, "rate_limited"),
        (529, None, False, TransientNotionError, "service_overload"),
        (None, "connection", False, TransientNotionError, "connection"),
        (418, None, False, PermanentNotionError, "unknown_error"),
    ],
)
def test_one_rule_classifies_every_failed_call(
    status: int | None, code: str | None, blocked: bool, expected: type, expected_code: str
) -> None:
    """Status, code and the blocked flag decide the class; a missing code comes from the status."""
    error = notion_error("x", code=code, status=status, blocked=blocked)
    assert type(error) is expected
    assert error.code == expected_code


@pytest.mark.parametrize(
    ("status", "code", "late"),
    [
        (None, "timeout", True),  # no answer: the request may still be worked on
        (None, "connection", True),
        (502, None, True),  # a gateway answered; the server behind it may still finish
        (504, None, True),
        (None, "unreachable", False),  # nothing was sent
        (429, None, False),  # Notion's own answers come once it is done with the request
        (500, None, False),
        (503, None, False),
        (529, None, False),
        (409, None, False),
        (400, None, False),
    ],
)
def test_only_a_failure_without_notions_own_answer_may_land_late(
    status: int | None, code: str | None, late: bool
) -> None:
    """Which failed creates may still leave a page later (a copy the next drain looks for)."""
    assert notion_error("x", code=code, status=status).may_land_late is late


def test_a_move_that_lost_values_maps_the_page_with_an_unknown_digest() -> None:
    """A move whose values did not survive leaves the page unsealed: the next run rewrites it."""
    wanted = content(NOW)
    left = content(NOW, "mallory@example.com")
    action = MovePage(NOW, PageId("p1"), "calendar", "past", wanted)
    done = commit(
        action,
        Attempt("applied", Performed(PageId("p1"), "past", left, confirmed=False)),
        mapped(NOW, "calendar", wanted),
    )

    assert done.upsert is not None
    assert (done.upsert.database, done.upsert.content_digest) == ("past", UNKNOWN_DIGEST)
    assert not done.upsert.confirmed
    assert done.record.after is not None
    assert done.record.after.content == left  # what the move left


def test_adopting_a_page_without_its_sync_key_maps_it_with_an_unknown_digest() -> None:
    """A page found by id but unreadable as syncer's holds unknown content: never trusted."""
    done = commit(
        AdoptPage(NOW, "past", PageId("p1"), None),
        Attempt("applied", Performed(PageId("p1"), "past", None)),
    )

    assert done.upsert is not None
    assert done.upsert.content_digest == UNKNOWN_DIGEST
    assert done.record.after == PageImage("past")
