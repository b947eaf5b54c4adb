"""``python -m tests.chaos --scenarios N --seed S --jobs J [--report docs/reliability.md]``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tests.chaos.report import render, summary
from tests.chaos.scenario import Result, replay_command, run_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    # Scenarios wait on child processes and sandbox delays as much as they compute: one job
    # more than there are cores keeps the cores busy.
    parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    seeds = range(args.seed, args.seed + args.scenarios)
    started = time.monotonic()
    results: list[Result] = []
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
        for done, result in enumerate(pool.map(run_scenario, seeds), start=1):
            results.append(result)
            mark = "ok" if not result.violations else f"{len(result.violations)} VIOLATION(S)"
            print(f"[{done}/{args.scenarios}] seed {result.seed}: {mark} ({result.seconds:.1f} s)")
            for violation in result.violations:
                print("    " + violation.replace("\n", "\n    "))
            if result.violations:
                print(f"    replay: {replay_command(result.seed)}")
            sys.stdout.flush()
            if args.report and done % 50 == 0:  # a long campaign leaves its figures so far
                elapsed = time.monotonic() - started
                args.report.write_text(render(results, elapsed, args.jobs, args.seed))
    elapsed = time.monotonic() - started
    print(summary(results, elapsed, args.jobs))
    if args.report:
        args.report.write_text(render(results, elapsed, args.jobs, args.seed))
        print(f"wrote {args.report}")
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
