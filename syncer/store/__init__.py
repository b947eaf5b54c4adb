"""The local SQLite database, the only module of syncer that imports SQLAlchemy. [edge]

:class:`Store` (``store.py``) is what the engine uses: one method per read or write, each in
its own transaction, delegating to one module per thing kept: ``changes`` (the change log and
cursors), ``rows`` (the schedule tables), ``mapping``, ``runs`` (runs and audit rows), ``audit``
(admin queries, prune), ``revert`` (undoing a change range), ``lock``, ``failing`` and
``people``. ``schema`` is the one table definition (a test compares it with what the migrations
build); :func:`upgrade`, :func:`downgrade` and :func:`current` manage the schema with Alembic
(scripts in ``migrations/``). Every SQLAlchemy error leaves this package as
:class:`syncer.core.errors.StoreError` (``connection.translated``).

``quick`` is the exception: a few plain ``sqlite3`` queries that tell an idle drain it has
nothing to do before SQLAlchemy is imported. So the names below are loaded when first used,
and importing ``syncer.store.quick`` costs no SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncer.store.migrate import current, downgrade, head, upgrade
    from syncer.store.store import Intent, Store

__all__ = ["Intent", "Store", "current", "downgrade", "head", "upgrade"]

_HOMES = {
    "Intent": "syncer.store.store",
    "Store": "syncer.store.store",
    "current": "syncer.store.migrate",
    "downgrade": "syncer.store.migrate",
    "head": "syncer.store.migrate",
    "upgrade": "syncer.store.migrate",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
