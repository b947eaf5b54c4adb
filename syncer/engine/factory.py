"""Build a SyncContext from settings: the paced gateway, the store, today's date."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from syncer.alerts import Alerter
from syncer.config import Environment, Settings
from syncer.engine.context import SyncContext
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.store import Store


def notion_gateway(
    settings: Settings, env: Environment, environ: Mapping[str, str] | None = None
) -> NotionGateway:
    """A gateway paced to the configured budget, its token read from the env's variable."""
    return NotionGateway(
        env.token(os.environ if environ is None else environ),
        pacer=Pacer(settings.budget.requests, settings.budget.per_seconds),
        base_url=env.notion_base_url,
        timeout=settings.request_timeout,
    )


def local_today(settings: Settings) -> dt.date:
    """Today's date in the configured timezone (the week boundary follows it)."""
    return dt.datetime.now(settings.tz).date()


@contextmanager
def open_context(
    settings: Settings,
    *,
    db: Path | str,
    env_name: str | None = None,
    today: dt.date | None = None,
    force: bool = False,
    trigger: str = "cli",
    environ: Mapping[str, str] | None = None,
) -> Iterator[SyncContext]:
    """A ready SyncContext that alerts on bad runs; its store and gateway are closed on exit."""
    variables = os.environ if environ is None else environ
    env = settings.environment(env_name)
    gateway = notion_gateway(settings, env, variables)
    token = env.token(variables)  # as the gateway sends it, so the alert redacts exactly that
    alerter = Alerter.from_settings(settings.alerts, variables, secrets=(token,))
    try:
        with Store.open(db) as store:
            yield SyncContext(
                settings=settings,
                env=env,
                store=store,
                gateway=gateway,
                today=today or local_today(settings),
                trigger=trigger,
                force=force,
                on_run_end=alerter,
            )
    finally:
        gateway.close()
