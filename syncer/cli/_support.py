"""What every command shares: output, errors that say what to do, exit codes.

Every error leaves through :func:`fail`: on stderr as ``error: ...`` and ``next: ...`` lines, or
under ``--json`` as ``{"error": {"code", "message", "hint"}}`` on stdout, with the same exit code.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, Literal, NoReturn, ParamSpec, TypeAlias, TypeVar, get_args

import click
from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table

from syncer.cli._globals import current_globals
from syncer.cli._logging import configured_secrets, printable
from syncer.cli._progress import stop_bars
from syncer.core.errors import (
    ClaimedElsewhere,
    ConfigError,
    DatabaseCorrupt,
    DatabaseNotReady,
    Interrupted,
    LockHeld,
    NotionError,
    PlanRefused,
    RollbackRefused,
    StoreError,
    UserError,
    redact,
)
from syncer.core.kinds import NOTION_CODES, NotionCode

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_ACTIONS_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_LOCKED = 4
EXIT_INTERRUPTED = 130  # SIGINT, as a shell reports it; SIGTERM is 143

# The `code` of a JSON error that syncer itself decides (README, "Exit codes"); a Notion error
# keeps Notion's own code (NotionCode). The README lists exactly these, and a test checks it.
SyncerCode: TypeAlias = Literal[
    "usage_error",
    "config_error",
    "database_not_ready",
    "database_corrupt",
    "store_error",
    "plan_refused",
    "rollback_refused",
    "lock_held",
    "declined",
    "interrupted",
    "generator_failed",
    "generator_not_runnable",
    "late_writes",
    "sandbox_refused",
    "claimed_elsewhere",
]
ErrorCode: TypeAlias = SyncerCode | NotionCode
SYNCER_CODES: tuple[SyncerCode, ...] = get_args(SyncerCode)
ERROR_CODES: frozenset[str] = frozenset(SYNCER_CODES) | frozenset(NOTION_CODES)


def fail(exit_code: int, message: str, hint: str | None = None, *, code: ErrorCode) -> NoReturn:
    """Report an error (JSON on stdout under --json, else text on stderr) and exit.

    The text is masked like a log line: an error is the one line a cron job's mail shows.
    """
    stop_bars()  # the error line goes under the bar's last state, not onto it
    secrets = configured_secrets(current_globals())
    message = printable(redact(message, secrets))
    hint = printable(redact(hint, secrets)) if hint is not None else None
    if current_globals().as_json:
        emit_json({"error": {"code": code, "message": message, "hint": hint}})
    else:
        click.secho(f"error: {message}", fg="red", err=True)
        if hint:
            click.echo(f"  next: {hint}", err=True)
    sys.exit(exit_code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map syncer's errors to the documented exit codes, each with a 'what to do next' line."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            fail(_exit_code(exc), exc.message, exc.hint, code=user_error_code(exc))
        except Interrupted as exc:
            fail(
                128 + exc.signal_number,
                f"{exc}: the run was recorded as interrupted and the lock released",
                "the next drain picks up what is left; `syncer status` shows the run",
                code="interrupted",
            )
        except NotionError as exc:
            message, hint = notion_advice(exc, click.get_current_context().meta)
            fail(EXIT_ACTIONS_FAILED, message, hint, code=exc.code)
        except StoreError as exc:
            # The store's messages carry their own advice (e.g. "run `syncer db upgrade`").
            fail(EXIT_ACTIONS_FAILED, f"local database: {exc}", code="store_error")

    return wrapper


def _exit_code(exc: UserError) -> int:
    if isinstance(exc, PlanRefused | RollbackRefused):
        return EXIT_REFUSED
    if isinstance(exc, LockHeld):
        return EXIT_LOCKED
    return EXIT_USAGE


def user_error_code(exc: UserError) -> SyncerCode:
    """The JSON error code of a user error: its kind's, else ``usage_error`` (exit 2)."""
    kinds: tuple[tuple[type[UserError], SyncerCode], ...] = (
        (DatabaseNotReady, "database_not_ready"),
        (DatabaseCorrupt, "database_corrupt"),
        (ConfigError, "config_error"),
        (PlanRefused, "plan_refused"),
        (RollbackRefused, "rollback_refused"),
        (LockHeld, "lock_held"),
        (ClaimedElsewhere, "claimed_elsewhere"),
    )
    return next((code for kind, code in kinds if isinstance(exc, kind)), "usage_error")


# Set by cli._context when a command opens an environment, so a Notion error can name its keys.
ENVIRONMENT_META = "syncer.environment"


def notion_advice(exc: NotionError, meta: dict[str, Any]) -> tuple[str, str]:
    """What a failed Notion call means for the person at the prompt, and what to do next."""
    env = meta.get(ENVIRONMENT_META)
    section = f"[environments.{env.name}]" if env is not None else "the environment's section"
    variable = env.notion_token_env if env is not None else "the token variable"
    if exc.code == "unreachable":
        url = (env.notion_base_url if env is not None else None) or "https://api.notion.com"
        if url.startswith("https://api.notion.com"):
            return f"cannot reach {url}: {exc.message}", "check the network, proxy and DNS"
        return f"cannot reach {url}", f"is it running? check notion_base_url in {section}"
    if exc.code == "unauthorized":
        return (
            f"Notion refused the token: {exc.message}",
            f"check {variable} (named by notion_token_env in {section}): it must hold the "
            "integration's secret",
        )
    if exc.code == "object_not_found":
        return (
            f"Notion: {exc.message}",
            "share both databases with the integration (in Notion: ... > Connections), and "
            f"check calendar_database_id and past_calendar_database_id in {section}",
        )
    if exc.code == "restricted_resource":
        return (
            f"Notion: {exc.message}",
            "the integration lacks a capability this needs; run `syncer notion check`",
        )
    return f"Notion: {exc.message}", "run `syncer status`, then `syncer audit show` for the run"


def run_main(super_main: Callable[..., Any], args: Any, *more: Any, **extra: Any) -> Any:
    """click's main, with errors in the command line itself answered in JSON under --json."""
    argv = list(sys.argv[1:] if args is None else args)
    standalone = extra.pop("standalone_mode", True)
    try:
        result = super_main(argv, *more, standalone_mode=False, **extra)
    except click.ClickException as exc:
        if not standalone:
            raise
        _usage_error(exc, wants_json=_json_requested(argv))
    except click.exceptions.Abort:
        if not standalone:
            raise
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if not standalone:
        return result
    sys.exit(result if isinstance(result, int) else EXIT_OK)


def _json_requested(argv: list[str]) -> bool:
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _usage_error(exc: click.ClickException, *, wants_json: bool) -> NoReturn:
    if wants_json:
        hint = "see `syncer --help` or `syncer COMMAND --help`"
        error = {"code": "usage_error", "message": exc.format_message(), "hint": hint}
        emit_json({"error": error})
    else:
        exc.show()
    sys.exit(exc.exit_code)


# Wide enough that nothing a report prints is ever wrapped when the output is not a terminal.
PIPE_WIDTH = 100_000


def console(*, stderr: bool = False) -> Console:
    """Where reports go (stdout, or stderr): no automatic highlighting of numbers and paths;
    lines wrap to a terminal's width, and never when piped (a line of text stays one line for
    grep and for mail, and a table is as wide as its cells)."""
    out = Console(highlight=False, stderr=stderr)
    if not out.is_terminal:
        out = Console(highlight=False, stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)
    return out


def table(*names: str) -> Table:
    """The one table style of every command: a rule under the header, no borders, columns two
    spaces apart; the last column folds when a terminal is too narrow for it (print it through
    :class:`Tidy`)."""
    found = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in names[:-1]:
        found.add_column(name, no_wrap=True)
    found.add_column(names[-1], overflow="fold", min_width=14)
    return found


class Tidy:
    """A table as every command prints it: its title (if any) on a line of its own, and no
    line ending in the spaces that pad its cells."""

    def __init__(self, table: Table, title: str | None = None) -> None:
        self.table = table
        self.title = title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.title:
            yield Segment(self.title)
            yield Segment.line()
        lines = [_rstripped(line) for line in console.render_lines(self.table, options, pad=False)]
        # The rule under the header spans the cells' padding too: as long as the text, no more.
        width = max((Segment.get_line_length(line) for line in lines if not _rule(line)), default=0)
        for line in lines:
            yield from Segment.adjust_line_length(line, width) if _rule(line) else line
            yield Segment.line()


def _rule(line: list[Segment]) -> bool:
    return all(set(segment.text) <= {"─"} for segment in line if not segment.control)


def _rstripped(line: list[Segment]) -> list[Segment]:
    """One rendered line without its trailing spaces (styles kept)."""
    kept = list(line)
    while kept and not kept[-1].control and not kept[-1].text.rstrip():
        kept.pop()
    if kept and not kept[-1].control:
        last = kept[-1]
        kept[-1] = Segment(last.text.rstrip(), last.style)
    return kept


def emit_json(value: object) -> None:
    """Print one JSON document on stdout (the --json contract)."""
    click.echo(json.dumps(value, indent=2, sort_keys=False, default=str))


def safe(text: str) -> str:
    """Data text for a rich console: printable, and never read as rich markup."""
    return escape(printable(text))


def shorten(text: str, width: int = 80) -> str:
    """A value cut to ``width`` characters with an ellipsis, for log lines and table cells."""
    return text if len(text) <= width else text[: width - 1] + "…"


def cut(text: str | None, width: int = 80) -> str:
    """Data text shortened to ``width`` and escaped, so rich never reads it as markup."""
    return safe(shorten(text, width)) if text else ""
