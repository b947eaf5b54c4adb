"""`syncer demo`: the whole story on embedded defaults, against the sandbox.

The telling lives in ``cli/_story.py`` and is loaded only when the command runs: the demo
needs the sandbox (the `sandbox` extra), and `syncer demo --help` must not load it.
"""

from __future__ import annotations

from pathlib import Path

import click

from syncer.cli._globals import SyncerCommand
from syncer.cli._support import handle_errors


@click.command("demo", cls=SyncerCommand)
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the schedule, syncer.toml and the sandbox's state here (default: a temporary "
    "folder, removed at the end).",
)
@click.option(
    "--serve", is_flag=True, help="Keep the sandbox running afterwards and print its address."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="The sandbox's port (default: 8765 when free, else any free port; 0: any).",
)
@click.pass_context
@handle_errors
def demo_command(ctx: click.Context, workdir: Path | None, serve: bool, port: int | None) -> None:
    """Show the whole story on embedded defaults; no Notion account needed.

    Starts the sandbox (a local Notion emulator) and tells seven chapters: a schedule and the
    two databases, the first sync, a change, the week turning, hand edits in Notion repaired,
    the audit log, and a rollback, ending in sync. With --dir, the files are kept so that the
    README's commands work on them; with --serve, look at the sandbox's calendar afterwards.

    Example: syncer demo --dir demo --serve
    """
    from syncer.cli._story import tell

    tell(ctx.obj, workdir, serve, port)
