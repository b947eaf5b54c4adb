"""Shifts <-> Notion page properties, through one canonical form. [core]

``content_for`` turns a shift and the people directory into :class:`PageContent`; a
:class:`Codec` writes that content as Notion property JSON (``encode``) and reads Notion's JSON
back into the same canonical form (``decode``: UTC instants, lower-cased emails, trimmed text),
so that ``decode(encode(c)) == c`` and a page that nobody touched never looks changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from syncer.core.content import PageContent, Person, RemotePage
from syncer.core.gateway import RawPage
from syncer.core.keys import AnyKey, Key, RawKey, Rotations
from syncer.core.kinds import Database, TitleShows
from syncer.core.rows import Shift

JSON = dict[str, Any]
MAX_TEXT = 2000  # Notion's limit on one rich-text or title item
UTC = dt.UTC
# What a missing or unreadable date decodes to: never equal to a real shift, so it gets rewritten.
MISSING_INSTANT = dt.datetime(1970, 1, 1, tzinfo=UTC)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # a date without hours: "2026-03-10"


@dataclass(frozen=True, slots=True)
class PropertyNames:
    """The Notion property names (a contract; each can be renamed in config)."""

    name: str = "Name"
    date: str = "Date"
    rotation: str = "Rotation"
    orig: str = "Orig. Engineer"
    override: str = "Override"
    final: str = "Final Engineer"
    orig_email: str = "Orig. Engineer Email"
    override_email: str = "Override Email"
    final_email: str = "Final Engineer Email"
    sync_key: str = "Sync Key"

    def types(self) -> dict[str, str]:
        """Each property's name -> its Notion type."""
        return {
            self.name: "title",
            self.date: "date",
            self.rotation: "select",
            self.orig: "people",
            self.override: "people",
            self.final: "people",
            self.orig_email: "rich_text",
            self.override_email: "rich_text",
            self.final_email: "rich_text",
            self.sync_key: "rich_text",
        }

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def page_name(shift: Shift, people: Mapping[str, Person], shows: TitleShows = "shift") -> str:
    """The page title: date, rotation and final engineer (their Notion name when known), or
    the final engineer alone (``shows="engineer"``)."""
    final = shift.final_email
    person = people.get(final) if final else None
    # Trimmed like every text read back, and never blank: else the page looks edited forever.
    who = (person.name.strip() if person else "") or final or "unassigned"
    name = (
        who if shows == "engineer" else f"{shift.key.date.isoformat()} {shift.key.rotation} · {who}"
    )
    # Notion refuses a text over 2,000 characters; a long display name must not fail the write.
    return name if len(name) <= MAX_TEXT else name[: MAX_TEXT - 1] + "…"


def content_for(
    shift: Shift, people: Mapping[str, Person], shows: TitleShows = "shift"
) -> PageContent:
    """The canonical content of a shift's page, with emails resolved to Notion users."""

    def ids(email: str | None) -> tuple[str, ...]:
        person = people.get(email) if email else None
        return (person.user_id,) if person else ()

    return PageContent(
        key=shift.key,
        name=page_name(shift, people, shows),
        start=shift.start.astimezone(UTC),
        end=shift.end.astimezone(UTC),
        rotation=shift.key.rotation,
        orig_people=ids(shift.orig_email),
        override_people=ids(shift.override_email),
        final_people=ids(shift.final_email),
        orig_email=shift.orig_email,
        override_email=shift.override_email,
        final_email=shift.final_email,
    )


def _text(value: str | None) -> list[JSON]:
    return [{"type": "text", "text": {"content": value}}] if value else []


def _people(ids: Iterable[str]) -> list[JSON]:
    return [{"object": "user", "id": user_id} for user_id in ids]


@dataclass(frozen=True, slots=True)
class Codec:
    """Page content <-> Notion property JSON, for one configuration: the property names, the
    rotations (a page's Sync Key is parsed with them) and the timezone dates are written in."""

    names: PropertyNames
    rotations: Rotations
    tz: dt.tzinfo

    def encode(self, content: PageContent) -> JSON:
        """Notion property JSON for a page create or update.

        Times are written in the timezone with that date's UTC offset, so Notion shows local
        hours.
        """
        names = self.names
        return {
            names.name: {"title": _text(content.name)},
            names.date: {"date": self._date(content)},
            # An empty rotation (a page someone made without one, brought back by a rollback)
            # is written as no option: Notion refuses a select option with an empty name.
            names.rotation: {"select": {"name": content.rotation} if content.rotation else None},
            names.orig: {"people": _people(content.orig_people)},
            names.override: {"people": _people(content.override_people)},
            names.final: {"people": _people(content.final_people)},
            names.orig_email: {"rich_text": _text(content.orig_email)},
            names.override_email: {"rich_text": _text(content.override_email)},
            names.final_email: {"rich_text": _text(content.final_email)},
            names.sync_key: {"rich_text": _text(content.sync_key)},
        }

    def _date(self, content: PageContent) -> JSON:
        if content.all_day:  # a day without hours, as another tool wrote it (a rollback's)
            return {"start": content.start.date().isoformat(), "end": None}
        return {
            "start": content.start.astimezone(self.tz).isoformat(),
            "end": content.end.astimezone(self.tz).isoformat(),
        }

    def decode(self, properties: Mapping[str, Any]) -> PageContent | None:
        """A page's properties in canonical form, or None when it carries no Sync Key (not
        ours, unless the mapping names the page)."""
        content = self.read_values(properties)
        return content if content.key is not None else None

    def read_values(self, properties: Mapping[str, Any]) -> PageContent:
        """Whatever values a page holds, in canonical form, Sync Key or not (empty when
        absent): to say exactly which values a move kept, even when the Sync Key was not among
        them."""
        names = self.names
        start, end, all_day = _read_date(properties.get(names.date))
        return PageContent(
            key=self._read_key(properties.get(names.sync_key)),
            name=_read_text(properties.get(names.name), "title") or "",
            start=start,
            end=end,
            rotation=_read_select(properties.get(names.rotation)),
            orig_people=_read_people(properties.get(names.orig)),
            override_people=_read_people(properties.get(names.override)),
            final_people=_read_people(properties.get(names.final)),
            orig_email=_read_email(properties.get(names.orig_email)),
            override_email=_read_email(properties.get(names.override_email)),
            final_email=_read_email(properties.get(names.final_email)),
            all_day=all_day,
        )

    def _read_key(self, value: Any) -> AnyKey | None:
        """The Sync Key: a Key when written exactly as syncer writes it, else the text itself."""
        text = _read_text(value, "rich_text")
        if text is None:
            return None
        raw = RawKey.split(text)
        key = self.rotations.key(raw)
        return key if key is not None and key.sync_key == text else raw

    def remote(self, page: RawPage, database: Database) -> RemotePage:
        """A page read from one of the two databases, decoded, with the key it stands for; a
        page with no Sync Key with the shift its Date and Rotation stand for, and its values."""
        content = self.decode(page.properties)
        if content is None:
            values = self.read_values(page.properties)
            shift = self.shift_of(values)
            return RemotePage(page.page_id, database, None, page.created_time, None, shift, values)
        key = self.rotations.canonical(content.key) if content.key else None
        parsed = key if isinstance(key, Key) else None
        return RemotePage(page.page_id, database, content, page.created_time, parsed)

    def shift_of(self, values: PageContent) -> Key | None:
        """The shift a page's Date and Rotation stand for: the day of its start in the
        configured timezone (a date-only value is that day), and its rotation in any case."""
        if values.start == MISSING_INSTANT or not values.rotation:
            return None
        day = values.start.date() if values.all_day else values.start.astimezone(self.tz).date()
        return self.rotations.key(RawKey(day.isoformat(), values.rotation))

    def differences(self, wanted: PageContent, seen: PageContent | None) -> list[str]:
        """The properties (by Notion name) whose value in ``seen`` is not ``wanted``'s.

        Every property differs from a page that does not read as syncer's (``seen`` is None).
        """
        names = self.names
        fields = {
            names.name: ("name",),
            names.date: ("start", "end", "all_day"),
            names.rotation: ("rotation",),
            names.orig: ("orig_people",),
            names.override: ("override_people",),
            names.final: ("final_people",),
            names.orig_email: ("orig_email",),
            names.override_email: ("override_email",),
            names.final_email: ("final_email",),
            names.sync_key: ("key",),
        }
        return [
            name
            for name, attributes in fields.items()
            if seen is None or any(getattr(wanted, a) != getattr(seen, a) for a in attributes)
        ]


def _read_text(value: Any, kind: str) -> str | None:
    if not isinstance(value, Mapping):
        return None
    items = value.get(kind) or []
    parts = []
    for item in items:
        text = item.get("plain_text")
        if text is None:
            text = (item.get("text") or {}).get("content", "")
        parts.append(text)
    joined = "".join(parts).strip()
    return joined or None


def _read_email(value: Any) -> str | None:
    text = _read_text(value, "rich_text")
    return text.lower() if text else None


def _read_select(value: Any) -> str:
    if not isinstance(value, Mapping) or not isinstance(value.get("select"), Mapping):
        return ""
    return str(value["select"].get("name") or "").strip()


def _read_people(value: Any) -> tuple[str, ...]:
    if not isinstance(value, Mapping):
        return ()
    return tuple(sorted(str(p["id"]) for p in value.get("people") or [] if "id" in p))


def _read_date(value: Any) -> tuple[dt.datetime, dt.datetime, bool]:
    """Start, end (UTC instants) and whether the value is a day without hours."""
    if not isinstance(value, Mapping) or not isinstance(value.get("date"), Mapping):
        return MISSING_INSTANT, MISSING_INSTANT, False
    date = value["date"]
    start = _instant(date.get("start"))
    end = _instant(date.get("end")) if date.get("end") else start
    all_day = start != MISSING_INSTANT and _DAY.match(str(date.get("start"))) is not None
    return start, end, all_day


def _instant(text: Any) -> dt.datetime:
    """An ISO date or date-time as a UTC instant; naive times are UTC, as Notion reads them."""
    if not isinstance(text, str):
        return MISSING_INSTANT
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return MISSING_INSTANT
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def schema_properties(names: PropertyNames, rotations: Rotations) -> JSON:
    """The data source schema syncer needs, as ``databases.create`` takes it."""
    schema: JSON = {}
    for name, kind in names.types().items():
        if kind == "select":
            options = [{"name": rotation} for rotation in rotations.names]
            schema[name] = {"select": {"options": options}}
        else:
            schema[name] = {kind: {}}
    return schema


def schema_problems(schema: Mapping[str, Any], names: PropertyNames) -> list[str]:
    """What the data source schema lacks or has mistyped, one line each (empty: all good)."""
    problems = []
    for name, kind in names.types().items():
        found = schema.get(name)
        if not isinstance(found, Mapping):
            problems.append(f"missing property {name!r} (type {kind})")
        elif found.get("type") != kind:
            problems.append(f"property {name!r} is {found.get('type')}, expected {kind}")
    return problems
