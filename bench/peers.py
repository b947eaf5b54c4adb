"""syncer beside the tools a team would otherwise use, on the same sandbox, scenario by scenario.

Run: ``.venv/bin/python -m bench.peers --part compare --out FILE`` (about ten minutes: a year of
history is bound by the rate limit, and the app's sync by its pauses) and ``--part scaling`` (a
few minutes, low latency, no rate limit). ``make bench`` runs both through ``bench.run_all``,
beside :mod:`bench.switch` (the app's databases taken over by syncer).

Four tools, each with its own integration tokens (Notion's rate limit is per token), against one
sandbox at a time:

- ``syncer``: this project's engine (drain and reconcile), production settings;
- ``app-sync``: :mod:`bench.app_sync_peer`, the scheduler app's own sync (Notion-Version
  2022-06-28, diffs by date and rotation, 350 ms between writes, moves by copy and archive),
  on a SQLite file with the app's tables (:mod:`bench.app_tool`);
- ``rewrite-all``: :mod:`bench.rewrite_all_peer`, a naive rewrite-everything sync (list users
  and every page, rewrite every row on every run), the baseline;
- ``csv2notion``: csv2notion-neo from PyPI in its own virtual environment, fed the schedule as
  CSV with the Sync Key as its key (title) column and ``--merge`` (see
  :mod:`bench.csv2notion_launcher` for how it is pointed at the sandbox).

Every figure comes from the sandbox's request log, filtered by the tool's token. After each step
an independent check (:func:`bench.harness.check_state`) reads every live page of the tool's
databases from the sandbox's dump and compares it with the schedule: one page per key, right
date, rotation and engineer, and for the tools with two databases each page in the one its date
belongs to; it also counts the shifts whose page got a new id.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench import rewrite_all_peer
from bench.app_tool import App
from bench.harness import (
    ROTATIONS,
    SETUP_TOKEN,
    TODAY,
    Layout,
    Placement,
    Row,
    Step,
    Tool,
    key_of,
    measure,
    reassign,
    sandbox_for,
    weekday_rows,
)
from syncer.config import Budget, Environment, Settings
from syncer.core import EnvName
from syncer.core.projection import week_start
from syncer.engine import Engine, RunOptions
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.settings import RateLimit
from syncer.store import Store, upgrade

TOOLS = ("syncer", "app-sync", "rewrite-all", "csv2notion")
ROOT = Path(__file__).resolve().parent
CSV2NOTION_PYTHON = ROOT / ".venv-csv2notion" / "bin" / "python"
CSV2NOTION_VERSION = "2.2.1"


def _setup_client(sandbox: RunningSandbox) -> Any:
    return rewrite_all_peer.client_for(SETUP_TOKEN, sandbox.url)


def _peer_database(sandbox: RunningSandbox, title: str, schema: dict[str, Any]) -> tuple[str, str]:
    """A database under the root page: (database id, data source id)."""
    client = _setup_client(sandbox)
    try:
        created = client.databases.create(
            parent={"type": "page_id", "page_id": sandbox.root_page_id},
            title=[{"type": "text", "text": {"content": title}}],
            initial_data_source={"properties": schema},
        )
    finally:
        client.close()
    return str(created["id"]), str(created["data_sources"][0]["id"])


class Ours(Tool):
    name = "syncer"
    layout = Layout(key="Sync Key", email="Final Engineer Email")

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        super().__init__(sandbox, tmp, env, paced=paced)
        settings = Settings(timezone="Europe/London")
        if not paced:
            settings = replace(settings, budget=Budget(requests=1_000_000, per_seconds=1.0))
        setup = NotionGateway(SETUP_TOKEN, pacer=Pacer(1_000_000, 1), base_url=sandbox.url)
        try:
            created = init_databases(settings, setup, sandbox.root_page_id, prefix=f"{self.env} ")
        finally:
            setup.close()
        self.database_ids = {created.calendar_database_id, created.past_calendar_database_id}
        self.past_database = created.past_calendar_database_id
        environment = Environment(
            EnvName(self.env),
            "UNUSED",
            created.calendar_database_id,
            created.past_calendar_database_id,
        )
        settings = replace(settings, environments={self.env: environment})
        self.db = tmp / f"{self.env}.db"
        upgrade(self.db)
        pacer = Pacer(settings.budget.requests, settings.budget.per_seconds)
        self.gateway = NotionGateway(self.token, pacer=pacer, base_url=sandbox.url)
        self.store = Store.open(self.db)
        self.session = Engine(
            store=self.store,
            gateway=self.gateway,
            settings=settings,
            env=environment,
            options=RunOptions(trigger="bench"),
            pinned_today=TODAY,
        )

    def _sql(self, statement: str, rows: Sequence[tuple[str, ...]]) -> None:
        conn = sqlite3.connect(self.db)
        with conn:
            conn.executemany(statement, rows)
        conn.close()

    def write(self, rows: list[Row]) -> None:
        super().write(rows)
        self._sql(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
        )

    def regenerate(self, rows: list[Row]) -> None:
        super().regenerate(rows)
        conn = sqlite3.connect(self.db)
        with conn:
            conn.execute("DELETE FROM oncall_schedule WHERE date >= ?", (min(r[0] for r in rows),))
            conn.executemany(
                "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
                rows,
            )
        conn.close()

    def change(self, rows: list[Row]) -> None:
        super().change(rows)
        self._sql(
            "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = ?",
            [(e, d, r) for d, r, e in rows],
        )

    def run(self, mode: str) -> str:
        if mode == "reconcile":
            result = self.session.reconcile()
            return str(result.status)
        results = self.session.drain()
        return ", ".join(str(r.status) for r in results) or "nothing to do"

    def turn_week(self) -> None:
        self.session = dataclasses.replace(
            self.session, pinned_today=self.session.today + dt.timedelta(days=7)
        )

    def placement(self) -> Placement:
        return Placement(self.past_database, week_start(self.session.today))

    def close(self) -> None:
        self.store.close()
        self.gateway.close()


class RewriteAll(Tool):
    name = "rewrite-all"

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        super().__init__(sandbox, tmp, env, paced=paced)
        database, self.data_source = _peer_database(sandbox, self.env, rewrite_all_peer.SCHEMA)
        self.database_ids = {database}
        self.client = rewrite_all_peer.client_for(self.token, sandbox.url)

    def run(self, mode: str) -> str:
        stats = rewrite_all_peer.sync(self.client, self.data_source, list(self.schedule.values()))
        return f"{stats.created} created, {stats.updated} updated"

    def close(self) -> None:
        self.client.close()


CSV2NOTION_SCHEMA: dict[str, Any] = {
    "Sync Key": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {"select": {"options": [{"name": r} for r in ROTATIONS]}},
    "Engineer Email": {"email": {}},
}


def csv2notion_missing() -> str:
    """Why csv2notion-neo cannot run here, or '' when it can."""
    if not (ROOT / ".venv-csv2notion" / ".installed").exists():
        return "not installed in bench/.venv-csv2notion (make bench installs it from PyPI)"
    return ""


class Csv2Notion(Tool):
    name = "csv2notion"

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        super().__init__(sandbox, tmp, env, paced=paced)
        database, _ = _peer_database(sandbox, self.env, CSV2NOTION_SCHEMA)
        self.database_ids = {database}
        self.url = f"https://www.notion.so/bench/{database.replace('-', '')}"
        self.csv = tmp / f"{self.env}.csv"
        self.log = tmp / f"{self.env}.log"

    def run(self, mode: str) -> str:
        with self.csv.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["Sync Key", "Date", "Rotation", "Engineer Email"])
            for row in sorted(self.schedule.values()):
                writer.writerow([key_of(row), *row])
        env = dict(os.environ, BENCH_NOTION_BASE_URL=self.sandbox.url, NO_COLOR="1")
        if not self.paced:
            env["BENCH_CSV2NOTION_RPS"] = "100000"
        command = [
            str(CSV2NOTION_PYTHON),
            str(ROOT / "csv2notion_launcher.py"),
            "--workspace",
            "bench",
            "--token",
            self.token,
            "--url",
            self.url,
            "--merge",
            str(self.csv),
        ]
        with self.log.open("a") as log:
            done = subprocess.run(command, stdout=log, stderr=log, env=env, check=False)
        tail = self.log.read_text().strip().splitlines()[-1:] or [""]
        return f"exit {done.returncode}; {tail[0][-120:]}"


FACTORIES: dict[str, Callable[..., Tool]] = {
    "syncer": Ours,
    "app-sync": App,
    "rewrite-all": RewriteAll,
    "csv2notion": Csv2Notion,
}


def compare_tool(name: str, sandbox: RunningSandbox, tmp: Path, out: list[Step]) -> None:
    """The six scenarios for one tool, on two fresh pairs of databases."""
    window = weekday_rows(TODAY, end=TODAY + dt.timedelta(days=14))
    tool = FACTORIES[name](sandbox, tmp, "window", paced=True)
    try:
        tool.write(window)
        out.append(measure(tool, "first 14-day sync", len(window), "drain", ids=True))
        tool.regenerate(window)
        out.append(measure(tool, "identical regeneration", len(window), "drain", ids=True))
        tool.change(reassign(sorted(tool.schedule.values()), 5))
        out.append(measure(tool, "5 changed shifts", len(window), "drain", ids=True))
        tool.turn_week()
        out.append(measure(tool, "a week later (moves)", len(window), "drain", ids=True))
    finally:
        tool.close()
    monday = week_start(TODAY)
    history = weekday_rows(monday - dt.timedelta(weeks=52), end=monday)
    tool = FACTORIES[name](sandbox, tmp, "history", paced=True)
    try:
        tool.write(history)
        out.append(measure(tool, "first year of history", len(history), "drain", ids=True))
        scenario = f"no-change reconcile of {len(history)} pages"
        out.append(measure(tool, scenario, len(history), "reconcile", ids=True))
    finally:
        tool.close()


def scaling_tool(
    name: str, sandbox: RunningSandbox, tmp: Path, out: list[Step], drain_size: int
) -> None:
    """Drain cost against changed shifts, reconcile cost against pages, for one tool."""
    monday = week_start(TODAY)
    tool = FACTORIES[name](sandbox, tmp, "drain", paced=False)
    try:
        rows = weekday_rows(monday, count=drain_size)
        tool.write(rows)
        out.append(measure(tool, "first sync", len(rows), "drain", check=False))
        for changed in (1, 10, 100, 1000):
            tool.change(reassign(sorted(tool.schedule.values()), changed))
            out.append(measure(tool, f"drain of {changed} changed", changed, "drain"))
    finally:
        tool.close()
    for pages in (100, 1000, 10000):
        tool = FACTORIES[name](sandbox, tmp, f"reconcile-{pages}", paced=False)
        try:
            tool.write(weekday_rows(monday, count=pages))
            out.append(measure(tool, "first sync", pages, "drain", check=False))
            out.append(measure(tool, "no-change reconcile", pages, "reconcile"))
        finally:
            tool.close()


def tools_to_run(requested: list[str]) -> tuple[list[str], dict[str, str]]:
    """The tools that can run, and why each other one cannot."""
    skipped: dict[str, str] = {}
    runnable = []
    for name in requested:
        reason = csv2notion_missing() if name == "csv2notion" else ""
        if reason:
            skipped[name] = reason
        else:
            runnable.append(name)
    return runnable, skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("compare", "scaling"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--latency-ms", type=int, default=None)
    parser.add_argument("--jitter-ms", type=int, default=None)
    parser.add_argument("--rate", default="180/60", help="compare part only; 'none' for no limit")
    parser.add_argument("--drain-size", type=int, default=2000, help="scaling: schedule size")
    args = parser.parse_args(argv)
    runnable, skipped = tools_to_run(args.tools.split(","))
    compare = args.part == "compare"
    latency = args.latency_ms if args.latency_ms is not None else (250 if compare else 5)
    jitter = args.jitter_ms if args.jitter_ms is not None else (50 if compare else 0)
    rate = None if not compare or args.rate == "none" else RateLimit.parse(args.rate)
    envs = (
        ("window", "history")
        if compare
        else ("drain", "reconcile-100", "reconcile-1000", "reconcile-10000")
    )
    steps: list[Step] = []
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_for(tuple(TOOLS), envs, latency, jitter, rate) as sandbox,
    ):
        tmp = Path(folder)
        results: dict[str, list[Step]] = {name: [] for name in runnable}
        if compare:
            # Each tool on its own tokens, all at once: the rate limit binds per token, and the
            # year of history is bound by it, so running them one after another would only wait.
            threads = [
                threading.Thread(target=compare_tool, args=(n, sandbox, tmp, results[n]), name=n)
                for n in runnable
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            for name in runnable:  # one after another: wall times here are CPU-bound
                scaling_tool(name, sandbox, tmp, results[name], args.drain_size)
        for name in runnable:
            steps.extend(results[name])
    report = {
        "part": args.part,
        "latency_ms": latency,
        "jitter_ms": jitter,
        "rate_limit": None if rate is None else f"{rate.requests}/{rate.seconds:g}",
        "csv2notion_neo": CSV2NOTION_VERSION,
        "drain_size": args.drain_size,
        "skipped": skipped,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "steps": [asdict(s) for s in steps],
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for step in steps:
        ok = {True: "right", False: "WRONG", None: "-"}[step.correct]
        print(
            f"{step.tool:12} {step.scenario:34} n={step.size:<6} {step.requests:6} req "
            f"({step.reads} r / {step.writes} w) {step.rate_limited:4} x429 {step.wall_s:8.1f} s "
            f"{ok} {step.error or ''}",
            flush=True,
        )
    for name, reason in skipped.items():
        print(f"{name}: not run: {reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
