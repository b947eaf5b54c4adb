"""Schedule rows -> the desired shift per key, with every bad row reported. [core]

The projection is where local data is judged: a row with a malformed date, an unknown rotation,
or an empty or malformed email is reported with its key and the key is left alone (never trashed,
never rewritten) until the row is fixed. Two schedule rows for one key make the key ambiguous, so
it is left alone too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from syncer.core import BadRow, Key, Rotations, RotationWindow, Shift, SourceRow

# An address as mail systems accept it: a dot-atom local part, and a domain of LDH labels with
# at least one dot. Quoted local parts and IP literals are legal but never seen in a schedule.
_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
MAX_EMAIL = 254  # RFC 5321's limit on a forward path, which also keeps Notion's 2,000 in reach
MAX_LOCAL = 64


@dataclass(frozen=True, slots=True)
class Projection:
    """The desired shifts, the bad rows, and the keys that bad rows block."""

    shifts: dict[Key, Shift] = field(default_factory=dict)
    bad_rows: tuple[BadRow, ...] = ()
    blocked: frozenset[Key] = frozenset()


def normalise_email(text: str | None) -> str | None:
    """The email lower-cased and trimmed, or None when it is empty, malformed or too long."""
    if text is None:
        return None
    email = text.strip().lower()
    return None if email_problem(email) else email


def email_problem(text: str | None) -> str | None:
    """Why ``text`` cannot be sent to Notion as an engineer's email, or None when it can."""
    email = (text or "").strip().lower()
    if not email:
        return "empty email"
    if len(email) > MAX_EMAIL:
        return f"email of {len(email)} characters (at most {MAX_EMAIL}): {clip(email)!r}"
    local, at, domain = email.rpartition("@")
    valid = at and len(local) <= MAX_LOCAL and _LOCAL.match(local) and _DOMAIN.match(domain)
    return None if valid else f"malformed email {clip(email)!r}"


def _key_not_utf8(row: SourceRow) -> bool:
    return "date" in row.not_utf8 or "rotation" in row.not_utf8


def not_utf8(row: SourceRow) -> str:
    """The reason for a row with bytes that are not UTF-8, showing each bad value (escaped)."""
    values = {
        "date": row.key.date,
        "rotation": row.key.rotation,
        "engineer_email": row.engineer_email,
    }
    shown = ", ".join(f"{column} {escaped(clip(values[column] or ''))}" for column in row.not_utf8)
    return f"not valid UTF-8: {shown}"


def escaped(text: str) -> str:
    """``text`` quoted, with characters a terminal would not show (controls, format
    characters such as U+202E) written as escapes; the store's ``\\xNN`` stays as it is."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + "'"


def clip(text: str, width: int = 60) -> str:
    """A value cut for a message, with an ellipsis: a bad row's 5,000 characters stay out."""
    return text if len(text) <= width else text[: width - 1] + "…"


def shift_times(
    date: dt.date, window: RotationWindow, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """The wall-clock start and end of a rotation on a date, with that date's UTC offset.

    An end at or before the start means the rotation runs past midnight.
    """
    start = dt.datetime.combine(date, window.start, tzinfo=tz)
    end_date = date if window.end > window.start else date + dt.timedelta(days=1)
    end = dt.datetime.combine(end_date, window.end, tzinfo=tz)
    return start, end


def project(
    rows: Iterable[SourceRow],
    *,
    rotations: Rotations,
    tz: dt.tzinfo,
) -> Projection:
    """Turn schedule and override rows into one desired shift per key.

    Args:
        rows: rows of both tables, in any order.
        rotations: the configured rotations by name.
        tz: the timezone the rotations' hours are in.

    Returns:
        The shifts by key, the bad rows, and the keys those bad rows block.
    """
    by_key: dict[Key, list[SourceRow]] = defaultdict(list)
    bad: list[BadRow] = []
    blocked: set[Key] = set()
    for row in rows:
        key = rotations.parse(row.key) if not _key_not_utf8(row) else not_utf8(row)
        if isinstance(key, str):
            bad.append(BadRow(row.key, row.table, row.row_id, key))
            continue
        by_key[key].append(row)

    shifts: dict[Key, Shift] = {}
    for key, key_rows in sorted(by_key.items()):
        shift_or_bad = _shift_for(key, key_rows, rotations.window(key), tz)
        if isinstance(shift_or_bad, Shift):
            shifts[key] = shift_or_bad
        else:
            bad.extend(shift_or_bad)
            blocked.add(key)
    return Projection(shifts, tuple(bad), frozenset(blocked))


def _shift_for(
    key: Key, rows: list[SourceRow], window: RotationWindow, tz: dt.tzinfo
) -> Shift | list[BadRow]:
    problems: list[BadRow] = []
    emails: dict[str, list[str | None]] = {"schedule": [], "override": []}
    for row in rows:
        email = normalise_email(row.engineer_email)
        problem = not_utf8(row) if row.not_utf8 else email_problem(row.engineer_email)
        if problem is not None:
            problems.append(BadRow(key, row.table, row.row_id, problem))
        emails[row.table].append(email)
    for table, found in emails.items():
        if len(found) > 1:
            duplicates = [row for row in rows if row.table == table]
            reason = f"{len(found)} {table} rows for one key"
            problems.extend(BadRow(key, r.table, r.row_id, reason) for r in duplicates)
    if problems:
        return problems
    start, end = shift_times(key.date, window, tz)
    orig = emails["schedule"][0] if emails["schedule"] else None
    override = emails["override"][0] if emails["override"] else None
    return Shift(key, start, end, orig, override)


def week_start(today: dt.date) -> dt.date:
    """Monday of the week holding ``today``: pages dated before it belong in PAST CALENDAR."""
    return today - dt.timedelta(days=today.weekday())
