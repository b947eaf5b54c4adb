"""Stay inside Notion's request budget, so that a healthy run never sees a 429.

A sliding-window log: at most ``requests`` sends in any ``per_seconds`` window (plus a small
margin for network jitter). Any fixed window the server may use is inside some sliding window,
so this is safe whatever Notion's windowing. The clock and the sleep are injected.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Pacer:
    """Blocks before each request until sending it keeps the budget."""

    def __init__(
        self,
        requests: int,
        per_seconds: float,
        *,
        margin: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests = requests
        self.window = per_seconds + margin
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.count = 0

    def acquire(self) -> None:
        """Wait (if needed) for room in the window, then count one request."""
        with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.requests:
                    self._sent.append(now)
                    self.count += 1
                    return
                wait = self.window - (now - self._sent[0])
                self._sleep(wait)
