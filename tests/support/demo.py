"""`syncer demo` as a user runs it: a real process, its output, and the files it keeps."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DEADLINE_S = 60.0


def syncer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``syncer ARGS`` as a process; its output, its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "syncer", *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S * 2,
        env={**os.environ, **(env or {})},
        check=False,
    )


@dataclass
class Told:
    """One telling of the story: what it printed, how it ended, how long it took."""

    out: str
    err: str
    code: int
    seconds: float
    folder: Path

    def chapter(self, number: int) -> str:
        """The lines of one chapter, from its heading to the next."""
        lines = self.out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{number}. "))
        end = next(
            (i for i, line in enumerate(lines[start + 1 :], start + 1) if line[:1].isdigit()),
            len(lines),
        )
        return "\n".join(lines[start:end])


class Lines:
    """A running process's stdout, line by line, read on a thread so waits have deadlines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout

        def pump() -> None:
            for line in stream:
                self._queue.put(line)
            self._queue.put(None)

        self._thread = threading.Thread(target=pump, daemon=True)
        self._thread.start()

    def until(self, needle: str) -> str:
        """The first line holding ``needle``; fails at the deadline or when output ends."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line with {needle!r} in time:\n{''.join(self.seen)}")
            if line is None:
                pytest.fail(f"output ended without {needle!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if needle in line:
                return line

    def join(self) -> None:
        self._thread.join(timeout=DEADLINE_S)


@contextmanager
def running(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[Lines, subprocess.Popen[str]]]:
    """``syncer ARGS`` as a background process; interrupted (Ctrl+C) and awaited at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "syncer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines = Lines(process)
    try:
        yield lines, process
    finally:
        if process.poll() is None:
            process.send_signal(2)  # SIGINT, as Ctrl+C
        try:
            process.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        lines.join()
        assert process.stdout is not None
        process.stdout.close()
