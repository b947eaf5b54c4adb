"""`syncer audit runs|show|actions|prune`: questions about past runs and their Notion changes.

The JSON each prints with ``--json`` is a contract documented in ``docs/admin.md``.
"""

from __future__ import annotations

from typing import Any

import click

from syncer.cli import _render as render
from syncer.cli._context import open_store
from syncer.cli._globals import Globals, SyncerGroup
from syncer.cli._params import Moment, When
from syncer.cli._support import console, emit_json, handle_errors, safe
from syncer.config import parse_duration
from syncer.core import (
    ACTION_KINDS,
    ACTION_STATUSES,
    RUN_KINDS,
    RUN_STATUSES,
    EnvName,
    RunId,
    RunKind,
    RunStatus,
)
from syncer.core.errors import UserError


@click.group("audit", cls=SyncerGroup)
def audit_group() -> None:
    """Questions about past runs and the Notion changes they made.

    Example: syncer --db oncall.db audit runs --status partial
    """


@audit_group.command("runs")
@click.option("--kind", type=click.Choice(RUN_KINDS), help="Only runs of this kind.")
@click.option("--status", type=click.Choice(RUN_STATUSES), help="Only runs that ended so.")
@click.option("--since", type=When(), help="Started at or after: 24h, 7d, YYYY-MM-DD, ISO time.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.pass_obj
@handle_errors
def runs_command(
    globals_: Globals,
    kind: RunKind | None,
    status: RunStatus | None,
    since: Moment | None,
    limit: int,
) -> None:
    """List runs, newest first.

    Example: syncer --db oncall.db audit runs --env prod --since 7d --json
    """
    from syncer.store.audit import RunFilter

    after = since.resolve(globals_.clock()) if since else None
    where = RunFilter(_env(globals_), kind, status, after, limit)
    with open_store(globals_, require_capture=False) as store:
        found = store.find_runs(where)
    if globals_.as_json:
        emit_json([render.run_record_json(run) for run in found])
    elif not found:
        click.echo("No runs match.")
    else:
        console().print(render.runs_table(found))


@audit_group.command("show")
@click.argument("run_id", metavar="RUN", type=int)
@click.pass_obj
@handle_errors
def show_command(globals_: Globals, run_id: RunId) -> None:
    """Show one run and every action it recorded, in the order they happened.

    For a `notion adopt` run, the schema changes it made come first.

    Example: syncer --db oncall.db audit show 42
    """
    from syncer.store.audit import ActionFilter

    with open_store(globals_, require_capture=False) as store:
        run = store.run(run_id)
        if run is None:
            raise UserError(f"no run {run_id}", hint="list runs with `syncer audit runs`")
        entries = list(reversed(store.find_actions(ActionFilter(run_id=run_id))))
        changes = store.schema_changes(run_id)
    if globals_.as_json:
        document = {
            "run": render.run_record_json(run),
            "actions": [render.audit_action_json(entry) for entry in entries],
        }
        if changes:
            document["schema_changes"] = [render.schema_change_json(c) for c in changes]
        emit_json(document)
        return
    out = console()
    out.print(render.runs_table([run]))
    if run.error:
        out.print(f"error: {safe(run.error)}")
    if changes:
        out.print(render.schema_changes_table(changes))
    out.print(render.actions_table(entries) if entries else "No actions recorded.")


@audit_group.command("actions")
@click.option("--run", "run_id", type=int, help="Only this run's actions.")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), help="Only this shift date.")
@click.option("--rotation", help="Only this rotation (AM, Core, PM).")
@click.option("--email", help="Any engineer email in the before or after image (any case).")
@click.option("--action", type=click.Choice(ACTION_KINDS), help="Only this kind of action.")
@click.option("--status", type=click.Choice(ACTION_STATUSES), help="Only this outcome.")
@click.option("--since", type=When(), help="At or after: 24h, 7d, YYYY-MM-DD, ISO time (UTC).")
@click.option("--until", type=When(end_of_day=True), help="Before (a date includes its day).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option(
    "--limit", type=click.IntRange(min=1), help="Only the newest this many (default: all)."
)
@click.pass_obj
@handle_errors
def actions_command(globals_: Globals, /, **options: Any) -> None:
    """List audited Notion actions, newest first, filtered.

    Example: syncer --db oncall.db audit actions --email Ada@Example.com --since 7d --limit 50
    """
    from syncer.store.audit import ActionFilter

    as_json, as_csv = globals_.as_json, options.pop("as_csv")
    if as_json and as_csv:
        raise UserError("--json and --csv exclude each other", hint="pick one")
    date = options.pop("date")
    options["date"] = date.date() if date else None
    options["env"] = _env(globals_)
    now = globals_.clock()
    for bound in ("since", "until"):
        moment = options[bound]
        options[bound] = moment.resolve(now) if moment is not None else None
    with open_store(globals_, require_capture=False) as store:
        entries = store.find_actions(ActionFilter(**options))
    if globals_.as_json:
        emit_json([render.audit_action_json(entry) for entry in entries])
    elif as_csv:
        click.echo(render.actions_csv(entries), nl=False)
    elif not entries:
        click.echo("No actions match.")
    else:
        console().print(render.actions_table(entries))


@audit_group.command("prune")
@click.option("--older-than", required=True, help="Age to drop: a duration such as 90d or 26w.")
@click.pass_obj
@handle_errors
def prune_command(globals_: Globals, older_than: str) -> None:
    """Drop old runs, audit rows and consumed change-log rows.

    Keeps, per environment, every run younger than the age, the newest run, every run after
    the oldest one kept, and the last image of each key: what a rollback still needs.

    Example: syncer --db oncall.db audit prune --older-than 90d
    """
    cutoff = globals_.clock() - parse_duration(older_than, "--older-than")
    with open_store(globals_) as store:
        report = store.prune(older_than=cutoff)
    if globals_.as_json:
        emit_json(render.prune_json(report))
        return
    kept = ", ".join(f"{env} from run {run}" for env, run in sorted(report.kept_from.items()))
    click.echo(
        f"Removed {report.actions} audit row(s), {report.runs} run(s) and {report.changes} "
        f"change-log row(s). Kept: {kept or 'no runs'}."
    )


def _env(globals_: Globals) -> EnvName | None:
    """The --env filter, as given (the audit reads the file alone, whatever the config says)."""
    return EnvName(globals_.env_name) if globals_.env_name else None
