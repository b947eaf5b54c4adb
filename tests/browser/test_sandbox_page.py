"""The sandbox's page in headless Chromium, after a real sync: the week view, the table view, the
self-refresh, escaping, the request log; screenshots of both views go to the test's tmp folder."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from syncer.core import PageId
from syncer.core.errors import NotionError
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from tests.browser.world import LAST_MONDAY, MONDAY, OVERRIDE, PEOPLE, Synced
from tests.support.browser import Browser

pytestmark = pytest.mark.integration

ROTATION_HOURS = {"AM": (9, 12), "Core": (12, 18), "PM": (18, 21)}

# Each block of the week view as the eye sees it: its column, its place and its words.
BLOCKS_JS = """
[...document.querySelectorAll('.day')].flatMap(day => {
  const slots = day.querySelector('.slots').getBoundingClientRect();
  return [...day.querySelectorAll('.slots .block')].map(block => {
    const box = block.getBoundingClientRect();
    return {
      column: day.dataset.date, rotation: block.dataset.rotation,
      who: block.querySelector('.who').textContent,
      override: block.querySelector('.badge') ? block.querySelector('.badge').textContent : null,
      past: block.classList.contains('past'),
      top: box.top - slots.top, height: box.height,
      inside: box.left >= slots.left - 1 && box.right <= slots.right + 1,
    };
  });
})
"""
HOUR_JS = "parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--hour'))"
FIRST_HOUR_JS = "parseInt(document.querySelector('.axis .hour').textContent)"
FITS_JS = "document.documentElement.scrollWidth <= window.innerWidth"


def blocks(browser: Browser) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = browser.evaluate(BLOCKS_JS)
    return found


def _page_id(synced: Synced, day: dt.date, rotation: str) -> PageId:
    """The CALENDAR page of one shift, found by its Sync Key as any client would."""
    gateway = synced.session.gateway
    source = gateway.data_source_id(synced.session.env.calendar_database_id)
    match = {"property": "Sync Key", "rich_text": {"equals": f"{day}/{rotation}"}}
    return gateway.query_pages(source, filter=match)[0].page_id


def _create(human: NotionGateway, synced: Synced, title: str, start: str, until: str) -> str:
    """A page made by hand in CALENDAR, with a title and a date only; its id."""
    source = human.data_source_id(synced.session.env.calendar_database_id)
    end = start[:11] + until + start[16:]
    page = human.create_page(
        source,
        {
            "Name": {"title": [{"text": {"content": title}}]},
            "Date": {"date": {"start": start, "end": end}},
        },
    )
    return page.page_id


def test_week_view_shows_each_final_engineer_in_their_slot(
    browser: Browser, synced: Synced, tmp_path: Path
) -> None:
    """Each shift is a block at its hours with its final engineer; fits 1280 px and a phone."""
    browser.goto(synced.url("/", week=str(MONDAY)))
    shown = blocks(browser)
    hour, first = browser.evaluate(HOUR_JS), browser.evaluate(FIRST_HOUR_JS)
    days = [MONDAY + dt.timedelta(days=n) for n in range(5)]
    assert browser.evaluate("[...document.querySelectorAll('.day')].map(d => d.dataset.date)") == [
        str(day) for day in days
    ]
    assert len(shown) == 15
    for block in shown:
        day = dt.date.fromisoformat(block["column"])
        start, end = ROTATION_HOURS[block["rotation"]]
        assert block["who"] == synced.expected(day, block["rotation"]), block
        assert block["top"] == pytest.approx((start - first) * hour, abs=2), block
        assert block["height"] == pytest.approx((end - start) * hour, abs=3), block
        assert block["inside"], block
        assert not block["past"], block
        is_override = (day, block["rotation"]) == OVERRIDE[:2]
        assert block["override"] == ("override" if is_override else None), block
    assert browser.evaluate(FITS_JS)
    browser.screenshot(tmp_path / "week-1280.png")
    browser.resize(390, 844)
    assert browser.evaluate(FITS_JS), "the week view scrolls sideways on a phone"
    browser.screenshot(tmp_path / "week-phone.png")


def test_the_earlier_week_arrow_shows_past_calendar(browser: Browser, synced: Synced) -> None:
    """The ← arrow shows last week from PAST CALENDAR, and the heading names it."""
    browser.goto(synced.url("/", week=str(MONDAY)))
    earlier = browser.evaluate("document.querySelector('a[rel=prev]').href")
    browser.goto(earlier)
    assert browser.evaluate("document.querySelector('.week-nav').dataset.week") == str(LAST_MONDAY)
    shown = blocks(browser)
    assert len(shown) == 15
    assert all(block["past"] for block in shown)
    assert browser.evaluate("document.querySelector('.week-nav .db').textContent") == (
        "PAST CALENDAR"
    )
    monday_am = next(b for b in shown if b["column"] == str(LAST_MONDAY) and b["rotation"] == "AM")
    assert monday_am["who"] == synced.expected(LAST_MONDAY, "AM")


def test_table_view_is_sorted_by_date_with_people_and_a_trash_list(
    browser: Browser, synced: Synced, tmp_path: Path
) -> None:
    """The table is in date order, people show their email on hover, trashed pages sit apart."""
    trashed = _page_id(synced, MONDAY + dt.timedelta(days=4), "PM")
    human = synced.human()
    human.update_page(trashed, in_trash=True)
    early = _create(human, synced, "Early bird", f"{MONDAY}T06:00:00+00:00", "07:00")
    human.close()
    browser.goto(synced.url(f"/databases/{synced.session.env.calendar_database_id}"))
    rows = browser.evaluate(
        "[...document.querySelectorAll('table.pages tbody tr')].map(r => ({"
        " start: r.dataset.start, id: r.dataset.pageId,"
        " date: r.querySelector('.date').textContent,"
        " people: [...r.querySelectorAll('.person')].map(p => [p.textContent, p.title]) }))"
    )
    assert [row["start"] for row in rows] == sorted(row["start"] for row in rows)
    assert len(rows) == 15
    assert rows[0]["id"] == early, "the page created last but dated first comes first"
    assert re.fullmatch(r"Mon 9 Mar( 2026)?, 09:00–12:00 \(Europe/London\)", rows[1]["date"])
    emails = {name: email for email, name in PEOPLE.items()}
    name = synced.expected(MONDAY, "AM")
    assert rows[1]["people"][0] == [name, emails[name]]
    trash = browser.evaluate(
        "[...document.querySelectorAll('table.trash tbody tr')].map(r => r.dataset.pageId)"
    )
    assert trash == [trashed]
    assert trashed not in [row["id"] for row in rows]
    browser.screenshot(tmp_path / "table-1280.png")


@pytest.mark.parametrize("width", [1400, 1280])
def test_every_table_column_is_readable_on_a_laptop(
    browser: Browser, synced: Synced, tmp_path: Path, width: int
) -> None:
    """At 1400 and 1280 px every column of CALENDAR's table is inside the view, none cut off,
    and emails and sync keys wrap only where they are still readable."""
    browser.goto(synced.url(f"/databases/{synced.session.env.calendar_database_id}"), width=width)
    box_right = browser.evaluate("document.querySelector('.scroll').getBoundingClientRect().right")
    headers = browser.evaluate(
        "[...document.querySelectorAll('table.pages th')].map(th => ["
        " th.textContent, th.getBoundingClientRect().right])"
    )
    assert "Final Engineer Email" in [name for name, _ in headers]
    assert all(right <= box_right + 1 for _, right in headers), headers
    assert browser.evaluate(FITS_JS)
    # A wrapped cell breaks before "@" or after "/", never inside a word.
    lines = browser.evaluate(
        "[...document.querySelectorAll('table.pages td.rich_text .nw')]"
        ".map(piece => piece.getClientRects().length)"
    )
    assert lines
    assert set(lines) == {1}
    browser.screenshot(tmp_path / f"table-{width}.png")


def test_a_hand_edit_through_the_api_appears_without_reloading(
    browser: Browser, synced: Synced
) -> None:
    """A person's edit through the API shows up on the open week without a reload."""
    thursday = MONDAY + dt.timedelta(days=3)
    block = f".block[data-date='{thursday}'][data-rotation='AM']"
    browser.goto(synced.url("/", week=str(MONDAY)))
    before = browser.evaluate(f'document.querySelector("{block}").dataset.engineer')
    newcomer = next(email for email, name in PEOPLE.items() if name != before)
    browser.evaluate("window.stillTheSamePage = true")
    human = synced.human()
    human.update_page(
        _page_id(synced, thursday, "AM"),
        properties={"Final Engineer": {"people": [{"id": synced.users[newcomer]}]}},
    )
    human.close()
    wanted = json.dumps(PEOPLE[newcomer])
    assert browser.wait_for(f'document.querySelector("{block}").dataset.engineer === {wanted}')
    assert browser.evaluate("window.stillTheSamePage === true")
    assert int(browser.evaluate("document.body.dataset.refreshes")) >= 1


def test_an_html_looking_title_is_shown_as_text(browser: Browser, synced: Synced) -> None:
    """A title holding markup is shown literally in both views and never runs."""
    title = '<img src=x onerror="window.injected=1"><script>window.injected=2</script>'
    human = synced.human()
    _create(human, synced, title, f"{MONDAY}T07:00:00+00:00", "08:00")
    human.close()
    for path in ("/", f"/databases/{synced.session.env.calendar_database_id}"):
        browser.goto(synced.url(path, week=str(MONDAY)))
        assert browser.evaluate("document.querySelectorAll('main script, main img').length") == 0
        assert browser.evaluate("window.injected === undefined")
        texts = browser.evaluate(
            "[...document.querySelectorAll('main td, main .who')].map(e => e.textContent)"
        )
        assert title in texts, path


def test_the_request_log_filters_by_status_and_highlights_429(
    browser: Browser, synced: Synced, tmp_path: Path
) -> None:
    """A 429 is highlighted, named by its integration, kept by ?status=429; faults are listed."""
    synced.sandbox.fail_next(429, path="/v1/users", times=1)
    gateway = NotionGateway(
        synced.sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=synced.sandbox.url
    )
    with pytest.raises(NotionError):
        gateway.list_users()
    gateway.close()
    synced.sandbox.add_fault({"kind": "delay", "path": "/v1/pages", "delay_ms": 5, "times": None})
    browser.goto(synced.url("/requests", status="429"))
    rows = browser.evaluate(
        "[...document.querySelectorAll('table.requests tbody tr')].map(r => ({"
        " status: r.dataset.status, cls: r.className,"
        " cells: [...r.cells].map(c => c.textContent) }))"
    )
    assert rows == [
        {
            "status": "429",
            "cls": "rate-limited",
            "cells": [rows[0]["cells"][0], "GET", "/v1/users", "429", "syncer", "status"],
        }
    ]
    browser.goto(synced.url("/requests"))
    browser.screenshot(tmp_path / "requests-1280.png")
    statuses = browser.evaluate(
        "[...document.querySelectorAll('table.requests tbody tr:not(.rate-limited)')]"
        ".map(r => r.dataset.status)"
    )
    assert statuses
    assert set(statuses) == {"200"}
    browser.goto(synced.url("/faults"))
    cells = browser.evaluate(
        "[...document.querySelectorAll('table.faults tbody td')].map(c => c.textContent)"
    )
    assert {"delay", "always", "5 ms"} <= set(cells)


def test_users_show_who_has_an_email(browser: Browser, synced: Synced) -> None:
    """The users list shows each person's email, and marks the one without."""
    synced.sandbox.add_user("Guest Without Email")
    browser.goto(synced.url("/users"))
    rows = browser.evaluate(
        "[...document.querySelectorAll('table.users tbody tr')].map(r => ["
        " r.cells[0].textContent, r.cells[2].textContent, r.className])"
    )
    assert ["Ada Lovelace", "ada@example.com", ""] in rows
    assert ["Guest Without Email", "no email", "no-email"] in rows
