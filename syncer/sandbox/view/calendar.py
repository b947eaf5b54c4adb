"""``GET /``: a week of a CALENDAR database as Notion's calendar shows it.

One column per weekday (Saturday and Sunday both when either holds a page; the heading's dates
span the columns shown), each page a block at
its hours with its rotation, its final engineer's name and, for an override, a mark. Arrows go
to earlier and later weeks; pages come from CALENDAR and its PAST CALENDAR twin, so past weeks
show what was moved there. Which properties mean what is read from the schema by name, with
syncer's defaults ("Final Engineer", "Override" and their "Email" texts) and plain fallbacks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from syncer.sandbox.view.layout import View
from syncer.sandbox.view.markup import Html, el
from syncer.sandbox.view.model import Database, Record, Snapshot, Source, plain, value_of
from syncer.sandbox.view.when import Span, day_label, monday_of

DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Block:
    """One page drawn in the week: where, when, and what it says."""

    page_id: str
    day: dt.date
    start: float  # hours after midnight, in the display timezone
    end: float
    times: str
    rotation: str
    colour: str
    engineer: str
    engineer_email: str
    override: str | None  # "Override: Ada (was Grace)" when the page has one
    past: bool
    title: str


def week_view(view: View, snap: Snapshot) -> tuple[str, Html]:
    """The page title and the week view for ``?week=`` (default: this week) and ``?calendar=``."""
    pairs = snap.calendars()
    if not pairs:
        hint = "No CALENDAR database yet: `syncer notion init` creates one."
        return "Week view", el("p", hint, cls="empty")
    chosen = snap.database(view.query.get("calendar"))
    calendar, past = next(((c, p) for c, p in pairs if c == chosen), pairs[-1])
    monday = _monday(view)
    blocks = [
        block
        for db, is_past in ((calendar, False), (past, True))
        if db is not None
        for block in _blocks(snap, db, is_past, view)
        if monday <= block.day < monday + 7 * DAY
    ]
    title = f"{calendar.title} · week of {day_label(monday, view.today)}"
    picker = _picker(view, pairs, calendar) if len(pairs) > 1 else None
    days = _days(monday, blocks)
    return title, el(
        "section",
        picker,
        _header(view, calendar, past, days, blocks),
        _grid(view, days, blocks),
    )


def _days(monday: dt.date, blocks: list[Block]) -> list[dt.date]:
    """The week's columns: Monday to Friday, or the whole week to Sunday when a page falls on
    the weekend (as Notion's calendar shows it: no gap, and the heading reads Mon–Sun)."""
    weekend = any(b.day.weekday() >= 5 for b in blocks)
    return [monday + n * DAY for n in range(7 if weekend else 5)]


def _monday(view: View) -> dt.date:
    try:
        return monday_of(dt.date.fromisoformat(view.query.get("week", "")))
    except ValueError:
        return monday_of(view.today)


def _picker(view: View, pairs: list[tuple[Database, Database | None]], shown: Database) -> Html:
    links = [
        el("a", db.title, href=view.link("/", calendar=db.id), cls="on" if db == shown else None)
        for db, _ in pairs
    ]
    return el("p", "Calendars: ", links, cls="picker")


def _header(
    view: View, calendar: Database, past: Database | None, days: list[dt.date], blocks: list[Block]
) -> Html:
    def week_link(label: str, target: dt.date, rel: str, name: str) -> Html:
        link = view.link("/", calendar=calendar.id, week=target.isoformat())
        return el("a", label, href=link, rel=rel, cls="arrow", aria_label=name, title=name)

    monday, last = days[0], days[-1]
    # The year once, at the end (and at the start too when the week spans New Year).
    span = f"{day_label(monday, last)} – {day_label(last, last)} {last.year}"
    arrows = el(
        "span",
        week_link("←", monday - 7 * DAY, "prev", "Earlier week"),
        el("a", "This week", href=view.link("/", calendar=calendar.id), cls="today"),
        week_link("→", monday + 7 * DAY, "next", "Later week"),
        cls="arrows",
    )
    # Name where the week's pages come from: a past week is PAST CALENDAR's.
    shown = [calendar.title] if not blocks or not all(b.past for b in blocks) else []
    if past is not None and any(b.past for b in blocks):
        shown.append(past.title)
    title = el("h1", el("span", " + ".join(shown), cls="db"), " ", span)
    return el("header", title, arrows, cls="week-nav", data_week=monday.isoformat())


def _blocks(snap: Snapshot, db: Database, past: bool, view: View) -> list[Block]:
    found = []
    for source, page in snap.pages_of(db):
        if not page.get("in_trash"):
            block = _block(snap, source, page, past, view)
            if block is not None:
                found.append(block)
    return found


def _block(snap: Snapshot, source: Source, page: Record, past: bool, view: View) -> Block | None:
    span = Span.from_api(value_of(page, source.date_property()))
    if span is None:
        return None
    start, end = span.local(view.tz)
    hours = start.hour + start.minute / 60
    if not span.timed:
        hours, until = -1.0, -1.0  # all day: drawn above the hours
    elif end is None or end <= start:
        until = hours + 1
    else:
        until = 24.0 if end.date() > start.date() else end.hour + end.minute / 60
    rotation_name = source.property_of("select")
    option = value_of(page, rotation_name) or {}
    engineer, email = _engineer(snap, source, page)
    return Block(
        page_id=page["id"],
        day=start.date(),
        start=hours,
        end=until,
        times=f"{start:%H:%M}–{end:%H:%M}" if span.timed and end else "",
        rotation=str(option.get("name", "")),
        colour=source.colour_of(rotation_name, option),
        engineer=engineer,
        engineer_email=email,
        override=_override(snap, source, page, engineer),
        past=past,
        title=plain(value_of(page, source.property_of("title"))),
    )


def _text(page: Record, source: Source, *hints: str) -> str:
    """A text-like property (rich text or email) whose name holds the hints, as plain text."""
    name = source.property_of("rich_text", *hints) or source.property_of("email", *hints)
    value = value_of(page, name)
    return plain(value) if isinstance(value, list) else str(value or "")


def _engineer(snap: Snapshot, source: Source, page: Record) -> tuple[str, str]:
    """The final engineer's name(s) and email(s): people first, else the email text, else
    the title."""
    people = snap.people(value_of(page, source.property_of("people", "final")))
    text = _text(page, source, "final", "email")
    if people:
        emails = ", ".join(p.email for p in people if p.email) or text
        return ", ".join(p.name for p in people), emails
    if text:
        return text, text
    return plain(value_of(page, source.property_of("title"))), ""


def _override(snap: Snapshot, source: Source, page: Record, final: str) -> str | None:
    people = snap.people(value_of(page, source.property_of("people", "override")))
    if not people and not _text(page, source, "override", "email"):
        return None
    original = snap.people(value_of(page, source.property_of("people", "orig")))
    was = ", ".join(p.name for p in original) or _text(page, source, "orig", "email")
    return f"Override: {final}" + (f" (scheduled: {was})" if was else "")


def _grid(view: View, days: list[dt.date], blocks: list[Block]) -> Html:
    timed = [b for b in blocks if b.start >= 0]
    first = min([8, *(math.floor(b.start) for b in timed)])
    last = max([18, *(math.ceil(b.end) for b in timed)])
    hours = [
        el("div", f"{h:02d}:00", cls="hour", style=f"--at:{h - first}") for h in range(first, last)
    ]
    columns = [_column(view, day, [b for b in blocks if b.day == day], first) for day in days]
    return el(
        "div",
        el("div", el("div", cls="day-head"), el("div", hours, cls="slots"), cls="axis"),
        columns,
        cls="grid",
        style=f"--hours:{last - first};--days:{len(days)}",
    )


def _column(view: View, day: dt.date, blocks: list[Block], first: int) -> Html:
    all_day = [_block_html(b, 0, 0, 1) for b in blocks if b.start < 0]
    timed = [_block_html(b, first, lane, lanes) for b, lane, lanes in _lanes(blocks)]
    head = el("div", f"{day:%a}", " ", el("b", day.day), cls="day-head")
    return el(
        "div",
        head,
        el("div", all_day, cls="all-day") if all_day else None,
        el("div", timed, cls="slots"),
        cls="day today" if day == view.today else "day",
        data_date=day.isoformat(),
    )


def _lanes(blocks: list[Block]) -> list[tuple[Block, int, int]]:
    """Side-by-side lanes for pages whose hours overlap (duplicates, for one)."""
    ends: list[float] = []
    placed = []
    for block in sorted((b for b in blocks if b.start >= 0), key=lambda b: (b.start, b.end)):
        lane = next((i for i, end in enumerate(ends) if end <= block.start), len(ends))
        if lane == len(ends):
            ends.append(block.end)
        else:
            ends[lane] = block.end
        placed.append((block, lane))
    return [(block, lane, max(1, len(ends))) for block, lane in placed]


def _block_html(block: Block, first: int, lane: int, lanes: int) -> Html:
    classes = [
        "block",
        f"c-{block.colour}",
        "past" if block.past else "",
        "ovr" if block.override else "",
    ]
    where = f"--from:{block.start - first:.2f};--len:{block.end - block.start:.2f}"
    return el(
        "div",
        el("span", block.rotation, cls="rotation") if block.rotation else None,
        el("span", block.times, cls="time") if block.times else None,
        el("span", block.engineer, cls="who", title=block.engineer_email or None),
        el("span", "override", cls="badge", title=block.override) if block.override else None,
        cls=" ".join(c for c in classes if c),
        style=f"{where};--lane:{lane};--lanes:{lanes}",
        title=block.title,
        data_page_id=block.page_id,
        data_date=block.day.isoformat(),
        data_rotation=block.rotation,
        data_engineer=block.engineer,
        data_override="yes" if block.override else None,
    )
