"""The sandbox's admin API and pages answer this machine only: no DNS rebinding, no CSRF."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import notion_client
import pytest

from syncer.sandbox.server import RunningSandbox

from .helpers import Sdk


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


def _other_port(url: str) -> str:
    """The same scheme and host as ``url`` on another port (another local dev server)."""
    parts = httpx.URL(url)
    return str(parts.copy_with(port=(parts.port or 80) + 1)).rstrip("/")


def _databases(sandbox: RunningSandbox) -> int:
    return len(httpx.get(sandbox.url + "/_sandbox/dump").json()["databases"])


def _add_database(sandbox: RunningSandbox) -> None:
    client: Sdk = notion_client.Client(auth=sandbox.syncer_token, base_url=sandbox.url, retry=False)
    client.databases.create(parent={"page_id": sandbox.root_page_id})
    client.close()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda url: {"Origin": _other_port(url)}, id="origin-other-port"),
        pytest.param(lambda url: {"Referer": _other_port(url) + "/app"}, id="referer-other-port"),
        pytest.param(lambda url: {"Origin": url.replace("http:", "https:")}, id="other-scheme"),
        pytest.param(lambda url: {"Origin": "null"}, id="opaque-origin"),
        pytest.param(lambda url: {"Sec-Fetch-Site": "same-site"}, id="fetch-same-site"),
    ],
)
def test_a_page_on_another_local_port_cannot_reset_the_workspace(
    sandbox: RunningSandbox, headers: Callable[[str], dict[str, str]]
) -> None:
    """Origin and Referer must match scheme, host and port: a page on 127.0.0.1:<other port>
    gets 403 and the workspace keeps its databases."""
    _add_database(sandbox)
    before = _databases(sandbox)
    refused = httpx.post(sandbox.url + "/_sandbox/reset", headers=headers(sandbox.url))
    assert refused.status_code == 403
    assert refused.json()["error"] == "cross-origin request refused"
    assert _databases(sandbox) == before > 0


def test_the_sandbox_own_pages_may_still_write(sandbox: RunningSandbox) -> None:
    """A write from the sandbox's own origin (same port, or no Origin at all) goes through."""
    _add_database(sandbox)
    own = {
        "Origin": sandbox.url,
        "Referer": sandbox.url + "/faults",
        "Sec-Fetch-Site": "same-origin",
    }
    assert httpx.post(sandbox.url + "/_sandbox/reset", headers=own).status_code == 200
    assert _databases(sandbox) == 0
