"""syncer beside the tools a team would otherwise use, on the same sandbox, scenario by scenario.

Run: ``.venv/bin/python -m bench.peers --part compare --out FILE`` (about ten minutes: a year of
history is bound by the rate limit) and ``--part scaling`` (a few minutes, low latency, no rate
limit). ``make bench`` runs both through ``bench.run_all``.

Three tools, each with its own integration tokens (Notion's rate limit is per token), against one
sandbox at a time:

- ``syncer``: this project's engine (drain and reconcile), production settings;
- ``naive``: :mod:`bench.naive_peer`, the upstream app's own kind of sync (list users and every
  page, rewrite every row on every run);
- ``csv2notion``: csv2notion-neo from PyPI in its own virtual environment, fed the schedule as
  CSV with the Sync Key as its key (title) column and ``--merge`` (see
  :mod:`bench.csv2notion_launcher` for how it is pointed at the sandbox).

Every figure comes from the sandbox's request log, filtered by the tool's token. After each step
an independent check reads every live page of the tool's databases from the sandbox's dump and
compares it with the schedule: one page per key, right date, rotation and engineer email.
"""

from __future__ import annotations

import argparse
import csv
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import naive_peer
from syncer.config import Budget, Environment, Settings
from syncer.core import EnvName
from syncer.core.projection import week_start
from syncer.engine import Engine, RunOptions
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import IntegrationSpec, RateLimit, SandboxSettings
from syncer.store import Store, upgrade

TODAY = dt.date(2026, 11, 25)  # a Wednesday, as in bench.engine_scenarios
EMAILS = [f"engineer{i}@example.com" for i in range(8)]
ROTATIONS = ("AM", "Core", "PM")
TOOLS = ("syncer", "naive", "csv2notion")
SETUP_TOKEN = "ntn_bench_setup_token"
ROOT = Path(__file__).resolve().parent
CSV2NOTION_PYTHON = ROOT / ".venv-csv2notion" / "bin" / "python"
CSV2NOTION_VERSION = "2.2.1"

Row = tuple[str, str, str]  # (date, rotation, engineer email)


def token(tool: str, env: str) -> str:
    return f"ntn_bench_{tool}-{env}"


def weekday_rows(start: dt.date, count: int | None = None, end: dt.date | None = None) -> list[Row]:
    """Three shifts per weekday from ``start``: ``count`` of them, or all before ``end``."""
    rows: list[Row] = []
    day = start
    while (count is None or len(rows) < count) and (end is None or day < end):
        if day.weekday() < 5:
            for rotation in ROTATIONS:
                rows.append((day.isoformat(), rotation, EMAILS[len(rows) % len(EMAILS)]))
        day += dt.timedelta(days=1)
    return rows[:count] if count is not None else rows


def key_of(row: Row) -> str:
    return f"{row[0]}/{row[1]}"


def reassign(rows: list[Row], count: int) -> list[Row]:
    """``count`` rows spread over ``rows``, each given another engineer."""
    step = max(1, len(rows) // count)
    picked = rows[::step][:count]
    return [(d, r, EMAILS[(EMAILS.index(e) + 3) % len(EMAILS)]) for d, r, e in picked]


@dataclass
class Step:
    """One measured run of one tool."""

    tool: str
    scenario: str
    size: int
    requests: int
    reads: int
    writes: int
    rate_limited: int
    wall_s: float
    correct: bool | None
    detail: str = ""
    error: str = ""


def traffic(entries: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(reads, writes, 429s) of request log entries."""
    reads = sum(1 for e in entries if e["method"] == "GET" or e["path"].endswith("/query"))
    limited = sum(1 for e in entries if e["status"] == 429)
    return reads, len(entries) - reads, limited


# -- the independent check ------------------------------------------------------------------------


def _text(prop: dict[str, Any] | None) -> str:
    if not prop:
        return ""
    kind = prop.get("type", "")
    value = prop.get(kind)
    if isinstance(value, list):
        return "".join(item.get("plain_text", "") for item in value).strip()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and kind == "select":
        return str(value.get("name") or "")
    if isinstance(value, dict) and kind == "date":
        return str(value.get("start") or "")[:10]
    return ""


@dataclass(frozen=True)
class Layout:
    """Where a tool keeps a page's key, date, rotation and engineer email."""

    key: str
    email: str
    date: str = "Date"
    rotation: str = "Rotation"


def check_state(
    sandbox: RunningSandbox, database_ids: set[str], layout: Layout, expected: dict[str, Row]
) -> tuple[bool, str]:
    """Whether the live pages of ``database_ids`` are exactly the schedule ``expected``."""
    norm = {d.replace("-", "") for d in database_ids}
    found: dict[str, list[Row]] = {}
    for page in sandbox.dump()["pages"]:
        parent = page.get("parent") or {}
        if page.get("in_trash") or str(parent.get("database_id", "")).replace("-", "") not in norm:
            continue
        props = page["properties"]
        key = _text(props.get(layout.key))
        row = (
            _text(props.get(layout.date)),
            _text(props.get(layout.rotation)),
            _text(props.get(layout.email)).lower(),
        )
        found.setdefault(key, []).append(row)
    missing = [k for k in expected if k not in found]
    extra = [k for k in found if k not in expected]
    duplicated = [k for k, rows in found.items() if len(rows) > 1]
    wrong = [k for k, row in expected.items() if k in found and found[k][0] != row]
    problems = []
    for name, keys in (
        ("missing", missing),
        ("extra", extra),
        ("duplicated", duplicated),
        ("wrong", wrong),
    ):
        if keys:
            problems.append(f"{len(keys)} {name} (e.g. {keys[0]})")
    return not problems, "; ".join(problems)


# -- the tools ------------------------------------------------------------------------------------


class Tool:
    """One tool's copy of the schedule and its databases on the sandbox."""

    name = ""
    layout = Layout(key="Sync Key", email="Engineer Email")

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        self.sandbox = sandbox
        self.tmp = tmp
        self.env = f"{self.name}-{env}"
        self.paced = paced
        self.token = token(self.name, env)
        self.schedule: dict[str, Row] = {}
        self.database_ids: set[str] = set()

    def write(self, rows: list[Row]) -> None:
        """New rows (the first fill of the schedule)."""
        self.schedule.update({key_of(r): r for r in rows})

    def regenerate(self, rows: list[Row]) -> None:
        """The same rows deleted and inserted again, as the app's daily regeneration does."""
        self.schedule.update({key_of(r): r for r in rows})

    def change(self, rows: list[Row]) -> None:
        """Existing rows given another engineer."""
        self.schedule.update({key_of(r): r for r in rows})

    def run(self, mode: str) -> str:
        """One run of the tool ('drain' after changes, 'reconcile' for a full check)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the tool holds."""

    def check(self) -> tuple[bool, str]:
        return check_state(self.sandbox, self.database_ids, self.layout, self.schedule)


def _setup_client(sandbox: RunningSandbox) -> Any:
    return naive_peer.client_for(SETUP_TOKEN, sandbox.url)


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

    def close(self) -> None:
        self.store.close()
        self.gateway.close()


class Naive(Tool):
    name = "naive"

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        super().__init__(sandbox, tmp, env, paced=paced)
        database, self.data_source = _peer_database(sandbox, self.env, naive_peer.SCHEMA)
        self.database_ids = {database}
        self.client = naive_peer.client_for(self.token, sandbox.url)

    def run(self, mode: str) -> str:
        stats = naive_peer.sync(self.client, self.data_source, list(self.schedule.values()))
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
    "naive": Naive,
    "csv2notion": Csv2Notion,
}


# -- measuring ------------------------------------------------------------------------------------


def measure(tool: Tool, scenario: str, size: int, mode: str, *, check: bool = True) -> Step:
    """Run the tool once and read its traffic from the sandbox's request log."""
    before = sum(1 for e in tool.sandbox.requests() if e["token"] == tool.token)
    started = time.perf_counter()
    error = ""
    detail = ""
    try:
        detail = tool.run(mode)
    except Exception as exc:  # a tool's failure is a result, not the benchmark's end
        error = f"{type(exc).__name__}: {exc}"[:300]
    wall = time.perf_counter() - started
    entries = [e for e in tool.sandbox.requests() if e["token"] == tool.token][before:]
    entries = [e for e in entries if e["path"].startswith("/v1/")]
    reads, writes, limited = traffic(entries)
    correct, problems = tool.check() if check else (None, "")
    return Step(
        tool.name,
        scenario,
        size,
        len(entries),
        reads,
        writes,
        limited,
        round(wall, 2),
        correct,
        "; ".join(x for x in (detail, problems) if x),
        error,
    )


def compare_tool(name: str, sandbox: RunningSandbox, tmp: Path, out: list[Step]) -> None:
    """The five scenarios for one tool, on two fresh pairs of databases."""
    window = weekday_rows(TODAY, end=TODAY + dt.timedelta(days=14))
    tool = FACTORIES[name](sandbox, tmp, "window", paced=True)
    try:
        tool.write(window)
        out.append(measure(tool, "first 14-day sync", len(window), "drain"))
        tool.regenerate(window)
        out.append(measure(tool, "identical regeneration", len(window), "drain"))
        tool.change(reassign(sorted(tool.schedule.values()), 5))
        out.append(measure(tool, "5 changed shifts", len(window), "drain"))
    finally:
        tool.close()
    monday = week_start(TODAY)
    history = weekday_rows(monday - dt.timedelta(weeks=52), end=monday)
    tool = FACTORIES[name](sandbox, tmp, "history", paced=True)
    try:
        tool.write(history)
        out.append(measure(tool, "first year of history", len(history), "drain"))
        out.append(
            measure(tool, f"no-change reconcile of {len(history)} pages", len(history), "reconcile")
        )
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


@contextmanager
def sandbox_for(
    tools: tuple[str, ...],
    envs: tuple[str, ...],
    latency_ms: int,
    jitter_ms: int,
    rate: RateLimit | None,
) -> Iterator[RunningSandbox]:
    specs = [IntegrationSpec(SETUP_TOKEN, "bench setup")]
    specs += [IntegrationSpec(token(t, e), f"{t} {e}") for t in tools for e in envs]
    settings = SandboxSettings(
        port=0,
        rate_limit=rate,
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        extra_integrations=tuple(specs),
    )
    with serve_in_thread(settings) as sandbox:
        for index, email in enumerate(EMAILS):
            sandbox.add_user(f"Engineer {index}", email)
        yield sandbox


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
            f"{step.tool:10} {step.scenario:34} n={step.size:<6} {step.requests:6} req "
            f"({step.reads} r / {step.writes} w) {step.rate_limited:4} x429 {step.wall_s:8.1f} s "
            f"{ok} {step.error or ''}",
            flush=True,
        )
    for name, reason in skipped.items():
        print(f"{name}: not run: {reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
