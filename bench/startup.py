"""How long the command line takes to start: ``--version``, every ``--help``, an idle drain.

Run: ``.venv/bin/python -m bench.startup [--runs 15]``. Each figure is the median process time
(user + system CPU of the child, from ``resource.getrusage``) over the runs, beside a bare
Python doing the least the command must (``python -c pass`` for the help and the version;
``python`` opening the schedule file with ``sqlite3`` and counting the change log for the
drain), measured in the same run: the target is that bare figure plus 0.35 s, and the ratio
says what syncer adds whatever the machine. The drain runs against a sandbox after a first
drain, so it finds nothing pending and no reconcile due.
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

SYNCER = str(Path(sys.executable).with_name("syncer"))
ALLOWANCE = 0.35  # seconds a command may add to the bare Python doing the least it must
GROUPS = ("audit", "db", "notion", "sandbox")  # the command groups, each with its own --help
COUNT_THE_LOG = (
    "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
    "db.execute('SELECT COUNT(*) FROM sync_changes').fetchone()"
)


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


def commands(db: str) -> list[tuple[str, list[str], list[str]]]:
    """Each measured command, and the bare Python it is compared with."""
    bare = [sys.executable, "-c", "pass"]
    helps = [(f"syncer {group} --help", [SYNCER, group, "--help"], bare) for group in GROUPS]
    return [
        ("syncer --version", [SYNCER, "--version"], bare),
        ("syncer --help", [SYNCER, "--help"], bare),
        ("syncer drain --help", [SYNCER, "drain", "--help"], bare),
        *helps,
        (
            "syncer drain (nothing pending)",
            [SYNCER, "-q", "drain"],
            [sys.executable, "-c", COUNT_THE_LOG, db],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder, serve_in_thread(SandboxSettings()) as sandbox:
        env = drained_workdir(sandbox, Path(folder))
        bare_times: dict[str, float] = {}
        for name, argv, bare in commands(env["SYNCER_DB"]):
            key = " ".join(bare[:2] + bare[3:])
            if key not in bare_times:
                bare_times[key] = median_time(bare, env, args.runs)
            rows.append((name, median_time(argv, env, args.runs), bare_times[key]))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Measured {dt.date.today()}, median of {args.runs} runs, process time (user + sys).\n")
    print("| command | target | process time | bare Python | x bare | met |")
    print("|---|---|---|---|---|---|")
    for name, seconds, bare_seconds in rows:
        target = bare_seconds + ALLOWANCE
        met = "yes" if seconds <= target else "NO"
        ratio = seconds / bare_seconds if bare_seconds else float("nan")
        print(
            f"| `{name}` | < {target:.3f} s (bare + {ALLOWANCE} s) | {seconds:.3f} s "
            f"| {bare_seconds:.3f} s | {ratio:.1f} | {met} |"
        )


if __name__ == "__main__":
    main()
