"""`syncer notion check --write-test`: a live preflight with one scratch page, before a real drain.

In the configured databases it creates one page whose Sync Key can never be a shift's
(``syncer-selftest/<uuid>``), updates it, moves it into PAST CALENDAR, reads it back and
compares every property with what was written, then trashes it. Each step is timed and
reported with what the workspace did (notably which values a move keeps, which Notion does not
document); the page is trashed on every way out, a failed step or Ctrl+C included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from syncer.config import Environment, Settings
from syncer.core import DataSourceId, PageContent, PageId, RawKey
from syncer.core.errors import NotionError
from syncer.core.gateway import Gateway, NotionUser, RawPage
from syncer.core.kinds import Capability, CapabilityState
from syncer.engine.databases import list_users, user_states
from syncer.engine.options import Clock, Sleep, utc_now
from syncer.notion.retry import RetryPolicy

Timer = Callable[[], float]
SELFTEST_PREFIX = "syncer-selftest/"


@dataclass(frozen=True, slots=True)
class Step:
    """One request of the preflight: whether it worked, how long it took, what it showed."""

    name: str
    ok: bool
    seconds: float
    detail: str


@dataclass
class WriteTest:
    """The preflight's outcome: its steps in order, and what it learnt about the token."""

    sync_key: str
    steps: list[Step] = field(default_factory=list)
    capabilities: dict[Capability, CapabilityState] = field(default_factory=dict)
    page_id: PageId | None = None
    left_behind: str | None = None  # a scratch page the trash step could not remove

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps) and self.left_behind is None


class _Stopped(Exception):
    """A step failed: the remaining ones cannot run (the page is still trashed)."""


# A failed write of these steps means the token lacks that capability.
_NEEDS: dict[str, Capability] = {"create": "insert_content", "update": "update_content"}


@dataclass
class _Preflight:
    """The preflight in progress: what it talks to, how it times steps, what it found."""

    gateway: Gateway
    settings: Settings
    timer: Timer
    report: WriteTest

    def step(
        self,
        name: str,
        call: Callable[[], RawPage],
        describe: Callable[[RawPage], str],
        expect: PageContent | None = None,
    ) -> RawPage:
        """Run one request and record it, timed; compare the page it returns with ``expect``.

        Raises:
            _Stopped: the request failed, or the page does not hold what was written.
        """
        started = self.timer()
        try:
            page = call()
        except NotionError as exc:
            status = f" (HTTP {exc.status})" if exc.status else ""
            self._record(name, False, started, f"{exc.code}{status}: {exc.message}")
            if exc.status in (401, 403) and name in _NEEDS:
                self.report.capabilities[_NEEDS[name]] = "missing"
            raise _Stopped from exc
        if name in _NEEDS:
            self.report.capabilities[_NEEDS[name]] = "present"
        lost = self.lost(page, expect) if expect is not None else []
        if lost:
            self._record(name, False, started, "read back different: " + ", ".join(lost))
            raise _Stopped
        self._record(name, True, started, describe(page))
        return page

    def lost(self, page: RawPage, wanted: PageContent) -> list[str]:
        """The properties the page does not hold as written, by name."""
        codec = self.settings.codec
        return codec.differences(wanted, codec.read_values(page.properties))

    def _record(self, name: str, ok: bool, started: float, detail: str) -> None:
        self.report.steps.append(Step(name, ok, self.timer() - started, detail))


def write_test(
    settings: Settings,
    env: Environment,
    gateway: Gateway,
    *,
    timer: Timer = time.perf_counter,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> WriteTest:
    """Create, update, move, read back and trash one scratch page; report every step.

    Args:
        settings: the configuration (property names, timezone, rotations, retries).
        env: the environment whose two databases are tested.
        gateway: Notion, with the environment's token.
        timer: seconds for round-trip times (a monotonic clock).
        clock: the current time, for the scratch page's date.
        sleep: how retries of reads and of the final trash wait.
        new_id: the unique part of the scratch page's Sync Key.

    Returns:
        The report; it also lists what the token may do, as far as the steps showed.
    """
    retry = RetryPolicy(settings.retry_waits, sleep)
    report = WriteTest(SELFTEST_PREFIX + new_id())
    users = list_users(gateway, retry)
    report.capabilities.update(user_states(users))
    calendar = retry.call("resolve", partial(gateway.data_source_id, env.calendar_database_id))
    past = retry.call("resolve", partial(gateway.data_source_id, env.past_calendar_database_id))
    first, second = _scratch(report.sync_key, settings, clock(), _someone(users))
    preflight = _Preflight(gateway, settings, timer, report)
    try:
        _write_and_compare(preflight, calendar, past, first, second)
    except _Stopped:
        pass  # the failed step is in the report
    finally:
        _trash(preflight, retry, calendar)
    return report


def _write_and_compare(
    run: _Preflight,
    calendar: DataSourceId,
    past: DataSourceId,
    first: PageContent,
    second: PageContent,
) -> None:
    gateway = run.gateway
    props = run.settings.codec.encode
    page = run.step(
        "create",
        partial(gateway.create_page, calendar, props(first)),
        lambda p: "every property as written",
        expect=first,
    )
    run.report.page_id = page.page_id
    run.step(
        "update",
        partial(gateway.update_page, page.page_id, properties=props(second)),
        lambda p: "every property as written",
        expect=second,
    )
    _move_as_syncer_does(run, page.page_id, past, props(second), second)
    run.step(
        "read back",
        partial(gateway.retrieve_page, page.page_id),
        lambda p: f"every property as written, {_place(p, past)}",
        expect=second,
    )


def _move_as_syncer_does(
    run: _Preflight,
    page_id: PageId,
    past: DataSourceId,
    properties: dict[str, object],
    wanted: PageContent,
) -> None:
    """Move the page, check it as every drain does (reading it if the answer is partial), and
    write again what the move did not keep."""
    gateway = run.gateway
    moved = run.step("move", partial(gateway.move_page, page_id, past), _what_moved(run, wanted))
    if not moved.properties:
        moved = run.step(
            "read moved", partial(gateway.retrieve_page, page_id), _what_moved(run, wanted)
        )
    if run.lost(moved, wanted):
        run.step(
            "rewrite",
            partial(gateway.update_page, page_id, properties=properties),
            lambda p: "the lost values written again, as every drain does after a move",
            expect=wanted,
        )


def _what_moved(run: _Preflight, wanted: PageContent) -> Callable[[RawPage], str]:
    def describe(page: RawPage) -> str:
        if not page.properties:
            return "Notion answered with the page's id only; it is read back below"
        lost = run.lost(page, wanted)
        if not lost:
            return "the move kept every value (by property name)"
        return f"the move lost {len(lost)} of 10 values: {', '.join(lost)}"

    return describe


def _place(page: RawPage, past: DataSourceId) -> str:
    if page.data_source_id != past:
        return f"but in data source {page.data_source_id or '?'}, not PAST CALENDAR"
    return "in PAST CALENDAR"


def _trash(run: _Preflight, retry: RetryPolicy, calendar: DataSourceId) -> None:
    """Trash the scratch page, whatever happened before (retried: it must not stay behind).

    A create whose answer was lost may still have made the page: it is looked up by its Sync
    Key then.
    """
    gateway, report = run.gateway, run.report
    page_id = report.page_id
    if page_id is None:
        if not report.steps or report.steps[0].ok:
            return  # nothing was created
        name = run.settings.properties.sync_key
        wanted = {"property": name, "rich_text": {"equals": report.sync_key}}
        try:
            found = retry.call("find", partial(gateway.query_pages, calendar, filter=wanted))
        except NotionError:
            found = []
        if not found:
            return
        page_id = report.page_id = found[0].page_id
    trash = partial(retry.call, "trash", partial(gateway.update_page, page_id, in_trash=True))
    try:
        run.step("trash", trash, lambda p: "scratch page in the trash")
    except _Stopped:
        report.left_behind = page_id


def _someone(users: list[NotionUser] | None) -> tuple[str, ...]:
    """A person to put in the people properties, so they are tested too (none if unseen)."""
    persons = [user.user_id for user in users or [] if user.kind == "person"]
    return tuple(persons[:1])


def _scratch(
    sync_key: str, settings: Settings, now: dt.datetime, people: tuple[str, ...]
) -> tuple[PageContent, PageContent]:
    """The scratch page's content before and after the update: every property set."""
    start = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
    first = PageContent(
        key=RawKey.split(sync_key),
        name=f"syncer self-test {sync_key[-8:]} (safe to delete)",
        start=start,
        end=start + dt.timedelta(hours=1),
        rotation=settings.rotations.names[0],
        orig_people=people,
        final_people=people,
        orig_email="selftest@example.invalid",
        final_email="selftest@example.invalid",
    )
    second = dataclasses.replace(
        first,
        name=first.name + " · updated",
        end=start + dt.timedelta(hours=2),
        override_people=people,
        override_email="selftest-2@example.invalid",
        final_email="selftest-2@example.invalid",
    )
    return first, second
