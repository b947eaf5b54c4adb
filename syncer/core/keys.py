"""A shift's natural key, and the one parser that makes keys from text. [core]

A :class:`Key` is canonical by construction: its date is a real day and its rotation is spelled
exactly as configured. Keys are made from text in one place, :meth:`Rotations.parse`, which
knows the configured rotations (``am``, `` AM `` and ``AM`` are one key, spelled ``AM``); text
that does not parse stays the :class:`RawKey` it was (a bad row's key), so every key syncer
handles is one of the two (:data:`AnyKey`), never a string. The text form ``YYYY-MM-DD/ROTATION``
exists only where keys leave syncer: the store's columns and the pages' ``Sync Key``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeAlias

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """A shift's natural key: one page per key in Notion.

    Made by :meth:`Rotations.parse` from text, or rebuilt by the store from a key syncer wrote
    (already canonical); a test enforces that nothing else constructs one from text.
    """

    date: dt.date
    rotation: str

    @property
    def sync_key(self) -> str:
        """The key as written in the page's ``Sync Key`` property: ``YYYY-MM-DD/ROTATION``."""
        return f"{self.date.isoformat()}/{self.rotation}"

    def __str__(self) -> str:
        return self.sync_key


@dataclass(frozen=True, slots=True, order=True)
class RawKey:
    """A key exactly as the schedule tables (or a page's Sync Key) hold it: text that may not
    parse."""

    date: str
    rotation: str

    def __str__(self) -> str:
        return f"{self.date}/{self.rotation}"

    @classmethod
    def split(cls, text: str) -> RawKey:
        """``YYYY-MM-DD/ROTATION`` text (a Sync Key, a stored key) cut at its first slash."""
        date, _, rotation = text.partition("/")
        return cls(date, rotation)


AnyKey: TypeAlias = Key | RawKey
"""A key as a value: parsed, or (a bad row's) exactly as the tables held it."""


@dataclass(frozen=True, slots=True)
class RotationWindow:
    """A rotation's wall-clock hours, e.g. AM 09:00-12:00 (``end`` may be past midnight)."""

    name: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class Rotations:
    """The configured rotations, in order: the one parser of keys."""

    windows: tuple[RotationWindow, ...]

    def __iter__(self) -> Iterator[RotationWindow]:
        return iter(self.windows)

    def __len__(self) -> int:
        return len(self.windows)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(window.name for window in self.windows)

    def window(self, key: Key) -> RotationWindow:
        """The hours of a key's rotation (a Key's rotation is always a configured one)."""
        return next(window for window in self.windows if window.name == key.rotation)

    def parse(self, raw: RawKey) -> Key | str:
        """A key as a Key in canonical form, or the reason it is not one.

        Rotation names match case-insensitively, ignoring surrounding spaces, and come out in
        their configured spelling; the date must be a real ``YYYY-MM-DD`` day.
        """
        if not _DATE.match(raw.date.strip()):
            return f"malformed date {clip(raw.date)!r} (expected YYYY-MM-DD)"
        try:
            date = dt.date.fromisoformat(raw.date.strip())
        except ValueError:
            return f"malformed date {clip(raw.date)!r} (no such day)"
        wanted = raw.rotation.strip().casefold()
        for name in self.names:
            if name.casefold() == wanted:
                return Key(date, name)
        known = ", ".join(self.names)
        return f"unknown rotation {clip(raw.rotation)!r} (expected one of {known})"

    def key(self, raw: RawKey) -> Key | None:
        """The Key ``raw`` stands for, or None when it does not parse."""
        parsed = self.parse(raw)
        return parsed if isinstance(parsed, Key) else None

    def canonical(self, key: AnyKey) -> AnyKey:
        """Any key in canonical form: the Key it stands for, else the RawKey as it was."""
        if isinstance(key, Key):
            return key
        return self.key(key) or key

    def keys(self, raws: Iterable[RawKey]) -> set[Key]:
        """The Keys of those raw keys that parse."""
        return {key for raw in raws if (key := self.key(raw)) is not None}


def clip(text: str, width: int = 60) -> str:
    """A value cut for a message, with an ellipsis: a bad row's 10 MB stay in the row."""
    return text if len(text) <= width else text[: width - 1] + "…"


def reported_key(raw: RawKey) -> RawKey:
    """A bad row's key as syncer writes about it (reports, audit rows, problems, logs): each
    part clipped. Only the row itself keeps the whole value."""
    return RawKey(clip(raw.date), clip(raw.rotation))


def stored_key(raw: RawKey) -> AnyKey:
    """A key syncer wrote to its own tables, read back: a Key when the date is a real day.

    Only keys syncer made are stored as keys (a parsed key is canonical; a bad row's stays
    raw), so this decodes rather than parses: it does not need the configured rotations.
    """
    if _DATE.match(raw.date) and raw.rotation:
        try:
            return Key(dt.date.fromisoformat(raw.date), raw.rotation)
        except ValueError:
            pass  # a date like 2026-02-30: a bad row's raw key
    return raw


def as_raw(key: AnyKey) -> RawKey:
    """A key as the schedule tables would hold it (its date as text)."""
    return RawKey(key.date.isoformat(), key.rotation) if isinstance(key, Key) else key


def key_order(key: AnyKey) -> str:
    """Sort keys of both kinds together, by their text."""
    return str(key)
