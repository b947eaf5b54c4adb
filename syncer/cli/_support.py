"""What every command shares: the global options, logging set-up, output, and exit codes."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import click
from loguru import logger
from rich.console import Console

from syncer.core.errors import (
    ConfigError,
    LockHeld,
    NotionError,
    PlanRefused,
    RollbackRefused,
    StoreError,
    UserError,
)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_ACTIONS_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_LOCKED = 4


@dataclass(frozen=True, slots=True)
class Globals:
    """The global options, as every command receives them."""

    db_path: Path | None
    config_path: Path | None
    env_name: str | None
    today: dt.date | None
    as_json: bool

    def require_db(self) -> Path:
        """The schedule database path, or a usage error naming the two ways to give it."""
        if self.db_path is None:
            raise ConfigError(
                "no database given", hint="pass --db PATH or set SYNCER_DB to the schedule's file"
            )
        return self.db_path


def setup_logging(level: int) -> None:
    """Send loguru's output to stderr at a level chosen by -v/-q (the only place that does)."""
    names = {-2: "ERROR", -1: "WARNING", 0: "INFO", 1: "DEBUG"}
    name = names.get(max(-2, min(1, level)), "INFO")
    logger.remove()
    logger.add(sys.stderr, level=name, format="<level>{level: <7}</level> {message}", colorize=None)


def fail(code: int, message: str, hint: str | None = None) -> NoReturn:
    """Print an error and what to do next on stderr, then exit with ``code``."""
    click.secho(f"error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"  next: {hint}", err=True)
    sys.exit(code)


def _exit_code(exc: UserError) -> int:
    if isinstance(exc, PlanRefused | RollbackRefused):
        return EXIT_REFUSED
    if isinstance(exc, LockHeld):
        return EXIT_LOCKED
    return EXIT_USAGE


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map syncer's errors to the documented exit codes, each with a 'what to do next' line."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            fail(_exit_code(exc), exc.message, exc.hint)
        except NotionError as exc:
            fail(
                EXIT_ACTIONS_FAILED,
                f"Notion: {exc.message}",
                "check the token and that the databases are shared with the integration; "
                "then run `syncer status`",
            )
        except StoreError as exc:
            # The store's messages carry their own advice (e.g. "run `syncer db upgrade`").
            fail(EXIT_ACTIONS_FAILED, f"local database: {exc}")

    return wrapper


def console() -> Console:
    """Where tables go: stdout, no automatic highlighting of numbers and paths."""
    return Console(highlight=False)


def emit_json(value: object) -> None:
    """Print one JSON document on stdout (the --json contract)."""
    click.echo(json.dumps(value, indent=2, sort_keys=False, default=str))
