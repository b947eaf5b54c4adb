"""The frame every view shares: head, navigation, the timezone picker, and the refresh script.

The script (``page.js``, no framework, no build step) polls ``/_sandbox/activity`` once a second
and, when the sandbox has changed, fetches the same URL again and swaps ``#nav`` and ``#main``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib.resources import files

from syncer.sandbox.view.markup import Html, el, href, join, void
from syncer.sandbox.view.model import Snapshot

_HERE = files(__package__ or "syncer.sandbox.view")
STYLE = _HERE.joinpath("page.css").read_text(encoding="utf-8")
SCRIPT = _HERE.joinpath("page.js").read_text(encoding="utf-8")
ZONES = ("UTC", "Europe/London", "Europe/Paris", "America/New_York", "America/Los_Angeles")


@dataclass(frozen=True, slots=True)
class View:
    """One request to the view: its display timezone, today there, and its query."""

    tz_name: str
    tz: dt.tzinfo
    now: dt.datetime
    query: dict[str, str] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def link(self, path: str, **params: str | None) -> str:
        """A link within the view; it keeps the timezone the page was asked for."""
        return href(path, {"tz": self.query.get("tz"), **params})


@dataclass(frozen=True, slots=True)
class Counts:
    """What the navigation counts: logged requests, rate-limited ones, armed faults."""

    requests: int = 0
    limited: int = 0
    faults: int = 0


def page(view: View, snap: Snapshot, counts: Counts, title: str, main: Html, activity: str) -> Html:
    """A whole HTML document around ``main``."""
    head = join(
        [
            void("meta", charset="utf-8"),
            void("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el("title", f"{title} · Notion sandbox"),
            el("style", Html(STYLE)),
        ]
    )
    body = el(
        "body",
        navigation(view, snap, counts),
        el("main", main, id="main"),
        el("script", Html(SCRIPT)),
        data_activity=activity,
        data_tz=view.tz_name,
    )
    return Html(f'<!doctype html><html lang="en"><head>{head}</head>{body}</html>')


def navigation(view: View, snap: Snapshot, counts: Counts) -> Html:
    """Links to every view, the databases by title, counts, the timezone and the update time.

    The week view is "Week", never "Calendar": syncer's database is called CALENDAR, and two
    links reading alike would hide which one is the table.
    """
    links = [el("a", "Week", href=view.link("/"), title="The week of a CALENDAR database")]
    tables = [
        el("a", db.title or "Untitled", href=view.link(f"/databases/{db.id}"))
        for db in snap.live_databases()
    ]
    if tables:
        links.append(el("span", "Tables:", tables, cls="group tables"))
    links.append(el("a", "Users", href=view.link("/users")))
    limited = el("span", f" · {counts.limited} × 429", cls="warn") if counts.limited else None
    links.append(el("a", f"Requests ({counts.requests})", limited, href=view.link("/requests")))
    armed = "armed" if counts.faults else None
    links.append(el("a", f"Faults ({counts.faults})", href=view.link("/faults"), cls=armed))
    updated = el("span", f"updated {view.now:%H:%M:%S}", cls="muted", id="updated")
    return el(
        "nav",
        el("strong", "Notion sandbox", cls="brand"),
        el("div", links, cls="links"),
        el("div", timezone_form(view), updated, cls="meta"),
        id="nav",
    )


def timezone_form(view: View) -> Html:
    """Pick the display timezone; the other query parameters are kept."""
    kept = [
        void("input", type="hidden", name=k, value=v) for k, v in view.query.items() if k != "tz"
    ]
    options = [el("option", value=zone) for zone in ZONES]
    return el(
        "form",
        kept,
        el("label", "Times in ", void("input", name="tz", value=view.tz_name, list="zones")),
        el("datalist", options, id="zones"),
        el("button", "Show", type="submit"),
        cls="tz",
        method="get",
    )
