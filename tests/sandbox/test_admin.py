"""The /_sandbox admin API, the HTML table view, and latency."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import notion_client
import pytest

from syncer.sandbox.server import RunningSandbox

from .helpers import Sdk, cell_texts, shift


def test_info(sb: RunningSandbox) -> None:
    """/_sandbox/info gives the root page, the tokens (the syncer's first) and settings."""
    info = httpx.get(f"{sb.url}/_sandbox/info").json()
    assert info["root_page_id"] == sb.root_page_id
    assert info["tokens"][:2] == [sb.syncer_token, sb.human_token]
    assert info["settings"]["rate_limit"] is None


def test_add_user_over_http(client: Sdk, sb: RunningSandbox) -> None:
    """POST /_sandbox/users adds a person (or a bot) that the API then lists."""
    person = httpx.post(f"{sb.url}/_sandbox/users", json={"name": "Ada", "email": "a@x.org"})
    bot = httpx.post(f"{sb.url}/_sandbox/users", json={"name": "Robot", "type": "bot"})
    assert person.json()["person"] == {"email": "a@x.org"}
    assert bot.json()["type"] == "bot"
    listed = {u["id"] for u in client.users.list()["results"]}
    assert {person.json()["id"], bot.json()["id"]} <= listed
    assert httpx.post(f"{sb.url}/_sandbox/users", json={}).status_code == 400


def test_request_log(client: Sdk, sb: RunningSandbox) -> None:
    """/_sandbox/requests lists /v1 requests with time, method, path, status and token."""
    client.users.me()
    [entry] = httpx.get(f"{sb.url}/_sandbox/requests").json()
    assert entry["method"] == "GET"
    assert entry["path"] == "/v1/users/me"
    assert entry["status"] == 200
    assert entry["token"] == sb.syncer_token
    assert entry["at"].endswith("Z")
    httpx.delete(f"{sb.url}/_sandbox/requests")
    assert sb.requests() == []


def test_faults_over_http(client: Sdk, sb: RunningSandbox) -> None:
    """POST /_sandbox/faults adds rules (one or a list); DELETE clears them."""
    added = httpx.post(
        f"{sb.url}/_sandbox/faults",
        json=[{"kind": "status", "status": 500}, {"kind": "delay", "delay_ms": 1}],
    )
    assert [r["kind"] for r in added.json()] == ["status", "delay"]
    assert len(httpx.get(f"{sb.url}/_sandbox/faults").json()) == 2
    httpx.delete(f"{sb.url}/_sandbox/faults")
    assert sb.fault_rules() == []


def test_settings_over_http(sb: RunningSandbox) -> None:
    """PATCH /_sandbox/settings changes latency and rate limit; bad values are 400."""
    changed = httpx.patch(
        f"{sb.url}/_sandbox/settings", json={"latency_ms": 5, "rate_limit": "10/1"}
    ).json()
    assert changed["latency_ms"] == 5
    assert changed["rate_limit"] == {"requests": 10, "seconds": 1.0}
    assert httpx.patch(f"{sb.url}/_sandbox/settings", json={"speed": 1}).status_code == 400


def test_reset_over_http(client: Sdk, calendar: dict[str, Any], sb: RunningSandbox) -> None:
    """POST /_sandbox/reset empties the workspace but keeps the root page and tokens."""
    httpx.patch(f"{sb.url}/_sandbox/settings", json={"latency_ms": 5})
    reset = httpx.post(f"{sb.url}/_sandbox/reset").json()
    assert reset["root_page_id"] == sb.root_page_id
    assert sb.dump()["databases"] == []
    assert sb.info()["settings"]["latency_ms"] == 0
    assert client.pages.retrieve(sb.root_page_id)["id"] == sb.root_page_id


def test_dump(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """/_sandbox/dump holds every database, data source and page as API objects."""
    page = client.pages.create(
        parent={"data_source_id": source_id}, properties=shift("k", "2026-01-05")
    )
    dump = httpx.get(f"{sb.url}/_sandbox/dump").json()
    assert [s["id"] for s in dump["data_sources"]] == [source_id]
    assert page["id"] in [p["id"] for p in dump["pages"]]
    assert len(dump["databases"]) == 1


def test_table_view_escapes(client: Sdk, calendar: dict[str, Any], sb: RunningSandbox) -> None:
    """GET /databases/ID shows the database as a table with people by name, escaping text."""
    ada = sb.add_user("Ada <Admin>", "ada@example.com")
    client.pages.create(
        parent={"data_source_id": calendar["data_sources"][0]["id"]},
        properties=shift(
            "<script>alert(1)</script>",
            "2026-01-05T09:00:00+00:00",
            "Core",
            final=[ada["id"]],
        ),
    )
    page = httpx.get(f"{sb.url}/databases/{calendar['id']}")
    assert page.headers["content-type"].startswith("text/html")
    cells = cell_texts(page.text)
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;" in page.text
    assert {"<script>alert(1)</script>", "<script>alert(1)</script> shift"} <= set(cells)
    assert "Ada &lt;Admin&gt;" in page.text
    assert "Ada <Admin>" in cells
    assert "CALENDAR" in page.text
    assert any(re.fullmatch(r"Mon 5 Jan( 2026)?, 09:00 \(UTC\)", cell) for cell in cells)
    assert "Core" in cells


def test_latency_overlaps_between_clients(sb: RunningSandbox) -> None:
    """Latency is applied per request without blocking: concurrent requests overlap."""
    sb.update_settings(latency_ms=200, jitter_ms=20)

    async def burst() -> float:
        client = notion_client.AsyncClient(auth=sb.syncer_token, base_url=sb.url, retry=False)
        try:
            started = time.perf_counter()
            await asyncio.gather(*(client.users.me() for _ in range(8)))
            return time.perf_counter() - started
        finally:
            await client.aclose()

    elapsed = asyncio.run(burst())
    assert 0.2 <= elapsed < 0.8


def test_update_settings_rejects_unknown(sb: RunningSandbox) -> None:
    """update_settings refuses unknown names and negative latency."""
    with pytest.raises(ValueError, match="unknown settings"):
        sb.update_settings(colour="red")
    with pytest.raises(ValueError, match="latency_ms"):
        sb.update_settings(latency_ms=-1)


def test_the_request_log_records_the_notion_version_sent(client: Sdk, sb: RunningSandbox) -> None:
    """Each logged request says which Notion-Version header it carried."""
    client.users.me()
    assert [r["notion_version"] for r in sb.requests()] == ["2025-09-03"]
