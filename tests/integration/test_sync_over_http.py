"""The engine over real HTTP: notion-client 3.1 against the sandbox, a real SQLite file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from loguru import logger

from syncer.config import Budget, Environment
from syncer.core import RunId
from syncer.core.commit import LATE_WRITE
from syncer.core.errors import TransientNotionError
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import serve_in_thread
from syncer.sandbox.settings import IntegrationSpec, SandboxSettings
from syncer.store.audit import ActionFilter
from tests.support.harness import (
    ENV,
    TODAY,
    App,
    data_source,
    make_engine,
    schedule_db,
    settings_for_tests,
)
from tests.support.live import PEOPLE, Live, by_key, schedule_week

pytestmark = pytest.mark.integration


def test_drain_mirrors_the_schedule_and_a_second_drain_sends_nothing(live: Live) -> None:
    """Pages read back through the SDK equal the schedule; nothing is sent when in sync."""
    schedule_week(live)

    results = live.context().drain()

    assert all(result.ok for result in results)
    pages = by_key(live.pages())
    assert len(pages) == 9
    assert pages[f"{TODAY}/AM"]["final_email"] == "ada@example.com"
    assert pages[f"{TODAY}/AM"]["start"] == "2026-03-11T09:00:00+00:00"
    live.sandbox.clear_requests()

    live.context().drain()

    assert live.requests() == []


def test_hand_edits_and_copies_made_in_notion_are_repaired(live: Live) -> None:
    """A person's edit is reverted and their duplicate trashed, through the second token."""
    schedule_week(live)
    live.context().drain()
    human = live.human()
    ctx = live.context()
    calendar = data_source(ctx, "calendar")
    target = human.query_pages(calendar)[0]
    name = ctx.settings.properties.final_email
    human.update_page(
        target.page_id, properties={name: {"rich_text": [{"text": {"content": "x@y.io"}}]}}
    )
    human.create_page(calendar, _writable(target))  # a person duplicates the page

    result = ctx.reconcile()

    assert result.outcome.by_kind == {"update": 1, "trash": 1}
    assert len(by_key(live.pages())) == 9
    human.close()


def _writable(page: Any) -> dict[str, Any]:
    """A page's read-form properties turned into a create body (what 'duplicate' does)."""
    body: dict[str, Any] = {}
    for name, value in page.properties.items():
        kind = value["type"]
        data = value[kind]
        if kind in ("title", "rich_text"):
            data = [{"text": {"content": item["plain_text"]}} for item in data]
        elif kind == "select":
            data = {"name": data["name"]} if data else None
        elif kind == "people":
            data = [{"id": person["id"]} for person in data]
        elif kind == "date":
            data = {"start": data["start"], "end": data["end"]} if data else None
        body[name] = {kind: data}
    return body


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("apply_then_fail", 504),
        ("apply_then_drop", 504),
        ("apply_then_fail", 409),
        ("apply_then_fail", 429),
        ("apply_then_fail", 529),
    ],
)
def test_a_create_that_landed_before_the_failure_is_not_duplicated(
    live: Live, kind: str, status: int
) -> None:
    """Write-then-fail (whatever the status) and a dropped connection leave one page per key."""
    schedule_week(live)
    live.sandbox.add_fault(
        {"kind": kind, "method": "POST", "path": "/v1/pages", "status": status, "times": 2}
    )

    results = live.context().drain()

    assert all(result.ok for result in results)
    assert len(live.pages()) == 9
    assert len(by_key(live.pages())) == 9


def test_a_create_that_lands_after_the_timeout_leaves_no_duplicate(live: Live) -> None:
    """A slow create lands after syncer gave up and created again: the create's audit row says
    a late copy may come, and the next drain (no reconcile needed) finds and trashes it."""
    live.app.schedule(TODAY, "AM", "ada@example.com")
    landed = threading.Event()
    changes: list[int] = []

    def heard() -> None:
        changes.append(1)
        if len(changes) == 2 + 2:  # both databases claimed, the retried create, the slow one
            landed.set()

    live.sandbox.service.on_change(heard)
    live.sandbox.add_fault(
        {"kind": "delay", "method": "POST", "path": "/v1/pages", "delay_ms": 800}
    )

    no_wait = live.context(timeout=0.3).with_options(settle_late_writes=False)
    assert all(result.ok for result in no_wait.drain())
    assert landed.wait(timeout=10)
    assert len(live.pages()) == 2  # the late write did land
    store = live.context().store
    (create,) = store.find_actions(ActionFilter(action="create"))
    assert (create.record.status, create.record.error) == ("applied", LATE_WRITE)
    assert live.context().with_options(settle_late_writes=False).drain()[-1].run_id is None
    live.clock.advance(dt.timedelta(seconds=131))  # twice the request timeout
    assert all(result.ok for result in live.context().drain())

    (kept,) = by_key(live.pages()).values()
    assert kept["id"] == create.record.page_id
    trashes = store.find_actions(ActionFilter(action="trash"))
    assert [a.record.status for a in trashes] == ["applied"]
    assert trashes[0].record.page_id != kept["id"]  # the late copy went, syncer's page stayed
    assert live.context().drain()[-1].run_id is None  # settled: nothing left to look at


def test_a_drain_waits_out_its_late_writes_so_that_done_means_notion_is_right(
    live: Live,
) -> None:
    """The create that got no answer lands while the drain waits out its window; the drain
    then looks the key up and trashes the late copy before it returns: one page per shift."""
    live.app.schedule(TODAY, "AM", "ada@example.com")
    landed = threading.Event()
    changes: list[int] = []

    def heard() -> None:
        changes.append(1)
        if len(changes) == 2:  # the retried create, then the slow one
            landed.set()

    live.sandbox.service.on_change(heard)
    live.sandbox.add_fault(
        {"kind": "delay", "method": "POST", "path": "/v1/pages", "delay_ms": 800}
    )
    waited: list[float] = []

    def sleep(seconds: float) -> None:  # time passes, and with it the slow create lands
        waited.append(seconds)
        if seconds > 0:  # the retry waits nothing: this is the drain waiting for late writes
            landed.wait(timeout=10)
        live.clock.advance(dt.timedelta(seconds=seconds))

    engine = dataclasses.replace(live.context(timeout=0.3, retry_waits=(0.0,)), sleep=sleep)
    results = engine.drain()

    assert all(result.ok for result in results)
    assert sum(waited) >= 2 * 0.3  # twice the request timeout, from the write
    assert len(by_key(live.pages())) == 1
    assert len(live.pages()) == 1  # the late copy is in the trash already
    assert engine.late_writes_settle_at() is None


def test_an_update_that_lands_late_over_a_newer_one_is_repaired_by_a_later_drain(
    live: Live,
) -> None:
    """A timed-out update is retried and applied; a newer change is pushed; then the first,
    slow attempt lands, putting the older engineer back. The key was left to be looked up once
    no attempt can land any more, and the drain after that window puts the newer one back."""
    live.app.schedule(TODAY, "AM", "ada@example.com")
    assert all(result.ok for result in live.context().drain())
    live.app.reassign(TODAY, "AM", "grace@example.com")
    live.sandbox.add_fault(
        {"kind": "delay", "method": "PATCH", "path": "/v1/pages/*", "delay_ms": 2000}
    )
    no_wait = live.context(timeout=0.3).with_options(settle_late_writes=False)
    assert all(result.ok for result in no_wait.drain())
    late = threading.Event()
    live.sandbox.service.on_change(late.set)
    live.app.reassign(TODAY, "AM", "ada@example.com")
    pushed = live.context().with_options(settle_late_writes=False).drain()
    assert all(result.ok for result in pushed)  # ada, before the slow write lands

    assert late.wait(timeout=10)
    late.clear()
    assert late.wait(timeout=10)  # the first change was ada's update; this one, the slow one
    assert live.pages()[0]["final_email"] == "grace@example.com"  # an older value, landed late
    live.clock.advance(dt.timedelta(seconds=131))  # twice the request timeout
    assert all(result.ok for result in live.context().drain())

    assert live.pages()[0]["final_email"] == "ada@example.com"
    assert live.context().store.failing_keys(ENV) == []


def test_committed_resource_id_is_used_after_a_503(live: Live) -> None:
    """A 503 naming the created page makes syncer adopt it without a look-up."""
    schedule_week(live)
    live.sandbox.add_fault(
        {
            "kind": "apply_then_fail",
            "method": "POST",
            "path": "/v1/pages",
            "status": 503,
            "committed_resource_id": True,
            "times": 1,
        }
    )

    live.context().drain()

    assert len(by_key(live.pages())) == 9
    posts = [r for r in live.requests() if r["method"] == "POST" and r["path"] == "/v1/pages"]
    assert len(posts) == 9  # the failed one counted once, no retry of the create itself


def test_a_429_waits_exactly_what_retry_after_says(live: Live) -> None:
    """Retry-After wins over the backoff schedule, and the write then succeeds."""
    schedule_week(live)
    live.sandbox.fail_next(429, method="POST", path="/v1/pages", retry_after=7)

    results = live.context(budget=Budget(concurrency=1)).drain()

    assert all(result.ok for result in results)
    assert live.sleeps == [7.0]


def test_a_failed_read_never_turns_into_deletions(live: Live) -> None:
    """A 500 while paging through Notion stops the reconcile before it plans anything."""
    schedule_week(live)
    live.context().drain()
    live.app.execute("DELETE FROM oncall_schedule WHERE rotation = 'PM'")
    live.sandbox.add_fault(
        {"method": "POST", "path": "/v1/data_sources/*/query", "status": 500, "times": None}
    )

    with pytest.raises(TransientNotionError):
        live.context().reconcile()

    live.sandbox.clear_faults()
    assert len(live.pages()) == 9


def test_a_token_without_email_capability_is_reported_once_and_emails_stay_text(
    tmp_path: Path,
) -> None:
    """Without the email capability no person can be matched: one clear warning, text emails."""
    token = "ntn_sandbox_no_email_token_000000000000000000000000000"
    limited = SandboxSettings(
        port=0,
        rate_limit=None,
        extra_integrations=(IntegrationSpec.parse(f"{token}:no-email"),),
    )
    lines: list[str] = []
    sink = logger.add(lines.append, level="WARNING", format="{message}")
    with serve_in_thread(limited) as sandbox:
        for name, email in PEOPLE:
            sandbox.add_user(name, email)
        gateway = NotionGateway(token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
        settings = settings_for_tests()
        created = init_databases(settings, gateway, sandbox.root_page_id)
        env = Environment(
            ENV, "UNUSED", created.calendar_database_id, created.past_calendar_database_id
        )
        db = schedule_db(tmp_path)
        App(db).regenerate(TODAY, 3, [email for _, email in PEOPLE])
        ctx = make_engine(db, gateway, env, settings=settings)
        try:
            ctx.drain()
            pages = gateway.query_pages(data_source(ctx, "calendar"))
        finally:
            logger.remove(sink)
            ctx.store.close()
            gateway.close()
    assert sum("cannot see email addresses" in line for line in lines) == 1
    assert len(lines) == 1  # and no line per engineer
    contents = [settings.codec.decode(page.properties) for page in pages]
    assert len(contents) == 9
    assert all(c is not None and c.final_people == () and c.final_email for c in contents)


def test_times_carry_the_offset_of_their_date(live: Live) -> None:
    """A summer shift in London starts at 08:00 UTC, a winter one at 09:00 UTC."""
    live.app.schedule(dt.date(2026, 7, 1), "AM", "ada@example.com")
    live.app.schedule(dt.date(2026, 12, 1), "AM", "ada@example.com")

    live.context(timezone="Europe/London").drain()

    assert decode_start(live, "2026-07-01/AM") == dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    assert decode_start(live, "2026-12-01/AM") == dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def decode_start(live: Live, sync_key: str) -> dt.datetime:
    page = by_key(live.pages())[sync_key]
    return dt.datetime.fromisoformat(page["start"])


def test_rolling_back_the_trash_of_a_hand_made_page_without_a_rotation_brings_it_back(
    live: Live,
) -> None:
    """A person's page carrying a Sync Key but no Rotation is trashed by reconcile as a
    duplicate; rolling that reconcile back restores it as it was (Notion refuses a select
    option with an empty name, so none is written)."""
    live.app.schedule(TODAY, "AM", "ada@example.com")
    assert all(result.ok for result in live.context().drain())
    ctx = live.context()
    human = live.human()
    copy = human.create_page(
        data_source(ctx, "calendar"),
        {
            "Name": {"title": [{"text": {"content": "my own copy"}}]},
            "Sync Key": {"rich_text": [{"text": {"content": f"{TODAY}/AM"}}]},
        },
    )
    cleaned = live.context().reconcile()
    assert cleaned.ok
    assert cleaned.outcome.by_kind == {"trash": 1}

    undone = live.context().rollback(cleaned.run_id or RunId(0))

    assert undone.ok, [r.outcome.failures for r in undone.runs]
    back = human.retrieve_page(copy.page_id)
    human.close()
    assert not back.in_trash
    assert back.properties["Rotation"]["select"] is None
