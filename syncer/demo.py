"""The demo: the whole story on embedded defaults, against a sandbox started in this process.

A schedule file is written the way the upstream app writes it (plain sqlite3), the two Notion
databases are created in the sandbox, then syncer drains, reacts to an edit and an override,
reverts a hand edit made in Notion, and ends in sync.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from syncer.config import Environment, Settings
from syncer.core.projection import week_start
from syncer.engine import RunResult
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings
from syncer.session import Session, open_session
from syncer.store import upgrade

DEMO_TOKEN_VARIABLE = "SYNCER_DEMO_TOKEN"  # the demo passes its token in a mapping, not os.environ
ENGINEERS = (
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
)
UNMAPPED = "contractor@example.org"  # no Notion person: shown as text
ROTATIONS = ("AM", "Core", "PM")


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One step of the story, for the CLI to print."""

    title: str
    detail: str
    result: RunResult | None = None


def write_schedule(path: Path, today: dt.date) -> None:
    """Last week as history plus a 14-day lookahead of weekday shifts, written as the app does."""
    start = week_start(today) - dt.timedelta(days=7)
    rows: list[tuple[str, str, str]] = []
    for offset in range(21):
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for rotation in ROTATIONS:
            email = ENGINEERS[len(rows) % len(ENGINEERS)][1]
            rows.append((day.isoformat(), rotation, email))
    rows[-1] = (rows[-1][0], rows[-1][1], UNMAPPED)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
        )
    conn.close()


def _app_write(path: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)
    conn.close()


@contextmanager
def demo_world(
    workdir: Path, today: dt.date, sandbox: RunningSandbox | None = None
) -> Iterator[tuple[Session, RunningSandbox, Path]]:
    """A sandbox, a schedule file and a session, ready for the story."""
    with _sandbox(sandbox) as running:
        for name, email in ENGINEERS:
            running.add_user(name, email)
        db = workdir / "oncall.db"
        upgrade(db)
        write_schedule(db, today)
        settings = Settings(timezone="Europe/London")
        gateway = NotionGateway(
            running.syncer_token, pacer=Pacer(10_000, 1.0), base_url=running.url
        )
        try:
            created = init_databases(settings, gateway, running.root_page_id, prefix="Demo ")
        finally:
            gateway.close()
        env = Environment(
            "demo",
            DEMO_TOKEN_VARIABLE,
            created.calendar_database_id,
            created.past_calendar_database_id,
            running.url,
        )
        settings = replace(settings, environments={"demo": env}, default_environment="demo")
        environ = {DEMO_TOKEN_VARIABLE: running.syncer_token}
        with open_session(settings, db=db, today=today, trigger="demo", environ=environ) as session:
            yield session, running, db


@contextmanager
def _sandbox(existing: RunningSandbox | None) -> Iterator[RunningSandbox]:
    if existing is not None:
        yield existing
        return
    with serve_in_thread(SandboxSettings(port=0, rate_limit=None)) as running:
        yield running


def run_story(
    session: Session, sandbox: RunningSandbox, db: Path, say: Callable[[DemoStep], None]
) -> bool:
    """Tell the story step by step; return whether it ended in sync."""
    say(DemoStep("First drain", "no reconcile yet, so a full one runs first"))
    for result in session.drain():
        if result.kind == "reconcile":
            detail = "last week goes straight to PAST CALENDAR"
        else:
            detail = "nothing left: the reconcile applied every pending change"
        say(DemoStep(f"  {result.kind}", detail, result))

    monday = week_start(session.today)
    target = monday + dt.timedelta(days=7)
    _app_write(
        db,
        "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = 'AM'",
        ENGINEERS[3][1],
        target.isoformat(),
    )
    _app_write(
        db,
        "INSERT INTO oncall_schedule_overrides (date, rotation, engineer_email) "
        "VALUES (?, 'PM', ?)",
        target.isoformat(),
        ENGINEERS[0][1],
    )
    say(DemoStep("The app edits one shift and adds an override", f"{target} AM and PM"))
    say(DemoStep("Drain", "exactly the two changed pages are written", session.drain()[-1]))

    _hand_edit(sandbox, session)
    say(DemoStep("Someone edits a page by hand in Notion", "the Final Engineer Email text"))
    say(DemoStep("Reconcile", "the hand edit is reverted", session.reconcile()))

    in_sync = not session.plan().plan.writes
    say(DemoStep("Plan", "in sync: nothing to do" if in_sync else "drift remains"))
    return in_sync


def _hand_edit(sandbox: RunningSandbox, session: Session) -> None:
    """Edit one calendar page through the sandbox's second ("human") integration."""
    human = NotionGateway(sandbox.human_token, pacer=Pacer(10_000, 1.0), base_url=sandbox.url)
    source = human.data_source_id(session.env.calendar_database_id)
    page = human.query_pages(source)[0]
    name = session.settings.properties.final_email
    edit = {name: {"rich_text": [{"text": {"content": "someone-else@example.com"}}]}}
    human.update_page(page.page_id, properties=edit)
    human.close()
