"""The composition root: settings + a schedule file -> a :class:`Session` ready to sync. [app]

This is the one place where syncer's real parts are built and wired together: the store on the
schedule file, the paced Notion gateway with the environment's token, the alerter, today's date
in the configured timezone. The CLI, the demo and Python callers (:func:`drain`,
:func:`reconcile`, :func:`plan`, re-exported as ``syncer.drain`` ...) all start here; tests build
a :class:`Session` around an in-memory gateway instead.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from syncer import engine
from syncer.alerts import Alerter
from syncer.config import Environment, Settings, load_settings
from syncer.core import Plan, Progress
from syncer.core.gateway import Gateway
from syncer.engine import RunOptions, RunResult
from syncer.engine.job import Clock, Jitter, Sleep, StopRequest, utc_now
from syncer.engine.rollback import RollbackResult
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import DEFAULT_SHARE, Pacer
from syncer.store import Store


class _TimeArgs(TypedDict):
    today: dt.date
    clock: Clock
    sleep: Sleep
    jitter: Jitter


@dataclass(frozen=True, slots=True)
class Session:
    """One environment ready to sync: each method calls one engine entry point."""

    store: Store
    gateway: Gateway
    settings: Settings
    env: Environment
    today: dt.date
    options: RunOptions = field(default_factory=RunOptions)
    clock: Clock = utc_now
    sleep: Sleep = time.sleep
    jitter: Jitter = random.random

    def drain(self) -> list[RunResult]:
        return engine.drain(*self._parts(), **self._time(), options=self.options)

    def reconcile(self, *, dry_run: bool = False) -> RunResult:
        return engine.reconcile(
            *self._parts(), **self._time(), options=self.options, dry_run=dry_run
        )

    def resync(self) -> RunResult:
        return engine.resync(*self._parts(), **self._time(), options=self.options)

    def plan(self) -> RunResult:
        return engine.plan(*self._parts(), **self._time())

    def preview_drain(self) -> RunResult:
        return engine.preview_drain(*self._parts(), **self._time())

    def rollback(
        self, run_id: int, *, dry_run: bool = False, cascade: bool = False
    ) -> RollbackResult:
        return engine.rollback(
            *self._parts(),
            run_id,
            **self._time(),
            options=self.options,
            dry_run=dry_run,
            cascade=cascade,
        )

    def _parts(self) -> tuple[Store, Gateway, Settings, Environment]:
        return self.store, self.gateway, self.settings, self.env

    def _time(self) -> _TimeArgs:
        return {
            "today": self.today,
            "clock": self.clock,
            "sleep": self.sleep,
            "jitter": self.jitter,
        }


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


def local_today(settings: Settings) -> dt.date:
    """Today's date in the configured timezone (the week boundary follows it)."""
    return dt.datetime.now(settings.tz).date()


@contextmanager
def open_session(
    settings: Settings,
    *,
    db: Path | str,
    env_name: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
    trigger: str = "cli",
    environ: Mapping[str, str] | None = None,
    stop: StopRequest | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Iterator[Session]:
    """A ready Session that alerts on bad runs; its store and gateway are closed on exit."""
    variables = os.environ if environ is None else environ
    env = settings.environment(env_name)
    stop = stop or StopRequest()
    gateway = notion_gateway(settings, env, variables, stop=stop)
    token = env.token(variables)  # as the gateway sends it, so the alert redacts exactly that
    alerter = Alerter.from_settings(settings.alerts, variables, secrets=(token,))
    options = RunOptions(
        trigger=trigger, force=force, on_run_end=alerter, stop=stop, on_progress=on_progress
    )
    try:
        with Store.open(db) as store:
            yield Session(store, gateway, settings, env, today or local_today(settings), options)
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
    with open_session(settings, db=db, env_name=env, today=today, force=force) as session:
        return session.drain()


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
    with open_session(settings, db=db, env_name=env, today=today, force=force) as session:
        return session.reconcile(dry_run=dry_run)


def plan(
    *,
    db: Path | str,
    config: Path | str,
    env: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """What a reconcile would do now, without doing it."""
    settings = load_settings(Path(config))
    with open_session(settings, db=db, env_name=env, today=today) as session:
        return session.plan().plan
