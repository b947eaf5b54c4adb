"""``--state FILE``: load the workspace at start; save it atomically, debounced, and on stop.

The file holds the whole workspace, people's emails included (tokens are not saved: they come
from the command line), so it is written for its owner only: mode 0600, whatever the umask.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def load_state(path: Path) -> dict[str, Any] | None:
    """The snapshot stored in ``path``, or None when the file does not exist yet.

    Raises:
        ValueError: when the file is not a sandbox state file.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{path} is not a sandbox state file: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a sandbox state file")
    return data


FILE_MODE = 0o600


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path`` (mode 0600 from its creation, so the
    data is never readable by others, even briefly), then rename it over ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)  # a left-over temporary file keeps its old mode
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class StateSaver:
    """Saves ``snapshot()`` to ``path`` from a thread, at most once per ``delay_s``."""

    def __init__(self, path: Path, snapshot: Callable[[], bytes], delay_s: float) -> None:
        self._path = path
        self._snapshot = snapshot
        self._delay = delay_s
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-state-saver", daemon=True)

    def start(self) -> None:
        """Save once (so the file exists), then start saving after changes."""
        self.save_now()
        self._thread.start()

    def notify(self) -> None:
        """Note that the workspace changed."""
        self._dirty.set()

    def save_now(self) -> None:
        """Write the current snapshot."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self._path, self._snapshot())

    def stop(self) -> None:
        """Stop the thread and save a last time."""
        self._stopping.set()
        self._dirty.set()
        if self._thread.is_alive():
            self._thread.join()
        self.save_now()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._dirty.wait()
            if self._stopping.wait(self._delay):
                return
            self._dirty.clear()
            self.save_now()
