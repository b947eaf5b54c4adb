"""The sync engine: drain, reconcile, resync and plan, composed from the store, the pure core
and the Notion gateway."""

from __future__ import annotations

from syncer.engine.context import RunEnd, SyncContext
from syncer.engine.runs import RunResult
from syncer.engine.sync import drain, plan, reconcile, reconcile_due, resync

__all__ = [
    "RunEnd",
    "RunResult",
    "SyncContext",
    "drain",
    "plan",
    "reconcile",
    "reconcile_due",
    "resync",
]
