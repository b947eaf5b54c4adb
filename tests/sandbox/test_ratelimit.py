"""The per-token rate limit: 429 rate_limited with an integer Retry-After past the budget."""

from __future__ import annotations

import httpx
import pytest
from notion_client import APIResponseError, RetryOptions
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.settings import RateLimit

from .conftest import ClientFactory
from .helpers import Sdk


def test_budget_then_429_with_retry_after(client: Sdk, sb: RunningSandbox) -> None:
    """After N requests in the window the next gets 429, Retry-After and additional_data."""
    sb.update_settings(rate_limit=RateLimit(requests=3, seconds=30))
    for _ in range(3):
        client.users.me()
    with pytest.raises(APIResponseError) as caught:
        client.users.me()
    error = caught.value
    assert error.code == APIErrorCode.RateLimited
    assert error.status == 429
    retry_after = error.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= 30
    assert error.additional_data == {
        "retry_after": retry_after,
        "rate_limit_reason": "public_api_request_rate_limit",
    }


def test_budget_is_per_token(make_client: ClientFactory, sb: RunningSandbox) -> None:
    """Each integration has its own budget."""
    sb.update_settings(rate_limit="1/30")
    make_client(sb.syncer_token).users.me()
    make_client(sb.human_token).users.me()
    with pytest.raises(APIResponseError):
        make_client(sb.syncer_token).users.me()


def test_window_resets_after_retry_after(make_client: ClientFactory, sb: RunningSandbox) -> None:
    """The SDK's own retry, waiting Retry-After (1 s), gets through once the window resets."""
    sb.update_settings(rate_limit=RateLimit(requests=1, seconds=1))
    client = make_client(retry=RetryOptions(max_retries=1, max_retry_delay_ms=2000))
    client.users.me()
    assert client.users.me()["type"] == "bot"
    assert [r["status"] for r in sb.requests()] == [200, 429, 200]


def test_admin_is_neither_limited_nor_logged(client: Sdk, sb: RunningSandbox) -> None:
    """/_sandbox endpoints ignore the budget and stay out of the request log."""
    sb.update_settings(rate_limit=RateLimit(requests=1, seconds=30))
    client.users.me()
    for _ in range(5):
        assert httpx.get(f"{sb.url}/_sandbox/info").status_code == 200
    assert [r["path"] for r in sb.requests()] == ["/v1/users/me"]


def test_no_rate_limit(client: Sdk, sb: RunningSandbox) -> None:
    """With the limit off, a burst well over 180 requests passes."""
    sb.update_settings(rate_limit=None)
    for _ in range(200):
        client.users.me()
    assert {r["status"] for r in sb.requests()} == {200}


def test_the_workspace_budget_is_shared_by_every_token(
    make_client: ClientFactory, sb: RunningSandbox
) -> None:
    """Past the workspace budget any token gets 429 with its own reason and a long Retry-After."""
    sb.update_settings(rate_limit=RateLimit(100, 60), workspace_rate_limit="2/300")
    make_client(sb.syncer_token).users.me()
    make_client(sb.human_token).users.me()

    with pytest.raises(APIResponseError) as caught:
        make_client(sb.syncer_token).users.me()

    error = caught.value
    assert error.code == APIErrorCode.RateLimited
    assert int(error.headers["retry-after"]) > 60
    assert error.additional_data is not None
    assert error.additional_data["rate_limit_reason"] == "public_api_space_request_rate_limit"


def test_a_request_refused_by_one_budget_is_not_counted_by_the_other(sb: RunningSandbox) -> None:
    """A token over its own budget does not use up the workspace's."""
    sb.update_settings(rate_limit=RateLimit(1, 60), workspace_rate_limit=RateLimit(2, 60))
    limiter, token, workspace = sb.service.limiter, RateLimit(1, 60), RateLimit(2, 60)
    limiter.reset()
    limiter.admit("a", token, workspace, now=0.0)
    with pytest.raises(Exception, match="rate limited"):
        limiter.admit("a", token, workspace, now=1.0)
    limiter.admit("b", token, workspace, now=2.0)  # the workspace still had room for this one
