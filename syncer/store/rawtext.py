"""The schedule's text columns read as bytes and decoded here, so bad bytes are data, not a crash.

SQLite stores whatever bytes a writer gives it: a TEXT value need not be valid UTF-8, and a
column may hold a BLOB. Python's sqlite3 decodes TEXT as UTF-8 and raises on the first bad byte,
which would stop every read of the table. So the upstream app's columns (the schedule tables',
and the change log's copies of them) are selected as ``CAST(x AS BLOB)`` and decoded by
:func:`decode`: valid UTF-8 is its text, anything else is its text with each bad byte shown as
``\\xNN`` and is flagged, so the projection reports the row instead of syncing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A column's value as text (None for NULL), and whether its bytes were valid UTF-8."""

    text: str | None
    valid: bool = True


def as_bytes(column: sa.ColumnElement[object], name: str) -> sa.Label[bytes]:
    """``CAST(column AS BLOB)``: the stored bytes (a number's text form), never decoded by
    sqlite3."""
    return sa.cast(column, sa.LargeBinary).label(name)


def decode(value: bytes | None) -> Decoded:
    """Bytes from :func:`as_bytes` as text; invalid UTF-8 keeps each bad byte visible as \\xNN."""
    if value is None:
        return Decoded(None)
    try:
        return Decoded(value.decode("utf-8"))
    except UnicodeDecodeError:
        return Decoded(value.decode("utf-8", "backslashreplace"), valid=False)


def stored_forms(text: str) -> set[bytes]:
    """The bytes a value that :func:`decode` turned into ``text`` may have had.

    A bad byte came out as ``\\xNN``; valid text may hold those four characters too, so both
    readings are returned (a superset is harmless: callers compare the decoded text again).
    """
    plain = text.encode("utf-8", "surrogatepass")
    return {plain, _ESCAPED_BYTE.sub(lambda match: bytes.fromhex(match[1].decode()), plain)}
