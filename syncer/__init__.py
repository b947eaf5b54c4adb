"""syncer: mirror an on-call schedule kept in SQLite into Notion, exactly and provably.

The public Python API is small: :func:`drain`, :func:`reconcile` and :func:`plan` do what the
commands of the same names do (see ``syncer.compose``). Importing ``syncer`` loads nothing else:
the API is imported on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "drain", "plan", "reconcile"]


def __getattr__(name: str) -> Any:
    if name in ("drain", "reconcile", "plan"):
        from syncer import compose

        return getattr(compose, name)
    raise AttributeError(f"module 'syncer' has no attribute {name!r}")
