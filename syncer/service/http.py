"""The service's HTTP server: ``GET /healthz`` (the health verdict as JSON) and ``GET /metrics``
(Prometheus), on a thread of its own beside the watch loop. [service]"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from loguru import logger

from syncer.core.errors import ConfigError
from syncer.core.health import health
from syncer.engine import Engine
from syncer.service.metrics import Metrics
from syncer.store.audit import RunFilter

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
App = Callable[[dict[str, Any], StartResponse], list[bytes]]


def serve(listen: str, engine: Engine, metrics: Metrics, threshold: dt.timedelta) -> WSGIServer:
    """Start serving on ``HOST:PORT`` (a daemon thread); the caller shuts the server down.

    Raises:
        ConfigError: the address cannot be listened on.
    """
    host, _, port = listen.rpartition(":")
    try:
        server = make_server(
            host or "127.0.0.1", int(port), app(engine, metrics, threshold), handler_class=_Quiet
        )
    except (OSError, ValueError) as exc:
        error = f"cannot listen on {listen}: {exc}"
        raise ConfigError(error, hint="choose another HOST:PORT") from exc
    threading.Thread(target=server.serve_forever, name="syncer-http", daemon=True).start()
    logger.info("watch.listening: http://{}:{}/healthz and /metrics", host, server.server_port)
    return server


def app(engine: Engine, metrics: Metrics, threshold: dt.timedelta) -> App:
    """The WSGI application: the metrics, the health verdict, or a 404 naming both."""

    def answer(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
            return [metrics.exposition()]
        if path == "/healthz":
            runs = engine.store.find_runs(RunFilter(env=engine.name, limit=50))
            verdict = health(runs, now=engine.clock(), threshold=threshold)
            body = json.dumps(verdict.json()).encode()
            status = "200 OK" if verdict.healthy else "503 Service Unavailable"
            start(status, [("Content-Type", "application/json")])
            return [body]
        start("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /healthz or /metrics\n"]

    return answer


class _Quiet(WSGIRequestHandler):
    """No access log on stderr: a scrape every 15 s would drown the service's own lines."""

    def log_message(self, format: str, *args: Any) -> None:
        return
