"""Reads at the floor: the requests a no-drift reconcile sends, for 100, 780 and 10,000 pages.

Run: ``.venv/bin/python -m bench.reads_floor``. Each size gets fresh databases and a fresh
schedule file holding that many shifts of history; a first drain syncs them (unpaced, no
latency: only request counts matter here), then a reconcile with nothing to repair is
measured. The floor is one query per 100 pages; the target allows two more (Notion's result
pages do not split evenly across PAST CALENDAR's date windows and CALENDAR). The data source
ids, the schemas and the databases' claims come from the schedule file's metadata cache, the
people from the people cache: neither costs a request while fresh. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import tempfile
from pathlib import Path

from bench.engine_scenarios import (
    EMAILS,
    TODAY,
    Row,
    environment,
    measure,
    print_rows,
    weekday_rows,
    write_rows,
)
from syncer.config import Budget, Settings
from syncer.core.projection import week_start
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings

SIZES = (100, 780, 10_000)
UNPACED = Budget(requests=1_000_000, per_seconds=1.0)


def history(size: int) -> list[tuple[str, str, str]]:
    """The ``size`` most recent shifts before this week (three a weekday)."""
    monday = week_start(TODAY)
    weeks = math.ceil(size / 15) + 1
    return weekday_rows(monday - dt.timedelta(weeks=weeks), monday)[-size:]


def no_drift_reconcile(sandbox: RunningSandbox, tmp: Path, size: int) -> Row:
    rows = history(size)
    since = dt.date.fromisoformat(rows[0][0])
    settings = Settings(timezone="Europe/London", history_since=since.isoformat(), budget=UNPACED)
    with environment(sandbox, tmp, f"floor{size}", settings) as engine:
        write_rows(Path(engine.store.path), rows)
        engine.drain()
        seen = measure(sandbox, engine.reconcile)
    target = math.ceil(size / 100) + 2
    return Row(
        f"no-drift reconcile of {size} pages",
        f"at most {target} requests (ceil(N/100) + 2), 0 writes",
        f"{seen.requests} requests ({seen.queries} queries, "
        f"{seen.requests - seen.queries - seen.writes} other reads), {seen.writes} writes",
        seen.requests <= target and seen.writes == 0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    settings = SandboxSettings(port=0, rate_limit=None, latency_ms=0, jitter_ms=0)
    with tempfile.TemporaryDirectory() as folder, serve_in_thread(settings) as sandbox:
        for index, email in enumerate(EMAILS):
            sandbox.add_user(f"Engineer {index}", email)
        found = [no_drift_reconcile(sandbox, Path(folder), size) for size in sizes]
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}\n")
    print_rows(found)


if __name__ == "__main__":
    main()
