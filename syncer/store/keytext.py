"""Keys as the store's own columns hold them: ``YYYY-MM-DD/ROTATION`` text, in one place.

Audit rows, failing keys and problems keep a key as one text column; this module writes that
text and reads it back (a key syncer wrote, so it decodes without the configured rotations),
and gives the SQL that picks its date or rotation apart for the audit's filters.
"""

from __future__ import annotations

import sqlalchemy as sa

from syncer.core import AnyKey, RawKey, stored_key


def to_text(key: AnyKey) -> str:
    return str(key)


def from_text(text: str) -> AnyKey:
    return stored_key(RawKey.split(text))


def date_of(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The date part of a key column (everything before its first slash)."""
    return sa.func.substr(column, 1, sa.func.instr(column, "/") - 1)


def rotation_of(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The rotation part of a key column (everything after its first slash)."""
    return sa.func.substr(column, sa.func.instr(column, "/") + 1)
