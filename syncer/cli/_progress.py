"""How a long run shows its progress: a bar on a terminal, a log line now and then on a pipe.

On a terminal a run of more than :data:`BAR_FROM` actions gets a rich progress bar (done/total,
writes, failures, retries, time left). On a pipe (cron, systemd, a log shipper) there is one log
line every :data:`EVERY_SECONDS` seconds or every tenth of the plan, whichever comes first, so a
long first sync is never silent. ``-q`` and ``--json`` show neither.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from loguru import logger
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from syncer.cli._globals import Globals
from syncer.core import Progress as RunProgress

BAR_FROM = 20
EVERY_SECONDS = 10.0

# The reports whose bar may be on the screen, so an error line can take the bar down first.
_OPEN: set[ProgressReport] = set()


def stop_bars() -> None:
    """Take every progress bar off the screen, before an error line is printed: a line
    printed under a live bar is glued onto the bar's line, and the bar redrawn after it."""
    for report in list(_OPEN):
        report.close()


class ProgressReport:
    """Called with each action's progress; draws a bar or logs, as the output allows."""

    def __init__(self, *, terminal: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._terminal = terminal
        self._clock = clock
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._run: int | None = None
        self._last_log = clock()
        self._last_tenth = 0

    def __call__(self, progress: RunProgress) -> None:
        if progress.total <= BAR_FROM:
            return
        with self._lock:
            if self._terminal:
                self._draw(progress)
            else:
                self._log(progress)

    def close(self) -> None:
        with self._lock:
            self._close_bar()
        _OPEN.discard(self)

    def _draw(self, progress: RunProgress) -> None:
        if self._bar is None or self._run != progress.run_id:
            self._close_bar()
            self._bar = _bar()
            self._bar.start()
            _OPEN.add(self)
            description = f"run {progress.run_id}"
            self._task = self._bar.add_task(description, total=progress.total, detail="")
            self._run = progress.run_id
        assert self._task is not None
        detail = f"{progress.applied} written, {progress.failed} failed, {progress.retries} retries"
        self._bar.update(self._task, completed=progress.done, total=progress.total, detail=detail)
        if progress.done >= progress.total:
            self._close_bar()  # the run's own summary line follows

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _log(self, progress: RunProgress) -> None:
        now = self._clock()
        tenth = progress.done * 10 // progress.total
        if now - self._last_log < EVERY_SECONDS and tenth == self._last_tenth:
            return
        self._last_log, self._last_tenth = now, tenth
        logger.info(
            "run.progress: run {} {}/{} actions ({} written, {} failed, {} retries)",
            progress.run_id,
            progress.done,
            progress.total,
            progress.applied,
            progress.failed,
            progress.retries,
        )


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def progress_report(options: Globals) -> ProgressReport | None:
    """The report this command line wants, or None (-q, --json)."""
    if options.verbosity < 0 or options.as_json:
        return None
    return ProgressReport(terminal=sys.stderr.isatty())
