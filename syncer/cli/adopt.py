"""`syncer notion adopt`: take over the databases another tool (the scheduler app's own sync,
say) filled, keeping every page.

Output contract: the report (schema changes, the page plan, the pages left alone, the run) is
for a person; the ``syncer.toml`` lines the adopted databases need are for the file. A dry run
prints both on stdout. A real run prints the report on stderr and only the lines on stdout, so
``syncer ... notion adopt >> syncer.toml`` completes the configuration. When the file has a
``[properties]`` or ``[pages]`` table already, appending would break it: then stdout stays
empty and the report says which table to replace with which lines.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from syncer.cli._context import engine_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._params import force_option, take_over_option
from syncer.cli._plans import plan_json, print_alternatives, print_plan, print_verdict
from syncer.cli._render import change_json, run_json
from syncer.cli._support import (
    EXIT_ACTIONS_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    console,
    emit_json,
    handle_errors,
    safe,
)
from syncer.core.errors import ConfigError

if TYPE_CHECKING:
    from syncer.core.adoption import SchemaChange
    from syncer.engine.adopt import Adoption

# The tables `notion adopt` prints: a config that has one already must have it replaced.
_TABLES = ("properties", "pages")


def _field_name(text: str) -> tuple[str, str]:
    field, sep, name = text.partition("=")
    if not sep or not field.strip() or not name.strip():
        raise click.BadParameter(f"{text!r} is not FIELD=NAME (final=Final Engineer, say)")
    return field.strip(), name.strip()


@click.command("adopt", cls=SyncerCommand)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--property",
    "properties",
    multiple=True,
    metavar="FIELD=NAME",
    help="Name syncer's property for FIELD (repeatable): final=Engineer. Fields are those of "
    "[properties] in syncer.toml.",
)
@force_option
@take_over_option
@click.pass_obj
@handle_errors
def adopt_command(
    globals_: Globals, dry_run: bool, properties: Sequence[str], force: bool, take_over: bool
) -> None:
    """Take over the configured databases another sync filled, keeping every page.

    Gives both databases syncer's schema (its properties added; one in the way of a name
    syncer needs is renamed, never converted; the title stays), then keeps each shift's
    oldest page (matched on Date and Rotation, or by Sync Key), writes what syncer would
    write into it and files it in the database its date belongs to; its other pages are
    trashed as duplicates. Pages for no scheduled shift are left alone and listed. Run as one
    audited run: `syncer rollback RUN` puts the pages back.

    A real run prints the syncer.toml lines the adopted databases need on stdout (nothing
    when the config says so already, or has a table to replace by hand) and the report on
    stderr. Exit 0 when adopted, 1 when
    some pages failed (run it again), 3 when a guard refuses (nothing changed).

    Example: syncer --env prod notion adopt --dry-run
    """
    chosen = dict(_field_name(text) for text in properties)
    engine = engine_for(globals_, force=force, take_over=take_over)
    adoption = engine.adopt(dry_run=dry_run, chosen=chosen)
    clashing = _tables_in(globals_.config_path) if adoption.config_lines() else []
    if globals_.as_json:
        emit_json(_adoption_json(adoption, dry_run=dry_run, clashing=clashing))
    elif dry_run:
        _print_report(console(), adoption, clashing, dry_run=True)
    else:
        _print_report(console(stderr=True), adoption, clashing, dry_run=False)
        if not clashing:  # appended to a file that has these tables, they would break it
            for line in adoption.config_lines():
                click.echo(line)
    sys.exit(_exit_code(adoption, dry_run=dry_run, force=force))


def _exit_code(adoption: Adoption, *, dry_run: bool, force: bool) -> int:
    if dry_run:
        return EXIT_REFUSED if adoption.plan.verdict.refused and not force else EXIT_OK
    assert adoption.run is not None, "a real adoption has a run"
    return EXIT_OK if adoption.run.ok else EXIT_ACTIONS_FAILED


def _tables_in(config_path: Path | None) -> list[str]:
    """The tables `notion adopt` prints that the config file has already."""
    if config_path is None:
        return []
    try:
        document = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:  # it was read a moment ago
        raise ConfigError(f"cannot read {config_path}: {exc}") from exc
    return [table for table in _TABLES if table in document]


def _adoption_json(adoption: Adoption, *, dry_run: bool, clashing: list[str]) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "schema_changes": [change_json(change) for change in adoption.schema.changes],
        **plan_json(adoption.plan),
        "left_alone": [
            {"page_id": u.page_id, "database": u.database, "reason": u.why}
            for u in adoption.unmatched
        ],
        "config_lines": adoption.config_lines(),
        "config_tables_to_replace": clashing,
        "run": run_json(adoption.run) if adoption.run is not None else None,
    }


def _print_report(
    console: Console, adoption: Adoption, clashing: list[str], *, dry_run: bool
) -> None:
    if adoption.nothing_to_do:
        console.print("Nothing to adopt: both databases are syncer's already.")
    else:
        _print_schema(console, adoption.schema.changes)
        _print_pages(console, adoption, dry_run=dry_run)
    _print_left_alone(console, adoption)
    if adoption.run is not None and adoption.run.run_id is not None:
        _print_run(console, adoption)
    _print_config(console, adoption, clashing, dry_run=dry_run)


def _print_pages(console: Console, adoption: Adoption, *, dry_run: bool) -> None:
    counts = adoption.plan.counts()
    duplicates = counts.get("trash", 0)
    kept = f"{len(adoption.kept)} kept, one per shift (their ids, comments and links stay)"
    console.print(f"Pages: {kept}; {duplicates} duplicate(s) trashed.")
    if dry_run:
        print_plan(console, adoption.plan)
        return
    print_alternatives(console, adoption.plan)
    print_verdict(console, adoption.plan.verdict)


def _print_schema(console: Console, changes: Sequence[SchemaChange]) -> None:
    if not changes:
        console.print("Schema: both databases have syncer's properties already.")
        return
    console.print(f"Schema: {len(changes)} change(s), renames first; no value is converted.")
    for change in changes:
        where = "CALENDAR" if change.database == "calendar" else "PAST CALENDAR"
        if change.kind == "rename":
            what = f"rename {change.name!r} ({change.type}) to {change.new_name!r}"
        else:
            what = f"add {change.name!r} ({change.type})"
        console.print(f"  {where}: {safe(what)}: {safe(change.reason)}")


def _print_left_alone(console: Console, adoption: Adoption) -> None:
    if not adoption.unmatched:
        return
    console.print(f"Left alone: {len(adoption.unmatched)} page(s) that stand for no shift:")
    for page in adoption.unmatched[:20]:
        console.print(f"  {page.database} {page.page_id}: {safe(page.why)}")
    if len(adoption.unmatched) > 20:
        console.print(f"  ... and {len(adoption.unmatched) - 20} more (--json lists them all)")


def _print_run(console: Console, adoption: Adoption) -> None:
    run = adoption.run
    assert run is not None
    outcome = run.outcome
    colour = "green" if run.ok else "red"
    console.print(
        f"adopt run {run.run_id} [{colour}]{run.status}[/{colour}]: {outcome.applied} applied, "
        f"{outcome.failed} failed, {run.requests} Notion requests"
    )
    for key, error in outcome.failures[:10]:
        console.print(f"  [red]failed[/red] {safe(str(key))}: {safe(error)}")
    if not run.ok:
        console.print("  next: run `syncer notion adopt` again; it carries on where this stopped")
    console.print(f"  undo: syncer rollback {run.run_id}")


def _print_config(
    console: Console, adoption: Adoption, clashing: list[str], *, dry_run: bool
) -> None:
    lines = adoption.config_lines()
    if not lines:
        console.print("syncer.toml: nothing to add.")
        return
    if clashing:
        tables = " and ".join(f"[{table}]" for table in clashing)
        console.print(f"syncer.toml has {safe(tables)} already: replace it with these lines:")
    elif dry_run:
        console.print("Once adopted, syncer.toml needs these lines:")
    else:
        console.print("syncer.toml needs these lines (printed on stdout):")
    if dry_run or clashing:
        for line in lines:
            console.print(f"  {safe(line)}", highlight=False)
