"""The schedule side: rows as SQLite holds them, shifts, bad rows, changes. [core]"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias

from syncer.core.keys import AnyKey, Key, RawKey
from syncer.core.kinds import ChangeOp, Table

RowColumn: TypeAlias = Literal["date", "rotation", "engineer_email"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One schedule or override row, as raw text from SQLite.

    ``not_utf8`` names the columns whose bytes are not valid UTF-8 (their text here shows each
    bad byte as ``\\xNN``): such a row is reported, never synced.
    """

    table: Table
    row_id: int
    key: RawKey
    engineer_email: str | None
    not_utf8: tuple[RowColumn, ...] = ()


@dataclass(frozen=True, slots=True)
class Shift:
    """The desired state of one key: its time range and the engineers from its rows."""

    key: Key
    start: dt.datetime  # timezone-aware, in the configured timezone
    end: dt.datetime
    orig_email: str | None  # lower-cased; None when the key has only an override row
    override_email: str | None

    @property
    def final_email(self) -> str | None:
        return self.override_email or self.orig_email


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row the sync cannot use, reported with its key and skipped.

    ``key`` is the parsed key when the key itself is fine (a bad email, two rows for one key),
    else the key as the row holds it, each part clipped to 60 characters (a 10 MB rotation is
    reported, stored and logged in a line).
    """

    key: AnyKey
    table: Table
    row_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Change:
    """One change-log row: a row of a schedule table was inserted, updated or deleted."""

    change_id: int
    at: str
    table: Table
    op: ChangeOp
    old: RowImage | None
    new: RowImage | None

    @property
    def raw_keys(self) -> frozenset[RawKey]:
        """The keys this change may have affected: the old and the new one."""
        return frozenset(image.key for image in (self.old, self.new) if image is not None)


@dataclass(frozen=True, slots=True)
class RowImage:
    """A row's key and engineer before or after a change, as the change log holds them."""

    key: RawKey
    engineer_email: str | None
