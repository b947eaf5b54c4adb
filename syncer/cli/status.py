"""`syncer status`: each environment's state, from the local file alone."""

from __future__ import annotations

import click

from syncer.cli import _render as render
from syncer.cli._context import open_store, settings_for, today_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._support import console, emit_json, handle_errors


@click.command("status", cls=SyncerCommand)
@click.pass_obj
@handle_errors
def status_command(globals_: Globals) -> None:
    """Show the schedule's bad rows and change capture, then each environment's state.

    One line per fact: pending changes, the last successful reconcile and when the next is due,
    the last run of each kind, the lock, failing keys, emails no Notion person matches. Reads
    only the local file, so it works when Notion is down. With the global --env, shows that
    environment only.

    Example: syncer --config syncer.toml --db oncall.db status --json
    """
    from syncer.engine.status import status

    settings = settings_for(globals_)
    name = settings.environment(globals_.env_name).name if globals_.env_name else None
    with open_store(globals_, require_capture=False) as store:
        now = globals_.clock()
        today = today_for(globals_, settings)
        schedule, envs = status(store, settings, now=now, today=today, env=name)
    if globals_.as_json:
        emit_json(render.status_json(schedule, envs, settings.reconcile_every))
    else:
        render.print_status(console(), schedule, envs, settings.reconcile_every, now)
