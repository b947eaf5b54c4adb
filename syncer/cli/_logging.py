"""The one place that sets up logging: loguru to stderr (and ``--log-file``), as -v/-q say,
every line masked first.

It takes its options by shape (:class:`LoggingOptions`), so the global options' module can call
it without either importing the other's error handling.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from loguru import logger

from syncer.core.errors import UserError, redact

if TYPE_CHECKING:
    from loguru import Record

LEVELS = {-1: "ERROR", 0: "INFO", 1: "DEBUG", 2: "TRACE"}
TEXT_FORMAT = "{time:YYYY-MM-DD HH:mm:ss} <level>{level: <7}</level> {message}"
MAX_LOG_TEXT = 4_000  # characters of one log message (or bound field); the rest is cut


class LoggingOptions(Protocol):
    """What logging needs from the global options."""

    @property
    def verbosity(self) -> int: ...

    @property
    def log_file(self) -> Path | None: ...

    @property
    def log_format(self) -> str: ...

    @property
    def config_path(self) -> Path | None: ...


def setup_logging(options: LoggingOptions) -> None:
    """Send loguru's output to stderr (and --log-file) as -v/-q and --log-format say.

    ``-q`` leaves errors only, so a cron job that succeeds prints nothing; ``-v`` adds debug
    lines, ``-vv`` every Notion request. Every line is masked (the configured secrets and
    token-shaped text) before any sink sees it.
    """
    level = LEVELS[max(-1, min(2, options.verbosity))]
    serialize = options.log_format == "json"
    secrets = configured_secrets(options)
    logger.remove()
    logger.configure(patcher=lambda record: _mask_record(record, secrets))
    logger.add(sys.stderr, level=level, format=TEXT_FORMAT, colorize=None, serialize=serialize)
    if options.log_file is not None:
        logger.add(
            options.log_file,
            level=level,
            format=TEXT_FORMAT,
            serialize=serialize,
            opener=private_opener,
        )


def private_opener(path: str, flags: int) -> int:
    """``open()``'s opener for a log file: one it creates is owner-only (0600, whatever the
    umask: log lines name engineers and runs); one that exists keeps its mode."""
    try:
        descriptor = os.open(path, flags | os.O_EXCL, 0o600)
    except FileExistsError:
        return os.open(path, flags)
    os.fchmod(descriptor, 0o600)
    return descriptor


def configured_secrets(options: LoggingOptions) -> tuple[str, ...]:
    """The values of the variables the config names for tokens and the webhook URL.

    Read for masking only; a config that cannot be read masks none (the command itself then
    reports why), and token-shaped text is masked whatever the config says.
    """
    if options.config_path is None:
        return ()
    from syncer.config import load_settings  # imported only when there is a config to read

    try:
        settings = load_settings(options.config_path)
    except UserError:
        return ()
    names = [env.notion_token_env for env in settings.environments.values()]
    names.append(settings.alerts.webhook_url_env or "")
    values = (os.environ.get(name, "").strip() for name in names if name)
    return tuple(value for value in values if value)


def _mask_record(record: Record, secrets: tuple[str, ...]) -> None:
    """A second line of defence behind ``syncer.notion.errors``: a secret that reached a log
    line anyway (a message, or a bound field) is masked before it is written, and a message
    longer than :data:`MAX_LOG_TEXT` is cut."""
    record["message"] = _line(record["message"], secrets)
    for name, value in record["extra"].items():
        if isinstance(value, str):
            record["extra"][name] = _line(value, secrets)


def _line(text: str, secrets: tuple[str, ...]) -> str:
    # Cut before masking: a 10 MB value must not cost a scan of 10 MB per secret either.
    if len(text) > MAX_LOG_TEXT:
        text = f"{text[: MAX_LOG_TEXT - 30]}… ({len(text):,} characters)"
    return printable(redact(text, secrets))


# What a terminal would act on rather than show: C0 controls but the newline, DEL, C1 controls
# (ESC sequences set titles, clear screens, forge lines), and the bidirectional overrides,
# embeddings and isolates that reorder what is shown (U+202E makes "moc.elpmaxe" read back).
_UNPRINTABLE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """Text from Notion or the schedule, safe to print on a terminal: every character that a
    terminal would act on is shown as its escape (``\\x1b``, ``\\u202e``) instead."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
