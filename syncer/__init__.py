"""syncer: mirror an on-call schedule kept in SQLite into Notion, exactly and provably.

The public Python API is small: :func:`drain`, :func:`reconcile` and :func:`plan` do what the
commands of the same names do. Everything else is private to the package.
"""

from __future__ import annotations

__version__ = "0.1.0"
