"""Schedule rows -> desired shifts: the rules of design.md, one behaviour per test."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from syncer.core import Key, RawKey, Rotations, RotationWindow, SourceRow
from syncer.core.projection import (
    Projection,
    normalise_email,
    project,
    shift_times,
    week_start,
)

ROTATIONS = Rotations(
    (
        RotationWindow("AM", dt.time(9), dt.time(12)),
        RotationWindow("Core", dt.time(12), dt.time(18)),
        RotationWindow("PM", dt.time(18), dt.time(21)),
    )
)
LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2024, 7, 1)
KEY = Key(DAY, "AM")


def schedule(
    email: str | None, *, date: str = "2024-07-01", rotation: str = "AM", row_id: int = 1
) -> SourceRow:
    return SourceRow("schedule", row_id, RawKey(date, rotation), email)


def override(
    email: str | None, *, date: str = "2024-07-01", rotation: str = "AM", row_id: int = 1
) -> SourceRow:
    return SourceRow("override", row_id, RawKey(date, rotation), email)


def run(*rows: SourceRow) -> Projection:
    return project(rows, rotations=ROTATIONS, tz=LONDON)


def test_schedule_row_alone_makes_its_engineer_final() -> None:
    """A key with only a schedule row is assigned to that row's engineer."""
    shift = run(schedule("alice@example.com")).shifts[KEY]
    assert (shift.orig_email, shift.override_email, shift.final_email) == (
        "alice@example.com",
        None,
        "alice@example.com",
    )


def test_override_wins_over_schedule() -> None:
    """An override row replaces the scheduled engineer as final, keeping the original visible."""
    shift = run(schedule("alice@example.com"), override("bob@example.com")).shifts[KEY]
    assert shift.orig_email == "alice@example.com"
    assert shift.final_email == "bob@example.com"


def test_override_row_alone_still_makes_a_shift() -> None:
    """A key with an override but no schedule row still gets a page, with no original engineer."""
    shift = run(override("bob@example.com")).shifts[KEY]
    assert shift.orig_email is None
    assert shift.final_email == "bob@example.com"


def test_emails_are_trimmed_and_lower_cased() -> None:
    """Emails compare case-insensitively: they are stored lower-cased and trimmed."""
    shift = run(schedule("  Alice@Example.COM ")).shifts[KEY]
    assert shift.orig_email == "alice@example.com"


def test_rotation_names_match_case_insensitively() -> None:
    """A row spelling the rotation 'am' lands on the configured 'AM' key."""
    assert set(run(schedule("a@example.com", rotation=" am")).shifts) == {KEY}


def test_shift_carries_rotation_hours_in_the_configured_zone() -> None:
    """A summer AM shift in London runs 09:00-12:00 local time, i.e. 08:00-11:00 UTC."""
    shift = run(schedule("a@example.com")).shifts[KEY]
    assert (shift.start.hour, shift.end.hour) == (9, 12)
    assert shift.start.astimezone(dt.UTC).hour == 8


@pytest.mark.parametrize(
    ("date", "reason"),
    [("2024-13-01", "no such day"), ("1/7/2024", "expected YYYY-MM-DD"), ("", "malformed")],
)
def test_malformed_dates_are_reported_not_synced(date: str, reason: str) -> None:
    """A row whose date does not parse is reported with its key and produces no shift."""
    result = run(schedule("a@example.com", date=date))
    assert result.shifts == {}
    [bad] = result.bad_rows
    assert bad.key == RawKey(date, "AM")
    assert reason in bad.reason


def test_unknown_rotation_is_reported_with_the_known_ones() -> None:
    """A row for a rotation that is not configured is reported, naming the valid rotations."""
    result = run(schedule("a@example.com", rotation="Night"))
    assert result.shifts == {}
    [bad] = result.bad_rows
    assert "Night" in bad.reason
    assert all(name in bad.reason for name in ROTATIONS.names)


@pytest.mark.parametrize(
    "email",
    [
        None,
        "",
        "   ",
        "not-an-email",
        "@example.com",
        "ada@",
        "a b@example.com",
        "a@@example.com",
        "a@b@example.com",
        "ada@exa\u200bmple.com",  # zero-width space
        "ada\u202e@example.com",  # right-to-left override
        "ada@example.com\x00",
        "a@" + "b" * 250 + ".com",
        "a" * 5000 + "@example.com",
    ],
)
def test_bad_email_blocks_the_key(email: str | None) -> None:
    """An empty or malformed email blocks its key: no shift, the key listed as blocked."""
    result = run(schedule(email), override("bob@example.com"))
    assert result.shifts == {}
    assert result.blocked == {KEY}
    assert [(bad.table, bad.key) for bad in result.bad_rows] == [("schedule", KEY)]


def test_two_schedule_rows_for_one_key_block_it() -> None:
    """Two schedule rows for one key are ambiguous: both are reported and the key is blocked."""
    result = run(
        schedule("a@example.com", row_id=1),
        schedule("b@example.com", row_id=2, rotation="am"),
    )
    assert result.shifts == {}
    assert result.blocked == {KEY}
    assert sorted(bad.row_id for bad in result.bad_rows) == [1, 2]


def test_bad_rows_do_not_affect_other_keys() -> None:
    """A bad row blocks only its own key; every other key is projected as usual."""
    result = run(schedule("broken"), schedule("c@example.com", rotation="PM"))
    assert set(result.shifts) == {Key(DAY, "PM")}
    assert result.blocked == {KEY}


def test_parse_key_reports_reason_as_text() -> None:
    """Rotations.parse gives a canonical Key for a good raw key and a reason for a bad one."""
    assert ROTATIONS.parse(RawKey(" 2024-07-01", " core ")) == Key(DAY, "Core")
    assert isinstance(ROTATIONS.parse(RawKey("2024-02-30", "AM")), str)


def test_normalise_email_rejects_what_cannot_be_an_address() -> None:
    """normalise_email keeps real addresses (lower-cased) and turns junk into None."""
    assert normalise_email(" X@Y.Io ") == "x@y.io"
    assert normalise_email("x@") is None
    assert normalise_email(None) is None


def test_rotation_past_midnight_ends_next_day() -> None:
    """A rotation whose end is before its start ends on the following day."""
    night = RotationWindow("Night", dt.time(22), dt.time(6))
    start, end = shift_times(DAY, night, LONDON)
    assert (start.date(), start.hour) == (DAY, 22)
    assert (end.date(), end.hour) == (DAY + dt.timedelta(days=1), 6)


def test_rotation_times_follow_dst_on_the_date() -> None:
    """The same wall-clock hours carry GMT in winter and BST in summer."""
    am = ROTATIONS.window(KEY)
    winter, _ = shift_times(dt.date(2024, 1, 15), am, LONDON)
    summer, _ = shift_times(dt.date(2024, 7, 15), am, LONDON)
    assert winter.utcoffset() == dt.timedelta(0)
    assert summer.utcoffset() == dt.timedelta(hours=1)


@pytest.mark.parametrize("offset", range(7))
def test_week_start_is_monday_of_the_same_week(offset: int) -> None:
    """Every day of a week maps to that week's Monday (Sunday belongs to the week it ends)."""
    monday = dt.date(2024, 7, 1)
    assert monday.weekday() == 0
    assert week_start(monday + dt.timedelta(days=offset)) == monday


def test_an_over_long_email_is_reported_short() -> None:
    """A 5,000-character email is a bad row whose reason gives its length, not its text."""
    result = run(schedule("a" * 5000 + "@example.com"))

    [bad] = result.bad_rows
    assert "5012 characters (at most 254)" in bad.reason
    assert len(bad.reason) < 200


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.com",
        "Ada.Lovelace+oncall@Mail.Example.co.uk",
        "o'neil@example.io",
        "peggy@exämple.com",  # RFC 6531: a non-ASCII domain ...
        "δοκιμή@παράδειγμα.δοκιμή",  # ... and local part
        "x@y",  # a dotless domain: unusual, but an address
    ],
)
def test_real_addresses_are_kept(email: str) -> None:
    """Plus tags, dots, apostrophes, sub-domains and UTF-8 (RFC 6531) are all fine."""
    assert normalise_email(email) == email.lower()


def test_a_decomposed_address_matches_its_composed_form() -> None:
    """An "a" plus a combining diaeresis is the "ä" a Notion person's address spells."""
    assert normalise_email("Peggy@Exa\u0308mple.com") == "peggy@ex\u00e4mple.com"


def test_a_row_that_is_not_utf8_is_a_bad_row_with_its_values_escaped() -> None:
    """Bytes that are not UTF-8 block the key; the reason shows the value, controls escaped."""
    row = SourceRow(
        "schedule", 7, RawKey("2024-07-01", "AM"), "ada\\xff\u202e@example.com", ("engineer_email",)
    )
    bad_key = SourceRow("override", 8, RawKey("2024-07-0\\xff", "AM"), "bo@example.com", ("date",))

    projection = run(row, bad_key)

    assert projection.shifts == {}
    assert projection.blocked == {KEY}
    reasons = {bad.row_id: (bad.key, bad.reason) for bad in projection.bad_rows}
    assert reasons[7] == (KEY, "not valid UTF-8: engineer_email 'ada\\xff\\u202e@example.com'")
    assert reasons[8] == (RawKey("2024-07-0\\xff", "AM"), "not valid UTF-8: date '2024-07-0\\xff'")


@pytest.mark.parametrize(
    ("email", "said"),
    [
        ("bob\x1b[2J@example.com", "it holds U+001B (a control character)"),
        ("ada\u202e@example.com", "it holds U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a b@example.com", "it holds U+0020 SPACE"),
    ],
)
def test_a_refused_character_is_named_in_the_bad_rows_reason(email: str, said: str) -> None:
    """The reason says which character to look for, even one Unicode gives no name."""
    (bad,) = run(schedule(email)).bad_rows
    assert said in bad.reason
