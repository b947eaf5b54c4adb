"""The sandbox's admin API and pages answer this machine only: no DNS rebinding, no CSRF."""

from __future__ import annotations

import httpx

from syncer.sandbox.server import RunningSandbox


def test_a_foreign_host_header_is_refused_for_admin_and_pages(sandbox: RunningSandbox) -> None:
    """A page on evil.example resolving to 127.0.0.1 cannot read the tokens or the pages."""
    for path in ("/_sandbox/info", "/"):
        refused = httpx.get(sandbox.url + path, headers={"Host": "evil.example"})
        allowed = httpx.get(sandbox.url + path, headers={"Host": "localhost:1"})
        assert refused.status_code == 403
        assert "not this sandbox" in refused.json()["error"]
        assert allowed.status_code == 200


def test_a_cross_site_write_is_refused(sandbox: RunningSandbox) -> None:
    """A form or fetch from another site cannot add users or faults."""
    body = {"name": "Mallory", "email": "m@evil.example"}
    url = sandbox.url + "/_sandbox/users"

    foreign = httpx.post(url, json=body, headers={"Origin": "http://evil.example"})
    fetched = httpx.post(url, json=body, headers={"Sec-Fetch-Site": "cross-site"})
    local = httpx.post(url, json=body, headers={"Origin": sandbox.url})

    assert (foreign.status_code, fetched.status_code) == (403, 403)
    assert local.status_code == 200


def test_the_notion_api_keeps_answering_any_host_with_a_token(sandbox: RunningSandbox) -> None:
    """/v1 is protected by its bearer token, as Notion's is, not by the Host header."""
    response = httpx.get(
        sandbox.url + "/v1/users",
        headers={
            "Host": "sandbox.internal",
            "Authorization": f"Bearer {sandbox.syncer_token}",
            "Notion-Version": "2025-09-03",
        },
    )
    assert response.status_code == 200
