"""The `syncer` command line: parse, build dependencies, call one function, render, exit.

One module per command or command group; this module only declares the global options and
names where each command lives. A command's module (and what it imports: the engine,
SQLAlchemy, notion-client, the sandbox) is loaded only when that command runs, so
``syncer --version`` starts in a fraction of the time, and ``syncer drain`` never loads the
sandbox's web server.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from syncer import __version__
from syncer.cli._globals import (
    SyncerCommand,
    SyncerGroup,
    WholeSummaries,
    globals_from,
    root_options,
)
from syncer.cli._logging import setup_logging
from syncer.cli._support import EXIT_USAGE, fail, run_main

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
    "watch": "syncer.cli.watch:watch_command",
    "sandbox": "syncer.cli.sandbox:sandbox_group",
    "demo": "syncer.cli.demo:demo_command",
}


class LazyGroup(WholeSummaries):
    """The root: its commands are imported on first use, from :data:`COMMANDS`; errors in the
    command line itself are JSON too under ``--json``."""

    command_class = SyncerCommand
    group_class = SyncerGroup

    def main(self, args: Any = None, *more: Any, **extra: Any) -> Any:
        return run_main(super().main, args, *more, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        if cmd_name in SANDBOX_COMMANDS and not sandbox_installed():
            return _needs_the_sandbox(cmd_name)
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command), f"{target} is not a click command"
        return command


# What `pip install 'syncer[sandbox]'` adds (the sandbox's web framework and server), and the
# commands that need it.
SANDBOX_LIBRARIES = ("starlette", "uvicorn")
SANDBOX_COMMANDS = frozenset({"sandbox", "demo"})
SANDBOX_EXTRA = "pip install 'syncer[sandbox]'"


def sandbox_installed() -> bool:
    """Whether the sandbox's libraries can be imported (found, not loaded: start-up stays quick)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in SANDBOX_LIBRARIES)
    except ImportError:
        return False


def _needs_the_sandbox(name: str) -> click.Command:
    """A stand-in for `sandbox` or `demo` when the sandbox's libraries are not installed."""

    def refuse(**_: Any) -> None:
        fail(
            EXIT_USAGE,
            f"`syncer {name}` needs the sandbox, an optional part of syncer",
            f"install it with {SANDBOX_EXTRA}",
            code="config_error",
        )

    return click.Command(
        name,
        callback=refuse,
        help=f"Needs the sandbox: {SANDBOX_EXTRA}.",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    params=root_options(),
)
@click.version_option(__version__, prog_name="syncer")
@click.pass_context
def main(ctx: click.Context, /, **values: Any) -> None:
    """Keep Notion calendars exactly equal to an on-call schedule kept in SQLite.

    Global options work before or after the command name: `syncer --json status` and
    `syncer status --json` are the same.

    Example: syncer --db oncall.db --config syncer.toml --env prod drain
    """
    ctx.obj = globals_from(values)
    setup_logging(ctx.obj)
