"""`syncer watch`: the long-running service, with `/healthz` and `/metrics` on request."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click
from loguru import logger

from syncer.cli._context import engine_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._support import EXIT_USAGE, fail, handle_errors
from syncer.config import parse_duration
from syncer.engine import Engine
from syncer.engine.options import default_holder
from syncer.engine.runs import RunResult
from syncer.engine.watch import Watcher, WatchSettings
from syncer.metrics import Metrics, health
from syncer.store.audit import ActionFilter, RunFilter

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@click.command("watch", cls=SyncerCommand)
@click.option(
    "--listen",
    metavar="HOST:PORT",
    help="Serve GET /healthz and GET /metrics (Prometheus) here, e.g. 127.0.0.1:9464.",
)
@click.option(
    "--poll", default=0.5, show_default=True, type=click.FloatRange(0.05, 60), help="Seconds."
)
@click.option(
    "--unhealthy-after",
    default="1h",
    show_default=True,
    help="/healthz turns 503 when the last run failed and none completed for this long.",
)
@click.pass_obj
@handle_errors
def watch_command(globals_: Globals, listen: str | None, poll: float, unhealthy_after: str) -> None:
    """Keep one environment in sync until stopped: the service for systemd or a container.

    Drains within seconds of any committed change to the schedule (by any process),
    reconciles every reconcile_every, moves last week's pages when the week turns, and backs
    off after a failure. It holds the environment's lock while it runs (a manual drain exits 4
    naming it). SIGTERM or Ctrl+C ends the run in flight as interrupted; exit 0.

    Example: syncer --env prod watch --listen 127.0.0.1:9464
    """
    threshold = parse_duration(unhealthy_after, "--unhealthy-after")
    # The lock's holder says it is the service, so `syncer drain` meanwhile names it plainly.
    engine = engine_for(globals_, trigger="watch").with_options(holder=default_holder("watch"))
    metrics = Metrics()
    server = _serve(listen, engine, metrics, threshold) if listen else None
    feed = _Feeder(engine, metrics)
    feed.backlog()
    watcher = Watcher(engine, watch=WatchSettings(poll=poll), on_runs=feed.runs)
    logger.info(
        "watch.started: environment {} (lock holder {})", engine.name, engine.options.holder
    )
    try:
        watcher.run()
    finally:
        if server is not None:
            server.shutdown()
    logger.info("watch.stopped: environment {}", engine.name)


class _Feeder:
    """Feeds the metrics after each run, from the results and the store."""

    def __init__(self, engine: Engine, metrics: Metrics) -> None:
        self.engine, self.metrics = engine, metrics
        self._requests = 0
        self._limited = 0

    def runs(self, results: Iterable[RunResult]) -> None:
        store = self.engine.store
        for result in results:
            record = store.run(result.run_id) if result.run_id is not None else None
            if record is None:
                continue
            by_action: dict[tuple[str, str], int] = {}
            for entry in store.find_actions(ActionFilter(run_id=record.run_id)):
                key = (entry.record.action, entry.record.status)
                by_action[key] = by_action.get(key, 0) + 1
            self.metrics.run_ended(record, by_action)
            done = ", ".join(f"{n} {kind}" for kind, n in sorted(result.outcome.by_kind.items()))
            logger.info(
                "watch.run: {} run {} {}: {}",
                record.kind,
                record.run_id,
                record.status,
                done or "no changes",
            )
        self.backlog()

    def backlog(self) -> None:
        store, env = self.engine.store, self.engine.name
        self.metrics.backlog(store.pending_count(env), len(store.failing_keys(env)))
        traffic = self.engine.gateway.traffic()
        requests, limited = traffic.requests, traffic.rate_limited
        self.metrics.notion_traffic(requests - self._requests, limited - self._limited)
        self._requests, self._limited = requests, limited


def _serve(listen: str, engine: Engine, metrics: Metrics, threshold: dt.timedelta) -> WSGIServer:
    host, _, port = listen.rpartition(":")
    try:
        server = make_server(
            host or "127.0.0.1", int(port), _app(engine, metrics, threshold), handler_class=_Quiet
        )
    except (OSError, ValueError) as exc:
        fail(EXIT_USAGE, f"cannot listen on {listen}: {exc}", "choose another HOST:PORT")
    threading.Thread(target=server.serve_forever, name="syncer-http", daemon=True).start()
    logger.info("watch.listening: http://{}:{}/healthz and /metrics", host, server.server_port)
    return server


def _app(
    engine: Engine, metrics: Metrics, threshold: dt.timedelta
) -> Callable[[dict[str, Any], StartResponse], list[bytes]]:
    def app(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
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

    return app


class _Quiet(WSGIRequestHandler):
    """No access log on stderr: a scrape every 15 s would drown the service's own lines."""

    def log_message(self, format: str, *args: Any) -> None:
        return
