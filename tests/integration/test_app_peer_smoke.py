"""The benchmarks' copy of the scheduler app's sync, on one or two days against the sandbox over
HTTP with no latency: its request pattern, the pages it writes, its moves, and its quirks (all
as the app's source has them). Its 350 ms pause and its retries' sleep are recorded, not slept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import switch
from bench.app_schedule import read_schedule
from bench.app_sync_peer import LegacyNotion, properties
from bench.app_tool import App
from bench.harness import NAMES, TODAY, Row, measure, sandbox_for, token, weekday_rows
from syncer.sandbox.server import RunningSandbox

pytestmark = pytest.mark.integration

ENVS = ("one", "week", "lookback", "twins", "monday", "retry", "newcomer")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    """One sandbox for the module, with an app token per test."""
    with sandbox_for(("app-sync",), ENVS, 0, 0, None) as running:
        yield running


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    """The module's sandbox, emptied, with the engineers as users again."""
    server.reset()
    for email, name in NAMES.items():
        server.add_user(name, email)
    return server


def app_for(sandbox: RunningSandbox, tmp_path: Path, env: str) -> tuple[App, list[str]]:
    """The app tool, its pauses recorded in the list returned with it."""
    app = App(sandbox, tmp_path, env, paced=False)
    pauses: list[str] = []
    app.peer.pause = lambda: pauses.append("pause")
    app.peer.sleep = lambda seconds: pauses.append(f"retry after {seconds:g} s")
    return app, pauses


def calls(sandbox: RunningSandbox, env: str) -> list[str]:
    """The app token's requests as ``METHOD kind`` (page and database ids left out)."""
    kinds = []
    for entry in sandbox.requests():
        if entry["token"] == token("app-sync", env):
            path = entry["path"]
            kind = "query" if path.endswith("/query") else path.split("/")[2]
            kinds.append(f"{entry['method']} {kind}")
    return kinds


def pages_of(sandbox: RunningSandbox, database: str) -> list[dict[str, Any]]:
    """Every page of one database, trashed ones included."""
    plain = database.replace("-", "")
    return [
        page
        for page in sandbox.dump()["pages"]
        if str((page.get("parent") or {}).get("database_id", "")).replace("-", "") == plain
    ]


def one_day() -> list[Row]:
    return weekday_rows(TODAY, end=TODAY + dt.timedelta(days=1))


def test_one_day_costs_four_reads_then_only_the_changed_shift(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Every run lists users, queries CURRENT twice and PAST once; it writes only what differs."""
    app, pauses = app_for(sandbox, tmp_path, "one")
    reads = ["GET users", "POST query", "POST query", "POST query"]
    try:
        app.write(one_day())
        first = measure(app, "first", 3, "drain")
        assert calls(sandbox, "one") == [*reads[:3], *["POST pages"] * 3, reads[3]]
        app.regenerate(one_day())
        same = measure(app, "same", 3, "drain")
        day, rotation, email = one_day()[1]
        app.change([(day, rotation, next(e for e in NAMES if e != email))])
        one = measure(app, "one", 3, "drain")
    finally:
        app.close()
    assert [(s.reads, s.writes, s.correct) for s in (first, same, one)] == [
        (4, 3, True),
        (4, 0, True),
        (4, 1, True),
    ]
    assert calls(sandbox, "one")[-2] == "PATCH pages"
    assert pauses == ["pause"] * 4  # one after each write, none after a read


def test_its_pages_are_the_apps_and_every_request_is_2022_06_28(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Date is the day alone, the title the final engineer's name, the names text, no key."""
    app, _ = app_for(sandbox, tmp_path, "one")
    try:
        app.write(one_day())
        app.run("drain")
    finally:
        app.close()
    (page, *_) = [p for p in pages_of(sandbox, app.current) if p["properties"]["Rotation"]]
    props = page["properties"]
    name = props["Final Engineer"]["title"][0]["plain_text"]
    assert set(props) == {"Final Engineer", "Date", "Rotation", "Orig. Engineer", "Override"}
    assert props["Date"]["date"] == {"start": TODAY.isoformat(), "end": None, "time_zone": None}
    assert props["Final Engineer"]["type"] == "title"
    assert name in NAMES.values()
    assert props["Orig. Engineer"]["rich_text"][0]["plain_text"] == name
    assert props["Override"]["rich_text"] == []
    versions = {e["notion_version"] for e in sandbox.requests()}
    assert versions == {"2022-06-28"}  # the setup token's database creates included


def test_a_week_later_it_copies_last_week_into_past_and_archives_the_originals(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The app's move makes a new page in PAST per shift and archives the CURRENT one."""
    app, pauses = app_for(sandbox, tmp_path, "week")
    try:
        app.write(one_day())
        app.run("drain")
        originals = {p["id"] for p in pages_of(sandbox, app.current)}
        pauses.clear()
        sandbox.clear_requests()
        app.turn_week()
        moved = measure(app, "a week later", 3, "drain", ids=True)
    finally:
        app.close()
    assert calls(sandbox, "week") == [
        "GET users",
        "POST query",
        "POST query",  # PAST, for the moved pages' dates only
        *["POST pages", "PATCH pages"] * 3,
        "POST query",
        "POST query",
    ]
    assert (moved.correct, moved.ids_replaced, pauses) == (True, 3, ["pause"] * 3)
    assert all(p["in_trash"] for p in pages_of(sandbox, app.current))
    assert {p["id"] for p in pages_of(sandbox, app.past)}.isdisjoint(originals)


def test_a_past_page_older_than_seven_days_per_user_is_archived(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """With the app's own lookback (7 days per user: 56 here) older history leaves PAST."""
    app, _ = app_for(sandbox, tmp_path, "lookback")
    old = (TODAY - dt.timedelta(days=70)).isoformat()
    try:
        app.write([(old, "AM", "engineer0@example.com")])
        app.run("drain")  # the bench's lookback (a year) writes the old shift into PAST
        entries = read_schedule(app.db, TODAY)  # the app's rule: 8 users, 56 days
        stats = app.peer.run(entries, TODAY)
    finally:
        app.close()
    assert entries == []
    assert stats.archived == 1
    assert [p["in_trash"] for p in pages_of(sandbox, app.past)] == [True]


def test_two_pages_for_one_shift_both_survive(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """The app's map keeps one page per date-rotation: a duplicate is neither used nor archived."""
    app, _ = app_for(sandbox, tmp_path, "twins")
    try:
        app.write(one_day())
        app.run("drain")
        entry = read_schedule(app.db, TODAY)[0]
        twin = LegacyNotion(token("app-sync", "twins"), sandbox.url)
        body = {
            "parent": {"database_id": app.current},
            "properties": properties(entry, app.peer.people),
        }
        twin.request("POST", "pages", body)
        twin.close()
        again = measure(app, "again", 3, "drain")
    finally:
        app.close()
    assert again.writes == 0
    assert "1 duplicated" in again.detail


def test_this_weeks_past_days_get_a_page_in_both_databases(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """On a Wednesday, Monday's rows are current (this week) and past (before today) at once."""
    app, _ = app_for(sandbox, tmp_path, "monday")
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    try:
        app.write(weekday_rows(monday, end=monday + dt.timedelta(days=1)))
        result = measure(app, "monday", 3, "drain")
    finally:
        app.close()
    assert (len(pages_of(sandbox, app.current)), len(pages_of(sandbox, app.past))) == (3, 3)
    assert "3 duplicated" in result.detail


def test_a_refused_create_is_retried_after_two_seconds(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The app's own backoff (its SDK retries nothing) sends a 429'd create again after 2 s."""
    app, pauses = app_for(sandbox, tmp_path, "retry")
    try:
        app.write(one_day()[:1])
        sandbox.fail_next(429, method="POST", path="/v1/pages", retry_after=30)
        result = measure(app, "retried", 1, "drain")
    finally:
        app.close()
    assert (result.writes, result.rate_limited, result.correct) == (2, 1, True)
    assert pauses == ["retry after 2 s", "pause"]


def test_an_engineer_missing_from_the_apps_users_table_is_rewritten_every_run(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The app compares its local value (the email) with the Notion name it wrote: never equal."""
    sandbox.add_user("New Comer", "newcomer@example.com")
    app, _ = app_for(sandbox, tmp_path, "newcomer")
    try:
        app.write([(TODAY.isoformat(), "AM", "newcomer@example.com")])
        app.run("drain")
        again = [measure(app, "again", 1, "drain") for _ in range(2)]
    finally:
        app.close()
    (page,) = pages_of(sandbox, app.current)
    assert page["properties"]["Final Engineer"]["title"][0]["plain_text"] == "New Comer"
    assert [s.writes for s in again] == [1, 1]


def test_the_switch_ends_with_one_page_per_shift_and_the_apps_ids(tmp_path: Path) -> None:
    """The app's databases, taken over through the command line: nothing created, only the
    app's duplicates trashed, and `plan --detailed-exitcode` exits 0."""
    rows = switch.schedule(history_weeks=1, window_days=3)
    with sandbox_for(("app-sync", "syncer"), (switch.ENV,), 0, 0, None) as sandbox:
        report = switch.switch(sandbox, tmp_path, rows, {})
    assert report["outcome"]["right"], report
    assert report["outcome"]["created"] == 0
    assert report["outcome"]["trashed"] == report["app_duplicates"]
