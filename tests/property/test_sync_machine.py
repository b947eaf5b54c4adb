"""A stateful test of the whole sync: random app edits, hand edits in Notion, random Notion
faults, drains, reconciles, and the week ending, under either of the ways a move may treat
property values.

Whatever happened on the way, after the faults stop and one clean drain runs, the pages read back
through notion-client equal the projection of the local tables: one page per key, nothing lost;
in CALENDAR while the week runs, in PAST CALENDAR once it has ended (no edit reaches a week
after its end here, so history must hold the schedule exactly).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)

from syncer.config import Environment
from syncer.core.errors import NotionError
from syncer.engine import Engine
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from syncer.store import upgrade
from tests.support.harness import ENV, TODAY, Clock, data_source, make_engine, settings_for_tests

DATES = [TODAY, TODAY + dt.timedelta(days=1)]
NEXT_MONDAY = TODAY + dt.timedelta(days=7 - TODAY.weekday())  # both DATES are past weeks then
ROTATIONS = ["AM", "Core", "PM"]
EMAILS = ["ada@example.com", "grace@example.com", "ghost@example.com"]  # ghost: no person
FAULTS = [
    {"kind": "status", "method": "POST", "path": "/v1/pages", "status": 503},
    {"kind": "status", "method": "PATCH", "path": "/v1/pages/*", "status": 500},
    {"kind": "status", "method": "*", "path": "/v1/*", "status": 429, "retry_after": 1},
    {"kind": "status", "method": "POST", "path": "/v1/data_sources/*/query", "status": 502},
    {"kind": "apply_then_fail", "method": "POST", "path": "/v1/pages", "status": 504},
    {"kind": "apply_then_drop", "method": "POST", "path": "/v1/pages", "status": 500},
    {"kind": "apply_then_drop", "method": "PATCH", "path": "/v1/pages/*", "status": 500},
    {"kind": "apply_then_fail", "method": "POST", "path": "/v1/pages/*/move", "status": 503},
]

keys = st.tuples(st.sampled_from(DATES), st.sampled_from(ROTATIONS))
emails = st.sampled_from(EMAILS)


class SyncMachine(RuleBasedStateMachine):
    """The app edits the schedule while syncer drains and reconciles through a faulty Notion."""

    def __init__(self, sandbox: RunningSandbox, move_values: str) -> None:
        super().__init__()
        self.sandbox = sandbox
        sandbox.reset()
        sandbox.update_settings(move_values=move_values)
        sandbox.add_user("Ada", EMAILS[0])
        sandbox.add_user("Grace", EMAILS[1])
        self.tmp = tempfile.TemporaryDirectory()
        self.db = Path(self.tmp.name) / "oncall.db"
        upgrade(self.db)
        self.gateway = NotionGateway(
            sandbox.syncer_token, pacer=Pacer(100_000, 1), base_url=sandbox.url
        )
        base = settings_for_tests(retry_waits=(0.0,))
        created = init_databases(base, self.gateway, sandbox.root_page_id)
        self.env = Environment(
            ENV, "UNUSED", created.calendar_database_id, created.past_calendar_database_id
        )
        self.sources = [
            self.gateway.data_source_id(database_id)
            for database_id in (created.calendar_database_id, created.past_calendar_database_id)
        ]
        self.base = base
        self.clock = Clock()
        self.week_ended = False
        self.hand_edited = False
        self.ctx: Engine = make_engine(
            self.db, self.gateway, self.env, settings=base, clock=self.clock
        )

    def running(self) -> bool:
        return not self.week_ended

    # -- the app -------------------------------------------------------------------------------

    def _sql(self, sql: str, *params: object) -> None:
        with sqlite3.connect(self.db) as conn:
            conn.execute(sql, params)
        conn.close()

    @rule(key=keys, email=emails)
    @precondition(running)
    def assign(self, key: tuple[dt.date, str], email: str) -> None:
        date, rotation = key[0].isoformat(), key[1]
        self._sql(
            "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = ?",
            email,
            date,
            rotation,
        )
        self._sql(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) SELECT ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM oncall_schedule WHERE date = ? AND rotation = ?)",
            date,
            rotation,
            email,
            date,
            rotation,
        )

    @rule(key=keys)
    @precondition(running)
    def unassign(self, key: tuple[dt.date, str]) -> None:
        self._sql(
            "DELETE FROM oncall_schedule WHERE date = ? AND rotation = ?",
            key[0].isoformat(),
            key[1],
        )

    @rule(key=keys, email=emails)
    @precondition(running)
    def override(self, key: tuple[dt.date, str], email: str) -> None:
        self._sql(
            "INSERT OR REPLACE INTO oncall_schedule_overrides (date, rotation, engineer_email) "
            "VALUES (?, ?, ?)",
            key[0].isoformat(),
            key[1],
            email,
        )

    @rule(key=keys)
    @precondition(running)
    def drop_override(self, key: tuple[dt.date, str]) -> None:
        self._sql(
            "DELETE FROM oncall_schedule_overrides WHERE date = ? AND rotation = ?",
            key[0].isoformat(),
            key[1],
        )

    # -- Notion misbehaving, and syncer running ---------------------------------------------------

    @rule(index=st.integers(0, 5))
    @precondition(running)
    def hand_edit(self, index: int) -> None:
        """A person overwrites the Final Engineer Email of one live CALENDAR page."""
        edit = {"Final Engineer Email": {"rich_text": [{"text": {"content": "x@example.com"}}]}}
        human = NotionGateway(
            self.sandbox.human_token, pacer=Pacer(100_000, 1), base_url=self.sandbox.url
        )
        self.hand_edited = True
        # A fault meant for syncer may hit the person instead: their edit then simply failed.
        with contextlib.closing(human), contextlib.suppress(NotionError):
            pages = human.query_pages(self.sources[0])
            if pages:
                human.update_page(pages[index % len(pages)].page_id, properties=edit)

    @rule()
    @precondition(running)
    def end_week(self) -> None:
        """Monday comes: every date of the schedule now belongs in PAST CALENDAR."""
        self.week_ended = True
        self.ctx.store.close()
        self.ctx = make_engine(
            self.db, self.gateway, self.env, settings=self.base, today=NEXT_MONDAY, clock=self.clock
        )

    @rule(fault=st.sampled_from(FAULTS))
    def fault(self, fault: dict[str, Any]) -> None:
        self.sandbox.add_fault({**fault, "times": 1})

    @rule()
    def run_drain(self) -> None:
        # A failed read raises before anything is planned; the changes stay pending.
        with contextlib.suppress(NotionError):
            self.ctx.drain()

    @rule()
    def run_reconcile(self) -> None:
        with contextlib.suppress(NotionError):
            self.ctx.reconcile()

    def teardown(self) -> None:
        try:
            self.sandbox.clear_faults()
            self.ctx.drain()
            if self.hand_edited and not self.week_ended:
                self.ctx.reconcile()  # a drain pushes local changes; hand edits wait for this
            here, empty = ("past", "calendar") if self.week_ended else ("calendar", "past")
            assert notion_state(self.ctx, here) == local_state(self.db)
            assert notion_state(self.ctx, empty) == {}
        finally:
            self.ctx.store.close()
            self.gateway.close()
            self.tmp.cleanup()


def local_state(db: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    """The projection of the local tables: sync key -> (orig, override, final) emails."""
    state: dict[str, list[str | None]] = {}
    with sqlite3.connect(db) as conn:
        for table, index in (("oncall_schedule", 0), ("oncall_schedule_overrides", 1)):
            for date, rotation, email in conn.execute(
                f"SELECT date, rotation, engineer_email FROM {table}"
            ):
                state.setdefault(f"{date}/{rotation}", [None, None])[index] = email
    conn.close()
    return {key: (orig, over, over or orig) for key, (orig, over) in state.items()}


def notion_state(
    ctx: Engine, database: str = "calendar"
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """The live pages of a database read through the SDK: one per key, or the test fails."""
    found: dict[str, tuple[str | None, str | None, str | None]] = {}
    for page in ctx.gateway.query_pages(data_source(ctx, database)):
        content = ctx.settings.codec.decode(page.properties)
        assert content is not None
        assert content.sync_key not in found, f"two pages for {content.sync_key}"
        found[content.sync_key] = (
            content.orig_email,
            content.override_email,
            content.final_email,
        )
    return found


@pytest.mark.parametrize("move_values", ["keep-by-name", "title-only"])
def test_any_history_of_edits_and_faults_ends_in_sync(
    sandbox: RunningSandbox, move_values: str
) -> None:
    """After random edits, hand edits, faults, drains, reconciles and the week's end, one clean
    drain leaves Notion exact, whatever a move keeps of a page's values."""

    class Machine(SyncMachine):
        def __init__(self) -> None:
            super().__init__(sandbox, move_values)

    run_state_machine_as_test(
        Machine,
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None),
    )
