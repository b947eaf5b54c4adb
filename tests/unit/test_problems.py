"""The announcement rule: new problems once, open ones again after a while, fixes once."""

from __future__ import annotations

import datetime as dt

from syncer.core import Key, RawKey, RunId
from syncer.core.problems import OpenProblem, Problem, RunView, decide

NOW = dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC)
DAY = dt.timedelta(hours=24)
KEY = Key(dt.date(2026, 3, 11), "AM")
BAD = Problem("bad_row", KEY, "schedule row 3: malformed email")
DOWN = Problem("run_failed", "unreachable", "cannot reach")


def opened(problem: Problem, hours_ago: float = 1) -> OpenProblem:
    at = NOW - dt.timedelta(hours=hours_ago)
    return OpenProblem(problem, at, at, RunId(1))


def test_a_new_problem_is_announced_and_kept_open() -> None:
    """First sight: announce it, remember it."""
    decision = decide([], RunView("partial", (BAD,), None, RunId(2)), now=NOW, repeat_after=DAY)

    assert decision.new == (BAD,)
    assert [item.problem for item in decision.still_open] == [BAD]
    assert decision.worth_announcing


def test_an_open_problem_is_quiet_until_repeat_after() -> None:
    """Seen again within a day: nothing to say; after a day: once more."""
    soon = decide(
        [opened(BAD)], RunView("partial", (BAD,), None, RunId(2)), now=NOW, repeat_after=DAY
    )
    late = decide(
        [opened(BAD, 25)], RunView("partial", (BAD,), None, RunId(2)), now=NOW, repeat_after=DAY
    )

    assert not soon.worth_announcing
    assert late.repeated == (BAD,)
    assert late.still_open[0].last_announced == NOW


def test_a_key_problem_resolves_only_when_the_run_looked_at_its_key() -> None:
    """A drain of other keys says nothing about it; one that planned the key resolves it."""
    elsewhere = RunView("succeeded", (), frozenset({Key(dt.date(2026, 3, 12), "PM")}), RunId(3))
    here = RunView("succeeded", (), frozenset({KEY}), RunId(4))

    kept = decide([opened(BAD)], elsewhere, now=NOW, repeat_after=DAY)
    fixed = decide([opened(BAD)], here, now=NOW, repeat_after=DAY)

    assert (kept.resolved, len(kept.still_open)) == ((), 1)
    assert (fixed.resolved, fixed.still_open) == ((BAD,), ())


def test_a_failed_run_resolves_with_the_next_run_that_does_not_fail() -> None:
    """Notion unreachable stays open through failed runs and clears on a good one."""
    failed = decide(
        [opened(DOWN)], RunView("failed", (), frozenset(), RunId(5)), now=NOW, repeat_after=DAY
    )
    good = decide(
        [opened(DOWN)], RunView("succeeded", (), frozenset(), RunId(6)), now=NOW, repeat_after=DAY
    )

    assert failed.resolved == ()
    assert good.resolved == (DOWN,)


def test_a_bad_rows_key_read_back_from_the_store_is_the_same_problem() -> None:
    """The store keeps a key as text: an unknown rotation's raw key may come back as a Key.
    Still one problem: not announced again, kept once, resolved when its key is looked at."""
    raw = RawKey("2026-03-11", "Night")
    found = Problem("bad_row", raw, "schedule row 2: unknown rotation 'Night'")
    stored = opened(Problem("bad_row", Key(dt.date(2026, 3, 11), "Night"), found.detail))

    again = decide(
        [stored], RunView("partial", (found,), None, RunId(2)), now=NOW, repeat_after=DAY
    )
    fixed = decide(
        [stored], RunView("succeeded", (), frozenset({raw}), RunId(3)), now=NOW, repeat_after=DAY
    )

    assert again.new == ()
    assert len(again.still_open) == 1
    assert fixed.resolved == (stored.problem,)
    assert fixed.still_open == ()
