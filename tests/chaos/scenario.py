"""One seeded scenario: a schedule, local and hand edits, faults, kills, then the invariants.

Everything is real: the schedule is a SQLite file written with plain sqlite3 as the upstream app
writes it, ``syncer`` runs as a child process (killed with SIGKILL at random points, sometimes two
at once), and it speaks HTTP to a sandbox serving from a thread of this process. The same seed
makes the same choices (the timing of a kill aside), so a failing seed is replayed with
``python -m tests.chaos --scenarios 1 --seed SEED``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import notion_client

from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings
from syncer.store import upgrade
from tests.chaos.oracle import (
    ROTATIONS,
    Page,
    Person,
    bad_rows,
    differences,
    expected_pages,
    monday,
    sync_key_of,
)
from tests.chaos.webhook import Receiver, webhook_receiver
from tests.support.app_file import APP_DDL
from tests.support.harness import sandbox_databases

TOKEN_VARIABLE = "CHAOS_NOTION_TOKEN"
WEBHOOK_VARIABLE = "CHAOS_ALERT_WEBHOOK"
ENV = "chaos"
REQUEST_TIMEOUT_S = 2.0
RUN_DEADLINE_S = 120.0
PEOPLE = (
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
    ("Peggy Müller", "peggy@exämple.com"),  # an internationalised address (RFC 6531)
)
GHOST = "ghost@example.com"  # scheduled, but has no Notion account
IDN_GHOST = "zoë@bücher.example"  # the same, internationalised in both parts
EMAILS = (*(email for _, email in PEOPLE), GHOST, IDN_GHOST)
NOT_UTF8 = b"ada\xff@example.com"  # a schedule row whose text SQLite holds but cannot decode
STATUSES = (409, 429, 500, 502, 503, 504, 529)
ENDPOINTS = (
    ("POST", "/v1/pages"),
    ("PATCH", "/v1/pages/*"),
    ("POST", "/v1/pages/*/move"),
    ("GET", "/v1/pages/*"),
    ("POST", "/v1/data_sources/*/query"),
    ("GET", "/v1/data_sources/*"),
    ("GET", "/v1/databases/*"),
    ("GET", "/v1/users"),
    ("GET", "/v1/users/*"),
)
WRITES = ENDPOINTS[:3]
REFUSALS = (400, 401, 403, 404)  # answers after which a write certainly did not land
WRITE_ACTIONS = ("create", "update", "trash", "restore", "move")  # audit rows of Notion writes
# Weeks whose turn crosses a clock change in Europe/London (29 March and 25 October 2026).
DST_MONDAYS = tuple(
    dt.date(2026, month, day) for month, day in ((3, 16), (3, 23), (10, 12), (10, 19))
)


EVIDENCE = Path(tempfile.gettempdir()) / "syncer-chaos"


def _keep_evidence(seed: int, folder: Path, sandbox: RunningSandbox) -> None:
    """A failing scenario's schedule file, runs' output, sandbox dump and request log (tokens
    replaced by the integration's name), kept under EVIDENCE/seed-N for a closer look."""
    target = EVIDENCE / f"seed-{seed}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    names = {i["token"]: i["name"] for i in sandbox.info()["integrations"]}
    log = [{**r, "token": names.get(r["token"], "other")} for r in sandbox.requests()]
    (target / "requests.json").write_text(json.dumps(log, indent=1))
    (target / "dump.json").write_text(json.dumps(sandbox.dump(), indent=1))


def replay_command(seed: int) -> str:
    """The one command that replays a scenario."""
    return f"python -m tests.chaos --scenarios 1 --seed {seed}"


@dataclass
class Result:
    """What one scenario did and found."""

    seed: int
    violations: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    concurrent: int = 0
    runs: int = 0
    children: int = 0  # runs as child processes (the rest ran in the runner's process)
    alerts: int = 0
    hand_edits: Counter[str] = field(default_factory=Counter)
    local_edits: Counter[str] = field(default_factory=Counter)
    weeks: int = 0
    dst: bool = False
    seconds: float = 0.0
    locks: int = 0  # drains during which another connection held the file BEGIN EXCLUSIVE
    long_locks: int = 0  # ... for longer than syncer's busy timeout
    resets: int = 0  # the app's reset task: both schedule tables dropped and re-created
    second_files: int = 0  # runs of another schedule file pointed at the same databases

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "violations": self.violations,
            "faults": dict(self.faults),
            "kills": self.kills,
            "concurrent": self.concurrent,
            "runs": self.runs,
            "children": self.children,
            "alerts": self.alerts,
            "hand_edits": dict(self.hand_edits),
            "local_edits": dict(self.local_edits),
            "weeks": self.weeks,
            "dst": self.dst,
            "seconds": self.seconds,
            "locks": self.locks,
            "long_locks": self.long_locks,
            "resets": self.resets,
            "second_files": self.second_files,
        }


def run_scenario(seed: int, sabotage: Callable[[Scenario], None] | None = None) -> Result:
    """Run one scenario in a fresh sandbox and temporary folder; never raises.

    ``sabotage`` (for the oracle's own tests) does something wrong just before the checks.
    """
    result = Result(seed)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix=f"chaos-{seed}-") as folder:
            settings = SandboxSettings(rate_limit=None, exact_timestamps=True)
            with serve_in_thread(settings) as sandbox, webhook_receiver() as hook:
                scenario = Scenario(seed, Path(folder), sandbox, hook, result)
                scenario.sabotage = sabotage
                try:
                    scenario.play()
                finally:
                    scenario.human.close()
                if result.violations:
                    _keep_evidence(seed, Path(folder), sandbox)
    except Exception as exc:  # a crash of the runner is a violation, with its traceback
        result.violations.append(
            f"the scenario runner crashed ({type(exc).__name__}: {exc}):\n" + traceback.format_exc()
        )
    result.seconds = round(time.monotonic() - started, 2)
    return result


@dataclass
class Ran:
    """A finished child process: exit code, standard output, and both streams for messages."""

    code: int
    stdout: str
    output: str
    killed: bool = False


class Scenario:
    """The moves of one scenario (see the module docstring)."""

    def __init__(
        self, seed: int, folder: Path, sandbox: RunningSandbox, hook: Receiver, result: Result
    ) -> None:
        self.rng = random.Random(seed)
        self.hook = hook
        self.outputs: list[str] = []  # what the runs in this process printed
        self.seed = seed
        self.folder = folder
        self.sandbox = sandbox
        self.result = result
        self.db = folder / "oncall.db"
        self.config = folder / "syncer.toml"
        self.frozen: dict[str, Page] = {}  # PAST CALENDAR pages as their week ended
        self.loose: set[str] = set()  # keys with a bad row when their week ended: never held
        self.people: dict[str, Person] = {}
        self.delayed_creates = False  # a create held past the timeout may land as a duplicate
        # A fresh connection for every hand edit: a kept-alive one can be closed by the server's
        # idle time-out at the very moment the next edit goes out on it, and the edit then fails
        # with "connection reset by peer" (a person would just click again; the script can't).
        self.human = notion_client.Client(
            auth=sandbox.human_token,
            base_url=sandbox.url,
            timeout_ms=10_000,
            client=httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)),
        )
        self.syncer_bot = next(
            i["bot_id"] for i in sandbox.info()["integrations"] if i["name"] == "syncer"
        )
        self.log = folder / "runs.log"
        self.calls = 0
        self.sabotage: Callable[[Scenario], None] | None = None

    # -- the story --------------------------------------------------------------------------

    def play(self) -> None:
        rng = self.rng
        for name, email in PEOPLE:
            user = self.sandbox.add_user(name, email)
            self.people[email] = Person(user["id"], name)
        created = sandbox_databases(self.sandbox)
        self._write_config(created.calendar_database_id, created.past_calendar_database_id)
        upgrade(self.db)
        self.sources = self._sources()

        turns = rng.randint(1, 2)
        self.result.weeks = turns + 1
        start = rng.choice(DST_MONDAYS) if rng.random() < 0.4 else self._random_monday()
        self.result.dst = any(start <= d < start + dt.timedelta(weeks=turns + 1) for d in _CHANGES)
        today = start + dt.timedelta(days=rng.randint(0, 6))
        self.horizon = monday(today) + dt.timedelta(weeks=turns + 2) - dt.timedelta(days=1)
        self._initial_schedule(monday(today) - dt.timedelta(weeks=1), self.horizon)

        for turn in range(turns + 1):
            for _ in range(rng.randint(1, 2)):
                self._faulty_round(today)
            self._checkpoint(today)
            if rng.random() < 0.3:
                self._second_file(today)
            if turn == turns:
                break
            next_today = monday(today) + dt.timedelta(weeks=1, days=rng.randint(0, 6))
            self._freeze(next_today)
            self._late_history_edits(today)
            self._hand_moves(today, ending=True)
            today = next_today
        if self.sabotage is not None:
            self.sabotage(self)
        self._final_checks(today)
        self._check_secrets()

    def _random_monday(self) -> dt.date:
        return monday(dt.date(2026, 1, 5) + dt.timedelta(days=self.rng.randint(0, 300)))

    def _write_config(self, calendar: str, past: str) -> None:
        concurrency = self.rng.choice((1, 2, 4))
        self.config.write_text(
            f"""
timezone = "Europe/London"
request_timeout = {REQUEST_TIMEOUT_S}

[retry]
waits = [0, 0.2, 0.5]

[budget]
requests = 100000
per_seconds = 1
concurrency = {concurrency}

[alerts]
webhook_url_env = "{WEBHOOK_VARIABLE}"

[environments.{ENV}]
notion_token_env = "{TOKEN_VARIABLE}"
calendar_database_id = "{calendar}"
past_calendar_database_id = "{past}"
notion_base_url = "{self.sandbox.url}"
"""
        )

    def _sources(self) -> dict[str, str]:
        """Data source id -> "calendar" or "past"."""
        found = {}
        for source in self.sandbox.dump()["data_sources"]:
            title = "".join(t["plain_text"] for t in source["title"])
            found[source["id"]] = "past" if title == "PAST CALENDAR" else "calendar"
        return found

    # -- the upstream app's writes -------------------------------------------------------------

    def _sql(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        conn = sqlite3.connect(self.db, timeout=30)
        try:
            with conn:
                for sql, params in statements:
                    conn.execute(sql, params)
        finally:
            conn.close()

    def _email(self) -> str:
        return self.rng.choice(EMAILS)

    def _window(self, first: dt.date, last: dt.date) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        day = first
        while day <= last:
            if day.weekday() < 5:
                rows.extend((day.isoformat(), rot, self._email()) for rot in ROTATIONS)
            day += dt.timedelta(days=1)
        return rows

    def _initial_schedule(self, first: dt.date, last: dt.date) -> None:
        insert = "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)"
        self._sql([(insert, row) for row in self._window(first, last)])

    def _schedule_ids(self, first: dt.date, last: dt.date) -> list[tuple[int, str, str]]:
        conn = sqlite3.connect(self.db)
        try:
            return list(
                conn.execute(
                    "SELECT id, date, rotation FROM oncall_schedule WHERE date BETWEEN ? AND ?",
                    (first.isoformat(), last.isoformat()),
                )
            )
        finally:
            conn.close()

    def _local_edits(
        self, first: dt.date, last: dt.date, *, history: bool = False
    ) -> list[tuple[str, str]]:
        """Random writes to rows dated ``first``..``last`` (``history``: no key comes or goes).

        Returns the (date, rotation) of the rows it changed in place.
        """
        rng = self.rng
        touched: list[tuple[str, str]] = []
        kinds = ["update", "replace", "upsert_override", "replace_override", "delete_override"]
        if not history:
            kinds += ["insert", "delete", "regenerate", "not_utf8"]
        for _ in range(rng.randint(1, 4)):
            rows = self._schedule_ids(first, last)
            kind = rng.choice(kinds)
            self.result.local_edits[kind] += 1
            if kind in ("insert", "not_utf8") or not rows:
                if history:
                    continue
                day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                taken = {(d, r) for _, d, r in rows}
                free = [r for r in ROTATIONS if (day.isoformat(), r) not in taken]
                if free:
                    # A bad row: its email's bytes are not UTF-8 (SQLite keeps them as TEXT).
                    email = NOT_UTF8 if kind == "not_utf8" else self._email()
                    self._sql(
                        [
                            (
                                "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
                                "VALUES (?, ?, CAST(? AS TEXT))",
                                (day.isoformat(), rng.choice(free), email),
                            )
                        ]
                    )
                continue
            row_id, date, rotation = rng.choice(rows)
            touched.append((date, rotation))
            if kind == "update":
                self._sql(
                    [
                        (
                            "UPDATE oncall_schedule SET engineer_email = ? WHERE id = ?",
                            (self._email(), row_id),
                        )
                    ]
                )
            elif kind == "replace":
                self._sql(
                    [
                        (
                            "INSERT OR REPLACE INTO oncall_schedule "
                            "(id, date, rotation, engineer_email) VALUES (?, ?, ?, ?)",
                            (row_id, date, rotation, self._email()),
                        )
                    ]
                )
            elif kind == "delete":
                self._sql([("DELETE FROM oncall_schedule WHERE id = ?", (row_id,))])
            elif kind == "upsert_override":
                self._sql(
                    [
                        (
                            "INSERT INTO oncall_schedule_overrides (date, rotation, "
                            "engineer_email) VALUES (?, ?, ?) ON CONFLICT (date, rotation) "
                            "DO UPDATE SET engineer_email = excluded.engineer_email",
                            (date, rotation, self._email()),
                        )
                    ]
                )
            elif kind == "replace_override":
                self._sql(
                    [
                        (
                            "INSERT OR REPLACE INTO oncall_schedule_overrides "
                            "(date, rotation, engineer_email) VALUES (?, ?, ?)",
                            (date, rotation, self._email()),
                        )
                    ]
                )
            elif kind == "delete_override":
                self._sql(
                    [
                        (
                            "DELETE FROM oncall_schedule_overrides WHERE date = ? AND rotation = ?",
                            (date, rotation),
                        )
                    ]
                )
            else:  # regenerate a window, in one transaction, as the app does
                start = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                statements: list[tuple[str, tuple[object, ...]]] = [
                    (
                        "DELETE FROM oncall_schedule WHERE date >= ? AND date <= ?",
                        (start.isoformat(), last.isoformat()),
                    )
                ]
                statements += [
                    (
                        "INSERT INTO oncall_schedule (date, rotation, engineer_email) "
                        "VALUES (?, ?, ?)",
                        row,
                    )
                    for row in self._window(start, last)
                ]
                self._sql(statements)
        return touched

    # -- a person editing Notion ---------------------------------------------------------------

    def _live_pages(self, database: str | None = None) -> list[dict[str, Any]]:
        pages = []
        for page in self.sandbox.dump()["pages"]:
            parent = page.get("parent", {}).get("data_source_id")
            where = self.sources.get(parent or "")
            if where is None or page.get("in_trash") or sync_key_of(page) is None:
                continue
            if database is None or where == database:
                pages.append(page)
        return pages

    def _hand_moves(self, today: dt.date, *, ending: bool = False) -> None:
        """Hand edits, trashes and duplicates, made with the second token (no faults armed)."""
        rng = self.rng
        this_week = monday(today)
        for _ in range(rng.randint(0, 3)):
            calendar = [
                p
                for p in self._live_pages("calendar")
                if _date_of(p) >= this_week
                and (not ending or _date_of(p) < this_week + dt.timedelta(weeks=1))
            ]
            past = self._live_pages("past")
            choices = ["trash_past"] if past else []
            if calendar:
                choices += ["trash", "duplicate", "edit"]
            if not choices:
                return
            kind = rng.choice(choices)
            # An edit after the week's last reconcile, just before its pages move: the move
            # must not carry it into history ("frozen hand edits").
            self.result.hand_edits["edit_frozen" if ending and kind == "edit" else kind] += 1
            if kind == "trash_past":
                self.human.pages.update(rng.choice(past)["id"], in_trash=True)
                continue
            page = rng.choice(calendar)
            if kind == "trash":
                self.human.pages.update(page["id"], in_trash=True)
            elif kind == "edit":
                self.human.pages.update(
                    page["id"],
                    properties={
                        "Name": {"title": [{"text": {"content": "edited by hand"}}]},
                        "Final Engineer Email": {
                            "rich_text": [{"text": {"content": "someone@example.com"}}]
                        },
                    },
                )
            else:  # Notion's "Duplicate": every value copied, the title marked
                self.human.pages.create(
                    parent={"data_source_id": page["parent"]["data_source_id"]},
                    properties=_writable(page["properties"]),
                )

    # -- faults --------------------------------------------------------------------------------

    def _arm_faults(self) -> list[tuple[dict[str, Any], str]]:
        rng = self.rng
        armed = []
        for _ in range(rng.randint(1, 5)):
            method, path = rng.choice(WRITES if rng.random() < 0.6 else ENDPOINTS)
            kind = rng.choice(("status", "status", "apply_then_fail", "apply_then_drop", "delay"))
            rule: dict[str, Any] = {
                "kind": kind,
                "method": method,
                "path": path,
                "times": rng.randint(1, 3),
                "probability": rng.choice((1.0, 0.5)),
            }
            if kind in ("status", "apply_then_fail"):
                rule["status"] = rng.choice(STATUSES)
                if rule["status"] in (429, 529):
                    rule["retry_after"] = rng.choice((0, 1))
                if kind == "apply_then_fail" and path == "/v1/pages" and rng.random() < 0.3:
                    rule["committed_resource_id"] = True
                label = f"{kind} {rule['status']}"
            elif kind == "delay":
                late = rng.random() < 0.5
                rule["delay_ms"] = rng.randint(2300, 2800) if late else rng.randint(50, 600)
                label = "delay past the timeout" if late else "delay"
            else:
                label = kind
            added = self.sandbox.add_fault(rule)
            armed.append((added, label))
        return armed

    def _count_fired(self, armed: list[tuple[dict[str, Any], str]]) -> bool:
        """Add the faults that fired to the tally; whether a late create may still land."""
        remaining = {rule["id"]: rule for rule in self.sandbox.fault_rules()}
        late_create = False
        for rule, label in armed:
            left = remaining.get(rule["id"])
            fired = left["fired"] if left else rule["times"]
            if fired:
                self.result.faults[label] += fired
                # A held create lands late if the client gave up (timeout) or was killed.
                if rule["kind"] == "delay" and rule["path"] == "/v1/pages":
                    late_create = True
        self.sandbox.clear_faults()
        return late_create

    # -- running syncer ------------------------------------------------------------------------

    def _command(self, today: dt.date, *args: str, db: Path | None = None) -> list[str]:
        exe = str(Path(sys.executable).with_name("syncer"))
        return [
            exe,
            *("--db", str(db or self.db), "--config", str(self.config), "--env", ENV),
            *("--log-file", str(self.folder / "syncer.log")),
            *("--today", today.isoformat(), *args),
        ]

    def _start(self, today: dt.date, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        self.calls += 1
        out = self.folder / f"call-{self.calls}"
        env = {**os.environ, **self._variables()}
        with out.with_suffix(".out").open("wb") as sink, out.with_suffix(".err").open("wb") as err:
            child = subprocess.Popen(self._command(today, *args), env=env, stdout=sink, stderr=err)
        self.result.runs += 1
        self.result.children += 1
        return child, out

    def _finish(self, child: subprocess.Popen[bytes], out: Path, *, killed: bool = False) -> Ran:
        begun = time.monotonic()
        try:
            code = child.wait(timeout=RUN_DEADLINE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            what = " ".join(str(arg) for arg in list(child.args)[9:])  # type: ignore[arg-type]
            self.result.violations.append(f"`syncer {what}` hung for {RUN_DEADLINE_S:.0f} s")
            code = -9
        if os.environ.get("CHAOS_DEBUG"):
            print(f"  exit {code} after {time.monotonic() - begun:.2f} s")
        stdout = out.with_suffix(".out").read_text(errors="replace")
        stderr = out.with_suffix(".err").read_text(errors="replace")
        return Ran(code, stdout, stdout + stderr, killed)

    def _run_here(self, today: dt.date, *args: str, db: Path | None = None) -> Ran:
        """The same CLI called in this process: the clean runs and checks, without a start-up."""
        from click.testing import CliRunner

        from syncer.cli import main

        command = self._command(today, *args, db=db)[1:]
        ran = CliRunner().invoke(main, command, env=self._variables())
        self.result.runs += 1
        output = ran.stdout + ran.stderr
        if ran.exception is not None and not isinstance(ran.exception, SystemExit):
            output += "".join(traceback.format_exception(ran.exception))
        self.outputs.append(output)
        return Ran(ran.exit_code, ran.stdout, output)

    def _variables(self) -> dict[str, str]:
        return {
            TOKEN_VARIABLE: self.sandbox.syncer_token,
            WEBHOOK_VARIABLE: self.hook.url,
            "NO_COLOR": "1",
        }

    def _expect_in_sync(self, today: dt.date, when: str) -> None:
        """`plan --detailed-exitcode` exits 0; 2 only while a bad row keeps its shift out of
        Notion, and then every planned action is a skip."""
        what = f"plan --detailed-exitcode {when}"
        codes = (0, 2) if bad_rows(self.db) else (0,)
        if not self._expect_ok(self._run_here(today, "plan", "--detailed-exitcode"), what, codes):
            return
        planned = json.loads(self._run_here(today, "--json", "plan").stdout)
        drift = [a for a in planned["actions"] if a["action"] != "skip"]
        if drift:
            self.result.violations.append(f"{what}: drift {drift[:3]}")

    def _expect_ok(self, ran: Ran, what: str, codes: tuple[int, ...] = (0,)) -> bool:
        if ran.code in codes:
            return True
        tail = "\n".join(ran.output.strip().splitlines()[-8:])
        self.result.violations.append(f"{what} exited {ran.code}:\n{tail}")
        return False

    def _kill_after(self, child: subprocess.Popen[bytes], out: Path) -> Ran:
        time.sleep(self.rng.uniform(0.05, 1.5))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            self.result.kills += 1
            return self._finish(child, out, killed=True)  # its lease: void, it no longer runs
        return self._finish(child, out)

    def _faulty_round(self, today: dt.date) -> None:
        rng = self.rng
        self._hand_moves(today)
        if rng.random() < 0.12:
            self._app_reset(today)
        self._local_edits(monday(today), self.horizon)
        armed = self._arm_faults()
        mode = rng.choices(("plain", "kill", "pair", "reconcile", "locked"), (5, 3, 1, 1, 1))[0]
        if os.environ.get("CHAOS_DEBUG"):
            print("round", today, mode, [label for _, label in armed])
        dup_check = False
        if mode == "plain":  # the same CLI in this process: a child's start-up buys nothing here
            ran = self._run_here(today, "drain")
            dup_check = ran.code == 0
        elif mode == "reconcile":
            self._run_here(today, "reconcile")
        elif mode == "kill":
            child, out = self._start(today, "drain")
            self._kill_after(child, out)
        elif mode == "locked":
            self._locked_drain(today)
        else:
            self.result.concurrent += 1
            first = self._start(today, "drain")
            second = self._start(today, "drain")
            for child, out in (first, second):
                self._finish(child, out)
        self._settle()
        if self._count_fired(armed):
            self.delayed_creates = True
        # A create that landed after the client gave up is found by the first drain after twice
        # the request timeout, or by a reconcile, not by the drain that sent it. So once one
        # may have landed, duplicates are checked after the clean runs, not after each drain.
        if dup_check and not self.delayed_creates:
            self._check_no_duplicates("a drain that exited 0")
            if os.environ.get("CHAOS_DEBUG") and self.result.violations:
                print(ran.output[-3000:])
                for rule, label in armed:
                    print("  armed", label, rule["method"], rule["path"])

    def _app_reset(self, today: dt.date) -> None:
        """The app's ``reset_schedule`` task: ``DROP TABLE`` both schedule tables (syncer's
        triggers go with them, and row ids start again), its migrations' DDL, then its seed:
        every row put back (their bytes copied inside SQLite, in another order), and, written
        before any drain sees capture off, a few shifts from this week on reassigned and up
        to two gone. Weeks already over keep their rows (history is not re-seeded)."""
        rng = self.rng
        self.result.resets += 1
        if os.environ.get("CHAOS_DEBUG"):
            print("app reset", today)
        cut = monday(today).isoformat()
        conn = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        try:
            for table in ("oncall_schedule", "oncall_schedule_overrides"):
                conn.execute(
                    f"CREATE TEMP TABLE keep_{table} AS "
                    f"SELECT date, rotation, engineer_email FROM {table}"
                )
            conn.execute("DROP TABLE IF EXISTS oncall_schedule_overrides")
            conn.execute("DROP TABLE IF EXISTS oncall_schedule")
            conn.executescript(APP_DDL)
            for table in ("oncall_schedule", "oncall_schedule_overrides"):
                kept = [row[0] for row in conn.execute(f"SELECT rowid FROM keep_{table}")]
                rng.shuffle(kept)
                for rowid in kept:
                    conn.execute(
                        f"INSERT INTO {table} (date, rotation, engineer_email) "
                        f"SELECT date, rotation, engineer_email FROM keep_{table} WHERE rowid = ?",
                        (rowid,),
                    )
            current = [
                row[0]
                for row in conn.execute("SELECT id FROM oncall_schedule WHERE date >= ?", (cut,))
            ]
            for row_id in rng.sample(current, min(len(current), rng.randint(0, 4))):
                conn.execute(
                    "UPDATE oncall_schedule SET engineer_email = ? WHERE id = ?",
                    (self._email(), row_id),
                )
            for row_id in rng.sample(current, min(len(current), rng.randint(0, 2))):
                conn.execute("DELETE FROM oncall_schedule WHERE id = ?", (row_id,))
        finally:
            conn.close()

    def _second_file(self, today: dt.date) -> None:
        """Another schedule file (a laptop's copy of the config, another checkout) pointed at
        the same databases, holding a schedule of its own: each of its runs that would write
        is refused before any write (exit 2, ``claimed_elsewhere``), and Notion is exactly as
        it was. A ``plan`` (which writes nothing) may still read."""
        self.result.second_files += 1
        laptop = self.folder / "laptop.db"
        if not laptop.exists():
            upgrade(laptop)
            conn = sqlite3.connect(laptop)
            with conn:  # a few shifts of its own, some where this file has others
                conn.executemany(
                    "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
                    self._window(monday(today), monday(today) + dt.timedelta(days=2)),
                )
            conn.close()
        before = self._notion_state()
        for command in self.rng.sample((("reconcile",), ("drain",), ("resync",)), 2):
            ran = self._run_here(today, "--json", *command, db=laptop)
            what = f"`{' '.join(command)}` of a second schedule file"
            if ran.code != 2 or '"claimed_elsewhere"' not in ran.stdout:
                self.result.violations.append(
                    f"{what} exited {ran.code}, not 2 claimed_elsewhere:\n{ran.output[-2000:]}"
                )
        if self._notion_state() != before:
            self.result.violations.append("a second schedule file's refused runs changed Notion")

    def _notion_state(self) -> dict[str, Any]:
        """Every page, live or trashed, with its values, and every database's description:
        what a refused run must leave alone."""
        dump = self.sandbox.dump()
        return {
            "pages": {page["id"]: (page["in_trash"], page["properties"]) for page in dump["pages"]},
            "databases": {db["id"]: db.get("description") for db in dump["databases"]},
        }

    def _locked_drain(self, today: dt.date) -> None:
        """A drain while another connection holds the file ``BEGIN EXCLUSIVE`` for a while
        (now and then longer than syncer's busy timeout of 10 s). The drain must end on its
        own, and every outcome Notion gave must be in the audit log once it has: no row of its
        own left ``unknown`` (the end's checks then hold every write to an audit row)."""
        rng = self.rng
        before = self._unknown_rows(today)
        child, out = self._start(today, "drain")
        time.sleep(rng.uniform(0.05, 1.0))
        long = rng.random() < 0.25
        hold = rng.uniform(10.5, 11.5) if long else rng.uniform(0.2, 3.0)
        holder = sqlite3.connect(self.db, timeout=60, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")  # waits for a write of the drain's in progress
            self.result.locks += 1
            self.result.long_locks += long
            time.sleep(hold)
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        ran = self._finish(child, out)
        if os.environ.get("CHAOS_DEBUG"):
            print(f"  locked {hold:.1f} s: exit {ran.code}")
        if "Traceback" in ran.output:
            self.result.violations.append(f"the drain under a held lock crashed:\n{ran.output}")
        self._expect_ok(ran, f"a drain while the file was locked {hold:.1f} s", (0, 1))
        left = self._unknown_rows(today) - before
        if left:
            self.result.violations.append(
                f"a drain while the file was locked {hold:.1f} s left audit rows "
                f"{sorted(left)} with no outcome"
            )

    def _unknown_rows(self, today: dt.date) -> set[int]:
        """The ids of audit rows whose outcome is unknown (written ahead of a call)."""
        ran = self._run_here(today, "--json", "audit", "actions", "--status", "unknown")
        if not self._expect_ok(ran, "audit actions --status unknown"):
            return set()
        return {int(row["id"]) for row in json.loads(ran.stdout)}

    def _settle(self) -> None:
        """Wait until the sandbox holds no request: a write a delay fault held past the client's
        time-out lands now (late, perhaps over a newer one), as on Notion it would within its
        own time-out, long before the next run. The clean runs must then repair it."""
        deadline = time.monotonic() + 10
        while self.sandbox.in_flight() and time.monotonic() < deadline:
            time.sleep(0.01)

    def _check_no_duplicates(self, after: str) -> None:
        seen: Counter[str] = Counter()
        for page in self._live_pages():
            if page["created_by"]["id"] == self.syncer_bot:
                seen[sync_key_of(page) or ""] += 1
        for key, count in sorted(seen.items()):
            if count > 1:
                self.result.violations.append(f"{after} left {count} live pages for {key}")

    def _checkpoint(self, today: dt.date) -> None:
        """Faults lifted: a clean drain and reconcile must succeed, but for the bad rows, which
        the reconcile must name (table and row id) and skip, exiting 1."""
        self.sandbox.clear_faults()
        codes = self._codes()
        self._expect_ok(self._run_here(today, "drain"), f"clean drain on {today}", codes)
        ran = self._run_here(today, "--json", "reconcile")
        if self._expect_ok(ran, f"clean reconcile on {today}", codes):
            self._check_bad_rows_reported(ran, f"the clean reconcile on {today}")

    def _codes(self) -> tuple[int, ...]:
        """The exit codes a clean run may end with: 1 too while a row is bad (run partial)."""
        return (0, 1) if bad_rows(self.db) else (0,)

    def _check_bad_rows_reported(self, ran: Ran, what: str) -> None:
        """Every bad row is named by key, table and row id, as not valid UTF-8."""
        reported = {
            (bad["key"], bad["table"], bad["row_id"])
            for run in json.loads(ran.stdout)["runs"]
            for bad in run["bad_rows"]
            if "not valid UTF-8" in bad["reason"]
        }
        for key, rows in sorted(bad_rows(self.db).items()):
            for table, row_id in sorted(rows):
                if (key, table, row_id) not in reported:
                    self.result.violations.append(
                        f"{what} did not report the bad {table} row {row_id} ({key})"
                    )

    def _freeze(self, next_today: dt.date) -> None:
        """The weeks ending now: their pages must keep what they hold now."""
        cut = monday(next_today)
        for key, page in expected_pages(self.db, self.people).items():
            if dt.date.fromisoformat(key[:10]) < cut and key not in self.frozen:
                self.frozen[key] = page
        self.loose |= {
            key
            for key in bad_rows(self.db)
            if dt.date.fromisoformat(key[:10]) < cut and key not in self.frozen
        }

    def _late_history_edits(self, today: dt.date) -> None:
        """Edits to rows of weeks already over: never pushed to PAST CALENDAR."""
        if self.rng.random() < 0.6:
            first = monday(today) - dt.timedelta(weeks=1)
            touched = self._local_edits(first, monday(today) - dt.timedelta(days=1), history=True)
            # ...and sometimes a person trashes such a page: a restore must not push the edit.
            keys = {f"{date}/{rotation}" for date, rotation in touched}
            pages = [p for p in self._live_pages("past") if sync_key_of(p) in keys]
            if pages and self.rng.random() < 0.5:
                self.result.hand_edits["trash_past_edited"] += 1
                self.human.pages.update(self.rng.choice(pages)["id"], in_trash=True)

    # -- the invariants --------------------------------------------------------------------------

    def _final_checks(self, today: dt.date) -> None:
        violations = self.result.violations
        self._expect_in_sync(today, "after the clean runs")
        self._check_pages(today)
        audit = self._run_here(today, "--json", "audit", "actions")
        if not self._expect_ok(audit, "audit actions"):
            return
        actions = json.loads(audit.stdout)
        self._check_audit(actions)
        self._check_lock(actions)
        if self.rng.random() < 0.3 and not violations:
            self._check_rollback(today, actions)

    def _check_pages(self, today: dt.date) -> None:
        cut = monday(today)
        want: dict[str, tuple[str, Page]] = {}
        for key, page in expected_pages(self.db, self.people).items():
            if dt.date.fromisoformat(key[:10]) >= cut:
                want[key] = ("calendar", page)
        for key, page in self.frozen.items():
            want[key] = ("past", page)
        live: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for listed in self._live_pages():
            database = self.sources[listed["parent"]["data_source_id"]]
            live.setdefault(sync_key_of(listed) or "", []).append((database, listed))
        violations = self.result.violations
        # A bad row's key: syncer leaves its page alone, whatever it holds; one at most.
        loose = set(bad_rows(self.db)) | self.loose
        for key in sorted(set(want) | set(live)):
            found = live.get(key, [])
            if key in loose:
                if len(found) > 1:
                    violations.append(f"{key} (a bad row's): {len(found)} live pages")
                continue
            if key not in want:
                violations.append(f"{key}: {len(found)} live page(s), none expected")
                continue
            database, page = want[key]
            if len(found) != 1:
                violations.append(f"{key}: {len(found)} live pages, expected one in {database}")
                continue
            where, seen = found[0]
            if where != database:
                violations.append(f"{key}: in {where}, expected in {database}")
            violations.extend(f"{database}: {d}" for d in differences(seen, page))

    def _check_audit(self, actions: list[dict[str, Any]]) -> None:
        """Every page syncer made or changed has an audit row; none claims what did not happen."""
        violations = self.result.violations
        pages = {_bare(p["id"]): p for p in self.sandbox.dump()["pages"]}
        applied = sorted((a for a in actions if a["status"] == "applied"), key=lambda a: a["id"])
        last: dict[str, dict[str, Any]] = {}
        for action in applied:
            if action["page_id"]:
                last[_bare(action["page_id"])] = action
        makers = {
            _bare(a["page_id"])
            for a in applied
            # adopt: a page a killed run created is found and adopted by the next reconcile
            if a["page_id"] and a["action"] in ("create", "restore", "move", "adopt")
        }
        # Creates whose answer never came (the client timed out, or the run was killed while
        # Notion had the call): their rows say so (failed, outcome unknown, or applied only on
        # a later attempt), naming the key.
        in_doubt = {
            a["key"]
            for a in actions
            if a["action"] in ("create", "restore", "move")
            and (a["status"] in ("failed", "unknown") or a["attempts"] > 1)
        }
        # Found by a later run: any row naming the page (a trash of a late copy that failed
        # after it landed names it too).
        named = {_bare(a["page_id"]) for a in actions if a["page_id"]}
        for page_id, page in pages.items():
            if page["created_by"]["id"] != self.syncer_bot or sync_key_of(page) is None:
                continue
            if page_id not in makers:
                trashed_by_hand = page.get("in_trash") and page["last_edited_by"]["id"] != (
                    self.syncer_bot
                )
                if sync_key_of(page) in in_doubt and (page_id in named or trashed_by_hand):
                    continue  # such a create's page, found by a later run (adopted or trashed),
                    # or trashed by a person before any run could see it
                violations.append(
                    f"page {page_id} ({sync_key_of(page)}) was created with no audit row"
                )
                if os.environ.get("CHAOS_DEBUG"):
                    rows = [a for a in actions if a["key"] == sync_key_of(page)]
                    print(f"  {page_id} {page['created_time']} trashed={page.get('in_trash')}")
                    for a in rows:
                        print(f"    #{a['id']} run {a['run_id']} {a['action']} {a['status']}")
        # Pages whose last write row says its outcome is unknown: it failed without a clear
        # refusal (a time-out, a dropped connection, a 5xx, 409 or 429, after which the write
        # may have landed), or the run died during it. The audit claims no state for them.
        in_question: set[str] = set()
        for action in sorted(actions, key=lambda a: a["id"]):
            if not action["page_id"] or action["action"] not in WRITE_ACTIONS:
                continue
            page_id = _bare(action["page_id"])
            error = action["error"] or ""
            refused = error.startswith("not attempted") or any(
                f"(HTTP {code})" in error for code in REFUSALS
            )
            if action["status"] == "applied":
                in_question.discard(page_id)
            elif action["status"] == "unknown" or not refused:
                in_question.add(page_id)
        for page_id, action in sorted(last.items()):
            page = pages.get(page_id)
            if page is None:
                violations.append(f"audit row {action['id']} names page {page_id}, unknown")
                continue
            if page_id in in_question:
                continue
            after = action["after"] or {}
            where = self.sources.get(page.get("parent", {}).get("data_source_id", ""))
            claims = (after.get("database"), bool(after.get("in_trash")))
            actual = (where, bool(page.get("in_trash")))
            if action["action"] in ("forget", "skip") or not after:
                continue
            if page["last_edited_by"]["id"] != self.syncer_bot:
                continue  # a person changed it last (trashed it by hand, say)
            if claims != actual and os.environ.get("CHAOS_DEBUG"):
                for a in actions:
                    if a["key"] == action["key"]:
                        print(
                            f"    #{a['id']} run {a['run_id']} {a['action']} {a['status']} "
                            f"{a['page_id']} {a['error']}"
                        )
            if claims != actual:
                violations.append(
                    f"page {page_id} ({action['key']}): last audit row {action['id']} "
                    f"({action['action']}) says {claims}, Notion has {actual}"
                )
        writes = [
            r
            for r in self.sandbox.requests()
            if r["token"] == self.sandbox.syncer_token
            and r["method"] in ("PATCH", "POST")
            and r["path"].startswith("/v1/pages/")
            and (r["status"] < 300 or r["fault"] in ("apply_then_fail", "apply_then_drop"))
        ]
        audited = {_bare(a["page_id"]) for a in actions if a["page_id"]}
        for request in writes:
            page_id = _bare(request["path"].split("/")[3])
            if page_id not in audited:
                violations.append(f"{request['method']} {request['path']} has no audit row")

    def _check_secrets(self) -> None:
        """No token or webhook URL in any output, log file, audit row, alert or SQLite file."""
        secrets = {
            "the syncer token": self.sandbox.syncer_token,
            "the second token": self.sandbox.human_token,
            "the webhook URL": self.hook.url,
            "the webhook's secret path": self.hook.secret,
        }
        self.result.alerts = len(self.hook.bodies)
        places = {f"alert {n}": body for n, body in enumerate(self.hook.bodies, start=1)}
        places |= {f"in-process run {n}": out for n, out in enumerate(self.outputs, start=1)}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.name != "syncer.toml":  # it names variables, not values
                places[path.name] = path.read_bytes().decode("utf-8", "replace")
        for where, text in places.items():
            for name, value in secrets.items():
                if value in text:
                    self.result.violations.append(f"{name} appears in {where}")

    def _check_lock(self, actions: list[dict[str, Any]]) -> None:
        """No two runs wrote at once: each run's applied actions span an interval of its own."""
        spans: dict[int, list[str]] = {}
        for action in actions:
            if action["status"] == "applied":
                spans.setdefault(action["run_id"], []).append(action["at"])
        ordered = sorted((min(at), max(at), run) for run, at in spans.items())
        for (_, end, run), (start, _, other) in itertools.pairwise(ordered):
            if start < end:
                self.result.violations.append(f"runs {run} and {other} wrote at the same time")

    def _check_rollback(self, today: dt.date, actions: list[dict[str, Any]]) -> None:
        """Roll back the last run that wrote: each of its writes has its inverse in the
        rollback's audit rows, and Notion holds each page as the rollback's last row says.

        (A page may be put back and then changed again by the same rollback: a page the run
        trashed because its row was deleted comes back, then goes when the rows are reverted
        to before a change range that also held the row's insertion.)
        """
        writers = [a for a in actions if a["status"] == "applied" and a["page_id"]]
        if not writers:
            return
        run_id = max(a["run_id"] for a in writers)
        ran = self._run_here(today, "rollback", str(run_id), "--cascade", "--yes")
        rebuilt = ("since rebuilt", "was the table rebuilt since")
        if self.result.resets and ran.code == 3 and any(word in ran.output for word in rebuilt):
            # Its rows were logged before the app rebuilt the tables (consumed by the restore,
            # or by the reconcile owed after a restore that was killed): rightly refused.
            return
        if not self._expect_ok(ran, f"rollback of run {run_id}", self._codes()):
            return
        audit = self._run_here(today, "--json", "audit", "actions", "--status", "applied")
        undone = [a for a in json.loads(audit.stdout) if a["id"] > max(a["id"] for a in actions)]
        done = {(a["action"], _bare(a["page_id"])) for a in undone if a["page_id"]}
        inverse = {"create": "trash", "trash": "restore", "restore": "trash", "move": "move"}
        for action in writers:
            wanted = inverse.get(action["action"])
            if action["run_id"] != run_id or wanted is None:
                continue
            if action["action"] == "trash" and not action["before"]:
                continue  # a page syncer never wrote (a hand-made duplicate): nothing to restore
            if (wanted, _bare(action["page_id"])) not in done:
                self.result.violations.append(
                    f"rollback of run {run_id} has no {wanted} of page {action['page_id']} "
                    f"({action['action']} #{action['id']})"
                )
        self._check_pages_as_audited(undone, f"rollback of run {run_id}")
        codes = self._codes()
        self._expect_ok(self._run_here(today, "reconcile"), "reconcile after the rollback", codes)
        self._expect_in_sync(today, "after rollback and reconcile")

    def _check_pages_as_audited(self, rows: list[dict[str, Any]], what: str) -> None:
        """Each page named by ``rows`` is where, and as trashed as, the last of them says."""
        pages = {_bare(p["id"]): p for p in self.sandbox.dump()["pages"]}
        last = {_bare(a["page_id"]): a for a in sorted(rows, key=lambda a: a["id"]) if a["page_id"]}
        for page_id, action in sorted(last.items()):
            after, page = action["after"], pages.get(page_id)
            if not after or page is None:
                continue
            where = self.sources.get(page.get("parent", {}).get("data_source_id", ""))
            claims = (after.get("database"), bool(after.get("in_trash")))
            actual = (where, bool(page.get("in_trash")))
            if claims != actual:
                self.result.violations.append(
                    f"after the {what}, page {page_id} ({action['key']}) is {actual}; its last "
                    f"audit row #{action['id']} ({action['action']}) says {claims}"
                )


_CHANGES = (dt.date(2026, 3, 29), dt.date(2026, 10, 25))


def _bare(page_id: str) -> str:
    return page_id.replace("-", "").lower()


def _date_of(page: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat((sync_key_of(page) or "")[:10])


def _writable(properties: dict[str, Any]) -> dict[str, Any]:
    """A page's property values in the form a create takes."""
    body: dict[str, Any] = {}
    for name, prop in properties.items():
        kind = prop["type"]
        value = prop[kind]
        if kind in ("title", "rich_text"):
            value = [{"text": {"content": item["plain_text"]}} for item in value]
            if kind == "title":
                value = [*value, {"text": {"content": " (copy)"}}]
        elif kind == "people":
            value = [{"id": person["id"]} for person in value]
        elif kind == "select":
            value = {"name": value["name"]} if value else None
        elif kind == "date":
            value = {"start": value["start"], "end": value["end"]} if value else None
        else:
            continue
        body[name] = {kind: value}
    return body
