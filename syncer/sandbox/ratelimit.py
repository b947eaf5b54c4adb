"""Notion's rate limits: a fixed-window request budget per token, and one for the workspace.

The per-token window is Notion's documented one (180 requests per 60 s by default). Notion also
limits a workspace as a whole, with numbers it does not publish and windows that may be longer;
over it, ``Retry-After`` can exceed 60 s and the reason is ``public_api_space_request_rate_limit``.
"""

from __future__ import annotations

import math
import time

from syncer.sandbox.errors import ApiError
from syncer.sandbox.settings import RateLimit

RATE_LIMITED_MESSAGE = "You have been rate limited. Please try again in a few minutes."
WORKSPACE = "workspace"  # the window key of the workspace budget (tokens never take this form)


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
    """Counts requests in windows that start with the first request of a token (or workspace)."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def reset(self) -> None:
        """Forget every window (every token gets its full budget back)."""
        self._windows.clear()

    def admit(
        self,
        token: str,
        limit: RateLimit | None,
        workspace: RateLimit | None = None,
        now: float | None = None,
    ) -> None:
        """Count one request for ``token`` and for the workspace.

        Raises:
            ApiError: 429 ``rate_limited`` when either budget is spent; ``Retry-After`` is the
                whole seconds until that window resets, rounded up. A refused request counts
                against neither budget.
        """
        moment = time.monotonic() if now is None else now
        budgets = [(token, limit, "public_api_request_rate_limit")]
        budgets.append((WORKSPACE, workspace, "public_api_space_request_rate_limit"))
        counted: list[tuple[str, tuple[float, int]]] = []
        for key, budget, reason in budgets:
            if budget is None:
                continue
            start, count = self._windows.get(key, (moment, 0))
            if moment - start >= budget.seconds:
                start, count = moment, 0
            if count >= budget.requests:
                raise rate_limited(max(1, math.ceil(start + budget.seconds - moment)), reason)
            counted.append((key, (start, count + 1)))
        self._windows.update(counted)
