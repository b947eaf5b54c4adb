"""Admin commands: status, audit runs/show/actions/prune, and rollback.

The JSON each prints with ``--json`` is a contract documented in ``docs/admin.md``.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from syncer.cli import _admin_render as render
from syncer.cli._context import session_for, settings_for, today_for
from syncer.cli._support import EXIT_ACTIONS_FAILED, Globals, emit_json, handle_errors
from syncer.config import parse_duration
from syncer.core import ACTION_KINDS, ACTION_STATUSES, RUN_KINDS, RUN_STATUSES, RunKind, RunStatus
from syncer.core.errors import ConfigError, UserError
from syncer.engine.status import status
from syncer.store import Store
from syncer.store.audit import ActionFilter, RunFilter


class When(click.ParamType[dt.datetime, Any]):
    """A moment: a duration back from now (``24h``, ``7d``), a date, or an ISO date-time (UTC)."""

    name = "WHEN"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day  # --until 2026-03-11 includes that whole day

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        try:
            return dt.datetime.now(dt.UTC) - parse_duration(text, "duration")
        except ConfigError:
            pass
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a duration (24h, 7d) or a date (YYYY-MM-DD)", param, ctx)
        is_date = len(text) == 10
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment + dt.timedelta(days=1) if is_date and self.end_of_day else moment


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (the same as the global --json)."
)
env_option = click.option(
    "--env", "env_name", help="Only this environment (default: global --env)."
)


def _open(globals_: Globals) -> Store:
    return Store.open(globals_.require_db())


def _console() -> Console:
    return Console(highlight=False)


@click.command("status")
@json_option
@click.pass_obj
@handle_errors
def status_command(globals_: Globals, as_json: bool) -> None:
    """Show each environment: pending changes, last runs, failing keys, unmapped emails, lock.

    Reads only the local file, so it works when Notion is down. With the global --env, shows
    that environment only.

    Example: syncer --config syncer.toml --db oncall.db status --json
    """
    settings = settings_for(globals_)
    name = settings.environment(globals_.env_name).name if globals_.env_name else None
    with _open(globals_) as store:
        now = dt.datetime.now(dt.UTC)
        envs = status(store, settings, now=now, today=today_for(globals_, settings), env=name)
    if as_json or globals_.as_json:
        emit_json(render.status_json(envs))
    else:
        render.print_status(_console(), envs)


@click.group("audit")
def audit_group() -> None:
    """Questions about past runs and the Notion changes they made.

    Example: syncer --db oncall.db audit runs --status partial
    """


@audit_group.command("runs")
@env_option
@click.option("--kind", type=click.Choice(RUN_KINDS), help="Only runs of this kind.")
@click.option("--status", type=click.Choice(RUN_STATUSES), help="Only runs that ended so.")
@click.option("--since", type=When(), help="Started at or after: 24h, 7d, YYYY-MM-DD, ISO time.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@click.pass_obj
@handle_errors
def runs_command(
    globals_: Globals,
    env_name: str | None,
    kind: RunKind | None,
    status: RunStatus | None,
    since: dt.datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """List runs, newest first.

    Example: syncer --db oncall.db audit runs --env prod --since 7d --json
    """
    where = RunFilter(env_name or globals_.env_name, kind, status, since, limit)
    with _open(globals_) as store:
        found = store.find_runs(where)
    if as_json or globals_.as_json:
        emit_json([render.run_record_json(run) for run in found])
    elif not found:
        click.echo("No runs match.")
    else:
        _console().print(render.runs_table(found))


@audit_group.command("show")
@click.argument("run_id", metavar="RUN", type=int)
@json_option
@click.pass_obj
@handle_errors
def show_command(globals_: Globals, run_id: int, as_json: bool) -> None:
    """Show one run and every action it recorded, in the order they happened.

    Example: syncer --db oncall.db audit show 42
    """
    with _open(globals_) as store:
        run = store.run(run_id)
        if run is None:
            raise UserError(f"no run {run_id}", hint="list runs with `syncer audit runs`")
        entries = list(reversed(store.find_actions(ActionFilter(run_id=run_id))))
    if as_json or globals_.as_json:
        emit_json(
            {
                "run": render.run_record_json(run),
                "actions": [render.audit_action_json(entry) for entry in entries],
            }
        )
        return
    console = _console()
    console.print(render.runs_table([run]))
    if run.error:
        console.print(f"error: {escape(run.error)}")
    console.print(render.actions_table(entries) if entries else "No actions recorded.")


@audit_group.command("actions")
@click.option("--run", "run_id", type=int, help="Only this run's actions.")
@env_option
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), help="Only this shift date.")
@click.option("--rotation", help="Only this rotation (AM, Core, PM).")
@click.option("--email", help="Any engineer email in the before or after image (any case).")
@click.option("--action", type=click.Choice(ACTION_KINDS), help="Only this kind of action.")
@click.option("--status", type=click.Choice(ACTION_STATUSES), help="Only this outcome.")
@click.option("--since", type=When(), help="At or after: 24h, 7d, YYYY-MM-DD, ISO time (UTC).")
@click.option("--until", type=When(end_of_day=True), help="Before (a date includes its day).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.pass_obj
@handle_errors
def actions_command(globals_: Globals, /, **options: Any) -> None:
    """List audited Notion actions, newest first, filtered.

    Example: syncer --db oncall.db audit actions --email Ada@Example.com --since 7d --csv
    """
    as_json, as_csv = options.pop("as_json"), options.pop("as_csv")
    if as_json and as_csv:
        raise UserError("--json and --csv exclude each other", hint="pick one")
    date = options.pop("date")
    options["date"] = date.date().isoformat() if date else None
    options["env"] = options.pop("env_name") or globals_.env_name
    with _open(globals_) as store:
        entries = store.find_actions(ActionFilter(**options))
    if as_json or globals_.as_json:
        emit_json([render.audit_action_json(entry) for entry in entries])
    elif as_csv:
        click.echo(render.actions_csv(entries), nl=False)
    elif not entries:
        click.echo("No actions match.")
    else:
        _console().print(render.actions_table(entries))


@audit_group.command("prune")
@click.option("--older-than", required=True, help="Age to drop: a duration such as 90d or 26w.")
@json_option
@click.pass_obj
@handle_errors
def prune_command(globals_: Globals, older_than: str, as_json: bool) -> None:
    """Drop old runs, audit rows and consumed change-log rows.

    Keeps, per environment, every run younger than the age, the newest run, every run after
    the oldest one kept, and the last image of each key: what a rollback still needs.

    Example: syncer --db oncall.db audit prune --older-than 90d
    """
    cutoff = dt.datetime.now(dt.UTC) - parse_duration(older_than, "--older-than")
    with _open(globals_) as store:
        report = store.prune(older_than=cutoff)
    if as_json or globals_.as_json:
        emit_json(render.prune_json(report))
        return
    kept = ", ".join(f"{env} from run {run}" for env, run in sorted(report.kept_from.items()))
    click.echo(
        f"Removed {report.actions} audit row(s), {report.runs} run(s) and {report.changes} "
        f"change-log row(s). Kept: {kept or 'no runs'}."
    )


@click.command("rollback")
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--dry-run", is_flag=True, help="Show what would be undone; change nothing.")
@click.option("--cascade", is_flag=True, help="First undo later runs that touched the same keys.")
@json_option
@click.pass_obj
@handle_errors
def rollback_command(
    globals_: Globals, run_id: int, dry_run: bool, cascade: bool, as_json: bool
) -> None:
    """Undo a run on both sides: the local changes it consumed and its Notion writes.

    Trashed pages are restored (same page ids), moved pages moved back, updated pages reset,
    created pages trashed. Refused (exit 3) when a later run touched the same keys, unless
    --cascade undoes those first, newest first. Exit 1 when some Notion actions failed.

    Example: syncer --env prod rollback 42 --dry-run
    """
    result = session_for(globals_).rollback(run_id, dry_run=dry_run, cascade=cascade)
    if as_json or globals_.as_json:
        emit_json(render.rollback_json(result))
    else:
        render.print_rollback(_console(), result)
    if not dry_run and not result.ok:
        sys.exit(EXIT_ACTIONS_FAILED)


COMMANDS: list[click.Command] = [status_command, audit_group, rollback_command]
