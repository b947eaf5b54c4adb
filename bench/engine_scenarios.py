"""The sync engine's benchmark scenarios, against the sandbox with Notion-like latency and limits.

Run: ``.venv/bin/python -m bench.engine_scenarios`` (about six minutes: the year of history is
bound by the request budget on purpose). Prints a Markdown table of request counts and wall
times next to each target. Options: ``--latency-ms 250 --jitter-ms 50 --rate 180/60``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from syncer.config import Environment, Settings
from syncer.core import EnvName
from syncer.core.projection import week_start
from syncer.engine import Engine, RunOptions
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import RateLimit, SandboxSettings
from syncer.store import Store, upgrade

TODAY = dt.date(2026, 11, 25)  # a Wednesday
EMAILS = [f"engineer{i}@example.com" for i in range(8)]


@dataclass
class Row:
    """One scenario's measurement next to its target."""

    scenario: str
    target: str
    measured: str
    ok: bool


@dataclass
class Traffic:
    """What the sandbox saw during one step."""

    requests: int
    writes: int
    queries: int
    rate_limited: int
    wall: float


def weekday_rows(start: dt.date, end: dt.date) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    day = start
    while day < end:
        if day.weekday() < 5:
            for rotation in ("AM", "Core", "PM"):
                rows.append((day.isoformat(), rotation, EMAILS[len(rows) % len(EMAILS)]))
        day += dt.timedelta(days=1)
    return rows


def write_rows(
    db: Path, rows: list[tuple[str, str, str]], *, replace_from: str | None = None
) -> None:
    with sqlite3.connect(db) as conn:
        if replace_from is not None:
            conn.execute("DELETE FROM oncall_schedule WHERE date >= ?", (replace_from,))
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
        )
    conn.close()


@contextmanager
def environment(
    sandbox: RunningSandbox, tmp: Path, name: str, settings: Settings | None = None
) -> Iterator[Engine]:
    """A fresh schedule file and fresh databases, with a gateway paced as ``settings`` say
    (default: like production)."""
    settings = settings or Settings(timezone="Europe/London")
    setup = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    sandbox.update_settings(rate_limit=None)
    created = init_databases(settings, setup, sandbox.root_page_id, prefix=f"{name} ")
    setup.close()
    env = Environment(
        EnvName(name), "UNUSED", created.calendar_database_id, created.past_calendar_database_id
    )
    settings = replace(settings, environments={name: env})
    db = tmp / f"{name}.db"
    upgrade(db)
    pacer = Pacer(settings.budget.requests, settings.budget.per_seconds)
    gateway = NotionGateway(sandbox.syncer_token, pacer=pacer, base_url=sandbox.url)
    store = Store.open(db)
    try:
        yield Engine(
            store=store,
            gateway=gateway,
            settings=settings,
            env=env,
            options=RunOptions(trigger="bench"),
            pinned_today=TODAY,
        )
    finally:
        store.close()
        gateway.close()


def measure(sandbox: RunningSandbox, step: Callable[[], Any]) -> Traffic:
    sandbox.clear_requests()
    started = time.perf_counter()
    step()
    wall = time.perf_counter() - started
    log = [r for r in sandbox.requests() if r["path"].startswith("/v1/")]
    writes = [r for r in log if r["method"] in ("PATCH", "POST") and "/query" not in r["path"]]
    queries = [r for r in log if r["path"].endswith("/query")]
    limited = [r for r in log if r["status"] == 429]
    return Traffic(len(log), len(writes), len(queries), len(limited), wall)


def window_scenarios(sandbox: RunningSandbox, tmp: Path, rate: RateLimit) -> list[Row]:
    rows: list[Row] = []
    with environment(sandbox, tmp, "window") as ctx:
        db = Path(str(ctx.store.path))
        window = weekday_rows(TODAY, TODAY + dt.timedelta(days=14))
        write_rows(db, window)
        sandbox.update_settings(rate_limit=rate)
        first = measure(sandbox, lambda: ctx.drain())
        rows.append(
            Row(
                f"first sync of a 14-day window ({len(window)} shifts)",
                "at most 10 s wall",
                f"{first.wall:.1f} s, {first.requests} requests, {first.rate_limited} x 429",
                first.wall <= 10,
            )
        )
        write_rows(db, window, replace_from=TODAY.isoformat())
        same = measure(sandbox, lambda: ctx.drain())
        rows.append(
            Row(
                "identical regeneration of the 14-day window, then drain",
                "0 Notion requests",
                f"{same.requests} requests",
                same.requests == 0,
            )
        )
        k = 5
        with sqlite3.connect(db) as conn:
            conn.executemany(
                "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = 'AM'",
                [(EMAILS[(i + 3) % len(EMAILS)], r[0]) for i, r in enumerate(window[: k * 3 : 3])],
            )
        conn.close()
        changed = measure(sandbox, lambda: ctx.drain())
        rows.append(
            Row(
                f"k = {k} shifts changed, then drain",
                f"exactly {k} write requests",
                f"{changed.writes} writes, {changed.requests} requests",
                changed.writes == k and changed.requests == k,
            )
        )
        newcomer = "newcomer@example.com"
        sandbox.add_user("Newcomer", newcomer)
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = 'PM'",
                (newcomer, TODAY.isoformat()),
            )
        conn.close()
        fresh = measure(sandbox, lambda: ctx.drain())
        rows.append(
            Row(
                "1 shift given to an engineer new to the cache, then drain",
                "1 write request + 1 users page",
                f"{fresh.writes} writes, {fresh.requests} requests",
                fresh.writes == 1 and fresh.requests == 2,
            )
        )
    return rows


def history_scenarios(sandbox: RunningSandbox, tmp: Path, rate: RateLimit) -> list[Row]:
    rows: list[Row] = []
    with environment(sandbox, tmp, "history") as ctx:
        db = Path(str(ctx.store.path))
        monday = week_start(TODAY)
        history = weekday_rows(monday - dt.timedelta(weeks=52), monday)
        write_rows(db, history)
        sandbox.update_settings(rate_limit=rate)
        first = measure(sandbox, lambda: ctx.drain())
        bound = len(history) / rate.requests * rate.seconds
        rows.append(
            Row(
                f"first sync of a year of history ({len(history)} shifts before this week)",
                f"within 1.1x of {bound:.0f} s, zero 429s",
                f"{first.wall:.0f} s ({first.wall / bound:.2f}x), {first.requests} requests, "
                f"{first.rate_limited} x 429",
                first.wall <= 1.1 * bound and first.rate_limited == 0,
            )
        )
        sandbox.update_settings(rate_limit=None)  # also starts the next step on a fresh window
        again = measure(sandbox, lambda: ctx.reconcile())
        allowed = math.ceil(len(history) / 100) + 2
        rows.append(
            Row(
                f"reconcile of {len(history)} pages with no drift",
                f"at most {allowed} query requests, 0 writes",
                f"{again.queries} queries, {again.writes} writes, {again.wall:.1f} s",
                again.queries <= allowed and again.writes == 0,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=250)
    parser.add_argument("--jitter-ms", type=int, default=50)
    parser.add_argument("--rate", default="180/60")
    args = parser.parse_args()
    rate = RateLimit.parse(args.rate)
    settings = SandboxSettings(
        port=0, rate_limit=None, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms
    )
    with tempfile.TemporaryDirectory() as folder, serve_in_thread(settings) as sandbox:
        for index, email in enumerate(EMAILS):
            sandbox.add_user(f"Engineer {index}", email)
        tmp = Path(folder)
        rows = window_scenarios(sandbox, tmp, rate) + history_scenarios(sandbox, tmp, rate)
    print(f"Sandbox latency {args.latency_ms} ± {args.jitter_ms} ms, rate limit {args.rate} s")
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}\n")
    print_rows(rows)


def print_rows(rows: list[Row]) -> None:
    """The Markdown table `bench.run_all` reads: scenario, target, measured, met."""
    print("| scenario | target | measured | met |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.scenario} | {row.target} | {row.measured} | {'yes' if row.ok else 'NO'} |")


if __name__ == "__main__":
    main()
