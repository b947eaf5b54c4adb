"""What one burst of 429s costs a drain: the same ``syncer drain`` without it and with it.

Run: ``.venv/bin/python -m bench.burst_recovery`` (about six minutes: the year of history is
bound by the rate limit on purpose). ``--part short`` or ``--part year`` runs one pair only;
``--timeout SECONDS`` bounds each drain (a drain cut short is reported, and misses its target).

Every run gets a fresh sandbox, a fresh schedule file and fresh databases, and syncer is driven
through its command line only (``syncer db upgrade``, ``syncer notion init``, ``syncer drain``,
with a config file pointing at the sandbox), as an operator would run it. Two pairs:

- **short**: 60 creates (this week onwards) at 40 ms per request, the sandbox's 180/60 s limit;
- **year**: the first sync of a year of history (780 creates into PAST CALENDAR) at 250 ± 50 ms
  per request and the sandbox's 180/60 s limit (the two runs go at the same time, each on its
  own sandbox, so that they share the machine's load).

The burst: the drain's first four page creates are answered 429 with ``Retry-After: 1``. They
are in flight together (syncer writes 4 keys at a time), as when another user of the token
spends its budget. Target: with the burst, wall time at most ``1.5 x (wall time without +
Retry-After)``, every page created, and exit status 0. Prints a Markdown table (scenario, target,
measured, met), which :mod:`bench.run_all` reads into its summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncer.core.projection import week_start
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import RateLimit, SandboxSettings

TODAY = dt.date(2026, 11, 25)  # a Wednesday, as in bench.engine_scenarios
EMAILS = [f"engineer{i}@example.com" for i in range(8)]
ROTATIONS = ("AM", "Core", "PM")
RETRY_AFTER = 1  # seconds, as Notion sends for a short per-token overrun
BURST = 4  # one 429 for each key in flight
SLACK = 1.5  # the burst may cost its Retry-After plus at most 50%
NOTION_RATE = RateLimit(180, 60)
SYNCER = str(Path(sys.executable).with_name("syncer"))
TOKEN_VARIABLE = "BENCH_TOKEN"

Shift = tuple[str, str, str]  # (date, rotation, engineer email), as the app writes them


@dataclass(frozen=True)
class Case:
    """One drain to measure: its schedule and the sandbox it runs against."""

    name: str
    shifts: list[Shift]
    latency_ms: int
    jitter_ms: int
    rate_limit: RateLimit | None


@dataclass(frozen=True)
class Drain:
    """What the sandbox saw of one ``syncer drain``, and how it ended."""

    wall: float
    requests: int
    created: int
    rate_limited: int
    per_minute: tuple[int, ...]
    exit_code: int | None  # None: cut short by the timeout

    def complete(self, shifts: int) -> bool:
        return self.exit_code == 0 and self.created == shifts

    def describe(self) -> str:
        text = f"{self.wall:.1f} s, {self.requests} requests, {self.rate_limited} x 429"
        if len(self.per_minute) > 1:
            text += f", per minute {runs(self.per_minute)}"
        if self.exit_code is None:
            return f"did not finish: stopped after {text}"
        return text if self.exit_code == 0 else f"{text}, exit {self.exit_code}"


def runs(counts: tuple[int, ...]) -> str:
    """``82/124/165x3/95``: a count repeated in consecutive minutes is written once."""
    parts: list[str] = []
    for count, group in itertools.groupby(counts):
        times = len(list(group))
        parts.append(f"{count}x{times}" if times > 1 else str(count))
    return "/".join(parts)


def weekday_shifts(start: dt.date, end: dt.date) -> list[Shift]:
    """Three shifts per weekday in [start, end)."""
    shifts: list[Shift] = []
    day = start
    while day < end:
        if day.weekday() < 5:
            for rotation in ROTATIONS:
                shifts.append((day.isoformat(), rotation, EMAILS[len(shifts) % len(EMAILS)]))
        day += dt.timedelta(days=1)
    return shifts


def cases() -> dict[str, Case]:
    monday = week_start(TODAY)
    short = weekday_shifts(TODAY, TODAY + dt.timedelta(days=28))
    year = weekday_shifts(monday - dt.timedelta(weeks=52), monday)
    assert len(short) == 60, len(short)
    assert len(year) == 780, len(year)
    return {
        "short": Case("60 creates, 40 ms per request", short, 40, 0, NOTION_RATE),
        "year": Case(
            "first year of history (780 creates), 250 ± 50 ms", year, 250, 50, NOTION_RATE
        ),
    }


def syncer(env: dict[str, str], *args: str, timeout: float | None = None) -> str:
    """Run one syncer command; its stdout (a failure raises, with its stderr)."""
    done = subprocess.run(
        [SYNCER, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"syncer {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def workdir(sandbox: RunningSandbox, folder: Path, shifts: list[Shift]) -> dict[str, str]:
    """A schedule file holding ``shifts``, databases on the sandbox, and a config naming them."""
    env = {
        **os.environ,
        TOKEN_VARIABLE: sandbox.syncer_token,
        "SYNCER_DB": str(folder / "oncall.db"),
        "SYNCER_TODAY": TODAY.isoformat(),
    }
    env.pop("SYNCER_CONFIG", None)
    env.pop("SYNCER_ENV", None)
    syncer(env, "-q", "db", "upgrade")
    with sqlite3.connect(folder / "oncall.db") as conn:
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", shifts
        )
    conn.close()
    init = ["--json", "notion", "init", "--parent-page", sandbox.root_page_id]
    init += ["--token-env", TOKEN_VARIABLE, "--base-url", sandbox.url]
    ids = json.loads(syncer(env, *init))
    config = folder / "syncer.toml"
    config.write_text(
        f'default_environment = "bench"\n[environments.bench]\n'
        f'notion_token_env = "{TOKEN_VARIABLE}"\nnotion_base_url = "{sandbox.url}"\n'
        f'calendar_database_id = "{ids["calendar_database_id"]}"\n'
        f'past_calendar_database_id = "{ids["past_calendar_database_id"]}"\n'
    )
    return {**env, "SYNCER_CONFIG": str(config)}


def per_minute(log: list[dict[str, Any]]) -> tuple[int, ...]:
    """Requests in each minute from the first one (the sandbox's timestamps)."""
    moments = [dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00")) for entry in log]
    if not moments:
        return ()
    first = min(moments)
    counts: dict[int, int] = {}
    for moment in moments:
        minute = int((moment - first).total_seconds() // 60)
        counts[minute] = counts.get(minute, 0) + 1
    return tuple(counts.get(m, 0) for m in range(max(counts) + 1))


def traffic(log: list[dict[str, Any]], wall: float, exit_code: int | None) -> Drain:
    created = sum(
        1 for e in log if (e["method"], e["path"], e["status"]) == ("POST", "/v1/pages", 200)
    )
    limited = sum(1 for e in log if e["status"] == 429)
    return Drain(wall, len(log), created, limited, per_minute(log), exit_code)


def drain(case: Case, *, burst: bool, folder: Path, timeout: float) -> Drain:
    """One measured ``syncer drain`` of ``case`` on its own sandbox, with or without the burst."""
    settings = SandboxSettings(
        port=0, rate_limit=None, latency_ms=case.latency_ms, jitter_ms=case.jitter_ms
    )
    with serve_in_thread(settings) as sandbox:
        for index, email in enumerate(EMAILS):
            sandbox.add_user(f"Engineer {index}", email)
        env = workdir(sandbox, folder, case.shifts)
        # Setting the limit starts a fresh window: the set-up's requests do not count.
        sandbox.update_settings(rate_limit=case.rate_limit)
        sandbox.clear_requests()
        if burst:
            sandbox.fail_next(
                429, method="POST", path="/v1/pages", times=BURST, retry_after=RETRY_AFTER
            )
        started = time.perf_counter()
        try:
            code: int | None = subprocess.run(
                [SYNCER, "-q", "drain"], env=env, capture_output=True, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            code = None
        wall = time.perf_counter() - started
        log = [e for e in sandbox.requests() if e["path"].startswith("/v1/")]
    return traffic(log, wall, code)


@dataclass(frozen=True)
class Row:
    """One line of the printed table."""

    scenario: str
    target: str
    measured: str
    met: str


def pair(case: Case, tmp: Path, timeout: float, *, together: bool) -> list[Row]:
    """The case without and with the burst; rows for both, the target on the second."""
    results: dict[bool, Drain] = {}

    def measure(burst: bool) -> Callable[[], None]:
        def run() -> None:
            folder = tmp / f"{case.name[:5]}-{'burst' if burst else 'clean'}".replace(" ", "")
            folder.mkdir()
            results[burst] = drain(case, burst=burst, folder=folder, timeout=timeout)

        return run

    if together:
        threads = [threading.Thread(target=measure(b)) for b in (False, True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        measure(False)()
        measure(True)()
    return rows_for(case, results[False], results[True])


def rows_for(case: Case, clean: Drain, burst: Drain) -> list[Row]:
    """The context row (no burst) and the target row (with it)."""
    bound = SLACK * (clean.wall + RETRY_AFTER)
    ok = (
        burst.complete(len(case.shifts))
        and clean.complete(len(case.shifts))
        and (burst.wall <= bound)
    )
    return [
        Row(f"{case.name}: no 429", "- (context)", clean.describe(), "-"),
        Row(
            f"{case.name}: {BURST} x 429 (Retry-After {RETRY_AFTER} s) on the first creates",
            f"at most {SLACK} x ({clean.wall:.1f} + {RETRY_AFTER}) = {bound:.1f} s",
            f"{burst.describe()} ({burst.wall / (clean.wall + RETRY_AFTER):.2f}x)",
            "yes" if ok else "NO",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("short", "year", "all"), default="all")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per drain")
    args = parser.parse_args(argv)
    chosen = cases()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.part in ("short", "all"):
            rows += pair(chosen["short"], tmp, args.timeout, together=False)
        if args.part in ("year", "all"):
            rows += pair(chosen["year"], tmp, args.timeout, together=True)
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Measured {dt.date.today()}; wall time of `syncer drain` (process start to exit).\n")
    print("| scenario | target | measured | met |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.scenario} | {row.target} | {row.measured} | {row.met} |")


if __name__ == "__main__":
    main(sys.argv[1:])
