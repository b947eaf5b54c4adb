"""``/users``, ``/requests`` and ``/faults``: who is in the workspace, what was asked, what is
armed to go wrong.

The request log shows the newest requests first, each with the name of the integration whose
token sent it (never the token), filtered by status (``?status=429``, ``?status=4xx``);
rate-limited answers are highlighted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from syncer.sandbox.view.layout import View
from syncer.sandbox.view.markup import Html, el
from syncer.sandbox.view.model import Record, Snapshot
from syncer.sandbox.view.when import moment_label, parse

SHOWN = 500  # the newest requests listed; the counts cover all of them
FILTERS = ("2xx", "4xx", "429", "5xx")


def users_view(snap: Snapshot, info: Record) -> Html:
    """People and bots, with the email the syncer's integration sees, then the integrations."""
    users = list(snap.users.values())
    people = [u for u in users if u.get("type") == "person"]
    with_email = [u for u in people if (u.get("person") or {}).get("email")]
    rows = [
        el(
            "tr",
            el("td", user.get("name", "")),
            el("td", user.get("type", "")),
            el("td", _email(user)),
            cls="no-email" if user.get("type") == "person" and user not in with_email else None,
        )
        for user in users
    ]
    summary = f"{len(with_email)} of {len(people)} people have an email visible."
    return el(
        "section",
        el("h1", "Users"),
        el("p", summary, cls="muted"),
        _table(("Name", "Type", "Email"), rows, "users"),
        el("h2", "Integrations"),
        _integrations(info),
    )


def _email(user: Record) -> Html | str:
    if user.get("type") != "person":
        return ""
    email = (user.get("person") or {}).get("email")
    return email or el("span", "no email", cls="muted")


def _integrations(info: Record) -> Html:
    rows = [
        el("tr", el("td", i["name"]), el("td", "yes" if i["read_emails"] else "no"))
        for i in info.get("integrations", [])
    ]
    return _table(("Integration", "Reads emails"), rows, "integrations")


def _table(names: tuple[str, ...], rows: list[Html], kind: str) -> Html:
    head = el("thead", el("tr", [el("th", name) for name in names]))
    return el("div", el("table", head, el("tbody", rows), cls=f"table {kind}"), cls="scroll")


def token_names(info: Record) -> dict[str, str]:
    """Token -> the name of its integration."""
    return {i["token"]: i["name"] for i in info.get("integrations", [])}


def matches(status: int, wanted: str | None) -> bool:
    """Whether a status passes the filter: none, an exact status, or a class such as ``4xx``."""
    if not wanted:
        return True
    if wanted.endswith("xx"):
        return str(status)[:1] == wanted[:1]
    return str(status) == wanted


def requests_view(view: View, log: list[Record], info: Record) -> Html:
    """The request log, newest first, filtered by ``?status=``."""
    wanted = view.query.get("status")
    names = token_names(info)
    chosen = [entry for entry in reversed(log) if matches(entry["status"], wanted)]
    rows = [_request_row(view, entry, names) for entry in chosen[:SHOWN]]
    more = f"Showing the newest {SHOWN} of {len(chosen)}." if len(chosen) > SHOWN else None
    columns = ("Time", "Method", "Path", "Status", "Token", "Fault")
    return el(
        "section",
        el("h1", "Requests"),
        _filters(view, log, wanted),
        el("p", more, cls="muted") if more else None,
        _table(columns, rows, "requests") if rows else el("p", "No requests.", cls="empty"),
    )


def _filters(view: View, log: list[Record], wanted: str | None) -> Html:
    counts: Counter[str] = Counter()
    for entry in log:
        counts.update(f for f in FILTERS if matches(entry["status"], f))
    links = [
        el("a", f"All ({len(log)})", href=view.link("/requests"), cls=None if wanted else "on")
    ]
    for name in FILTERS:
        on = "on" if wanted == name else None
        links.append(
            el("a", f"{name} ({counts[name]})", href=view.link("/requests", status=name), cls=on)
        )
    return el("p", "Status: ", links, cls="filters")


def _request_row(view: View, entry: Record, names: dict[str, str]) -> Html:
    token = entry.get("token")
    who = names.get(token, "unknown token") if token else "no token"
    moment = parse(entry.get("at"))
    when = (
        f"{moment.astimezone(view.tz):%H:%M:%S.%f}"[:12] if isinstance(moment, dt.datetime) else ""
    )
    status = int(entry["status"])
    return el(
        "tr",
        el("td", when, title=moment_label(entry.get("at"), view.tz)),
        el("td", entry.get("method", "")),
        el("td", entry.get("path", ""), cls="path"),
        el("td", status, cls=f"status s{status // 100}xx"),
        el("td", who),
        el("td", entry.get("fault") or ""),
        cls="rate-limited" if status == 429 else None,
        data_status=status,
    )


def faults_view(rules: list[Record]) -> Html:
    """The fault rules armed now, in the order they are checked."""
    columns = ("#", "Kind", "Method", "Path", "Status", "Delay", "Times left", "Chance", "Fired")
    rows = [el("tr", [el("td", cell) for cell in _fault_cells(rule)]) for rule in rules]
    body = _table(columns, rows, "faults") if rows else el("p", "No faults armed.", cls="empty")
    return el("section", el("h1", "Faults"), body)


def _fault_cells(rule: Record) -> list[Any]:
    times = rule.get("times")
    return [
        str(rule.get("id", ""))[:8],
        rule.get("kind", ""),
        rule.get("method", ""),
        rule.get("path", ""),
        rule.get("status", "") if rule.get("kind") != "delay" else "",
        f"{rule.get('delay_ms', 0)} ms" if rule.get("kind") == "delay" else "",
        "always" if times is None else times,
        f"{100 * float(rule.get('probability', 1)):g}%",
        rule.get("fired", 0),
    ]
