"""The campaign's figures, as text for the terminal and Markdown for docs/reliability.md."""

from __future__ import annotations

import os
import platform
from collections import Counter
from pathlib import Path

from tests.chaos.scenario import Result, replay_command

# What is checked, what is left out, and the kinds found: the report's fixed part.
NOTES = (Path(__file__).with_name("notes.md")).read_text(encoding="utf-8")


def _totals(results: list[Result]) -> dict[str, object]:
    faults: Counter[str] = Counter()
    hand: Counter[str] = Counter()
    local: Counter[str] = Counter()
    for result in results:
        faults.update(result.faults)
        hand.update(result.hand_edits)
        local.update(result.local_edits)
    return {"faults": faults, "hand": hand, "local": local}


def summary(results: list[Result], elapsed: float, jobs: int) -> str:
    """A few lines for the terminal."""
    failed = [r for r in results if r.violations]
    totals = _totals(results)
    faults = totals["faults"]
    assert isinstance(faults, Counter)
    lines = [
        f"{len(results)} scenarios in {elapsed:.0f} s ({jobs} jobs): "
        f"{sum(len(r.violations) for r in results)} violations in {len(failed)} scenarios",
        f"faults fired: {sum(faults.values())}; kills: {sum(r.kills for r in results)}; "
        f"concurrent drains: {sum(r.concurrent for r in results)}; "
        f"syncer runs: {sum(r.runs for r in results)}",
    ]
    lines += [f"FAILED seed {r.seed}: {replay_command(r.seed)}" for r in failed]
    return "\n".join(lines)


def _machine() -> str:
    cores = os.cpu_count() or 1
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


def _table(title: str, counts: Counter[str], results: list[Result], field: str) -> list[str]:
    """Counts per kind, with the first seeds that exercise each (each one a replayable case)."""
    lines = [f"| {title} | count | first seeds |", "|---|---:|---|"]
    for name, count in sorted(counts.items()):
        seeds = [r.seed for r in results if getattr(r, field).get(name)][:3]
        lines.append(f"| {name} | {count:,} | {', '.join(map(str, seeds))} |")
    return [*lines, ""]


def render(results: list[Result], elapsed: float, jobs: int, first_seed: int) -> str:
    """docs/reliability.md."""
    failed = [r for r in results if r.violations]
    totals = _totals(results)
    faults, hand, local = totals["faults"], totals["hand"], totals["local"]
    assert isinstance(faults, Counter)
    assert isinstance(hand, Counter)
    assert isinstance(local, Counter)
    violations = sum(len(r.violations) for r in results)
    last_seed = first_seed + len(results) - 1
    lines = [
        "# Reliability: the fault campaign",
        "",
        "Written by `make chaos` (`python -m tests.chaos`); the scenarios, the oracle and the",
        "invariants are described in `tests/chaos/scenario.py` and `tests/chaos/oracle.py`.",
        "Each scenario has its own sandbox (a thread on 127.0.0.1) and temporary folder, makes a",
        "random schedule and edits it with plain sqlite3, edits, trashes and duplicates pages with",
        "the sandbox's second token, arms random faults on every endpoint, runs `syncer drain`",
        "(as a child process killed with SIGKILL at random points, or two at once, or in the",
        "runner's process) with alerts going to a webhook receiver of its own, turns `--today`",
        "across week boundaries (clock changes in Europe/London included), then lifts the",
        "faults, runs a clean drain and reconcile, and checks the invariants.",
        "",
        "## Latest run",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| scenarios | {len(results):,} (seeds {first_seed}..{last_seed}) |",
        f"| wall time | {elapsed / 60:.1f} min on {jobs} parallel jobs ({_machine()}) |",
        f"| `syncer` runs | {sum(r.runs for r in results):,} |",
        f"| of which child processes | {sum(r.children for r in results):,} |",
        f"| alerts received by the webhook | {sum(r.alerts for r in results):,} |",
        f"| faults fired | {sum(faults.values()):,} |",
        f"| drains killed with SIGKILL | {sum(r.kills for r in results):,} |",
        f"| pairs of drains started at once | {sum(r.concurrent for r in results):,} |",
        f"| drains with the file held `BEGIN EXCLUSIVE` | {sum(r.locks for r in results):,} |",
        f"| of which past the 10 s busy timeout | {sum(r.long_locks for r in results):,} |",
        f"| app resets (both tables dropped, re-created) | {sum(r.resets for r in results):,} |",
        f"| runs of a second schedule file on the same databases | "
        f"{2 * sum(r.second_files for r in results):,} |",
        f"| week turns | {sum(r.weeks - 1 for r in results):,} |",
        f"| scenarios crossing a clock change | {sum(r.dst for r in results):,} |",
        f"| **violations** | **{violations}** |",
        "",
        "## Faults by kind",
        "",
        *_table("fault (kind and status)", faults, results, "faults"),
        "## Edits",
        "",
        *_table("local edit (plain sqlite3)", local, results, "local_edits"),
        *_table("hand edit (second token)", hand, results, "hand_edits"),
        "## Failures",
        "",
    ]
    if not failed:
        lines.append("None.")
    for result in failed:
        lines += [f"- seed {result.seed}: `{replay_command(result.seed)}`"]
        lines += [f"  - {v.splitlines()[0]}" for v in result.violations[:5]]
    return "\n".join(lines) + "\n\n" + NOTES
