"""The one owner of retries: what it retries, how long it waits, when it gives up, what it tells."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from syncer.core.errors import NotionError, notion_error
from syncer.notion.retry import UNREACHABLE_ATTEMPTS, RetryDetails, RetryPolicy

WAITS = (0.0, 2.0, 4.0, 8.0, 16.0)


def failing(errors: list[NotionError], result: str = "done") -> Callable[[], str]:
    """A step that raises the given errors in turn, then returns ``result``."""
    queue = list(errors)

    def step() -> str:
        if queue:
            raise queue.pop(0)
        return result

    return step


def policy(slept: list[float], jitter: float = 0.0) -> RetryPolicy:
    return RetryPolicy(WAITS, slept.append, lambda: jitter)


def test_transient_errors_are_retried_on_the_configured_waits() -> None:
    """Three 503s: the step succeeds on the fourth attempt after waiting 0, 2 and 4 s."""
    slept: list[float] = []
    step = failing([notion_error("busy", status=503)] * 3)

    assert policy(slept).call("update", step) == "done"
    assert slept == [0.0, 2.0, 4.0]


def test_jitter_adds_at_most_a_tenth_of_each_wait() -> None:
    """With the largest jitter the waits grow by 10%, never more."""
    slept: list[float] = []
    policy(slept, jitter=0.999).call("update", failing([notion_error("x", status=500)] * 2))

    assert slept[0] == 0.0
    assert 2.0 < slept[1] < 2.2


def test_retry_after_wins_over_the_schedule() -> None:
    """A 429 with Retry-After 7 waits exactly 7 s, whatever the schedule says."""
    slept: list[float] = []
    limited = notion_error("slow down", status=429, retry_after=7)

    policy(slept).call("create", failing([limited, limited]))

    assert slept == [7.0, 7.0]


@pytest.mark.parametrize(
    "error",
    [
        notion_error("bad", status=400),
        notion_error("no token", status=401),
        notion_error("not shared", status=404),
        notion_error("blocked", status=429, blocked=True),
    ],
    ids=["validation", "unauthorized", "not_found", "blocked"],
)
def test_permanent_errors_are_raised_at_once(error: NotionError) -> None:
    """A request that is wrong, unauthorised, aimed at nothing or blocked is not retried."""
    slept: list[float] = []
    with pytest.raises(NotionError) as raised:
        policy(slept).call("update", failing([error]))

    assert raised.value is error
    assert slept == []


def test_a_conflict_is_retried() -> None:
    """A 409 is worth another attempt (the executor re-reads before it)."""
    slept: list[float] = []
    assert policy(slept).call("update", failing([notion_error("x", status=409)])) == "done"
    assert slept == [0.0]


def test_the_last_error_is_raised_when_the_waits_run_out() -> None:
    """Six 503s exhaust one attempt plus five retries: the sixth error reaches the caller."""
    slept: list[float] = []
    errors = [notion_error(f"busy {n}", status=503) for n in range(6)]

    with pytest.raises(NotionError) as raised:
        policy(slept).call("update", failing(errors))

    assert raised.value is errors[-1]
    assert slept == list(WAITS)


def test_an_unreachable_host_is_given_up_after_two_attempts_with_a_short_wait() -> None:
    """A refused connection will not be accepted in 30 s: two attempts, at most a second apart."""
    slept: list[float] = []
    errors = [notion_error("no connection", code="unreachable")] * 5

    with pytest.raises(NotionError):
        RetryPolicy((3.0, 3.0, 3.0), slept.append, lambda: 0.0).call("query", failing(errors))

    assert len(slept) == UNREACHABLE_ATTEMPTS - 1
    assert slept == [1.0]


def test_each_retry_is_told_with_its_details() -> None:
    """The hook learns the step, the attempt, the wait, the error and whether it may land late."""
    told: list[RetryDetails] = []
    step = failing([notion_error("timed out", code="timeout"), notion_error("x", status=503)])

    RetryPolicy(WAITS, lambda s: None, lambda: 0.0).call("create", step, on_retry=told.append)

    assert [(d.name, d.attempt, d.wait, d.may_land_late) for d in told] == [
        ("create", 1, 0.0, True),
        ("create", 2, 2.0, False),
    ]
    assert "timed out" in told[0].error
