"""The one retry policy (tenacity): what is retried, how long to wait, what is logged.

Only :class:`TransientNotionError` and :class:`ConflictError` are retried; the SDK's own retries
are off. The waits come from config (default: one immediate retry, then 2, 4, 8 and 16 s, each
with up to 10% jitter); a ``Retry-After`` from Notion (429/529) wins over the schedule.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from loguru import logger
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from syncer.core.errors import ConflictError, NotionError, TransientNotionError


@dataclass(frozen=True, slots=True)
class RetryDetails:
    """What a retry hook learns: which call, which attempt, how long it waits, and why."""

    name: str
    attempt: int
    wait: float
    error: str


def _wait_for(
    waits: Sequence[float], jitter: Callable[[], float]
) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, NotionError) and exc.retry_after is not None:
            return float(exc.retry_after)
        base = waits[min(state.attempt_number - 1, len(waits) - 1)]
        return base * (1 + 0.1 * jitter())

    return wait


def retrying(
    name: str,
    *,
    waits: Sequence[float],
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
    on_retry: Callable[[RetryDetails], None] | None = None,
) -> Retrying:
    """A tenacity ``Retrying`` for one Notion step: ``len(waits) + 1`` attempts in all.

    Args:
        name: what is being retried, for the log line.
        waits: seconds to wait before each retry.
        sleep: the sleep function (tests pass one that does not sleep).
        jitter: a random number in [0, 1) (tests pass a constant).
        on_retry: called with the details before each wait.
    """

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        details = RetryDetails(name, state.attempt_number, wait, str(exc))
        logger.bind(attempt=details.attempt, wait=wait).warning(
            "notion.retry_scheduled: {} failed ({}); retry {} in {:.1f}s",
            name,
            details.error,
            details.attempt,
            wait,
        )
        if on_retry is not None:
            on_retry(details)

    return Retrying(
        retry=retry_if_exception_type((TransientNotionError, ConflictError)),
        stop=stop_after_attempt(len(waits) + 1),
        wait=_wait_for(waits, jitter),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
