"""Stay inside Notion's request budget, so that a healthy run never sees a 429.

A sliding-window log: at most ``requests`` sends in any ``per_seconds`` window (plus a small
margin for network jitter). Any fixed window the server may use is inside some sliding window,
so this is safe whatever Notion's windowing. The pacer aims below the budget (``share``, 165 of
Notion's 180 by default), because the budget belongs to the integration, and another user of
the same token (a `notion init` a second earlier, a second environment) spends from it too.

After a 429 every request waits out ``Retry-After``, and the budget is halved once per *episode*:
the 429s that arrive while that pause is in force, or within one window after it, answer requests
sent at the old rate (four keys in flight meet one overrun with four 429s), and halving for each of
them would take 165 down to 10 for one overrun. Then the budget recovers additively, as TCP's
window does after a loss, but in steps of a quarter of the share per clean window (a window without
a 429): the share is known to fit Notion's budget, and a 429 is most often a passing burst of
another user of the token, so one halving is undone after two clean windows and any budget after at
most four (TCP's step, one more per window, would need 83 windows from 82). A 429 after the episode
is a new one and halves the budget it meets: while the token is busy elsewhere, the run halves
again whenever it climbs past what is left of the budget, instead of holding a rate that no longer
fits. The log counts every send against the budget in force when it goes out: a step up allows only
the step at once, and after a halving nothing is sent until the window holds fewer sends than the
new budget. The clock and the sleep are injected.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from loguru import logger

DEFAULT_SHARE = 165 / 180  # what a run allows itself of the integration's budget
RECOVERY_STEPS = 4  # clean windows that bring any reduced budget back to the share


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
        self.configured = max(1, math.floor(requests * share))
        self.requests = self.configured  # the budget in force: lower after a 429
        self.window = per_seconds + margin
        self._step = math.ceil(self.configured / RECOVERY_STEPS)
        self._clock = clock
        self._sleep = sleep
        self._before_send = before_send
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._episode_until = -math.inf  # a 429 before this belongs to the last episode
        self._recover_at = math.inf  # when the budget may next step up
        self.count = 0
        self.rate_limited = 0
        self.episodes = 0

    def acquire(self) -> None:
        """Wait (if needed) for room in the window, then count one request."""
        if self._before_send is not None:
            self._before_send()
        while True:
            # Sleep outside the lock: a 429 answered meanwhile must be recorded when it comes,
            # so that this request honours its pause and its episode is timed right.
            with self._lock:
                now = self._clock()
                wait = self._wait(now)
                if wait <= 0:
                    self._sent.append(now)
                    self.count += 1
                    return
            self._sleep(wait)

    def rate_limited_by_server(self, retry_after: float | None) -> None:
        """Notion answered 429: pause every request for ``Retry-After``; halve once per episode."""
        with self._lock:
            now = self._clock()
            self.rate_limited += 1
            self._recover(now)  # the budget this 429 meets, whether or not a request came since
            same_episode = now < self._paused_until or now < self._episode_until
            if retry_after is not None and retry_after > 0:
                self._paused_until = max(self._paused_until, now + retry_after)
            # Recovery needs a whole clean window after the pause, whichever 429 set it.
            self._recover_at = max(self._recover_at, self._paused_until + self.window)
            if not same_episode:
                self._start_episode(now)

    def _start_episode(self, now: float) -> None:
        self.episodes += 1
        self.requests = max(1, self.requests // 2)
        # Fixed when the episode starts: 429s that keep coming after it mean the halved rate
        # is still too much, and must halve it again rather than prolong this episode.
        self._episode_until = max(now, self._paused_until) + self.window
        # A budget of 1 cannot be halved, so it has nothing to recover from.
        self._recover_at = self._episode_until if self.requests < self.configured else math.inf
        logger.bind(budget=self.requests, window=self.window).info(
            "notion.pace_reduced: Notion answered 429; pacing at {} requests per {:.1f} s "
            "until a window passes without one",
            *self._pace(),
        )

    def _wait(self, now: float) -> float:
        """Seconds until a request may be sent at ``now`` (0: at once)."""
        if now < self._paused_until:
            return self._paused_until - now
        self._recover(now)
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) < self.requests:
            return 0.0
        # Wake for whichever comes first: room in the window, or the next step up.
        return min(self.window - (now - self._sent[0]), self._recover_at - now)

    def _recover(self, now: float) -> None:
        """Step the budget up by one step for each clean window that has passed."""
        if now < self._recover_at:
            return
        while self.requests < self.configured and now >= self._recover_at:
            self.requests = min(self.configured, self.requests + self._step)
            self._recover_at += self.window
        log = logger.bind(budget=self.requests, window=self.window)
        if self.requests < self.configured:
            log.debug("notion.pace_raised: pacing at {} requests per {:.1f} s", *self._pace())
            return
        self._recover_at = math.inf
        log.info("notion.pace_restored: pacing at {} requests per {:.1f} s again", *self._pace())

    def _pace(self) -> tuple[int, float]:
        return self.requests, self.window
