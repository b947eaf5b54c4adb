"""The global options, accepted before or after the command name, and the object they fill.

``syncer --json status`` and ``syncer status --json`` mean the same: the root group reads the
options (and their environment variables) into :class:`Globals`; every command and group below it
repeats them, and a value given after the command name replaces the one before it. Commands get
the result with ``@click.pass_obj``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from syncer.cli._logging import setup_logging
from syncer.core.errors import ConfigError
from syncer.engine.options import Clock, utc_now


@dataclass(frozen=True, slots=True)
class Globals:
    """The global options, as every command receives them."""

    db_path: Path | None = None
    config_path: Path | None = None
    env_name: str | None = None
    today: dt.date | None = None
    as_json: bool = False
    verbosity: int = 0  # -v minus -q
    log_file: Path | None = None
    log_format: str = "text"
    # The one clock every command reads "now" from (--today moves only the date runs treat as
    # today; the times syncer records, and leases, always follow this clock).
    clock: Clock = utc_now

    def require_db(self) -> Path:
        """The schedule database path, or a usage error naming the two ways to give it."""
        if self.db_path is None:
            raise ConfigError(
                "no database given", hint="pass --db PATH or set SYNCER_DB to the schedule's file"
            )
        return self.db_path


def current_globals() -> Globals:
    """The global options of the running command (defaults outside a command)."""
    context = click.get_current_context(silent=True)
    found = context.find_object(Globals) if context is not None else None
    return found if found is not None else Globals()


_TODAY_TYPE = click.DateTime(formats=["%Y-%m-%d"])
LOG_FORMATS = ("text", "json")


def _specs() -> list[tuple[tuple[str, ...], str, dict[str, Any]]]:
    """(flags, Globals field, click keywords) of each global option, in help order."""
    path = click.Path(dir_okay=False, path_type=Path)
    return [
        (
            ("--db",),
            "db_path",
            {"type": path, "help": "The schedule's SQLite file (env SYNCER_DB)."},
        ),
        (
            ("--config",),
            "config_path",
            {"type": path, "help": "The syncer.toml (env SYNCER_CONFIG)."},
        ),
        (("--env",), "env_name", {"help": "The environment (env SYNCER_ENV)."}),
        (("--today",), "today", {"type": _TODAY_TYPE, "help": _TODAY_HELP}),
        (
            ("--json",),
            "as_json",
            {"is_flag": True, "help": "Machine output on stdout; logs on stderr."},
        ),
        (
            ("-v", "--verbose"),
            "verbose",
            {"count": True, "help": "More log output (-vv: requests)."},
        ),
        (("-q", "--quiet"), "quiet", {"count": True, "help": "Print nothing on success."}),
        (("--log-file",), "log_file", {"type": path, "help": "Also write the log to this file."}),
        (
            ("--log-format",),
            "log_format",
            {"type": click.Choice(LOG_FORMATS), "help": _FORMAT_HELP},
        ),
    ]


_TODAY_HELP = "The date treated as today, YYYY-MM-DD (env SYNCER_TODAY)."
_FORMAT_HELP = "Log lines as text, or as JSON objects (one a line)."


ENVVARS = {
    "db_path": "SYNCER_DB",
    "config_path": "SYNCER_CONFIG",
    "env_name": "SYNCER_ENV",
    "today": "SYNCER_TODAY",
}


def root_options() -> list[click.Option]:
    """The options as the root group reads them: with their environment variables."""
    options = []
    for flags, name, keywords in _specs():
        extra: dict[str, Any] = {"envvar": ENVVARS[name]} if name in ENVVARS else {}
        if name == "log_format":
            extra["default"] = "text"
        options.append(click.Option([*flags, name], **keywords, **extra))
    return options


def repeated_options() -> list[click.Option]:
    """The same options for a command: given after its name, they replace the root's values.

    Hidden from each command's help (the root's help lists them once) to keep help short.
    """
    return [
        click.Option(
            [*flags, name], expose_value=False, callback=_merge(name), hidden=True, **keywords
        )
        for flags, name, keywords in _specs()
    ]


def globals_from(values: dict[str, Any]) -> Globals:
    """The root group's parsed option values as Globals."""
    today = values.get("today")
    return Globals(
        db_path=values.get("db_path"),
        config_path=values.get("config_path"),
        env_name=values.get("env_name"),
        today=today.date() if isinstance(today, dt.datetime) else None,
        as_json=bool(values.get("as_json")),
        verbosity=int(values.get("verbose") or 0) - int(values.get("quiet") or 0),
        log_file=values.get("log_file"),
        log_format=str(values.get("log_format") or "text"),
    )


def _merge(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value is False or value == 0 or value == ():
            return  # not given after the command name: the root's value stands
        current = ctx.find_object(Globals) or Globals()
        if name == "verbose":
            updated = replace(current, verbosity=current.verbosity + int(value))
        elif name == "quiet":
            updated = replace(current, verbosity=current.verbosity - int(value))
        elif name == "today":
            updated = replace(current, today=value.date())
        else:
            updated = replace(current, **{name: value})
        ctx.obj = updated
        if name in ("verbose", "quiet", "log_file", "log_format", "as_json"):
            setup_logging(updated)

    return callback


class SyncerCommand(click.Command):
    """A command that also accepts the global options after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(repeated_options())


class WholeSummaries(click.Group):
    """A group whose help lists each command's summary whole, wrapped rather than cut with
    "..." to fit the terminal."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class SyncerGroup(WholeSummaries):
    """A group whose commands (and the group itself) accept the global options after a name."""

    command_class = SyncerCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(repeated_options())


SyncerGroup.group_class = SyncerGroup
