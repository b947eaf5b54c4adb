"""Every Notion call of a run goes through :func:`retry_call`: the one place retries happen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from syncer.engine.context import SyncContext
from syncer.notion.retry import RetryDetails, retrying

T = TypeVar("T")


def retry_call(
    ctx: SyncContext,
    name: str,
    call: Callable[[], T],
    on_retry: Callable[[RetryDetails], None] | None = None,
) -> T:
    """Run ``call`` under the configured retry policy, sleeping with the context's sleep."""
    policy = retrying(
        name,
        waits=ctx.settings.retry_waits,
        sleep=ctx.sleep,
        jitter=ctx.jitter,
        on_retry=on_retry,
    )
    return policy(call)
