"""The one owner of retries (tenacity): what is retried, how long to wait, what is logged.

Every retried Notion step in syncer goes through a :class:`RetryPolicy`; the engine builds one
per run from the configured waits and the injected sleep, so tests never sleep.

Only :class:`TransientNotionError` and :class:`ConflictError` are retried; the SDK's own retries
are off. The waits come from config (default: one immediate retry, then 2, 4, 8 and 16 s, each
with up to 10% jitter); a ``Retry-After`` from Notion (429/529) wins over the schedule.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from loguru import logger
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base

from syncer.core.errors import ConflictError, NotionError, TransientNotionError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryDetails:
    """What a retry hook learns: which call, which attempt, how long it waits, and why."""

    name: str
    attempt: int
    wait: float
    error: str
    may_land_late: bool = False  # the failed attempt got no answer: it may still be applied


UNREACHABLE_ATTEMPTS = 2  # a host that refuses connections now will not accept one in 30 s


class _StopWhenUnreachable(stop_base):
    """Give up on a host that cannot be reached after two attempts, not the whole schedule."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome else None
        unreachable = isinstance(exc, NotionError) and exc.code == "unreachable"
        return unreachable and retry_state.attempt_number >= UNREACHABLE_ATTEMPTS


def _wait_for(
    waits: Sequence[float], jitter: Callable[[], float]
) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, NotionError) and exc.retry_after is not None:
            return float(exc.retry_after)
        if isinstance(exc, NotionError) and exc.code == "unreachable":
            return min(waits[0], 1.0)
        base = waits[min(state.attempt_number - 1, len(waits) - 1)]
        return base * (1 + 0.1 * jitter())

    return wait


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a run retries its Notion steps: the waits, and the sleep and jitter to use.

    Args:
        waits: seconds to wait before each retry (``len(waits) + 1`` attempts in all).
        sleep: the sleep function (tests pass one that records instead of sleeping).
        jitter: a random number in [0, 1) (tests pass a constant).
    """

    waits: tuple[float, ...]
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def call(
        self,
        name: str,
        step: Callable[[], T],
        *,
        on_retry: Callable[[RetryDetails], None] | None = None,
    ) -> T:
        """Run ``step`` until it succeeds, raises a non-retried error, or the waits run out."""
        policy = _retrying(
            name, waits=self.waits, sleep=self.sleep, jitter=self.jitter, on_retry=on_retry
        )
        return policy(step)


def _retrying(
    name: str,
    *,
    waits: Sequence[float],
    sleep: Callable[[float], None],
    jitter: Callable[[], float],
    on_retry: Callable[[RetryDetails], None] | None,
) -> Retrying:
    """A tenacity ``Retrying`` for one Notion step, logging each retry before its wait."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        late = isinstance(exc, NotionError) and exc.may_land_late
        details = RetryDetails(name, state.attempt_number, wait, str(exc), late)
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
        stop=stop_any(stop_after_attempt(len(waits) + 1), _StopWhenUnreachable()),
        wait=_wait_for(waits, jitter),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
