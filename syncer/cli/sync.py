"""Commands that sync: drain, reconcile, resync, plan and run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console

from syncer.cli._context import engine_for, idle_drain
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._params import force_option, take_over_option
from syncer.cli._plans import plan_json, print_plan
from syncer.cli._render import idle_run_json, run_json
from syncer.cli._support import (
    EXIT_ACTIONS_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    console,
    cut,
    emit_json,
    fail,
    handle_errors,
    user_error_code,
)
from syncer.core import EnvName, Plan
from syncer.core.errors import UserError

if TYPE_CHECKING:
    from syncer.engine import Engine, RunResult

EXIT_NOT_RUNNABLE = 127  # as a shell says when the generator cannot be started
EXIT_LATE_WRITES = 5  # done, but a write Notion did not answer in time may still land


no_wait_option = click.option(
    "--no-wait",
    is_flag=True,
    help="Do not wait for writes Notion did not answer in time; exit 5 if any may still land.",
)


@click.command("drain", cls=SyncerCommand)
@click.option(
    "--dry-run", is_flag=True, help="Show what the next drain would send; no lock, no writes."
)
@no_wait_option
@force_option
@take_over_option
@click.pass_obj
@handle_errors
def drain_command(
    globals_: Globals, dry_run: bool, no_wait: bool, force: bool, take_over: bool
) -> None:
    """Apply pending local changes to Notion.

    Reconciles first when the last reconcile is older than reconcile_every, or when change
    capture is off (an app rebuilt a schedule table): it puts the triggers back and
    reconciles, alerting once. Moves pages of past weeks to PAST CALENDAR. A write Notion did
    not answer in time may still land for twice the request timeout: the drain waits that
    out, then looks it up and repairs it, so exit 0 means Notion equals the schedule
    (--no-wait: exit 5 instead, naming the time after which to drain again). Exit 1 when some
    actions failed or rows were bad. With --dry-run, prints what the next drain would send,
    as `plan` prints it (when a reconcile is due, that reconcile's plan), changes nothing,
    and exits 3 when the guards would refuse it.

    Example: syncer --env prod drain --dry-run
    """
    if not dry_run and (idle := idle_drain(globals_)) is not None:
        _finish_idle(globals_, idle)
    engine = engine_for(globals_, force=force, take_over=take_over)
    if not dry_run:
        _finish(globals_, _drained(engine, no_wait=no_wait), engine)
        return
    preview = engine.preview_drain()
    if preview.kind == "reconcile" and not globals_.as_json:
        click.echo("A reconcile is due: the next drain starts with this one.")
    _show_plan(globals_, preview.plan, runs=preview.kind)
    _exit_as_the_run_would(preview.plan, force=force)


@click.command("reconcile", cls=SyncerCommand)
@click.option("--dry-run", is_flag=True, help="Only show what would be done.")
@force_option
@take_over_option
@click.pass_obj
@handle_errors
def reconcile_command(globals_: Globals, dry_run: bool, force: bool, take_over: bool) -> None:
    """Compare the whole schedule with Notion and repair every difference.

    Adopts pages by Sync Key, trashes duplicates and orphans, reverts hand edits, creates what
    is missing and moves past weeks. If any read of Notion fails, nothing is changed. With
    --dry-run, exits 3 when the guards would refuse the plan.

    Example: syncer --env prod reconcile --dry-run
    """
    result = engine_for(globals_, force=force, take_over=take_over).reconcile(dry_run=dry_run)
    if dry_run:
        _show_plan(globals_, result.plan)
        _exit_as_the_run_would(result.plan, force=force)
        return
    _finish(globals_, [result])


@click.command("resync", cls=SyncerCommand)
@force_option
@take_over_option
@click.pass_obj
@handle_errors
def resync_command(globals_: Globals, force: bool, take_over: bool) -> None:
    """Rebuild the page mapping and people cache from Notion, then reconcile.

    For recovery: syncer's tables were lost or restored from an old backup, or a database was
    replaced. Pages are adopted by Sync Key; every page whose content differs is rewritten.

    Example: syncer --env prod resync
    """
    _finish(globals_, [engine_for(globals_, force=force, take_over=take_over).resync()])


@click.command("plan", cls=SyncerCommand)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when in sync; 2 when there is drift, or a bad row keeps a shift out of "
    "Notion; 1 on error.",
)
@click.pass_obj
@handle_errors
def plan_command(globals_: Globals, detailed_exitcode: bool) -> None:
    """Show what a reconcile would do, without doing it.

    Example: syncer --env prod --json plan --detailed-exitcode
    """
    try:
        planned = engine_for(globals_).plan()
    except UserError as exc:
        if not detailed_exitcode:
            raise
        # With --detailed-exitcode, 2 means drift and nothing else; every error is 1.
        fail(EXIT_ACTIONS_FAILED, exc.message, exc.hint, code=user_error_code(exc))
    _show_plan(globals_, planned.plan)
    # A bad row's shift is not in Notion, so Notion does not equal the schedule: never 0.
    if detailed_exitcode and (drift(planned.plan) or planned.bad_rows):
        sys.exit(2)


@click.command("run", cls=SyncerCommand, context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@no_wait_option
@force_option
@click.pass_obj
@handle_errors
def run_command(globals_: Globals, command: Sequence[str], no_wait: bool, force: bool) -> None:
    """Run the schedule generator; when it exits 0, drain.

    When the generator fails, syncer exits with its exit code and does not drain. The
    configuration and the schedule file are checked first, so a setup error stops the run
    before the generator starts. Under --json the generator's stdout goes to stderr, so
    stdout holds the one JSON document.

    Example: syncer --env prod run -- node generate-schedule.js
    """
    engine = engine_for(globals_, force=force, trigger="run")
    try:
        returncode = _generate(command, stdout_to_stderr=globals_.as_json)
    except OSError as exc:
        fail(
            EXIT_NOT_RUNNABLE,
            f"cannot run {command[0]}: {exc.strerror}; not draining",
            "check the command after `--`: is it installed and on PATH?",
            code="generator_not_runnable",
        )
    if returncode != 0:
        fail(
            returncode,
            f"{command[0]} exited with {returncode}; not draining",
            code="generator_failed",
        )
    _finish(globals_, _drained(engine, no_wait=no_wait), engine)


def _generate(command: Sequence[str], *, stdout_to_stderr: bool) -> int:
    """Run the generator to its end; its exit code.

    Under --json its stdout is copied to our stderr as it comes, so that stdout holds only the
    JSON document (a script parses it whatever the generator prints).
    """
    if not stdout_to_stderr:
        return subprocess.run(list(command), check=False).returncode
    sys.stderr.flush()
    err = sys.stderr.buffer
    with subprocess.Popen(list(command), stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        while chunk := os.read(child.stdout.fileno(), 65536):
            err.write(chunk)
            err.flush()
    return child.returncode


def _drained(engine: Engine, *, no_wait: bool) -> list[RunResult]:
    if no_wait:
        engine = engine.with_options(settle_late_writes=False)
    return engine.drain()


def drift(the_plan: Plan) -> bool:
    """Whether Notion differs from the schedule: any action but a recorded skip."""
    return any(action.kind != "skip" for action in the_plan.actions)


def _exit_as_the_run_would(the_plan: Plan, *, force: bool) -> None:
    """A dry run exits as the run would have: 3 when the guards refuse its plan (no --force)."""
    if the_plan.verdict.refused and not force:
        sys.exit(EXIT_REFUSED)


def _show_plan(globals_: Globals, the_plan: Plan, *, runs: str | None = None) -> None:
    if globals_.as_json:
        document = plan_json(the_plan)
        if runs is not None:  # drain --dry-run: which run the next drain starts with
            document = {"runs": runs, **document}
        emit_json(document)
        return
    print_plan(console(), the_plan)


def _finish(globals_: Globals, results: list[RunResult], engine: Engine | None = None) -> None:
    failed = any(result.status in ("partial", "failed") for result in results)
    settle_at = engine.late_writes_settle_at() if engine is not None else None
    if settle_at is not None and not failed:
        # Done, but Notion may still change: a write it did not answer in time can land.
        _late(globals_, results, settle_at)
    if globals_.verbosity < 0 and not failed and not globals_.as_json:
        sys.exit(EXIT_OK)  # -q: nothing on success, so cron mails only when it matters
    if globals_.as_json:
        emit_json({"runs": [run_json(result) for result in results]})
    else:
        out = console()
        for result in results:
            _show_result(out, result)
    sys.exit(EXIT_ACTIONS_FAILED if failed else EXIT_OK)


def _finish_idle(globals_: Globals, env: EnvName) -> NoReturn:
    """What a drain with nothing to do prints, as :func:`_finish` prints it."""
    if globals_.as_json:
        emit_json({"runs": [idle_run_json("drain", env)]})
    elif globals_.verbosity >= 0:
        console().print("drain: nothing to do.")
    sys.exit(EXIT_OK)


def _late(globals_: Globals, results: list[RunResult], settle_at: dt.datetime) -> NoReturn:
    when = f"{settle_at:%Y-%m-%d %H:%M:%S} UTC"
    message = f"writes Notion did not answer in time may still land until {when}"
    hint = f"run `syncer drain` after {when}: it looks them up and repairs what landed"
    if globals_.as_json:
        runs = [run_json(result) for result in results]
        emit_json({"runs": runs, "late_writes_settle_at": settle_at.isoformat()})
        sys.exit(EXIT_LATE_WRITES)
    if globals_.verbosity >= 0:
        out = console()
        for result in results:
            _show_result(out, result)
    fail(EXIT_LATE_WRITES, message, hint, code="late_writes")


def _show_result(console: Console, result: RunResult) -> None:
    if result.run_id is None:
        console.print(f"{result.kind}: nothing to do.")
        return
    done = result.outcome.by_kind
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(done.items())) or "no changes"
    colour = "green" if result.ok else "red"
    console.print(
        f"{result.kind} run {result.run_id} [{colour}]{result.status}[/{colour}]: {summary}; "
        f"{result.outcome.failed} failed, {len(result.bad_rows)} bad rows, "
        f"{result.requests} Notion requests"
    )
    for key, error in result.outcome.failures[:10]:
        console.print(f"  [red]failed[/red] {cut(str(key))}: {cut(error)}")
    for bad in result.bad_rows[:10]:
        console.print(
            f"  [yellow]bad row[/yellow] {cut(str(bad.key))} ({bad.table} row {bad.row_id}): "
            f"{cut(bad.reason)}"
        )
    if not result.ok:
        console.print(f"  next: syncer audit show {result.run_id}")
