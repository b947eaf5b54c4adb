"""The local SQLite database, the only module of syncer that imports SQLAlchemy. [edge]

:class:`Store` (``store.py``) is what the engine uses: one method per read or write, each in
its own transaction, delegating to one module per thing kept: ``changes`` (the change log and
cursors), ``rows`` (the schedule tables), ``mapping``, ``runs`` (runs and audit rows), ``audit``
(admin queries, prune), ``revert`` (undoing a change range), ``lock``, ``failing`` and
``people``. ``schema`` is the one table definition (a test compares it with what the migrations
build); :func:`upgrade`, :func:`downgrade` and :func:`current` manage the schema with Alembic
(scripts in ``migrations/``). Every SQLAlchemy error leaves this package as
:class:`syncer.core.errors.StoreError` (``connection.translated``).
"""

from __future__ import annotations

from syncer.store.migrate import current, downgrade, head, upgrade
from syncer.store.store import Intent, Store

__all__ = ["Intent", "Store", "current", "downgrade", "head", "upgrade"]
