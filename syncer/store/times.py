"""How the store writes instants: ISO-8601 text in UTC, from timezone-aware datetimes only."""

from __future__ import annotations

import datetime as dt


def to_text(moment: dt.datetime) -> str:
    """``moment`` as UTC ISO-8601 text; text order is time order for these."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the store needs timezone-aware datetimes, got {moment!r}")
    return moment.astimezone(dt.UTC).isoformat()


def from_text(text: str) -> dt.datetime:
    """The inverse of :func:`to_text`."""
    return dt.datetime.fromisoformat(text)


def optional_from_text(text: str | None) -> dt.datetime | None:
    return None if text is None else from_text(text)
