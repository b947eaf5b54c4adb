"""Another process locks the schedule file mid-run: syncer stops sending, and every write
Notion received ends in the audit log (so a rollback misses none)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable

import pytest

from syncer.config import Budget
from syncer.core.errors import Interrupted
from syncer.engine import Engine
from syncer.engine.executor import LocalWriteFailed
from syncer.store import Store
from syncer.store.audit import ActionFilter, RunFilter
from tests.support.harness import TODAY, settings_for_tests, window_rows
from tests.support.world import ALICE, BOB, CAROL, World, text

WRITES = {"create_page", "update_page", "move_page"}


class FileLock:
    """Another process's write lock on the schedule file, taken after ``after`` Notion writes."""

    def __init__(self, world: World, after: int) -> None:
        self.world = world
        self.after = after
        self.writes = 0
        self.sent_while_locked = 0  # writes that began once the lock was held
        self.holder: sqlite3.Connection | None = None

    def on_call(self, method: str) -> None:
        if method not in WRITES:
            return
        self.writes += 1
        if self.holder is not None:
            self.sent_while_locked += 1
        if self.writes == self.after:
            holder = sqlite3.connect(self.world.db, isolation_level=None, check_same_thread=False)
            holder.execute("BEGIN EXCLUSIVE")  # waits for a commit in progress, if any
            self.holder = holder

    def release(self) -> None:
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()
            self.holder = None


def engine_with(
    world: World, lock: FileLock, sleep: Callable[[float], None], *, workers: int
) -> Engine:
    """The world's engine with a store that gives up on a locked file at once, ``sleep``,
    and ``workers`` keys written in parallel."""
    base = world.context(settings=settings_for_tests(budget=Budget(concurrency=workers)))
    store = Store.open(world.db, busy_timeout_ms=20)
    world.notion.on_call = lock.on_call
    return dataclasses.replace(base, store=store, sleep=sleep)


def schedule(world: World) -> None:
    world.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
        window_rows(TODAY, 5, [ALICE, BOB]),
    )


def pages_written(world: World) -> set[str]:
    return {page["id"] for page in world.notion.pages.values()}


def audited_pages(world: World) -> set[str]:
    entries = world.context().store.find_actions(ActionFilter())
    return {e.record.page_id for e in entries if e.record.page_id is not None}


def test_a_lock_mid_run_stops_sending_and_records_every_write_once_it_is_released(
    world: World,
) -> None:
    """The run waits for the file, records every outcome Notion gave, then fails saying so;
    what was not sent stays pending, and the next drain sends it."""
    schedule(world)
    lock = FileLock(world, after=4)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        lock.release()  # the other process commits while syncer waits

    with pytest.raises(LocalWriteFailed, match="stopped sending"):
        engine_with(world, lock, sleep, workers=1).drain()

    assert waits  # it waited for the file
    assert lock.sent_while_locked == 0  # nothing was sent after the file refused a write
    assert pages_written(world) == audited_pages(world)
    statuses = {e.record.status for e in world.context().store.find_actions(ActionFilter())}
    assert statuses == {"applied"}

    world.notion.on_call = None
    world.context().drain()
    assert len(world.pages()) == len(window_rows(TODAY, 5, [ALICE, BOB]))


def test_stopped_while_the_file_stays_locked_every_write_sent_has_its_row(
    world: World,
) -> None:
    """Asked to stop while waiting: the rows written ahead of each call remain (outcome
    unknown), so no write is missing from the audit log; the next drain settles them."""
    schedule(world)
    lock = FileLock(world, after=3)
    engine: list[Engine] = []

    def sleep(seconds: float) -> None:
        engine[0].options.stop.set(2)  # Ctrl-C while the file stays locked

    engine.append(engine_with(world, lock, sleep, workers=4))
    with pytest.raises(Interrupted):
        engine[0].drain()
    lock.release()

    # Only writes announced before the lock was taken were sent: one per other worker at most.
    assert lock.sent_while_locked <= 3
    assert pages_written(world) <= audited_pages(world) | _created_in_doubt(world)
    # The stopped run could not release its lock either: a new process would take it over at
    # once (its holder is gone); in this one, the lease runs out.
    world.clock.advance(dt.timedelta(hours=1))
    world.notion.on_call = None
    world.context().drain()
    assert len(world.pages()) == len(window_rows(TODAY, 5, [ALICE, BOB]))


def _created_in_doubt(world: World) -> set[str]:
    """Pages whose create is in the log as a row with no page yet: looked up by Sync Key."""
    entries = world.context().store.find_actions(ActionFilter(status="unknown"))
    keys = {str(e.record.key) for e in entries if e.record.action == "create"}
    return {
        page["id"]
        for page in world.notion.pages.values()
        if page["properties"]["Sync Key"]["rich_text"][0]["plain_text"] in keys
    }


def test_a_rollback_undoes_the_writes_whose_outcome_was_never_recorded(world: World) -> None:
    """Updates sent, then the run stopped while the file stayed locked: the row of the one in
    flight says its outcome is unknown, and a rollback of that run puts its page back too."""
    schedule(world)
    world.context().drain()
    before = {page["id"]: text(page, "Final Engineer Email") for page in world.pages().values()}
    world.app.execute("UPDATE oncall_schedule SET engineer_email = ?", CAROL)
    lock = FileLock(world, after=2)
    engine: list[Engine] = []

    def sleep(seconds: float) -> None:
        engine[0].options.stop.set(2)

    engine.append(engine_with(world, lock, sleep, workers=1))
    with pytest.raises(Interrupted):
        engine[0].drain()
    lock.release()
    world.clock.advance(dt.timedelta(hours=1))
    store = world.context().store
    run_id = store.find_runs(RunFilter(kind="drain"))[0].run_id
    statuses = {e.record.status for e in store.find_actions(ActionFilter(run_id=run_id))}
    assert statuses == {"applied", "unknown"}

    world.notion.on_call = None
    world.context().drain()  # sends the rest; the key in doubt is looked up, found written
    world.context().rollback(run_id, cascade=True)

    after = {page["id"]: text(page, "Final Engineer Email") for page in world.pages().values()}
    assert after == before
