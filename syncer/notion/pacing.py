"""Stay inside Notion's request budget, so that a healthy run never sees a 429.

A sliding-window log: at most ``requests`` sends in any ``per_seconds`` window (plus a small
margin for network jitter). Any fixed window the server may use is inside some sliding window,
so this is safe whatever Notion's windowing. The pacer aims below the budget (``share``, 165 of
Notion's 180 by default), because the budget belongs to the integration, and another user of
the same token (a `notion init` a second earlier, a second environment) spends from it too.
After a 429 it honours ``Retry-After`` for every request, and halves its rate for the rest of
the run. The clock and the sleep are injected.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_SHARE = 165 / 180  # what a run allows itself of the integration's budget


class Pacer:
    """Blocks before each request until sending it keeps the budget."""

    def __init__(
        self,
        requests: int,
        per_seconds: float,
        *,
        share: float = 1.0,
        margin: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        before_send: Callable[[], None] | None = None,
    ) -> None:
        """Args:
        requests, per_seconds: the budget (Notion's default: 180 per 60 s).
        share: the part of it this run allows itself.
        margin: seconds added to the window for network jitter.
        clock, sleep: injected time.
        before_send: called before each request, may raise (a stop request, for example).
        """
        self.requests = max(1, math.floor(requests * share))
        self.window = per_seconds + margin
        self._clock = clock
        self._sleep = sleep
        self._before_send = before_send
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self.count = 0
        self.rate_limited = 0

    def acquire(self) -> None:
        """Wait (if needed) for room in the window, then count one request."""
        if self._before_send is not None:
            self._before_send()
        with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    self._sleep(self._paused_until - now)
                    continue
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.requests:
                    self._sent.append(now)
                    self.count += 1
                    return
                self._sleep(self.window - (now - self._sent[0]))

    def rate_limited_by_server(self, retry_after: float | None) -> None:
        """Notion answered 429: pause every request for ``Retry-After``, then go at half rate."""
        with self._lock:
            self.rate_limited += 1
            self.requests = max(1, self.requests // 2)
            if retry_after is not None and retry_after > 0:
                self._paused_until = max(self._paused_until, self._clock() + retry_after)
