"""`syncer demo`: the whole story against a sandbox started in this process."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import threading
from pathlib import Path

import click
from rich.console import Console

from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._support import EXIT_ACTIONS_FAILED, handle_errors
from syncer.demo import DemoStep, demo_world, run_story


@click.command("demo", cls=SyncerCommand)
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the schedule file here (default: a temporary folder).",
)
@click.option("--serve", is_flag=True, help="Keep the sandbox running afterwards, to look at it.")
@click.pass_obj
@handle_errors
def demo_command(globals_: Globals, workdir: Path | None, serve: bool) -> None:
    """Show the whole story on embedded defaults; no Notion account needed.

    Starts the sandbox, writes a schedule as the upstream app would, creates the databases,
    drains, applies an edit and an override, reverts a hand edit in Notion, and checks the
    result is in sync. With --serve, open the printed URL to see the Notion tables.

    Example: syncer demo --serve
    """
    console = Console()
    today = globals_.today or dt.date.today()
    with tempfile.TemporaryDirectory(prefix="syncer-demo-") as tmp:
        folder = workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with demo_world(folder, today) as (session, sandbox, db):
            console.print(f"Sandbox (a local Notion emulator): {sandbox.url}")
            console.print(f"Schedule file: {db}  (today is {today})\n")

            def say(step: DemoStep) -> None:
                console.print(
                    f"[bold]{step.title}[/bold]" + (f": {step.detail}" if step.detail else "")
                )
                if step.result is not None and step.result.run_id is not None:
                    done = step.result.outcome.by_kind
                    summary = ", ".join(f"{n} {k}" for k, n in sorted(done.items())) or "nothing"
                    console.print(
                        f"   run {step.result.run_id} {step.result.status}: {summary} "
                        f"({step.result.requests} Notion requests)"
                    )

            in_sync = run_story(session, sandbox, db, say)
            console.print(f"\nOpen {sandbox.url}/ to see the databases as Notion tables.")
            if serve:
                console.print("Serving until Ctrl-C.")
                with contextlib.suppress(KeyboardInterrupt):
                    threading.Event().wait()
    if not in_sync:
        raise SystemExit(EXIT_ACTIONS_FAILED)
