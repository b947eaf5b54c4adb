"""Notion's per-integration rate limit: a fixed-window request budget per token."""

from __future__ import annotations

import math
import time

from syncer.sandbox.errors import ApiError
from syncer.sandbox.settings import RateLimit

RATE_LIMITED_MESSAGE = "You have been rate limited. Please try again in a few minutes."


def rate_limited(retry_after: int, reason: str = "public_api_request_rate_limit") -> ApiError:
    """A 429 ``rate_limited`` error with an integer ``Retry-After`` and ``additional_data``."""
    return ApiError(
        429,
        "rate_limited",
        RATE_LIMITED_MESSAGE,
        additional_data={"retry_after": str(retry_after), "rate_limit_reason": reason},
        headers={"Retry-After": str(retry_after)},
    )


class RateLimiter:
    """Counts requests per token in windows that start with a token's first request."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def reset(self) -> None:
        """Forget every window (every token gets its full budget back)."""
        self._windows.clear()

    def admit(self, token: str, limit: RateLimit | None, now: float | None = None) -> None:
        """Count one request for ``token``.

        Raises:
            ApiError: 429 ``rate_limited`` when the window's budget is spent; ``Retry-After`` is
                the whole seconds until the window resets, rounded up.
        """
        if limit is None:
            return
        moment = time.monotonic() if now is None else now
        start, count = self._windows.get(token, (moment, 0))
        if moment - start >= limit.seconds:
            start, count = moment, 0
        if count >= limit.requests:
            raise rate_limited(max(1, math.ceil(start + limit.seconds - moment)))
        self._windows[token] = (start, count + 1)
