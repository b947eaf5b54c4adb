"""What Notion must hold, worked out from the SQLite rows alone (not from syncer's projection).

The rules, as the README states them: one page per (date, rotation) that has a schedule or an
override row; the final engineer is the override's, else the schedule's; the page's hours are
the rotation's hours in Europe/London on that date (so its offset is +00:00 or +01:00); pages of
weeks before this week's Monday live in PAST CALENDAR and keep what they held when their week
ended; the others live in CALENDAR and follow the rows. A key with a row whose text is not
valid UTF-8 is a bad row's: syncer reports it and leaves its page alone, so no page is worked
out for it (:func:`bad_rows` lists them).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
HOURS = {"AM": (9, 12), "Core": (12, 18), "PM": (18, 21)}
ROTATIONS = tuple(HOURS)


@dataclass(frozen=True, slots=True)
class Person:
    """A Notion user the schedule's emails may name."""

    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page as it must be: its Sync Key and every property value."""

    sync_key: str
    name: str
    start: dt.datetime
    end: dt.datetime
    rotation: str
    orig_email: str | None
    override_email: str | None
    final_email: str | None
    orig_people: tuple[str, ...]
    override_people: tuple[str, ...]
    final_people: tuple[str, ...]


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


TABLES = (("oncall_schedule", "schedule"), ("oncall_schedule_overrides", "override"))


def _raw_rows(db: Path) -> list[tuple[str, int, bytes, bytes, bytes]]:
    """(table label, row id, date, rotation, email) as the bytes SQLite holds."""
    conn = sqlite3.connect(db)
    conn.text_factory = bytes
    try:
        return [
            (label, row_id, date, rotation, email)
            for table, label in TABLES
            for row_id, date, rotation, email in conn.execute(
                f"SELECT id, date, rotation, engineer_email FROM {table}"
            )
        ]
    finally:
        conn.close()


def bad_rows(db: Path) -> dict[str, set[tuple[str, int]]]:
    """Sync Key -> the (table, row id) of its rows whose email is not valid UTF-8."""
    found: dict[str, set[tuple[str, int]]] = {}
    for label, row_id, date, rotation, email in _raw_rows(db):
        try:
            email.decode()
        except UnicodeDecodeError:
            found.setdefault(f"{date.decode()}/{rotation.decode()}", set()).add((label, row_id))
    return found


def read_rows(db: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(date, rotation) -> {"schedule": email, "override": email}, straight from the tables;
    keys with a bad row are left out."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    bad = bad_rows(db)
    for label, _, date, rotation, email in _raw_rows(db):
        key = (date.decode(), rotation.decode())
        if "/".join(key) not in bad:
            found.setdefault(key, {})[label] = email.decode()
    return found


def expected_pages(db: Path, people: Mapping[str, Person]) -> dict[str, Page]:
    """Sync Key -> the page the rows call for now."""
    pages: dict[str, Page] = {}
    for (date_text, rotation), emails in read_rows(db).items():
        date = dt.date.fromisoformat(date_text)
        start_hour, end_hour = HOURS[rotation]
        orig, override = emails.get("schedule"), emails.get("override")
        final = override or orig
        person = people.get(final) if final else None
        who = person.name if person else final or "unassigned"

        def ids(email: str | None) -> tuple[str, ...]:
            known = people.get(email) if email else None
            return (known.user_id,) if known else ()

        sync_key = f"{date_text}/{rotation}"
        pages[sync_key] = Page(
            sync_key=sync_key,
            name=f"{date_text} {rotation} · {who}",
            start=dt.datetime.combine(date, dt.time(start_hour), LONDON),
            end=dt.datetime.combine(date, dt.time(end_hour), LONDON),
            rotation=rotation,
            orig_email=orig,
            override_email=override,
            final_email=final,
            orig_people=ids(orig),
            override_people=ids(override),
            final_people=ids(final),
        )
    return pages


def _text(prop: Any, kind: str) -> str | None:
    items = (prop or {}).get(kind) or []
    joined = "".join(item.get("plain_text", "") for item in items)
    return joined or None


def _people(prop: Any) -> tuple[str, ...]:
    return tuple(sorted(p["id"] for p in (prop or {}).get("people") or []))


def sync_key_of(page: Mapping[str, Any]) -> str | None:
    """The Sync Key a page (as the sandbox dumps it) carries."""
    return _text(page["properties"].get("Sync Key"), "rich_text")


def differences(page: Mapping[str, Any], want: Page) -> list[str]:
    """Every property of ``page`` (sandbox JSON) that differs from ``want``, one line each."""
    props = page["properties"]
    found: list[str] = []

    def check(name: str, seen: object, wanted: object) -> None:
        if seen != wanted:
            found.append(f"{want.sync_key} {name}: {seen!r} != {wanted!r}")

    check("Name", _text(props.get("Name"), "title"), want.name)
    date = (props.get("Date") or {}).get("date") or {}
    for field, wanted in (("start", want.start), ("end", want.end)):
        text = date.get(field)
        seen = dt.datetime.fromisoformat(text) if text else None
        check(f"Date.{field}", seen, wanted)
        if seen is not None and seen.utcoffset() != wanted.utcoffset():
            found.append(f"{want.sync_key} Date.{field} offset {text} (want {wanted.isoformat()})")
    rotation = ((props.get("Rotation") or {}).get("select") or {}).get("name")
    check("Rotation", rotation, want.rotation)
    for name, wanted_email in (
        ("Orig. Engineer Email", want.orig_email),
        ("Override Email", want.override_email),
        ("Final Engineer Email", want.final_email),
    ):
        check(name, _text(props.get(name), "rich_text"), wanted_email)
    check("Orig. Engineer", _people(props.get("Orig. Engineer")), tuple(sorted(want.orig_people)))
    check("Override", _people(props.get("Override")), tuple(sorted(want.override_people)))
    check("Final Engineer", _people(props.get("Final Engineer")), tuple(sorted(want.final_people)))
    return found
