"""The `syncer` command line: parse, build dependencies, call one function, render, exit.

One module per command or command group; this module only declares the global options and
names where each command lives. A command's module (and what it imports: the engine,
SQLAlchemy, notion-client, the sandbox) is loaded only when that command runs, so
``syncer --version`` starts in a fraction of the time, and ``syncer drain`` never loads the
sandbox's web server.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import click

from syncer import __version__
from syncer.cli._support import Globals, setup_logging

# Command name -> "module:attribute" of its click command, in the order `--help` lists them.
COMMANDS: dict[str, str] = {
    "db": "syncer.cli.db:db_group",
    "changes": "syncer.cli.changes:changes_command",
    "drain": "syncer.cli.sync:drain_command",
    "reconcile": "syncer.cli.sync:reconcile_command",
    "resync": "syncer.cli.sync:resync_command",
    "plan": "syncer.cli.sync:plan_command",
    "run": "syncer.cli.sync:run_command",
    "notion": "syncer.cli.notion:notion_group",
    "status": "syncer.cli.status:status_command",
    "audit": "syncer.cli.audit:audit_group",
    "rollback": "syncer.cli.rollback:rollback_command",
    "sandbox": "syncer.cli.sandbox:sandbox_group",
    "demo": "syncer.cli.demo:demo_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command), f"{target} is not a click command"
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    "db_path",
    envvar="SYNCER_DB",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The schedule's SQLite file (env SYNCER_DB).",
)
@click.option(
    "--config",
    "config_path",
    envvar="SYNCER_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The syncer.toml file (env SYNCER_CONFIG).",
)
@click.option("--env", "env_name", envvar="SYNCER_ENV", help="The environment (env SYNCER_ENV).")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    envvar="SYNCER_TODAY",
    help="The date the run treats as today, YYYY-MM-DD (env SYNCER_TODAY).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout; logs on stderr.")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for more).")
@click.option("-q", "--quiet", count=True, help="Less log output.")
@click.version_option(__version__, prog_name="syncer")
@click.pass_context
def main(
    ctx: click.Context,
    db_path: Path | None,
    config_path: Path | None,
    env_name: str | None,
    today: dt.datetime | None,
    as_json: bool,
    verbose: int,
    quiet: int,
) -> None:
    """Keep Notion calendars exactly equal to an on-call schedule kept in SQLite.

    Example: syncer --db oncall.db --config syncer.toml --env prod drain
    """
    setup_logging(verbose - quiet)
    ctx.obj = Globals(
        db_path=db_path,
        config_path=config_path,
        env_name=env_name,
        today=today.date() if today else None,
        as_json=as_json,
    )
