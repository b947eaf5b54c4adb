"""Commands for the local database: ``db upgrade``, ``db current`` and ``changes``."""

from __future__ import annotations

import click

from syncer.cli._globals import Globals, SyncerGroup
from syncer.cli._support import emit_json, handle_errors


@click.group("db", cls=SyncerGroup)
def db_group() -> None:
    """Create, upgrade and inspect the local schema (Alembic).

    Example: syncer --db oncall.db db upgrade
    """


@db_group.command("upgrade")
@click.pass_obj
@handle_errors
def upgrade_command(globals_: Globals) -> None:
    """Create or upgrade syncer's schema in the schedule file (Alembic `upgrade head`).

    The schedule tables are created when absent; existing ones are adopted with every row
    intact. Safe to run again: it does nothing when the file is up to date. Triggers a table
    rebuild dropped are named, not re-created: the next drain restores them and reconciles.

    Example: syncer --db oncall.db db upgrade
    """
    from syncer import store  # SQLAlchemy and Alembic: only when the command runs

    path = globals_.require_db()
    before = store.current(path) if path.exists() else None
    missing = store.upgrade(path)
    after = store.current(path)
    if globals_.as_json:
        emit_json({"path": str(path), "from": before, "to": after, "missing_triggers": missing})
        return
    if missing:
        click.echo(
            f"{path}: change capture is off ({len(missing)} trigger(s) missing: a schedule "
            "table was rebuilt); the next `syncer drain` (or run, reconcile, watch cycle) "
            "restores it and reconciles every environment"
        )
    if before == after:
        click.echo(f"{path}: already at revision {after} (head)")
    else:
        click.echo(f"{path}: upgraded from {before or 'an empty schema'} to {after} (head)")


@db_group.command("current")
@click.pass_obj
@handle_errors
def current_command(globals_: Globals) -> None:
    """Show the schema revision of the file and whether it is the newest.

    Example: syncer --db oncall.db db current
    """
    from syncer import store

    path = globals_.require_db()
    revision = store.current(path) if path.exists() else None
    head = store.head()
    if globals_.as_json:
        emit_json({"path": str(path), "revision": revision, "head": head})
    elif revision is None:
        click.echo(f"{path}: no syncer schema (run `syncer db upgrade`)")
    elif revision == head:
        click.echo(f"{path}: revision {revision} (head)")
    else:
        click.echo(f"{path}: revision {revision}, head is {head} (run `syncer db upgrade`)")
