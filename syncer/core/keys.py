"""A shift's natural key: :class:`Key` once parsed, :class:`RawKey` as the tables hold it. [core]"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
