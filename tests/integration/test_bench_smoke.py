"""A reduced `make bench`: syncer and the rewrite-all peer on a one-day schedule, no latency.

The harness must count each tool's requests from the sandbox's log by token, and its independent
check must find the Notion state right after each sync, and wrong against another schedule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench import rewrite_all_peer
from bench.harness import (
    TODAY,
    Step,
    check_state,
    key_of,
    measure,
    reassign,
    sandbox_for,
    weekday_rows,
)
from bench.peers import FACTORIES as TOOLS
from bench.run_all import peer_figures

pytestmark = pytest.mark.integration


def test_syncer_and_the_rewrite_all_peer_on_one_day(tmp_path: Path) -> None:
    """Request counts by token, the independent check, and syncer's targets met, on one day."""
    day = weekday_rows(TODAY, end=TODAY + dt.timedelta(days=1))
    assert len(day) == 3
    steps: list[Step] = []
    with sandbox_for(("syncer", "rewrite-all"), ("window",), 0, 0, None) as sandbox:
        for name in ("syncer", "rewrite-all"):
            tool = TOOLS[name](sandbox, tmp_path, "window", paced=False)
            try:
                tool.write(day)
                first = measure(tool, "first sync", 3, "drain")
                tool.regenerate(day)
                same = measure(tool, "identical regeneration", 3, "drain")
                tool.change(reassign(sorted(tool.schedule.values()), 1))
                one = measure(tool, "1 changed shift", 3, "drain")
                steps += [first, same, one]
                assert (first.correct, same.correct, one.correct) == (True, True, True), steps
                assert [s.error for s in (first, same, one)] == ["", "", ""]
                if name == "syncer":
                    assert first.writes == 3 + 2  # and both databases claimed for the file
                    assert (same.requests, one.requests, one.writes) == (0, 1, 1)
                else:  # users + one query, then every row rewritten, every time
                    assert [s.requests for s in (first, same, one)] == [5, 5, 5]
                    assert [s.writes for s in (first, same, one)] == [3, 3, 3]
                # The independent check sees a page that differs from the schedule.
                expected = dict(tool.schedule)
                key = key_of(day[0])
                expected[key] = (day[0][0], day[0][1], "someone@example.com")
                ok, problems = check_state(sandbox, tool.database_ids, tool.layout, expected)
                assert not ok
                assert "1 wrong" in problems
            finally:
                tool.close()
    figures = peer_figures({"rate_limit": None, "steps": [vars(s) for s in steps]}, "compare")
    ours = [f for f in figures if f.figure.startswith("syncer")]
    assert [f.met for f in ours] == ["yes", "yes", "yes"], ours


def test_the_rewrite_all_peer_writes_every_property() -> None:
    """The baseline rewrites the key, the person and the date-only day of every row."""
    row = ("2026-11-25", "AM", "Ada@Example.com")
    props = rewrite_all_peer.properties(row, {"ada@example.com": "u1"})
    assert props["Sync Key"]["title"][0]["text"]["content"] == "2026-11-25/AM"
    assert props["Engineer"]["people"] == [{"object": "user", "id": "u1"}]
    assert props["Date"] == {"date": {"start": "2026-11-25"}}


def test_the_reads_at_the_floor_figure_measures_a_no_drift_reconcile(tmp_path: Path) -> None:
    """bench.reads_floor at 100 pages: the reconcile sends its 3 queries and nothing else."""
    from bench.engine_scenarios import EMAILS
    from bench.reads_floor import no_drift_reconcile
    from syncer.sandbox.server import serve_in_thread
    from syncer.sandbox.settings import SandboxSettings

    settings = SandboxSettings(port=0, rate_limit=None, latency_ms=0, jitter_ms=0)
    with serve_in_thread(settings) as sandbox:
        for index, email in enumerate(EMAILS):
            sandbox.add_user(f"Engineer {index}", email)
        row = no_drift_reconcile(sandbox, tmp_path, 100)

    assert row.ok, row
    assert row.measured.startswith("3 requests (3 queries, 0 other reads), 0 writes")
