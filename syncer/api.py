"""The Python API: ``syncer.drain``, ``syncer.reconcile`` and ``syncer.plan`` for Python callers.

Each call does what the command of the same name does, with the same configuration file, and
raises syncer's errors (``syncer.core.errors``) instead of exiting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from syncer import engine
from syncer.config import load_settings
from syncer.core import Plan
from syncer.engine import RunResult
from syncer.engine.factory import open_context


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
    with open_context(settings, db=db, env_name=env, today=today, force=force) as ctx:
        return engine.drain(ctx)


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
    with open_context(settings, db=db, env_name=env, today=today, force=force) as ctx:
        return engine.reconcile(ctx, dry_run=dry_run)


def plan(
    *,
    db: Path | str,
    config: Path | str,
    env: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """What a reconcile would do now, without doing it."""
    settings = load_settings(Path(config))
    # A plan is shown, never applied: the guards (which refuse before writes) do not apply.
    with open_context(settings, db=db, env_name=env, today=today, force=True) as ctx:
        return engine.plan(ctx).plan
