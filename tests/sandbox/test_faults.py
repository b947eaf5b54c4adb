"""Scripted faults: error statuses, delays past the client's timeout, apply-then-fail/drop."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import httpx
import pytest
from notion_client import APIResponseError
from notion_client.errors import HTTPResponseError, RequestTimeoutError

from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings

from .conftest import ClientFactory
from .helpers import Sdk, shift


def _create(client: Sdk, source_id: str, key: str = "k") -> dict[str, Any]:
    page: dict[str, Any] = client.pages.create(
        parent={"data_source_id": source_id}, properties=shift(key, "2026-01-05")
    )
    return page


def _count(client: Sdk, source_id: str) -> int:
    return len(client.data_sources.query(source_id)["results"])


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (409, "conflict_error"),
        (429, "rate_limited"),
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
        (529, "service_overload"),
    ],
)
def test_status_fault(
    client: Sdk, source_id: str, sb: RunningSandbox, status: int, code: str
) -> None:
    """A status rule answers with Notion's code for the status, does nothing, and fires once."""
    sb.add_fault({"kind": "status", "method": "POST", "path": "/v1/pages", "status": status})
    with pytest.raises(HTTPResponseError) as caught:
        _create(client, source_id)
    assert caught.value.status == status
    assert code in caught.value.body
    if status in (429, 529):
        assert caught.value.headers["retry-after"] == "1"
    assert _count(client, source_id) == 0
    _create(client, source_id)
    assert sb.fault_rules() == []


def test_503_with_a_given_committed_resource_id(
    client: Sdk, source_id: str, sb: RunningSandbox
) -> None:
    """A status rule can carry a literal additional_data.committed_resource_id."""
    sb.add_fault(
        {"kind": "status", "path": "/v1/pages", "status": 503, "committed_resource_id": "abc"}
    )
    with pytest.raises(APIResponseError) as caught:
        _create(client, source_id)
    assert caught.value.additional_data == {"committed_resource_id": "abc"}


@pytest.mark.parametrize("committed", [True, False])
def test_apply_then_fail(client: Sdk, source_id: str, sb: RunningSandbox, committed: bool) -> None:
    """apply_then_fail performs the create, then answers 503 (with the page id when asked)."""
    sb.add_fault(
        {
            "kind": "apply_then_fail",
            "method": "POST",
            "path": "/v1/pages",
            "status": 503,
            "committed_resource_id": committed,
        }
    )
    with pytest.raises(APIResponseError) as caught:
        _create(client, source_id)
    [page] = client.data_sources.query(source_id)["results"]
    if committed:
        assert caught.value.additional_data == {"committed_resource_id": page["id"]}
    else:
        assert caught.value.additional_data is None


def test_apply_then_drop(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """apply_then_drop performs the create and breaks the connection: a transport error."""
    sb.add_fault({"kind": "apply_then_drop", "method": "POST", "path": "/v1/pages"})
    with pytest.raises(httpx.TransportError):
        _create(client, source_id)
    assert _count(client, source_id) == 1
    assert sb.requests()[-2]["fault"] == "apply_then_drop"


def test_delay_past_client_timeout(make_client: ClientFactory, sb: RunningSandbox) -> None:
    """A delay rule holds the response past the client's timeout."""
    sb.add_fault({"kind": "delay", "path": "/v1/users/me", "delay_ms": 600})
    client = make_client(timeout_ms=150)
    with pytest.raises((RequestTimeoutError, httpx.TimeoutException)):
        client.users.me()


def test_a_delayed_write_lands_after_the_client_gave_up(
    make_client: ClientFactory, source_id: str, sb: RunningSandbox
) -> None:
    """A create held past the client's timeout still lands: the page exists once it is done."""
    landed = threading.Event()
    sb.service.on_change(landed.set)
    sb.add_fault({"kind": "delay", "method": "POST", "path": "/v1/pages", "delay_ms": 400})
    impatient = make_client(timeout_ms=100)
    with pytest.raises((RequestTimeoutError, httpx.TimeoutException)):
        _create(impatient, source_id)
    assert landed.wait(timeout=10)
    assert _count(make_client(), source_id) == 1
    assert sb.requests()[-2]["fault"] == "delay"
    assert sb.requests()[-2]["status"] == 200


def test_times_and_method_matching(client: Sdk, source_id: str, sb: RunningSandbox) -> None:
    """A rule fires `times` times and only for its method and path glob."""
    sb.add_fault(
        {"kind": "status", "method": "PATCH", "path": "/v1/pages/*", "status": 500, "times": 2}
    )
    page = _create(client, source_id)
    for _ in range(2):
        with pytest.raises(APIResponseError):
            client.pages.update(page["id"], in_trash=True)
    assert client.pages.update(page["id"], in_trash=True)["in_trash"] is True


def test_probability_zero_never_fires(client: Sdk, sb: RunningSandbox) -> None:
    """A rule with probability 0 never fires."""
    sb.add_fault({"kind": "status", "status": 500, "times": None, "probability": 0.0})
    for _ in range(20):
        client.users.me()
    assert sb.fault_rules()[0]["fired"] == 0


def test_fail_next_shorthand(client: Sdk, sb: RunningSandbox) -> None:
    """fail_next(429, retry_after=3) answers the next request with that Retry-After."""
    sb.fail_next(429, retry_after=3)
    with pytest.raises(APIResponseError) as caught:
        client.users.me()
    assert caught.value.headers["retry-after"] == "3"
    assert caught.value.additional_data == {
        "retry_after": "3",
        "rate_limit_reason": "public_api_request_rate_limit",
    }


def test_bad_rule_is_refused(sb: RunningSandbox) -> None:
    """Unknown fields or kinds are refused, in process and over HTTP."""
    with pytest.raises(ValueError, match="unknown fault rule fields"):
        sb.add_fault({"kind": "status", "colour": "red"})
    response = httpx.post(f"{sb.url}/_sandbox/faults", json={"kind": "explode"})
    assert response.status_code == 400


def test_stopping_with_a_delayed_request_still_held_prints_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`sandbox serve` stopped (Ctrl+C) while a delay fault holds a request: a quiet stop."""
    with serve_in_thread(SandboxSettings()) as running:
        running.add_fault({"kind": "delay", "path": "/v1/users/me", "delay_ms": 5000})
        held = threading.Thread(target=_ask_and_give_up, args=(running,), daemon=True)
        held.start()
        while running.fault_rules():  # the rule goes once it fired: the request is held
            held.join(timeout=0.01)
    held.join(timeout=5)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")] == []


def _ask_and_give_up(running: RunningSandbox) -> None:
    headers = {"authorization": f"Bearer {running.syncer_token}", "notion-version": "2025-09-03"}
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(f"{running.url}/v1/users/me", headers=headers, timeout=10)


def test_in_flight_counts_the_requests_a_delay_holds(sb: RunningSandbox) -> None:
    """A harness can wait until every held write has landed before it looks."""
    sb.add_fault({"kind": "delay", "path": "/v1/users/me", "delay_ms": 300})
    held = threading.Thread(target=_ask_and_give_up, args=(sb,), daemon=True)
    held.start()
    while sb.fault_rules():  # the rule goes once it fired: the request is held
        held.join(timeout=0.01)
    assert sb.in_flight() == 1
    held.join(timeout=5)
    assert sb.in_flight() == 0
