"""The sync engine: drain, reconcile, resync, plan, rollback and status, composed from the
store, the pure core and the Notion gateway. [engine]

The entry points (``syncer.engine.commands``) take their dependencies explicitly; the
composition root that builds them from a config file is ``syncer.session``.
"""

from __future__ import annotations

from syncer.core import RunEnd
from syncer.engine.commands import (
    drain,
    plan,
    preview_drain,
    reconcile,
    reconcile_due,
    resync,
    rollback,
)
from syncer.engine.job import RunOptions
from syncer.engine.runs import RunResult

__all__ = [
    "RunEnd",
    "RunOptions",
    "RunResult",
    "drain",
    "plan",
    "preview_drain",
    "reconcile",
    "reconcile_due",
    "resync",
    "rollback",
]
