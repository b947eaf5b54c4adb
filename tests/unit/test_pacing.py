"""The pacer keeps a run inside its share of the budget and backs off after a 429."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st
from loguru import logger

from syncer.core.errors import Interrupted
from syncer.notion.pacing import DEFAULT_SHARE, RECOVERY_STEPS, Pacer


@dataclass
class FakeTime:
    """A clock that only moves when the pacer sleeps (or the test lets time pass)."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(time: FakeTime, **options: object) -> Pacer:
    return Pacer(180, 60.0, margin=0.0, clock=time.clock, sleep=time.sleep, **options)  # type: ignore[arg-type]


def drain(
    paced: Pacer, time: FakeTime, requests: int, *, bursts_at: Sequence[float] = ()
) -> list[float]:
    """When each of ``requests`` sends went out, sending as fast as the pacer allows.

    Each time in ``bursts_at`` brings four 429s (Retry-After 1 s) with the first send at or
    after it: that request and the three in flight with it, as four keys written at once meet
    one overrun.
    """
    sent: list[float] = []
    pending = sorted(bursts_at)
    while len(sent) < requests:
        paced.acquire()
        sent.append(time.now)
        if pending and time.now >= pending[0]:
            pending.pop(0)
            for _ in range(4):
                paced.rate_limited_by_server(1.0)
    return sent


def per_window(sent: list[float], seconds: float = 60.0) -> list[int]:
    """Sends in each window of ``seconds`` from 0."""
    counts = [0] * (int(max(sent) // seconds) + 1)
    for moment in sent:
        counts[int(moment // seconds)] += 1
    return counts


@pytest.fixture
def info_lines() -> Iterator[list[str]]:
    """The INFO (and worse) lines logged during the test."""
    lines: list[str] = []
    sink = logger.add(lines.append, level="INFO", format="{message}")
    yield lines
    logger.remove(sink)


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


def test_four_429s_of_one_burst_halve_the_rate_once() -> None:
    """Four keys in flight meet one overrun: the first window still carries 90 sends, not 11."""
    time = FakeTime()
    paced = pacer(time)

    sent = drain(paced, time, 200, bursts_at=[0.0])

    assert per_window(sent)[0] == 90
    assert (paced.rate_limited, paced.episodes) == (4, 1)


def test_after_one_burst_the_rate_is_back_to_the_share_in_two_clean_windows() -> None:
    """600 sends that meet one burst: 90, 135, then 180 a window; the burst costs one window."""
    time = FakeTime()
    clean = drain(pacer(time), time, 600)
    time = FakeTime()
    paced = pacer(time)

    burst = drain(paced, time, 600, bursts_at=[0.0])

    assert per_window(clean) == [180, 180, 180, 60]
    assert per_window(burst) == [90, 135, 180, 180, 15]
    assert paced.requests == 180


def test_429s_within_a_window_of_the_pause_are_the_same_episode() -> None:
    """A second burst 60 s after the first does not halve again; it puts the recovery off."""
    time = FakeTime()
    paced = pacer(time)

    sent = drain(paced, time, 600, bursts_at=[0.0, 60.0])

    assert per_window(sent)[:4] == [90, 90, 135, 180]
    assert paced.episodes == 1


def test_bursts_more_than_a_window_apart_are_two_episodes() -> None:
    """A burst during the recovery halves the budget it meets (135 -> 67), which recovers too."""
    time = FakeTime()
    paced = pacer(time)

    sent = drain(paced, time, 900, bursts_at=[0.0, 62.0])

    assert per_window(sent)[:6] == [90, 135, 67, 112, 157, 180]
    assert paced.episodes == 2


def test_one_episode_is_one_line_for_the_user_and_so_is_the_recovery(
    info_lines: list[str],
) -> None:
    """The log says once that the rate was reduced after the burst, and once that it is back."""
    time = FakeTime()

    drain(pacer(time), time, 600, bursts_at=[0.0])

    assert [line.split(":")[0] for line in info_lines] == [
        "notion.pace_reduced",
        "notion.pace_restored",
    ]
    assert "pacing at 90 requests per 60.0 s" in info_lines[0]


def test_a_429_answered_while_a_request_waits_for_room_pauses_that_request() -> None:
    """Another thread's 429 is recorded at once, and the waiting request honours its pause."""
    time = FakeTime()
    answered = threading.Event()

    def response_hook() -> None:  # of a request another worker sent, on that worker's thread
        paced.rate_limited_by_server(90.0)
        answered.set()

    def answer_429_meanwhile(seconds: float) -> None:
        if not answered.is_set():
            helper = threading.Thread(target=response_hook)
            helper.start()
            helper.join(timeout=2)
            assert answered.is_set(), "the 429 waited for the sleeping request"
        time.sleep(seconds)

    paced = Pacer(180, 60.0, margin=0.0, clock=time.clock, sleep=answer_429_meanwhile)
    for _ in range(180):
        paced.acquire()

    paced.acquire()

    assert time.now == 90.0


def test_a_stop_request_is_checked_before_each_request() -> None:
    """The hook raises before anything is sent: the call in flight was the last."""
    time = FakeTime()

    def stop() -> None:
        raise Interrupted(15)

    with pytest.raises(Interrupted):
        pacer(time, before_send=stop).acquire()


# -- the invariant, whatever the order of sends, idle time and 429s --------------------------------

# Whole seconds only: the fake clock then adds exactly, as a real one moves on by itself.
Step = tuple[str, int | None]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(1, 60)),
        st.tuples(st.just("idle"), st.integers(0, 90)),
        st.tuples(st.just("429"), st.one_of(st.none(), st.integers(0, 70))),
    ),
    max_size=25,
)


def replay(paced: Pacer, time: FakeTime, script: list[Step]) -> list[tuple[float, int]]:
    """Run the script; each send's time and the budget in force when it went out."""
    sends: list[tuple[float, int]] = []
    for kind, value in script:
        if kind == "send":
            for _ in range(value or 0):
                paced.acquire()
                sends.append((time.now, paced.requests))
        elif kind == "idle":
            time.now += value or 0
        else:
            paced.rate_limited_by_server(None if value is None else float(value))
    return sends


@given(requests=st.integers(1, 40), script=steps)
def test_no_window_ever_holds_more_sends_than_the_budget_in_force(
    requests: int, script: list[Step]
) -> None:
    """Any window ending at a send holds at most the budget then in force, never above the share."""
    time = FakeTime()
    paced = Pacer(requests, 10.0, margin=0.0, clock=time.clock, sleep=time.sleep)

    sends = replay(paced, time, script)

    for index, (moment, budget) in enumerate(sends):
        in_window = sum(1 for earlier, _ in sends[: index + 1] if moment - earlier < paced.window)
        assert in_window <= budget <= requests


@given(requests=st.integers(1, 40), script=steps)
def test_after_enough_clean_windows_the_whole_share_goes_out_at_once(
    requests: int, script: list[Step]
) -> None:
    """Whatever came before, a pause and four clean windows later the run is at full speed."""
    time = FakeTime()
    paced = Pacer(requests, 10.0, margin=0.0, clock=time.clock, sleep=time.sleep)
    replay(paced, time, script)
    time.now += 70 + (RECOVERY_STEPS + 1) * paced.window  # the longest pause, then clean windows
    started = time.now

    for _ in range(requests):
        paced.acquire()

    assert time.now == started
    assert paced.requests == requests
