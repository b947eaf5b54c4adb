"""Run the sandbox over HTTP: in a background thread (tests, demo, benchmarks) or in the foreground.

In-process use::

    from syncer.sandbox.server import serve_in_thread
    from syncer.sandbox.settings import SandboxSettings

    with serve_in_thread(SandboxSettings(rate_limit=None)) as sb:
        client = notion_client.Client(auth=sb.syncer_token, base_url=sb.url, retry=False)
        sb.add_user("Ada Lovelace", "ada@example.com")
        client.pages.create(parent={"page_id": sb.root_page_id}, properties={...})
        sb.fail_next(503, method="POST", path="/v1/pages")
        assert sb.requests()[-1]["status"] == 200
        sb.reset()

:class:`RunningSandbox` gives ``url`` (``http://127.0.0.1:PORT``, no ``/v1``; port 0 in the
settings picks a free port), ``syncer_token``, ``human_token``, ``root_page_id``, ``service``
(the :class:`~syncer.sandbox.service.SandboxService`), and the admin methods ``reset()``,
``add_user(name, email=None, *, bot=False)``, ``add_integration(name, capabilities)``,
``add_fault(rule)``, ``fail_next(status, ...)``,
``clear_faults()``, ``fault_rules()``, ``requests()``, ``clear_requests()``,
``update_settings(**changes)``, ``dump()``, ``info()``; ``stop()`` ends it (the context manager
calls it) and joins every thread it started.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from syncer.sandbox.app import build_app
from syncer.sandbox.faults import FaultRule
from syncer.sandbox.persist import StateSaver, load_state
from syncer.sandbox.service import SandboxService
from syncer.sandbox.settings import HUMAN_TOKEN, SYNCER_TOKEN, SandboxSettings

STARTUP_TIMEOUT_S = 10.0
_DROP_NOISE = "ASGI callable returned without completing response."


class _HideDrops(logging.Filter):
    """Hides uvicorn's complaints about what the faults do on purpose: the responses
    ``apply_then_drop`` cuts short, and a ``delay`` still holding a request when the sandbox
    stops (cancelled, with a traceback that says nothing useful)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message == _DROP_NOISE or message.endswith("timeout graceful shutdown exceeded"):
            return False
        cause = record.exc_info[1] if record.exc_info else None
        return not isinstance(cause, asyncio.CancelledError)


def _quiet_drops() -> None:
    target = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDrops) for f in target.filters):
        target.addFilter(_HideDrops())


class RunningSandbox:
    """A sandbox serving HTTP from a background thread, with its admin methods."""

    def __init__(self, settings: SandboxSettings) -> None:
        _quiet_drops()
        snapshot = load_state(settings.state_file) if settings.state_file else None
        self.service = SandboxService(settings, snapshot)
        self._saver: StateSaver | None = None
        if settings.state_file:
            self._saver = StateSaver(
                settings.state_file, self.service.snapshot, settings.save_delay_s
            )
            self.service.on_change(self._saver.notify)
        config = uvicorn.Config(
            build_app(self.service, extra_hosts=(settings.host,)),
            host=settings.host,
            port=settings.port,
            log_config=None,
            log_level="warning",
            access_log=False,
            http="h11",
            ws="none",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sandbox-http", daemon=True)
        self.url = ""

    def start(self) -> RunningSandbox:
        """Start serving; return once the socket listens.

        Raises:
            OSError: when the server could not start (for example, the port is taken).
        """
        if self._saver:
            self._saver.start()
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise OSError("the sandbox could not start listening (is the port taken?)")
            time.sleep(0.005)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        """Stop serving, join the server thread, and save the state file one last time."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join()
        if self._saver:
            self._saver.stop()
            self._saver = None

    @property
    def syncer_token(self) -> str:
        """The token of the integration the syncer uses."""
        return SYNCER_TOKEN

    @property
    def human_token(self) -> str:
        """The token of the integration that stands in for a person editing by hand."""
        return HUMAN_TOKEN

    @property
    def root_page_id(self) -> str:
        """The page to create databases under."""
        return self.service.root_page_id

    def reset(self) -> None:
        """Back to a just-started sandbox (same root page and tokens)."""
        self.service.reset()

    def add_user(self, name: str, email: str | None = None, *, bot: bool = False) -> dict[str, Any]:
        """Add a person (or bot) and return its user object."""
        return self.service.add_user(name, email, bot=bot)

    def add_integration(self, name: str, capabilities: Iterable[str]) -> dict[str, Any]:
        """Add an integration with these capabilities; its ``token`` is in the answer."""
        return self.service.add_integration(name, capabilities)

    def add_fault(self, rule: FaultRule | dict[str, Any]) -> dict[str, Any]:
        """Add a fault rule (see docs/sandbox.md for the format)."""
        return self.service.add_fault(rule)

    def fail_next(self, status: int, **match: Any) -> dict[str, Any]:
        """Answer the next matching request(s) with ``status`` (``method``, ``path``, ``times``,
        ``retry_after`` as keywords)."""
        return self.service.fail_next(status, **match)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.service.clear_faults()

    def in_flight(self) -> int:
        """How many ``/v1`` requests are being answered now (a delay fault holds some)."""
        return self.service.in_flight()

    def fault_rules(self) -> list[dict[str, Any]]:
        """The active fault rules."""
        return self.service.fault_rules()

    def requests(self) -> list[dict[str, Any]]:
        """The ``/v1`` request log since the last reset."""
        return self.service.requests()

    def clear_requests(self) -> None:
        """Empty the request log."""
        self.service.clear_requests()

    def update_settings(self, **changes: Any) -> dict[str, Any]:
        """Change latency, jitter, rate limit (a ``RateLimit``, ``"N/S"`` or None)."""
        return self.service.update_settings(**changes)

    def dump(self) -> dict[str, Any]:
        """Every user, database, data source and page as JSON."""
        return self.service.dump()

    def info(self) -> dict[str, Any]:
        """What ``GET /_sandbox/info`` returns."""
        return self.service.info()


def start_in_thread(settings: SandboxSettings | None = None) -> RunningSandbox:
    """Start a sandbox in a background thread; call ``stop()`` when done."""
    return RunningSandbox(settings or SandboxSettings()).start()


@contextmanager
def serve_in_thread(settings: SandboxSettings | None = None) -> Iterator[RunningSandbox]:
    """A sandbox serving from a background thread for the duration of a ``with`` block."""
    sandbox = start_in_thread(settings)
    try:
        yield sandbox
    finally:
        sandbox.stop()
