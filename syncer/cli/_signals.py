"""SIGINT and SIGTERM ask a run to stop cleanly: the Notion call in flight finishes, the run is
recorded ``interrupted``, the lock is released, and the command exits 130 or 143.

A second Ctrl+C is not softened: it interrupts at once, as Python does by default.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import click

from syncer.engine.options import StopRequest


def stop_on_signals(context: click.Context) -> StopRequest:
    """A stop request set by SIGINT or SIGTERM until the command ends (then handlers go back)."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        return stop  # signals reach only the main thread; a caller in a thread stops otherwise
    previous: dict[int, Any] = {}

    def handler(number: int, frame: FrameType | None) -> None:
        stop.set(number)
        # The next Ctrl+C is the impatient one: let it interrupt immediately.
        signal.signal(signal.SIGINT, previous.get(signal.SIGINT, signal.default_int_handler))

    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, handler)
    context.call_on_close(_restorer(previous))
    return stop


def _restorer(previous: dict[int, Any]) -> Callable[[], None]:
    def restore() -> None:
        for number, old in previous.items():
            signal.signal(number, old)

    return restore


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM: how a foreground server (the sandbox, the demo's) runs."""
    stopped = threading.Event()

    def handler(number: int, frame: FrameType | None) -> None:
        stopped.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)
    while not stopped.wait(0.5):
        pass
