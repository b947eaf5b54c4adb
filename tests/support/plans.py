"""Inputs for the planner's tests: a calendar, keys in and before it, content, mapping, pages."""

from __future__ import annotations

import datetime as dt

from syncer.core import Database, Key, MappingRecord, PageContent, PageId, Plan, RemotePage
from syncer.core.planner import Calendar

# "Today" is Wednesday 2024-06-12: this week starts Monday 2024-06-10.
CAL = Calendar(week_start=dt.date(2024, 6, 10), history_since=dt.date(2024, 1, 1))
NOW = Key(dt.date(2024, 6, 12), "AM")  # this week: belongs in CALENDAR
PAST = Key(dt.date(2024, 6, 5), "AM")  # last week: belongs in PAST CALENDAR
ANCIENT = Key(dt.date(2023, 12, 20), "AM")  # before history_since: never created


def content(key: Key, email: str = "alice@example.com") -> PageContent:
    start = dt.datetime.combine(key.date, dt.time(9), tzinfo=dt.UTC)
    return PageContent(
        key=key,
        name=f"{key.sync_key} · {email}",
        start=start,
        end=start + dt.timedelta(hours=3),
        rotation=key.rotation,
        orig_email=email,
        final_email=email,
    )


def mapped(
    key: Key, database: Database, pushed: PageContent, page_id: str = "p1"
) -> dict[Key, MappingRecord]:
    return {key: MappingRecord(key, database, PageId(page_id), pushed.digest)}


def page(
    key: Key | None,
    database: Database,
    page_id: str,
    *,
    body: PageContent | None = None,
    created: str = "2024-01-01T00:00:00.000Z",
) -> RemotePage:
    if body is None and key is not None:
        body = content(key)
    return RemotePage(PageId(page_id), database, body, created)


def kinds(plan: Plan) -> list[str]:
    return [action.kind for action in plan.actions]
