"""`syncer rollback RUN`: undo a run on both sides."""

from __future__ import annotations

import sys

import click

from syncer.cli import _render as render
from syncer.cli._context import engine_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._support import EXIT_ACTIONS_FAILED, console, emit_json, fail, handle_errors
from syncer.core import RunId


@click.command("rollback", cls=SyncerCommand)
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--dry-run", is_flag=True, help="Show what would be undone; change nothing.")
@click.option("--cascade", is_flag=True, help="First undo later runs that touched the same keys.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@click.pass_obj
@handle_errors
def rollback_command(
    globals_: Globals, run_id: RunId, dry_run: bool, cascade: bool, yes: bool
) -> None:
    """Undo a run on both sides: the local changes it consumed and its Notion writes.

    Trashed pages are restored (same page ids), moved pages moved back, updated pages reset,
    created pages trashed. Refused (exit 3) when a later run touched the same keys, unless
    --cascade undoes those first, newest first. Exit 1 when some Notion actions failed.
    Lists the schedule rows it restores, changes or deletes and the Notion actions; on a
    terminal it asks before doing anything, unless --yes (scripts and --json never ask).

    Example: syncer --env prod rollback 42 --dry-run
    """
    engine = engine_for(globals_)
    if not dry_run and not yes and not globals_.as_json and sys.stdin.isatty():
        render.print_rollback(console(), engine.rollback(run_id, dry_run=True, cascade=cascade))
        if not click.confirm("Roll back as listed above?"):
            fail(EXIT_ACTIONS_FAILED, "rollback declined: nothing was changed", code="declined")
    result = engine.rollback(run_id, dry_run=dry_run, cascade=cascade)
    if globals_.as_json:
        emit_json(render.rollback_json(result))
    else:
        render.print_rollback(console(), result)
    if not dry_run and not result.ok:
        sys.exit(EXIT_ACTIONS_FAILED)
