"""What commands need from the global options: settings, today, a gateway, an engine.

The engine, the store and the gateway are imported when a command first asks for them, not
when its module is loaded: `syncer --help` and `syncer drain --help` load neither SQLAlchemy
nor notion-client (a test keeps it so).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

import click

from syncer.cli._globals import Globals
from syncer.cli._progress import ProgressReport, progress_report
from syncer.cli._signals import stop_on_signals
from syncer.cli._support import ENVIRONMENT_META
from syncer.config import Environment, Settings, load_settings
from syncer.core import EnvName, Trigger
from syncer.core.errors import ConfigError, UserError
from syncer.store.quick import nothing_to_do

if TYPE_CHECKING:
    from syncer.engine import Engine
    from syncer.notion.client import NotionGateway
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
    """A paced gateway for one environment, closed when the command ends."""
    from syncer.compose import notion_gateway

    context = click.get_current_context()
    context.meta[ENVIRONMENT_META] = env  # so a Notion error can name the env's config keys
    gateway = notion_gateway(settings, env)
    context.call_on_close(gateway.close)
    return gateway


def today_for(globals_: Globals, settings: Settings) -> dt.date:
    """--today when given, else today's date in the configured timezone (by the one clock)."""
    if globals_.today is not None:
        return globals_.today
    return globals_.clock().astimezone(settings.tz).date()


def engine_for(
    globals_: Globals, *, force: bool = False, take_over: bool = False, trigger: Trigger = "cli"
) -> Engine:
    """An engine for the chosen environment, closed when the command ends."""
    from syncer.compose import open_engine

    settings = settings_for(globals_)
    context = click.get_current_context()
    engine = open_engine(
        settings,
        db=globals_.require_db(),
        env_name=globals_.env_name,
        today=globals_.today,
        clock=globals_.clock,
        force=force,
        take_over=take_over,
        trigger=trigger,
        stop=stop_on_signals(context),
        on_progress=_progress(context, globals_),
    )
    opened = context.with_resource(engine)
    context.meta[ENVIRONMENT_META] = opened.env  # so a Notion error can name its config keys
    return opened


def _progress(context: click.Context, globals_: Globals) -> ProgressReport | None:
    report = progress_report(globals_)
    if report is not None:
        context.call_on_close(report.close)
    return report


def open_store(globals_: Globals, *, require_capture: bool = True) -> Store:
    """The store on the --db file (commands that only read the local file use it)."""
    from syncer.store import Store

    return Store.open(globals_.require_db(), require_capture=require_capture)


def idle_drain(globals_: Globals) -> EnvName | None:
    """The environment, when a drain of it has nothing to do (see :mod:`syncer.store.quick`);
    None when it may have work, or when anything is amiss (the normal path then says what).

    Asked before the engine is imported: an idle drain then costs a few plain queries. With
    --today the normal path runs, as it checks the date first.
    """
    if globals_.today is not None:
        return None
    try:
        settings = settings_for(globals_)
        env = settings.environment(globals_.env_name)
        env.token(os.environ)  # a missing token is refused even when there is nothing to do
        db = globals_.require_db()
    except UserError:
        return None
    now = globals_.clock()
    calendar = settings.calendar(now.astimezone(settings.tz).date())
    return (
        env.name if nothing_to_do(db, env.name, calendar, now, settings.reconcile_every) else None
    )
