"""The scheduler app's own Notion sync, rewritten in Python for the benchmarks from what it does.

The app is kaibyao/oncall-scheduler-public; its sync is ``NotionSyncService.syncToNotion`` in
``src/notion/notion.sync.service.ts``, with ``notion.database.service.ts`` and
``notion.user.service.ts``; its local side is :mod:`bench.app_schedule`. One run:

1. read the local schedule: rows dated at most ``lookback`` days ago (the app's
   ``getWorkloadHistory(7 × users)``), newest first, each with its override and the engineers'
   names from the app's ``users`` table (the email when a user has none);
2. list every Notion user (``users.list``, 100 a page) to turn emails into display names;
3. "move" last week: query CURRENT in full; for the pages dated before today and outside this
   business week, query PAST for their date range and, for each one PAST lacks, create a copy
   in PAST and archive the original (a new page id); the ones PAST has stay until step 4;
4. diff CURRENT (queried in full again) against the rows dated today or later or in this
   business week, and PAST (queried in full) against the rows dated before today, by
   ``date-rotation`` on the three names: create, update or archive page by page.

Every write is followed by a 350 ms pause (a move's create and archive share one). Every
request is retried by the app's own ``retryWithExponentialBackoff`` (4 attempts, 2, 4 and 8 s
apart, on any error, creates included, ``Retry-After`` unread); a query's retry starts its
pagination over. Its SDK, ``@notionhq/client`` 4.0.1, sends Notion-Version 2022-06-28 and
retries nothing itself, so :class:`LegacyNotion` talks plain HTTP.

What the app does, and so this does too: a row of this week dated before today (Monday, on a
Wednesday) is in both lists, so it gets a page in CURRENT and one in PAST; pages with one
``date-rotation`` collapse in its map, so duplicates survive; PAST pages older than the lookback
are archived; an engineer the ``users`` table lacks is compared by email against the Notion name
written, so that page is rewritten on every run.

Not reproduced: the manager-name table (``resolveEngineerDisplayName``; no manager in the
benchmarks), the dry run, the date-range sync after overrides, and the ``users`` table refresh.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import httpx

from bench.app_schedule import Entry, in_business_week, is_current, is_past

API_VERSION = "2022-06-28"
PAUSE_S = 0.35  # NotionDatabaseService.rateLimitDelay
RETRY_DELAYS_S = (2.0, 4.0, 8.0)  # retryWithExponentialBackoff: 4 attempts, base 2 s, cap 16 s
ROTATIONS = ("AM", "Core", "PM")

SCHEMA: dict[str, Any] = {
    "Final Engineer": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {"select": {"options": [{"name": r} for r in ROTATIONS]}},
    "Orig. Engineer": {"rich_text": {}},
    "Override": {"rich_text": {}},
}

T = TypeVar("T")
Json = dict[str, Any]


class NotionError(Exception):
    """A Notion answer other than 2xx, as the JavaScript SDK raises it."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class LegacyNotion:
    """Notion's API at version 2022-06-28 over httpx, as ``@notionhq/client`` 4.x speaks it."""

    def __init__(self, token: str, base_url: str, *, timeout_s: float = 60.0) -> None:
        # 60 s is the JavaScript SDK's default timeoutMs; it has no retries of its own.
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/v1/",
            timeout=timeout_s,
            headers={
                "Authorization": f"Bearer {token}",
                "Notion-Version": API_VERSION,
                "Content-Type": "application/json",
            },
        )

    def request(
        self, method: str, path: str, body: Json | None = None, params: Json | None = None
    ) -> Json:
        """One request; a non-2xx answer raises :class:`NotionError`."""
        answer = self._http.request(method, path, json=body, params=params)
        data: Json = answer.json() if answer.content else {}
        if answer.is_error:
            raise NotionError(answer.status_code, str(data.get("code")), str(data.get("message")))
        return data

    def close(self) -> None:
        self._http.close()


def with_retries(call: Callable[[], T], sleep: Callable[[float], None]) -> T:
    """``retryWithExponentialBackoff``: any error is retried, up to 4 attempts in all."""
    for delay in RETRY_DELAYS_S:
        try:
            return call()
        except Exception:  # the app retries every error alike, 429 and 400 included
            sleep(delay)
    return call()


def create_database(notion: LegacyNotion, parent_page_id: str, title: str) -> str:
    """A database with the app's properties, created the 2022-06-28 way; its id."""
    created = notion.request(
        "POST",
        "databases",
        {
            "parent": {"type": "page_id", "page_id": parent_page_id},
            "title": [{"type": "text", "text": {"content": title}}],
            "properties": SCHEMA,
        },
    )
    return str(created["id"])


@dataclass(frozen=True)
class Page:
    """One Notion page read back as the app reads it (``transformNotionPageToScheduleEntry``)."""

    id: str
    entry: Entry


def _plain(items: Iterable[Json]) -> str:
    return "".join(item.get("plain_text") or "" for item in items)


def _engineer(prop: Json | None) -> str:
    """Rich text joined, or (the app's transition code) a person's email or id."""
    if not prop:
        return ""
    if prop.get("type") == "rich_text":
        return _plain(prop["rich_text"])
    people = prop.get("people") or []
    if prop.get("type") == "people" and people:
        return str((people[0].get("person") or {}).get("email") or people[0]["id"])
    return ""


def _final(prop: Json | None, original: str) -> str:
    """The title's text (a user mention gives its id), or rich text; else the original."""
    if not prop:
        return original
    items = prop.get(prop.get("type", "")) or []
    if prop.get("type") == "title" and items and items[0].get("type") == "mention":
        return str(items[0]["mention"]["user"]["id"])
    return _plain(items) if prop.get("type") in ("title", "rich_text") and items else original


def page_entry(page: Json) -> Page | None:
    """A page as an entry; None (skipped, never archived) without a date or a rotation."""
    props = page["properties"]
    date = (props.get("Date") or {}).get("date") or {}
    rotation = (props.get("Rotation") or {}).get("select") or {}
    if not date.get("start") or not rotation.get("name"):
        return None
    original = _engineer(props.get("Orig. Engineer"))
    override = _engineer(props.get("Override")) or None
    final = _final(props.get("Final Engineer"), original)
    return Page(page["id"], Entry(date["start"], rotation["name"], original, override, final))


def _text(content: str) -> list[Json]:
    return [{"type": "text", "text": {"content": content}}]


@dataclass
class People:
    """The app's person cache: filled by ``users.list``, read by ``getEngineerDisplayName``."""

    id_by_email: dict[str, str] = field(default_factory=dict)
    name_by_id: dict[str, str] = field(default_factory=dict)

    def add(self, users: Iterable[Json]) -> None:
        for user in users:
            email = (user.get("person") or {}).get("email")
            if user.get("type") == "person" and email:
                self.id_by_email[email.lower().strip()] = user["id"]
                self.name_by_id[user["id"]] = user.get("name") or email

    def display_name(self, value: str) -> str:
        """A person id's or an email's Notion name; anything else (a name) as it is."""
        if value in self.name_by_id:
            return self.name_by_id[value]
        person = self.id_by_email.get(value.lower().strip())
        return self.name_by_id[person] if person else value


def properties(entry: Entry, people: People) -> Json:
    """``transformToNotionProperties``: the day only, names as text, the final one as title."""
    override = people.display_name(entry.override) if entry.override else None
    return {
        "Date": {"type": "date", "date": {"start": entry.date, "end": None, "time_zone": None}},
        "Rotation": {"type": "select", "select": {"name": entry.rotation}},
        "Orig. Engineer": {
            "type": "rich_text",
            "rich_text": _text(people.display_name(entry.original)),
        },
        "Final Engineer": {"type": "title", "title": _text(people.display_name(entry.final))},
        "Override": {"type": "rich_text", "rich_text": _text(override) if override else []},
    }


def key_of(entry: Entry) -> str:
    """The app's map key, ``date-rotation``, with the date as Notion holds it."""
    return f"{entry.date}-{entry.rotation}"


def needs_update(local: Entry, remote: Entry) -> bool:
    """``needsUpdate``: the three names differ (dates and rotations are the key)."""
    return (local.original, local.override, local.final) != (
        remote.original,
        remote.override,
        remote.final,
    )


@dataclass(frozen=True)
class Diff:
    """``compareScheduleEntries``: what one database needs."""

    create: tuple[Entry, ...]
    update: tuple[tuple[Entry, str], ...]
    archive: tuple[str, ...]


def compare(local: Sequence[Entry], pages: Sequence[Page]) -> Diff:
    """Diff by key; two pages with one key collapse into the last, and neither is archived."""
    local_keys = {key_of(e) for e in local}
    by_key = {key_of(p.entry): p for p in pages}
    create, update = [], []
    for entry in local:
        page = by_key.get(key_of(entry))
        if page is None:
            create.append(entry)
        elif needs_update(entry, page.entry):
            update.append((entry, page.id))
    archive = tuple(p.id for p in pages if key_of(p.entry) not in local_keys)
    return Diff(tuple(create), tuple(update), archive)


@dataclass
class Stats:
    """What one run did (``syncStats`` and ``historicalStats``)."""

    users: int = 0
    created: int = 0
    updated: int = 0
    archived: int = 0
    moved: int = 0
    errors: int = 0


class AppSync:
    """One environment's sync: the app's two databases, its pauses and its retries.

    ``pause`` is the 350 ms wait after a write and ``sleep`` the retries' wait: tests pass
    no-ops so that nothing sleeps.
    """

    def __init__(
        self,
        notion: LegacyNotion,
        current_database: str,
        past_database: str,
        *,
        pause: Callable[[], None] = lambda: time.sleep(PAUSE_S),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.notion = notion
        self.current = current_database
        self.past = past_database
        self.pause = pause
        self.sleep = sleep
        self.people = People()

    def run(self, entries: Sequence[Entry], today: dt.date) -> Stats:
        """``syncToNotion``: users, the move of last week, then CURRENT and PAST diffed."""
        stats = Stats()
        current = [e for e in entries if is_current(e.date, today)]
        past = [e for e in entries if is_past(e.date, today)]
        stats.users = self._fetch_users()
        self._move_past(today, stats)
        self._sync(current, self.current, stats)
        self._sync(past, self.past, stats)
        return stats

    def _fetch_users(self) -> int:
        def every_user() -> list[Json]:
            users: list[Json] = []
            cursor: str | None = None
            while True:
                params = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
                answer = self.notion.request("GET", "users", params=params)
                users.extend(answer["results"])
                cursor = answer.get("next_cursor")
                if not cursor:
                    return users

        users = with_retries(every_user, self.sleep)
        self.people.add(users)
        return len(users)

    def query(self, database: str, dates: tuple[str, str] | None = None) -> list[Page]:
        """``queryNotionDatabase``: every live page, 100 a request, optionally a date range."""

        def every_page() -> list[Page]:
            pages: list[Page] = []
            cursor: str | None = None
            while True:
                body: Json = {"page_size": 100, "archived": False}
                if cursor:
                    body["start_cursor"] = cursor
                if dates:
                    body["filter"] = {
                        "and": [
                            {"property": "Date", "date": {"on_or_after": dates[0]}},
                            {"property": "Date", "date": {"on_or_before": dates[1]}},
                        ]
                    }
                answer = self.notion.request("POST", f"databases/{database}/query", body)
                for page in answer["results"]:
                    read = page_entry(page) if not page.get("archived") else None
                    if read is not None:
                        pages.append(read)
                cursor = answer.get("next_cursor")
                if not cursor:
                    return pages

        return with_retries(every_page, self.sleep)

    def _create(self, entry: Entry, database: str) -> None:
        body = {"parent": {"database_id": database}, "properties": properties(entry, self.people)}
        with_retries(lambda: self.notion.request("POST", "pages", body), self.sleep)

    def _update(self, entry: Entry, page_id: str) -> None:
        body = {"properties": properties(entry, self.people)}
        with_retries(lambda: self.notion.request("PATCH", f"pages/{page_id}", body), self.sleep)

    def _archive(self, page_id: str) -> None:
        body = {"archived": True}
        with_retries(lambda: self.notion.request("PATCH", f"pages/{page_id}", body), self.sleep)

    def _move_past(self, today: dt.date, stats: Stats) -> None:
        """``movePastAssignmentsFromCurrentDatabase``: copy into PAST, archive the original."""
        old = [
            p
            for p in self.query(self.current)
            if is_past(p.entry.date, today) and not in_business_week(p.entry.date, today)
        ]
        if not old:
            return
        dates = sorted(p.entry.date for p in old)
        there = {key_of(p.entry) for p in self.query(self.past, (dates[0], dates[-1]))}
        to_move = [p for p in old if key_of(p.entry) not in there]
        if not to_move:  # PAST has them all: only then are the originals archived here
            for page in old:
                self._write(stats, "archived", partial(self._archive, page.id))
            return
        for page in to_move:
            self._write(stats, "moved", partial(self._move, page))

    def _move(self, page: Page) -> None:
        self._create(page.entry, self.past)
        self._archive(page.id)

    def _sync(self, local: Sequence[Entry], database: str, stats: Stats) -> None:
        """``batchSyncOperations``: creates, then updates, then archives, one at a time."""
        diff = compare(local, self.query(database))
        for entry in diff.create:
            self._write(stats, "created", partial(self._create, entry, database))
        for entry, page_id in diff.update:
            self._write(stats, "updated", partial(self._update, entry, page_id))
        for page_id in diff.archive:
            self._write(stats, "archived", partial(self._archive, page_id))

    def _write(self, stats: Stats, counter: str, write: Callable[[], None]) -> None:
        """One write and its pause; a failure (after retries) is counted and skipped, no pause."""
        try:
            write()
        except Exception:  # the app logs every failed write and goes on with the next
            stats.errors += 1
            return
        setattr(stats, counter, getattr(stats, counter) + 1)
        self.pause()
