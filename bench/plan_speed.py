"""CPU time of the pure core planning 10,000 keys (target: under 1 s). Standard library only.

Run: ``.venv/bin/python -m bench.plan_speed [--keys 10000] [--repeat 5] [--output PATH]``.
Prints a Markdown report (machine, then the median and spread of ``time.process_time`` over the
repeats for each step); ``--output`` also writes it to a file, e.g. ``docs/benchmarks.md``.

The reconcile input is a realistic mix: most pages in sync, some edited by hand, some duplicated,
some trashed by hand, some unmapped (a lost mapping), orphans with no rows, and a few bad rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import (
    Key,
    MappingRecord,
    PageContent,
    PageId,
    Person,
    Plan,
    RawKey,
    RemotePage,
    Rotations,
    RotationWindow,
    SourceRow,
)
from syncer.core.codec import Codec, PropertyNames, content_for
from syncer.core.planner import Calendar, plan_changes, plan_reconcile
from syncer.core.projection import Projection, project, week_start

TZ = ZoneInfo("Europe/London")
NAMES = PropertyNames()
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, TZ)


def codec(tz: dt.tzinfo) -> Codec:
    """The codec writing dates in ``tz``."""
    return Codec(NAMES, DEFAULT_ROTATIONS, tz)


ROTATIONS = Rotations(
    (
        RotationWindow("AM", dt.time(9), dt.time(12)),
        RotationWindow("Core", dt.time(12), dt.time(18)),
        RotationWindow("PM", dt.time(18), dt.time(21)),
    )
)
TODAY = dt.date(2026, 6, 17)
TARGET_S = 1.0


@dataclass(frozen=True)
class Inputs:
    """Everything the planner is handed, built once outside the timed region."""

    rows: list[SourceRow]
    people: dict[str, Person]
    projection: Projection
    desired: dict[Key, PageContent]
    mapping: dict[Key, MappingRecord]
    properties: list[tuple[str, str, dict[str, object]]]  # page id, database, Notion JSON
    remote: list[RemotePage]
    calendar: Calendar


def build(n_keys: int) -> Inputs:
    """n_keys keys ending three weeks after TODAY, with the drift mix described above."""
    emails = [f"engineer{i}@example.com" for i in range(40)]
    people = {e: Person(f"user-{i}", f"Engineer {i}", e) for i, e in enumerate(emails[:36])}
    last = TODAY + dt.timedelta(weeks=3)
    days = (n_keys + len(ROTATIONS) - 1) // len(ROTATIONS)
    keys = [
        Key(last - dt.timedelta(days=d), rotation)
        for d in range(days)
        for rotation in ROTATIONS.names
    ][:n_keys]
    rows = [
        SourceRow("schedule", i, RawKey(k.date.isoformat(), k.rotation), emails[i % len(emails)])
        for i, k in enumerate(keys)
    ]
    rows += [  # overrides on every 7th key, and a bad row now and then
        SourceRow(
            "override", i, RawKey(k.date.isoformat(), k.rotation), emails[(i * 7) % len(emails)]
        )
        for i, k in enumerate(keys)
        if i % 7 == 0
    ]
    rows += [
        SourceRow("override", -i, RawKey(k.date.isoformat(), k.rotation), "")
        for i, k in enumerate(keys)
        if i % 997 == 5
    ]
    projection = project(rows, rotations=ROTATIONS, tz=TZ)
    desired = {k: content_for(s, people) for k, s in projection.shifts.items()}
    calendar = Calendar(week_start(TODAY), history_since=keys[-1].date)

    mapping: dict[Key, MappingRecord] = {}
    properties: list[tuple[str, str, dict[str, object]]] = []
    for i, (key, content) in enumerate(sorted(desired.items())):
        database = calendar.database_for(key)
        page_id = PageId(f"page-{i}")
        seen = content
        if i % 20 == 1:  # 5%: edited by hand
            seen = replace(content, name="edited by hand", final_email="someone@example.com")
        if i % 100 != 2:  # 1%: trashed by hand (mapped, not listed)
            properties.append((page_id, database, codec(TZ).encode(seen)))
        if i % 50 == 3:  # 2%: a duplicate made by a retried create
            properties.append((f"dup-{i}", database, codec(TZ).encode(content)))
        if i % 100 != 4:  # 1%: mapping lost (adopt by Sync Key)
            mapping[key] = MappingRecord(key, database, page_id, content.digest)
    for i in range(n_keys // 100):  # 1%: orphans whose rows are gone, one page without Sync Key
        gone = Key(dt.date(2030, 1, 1 + i % 28), ROTATIONS.names[i % len(ROTATIONS)])
        orphan = replace(next(iter(desired.values())), key=gone)
        properties.append((f"orphan-{i}", "calendar", codec(TZ).encode(orphan)))
    properties.append(("notes", "calendar", {NAMES.name: {"title": []}}))
    remote = read_back(properties)
    return Inputs(rows, people, projection, desired, mapping, properties, remote, calendar)


def read_back(properties: list[tuple[str, str, dict[str, object]]]) -> list[RemotePage]:
    return [
        RemotePage(PageId(pid), "past" if db == "past" else "calendar", CODEC.decode(props), pid)
        for pid, db, props in properties
    ]


def drain_input(inputs: Inputs) -> dict[Key, PageContent | None]:
    """A drain of every key at once (the worst case: every key dirty)."""
    keys = set(inputs.desired) | set(inputs.mapping)
    return {k: inputs.desired.get(k) for k in keys - inputs.projection.blocked}


def steps(inputs: Inputs) -> dict[str, Callable[[], object]]:
    """The timed steps: planning alone (the target), and the whole pure pipeline for context."""
    drain_desired = drain_input(inputs)

    def whole_reconcile() -> Plan:
        projection = project(inputs.rows, rotations=ROTATIONS, tz=TZ)
        desired = {k: content_for(s, inputs.people) for k, s in projection.shifts.items()}
        remote = read_back(inputs.properties)
        return plan_reconcile(desired, inputs.mapping, remote, inputs.calendar, projection.blocked)

    return {
        "plan_reconcile": lambda: plan_reconcile(
            inputs.desired,
            inputs.mapping,
            inputs.remote,
            inputs.calendar,
            inputs.projection.blocked,
        ),
        "plan_changes (every key dirty)": lambda: plan_changes(
            drain_desired, inputs.mapping, inputs.calendar
        ),
        "project + content_for + decode + plan_reconcile": whole_reconcile,
    }


def cpu_seconds(step: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return times


def machine() -> str:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        uname = platform.platform()
    return "\n".join(
        [
            f"uname -a: {uname.strip()}",
            f"CPU: {cpu} ({os.cpu_count()} logical CPUs)",
            f"Python: {platform.python_implementation()} {platform.python_version()}",
        ]
    )


def report(n_keys: int, repeat: int) -> str:
    inputs = build(n_keys)
    plan = plan_reconcile(
        inputs.desired, inputs.mapping, inputs.remote, inputs.calendar, inputs.projection.blocked
    )
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(plan.counts().items()))
    lines = [
        "# Pure core planning speed",
        "",
        f"Measured with `python -m bench.plan_speed --keys {n_keys} --repeat {repeat}`: CPU time",
        "(`time.process_time`) of each step, median of the repeats (min-max in brackets).",
        "",
        f"Input: {len(inputs.desired):,} keys with rows and {len(inputs.projection.blocked)}"
        f" blocked by bad rows; {len(inputs.remote):,} pages listed; {len(inputs.mapping):,}"
        " mapped.",
        f"Today is {TODAY}: all but this week and the next three are history in PAST CALENDAR,",
        "where hand edits are skipped rather than reverted. Orphans are adopted, then trashed.",
        f"The reconcile plan: {counts}.",
        "",
        "## Machine",
        "",
        "```",
        machine(),
        "```",
        "",
        f"## CPU time (target: planning {n_keys:,} keys under {TARGET_S:.0f} s)",
        "",
        "| step | median | min-max | target |",
        "|---|---|---|---|",
    ]
    for name, step in steps(inputs).items():
        times = cpu_seconds(step, repeat)
        median = statistics.median(times)
        verdict = (
            "context"
            if name.startswith("project")
            else (f"< {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'}")
        )
        lines.append(
            f"| {name} | {median * 1000:.0f} ms | {min(times) * 1000:.0f}-"
            f"{max(times) * 1000:.0f} ms | {verdict} |"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    lines += [
        "",
        f"Load average when measured: {load}. CPU time excludes waiting for a CPU, so a shared",
        "machine changes it less than wall time; planning alone is well inside the target.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    text = report(args.keys, args.repeat)
    print(text, end="")
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
