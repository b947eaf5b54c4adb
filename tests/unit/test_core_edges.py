"""Edge cases of the core a user meets rarely but must not be surprised by."""

from __future__ import annotations

import dataclasses
import datetime as dt

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import Change, DataSourceId, ForgetMapping, Key, RawKey, RemotePage, RowImage
from syncer.core.codec import MISSING_INSTANT, Codec, PropertyNames
from syncer.core.errors import redact
from syncer.core.gateway import RawPage
from syncer.core.ids import LockHolder, PageId
from syncer.core.planner import plan_changes, plan_reconcile
from tests.support.plans import CAL, NOW, content, mapped, page

NAMES = PropertyNames()
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, dt.UTC)


def properties(start: object) -> dict[str, object]:
    return {
        "Sync Key": {"type": "rich_text", "rich_text": [{"plain_text": "2026-03-11/AM"}]},
        "Date": {"type": "date", "date": {"start": start, "end": None}},
    }


def test_a_date_typed_without_an_offset_in_notion_is_read_as_utc() -> None:
    """Notion treats a naive date-time as UTC, and so does syncer when comparing."""
    seen = CODEC.decode(properties("2026-03-11T09:00:00"))

    assert seen is not None
    assert seen.start == dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)


def test_a_date_that_is_not_text_reads_as_missing_and_gets_rewritten() -> None:
    """Garbage in a date never crashes the decode; it just differs from every real shift."""
    seen = CODEC.decode(properties(20260311))

    assert seen is not None
    assert seen.start == MISSING_INSTANT


def test_a_sync_key_reads_back_as_written() -> None:
    """`YYYY-MM-DD/ROTATION` both ways; a Sync Key spelled otherwise is read as the text it is,
    and stands for the key it names; anything else stands for no key."""
    key = Key(dt.date(2026, 3, 11), "Core")
    written = CODEC.encode(dataclasses.replace(content(NOW), key=key))

    assert str(key) == "2026-03-11/Core"
    assert CODEC.read_values(written).key == key
    for text, meant in ((" 2026-03-11/core ", key), ("2026-03-11", None)):
        written["Sync Key"] = {"rich_text": [{"text": {"content": text}}]}
        page = CODEC.remote(RawPage(PageId("p1"), DataSourceId("ds"), False, written), "calendar")
        assert page.content is not None
        assert page.content.key == RawKey.split(text.strip())
        assert page.key == meant


def test_a_page_whose_sync_key_was_garbled_by_hand_belongs_to_no_key() -> None:
    """Such a page is not adopted, updated or trashed: it is not syncer's any more."""
    garbled = dataclasses.replace(content(NOW), key=RawKey("2026-99-99", "AM"))

    assert RemotePage(PageId("p1"), "calendar", garbled).key is None


def test_a_key_change_marks_both_the_old_and_the_new_key() -> None:
    """Moving a shift to another day dirties the day it left and the day it joined."""
    change = Change(
        7,
        "2026-03-11T08:00:00Z",
        "schedule",
        "update",
        RowImage(RawKey("2026-03-11", "AM"), "a@x.io"),
        RowImage(RawKey("2026-03-12", "AM"), "a@x.io"),
    )

    assert change.raw_keys == {RawKey("2026-03-11", "AM"), RawKey("2026-03-12", "AM")}


def test_a_page_filed_in_the_past_for_a_current_week_without_rows_is_trashed() -> None:
    """(--today moved back) a deleted shift's page is trashed wherever it was filed."""
    plan = plan_changes({NOW: None}, mapped(NOW, "past", content(NOW)), CAL)

    assert [(a.kind, getattr(a, "database", None)) for a in plan.actions] == [("trash", "past")]


def test_a_relabelled_page_whose_old_key_has_no_rows_only_drops_the_mapping() -> None:
    """The page now carries another key; the old key has nothing to show: no Notion write."""
    other = Key(NOW.date, "PM")
    relabelled = dataclasses.replace(content(NOW), key=other)

    plan = plan_reconcile(
        {},
        mapped(NOW, "calendar", content(NOW)),
        [page(other, "calendar", "p1", body=relabelled)],
        CAL,
    )

    forget = [a for a in plan.actions if isinstance(a, ForgetMapping)]
    assert [(a.key, a.page_id) for a in forget] == [(NOW, "p1")]


def test_redact_masks_token_shapes_bearer_values_and_given_secrets() -> None:
    """Token shapes, bearer values and named secrets are masked; a too-short "secret" is not."""
    text = (
        "bad: bearer abc.def, ntn_" + "a" * 46 + " and secret_" + "B" * 43 + "; hook "
        "https://hooks.example.com/x/y and https://hooks.example.com/x; box"
    )
    secrets = ("https://hooks.example.com/x", "https://hooks.example.com/x/y", "", "x")

    masked = redact(text, secrets)

    assert masked == (
        "bad: bearer [redacted] [redacted] and [redacted]; hook [redacted] and [redacted]; box"
    )


def test_a_lock_holder_read_back_says_whether_it_is_the_watch_service() -> None:
    """A holder tagged `watch` is the service; one with another tag, or none, is not."""
    holders = [LockHolder.parse(text) for text in ("host:42:watch", "host:42:cli", "host")]

    assert [holder.is_service for holder in holders] == [True, False, False]


def test_the_configured_rotations_count_as_many_as_they_list() -> None:
    """len() of the rotations is how many windows the config names (three by default)."""
    assert len(DEFAULT_ROTATIONS) == 3
