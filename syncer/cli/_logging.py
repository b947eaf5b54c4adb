"""The one place that sets up logging: loguru to stderr (and ``--log-file``), as -v/-q say.

It takes its options by shape (:class:`LoggingOptions`), so the global options' module can call
it without either importing the other's error handling.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol

from loguru import logger

LEVELS = {-1: "ERROR", 0: "INFO", 1: "DEBUG", 2: "TRACE"}
TEXT_FORMAT = "{time:YYYY-MM-DD HH:mm:ss} <level>{level: <7}</level> {message}"


class LoggingOptions(Protocol):
    """What logging needs from the global options."""

    @property
    def verbosity(self) -> int: ...

    @property
    def log_file(self) -> Path | None: ...

    @property
    def log_format(self) -> str: ...


def setup_logging(options: LoggingOptions) -> None:
    """Send loguru's output to stderr (and --log-file) as -v/-q and --log-format say.

    ``-q`` leaves errors only, so a cron job that succeeds prints nothing; ``-v`` adds debug
    lines, ``-vv`` every Notion request.
    """
    level = LEVELS[max(-1, min(2, options.verbosity))]
    serialize = options.log_format == "json"
    logger.remove()
    logger.add(sys.stderr, level=level, format=TEXT_FORMAT, colorize=None, serialize=serialize)
    if options.log_file is not None:
        logger.add(options.log_file, level=level, format=TEXT_FORMAT, serialize=serialize)
