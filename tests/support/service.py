"""`syncer watch` as a child process, as systemd runs it: its log read line by line as it comes,
and its `/metrics` read as Prometheus scrapes it."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.cli import TOKEN_VARIABLE, Cli

# One sample: its name and its labels, sorted (("kind", "drain"), ("status", "failed")).
Sample = tuple[str, tuple[tuple[str, str], ...]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """A `syncer watch` child process and its log, read line by line as it comes."""

    def __init__(self, cli: Cli, *args: str) -> None:
        command = [
            str(Path(sys.executable).with_name("syncer")),
            *("--db", str(cli.db), "--config", str(cli.config), "--env", "test"),
            *("watch", "--poll", "0.2", *args),
        ]
        env = {**os.environ, TOKEN_VARIABLE: cli.token}
        env.pop("SYNCER_TODAY", None)
        pipe = subprocess.PIPE
        self.child = subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, bufsize=0)
        self.lines: list[str] = []
        self._unread = b""  # read from the pipe, not yet a whole line

    def wait_for(self, *texts: str, timeout: float = 10.0) -> float:
        """Read the log until a line holds every one of ``texts``; return when it came
        (monotonic seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self._next_line(deadline)
            assert line is not None, f"no {texts!r} within {timeout} s:\n" + "".join(self.lines)
            self.lines.append(line)
            if all(text in line for text in texts):
                return time.monotonic()

    def _next_line(self, deadline: float) -> str | None:
        """The log's next line, or None at the deadline. The pipe is read unbuffered, so a
        line already read never waits in a buffer that ``select`` cannot see."""
        assert self.child.stderr is not None
        while b"\n" not in self._unread:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.child.stderr], [], [], max(0.0, remaining))
            if not ready:
                return None
            chunk = os.read(self.child.stderr.fileno(), 65536)
            assert chunk, "the service ended:\n" + "".join(self.lines)
            self._unread += chunk
        line, self._unread = self._unread.split(b"\n", 1)
        return line.decode() + "\n"

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; its exit code."""
        self.child.send_signal(signal.SIGTERM)
        _, rest = self.child.communicate(timeout=10)
        self.lines.extend((self._unread + rest).decode().splitlines(keepends=True))
        self._unread = b""
        return self.child.returncode


def scrape(port: int) -> dict[Sample, float]:
    """Every sample `GET /metrics` answers, parsed as Prometheus parses it."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
