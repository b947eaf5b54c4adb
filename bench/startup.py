"""How long the command line takes to start: ``syncer --version`` and a drain with nothing to do.

Run: ``.venv/bin/python -m bench.startup [--runs 15]``. Each figure is the median process time
(user + system CPU of the child, from ``resource.getrusage``) over the runs, next to the same
figure for ``python -c pass`` on the same interpreter, so the ratio says what syncer adds to
Python's own start-up whatever the machine. The drain runs against a sandbox after a first
drain, so it finds nothing pending and no reconcile due: its cost is imports, reading the
config and one look at the local file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from syncer.config import Settings
from syncer.engine.databases import init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import SandboxSettings

TARGETS = {"syncer --version": 0.3, "syncer drain (nothing pending)": 0.6}
SYNCER = str(Path(sys.executable).with_name("syncer"))


def process_time(argv: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) one run of ``argv`` costs, as the kernel counts them."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_time(argv: list[str], env: dict[str, str], runs: int) -> float:
    process_time(argv, env)  # one warm-up run fills the OS file cache
    return statistics.median(process_time(argv, env) for _ in range(runs))


def drained_workdir(sandbox: RunningSandbox, folder: Path) -> dict[str, str]:
    """A schedule file, a config on the sandbox and a first drain; the variables to run syncer."""
    gateway = NotionGateway(sandbox.syncer_token, pacer=Pacer(1000, 1), base_url=sandbox.url)
    created = init_databases(Settings(), gateway, sandbox.root_page_id)
    gateway.close()
    config = folder / "syncer.toml"
    config.write_text(
        f'default_environment = "bench"\n[environments.bench]\n'
        f'notion_token_env = "BENCH_TOKEN"\nnotion_base_url = "{sandbox.url}"\n'
        f'calendar_database_id = "{created.calendar_database_id}"\n'
        f'past_calendar_database_id = "{created.past_calendar_database_id}"\n'
    )
    env = {
        **os.environ,
        "BENCH_TOKEN": sandbox.syncer_token,
        "SYNCER_CONFIG": str(config),
        "SYNCER_DB": str(folder / "oncall.db"),
    }
    subprocess.run([SYNCER, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([SYNCER, "drain"], env=env, check=True, capture_output=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serve_in_thread(SandboxSettings()) as sandbox:
        env = drained_workdir(sandbox, Path(folder))
        baseline = median_time([sys.executable, "-c", "pass"], env, args.runs)
        measured = {
            "syncer --version": median_time([SYNCER, "--version"], env, args.runs),
            "syncer drain (nothing pending)": median_time([SYNCER, "-q", "drain"], env, args.runs),
        }
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Measured {dt.date.today()}, median of {args.runs} runs, process time (user + sys).\n")
    print("| command | target | process time | x `python -c pass` | met |")
    print("|---|---|---|---|---|")
    print(f"| `python -c pass` | - | {baseline:.3f} s | 1.0 | - |")
    for name, seconds in measured.items():
        met = "yes" if seconds < TARGETS[name] else "NO"
        ratio = seconds / baseline if baseline else float("nan")
        print(f"| `{name}` | < {TARGETS[name]} s | {seconds:.3f} s | {ratio:.1f} | {met} |")


if __name__ == "__main__":
    main()
