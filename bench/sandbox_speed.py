"""How fast the sandbox is: requests per second from one notion-client, and 100,000 pages in memory.

Run with ``python -m bench.sandbox_speed`` (or ``python bench/sandbox_speed.py``); ``--pages N``
changes the size of the large workspace, ``--requests N`` the length of each request run.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import notion_client

from syncer.sandbox.routes import Call
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings

SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {"select": {"options": [{"name": n} for n in ("AM", "Core", "PM")]}},
    "Final Engineer": {"people": {}},
    "Sync Key": {"rich_text": {}},
}


def _properties(index: int, person: str) -> dict[str, Any]:
    day = f"2026-{1 + index // 28 % 12:02d}-{1 + index % 28:02d}"
    rotation = ("AM", "Core", "PM")[index % 3]
    return {
        "Name": {"title": [{"text": {"content": f"{day} {rotation} – Ada"}}]},
        "Date": {"date": {"start": f"{day}T09:00:00+00:00", "end": f"{day}T12:00:00+00:00"}},
        "Rotation": {"select": {"name": rotation}},
        "Final Engineer": {"people": [{"id": person}]},
        "Sync Key": {"rich_text": [{"text": {"content": f"{day}/{rotation}/{index}"}}]},
    }


def _database(client: Any, sb: RunningSandbox, name: str) -> str:
    db = client.databases.create(
        parent={"page_id": sb.root_page_id},
        title=[{"text": {"content": name}}],
        initial_data_source={"properties": SCHEMA},
    )
    return str(db["data_sources"][0]["id"])


def _rate(label: str, count: int, action: Callable[[int], object]) -> dict[str, Any]:
    started = time.perf_counter()
    for index in range(count):
        action(index)
    elapsed = time.perf_counter() - started
    return {"what": label, "requests": count, "seconds": elapsed, "per_second": count / elapsed}


def request_rates(sb: RunningSandbox, count: int) -> list[dict[str, Any]]:
    """Requests per second from one synchronous notion-client, per kind of request."""
    client: Any = notion_client.Client(auth=sb.syncer_token, base_url=sb.url, retry=False)
    person = sb.add_user("Ada", "ada@example.com")["id"]
    source = _database(client, sb, "speed")
    ids: list[str] = []
    rows = [
        _rate("users.me", count, lambda i: client.users.me()),
        _rate(
            "pages.create",
            count,
            lambda i: ids.append(
                client.pages.create(
                    parent={"data_source_id": source}, properties=_properties(i, person)
                )["id"]
            ),
        ),
        _rate("pages.retrieve", count, lambda i: client.pages.retrieve(ids[i])),
        _rate(
            "pages.update",
            count,
            lambda i: client.pages.update(
                ids[i], properties={"Sync Key": {"rich_text": [{"text": {"content": str(i)}}]}}
            ),
        ),
        _rate(
            "data_sources.query (filter, 10 results)",
            count // 4,
            lambda i: client.data_sources.query(
                source,
                page_size=10,
                filter={"property": "Rotation", "select": {"equals": "AM"}},
            ),
        ),
    ]
    client.close()
    return rows


def _bulk_create(sb: RunningSandbox, source: str, count: int, person: str) -> None:
    viewer = sb.service.integrations[sb.syncer_token]
    for index in range(count):
        body = {"parent": {"data_source_id": source}, "properties": _properties(index, person)}
        sb.service.execute(Call("POST", "/v1/pages", viewer, body), "bench")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def large_workspace(sb: RunningSandbox, pages: int) -> list[dict[str, Any]]:
    """Load ``pages`` pages (10 data sources) in process, then time queries over HTTP."""
    client: Any = notion_client.Client(auth=sb.syncer_token, base_url=sb.url, retry=False)
    person = sb.add_user("Bob", "bob@example.com")["id"]
    sources = [_database(client, sb, f"big {n}") for n in range(10)]
    small = _database(client, sb, "small")
    rss_before = _max_rss_mb()
    started = time.perf_counter()
    for source in sources:
        _bulk_create(sb, source, pages // len(sources), person)
    load_seconds = time.perf_counter() - started
    gc.collect()
    _bulk_create(sb, small, 42, person)
    timings = []
    for _ in range(50):
        began = time.perf_counter()
        client.data_sources.query(
            small, filter={"property": "Rotation", "select": {"equals": "PM"}}
        )
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    read = notion_client.collect_paginated_api(client.data_sources.query, data_source_id=sources[0])
    full_read = time.perf_counter() - began
    client.close()
    return [
        {"what": f"load {pages:,} pages in process", "seconds": load_seconds},
        {"what": "max RSS growth (MB)", "value": _max_rss_mb() - rss_before},
        {
            "what": "query a 42-page source among them (median ms)",
            "value": 1000 * statistics.median(timings),
        },
        {
            "what": f"read {len(read):,} pages of one source, 100 per request (s)",
            "value": full_read,
        },
    ]


def main(argv: list[str] | None = None) -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.platform()}")
    settings = SandboxSettings(rate_limit=None)
    with serve_in_thread(settings) as sb:
        for row in request_rates(sb, args.requests):
            rate, count, seconds = row["per_second"], row["requests"], row["seconds"]
            print(f"{row['what']:<45} {rate:8.0f} req/s  ({count} in {seconds:.2f} s)")
    with serve_in_thread(settings) as sb:
        for row in large_workspace(sb, args.pages):
            value = row.get("value", row.get("seconds"))
            print(f"{row['what']:<60} {value:10.2f}")


if __name__ == "__main__":
    main()
