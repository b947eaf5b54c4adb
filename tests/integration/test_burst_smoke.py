"""A reduced ``bench.burst_recovery``: 30 creates through ``syncer drain``, with and without 429s.

The sandbox keeps Notion's 180/60 s limit and adds no latency, so the drains take seconds: a
pacer that halved its budget for each of the burst's four 429s would need minutes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench.burst_recovery import (
    BURST,
    NOTION_RATE,
    RETRY_AFTER,
    TODAY,
    Case,
    drain,
    rows_for,
    weekday_shifts,
)

pytestmark = pytest.mark.integration


def test_a_burst_of_429s_costs_a_drain_seconds_not_minutes(tmp_path: Path) -> None:
    """Four 429s on the first creates add about their Retry-After; every page is still created."""
    shifts = weekday_shifts(TODAY, TODAY + dt.timedelta(days=14))
    case = Case("30 creates", shifts, 0, 0, NOTION_RATE)
    (tmp_path / "clean").mkdir()
    (tmp_path / "burst").mkdir()

    clean = drain(case, burst=False, folder=tmp_path / "clean", timeout=60)
    burst = drain(case, burst=True, folder=tmp_path / "burst", timeout=60)

    assert clean.complete(30), clean
    assert burst.complete(30), burst
    assert (clean.rate_limited, burst.rate_limited) == (0, BURST)
    # Generous for a shared machine; a budget halved four times (to 10 a minute) takes minutes.
    assert burst.wall <= clean.wall + RETRY_AFTER + 10
    context, target = rows_for(case, clean, burst)
    assert context.met == "-"
    assert target.target.startswith("at most 1.5 x")
