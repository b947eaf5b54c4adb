"""Build what commands need from the global options: settings, store, gateway, context."""

from __future__ import annotations

import datetime as dt
import os

import click

from syncer.alerts import Alerter
from syncer.cli._support import Globals
from syncer.config import Environment, Settings, load_settings
from syncer.engine import SyncContext
from syncer.errors import ConfigError
from syncer.notion import NotionGateway
from syncer.pacing import Pacer
from syncer.store import Store


def settings_for(globals_: Globals) -> Settings:
    """The settings from --config / SYNCER_CONFIG; a sync without a config file is refused."""
    if globals_.config_path is None:
        raise ConfigError(
            "no configuration file given",
            hint="pass --config syncer.toml or set SYNCER_CONFIG (see the README's "
            "'Configuration' section)",
        )
    return load_settings(globals_.config_path)


def gateway_for(settings: Settings, env: Environment) -> NotionGateway:
    """A paced notion-client gateway for one environment (the token read from its variable).

    It is closed when the command ends.
    """
    pacer = Pacer(settings.budget.requests, settings.budget.per_seconds)
    gateway = NotionGateway(
        env.token(os.environ),
        pacer=pacer,
        base_url=env.notion_base_url,
        timeout=settings.request_timeout,
    )
    click.get_current_context().call_on_close(gateway.close)
    return gateway


def store_for(globals_: Globals) -> Store:
    """The schedule database's store, closed when the command ends."""
    store = Store.open(globals_.require_db())
    click.get_current_context().call_on_close(store.close)
    return store


def today_for(globals_: Globals, settings: Settings) -> dt.date:
    """--today when given, else today's date in the configured timezone."""
    if globals_.today is not None:
        assert isinstance(globals_.today, dt.date)
        return globals_.today
    return dt.datetime.now(settings.tz).date()


def context_for(globals_: Globals, *, force: bool = False, trigger: str = "cli") -> SyncContext:
    """Everything a drain, reconcile, resync or plan needs."""
    settings = settings_for(globals_)
    env = settings.environment(globals_.env_name)
    gateway = gateway_for(settings, env)
    store = store_for(globals_)
    return SyncContext(
        settings=settings,
        env=env,
        store=store,
        gateway=gateway,
        today=today_for(globals_, settings),
        trigger=trigger,
        force=force,
        on_run_end=alerter_for(settings, env),
    )


def alerter_for(settings: Settings, env: Environment) -> Alerter:
    """The alert hook for runs that end partial, failed or refused (see syncer.alerts)."""
    token = os.environ.get(env.notion_token_env, "")
    return Alerter.from_settings(settings.alerts, os.environ, secrets=(token,))
