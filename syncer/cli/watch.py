"""`syncer watch`: the long-running service, with `/healthz` and `/metrics` on request."""

from __future__ import annotations

import click
from click.core import ParameterSource
from loguru import logger

from syncer.cli._context import engine_for
from syncer.cli._globals import Globals, SyncerCommand
from syncer.cli._support import handle_errors
from syncer.config import parse_duration
from syncer.core.errors import ConfigError


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
    off after a failure. It runs on the clock, so --today and SYNCER_TODAY are refused. It
    holds the environment's lock while it runs (a manual drain exits 4 naming it). SIGTERM or
    Ctrl+C ends the run in flight as interrupted; exit 0.

    Example: syncer --env prod watch --listen 127.0.0.1:9464
    """
    from syncer.engine.options import default_holder
    from syncer.engine.watch import Watcher, WatchSettings
    from syncer.service.http import serve
    from syncer.service.metrics import Feeder, Metrics

    refuse_a_pinned_today(globals_)
    threshold = parse_duration(unhealthy_after, "--unhealthy-after")
    # The lock's holder says it is the service, so `syncer drain` meanwhile names it plainly.
    engine = engine_for(globals_, trigger="watch").with_options(holder=default_holder("watch"))
    metrics = Metrics()
    feed = Feeder(engine, metrics)  # before serving: the first scrape has the last successes
    server = serve(listen, engine, metrics, threshold) if listen else None
    watcher = Watcher(engine, watch=WatchSettings(poll=poll), after_sync=feed.runs)
    logger.info(
        "watch.started: environment {} (lock holder {})", engine.name, engine.options.holder
    )
    try:
        watcher.run()
    finally:
        if server is not None:
            server.shutdown()
    logger.info("watch.stopped: environment {}", engine.name)


def refuse_a_pinned_today(globals_: Globals) -> None:
    """The service follows the real date (the week turns, reconciles fall due): a pinned today
    would be silently wrong from the next midnight on, so it is refused, naming where it came
    from."""
    if globals_.today is None:
        return
    context = click.get_current_context()
    sources = {
        context.get_parameter_source("today"),
        context.find_root().get_parameter_source("today"),
    }
    if ParameterSource.COMMANDLINE in sources:
        given, hint = f"--today {globals_.today}", "drop --today"
    else:
        given, hint = f"SYNCER_TODAY={globals_.today}", "unset SYNCER_TODAY for the service"
    raise ConfigError(
        f"`syncer watch` runs on the clock, so {given} cannot apply to it",
        hint=f"{hint}; a pinned date is for one-off runs (drain, reconcile, plan)",
    )
