"""The local SQLite database, the only module of syncer that imports SQLAlchemy. [edge]

:class:`Store` is what the engine uses; :func:`upgrade`, :func:`downgrade` and :func:`current`
manage the schema with Alembic (scripts in ``migrations/``). Every SQLAlchemy error leaves this
package as :class:`syncer.core.errors.StoreError`.
"""

from __future__ import annotations

from syncer.store.api import Store
from syncer.store.migrate import current, downgrade, head, upgrade

__all__ = ["Store", "current", "downgrade", "head", "upgrade"]
