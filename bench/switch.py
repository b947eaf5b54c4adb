"""The switch itself: syncer takes over the databases and the SQLite file the app's sync kept.

Run: ``.venv/bin/python -m bench.switch --out FILE``; ``make bench`` runs it through
``bench.run_all`` beside the comparison.

1. The app's sync (:class:`bench.app_tool.App`) fills its CALENDAR and PAST CALENDAR with a
   year of history and the next 14 days, in two weekly runs (a week ago, then today), so that
   last week went the app's way: copied into PAST, the original archived. That is setup: no
   latency, no rate limit and no pauses (the comparison measures the app's own cost).
2. The sandbox then answers at 250 ± 50 ms with the rate limit (180/60 s per token), and syncer
   takes over through its command line, as a user would: ``syncer db upgrade`` on the app's
   SQLite file, ``syncer notion adopt --dry-run``, ``syncer notion adopt`` (its stdout, the
   ``syncer.toml`` lines the databases now need, appended to the config), ``syncer drain``,
   and ``syncer plan --detailed-exitcode``.
3. The check: exactly one live page per shift, each in the database its date belongs to; every
   live page one the app left (no page created); and the plan exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench.app_tool import App
from bench.harness import (
    TODAY,
    Layout,
    Placement,
    Row,
    Step,
    check_state,
    ids_of,
    live_pages,
    metered,
    sandbox_for,
    token,
    traffic,
    weekday_rows,
)
from syncer.core.projection import week_start
from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.settings import RateLimit

SYNCER = str(Path(sys.executable).with_name("syncer"))
ENV = "switch"
TOKEN_VARIABLE = "BENCH_SWITCH_TOKEN"

Ids = dict[str, frozenset[str]]  # each key's live page ids


def schedule(history_weeks: int, window_days: int) -> list[Row]:
    """History before this Monday, then this week's days and the next ``window_days``."""
    monday = week_start(TODAY)
    history = weekday_rows(monday - dt.timedelta(weeks=history_weeks), end=monday)
    return history + weekday_rows(monday, end=TODAY + dt.timedelta(days=window_days))


def fill(app: App, rows: list[Row]) -> None:
    """The app's runs of a week ago and of today, on the whole schedule."""
    app.write(rows)
    app.today = TODAY - dt.timedelta(days=7)
    app.run("drain")
    app.today = TODAY
    app.run("drain")


@dataclass
class Workdir:
    """The files syncer is run on, and how to run it."""

    config: Path
    db: Path
    env: dict[str, str]

    def syncer(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [SYNCER, "--config", str(self.config), "--db", str(self.db), "--env", ENV]
        command += ["--today", TODAY.isoformat(), *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True)


def workdir(sandbox: RunningSandbox, app: App, tmp: Path) -> Workdir:
    """A config naming the app's two databases, and the app's own SQLite file."""
    config = tmp / "syncer.toml"
    config.write_text(
        'timezone = "America/Los_Angeles"\n\n'
        f"[environments.{ENV}]\n"
        f'notion_token_env = "{TOKEN_VARIABLE}"\n'
        f'calendar_database_id = "{app.current}"\n'
        f'past_calendar_database_id = "{app.past}"\n'
        f'notion_base_url = "{sandbox.url}"\n'
    )
    env = {**os.environ, TOKEN_VARIABLE: token("syncer", ENV)}
    return Workdir(config, app.db, env)


def cli_step(
    sandbox: RunningSandbox, work: Workdir, label: str, *args: str
) -> tuple[Step, subprocess.CompletedProcess[str]]:
    """One syncer command, measured by its token; a non-zero exit is the step's error."""
    done: list[subprocess.CompletedProcess[str]] = []

    def call() -> str:
        done.append(work.syncer(*args))
        return _tail(done[-1])

    spent = metered(sandbox, token("syncer", ENV), call)
    reads, writes, limited = traffic(spent.entries)
    code = done[0].returncode if done else None
    error = spent.error or ("" if code == 0 else f"exit {code}: {spent.result}")
    step = Step(
        "syncer",
        label,
        0,
        len(spent.entries),
        reads,
        writes,
        limited,
        round(spent.wall_s, 2),
        None,
        spent.result,
        error,
    )
    return step, done[0]


def _tail(done: subprocess.CompletedProcess[str]) -> str:
    """The command's error line when it printed one, else its last line."""
    lines = (done.stderr or done.stdout).strip().splitlines()
    errors = [line for line in lines if line.lower().startswith(("error", "usage"))]
    return (errors or lines or [""])[-1][-200:]


def layout_after(config: Path) -> Layout:
    """Where syncer keeps date, rotation and engineer email, from the config adopt completed."""
    try:
        names = tomllib.loads(config.read_text()).get("properties", {})
    except tomllib.TOMLDecodeError:  # adopt printed something else: syncer's runs said so
        names = {}
    return Layout(
        key=None,
        email=names.get("final_email", "Final Engineer Email"),
        date=names.get("date", "Date"),
        rotation=names.get("rotation", "Rotation"),
    )


def verdict(sandbox: RunningSandbox, app: App, layout: Layout, left: Ids) -> dict[str, Any]:
    """One page per shift, each where its date belongs, and only pages the app left."""
    placement = Placement(app.past, week_start(TODAY))
    right, problems = check_state(
        sandbox, app.database_ids, layout, app.schedule, placement=placement
    )
    problems = "; ".join(p for p in problems.split("; ") if p and "wrong" not in p)
    pages = live_pages(sandbox, app.database_ids, layout)
    alive = {page.id for found in pages.values() for page in found}
    ours = {page_id for ids in left.values() for page_id in ids}
    return {
        "one_page_per_shift": not problems,
        "values_right": right,
        "created": len(alive - ours),
        "trashed": len(ours - alive),
        "problems": problems,
    }


def take_over(sandbox: RunningSandbox, work: Workdir, shifts: int) -> tuple[list[Step], str, int]:
    """adopt --dry-run, adopt (its stdout appended to the config), drain, plan: the steps,
    what adopt printed, and the plan's exit code."""
    steps = []
    for label, args in (("notion adopt --dry-run", ("--dry-run",)), ("notion adopt", ())):
        step, done = cli_step(sandbox, work, label, "notion", "adopt", *args)
        steps.append(replace(step, size=shifts))
    if done.returncode == 0:
        with work.config.open("a") as config:
            config.write("\n" + done.stdout)
    step, _ = cli_step(sandbox, work, "drain", "drain")
    steps.append(replace(step, size=shifts))
    step, plan = cli_step(sandbox, work, "plan --detailed-exitcode", "plan", "--detailed-exitcode")
    steps.append(replace(step, size=shifts, correct=plan.returncode == 0))
    return steps, done.stdout, plan.returncode


def handed_over(sandbox: RunningSandbox, tmp: Path, rows: list[Row]) -> tuple[App, Workdir, Ids]:
    """The app's databases filled and its file upgraded for syncer; the page ids it left."""
    app = App(sandbox, tmp, ENV, paced=False)
    try:
        fill(app, rows)
        left = ids_of(app.live())
    finally:
        app.close()
    work = workdir(sandbox, app, tmp)
    upgraded = work.syncer("db", "upgrade")
    if upgraded.returncode != 0:
        raise RuntimeError(f"syncer db upgrade failed: {_tail(upgraded)}")
    return app, work, left


def switch(
    sandbox: RunningSandbox, tmp: Path, rows: list[Row], measured: dict[str, Any]
) -> dict[str, Any]:
    """Fill with the app, hand over to syncer under ``measured`` sandbox settings, check.

    Returns:
        The report: the steps (one per command) and the outcome.
    """
    report: dict[str, Any] = {"shifts": len(rows), "steps": []}
    app, work, left = handed_over(sandbox, tmp, rows)
    report["app_pages"] = sum(len(ids) for ids in left.values())
    report["app_duplicates"] = sum(1 for ids in left.values() if len(ids) > 1)
    sandbox.update_settings(**measured)
    steps, report["adopt_stdout"], plan_exit = take_over(sandbox, work, len(rows))
    outcome = verdict(sandbox, app, layout_after(work.config), left)
    outcome["plan_exit"] = plan_exit
    ended_right = outcome["one_page_per_shift"] and outcome["created"] == 0
    outcome["right"] = ended_right and plan_exit == 0
    steps[2] = replace(steps[2], correct=ended_right, detail=outcome["problems"] or steps[2].detail)
    report["outcome"] = outcome
    report["steps"] = [asdict(s) for s in steps]
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--history-weeks", type=int, default=52)
    parser.add_argument("--window-days", type=int, default=14)
    parser.add_argument("--latency-ms", type=int, default=250)
    parser.add_argument("--jitter-ms", type=int, default=50)
    parser.add_argument("--rate", default="180/60", help="'none' for no limit")
    args = parser.parse_args(argv)
    rate = None if args.rate == "none" else RateLimit.parse(args.rate)
    measured = {"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms, "rate_limit": rate}
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_for(("app-sync", "syncer"), (ENV,), 0, 0, None) as sandbox,
    ):
        report = switch(
            sandbox, Path(folder), schedule(args.history_weeks, args.window_days), measured
        )
    report.update(
        part="switch",
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        rate_limit=args.rate if rate else None,
        elapsed_s=round(time.perf_counter() - started, 1),
    )
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["outcome"]))
    for step in report["steps"]:
        print(
            f"{step['scenario']:26} {step['requests']:6} req ({step['reads']} r / "
            f"{step['writes']} w) {step['rate_limited']:4} x429 {step['wall_s']:8.1f} s "
            f"{step['error'] or step['detail']}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
