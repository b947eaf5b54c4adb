"""The sync engine: drain, reconcile, resync, plan, rollback and status, composed from the
store, the pure core and the Notion gateway. [engine]

:class:`Engine` is the one object a caller needs: the composition root (``syncer.compose``)
builds it from a config file; tests build it around an in-memory gateway. The names below are
imported on first use, so importing :mod:`syncer.engine.options` (the CLI does, to start)
loads neither SQLAlchemy nor notion-client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncer.core import RunEnd
    from syncer.engine.engine import Engine
    from syncer.engine.options import RunOptions, StopRequest
    from syncer.engine.runs import RunResult

__all__ = ["Engine", "RunEnd", "RunOptions", "RunResult", "StopRequest"]

_HOMES = {
    "Engine": "syncer.engine.engine",
    "RunEnd": "syncer.core",
    "RunOptions": "syncer.engine.options",
    "RunResult": "syncer.engine.runs",
    "StopRequest": "syncer.engine.options",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'syncer.engine' has no attribute {name!r}")
