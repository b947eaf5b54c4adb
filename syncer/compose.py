"""The composition root: settings + a schedule file -> an :class:`~syncer.engine.Engine`. [app]

This is the one place where syncer's real parts are built and wired together: the store on the
schedule file, the paced Notion gateway with the environment's token, the alerter, the clock.
The CLI, the demo and Python callers (:func:`drain`, :func:`reconcile`, :func:`plan`,
re-exported as ``syncer.drain`` ...) all start here; tests build an Engine around an in-memory
gateway instead.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from syncer.config import Environment, Settings, load_settings
from syncer.core import Plan, Progress, Trigger
from syncer.engine import Engine, RunOptions, RunResult, StopRequest
from syncer.engine.options import Clock, Sleep, utc_now
from syncer.engine.today import check_today
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import DEFAULT_SHARE, Pacer
from syncer.service.alerts import Alerter
from syncer.store import Store


def notion_gateway(
    settings: Settings,
    env: Environment,
    environ: Mapping[str, str] | None = None,
    *,
    stop: StopRequest | None = None,
) -> NotionGateway:
    """A gateway paced below the configured budget, its token read from the env's variable.

    With ``stop``, every request first checks that no signal asked the run to stop.
    """
    budget = settings.budget
    pacer = Pacer(
        budget.requests,
        budget.per_seconds,
        share=DEFAULT_SHARE,
        before_send=stop.check if stop is not None else None,
    )
    return NotionGateway(
        env.token(os.environ if environ is None else environ),
        pacer=pacer,
        base_url=env.notion_base_url,
        timeout=settings.request_timeout,
        connect_timeout=settings.connect_timeout,
    )


@contextmanager
def open_engine(
    settings: Settings,
    *,
    db: Path | str,
    env_name: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
    take_over: bool = False,
    trigger: Trigger = "cli",
    environ: Mapping[str, str] | None = None,
    stop: StopRequest | None = None,
    clock: Clock = utc_now,
    sleep: Sleep | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Iterator[Engine]:
    """A ready Engine that alerts on bad runs; its store and gateway are closed on exit.

    ``today`` pins the date runs treat as today (default: today in the configured timezone,
    from the one clock; refused far ahead of the clock unless ``force``, see
    :mod:`syncer.engine.today`); ``take_over`` writes into databases another schedule file
    claims, and claims them (``--take-over``); ``sleep`` is how retries wait (default: a sleep
    a stop request cuts short).
    """
    variables = os.environ if environ is None else environ
    env = settings.environment(env_name)
    if today is not None:
        check_today(settings, today, clock(), force=force)
    stop = stop or StopRequest()
    gateway = notion_gateway(settings, env, variables, stop=stop)
    token = env.token(variables)  # as the gateway sends it, so the alert redacts exactly that
    alerter = Alerter.from_settings(settings.alerts, variables, secrets=(token,))
    options = RunOptions(
        trigger=trigger,
        force=force,
        take_over=take_over,
        on_run_end=alerter,
        stop=stop,
        on_progress=on_progress,
    )
    try:
        # Opened even with change capture off: a drain, a reconcile and the service restore it
        # (and reconcile), the commands that need it refuse (see syncer.engine.sync).
        with Store.open(db, require_capture=False) as store:
            yield Engine(
                store=store,
                gateway=gateway,
                settings=settings,
                env=env,
                clock=clock,
                sleep=sleep or stop.wait,
                options=options,
                pinned_today=today,
            )
    finally:
        gateway.close()


# -- the Python API (re-exported by ``syncer``) ----------------------------------------------------


def drain(
    *,
    db: Path | str,
    config: Path | str,
    env: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> list[RunResult]:
    """Apply pending local changes to Notion (reconciling first when one is due).

    Args:
        db: the schedule's SQLite file.
        config: the ``syncer.toml`` file.
        env: the environment (default: the file's ``default_environment``).
        today: the date treated as today (default: today in the configured timezone).
        force: apply even when a safety guard refuses the plan.

    Returns:
        The runs made; a run's ``status`` is ``succeeded``, ``partial`` or ``failed``.
    """
    settings = load_settings(Path(config))
    with open_engine(settings, db=db, env_name=env, today=today, force=force) as engine:
        return engine.drain()


def reconcile(
    *,
    db: Path | str,
    config: Path | str,
    env: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> RunResult:
    """Compare the whole schedule with Notion and repair every difference."""
    settings = load_settings(Path(config))
    with open_engine(settings, db=db, env_name=env, today=today, force=force) as engine:
        return engine.reconcile(dry_run=dry_run)


def plan(
    *,
    db: Path | str,
    config: Path | str,
    env: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """What a reconcile would do now, without doing it."""
    settings = load_settings(Path(config))
    with open_engine(settings, db=db, env_name=env, today=today) as engine:
        return engine.plan().plan
