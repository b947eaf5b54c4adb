"""A shift's natural key: :class:`Key` once parsed, :class:`RawKey` when it does not parse. [core]

Every key syncer handles after reading a row is one of the two (:data:`AnyKey`), never a string:
a bad row's key stays a :class:`RawKey` from the projection to the audit log, and a key read
back from the store's text is turned into a value by :func:`key_from_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TypeAlias

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """A shift's natural key: one page per key in Notion."""

    date: dt.date
    rotation: str

    @property
    def sync_key(self) -> str:
        """The key as written in the page's ``Sync Key`` property: ``YYYY-MM-DD/ROTATION``."""
        return f"{self.date.isoformat()}/{self.rotation}"

    def __str__(self) -> str:
        return self.sync_key

    @classmethod
    def parse(cls, text: str) -> Key:
        """Parse a sync key. Raises ValueError on anything but ``YYYY-MM-DD/ROTATION``."""
        date_text, sep, rotation = text.strip().partition("/")
        if not sep or not rotation:
            raise ValueError(f"not a sync key: {text!r}")
        return cls(dt.date.fromisoformat(date_text), rotation)


@dataclass(frozen=True, slots=True, order=True)
class RawKey:
    """A key exactly as the schedule tables hold it: text that may not parse."""

    date: str
    rotation: str

    def __str__(self) -> str:
        return f"{self.date}/{self.rotation}"

    @classmethod
    def from_text(cls, text: str) -> RawKey:
        """A key text as audit rows and failing keys hold it (``date/rotation``), split back."""
        date, _, rotation = text.partition("/")
        return cls(date, rotation)


AnyKey: TypeAlias = Key | RawKey
"""A key as a value: parsed, or (a bad row's) exactly as the tables held it."""


def key_from_text(text: str) -> AnyKey:
    """A key text as the store keeps it (``str(key)``) back as a value.

    A real ``YYYY-MM-DD`` date makes a :class:`Key` (keys syncer writes are in canonical form);
    anything else stays the :class:`RawKey` it was. Whether the rotation is a configured one is
    for :func:`syncer.core.projection.resolve_key` to say: the store does not know the config.
    """
    raw = RawKey.from_text(text)
    if _DATE.match(raw.date) and raw.rotation:
        try:
            return Key(dt.date.fromisoformat(raw.date), raw.rotation)
        except ValueError:
            pass  # a date like 2026-02-30
    return raw


def as_raw(key: AnyKey) -> RawKey:
    """A key as the schedule tables would hold it (its date as text)."""
    return RawKey(key.date.isoformat(), key.rotation) if isinstance(key, Key) else key


def key_order(key: AnyKey) -> str:
    """Sort keys of both kinds together, by their text."""
    return str(key)
