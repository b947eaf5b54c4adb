"""`syncer changes`: the change log the triggers wrote, as a table or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from syncer.cli._context import open_store, settings_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._logging import printable
from syncer.cli._support import handle_errors, shorten
from syncer.core import Change, RowImage
from syncer.core.kinds import SQL_TABLE_NAMES


@click.command("changes", cls=SyncerCommand)
@click.option("--since", type=click.IntRange(min=0), default=0, help="Only changes after this id.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many changes.")
@click.option(
    "--pending", is_flag=True, help="Only what the next drain of the environment will consume."
)
@click.pass_obj
@handle_errors
def changes_command(globals_: Globals, since: int, limit: int | None, pending: bool) -> None:
    """List the local changes captured by the triggers, oldest first.

    With --json: an array of {id, at, table, op, old, new}, where table is
    oncall_schedule or oncall_schedule_overrides, op is insert, update or delete, and old/new
    are {date, rotation, engineer_email} or null. A row that an INSERT OR REPLACE removed is
    listed as a delete just before the insert that replaced it. --pending lists only the
    changes after the environment's cursor (it needs --config and the environment).

    Example: syncer --db oncall.db --json changes --since 120 --limit 50
    """
    with open_store(globals_) as opened:
        if pending:
            env = settings_for(globals_).environment(globals_.env_name)
            since = max(since, opened.cursor(env.name))
        found = opened.iter_changes(since=since, limit=limit)
        if globals_.as_json:
            _stream_json(found)
        else:
            _stream_lines(found)


def _stream_json(changes: Iterable[Change]) -> None:
    """One JSON array, written as it is read (a 200,000-row log never sits in memory)."""
    out = sys.stdout
    out.write("[")
    for index, change in enumerate(changes):
        out.write(("," if index else "") + "\n  " + json.dumps(change_json(change)))
    out.write("\n]\n")


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


def _image_json(image: RowImage | None) -> dict[str, object] | None:
    if image is None:
        return None
    key = image.key
    return {"date": key.date, "rotation": key.rotation, "engineer_email": image.engineer_email}


_LINE = "{:>7}  {:<19}  {:<25}  {:<6}  {}"


def _stream_lines(changes: Iterable[Change]) -> None:
    """One line per change, printed as it is read."""
    out = sys.stdout
    empty = True
    for change in changes:
        if empty:
            # The tables' one style (a rule under the header), streamed: the log can be long.
            header = _LINE.format("id", "at (UTC)", "table", "op", "old -> new")
            out.write(f"{header}\n{'─' * len(header)}\n")
            empty = False
        old, new = _image_text(change.old) or "-", _image_text(change.new) or "-"
        at = change.at[:19].replace("T", " ")
        line = _LINE.format(change.change_id, at, SQL_TABLE_NAMES[change.table], change.op, "")
        out.write((line + printable(shorten(f"{old} -> {new}", 100))).rstrip() + "\n")
    if empty:
        out.write("no changes\n")


def _image_text(image: RowImage | None) -> str:
    if image is None:
        return ""
    return f"{image.key} {image.engineer_email or ''}".rstrip()
