"""``GET /databases/{id}``: a database as Notion's table view shows it, with a Trash list.

One table per data source, every property a column (the title first), rows sorted by the date
property: "Mon 30 Nov, 09:00–12:00 (Europe/London)". People show by name, their email on hover.
Trashed pages are listed apart, under "Trash", as Notion keeps them out of the table.
"""

from __future__ import annotations

import re
from typing import Any

from syncer.sandbox.view.layout import View
from syncer.sandbox.view.markup import Html, el, text, void
from syncer.sandbox.view.model import Record, Snapshot, Source, plain, value_of
from syncer.sandbox.view.when import Span, moment_label

LAST = "~"  # sorts after every ISO date: pages without a date go last
_BREAKS = re.compile(r"(?<=/)|(?=@)")


def table_view(view: View, snap: Snapshot, database_id: str) -> tuple[str, Html] | None:
    """The page title and the tables of one database, or None when there is no such database."""
    db = snap.database(database_id)
    if db is None:
        return None
    sections = []
    for source_id in db.source_ids:
        source = snap.sources.get(source_id)
        if source is not None:
            sections.append(_source_tables(view, snap, source))
    trashed = el("p", "This database is in the trash.", cls="muted") if db.in_trash else None
    return db.title, el("section", el("h1", db.title or "Untitled"), trashed, sections)


def _source_tables(view: View, snap: Snapshot, source: Source) -> Html:
    pages = snap.pages.get(source.id, [])
    live = _sorted(view, source, [p for p in pages if not p.get("in_trash")])
    trash = _sorted(view, source, [p for p in pages if p.get("in_trash")])
    count = el("p", f"{len(live)} pages", cls="muted", data_source=source.id)
    parts = [count, _table(view, snap, source, live, "pages")]
    if trash:
        parts += [el("h2", f"Trash ({len(trash)})"), _table(view, snap, source, trash, "trash")]
    return el("div", parts, cls="source")


def _sorted(view: View, source: Source, pages: list[Record]) -> list[Record]:
    date = source.date_property()
    title = source.property_of("title")

    def key(page: Record) -> tuple[str, str]:
        span = Span.from_api(value_of(page, date))
        return (span.sort_key(view.tz) if span else LAST, plain(value_of(page, title)))

    return sorted(pages, key=key)


def _table(view: View, snap: Snapshot, source: Source, pages: list[Record], kind: str) -> Html:
    columns = sorted(source.schema.items(), key=lambda item: item[1].get("type") != "title")
    head = el("tr", [el("th", name) for name, _ in columns])
    date = source.date_property()
    rows = []
    for page in pages:
        span = Span.from_api(value_of(page, date))
        cells = [
            el("td", _cell(view, snap, source, page, name), cls=prop.get("type"))
            for name, prop in columns
        ]
        start = span.sort_key(view.tz) if span else None
        rows.append(el("tr", cells, data_page_id=page["id"], data_start=start))
    table = el("table", el("thead", head), el("tbody", rows), cls=f"table {kind}")
    return el("div", table, cls="scroll")


def _cell(view: View, snap: Snapshot, source: Source, page: Record, name: str) -> Html | str:
    prop = source.schema[name]
    kind = prop.get("type", "")
    value: Any = value_of(page, name)
    if kind in ("title", "rich_text"):
        return breakable(plain(value))
    if kind in ("email", "url", "phone_number"):
        return breakable(str(value or ""))
    if kind == "date":
        span = Span.from_api(value)
        if span is None:
            return ""
        parts = span.label_parts(view.tz_name, view.tz, view.today)
        pieces = [el("span", part, cls="nw") for part in parts]
        return el("span", join_with(" ", pieces), cls="date")
    if kind == "select":
        return _tag(value, source.colour_of(name, value))
    if kind == "multi_select":
        return el("span", [_tag(item, item.get("color", "default")) for item in value or []])
    if kind == "people":
        return el("span", [_person(p.name, p.email) for p in snap.people(value)])
    if kind in ("created_by", "last_edited_by"):
        return el("span", [_person(p.name, p.email) for p in snap.people([value])])
    if kind in ("created_time", "last_edited_time"):
        return moment_label(value, view.tz)
    if kind == "checkbox":
        return "☑" if value else "☐"
    return "" if value is None else str(value)


def breakable(value: str) -> Html:
    """Text that a narrow column wraps at spaces, after a slash and before an at sign only:
    ``grace@example.com`` may become ``grace`` / ``@example.com``, but a sync key such as
    ``2026-03-09/AM`` is never split at its hyphens, as browsers otherwise do."""
    words = []
    for word in value.split(" "):
        pieces = [el("span", piece, cls="nw") for piece in _BREAKS.split(word) if piece]
        words.append(join_with(void("wbr"), pieces))
    return join_with(" ", words)


def join_with(separator: str, parts: list[Html]) -> Html:
    """``parts`` with ``separator`` (escaped unless it is Html) between each two."""
    between = separator if isinstance(separator, Html) else text(separator)
    return Html(between.join(parts))


def _tag(option: Record | None, colour: str) -> Html | str:
    if not option:
        return ""
    return el("span", option.get("name", ""), cls=f"tag c-{colour}")


def _person(name: str, email: str | None) -> Html:
    hover = email or "no email visible to this integration"
    return el("span", name, cls="person", title=hover, data_email=email)
