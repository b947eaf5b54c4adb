"""How a run is started and stopped, and the kinds of time and randomness it is given.

All of it is injected: the composition root passes the real clock and sleep, tests pass a
hand-moved clock and a sleep that records, so no test waits.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from syncer.core import LockHolder, Progress, RunEnd, Trigger
from syncer.core.errors import Interrupted

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
Jitter = Callable[[], float]


def utc_now() -> dt.datetime:
    """The real clock: now, in UTC (the one place syncer reads the time of day)."""
    return dt.datetime.now(dt.UTC)


def default_holder(tag: str | None = None) -> LockHolder:
    """This process as a lock holder: host and process, so an admin can find it, and a tag of
    its own (random unless given), so that two syncs started from one process never share a
    lease."""
    return LockHolder(socket.gethostname(), os.getpid(), tag or uuid.uuid4().hex[:6])


class StopRequest:
    """Whether (and by which signal) the run was asked to stop."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_number: int | None = None

    def set(self, signal_number: int) -> None:
        if not self._event.is_set():
            self.signal_number = signal_number
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep, but wake as soon as a stop is requested (a sleep that signals can cut short)."""
        self._event.wait(seconds)

    def check(self) -> None:
        """Raise :class:`Interrupted` once a stop was requested."""
        if self.signal_number is not None and self._event.is_set():
            raise Interrupted(self.signal_number)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How runs are started: by what, whether guards are overridden, who hears of bad ends.

    Args:
        trigger: what started the run, recorded with it.
        force: apply even when a safety guard refuses the plan.
        holder: the lock holder (default: this host and process, and a tag of its own).
        on_run_end: called once when a run ends with something to announce (the alerts).
        stop: set by a signal handler: the run finishes the call in flight and stops.
        on_progress: told after each action how far the plan has come.
        settle_late_writes: a drain waits out the window in which writes Notion did not
            answer in time may still land, then looks them up (False: ``--no-wait``, and the
            watch service, which looks them up itself when the window ends).
        take_over: write even where another schedule file's claim is in the databases'
            description, and make them this file's (``--take-over``).
    """

    trigger: Trigger = "cli"
    force: bool = False
    holder: LockHolder = field(default_factory=default_holder)
    on_run_end: Callable[[RunEnd], None] | None = None
    stop: StopRequest = field(default_factory=StopRequest)
    on_progress: Callable[[Progress], None] | None = None
    settle_late_writes: bool = True
    take_over: bool = False
