"""The sandbox's pages over HTTP: dates in the viewer's timezone, calendars found by title,
the activity stamp the pages poll, and the request log's names and filters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx

from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.view.when import Span

from .helpers import CALENDAR_SCHEMA, Sdk, cell_texts, shift

SUMMER = {"start": "2026-06-29T09:00:00.000+01:00", "end": "2026-06-29T12:00:00.000+01:00"}


def _database(client: Sdk, sb: RunningSandbox, title: str) -> dict[str, Any]:
    created: dict[str, Any] = client.databases.create(
        parent={"type": "page_id", "page_id": sb.root_page_id},
        title=[{"text": {"content": title}}],
        initial_data_source={"properties": CALENDAR_SCHEMA},
    )
    return created


def test_a_date_reads_as_notion_shows_it_in_the_chosen_timezone() -> None:
    """A summer +01:00 shift reads 09:00–12:00 in London, 08:00–11:00 in UTC; other years show."""
    span = Span.from_api(SUMMER)
    assert span is not None
    london = dt.timezone(dt.timedelta(hours=1))  # what Europe/London is on that date
    today = dt.date(2026, 3, 11)
    assert span.label("Europe/London", london, today) == "Mon 29 Jun, 09:00–12:00 (Europe/London)"
    assert span.label("UTC", dt.UTC, today) == "Mon 29 Jun, 08:00–11:00 (UTC)"
    assert span.label("UTC", dt.UTC, dt.date(2027, 1, 1)).startswith("Mon 29 Jun 2026, ")


def test_the_table_shows_times_in_the_tz_asked_for(
    client: Sdk, calendar: dict[str, Any], sb: RunningSandbox
) -> None:
    """?tz=Europe/London converts the page's instants; an unknown zone falls back to UTC."""
    client.pages.create(
        parent={"data_source_id": calendar["data_sources"][0]["id"]},
        properties={**shift("2026-06-29/AM", "x"), "Date": {"date": SUMMER}},
    )
    url = f"{sb.url}/databases/{calendar['id']}"
    london = " | ".join(cell_texts(httpx.get(url, params={"tz": "Europe/London"}).text))
    assert re.search(r"Mon 29 Jun( 2026)?, 09:00–12:00 \(Europe/London\)", london)
    unknown = " | ".join(cell_texts(httpx.get(url, params={"tz": "Mars/Olympus"}).text))
    assert re.search(r"Mon 29 Jun( 2026)?, 08:00–11:00 \(UTC\)", unknown)


def test_without_a_calendar_the_week_view_says_how_to_make_one(sb: RunningSandbox) -> None:
    """An empty workspace's calendar page explains itself instead of failing."""
    page = httpx.get(f"{sb.url}/")
    assert page.status_code == 200
    assert "No CALENDAR database yet" in page.text


def test_an_unknown_database_is_a_404_page(sb: RunningSandbox) -> None:
    """A table view of a database that does not exist answers 404 with the navigation."""
    page = httpx.get(f"{sb.url}/databases/0c0ffee0-0000-4000-8000-000000000000")
    assert page.status_code == 404
    assert "No such database." in page.text


def test_several_calendars_can_be_picked(client: Sdk, sb: RunningSandbox) -> None:
    """The newest CALENDAR is shown with its PAST twin; another is one click away."""
    team = _database(client, sb, "Team A CALENDAR")
    _database(client, sb, "Team A PAST CALENDAR")
    newest = _database(client, sb, "CALENDAR")
    shown = httpx.get(f"{sb.url}/", params={"week": "2026-03-09"}).text
    assert "<title>CALENDAR · week of Mon 9 Mar" in shown
    assert f"calendar={team['id']}" in shown
    picked = httpx.get(f"{sb.url}/", params={"calendar": team["id"], "week": "2026-03-09"})
    assert "<title>Team A CALENDAR · week of" in picked.text
    assert newest["id"] in picked.text


def test_the_activity_stamp_moves_with_requests_and_faults(client: Sdk, sb: RunningSandbox) -> None:
    """The stamp the pages poll moves after an API request and an armed fault, not otherwise."""

    def stamp() -> str:
        value: str = httpx.get(f"{sb.url}/_sandbox/activity").json()["activity"]
        return value

    first = stamp()
    assert stamp() == first
    client.users.me()
    second = stamp()
    assert second != first
    sb.fail_next(503)
    assert stamp() != second


def test_the_request_log_names_tokens_and_filters_by_class(client: Sdk, sb: RunningSandbox) -> None:
    """Requests show integration names, never tokens; ?status=4xx keeps only the failures."""
    client.users.me()
    httpx.get(f"{sb.url}/v1/users/me", headers={"Authorization": "Bearer nope"})
    every = httpx.get(f"{sb.url}/requests").text
    assert ">syncer<" in every
    assert "unknown token" in every
    assert sb.syncer_token not in every
    failures = httpx.get(f"{sb.url}/requests", params={"status": "4xx"}).text
    assert 'data-status="401"' in failures
    assert 'data-status="200"' not in failures


def _week(sb: RunningSandbox, monday: str) -> tuple[str, list[str]]:
    """The week view's heading text and the dates of its columns."""
    page = httpx.get(f"{sb.url}/", params={"week": monday, "tz": "UTC"}).text
    heading = re.search(r"<h1><span class=\"db\">[^<]*</span> ([^<]*)</h1>", page)
    assert heading is not None
    return heading.group(1), re.findall(r'<div class="day[^"]*" data-date="([^"]+)"', page)


def test_the_week_heading_spans_the_columns_shown(client: Sdk, sb: RunningSandbox) -> None:
    """The heading spans the columns: Mon-Fri, Mon-Sun with a weekend page, years at New Year."""
    source_id = _database(client, sb, "CALENDAR")["data_sources"][0]["id"]

    def add(day: str) -> None:
        client.pages.create(parent={"data_source_id": source_id}, properties=shift(day, day))

    add("2026-03-11")
    assert _week(sb, "2026-03-09") == (
        "Mon 9 Mar – Fri 13 Mar 2026",
        ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"],
    )
    add("2026-03-14")
    heading, columns = _week(sb, "2026-03-09")
    assert (heading, columns[-1], len(columns)) == ("Mon 9 Mar – Sun 15 Mar 2026", "2026-03-15", 7)
    add("2026-03-22")  # a Sunday alone: Saturday is shown too, no gap in the week
    heading, columns = _week(sb, "2026-03-16")
    assert (heading, columns[-2:]) == ("Mon 16 Mar – Sun 22 Mar 2026", ["2026-03-21", "2026-03-22"])
    assert _week(sb, "2026-12-28")[0] == "Mon 28 Dec 2026 – Fri 1 Jan 2027"


def test_the_navigation_names_each_view_distinctly(client: Sdk, sb: RunningSandbox) -> None:
    """The week view's link is "Week", apart from the CALENDAR table's, and no two links read
    alike whatever their case."""
    _database(client, sb, "CALENDAR")
    _database(client, sb, "PAST CALENDAR")
    nav = httpx.get(f"{sb.url}/users").text.split('<nav id="nav">')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)', nav)
    names = [name for _, name in links]
    assert names[:3] == ["Week", "CALENDAR", "PAST CALENDAR"]
    assert links[0][0] == "/"
    assert len({name.casefold() for name in names}) == len(names)
    assert "Tables:" in nav
