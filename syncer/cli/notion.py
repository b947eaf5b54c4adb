"""Commands for the Notion side: `notion init`, `notion check` and `notion adopt`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from syncer.cli._context import gateway_for, settings_for
from syncer.cli._globals import Globals, SyncerGroup
from syncer.cli._logging import printable
from syncer.cli._support import EXIT_USAGE, emit_json, fail, handle_errors, notion_advice
from syncer.cli.adopt import adopt_command
from syncer.config import Environment, Settings, normalise_id
from syncer.core import EnvName
from syncer.core.errors import ConfigError, NotionError, StoreError
from syncer.core.kinds import Capability, CapabilityState

if TYPE_CHECKING:  # loaded when a command runs, not for --help (start-up)
    from syncer.engine.databases import SchemaReport
    from syncer.engine.preflight import WriteTest


@click.group("notion", cls=SyncerGroup)
def notion_group() -> None:
    """Create, verify or take over the Notion databases.

    Example: syncer --env prod notion check --write-test
    """


notion_group.add_command(adopt_command)


@notion_group.command("init")
@click.option("--parent-page", required=True, help="The page to create both databases under.")
@click.option("--token-env", help="The variable holding the token (default: the env's).")
@click.option("--base-url", help="Notion's base URL (default: the env's, or api.notion.com).")
@click.option("--title-prefix", default="", help="Put this before both databases' titles.")
@click.pass_obj
@handle_errors
def init_command(
    globals_: Globals,
    parent_page: str,
    token_env: str | None,
    base_url: str | None,
    title_prefix: str,
) -> None:
    """Create CALENDAR and PAST CALENDAR with syncer's schema; print their ids.

    Copy the ids into the environment's section of syncer.toml.

    Example: syncer --config syncer.toml --env prod notion init --parent-page 1f2e...
    """
    from syncer.engine.databases import init_databases

    settings = settings_for(globals_) if globals_.config_path else Settings()
    env = _environment(settings, globals_, token_env, base_url)
    parent = normalise_id(parent_page)
    created = init_databases(settings, gateway_for(settings, env), parent, prefix=title_prefix)
    if globals_.as_json:
        emit_json(
            {
                "calendar_database_id": created.calendar_database_id,
                "past_calendar_database_id": created.past_calendar_database_id,
            }
        )
        return
    click.echo(f'calendar_database_id = "{created.calendar_database_id}"')
    click.echo(f'past_calendar_database_id = "{created.past_calendar_database_id}"')


def _environment(
    settings: Settings, globals_: Globals, token_env: str | None, base_url: str | None
) -> Environment:
    """The configured environment, with --token-env/--base-url overriding its values."""
    if globals_.env_name or settings.default_environment:
        env = settings.environment(globals_.env_name)
        return Environment(
            env.name,
            token_env or env.notion_token_env,
            env.calendar_database_id,
            env.past_calendar_database_id,
            base_url or env.notion_base_url,
        )
    if not token_env:
        raise ConfigError(
            "no environment and no token variable given",
            hint="pass --env NAME (with --config) or --token-env VARIABLE",
        )
    return Environment(EnvName("init"), token_env, "-", "-", base_url)


Capabilities = Mapping[Capability, CapabilityState]


@notion_group.command("check")
@click.option(
    "--write-test",
    is_flag=True,
    help="Also create, update, move, read back and trash one scratch page (run it before the "
    "first drain of a real workspace).",
)
@click.pass_obj
@handle_errors
def check_command(globals_: Globals, write_test: bool) -> None:
    """Verify both configured databases' schema, the token's capabilities and the API version.

    Lists what the schema lacks or mistypes, what the token may do, and the Notion-Version
    syncer sends. With --write-test, a scratch page (Sync Key syncer-selftest/<uuid>) goes
    through every write syncer makes, each step timed and compared, and is trashed at the end,
    whatever happens. Exit 0 when everything is usable, 2 when something must be fixed: a
    token Notion refuses and a Notion that cannot be reached included.

    Example: syncer --env prod notion check --write-test
    """
    from syncer.engine.databases import NEEDED, check_databases
    from syncer.engine.preflight import write_test as run_write_test

    settings = settings_for(globals_)
    env = settings.environment(globals_.env_name)
    gateway = gateway_for(settings, env)
    try:
        report = check_databases(settings, env, gateway)
        test = run_write_test(settings, env, gateway) if write_test else None
    except NotionError as exc:
        # A check answers "can syncer work there?": a failed call is something to fix (2).
        message, hint = notion_advice(exc, click.get_current_context().meta)
        fail(EXIT_USAGE, message, hint, code=exc.code)
    _forget_cached_metadata(globals_, env)
    capabilities = {**report.capabilities, **(test.capabilities if test else {})}
    missing = {c for c, state in capabilities.items() if state == "missing"}
    ok = report.ok and not missing & NEEDED and (test is None or test.ok)
    if globals_.as_json:
        emit_json(_check_json(ok, report, capabilities, test))
    else:
        _print_check(report, capabilities, test)
    if not ok:
        sys.exit(EXIT_USAGE)


def _forget_cached_metadata(globals_: Globals, env: Environment) -> None:
    """After a check, the next run reads the databases' metadata (data source, schema, claim)
    from Notion again instead of the schedule file's cache (when --db names a migrated file)."""
    from syncer.store import Store

    if globals_.db_path is None or not globals_.db_path.is_file():
        return
    try:
        with Store.open(globals_.db_path, require_capture=False) as store:
            for database_id in (env.calendar_database_id, env.past_calendar_database_id):
                store.forget_database(database_id)
    except StoreError:
        return  # not migrated yet: there is no cache to refresh


def _check_json(
    ok: bool, report: SchemaReport, capabilities: Capabilities, test: WriteTest | None
) -> dict[str, object]:
    result: dict[str, object] = {
        "ok": ok,
        "notion_version": report.notion_version,
        "databases": {
            db: {"id": report.database_ids[db], "problems": problems}
            for db, problems in report.problems.items()
        },
        "capabilities": capabilities,
    }
    if test is not None:
        result["write_test"] = {
            "ok": test.ok,
            "sync_key": test.sync_key,
            "page_id": test.page_id,
            "left_behind": test.left_behind,
            "steps": [
                {"step": s.name, "ok": s.ok, "ms": round(s.seconds * 1000), "detail": s.detail}
                for s in test.steps
            ],
        }
    return result


_WHY: dict[Capability, str] = {
    "read_users": "engineers are written as email text",
    "read_user_emails": "engineers are written as email text",
    "insert_content": "syncer cannot create pages",
    "update_content": "syncer cannot update, move or trash pages",
    "read_content": "syncer cannot read the databases",
}


def _print_check(report: SchemaReport, capabilities: Capabilities, test: WriteTest | None) -> None:
    for db, problems in report.problems.items():
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        click.echo(f"{db} ({report.database_ids[db]}): {status}")
        for problem in problems:
            click.echo(f"  - {printable(problem)}")
    click.echo(f"Notion-Version: {report.notion_version}")
    click.echo("capabilities:")
    unchecked = "(run with --write-test)" if test is None else "(the write test stopped first)"
    for name, state in capabilities.items():
        note = {"missing": f"({_WHY[name]})", "unchecked": unchecked}.get(state, "")
        click.echo(f"  {name:<17} {state}  {note}".rstrip())
    if test is None:
        return
    click.echo(f"write test (Sync Key {test.sync_key}):")
    for step in test.steps:
        mark = "ok" if step.ok else "FAILED"
        click.echo(f"  {step.name:<11} {mark:<6} {step.seconds * 1000:6.0f} ms  {step.detail}")
    if test.left_behind:
        click.echo(f"  the scratch page {test.left_behind} could not be trashed: delete it by hand")
