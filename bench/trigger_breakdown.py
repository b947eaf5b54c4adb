"""Where change capture's cost goes: instructions of the app's two writes under variant triggers.

Run: ``.venv/bin/python -m bench.trigger_breakdown [--rows N] [--layouts N]`` (about five
minutes; needs valgrind). Not part of ``make bench``: it backs the "where the time goes" table
in ``docs/benchmarks.md``. Each variant is a set of CREATE statements installed in place of
syncer's triggers on a fresh migrated file, and measured as ``bench.trigger_overhead`` measures
(instructions of the write alone, callgrind). The variants take syncer's triggers apart: a
trigger that writes nothing prices what SQLite charges for any trigger, and the steps after it
add one piece each.

A count is exact for one file, but the same triggers in a file laid out differently (their text
a few bytes longer, created in another order) can count up to about 1.5% more or less: the
schema SQLite parses shapes the heap its later allocations come from. ``--layouts N`` measures
revision 0003's triggers and head's in N such layouts, to tell a change from that spread.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.capture_driver import scenarios
from bench.trigger_overhead import instructions, make_files, revision_triggers
from syncer.store import migrate

NOTHING = "CREATE TRIGGER probe AFTER INSERT ON oncall_schedule BEGIN SELECT 1; END"
ONE_COLUMN = [
    "CREATE TABLE probe_log (id INTEGER PRIMARY KEY, x)",
    "CREATE TRIGGER probe AFTER INSERT ON oncall_schedule "
    "BEGIN INSERT INTO probe_log (x) VALUES (NEW.id); END",
]


def variants() -> dict[str, dict[str, list[str]]]:
    """Per scenario kind, the trigger sets to measure, in the order the table reads."""
    old = revision_triggers("0003")
    new = list(revision_triggers("0007").values())
    after_insert = old["sync_schedule_after_insert"]
    return {
        "bulk": {
            "a trigger that writes nothing (AFTER INSERT ... SELECT 1)": [NOTHING],
            "an AFTER INSERT trigger writing a one-column row": ONE_COLUMN,
            "0003's AFTER INSERT alone (the full log row)": [after_insert],
            "the same, a constant in place of julianday()": [
                after_insert.replace("julianday()", "0.0")
            ],
            "0003 (adds its BEFORE INSERT, whose WHEN is false here)": list(old.values()),
            "0007 (BEFORE INSERT's columns in table order)": new,
        },
        "upsert": {
            "0003 without its four BEFORE triggers": [
                sql for name, sql in old.items() if "_before_" not in name
            ],
            "0003 without the schedule's BEFORE UPDATE": [
                sql for name, sql in old.items() if name != "sync_schedule_before_update"
            ],
            "0003": list(old.values()),
            "0007 (BEFORE UPDATE OF id: left out of this statement)": new,
        },
    }


Job = tuple[str, str, list[str] | None]  # (scenario kind, label, CREATE statements or none)


def measure(jobs: list[Job], rows: int) -> dict[tuple[str, str], int]:
    """Instructions of each job's write, by (kind, label)."""
    table = scenarios(rows)
    names = dict(zip(("bulk", "upsert"), list(table)[:2], strict=True))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        # Files first, one at a time: Alembic's `op` is one global, so migrations cannot overlap.
        measured: list[tuple[Path, str]] = []
        for kind, _, triggers in jobs:
            files = make_files(Path(tempfile.mkdtemp(dir=root)), triggers)
            source = files.plain if triggers is None else files.captured
            measured.append((source[table[names[kind]].schema], names[kind]))
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            found = pool.map(lambda job: instructions(job[0], job[1], rows, root), measured)
            return {(kind, label): n for (kind, label, _), n in zip(jobs, found, strict=True)}


def breakdown(rows: int) -> None:
    jobs: list[Job] = [(kind, "no triggers", None) for kind in ("bulk", "upsert")]
    jobs += [(kind, label, sql) for kind, sets in variants().items() for label, sql in sets.items()]
    counts = measure(jobs, rows)
    for kind, name in zip(("bulk", "upsert"), list(scenarios(rows))[:2], strict=True):
        base = counts[(kind, "no triggers")]
        print(f"{name}: {base / 1e6:.2f} M instructions without triggers")
        for label in variants()[kind]:
            n = counts[(kind, label)]
            per_row = (n - base) / rows
            print(f"  {label:62} {n / 1e6:8.2f} M  {n / base:5.3f}x  +{per_row:,.0f} per row")


def layouts(rows: int, count: int) -> None:
    """0003's and head's ratios in ``count`` layouts: text padded by 37k bytes, order rotated."""
    sets = {
        revision: list(revision_triggers(revision).values())
        for revision in ("0003", migrate.CAPTURE_REVISION)
    }
    jobs: list[Job] = []
    for k in range(count):
        for revision, triggers in sets.items():
            laid = _laid_out(triggers, k)
            jobs += [(kind, f"{revision} {k}", laid) for kind in ("bulk", "upsert")]
        jobs += [(kind, f"none {k}", None) for kind in ("bulk", "upsert")]
    counts = measure(jobs, rows)
    for kind in ("bulk", "upsert"):
        for revision in sets:
            ratios = [
                counts[(kind, f"{revision} {k}")] / counts[(kind, f"none {k}")]
                for k in range(count)
            ]
            shown = ", ".join(f"{r:.3f}" for r in ratios)
            print(f"{kind:6} {revision}: {min(ratios):.3f}x-{max(ratios):.3f}x ({shown})")


def _laid_out(triggers: list[str], k: int) -> list[str]:
    padded = [sql.replace("BEGIN", f"BEGIN /*{'.' * 37 * k}*/", 1) for sql in triggers]
    return padded[k:] + padded[:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the bulk writes")
    parser.add_argument("--layouts", type=int, help="compare 0003 and head in this many layouts")
    args = parser.parse_args()
    if args.layouts:
        layouts(args.rows, args.layouts)
    else:
        breakdown(args.rows)


if __name__ == "__main__":
    main()
