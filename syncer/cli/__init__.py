"""The `syncer` command line: parse, build dependencies, call one function, render, exit.

Each command lives in a small module of this package and exposes ``COMMANDS``; this module only
declares the global options and assembles the group.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from syncer import __version__
from syncer.cli import admin, db, demo, notion, sandbox, sync
from syncer.cli._support import Globals, setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


for _module in (db, sync, notion, admin, sandbox, demo):
    for _command in _module.COMMANDS:
        main.add_command(_command)
