"""Headless Chromium (Debian's ``chromium``) driven through the DevTools protocol.

A small client: one browser process on a free port, one page, ``goto``, ``evaluate``,
``wait_for`` (the waiting happens inside the browser, with a deadline) and ``screenshot``.
Nothing is downloaded: the browser is the one installed on the machine (``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

NAMES = ("chromium", "chromium-browser", "google-chrome")
START_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0


def find_chromium() -> str | None:
    """The path of an installed Chromium, or None."""
    return next((path for path in map(shutil.which, NAMES) if path), None)


class BrowserError(RuntimeError):
    """The browser did not start, or a DevTools call failed."""


class Browser:
    """One headless Chromium with one page, closed by :meth:`close`."""

    def __init__(self, executable: str, profile: Path) -> None:
        args = [
            executable,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-crash-reporter",
            "--disable-breakpad",
            "--hide-scrollbars",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        env = {**os.environ, "TZ": "UTC"}
        self._process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
        )
        self._ids = 0
        self._stack = ExitStack()
        self._pump: threading.Thread | None = None
        self._events: list[dict[str, Any]] = []
        self._session = ""
        try:
            # No keepalive: its pings draw from the global `random`, which Hypothesis forbids
            # other threads to touch while it generates examples.
            self._socket = self._stack.enter_context(
                connect(
                    self._endpoint(),
                    max_size=None,
                    open_timeout=START_TIMEOUT_S,
                    ping_interval=None,
                )
            )
            target = self.call("Target.createTarget", {"url": "about:blank"}, page=False)
            attached = self.call(
                "Target.attachToTarget",
                {"targetId": target["targetId"], "flatten": True},
                page=False,
            )
            self._session = attached["sessionId"]
            self.call("Page.enable")
        except BaseException:
            self.close()
            raise

    def _endpoint(self) -> str:
        """Chromium prints its DevTools address on stderr; read it on a thread, with a deadline."""
        lines: queue.Queue[str] = queue.Queue()
        stderr = self._process.stderr
        assert stderr is not None

        def pump() -> None:
            for line in stderr:  # keeps draining, so the browser never blocks on a full pipe
                lines.put(line)

        self._pump = threading.Thread(target=pump, name="chromium-stderr", daemon=True)
        self._pump.start()
        seen: list[str] = []
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                raise BrowserError("Chromium did not start:\n" + "".join(seen)) from None
            seen.append(line)
            if "DevTools listening on " in line:
                return line.split("DevTools listening on ", 1)[1].strip()

    def call(self, method: str, params: dict[str, Any] | None = None, *, page: bool = True) -> Any:
        """One DevTools command; its result (events received meanwhile are kept)."""
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        while True:
            answer = json.loads(self._socket.recv(timeout=CALL_TIMEOUT_S))
            if answer.get("id") != self._ids:
                self._events.append(answer)
                continue
            if "error" in answer:
                raise BrowserError(f"{method}: {answer['error']}")
            return answer.get("result", {})

    def _await_event(self, method: str) -> dict[str, Any]:
        while True:
            for event in self._events:
                if event.get("method") == method:
                    self._events.clear()
                    return event
            self._events.append(json.loads(self._socket.recv(timeout=CALL_TIMEOUT_S)))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 15.0) -> Any:
        """The first truthy value of ``expression``, checked every 50 ms inside the page;
        None when ``timeout_s`` passes first."""
        check = (
            "new Promise(done => { const until = Date.now() + MS; (function check() {"
            " let value = null; try { value = (EXPR); } catch (e) {}"
            " if (value || Date.now() > until) done(value || null);"
            " else setTimeout(check, 50); })(); })"
        )
        return self.evaluate(
            check.replace("MS", str(int(timeout_s * 1000))).replace("EXPR", expression)
        )

    def goto(self, url: str, *, width: int = 1280, height: int = 900) -> None:
        """Open ``url`` in a viewport of ``width`` x ``height`` and wait until it has loaded."""
        self.resize(width, height)
        self._events.clear()
        self.call("Page.navigate", {"url": url})
        self._await_event("Page.loadEventFired")

    def resize(self, width: int, height: int) -> None:
        """Emulate a screen of ``width`` x ``height`` CSS pixels (a phone below 720)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 720},
        )

    def screenshot(self, path: Path) -> Path:
        """Save the whole page (beyond the viewport too) as a PNG."""
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        """Close the connection and stop the browser."""
        self._stack.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._pump is not None:
            self._pump.join(timeout=20)
        if self._process.stderr is not None:
            self._process.stderr.close()
