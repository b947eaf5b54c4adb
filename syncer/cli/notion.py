"""Commands for the Notion side: `notion init` and `notion check`."""

from __future__ import annotations

import sys

import click

from syncer.cli._context import gateway_for, settings_for
from syncer.cli._globals import Globals, SyncerGroup
from syncer.cli._support import EXIT_USAGE, emit_json, handle_errors
from syncer.config import Environment, Settings, normalise_id
from syncer.core.errors import ConfigError
from syncer.engine.databases import check_databases, init_databases


@click.group("notion", cls=SyncerGroup)
def notion_group() -> None:
    """Create or verify the Notion databases."""


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
    return Environment("init", token_env, "-", "-", base_url)


@notion_group.command("check")
@click.pass_obj
@handle_errors
def check_command(globals_: Globals) -> None:
    """Verify both configured databases' schema; list what is missing or mistyped.

    Exit 0 when both are usable, 2 when something must be fixed.

    Example: syncer --env prod notion check
    """
    settings = settings_for(globals_)
    env = settings.environment(globals_.env_name)
    report = check_databases(settings, env, gateway_for(settings, env))
    if globals_.as_json:
        emit_json(
            {
                "ok": report.ok,
                "databases": {
                    db: {"id": report.database_ids[db], "problems": problems}
                    for db, problems in report.problems.items()
                },
            }
        )
    else:
        for db, problems in report.problems.items():
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            click.echo(f"{db} ({report.database_ids[db]}): {status}")
            for problem in problems:
                click.echo(f"  - {problem}")
    if not report.ok:
        sys.exit(EXIT_USAGE)
