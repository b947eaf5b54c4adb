"""The pacer keeps a run inside its share of the budget and backs off after a 429."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from syncer.core.errors import Interrupted
from syncer.notion.pacing import DEFAULT_SHARE, Pacer


@dataclass
class FakeTime:
    """A clock that only moves when the pacer sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(time: FakeTime, **options: object) -> Pacer:
    return Pacer(180, 60.0, margin=0.0, clock=time.clock, sleep=time.sleep, **options)  # type: ignore[arg-type]


def test_a_run_sends_at_most_its_share_in_any_window() -> None:
    """With Notion's 180/60 s, the default share sends 165 at once, then waits for the window."""
    time = FakeTime()
    paced = pacer(time, share=DEFAULT_SHARE)
    for _ in range(165):
        paced.acquire()

    assert time.slept == []
    paced.acquire()
    assert time.now == 60.0


def test_a_429_pauses_every_request_for_retry_after_then_halves_the_rate() -> None:
    """After a 429 with Retry-After 30, the next request waits 30 s; the window allows half."""
    time = FakeTime()
    paced = pacer(time)
    paced.acquire()
    paced.rate_limited_by_server(30.0)

    paced.acquire()

    assert time.now == 30.0
    assert paced.requests == 90
    assert paced.rate_limited == 1


def test_a_stop_request_is_checked_before_each_request() -> None:
    """The hook raises before anything is sent: the call in flight was the last."""
    time = FakeTime()

    def stop() -> None:
        raise Interrupted(15)

    with pytest.raises(Interrupted):
        pacer(time, before_send=stop).acquire()
