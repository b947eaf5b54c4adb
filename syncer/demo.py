"""The demo: syncer's whole story in seven chapters, against a sandbox started in this process.

It starts a week before today. (1) The sandbox gets four people, ``notion init`` creates the two
databases and the app writes three weeks of shifts with plain sqlite3; (2) the first drain runs a
full reconcile; (3) the app edits a shift and adds an override, and drain writes exactly those
pages; (4) the week turns: last week moves to PAST CALENDAR and the app's new week is created;
(5) a page edited and one trashed by hand in Notion are repaired; (6) the audit log answers what
happened; (7) the app's edit is rolled back on both sides, and ``plan`` finds them in sync.

The files it makes (the schedule, a ``syncer.toml`` naming the sandbox, the sandbox's state) are
the ones every command of the README reads, so the story can be carried on by hand. [app]
"""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from syncer.compose import open_engine
from syncer.config import Settings, load_settings
from syncer.core import PageId, RunId, RunRecord
from syncer.core.projection import week_start
from syncer.engine import Engine, RunResult
from syncer.engine.databases import CreatedDatabases, init_databases
from syncer.engine.options import utc_now
from syncer.engine.rollback import RollbackResult
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings
from syncer.store import upgrade
from syncer.store.audit import ActionFilter, AuditEntry, RunFilter

TOKEN_VARIABLE = "SANDBOX_TOKEN"  # what syncer.toml names; the demo itself passes a mapping
ENV_NAME = "sandbox"
TIMEZONE = "Europe/London"
DEFAULT_PORT = 8765  # `syncer sandbox serve`'s, so the kept syncer.toml matches its default
ENGINEERS = (
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
)
UNMAPPED = "contractor@example.org"  # no Notion person: shown as text
ROTATIONS = ("AM", "Core", "PM")
WEEK = dt.timedelta(days=7)
_TOOLS = Pacer(10_000, 1.0)  # the demo's own calls (init, the hand edit) are few


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter heading."""

    number: int
    title: str


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One thing the story shows: a sentence, the command a user would type, and what it did."""

    text: str = ""
    command: str | None = None
    result: RunResult | None = None
    runs: tuple[RunRecord, ...] = ()
    actions: tuple[AuditEntry, ...] = ()
    rollback: RollbackResult | None = None
    lines: tuple[str, ...] = ()


Say = Callable[[Chapter | DemoStep], None]


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """The files the story makes, all in one folder."""

    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / "oncall.db"

    @property
    def config(self) -> Path:
        return self.folder / "syncer.toml"

    @property
    def state(self) -> Path:
        return self.folder / "sandbox.json"

    def leftovers(self) -> list[str]:
        """The names of the story's files already in the folder (a story told there before)."""
        return [path.name for path in (self.db, self.config, self.state) if path.exists()]


def demo_today() -> dt.date:
    """Today where the demo's rotations are, as every later command will see it."""
    return utc_now().astimezone(Settings(timezone=TIMEZONE).tz).date()


def pick_port(wanted: int | None) -> int:
    """``wanted``; or, when None, the sandbox's usual port if it is free, else 0 (any)."""
    if wanted is not None:
        return wanted
    with closing(socket.socket()) as probe:
        try:
            probe.bind(("127.0.0.1", DEFAULT_PORT))
        except OSError:
            return 0
    return DEFAULT_PORT


@contextmanager
def demo_sandbox(state_file: Path | None = None, port: int = 0) -> Iterator[RunningSandbox]:
    """A sandbox for the story (no rate limit), saving its workspace to ``state_file`` if given."""
    settings = SandboxSettings(port=port, rate_limit=None, state_file=state_file)
    with serve_in_thread(settings) as running:
        yield running


def tell_story(sandbox: RunningSandbox, files: DemoFiles, today: dt.date, say: Say) -> bool:
    """Tell the seven chapters; return whether the story ended in sync with nothing failed."""
    start = today - WEEK
    settings = set_up(sandbox, files, start, say)
    environ = {TOKEN_VARIABLE: sandbox.syncer_token}
    with open_engine(settings, db=files.db, today=start, trigger="demo", environ=environ) as engine:
        ok = first_sync(engine, say)
        change_run = make_a_change(engine, files.db, say)
        engine = replace(engine, pinned_today=today)
        ok = turn_the_week(engine, files.db, say) and ok
        repair_run = repair_hand_edits(engine, sandbox, say)
        show_audit(engine, repair_run, say)
        return roll_back(engine, files.db, change_run, say) and ok


# -- 1. A schedule and two Notion databases ---------------------------------------------------


def set_up(sandbox: RunningSandbox, files: DemoFiles, start: dt.date, say: Say) -> Settings:
    """Chapter 1: people, the two databases, syncer.toml, and the app's first schedule."""
    say(Chapter(1, "A schedule and two Notion databases"))
    for name, email in ENGINEERS:
        sandbox.add_user(name, email)
    names = ", ".join(name.split()[0] for name, _ in ENGINEERS)
    say(DemoStep(f"The sandbox's workspace has {names}; {UNMAPPED} is not a member."))
    created = _create_databases(sandbox)
    files.config.write_text(config_text(created, sandbox.url), encoding="utf-8")
    say(
        DemoStep(
            "CALENDAR and PAST CALENDAR are created, and syncer.toml names them.",
            command="syncer notion init --parent-page <root page>",
        )
    )
    upgrade(files.db)
    count = write_schedule(files.db, start)
    first = week_start(start) - WEEK
    say(
        DemoStep(
            f"The app writes {count} shifts (AM, Core, PM on weekdays) for the three weeks "
            f"from {_day(first)} and one override, with plain sqlite3; triggers capture "
            "each row.",
            command="syncer db upgrade",
        )
    )
    return load_settings(files.config)


def _create_databases(sandbox: RunningSandbox) -> CreatedDatabases:
    gateway = NotionGateway(sandbox.syncer_token, pacer=_TOOLS, base_url=sandbox.url)
    try:
        return init_databases(Settings(timezone=TIMEZONE), gateway, sandbox.root_page_id)
    finally:
        gateway.close()


def config_text(created: CreatedDatabases, url: str) -> str:
    """The syncer.toml the demo leaves behind: one environment, the sandbox."""
    return (
        "# Written by `syncer demo`. The sandbox it names keeps its workspace in sandbox.json:\n"
        f"#   syncer sandbox serve --state sandbox.json --port {url.rpartition(':')[2]}\n"
        f"# and the token is the sandbox's fixed one, read from ${TOKEN_VARIABLE}.\n"
        f'timezone = "{TIMEZONE}"\n'
        f'default_environment = "{ENV_NAME}"\n\n'
        f"[environments.{ENV_NAME}]\n"
        f'notion_token_env = "{TOKEN_VARIABLE}"\n'
        f'calendar_database_id = "{created.calendar_database_id}"\n'
        f'past_calendar_database_id = "{created.past_calendar_database_id}"\n'
        f'notion_base_url = "{url}"\n'
    )


def week_rows(monday: dt.date, first: int = 0) -> list[tuple[str, str, str]]:
    """One week of weekday shifts; engineers take turns, starting with ``ENGINEERS[first]``."""
    rows: list[tuple[str, str, str]] = []
    for offset in range(5):
        day = (monday + dt.timedelta(days=offset)).isoformat()
        for rotation in ROTATIONS:
            email = ENGINEERS[(first + len(rows)) % len(ENGINEERS)][1]
            rows.append((day, rotation, email))
    return rows


def write_schedule(path: Path, start: dt.date) -> int:
    """Last week as history, this week and next, written as the app does, with one override
    (Grace takes next Thursday's AM); the last row's engineer has no Notion account. Returns
    how many schedule rows were written."""
    monday = week_start(start) - WEEK
    rows = [row for week in range(3) for row in week_rows(monday + week * WEEK, week * 15)]
    rows[-1] = (rows[-1][0], rows[-1][1], UNMAPPED)
    _app_insert(path, rows)
    app_override(path, monday + 2 * WEEK + dt.timedelta(days=3), "AM", ENGINEERS[1][1])
    return len(rows)


def _app_insert(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
        )


def app_override(path: Path, day: dt.date, rotation: str, email: str) -> None:
    """The app adds an override row."""
    sql = "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) VALUES (?,?,?)"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(sql, (day.isoformat(), rotation, email))


def app_reassign(path: Path, day: dt.date, rotation: str, email: str) -> None:
    """The app gives a shift to another engineer."""
    sql = "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = ?"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(sql, (email, day.isoformat(), rotation))


# -- 2. The first sync ------------------------------------------------------------------------


def first_sync(engine: Engine, say: Say) -> bool:
    """Chapter 2: the first drain reconciles everything."""
    say(Chapter(2, f"The first sync ({_day(engine.today)}, a week ago)"))
    say(
        DemoStep(
            "No reconcile has run yet, so drain runs a full one first. Last week goes "
            "straight into PAST CALENDAR; this week and next into CALENDAR.",
            command="syncer drain",
        )
    )
    results = engine.drain()
    for result in results:
        say(DemoStep(result=result))
    return all(result.ok for result in results)


# -- 3. A change ------------------------------------------------------------------------------


def make_a_change(engine: Engine, db: Path, say: Say) -> RunId:
    """Chapter 3: the app edits one shift and adds an override; drain writes just those."""
    say(Chapter(3, "The app changes next week"))
    monday = week_start(engine.today) + WEEK
    app_reassign(db, monday, "AM", ENGINEERS[3][1])
    app_override(db, monday, "PM", ENGINEERS[1][1])
    say(DemoStep(f"{_day(monday)}: AM goes to Edsger, and Grace overrides PM."))
    say(DemoStep("Drain writes exactly the two changed pages.", command="syncer drain"))
    result = engine.drain()[-1]
    say(DemoStep(result=result))
    assert result.run_id is not None, "a drain with changes records a run"
    return result.run_id


# -- 4. The week turns ------------------------------------------------------------------------


def turn_the_week(engine: Engine, db: Path, say: Say) -> bool:
    """Chapter 4: today is a week later; the app adds a week; drain moves last week."""
    say(Chapter(4, f"The week turns (today, {_day(engine.today)})"))
    monday = week_start(engine.today) + WEEK
    rows = week_rows(monday, first=1)
    _app_insert(db, rows)
    say(DemoStep(f"The app generates the week of {_day(monday)}: {len(rows)} shifts."))
    say(
        DemoStep(
            "Drain moves last week's pages into PAST CALENDAR (where they stay as they are) "
            "and creates the new week's.",
            command="syncer drain",
        )
    )
    results = engine.drain()
    for result in results:
        say(DemoStep(result=result))
    return all(result.ok for result in results)


# -- 5. Hand edits in Notion are repaired -----------------------------------------------------


def repair_hand_edits(engine: Engine, sandbox: RunningSandbox, say: Say) -> RunId:
    """Chapter 5: someone edits one page and trashes another; plan sees it; reconcile repairs."""
    say(Chapter(5, "Someone edits Notion by hand"))
    monday = week_start(engine.today)
    edited, trashed = f"{monday + dt.timedelta(days=1)}/Core", f"{monday + dt.timedelta(2)}/PM"
    hand_edit(sandbox, engine, edited, trashed)
    say(DemoStep(f"In Notion, {edited} gets another engineer and {trashed} is trashed."))
    drift = engine.plan().plan.counts()
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(drift.items()))
    say(DemoStep(f"Plan finds the drift: {found or 'nothing'}.", command="syncer plan"))
    say(
        DemoStep(
            "Reconcile reverts the edit and restores the trashed page (same page id).",
            command="syncer reconcile",
        )
    )
    result = engine.reconcile()
    say(DemoStep(result=result))
    assert result.run_id is not None, "a reconcile records a run"
    return result.run_id


def hand_edit(sandbox: RunningSandbox, engine: Engine, edited: str, trashed: str) -> None:
    """Through the sandbox's second integration ("Hand editor"), as a person would."""
    human = NotionGateway(sandbox.human_token, pacer=_TOOLS, base_url=sandbox.url)
    names = engine.settings.properties
    try:
        source = human.data_source_id(engine.env.calendar_database_id)

        def page_id(key: str) -> PageId:
            match = {"property": names.sync_key, "rich_text": {"equals": key}}
            return human.query_pages(source, filter=match)[0].page_id

        other = {"rich_text": [{"text": {"content": "someone-else@example.com"}}]}
        human.update_page(page_id(edited), properties={names.final_email: other})
        human.update_page(page_id(trashed), in_trash=True)
    finally:
        human.close()


# -- 6. The audit log -------------------------------------------------------------------------


def show_audit(engine: Engine, run_id: RunId, say: Say) -> None:
    """Chapter 6: every run, then one run's actions with the engineers before and after."""
    say(Chapter(6, "The audit log"))
    runs = engine.store.find_runs(RunFilter(env=engine.env.name))
    say(DemoStep("Every run, newest first:", command="syncer audit runs", runs=tuple(runs)))
    actions = reversed(engine.store.find_actions(ActionFilter(run_id=run_id)))
    say(
        DemoStep(
            f"What run {run_id} (the repair) did, page by page:",
            command=f"syncer audit show {run_id}",
            actions=tuple(actions),
        )
    )


# -- 7. Rollback ------------------------------------------------------------------------------


def roll_back(engine: Engine, db: Path, run_id: RunId, say: Say) -> bool:
    """Chapter 7: undo chapter 3's run on both sides; plan then finds nothing to do."""
    say(Chapter(7, "Rollback"))
    day = week_start(engine.today)
    say(
        DemoStep(
            f"The app's change was a mistake. Its rows for {_day(day)} now:",
            lines=shifts_on(db, day),
        )
    )
    result = engine.rollback(run_id)
    say(
        DemoStep(
            f"Rollback undoes run {run_id} in the schedule file and in Notion.",
            command=f"syncer rollback {run_id}",
            rollback=result,
        )
    )
    say(DemoStep(f"The rows for {_day(day)} are back:", lines=shifts_on(db, day)))
    in_sync = not engine.plan().plan.writes
    verdict = "in sync, nothing to do" if in_sync else "drift remains"
    say(DemoStep(f"Plan: {verdict}.", command="syncer plan --detailed-exitcode"))
    return in_sync and result.ok


def shifts_on(db: Path, day: dt.date) -> tuple[str, ...]:
    """The app's rows for one day, one line per rotation, read with plain sqlite3."""
    query = (
        "SELECT s.rotation, s.engineer_email, o.engineer_email FROM oncall_schedule s "
        "LEFT JOIN oncall_schedule_overrides o ON o.date = s.date AND o.rotation = s.rotation "
        "WHERE s.date = ?"
    )
    with closing(sqlite3.connect(db)) as conn:
        found = {row[0]: row[1:] for row in conn.execute(query, (day.isoformat(),))}
    lines = []
    for rotation in ROTATIONS:
        email, override = found.get(rotation, ("-", None))
        lines.append(f"{rotation:<6}{email}" + (f", overridden by {override}" if override else ""))
    return tuple(lines)


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
