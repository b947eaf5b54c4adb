"""Commands for the local database: ``db upgrade``, ``db current`` and ``changes``."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from syncer import store
from syncer.cli._support import Globals, emit_json, handle_errors
from syncer.core import Change, RawKeyImage
from syncer.store.schema import SQL_TABLE_NAMES


@click.group("db")
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
    intact. Safe to run again: it does nothing when the file is up to date.

    Example: syncer --db oncall.db db upgrade
    """
    path = globals_.require_db()
    before = store.current(path) if path.exists() else None
    restored = store.upgrade(path)
    after = store.current(path)
    if globals_.as_json:
        emit_json({"path": str(path), "from": before, "to": after, "restored_triggers": restored})
        return
    if restored:
        click.echo(
            f"{path}: re-created {len(restored)} change-capture trigger(s); changes made while "
            "they were missing were not captured: run `syncer reconcile` for each environment"
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


@click.command("changes")
@click.option("--since", type=click.IntRange(min=0), default=0, help="Only changes after this id.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many changes.")
@click.pass_obj
@handle_errors
def changes_command(globals_: Globals, since: int, limit: int | None) -> None:
    """List the local changes captured by the triggers, oldest first.

    With --json: an array of {id, at, table, op, old, new}, where table is
    oncall_schedule or oncall_schedule_overrides, op is insert, update or delete, and old/new
    are {date, rotation, engineer_email} or null. A row that an INSERT OR REPLACE removed is
    listed as a delete just before the insert that replaced it.

    Example: syncer --db oncall.db --json changes --since 120 --limit 50
    """
    with store.Store.open(globals_.require_db()) as opened:
        found = opened.changes(since=since, limit=limit)
    if globals_.as_json:
        emit_json([change_json(change) for change in found])
    else:
        _print_table(found)


def change_json(change: Change) -> dict[str, object]:
    """A change as the ``changes --json`` contract writes it."""
    return {
        "id": change.change_id,
        "at": change.at,
        "table": SQL_TABLE_NAMES[change.table],
        "op": change.op,
        "old": _image_json(change.old),
        "new": _image_json(change.new),
    }


def _image_json(image: RawKeyImage | None) -> dict[str, object] | None:
    if image is None:
        return None
    return {"date": image.date, "rotation": image.rotation, "engineer_email": image.engineer_email}


def _print_table(found: list[Change]) -> None:
    if not found:
        click.echo("no changes")
        return
    table = Table("id", "at", "table", "op", "old", "new")
    for change in found:
        table.add_row(
            str(change.change_id),
            change.at,
            SQL_TABLE_NAMES[change.table],
            change.op,
            escape(_image_text(change.old)),
            escape(_image_text(change.new)),
        )
    Console().print(table)


def _image_text(image: RawKeyImage | None) -> str:
    if image is None:
        return ""
    return f"{image.date}/{image.rotation} {image.engineer_email or ''}".rstrip()


COMMANDS: list[click.Command] = [db_group, changes_command]
