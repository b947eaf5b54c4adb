"""What change capture costs the app: its writes with and without syncer's triggers.

Run: ``.venv/bin/python -m bench.trigger_overhead [--repeat N] [--revision REV] [--wall-only]``
(``--revision 0003`` measures the triggers of an earlier revision, for a before/after).

Each scenario (``bench/capture_driver.py``) runs on two copies of one migrated file, one with
syncer's triggers and one with them dropped, so the triggers are the only difference. Two
schemas: syncer's own (revision 0001's tables, as syncer creates them) and the upstream app's
own DDL (its migrations 001 and 003), which the app's upsert needs for its unique
(date, rotation) index. The writer is stdlib ``sqlite3`` in WAL mode, as a foreign app would be.

Two measurements, each a ratio with triggers / without:

* **Instructions**, counted by valgrind's callgrind in a process that runs one write: the count
  of the ``run`` phase minus that of a ``setup`` phase that stops just before the write, each on
  a fresh copy of the file. A count does not move with the machine's load, so these processes
  run in parallel, and these ratios carry the targets. Two settings keep the count honest: a
  fixed hash seed, and glibc's ``rep movsb``/``rep stosb`` thresholds raised out of reach,
  because valgrind counts every iteration of a ``rep``-prefixed copy as an instruction, which
  would make a 4 KiB page copy (a hundred cycles) weigh as much as thousands of instructions.
* **Wall clock**: the median of N runs of each copy, interleaved (without, with, with, without,
  ...) so that drift in the machine's load falls on both alike; every run starts from the same
  state, and includes the COMMIT.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.capture_driver import Scenario, Schema, connect, prepare, scenarios
from syncer.store import migrate, upgrade

DRIVER = Path(__file__).resolve().parent / "capture_driver.py"
# valgrind would count each byte of a rep-prefixed copy; these make glibc use vector loops.
GLIBC_TUNABLES = (
    "glibc.cpu.x86_rep_movsb_threshold=0x40000000:glibc.cpu.x86_rep_stosb_threshold=0x40000000"
)
# The upstream app's DDL for the two tables (migrations 001 and 003 of oncall-scheduler).
APP_DDL = """
CREATE TABLE IF NOT EXISTS oncall_schedule (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS idx_oncall_schedule_engineer_email ON oncall_schedule(engineer_email);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_unique_date_rotation
  ON oncall_schedule(date, rotation);
CREATE TABLE IF NOT EXISTS oncall_schedule_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL,
  engineer_email TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_engineer_email
  ON oncall_schedule_overrides(engineer_email);
CREATE UNIQUE INDEX IF NOT EXISTS idx_oncall_schedule_overrides_unique_date_rotation
  ON oncall_schedule_overrides(date, rotation);
"""


@dataclass(frozen=True)
class Files:
    """A migrated file of each schema, with syncer's triggers (captured) and without (plain)."""

    captured: dict[Schema, Path]
    plain: dict[Schema, Path]


def make_files(directory: Path, triggers: list[str] | None = None) -> Files:
    """Migrate one file per schema; ``triggers`` (CREATE statements) replace syncer's if given."""
    captured: dict[Schema, Path] = {}
    plain: dict[Schema, Path] = {}
    for schema in ("syncer", "app"):
        path = directory / f"{schema}-captured.db"
        if schema == "app":
            with sqlite3.connect(path) as setup:
                setup.executescript(APP_DDL)
            setup.close()
        upgrade(path)
        captured[schema] = path
        plain[schema] = directory / f"{schema}-plain.db"
        _set_triggers(path, triggers)
        shutil.copyfile(path, plain[schema])
        _set_triggers(plain[schema], [])
    return Files(captured, plain)


def _set_triggers(path: Path, triggers: list[str] | None) -> None:
    if triggers is None:
        return
    conn = sqlite3.connect(path, isolation_level=None)
    names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in names:
        conn.execute(f"DROP TRIGGER {name}")
    for sql in triggers:
        conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# -- instructions ---------------------------------------------------------------------------------


def revision_triggers(revision: str) -> dict[str, str]:
    """The CREATE statements, by name, of a revision that defines ``TRIGGERS`` (0003, 0007)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.scripts_location()))
    script = ScriptDirectory.from_config(config).get_revision(revision)
    if script is None or script.module is None or not hasattr(script.module, "TRIGGERS"):
        raise SystemExit(f"revision {revision} defines no TRIGGERS")
    return {str(name): str(sql) for name, sql in script.module.TRIGGERS.items()}


def callgrind_available() -> bool:
    return shutil.which("valgrind") is not None


def instructions(path: Path, name: str, count: int, scratch: Path) -> int:
    """Instructions of one write: the ``run`` phase minus the ``setup`` phase, fresh copies each."""
    return _count(path, name, "run", count, scratch) - _count(path, name, "setup", count, scratch)


def _count(path: Path, name: str, phase: str, count: int, scratch: Path) -> int:
    copy = Path(tempfile.mkdtemp(dir=scratch)) / path.name
    shutil.copyfile(path, copy)  # every phase starts from the same bytes
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONHASHSEED": "0",
        "GLIBC_TUNABLES": GLIBC_TUNABLES,
    }
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-S", str(DRIVER), str(copy), name, phase, str(count),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind failed on {name} ({phase}):\n{done.stderr[-2000:]}")
    shutil.rmtree(copy.parent)
    return int(found[1])


def instruction_ratios(
    files: Files, names: list[str], count: int, scratch: Path
) -> dict[str, tuple[int, int]]:
    """(without, with) instructions per scenario; the processes run in parallel (a count)."""
    table = scenarios(count)
    jobs = [
        (name, kind, path[table[name].schema])
        for name in names
        for kind, path in (("plain", files.plain), ("captured", files.captured))
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(lambda job: instructions(job[2], job[0], count, scratch), jobs))
    found = {(name, kind): n for (name, kind, _), n in zip(jobs, counts, strict=True)}
    return {name: (found[(name, "plain")], found[(name, "captured")]) for name in names}


# -- wall clock -----------------------------------------------------------------------------------


def reset(conn: sqlite3.Connection) -> None:
    """Untimed: empty both tables and the log (the file's state before ``setup``)."""
    conn.execute("DELETE FROM oncall_schedule")
    conn.execute("DELETE FROM oncall_schedule_overrides")
    conn.execute("DELETE FROM sync_changes")


def timed(conn: sqlite3.Connection, scenario: Scenario) -> float:
    reset(conn)
    prepare(conn, scenario)
    start = time.perf_counter()
    scenario.work(conn)
    return (time.perf_counter() - start) * 1000


def wall_medians(files: Files, scenario: Scenario, repeat: int) -> tuple[float, float]:
    """Median milliseconds (without, with) over ``repeat`` interleaved runs of each."""
    plain = connect(str(files.plain[scenario.schema]))
    captured = connect(str(files.captured[scenario.schema]))
    times: dict[str, list[float]] = {"plain": [], "captured": []}
    try:
        for attempt in range(repeat):
            order = ("plain", "captured") if attempt % 2 == 0 else ("captured", "plain")
            for kind in order:
                times[kind].append(timed(plain if kind == "plain" else captured, scenario))
    finally:
        plain.close()
        captured.close()
    return statistics.median(times["plain"]), statistics.median(times["captured"])


# -- report ---------------------------------------------------------------------------------------


def lines(args: argparse.Namespace, files: Files, scratch: Path) -> Iterator[str]:
    table = scenarios(args.rows)
    triggers = f"revision {args.revision}" if args.revision else f"revision {migrate.HEAD} (head)"
    versions = f"sqlite {sqlite3.sqlite_version}, CPython {sys.version.split()[0]}"
    yield f"{versions}, triggers of {triggers}"
    yield f"{'scenario':64} {'no triggers':>12} {'triggers':>10} {'ratio':>6}"
    if args.wall_only:
        yield "instructions: skipped (--wall-only)"
    elif not callgrind_available():
        yield "instructions: skipped, valgrind is not installed"
    else:
        yield "instructions (callgrind, millions per write):"
        # The regeneration is a few rows: its target is in milliseconds, below.
        counted = [name for name in table if not name.startswith("regenerate")]
        for name, (base, captured) in instruction_ratios(
            files, counted, args.rows, scratch
        ).items():
            yield _line(name, base / 1e6, captured / 1e6, "instructions")
    yield f"wall clock (median of {args.repeat} interleaved runs, milliseconds):"
    for name, scenario in table.items():
        base_ms, captured_ms = wall_medians(files, scenario, args.repeat)
        label = name if name.startswith("regenerate") else f"{name}, wall clock"
        yield _line(label, base_ms, captured_ms, "ms")


def _line(name: str, base: float, captured: float, unit: str) -> str:
    return f"{name:64} {base:12.2f} {captured:10.2f} {captured / base:5.2f}x {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="wall-clock runs per figure")
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the bulk writes")
    parser.add_argument("--dir", type=Path, help="where the databases go (default: a temp dir)")
    parser.add_argument("--revision", help="measure this revision's triggers instead of head's")
    parser.add_argument("--wall-only", action="store_true", help="skip the instruction counts")
    args = parser.parse_args()
    triggers = list(revision_triggers(args.revision).values()) if args.revision else None
    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        files = make_files(Path(directory), triggers)
        for line in lines(args, files, Path(directory)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
