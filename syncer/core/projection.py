"""Schedule rows -> the desired shift per key, with every bad row reported. [core]

The projection is where local data is judged: a row with a malformed date, an unknown rotation,
or an empty or malformed email is reported with its key and the key is left alone (never trashed,
never rewritten) until the row is fixed. Two schedule rows for one key make the key ambiguous, so
it is left alone too.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from syncer.core import BadRow, Key, Rotations, RotationWindow, Shift, SourceRow
from syncer.core.keys import clip as clip  # re-exported: its home was this module
from syncer.core.keys import reported_key

# What an address may not hold, by Unicode category: controls, format characters (U+202E and
# the other bidirectional and zero-width marks, which make an address look like another one),
# surrogates, and spaces and line or paragraph separators. Anything else is a character some
# mail system accepts (RFC 6531 allows UTF-8 in the local part and the domain).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
MAX_EMAIL = 254  # RFC 5321's limit on a forward path, which also keeps Notion's 2,000 in reach


@dataclass(frozen=True, slots=True)
class Projection:
    """The desired shifts, the bad rows, and the keys that bad rows block."""

    shifts: dict[Key, Shift] = field(default_factory=dict)
    bad_rows: tuple[BadRow, ...] = ()
    blocked: frozenset[Key] = frozenset()


def normalise_email(text: str | None) -> str | None:
    """The email in canonical form (see :func:`canonical_email`), or None when it is empty,
    malformed or too long."""
    if text is None:
        return None
    email = canonical_email(text)
    return None if email_problem(email) else email


def canonical_email(text: str) -> str:
    """An address as syncer compares it: trimmed, in Unicode NFC (RFC 6532's form, so the
    composed and decomposed ä match) and lower-cased."""
    return unicodedata.normalize("NFC", text.strip()).lower()


def email_problem(text: str | None) -> str | None:
    """Why ``text`` cannot be sent to Notion as an engineer's email, or None when it can.

    An address is one ``@`` between a non-empty local part and domain, at most
    :data:`MAX_EMAIL` characters, none of them a space or an invisible character.
    """
    email = canonical_email(text or "")
    if not email:
        return "empty email"
    if len(email) > MAX_EMAIL:
        return f"email of {len(email)} characters (at most {MAX_EMAIL}): {clip(email)!r}"
    why = _address_problem(email)
    return None if why is None else f"malformed email {clip(email)!r} ({why})"


# How a character Unicode gives no name is described (control characters have none).
_UNNAMED = {"Cc": "(a control character)", "Cs": "(a lone surrogate)"}


def _address_problem(email: str) -> str | None:
    local, _, domain = email.partition("@")
    if "@" not in email or "@" in domain:
        return f"{email.count('@')} @ signs, not one"
    if not local or not domain:
        return "nothing before the @" if not local else "nothing after the @"
    refused = next((c for c in email if unicodedata.category(c) in _REFUSED_CATEGORIES), None)
    if refused is None:
        return None
    name = unicodedata.name(refused, "") or _UNNAMED.get(unicodedata.category(refused), "")
    return f"it holds U+{ord(refused):04X} {name}".rstrip()


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
            bad.append(BadRow(reported_key(row.key), row.table, row.row_id, key))
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
