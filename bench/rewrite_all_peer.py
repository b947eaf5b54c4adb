"""A naive rewrite-everything schedule -> Notion sync, written for the benchmarks as a baseline.

It is no real tool's sync but the simplest correct one: every run lists the workspace's users
(to turn emails into people), reads every page of the database, and then writes every row of
the schedule: an update when a page with the row's key exists, a create otherwise. It keeps no
state and compares nothing, so it is always right about the rows it is given and always pays
for the whole schedule. It talks to Notion through notion-client directly, with the SDK's own
retries (429 honours ``Retry-After``), raised to 10 so that a run over the rate limit waits
rather than fails.

The database it writes has the schema :data:`SCHEMA`: the Sync Key as the title, the date, the
rotation, the final engineer as a person and as an email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import notion_client

ShiftRow = tuple[str, str, str]  # (date, rotation, engineer email)

SCHEMA: dict[str, Any] = {
    "Sync Key": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {"select": {"options": [{"name": r} for r in ("AM", "Core", "PM")]}},
    "Engineer": {"people": {}},
    "Engineer Email": {"email": {}},
}


def sync_key(row: ShiftRow) -> str:
    """The row's key as written in the title: ``YYYY-MM-DD/ROTATION`` (as syncer's Sync Key)."""
    return f"{row[0]}/{row[1]}"


@dataclass
class Stats:
    """What one run did."""

    users: int = 0
    pages_read: int = 0
    created: int = 0
    updated: int = 0


def client_for(token: str, base_url: str) -> notion_client.Client:
    """A notion-client with the SDK's retries (429 with ``Retry-After``), up to 10 attempts."""
    return notion_client.Client(
        auth=token, base_url=base_url, retry=notion_client.RetryOptions(max_retries=10)
    )


def _all(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = call(**kwargs, **({"start_cursor": cursor} if cursor else {}))
        results.extend(page["results"])
        if not page.get("has_more"):
            return results
        cursor = page["next_cursor"]


def properties(row: ShiftRow, people: dict[str, str]) -> dict[str, Any]:
    """The page properties for one row (every property, every time)."""
    date, rotation, email = row
    person = people.get(email.lower())
    return {
        "Sync Key": {"title": [{"type": "text", "text": {"content": sync_key(row)}}]},
        "Date": {"date": {"start": date}},
        "Rotation": {"select": {"name": rotation}},
        "Engineer": {"people": [{"object": "user", "id": person}] if person else []},
        "Engineer Email": {"email": email},
    }


def sync(client: notion_client.Client, data_source_id: str, rows: Iterable[ShiftRow]) -> Stats:
    """One run: list users, read all pages, rewrite every row."""
    stats = Stats()
    users = _all(client.users.list)
    stats.users = len(users)
    people = {
        u["person"]["email"].lower(): u["id"]
        for u in users
        if u.get("type") == "person" and (u.get("person") or {}).get("email")
    }
    pages = _all(client.data_sources.query, data_source_id=data_source_id)
    stats.pages_read = len(pages)
    by_key: dict[str, str] = {}
    for page in pages:
        title = page["properties"].get("Sync Key", {}).get("title") or []
        key = "".join(t.get("plain_text", "") for t in title)
        by_key.setdefault(key, page["id"])
    for row in rows:
        page_id = by_key.get(sync_key(row))
        if page_id:
            client.pages.update(page_id=page_id, properties=properties(row, people))
            stats.updated += 1
        else:
            created: dict[str, Any] = client.pages.create(  # type: ignore[assignment]
                parent={"type": "data_source_id", "data_source_id": data_source_id},
                properties=properties(row, people),
            )
            by_key[sync_key(row)] = created["id"]
            stats.created += 1
    return stats
