"""The engine over real HTTP against a stricter sandbox: what a real workspace may do to syncer.

Moves that keep values by name or only the title, tokens without user or write capabilities,
a workspace over its block limit, the query result cap, dates read back in UTC, long
Retry-After values, an unreachable host, and the Notion-Version syncer sends.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from typing import Any

import pytest

from syncer.config import Budget
from syncer.core import RunId
from syncer.core.errors import PermanentNotionError, TransientNotionError
from syncer.core.kinds import CAPABILITIES
from syncer.engine import Engine
from syncer.notion.client import NOTION_VERSION, NotionGateway
from syncer.notion.pacing import Pacer
from tests.support.harness import ENV, TODAY, make_engine, settings_for_tests
from tests.support.live import Live, by_key, schedule_week

pytestmark = pytest.mark.integration

NEXT_MONDAY = dt.date(2026, 3, 16)


def session(
    live: Live,
    *,
    today: dt.date = TODAY,
    token: str | None = None,
    force: bool = False,
    **settings: Any,
) -> Engine:
    """A session over HTTP on ``today``, with the given token and settings (``force``: past
    the guards)."""
    gateway = NotionGateway(
        token or live.sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=live.sandbox.url
    )
    ctx = make_engine(
        live.db,
        gateway,
        live.env,
        settings=settings_for_tests(**settings),
        today=today,
        clock=live.clock,
        sleeps=live.sleeps,
        force=force,
    )
    live.contexts.append(ctx)
    return ctx


def token(live: Live, *capabilities: str) -> str:
    """A new integration's token with exactly these capabilities."""
    return str(live.sandbox.add_integration("Limited", capabilities)["token"])


def hand_edit(live: Live, sync_key: str, email: str) -> None:
    """A person overwrites a page's Final Engineer Email through the second integration."""
    human = live.human()
    page_id = by_key(live.pages())[sync_key]["id"]
    name = "Final Engineer Email"
    human.update_page(page_id, properties={name: {"rich_text": [{"text": {"content": email}}]}})
    human.close()


@pytest.mark.parametrize(
    ("move_values", "move_answer"),
    [("keep-by-name", "page"), ("title-only", "page"), ("title-only", "id")],
)
def test_past_calendar_holds_the_schedule_whatever_a_move_keeps(
    live: Live, move_values: str, move_answer: str
) -> None:
    """After the week ends, PAST CALENDAR equals the schedule (hand edit reverted, Sync Keys
    present), and `plan` finds nothing to do: whatever a move keeps, however it answers."""
    live.sandbox.update_settings(move_values=move_values, move_answer=move_answer)
    schedule_week(live)
    live.context().drain()
    hand_edit(live, f"{TODAY}/AM", "mallory@example.com")

    result = session(live, today=NEXT_MONDAY).drain()[-1]

    assert result.status == "succeeded"
    past = by_key(live.pages("past"))
    assert len(past) == 9
    assert past[f"{TODAY}/AM"]["final_email"] == "ada@example.com"
    assert all(page["final_people"] for page in past.values())
    assert session(live, today=NEXT_MONDAY).plan().plan.actions == ()


def test_a_token_without_user_information_syncs_emails_as_text(
    live: Live, warnings: list[str]
) -> None:
    """users.list answers 403: one warning naming the capability, the drain succeeds."""
    schedule_week(live)

    results = session(live, token=token(live, *CAPABILITIES[:3])).drain()

    assert [r.status for r in results] == ["succeeded", "succeeded"]
    assert len(warnings) == 1
    assert "Read user information including email addresses" in warnings[0]
    pages = by_key(live.pages())
    assert all(page["final_people"] == [] and page["final_email"] for page in pages.values())


def test_a_read_only_token_fails_the_run_at_its_first_write(live: Live) -> None:
    """The first write (claiming the databases) answers 403; the run ends failed with one
    error naming the capability, no page tried."""
    schedule_week(live)

    with pytest.raises(PermanentNotionError) as refused:
        session(live, token=token(live, "read_content", "read_users", "read_user_emails")).drain()

    assert "Update content" in refused.value.message
    posts = [r for r in live.requests() if r["method"] == "POST" and r["path"] == "/v1/pages"]
    assert posts == []
    run = live.context().store.last_run(ENV, "reconcile")
    assert run is not None
    assert run.status == "failed"


def test_a_workspace_over_its_block_limit_is_named_and_not_retried(live: Live) -> None:
    """A 403 on create names the block limit; no retry, no wait, the run ends failed."""
    schedule_week(live)
    live.sandbox.add_fault(
        {
            "kind": "status",
            "method": "POST",
            "path": "/v1/pages",
            "status": 403,
            "message": "The workspace has reached its block limit.",
            "times": None,
        }
    )

    with pytest.raises(PermanentNotionError) as refused:
        session(live, budget=Budget(concurrency=1)).drain()

    assert "block limit" in refused.value.message
    posts = [r for r in live.requests() if r["method"] == "POST" and r["path"] == "/v1/pages"]
    assert len(posts) == 1
    assert live.sleeps == []


def test_reconcile_reads_a_past_calendar_larger_than_the_query_cap(live: Live) -> None:
    """PAST CALENDAR is read in date windows, each under the cap, and found in sync."""
    live.app.regenerate(dt.date(2025, 12, 1), 98, ["ada@example.com"])  # 14 weeks, two years
    live.context().drain()
    assert len(live.pages("past")) == 210
    live.sandbox.update_settings(query_result_cap=100)

    result = live.context().reconcile()

    assert result.status == "succeeded"
    assert result.plan.writes == ()


def test_dates_read_back_in_utc_are_the_same_shifts(live: Live) -> None:
    """Notion may answer every date in UTC: nothing looks changed, nothing is rewritten."""
    live.sandbox.update_settings(dates_in_utc=True)
    live.app.schedule(dt.date(2026, 7, 1), "AM", "ada@example.com")  # 08:00 UTC in summer
    live.context(timezone="Europe/London").drain()

    result = live.context(timezone="Europe/London").reconcile()

    assert result.plan.writes == ()


def test_a_retry_after_longer_than_a_minute_is_waited_out(live: Live) -> None:
    """A workspace-level 429 may ask for more than 60 s: syncer waits exactly that, then writes."""
    schedule_week(live)
    live.sandbox.fail_next(429, method="POST", path="/v1/pages", retry_after=120)

    results = session(live, budget=Budget(concurrency=1)).drain()

    assert all(result.ok for result in results)
    assert live.sleeps == [120.0]


def test_every_request_carries_syncer_s_notion_version(live: Live) -> None:
    """The API version is syncer's own choice, sent on every request."""
    schedule_week(live)
    live.context().drain()

    assert {r["notion_version"] for r in live.requests()} == {NOTION_VERSION} == {"2025-09-03"}


def test_an_unreachable_host_fails_within_the_connect_timeout() -> None:
    """A host that never accepts the connection fails after the short connect timeout, not
    after the long request timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = [socket.socket() for _ in range(3)]  # fill the accept queue: SYNs go unanswered
    for filler in fillers:
        filler.setblocking(False)
        filler.connect_ex(server.getsockname())
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    gateway = NotionGateway("t", pacer=Pacer(10, 1), base_url=url, timeout=65, connect_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(TransientNotionError) as failed:
            gateway.list_users()
    finally:
        gateway.close()
        for sock in (*fillers, server):
            sock.close()

    assert failed.value.code == "connection"
    assert time.monotonic() - started < 5


def test_retention_trashes_old_history_and_a_rollback_brings_it_back(live: Live) -> None:
    """With past_retention, reconcile trashes PAST CALENDAR pages older than it (audited);
    rolling that reconcile back restores the same pages."""
    live.app.regenerate(dt.date(2026, 2, 2), 35, ["ada@example.com"])  # five past weeks
    live.context().drain()
    before = {page["sync_key"]: page["id"] for page in live.pages("past")}
    result = session(live, past_retention=dt.timedelta(weeks=3), force=True).reconcile()

    assert result.outcome.by_kind == {"trash": 30}
    kept = by_key(live.pages("past"))
    assert min(kept) == "2026-02-16/AM"  # Monday 2026-03-09 minus three weeks
    trashed = [p for p in live.sandbox.dump()["pages"] if p["in_trash"]]
    assert len(trashed) == 30
    session(live).rollback(result.run_id or RunId(0))
    assert {page["sync_key"]: page["id"] for page in live.pages("past")} == before


def test_a_slow_answer_past_the_request_timeout_is_a_transient_timeout(live: Live) -> None:
    """The request timeout applies to the answer: past it, a retryable `timeout` error."""
    live.sandbox.add_fault({"kind": "delay", "path": "/v1/users", "delay_ms": 600})
    gateway = NotionGateway(
        live.sandbox.syncer_token, pacer=Pacer(10, 1), base_url=live.sandbox.url, timeout=0.2
    )
    try:
        with pytest.raises(TransientNotionError) as slow:
            gateway.list_users()
    finally:
        gateway.close()

    assert slow.value.code == "timeout"
