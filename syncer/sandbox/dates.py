"""Date property values: validation of writes, Notion's read form, and comparisons for filters."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from syncer.sandbox.errors import body_error, validation_error

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HAS_OFFSET = re.compile(r".*T.*([+-]\d{2}:?\d{2}|Z)$")


def is_date_only(text: str) -> bool:
    """Whether ``text`` is a plain ``YYYY-MM-DD`` date."""
    return bool(_DATE_ONLY.fullmatch(text))


def _format(moment: dt.datetime) -> str:
    base = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    offset = moment.strftime("%z")
    return f"{base}{offset[:3]}:{offset[3:]}"


def in_utc(text: str | None) -> str | None:
    """A stored date-time in UTC (``…T08:00:00.000+00:00``); plain dates and None unchanged."""
    if text is None or is_date_only(text):
        return text
    return _format(dt.datetime.fromisoformat(text).astimezone(dt.UTC))


def _parse(text: Any, path: str) -> dt.date | dt.datetime:
    if not isinstance(text, str):
        raise body_error(path, "a string", text)
    try:
        value = (
            dt.date.fromisoformat(text) if is_date_only(text) else dt.datetime.fromisoformat(text)
        )
    except ValueError:
        raise validation_error(f"{text} is an invalid ISO 8601 date ({path}).") from None
    offset = value.utcoffset() if isinstance(value, dt.datetime) else None
    # Outside what Notion stores (4-digit years, whole-minute offsets): refused, not mangled.
    if value.year < 1000 or (offset is not None and offset.total_seconds() % 60):
        raise validation_error(f"{text} is an invalid ISO 8601 date ({path}).")
    return value


def _normalize_one(text: Any, path: str, zone: zoneinfo.ZoneInfo | None) -> str:
    value = _parse(text, path)
    if not isinstance(value, dt.datetime):
        if zone is not None:
            raise validation_error(
                f"{path} must include a time when time_zone is set, instead was {text}."
            )
        return value.isoformat()
    if zone is not None:
        if value.tzinfo is not None:
            raise validation_error(
                f"{path} must not include a UTC offset when time_zone is set, instead was {text}."
            )
        return _format(value.replace(tzinfo=zone))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return _format(value)


def _zone(name: Any, path: str) -> zoneinfo.ZoneInfo | None:
    if name is None:
        return None
    if not isinstance(name, str):
        raise body_error(path, "a string or `null`", name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise validation_error(f"{path} is not a valid IANA time zone: {name}.") from None


def normalize_date(raw: Any, path: str) -> dict[str, Any] | None:
    """A written date value in its stored (read) form: offsets kept, ``time_zone`` resolved to null.

    Raises:
        ApiError: 400 ``validation_error`` naming ``path`` when the value breaks Notion's rules.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise body_error(path, "an object or `null`", raw)
    unknown = set(raw) - {"start", "end", "time_zone"}
    if unknown:
        raise body_error(f"{path}.{sorted(unknown)[0]}", "not present", raw[sorted(unknown)[0]])
    if raw.get("start") is None:
        raise body_error(f"{path}.start", "defined", None)
    zone = _zone(raw.get("time_zone"), f"{path}.time_zone")
    start = _normalize_one(raw["start"], f"{path}.start", zone)
    end = raw.get("end")
    end_text = None if end is None else _normalize_one(end, f"{path}.end", zone)
    return {"start": start, "end": end_text, "time_zone": None}


def instant(text: str) -> float:
    """A stored date or date-time as a POSIX timestamp (a plain date is midnight UTC)."""
    if is_date_only(text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def compare(stored: str, operand: str) -> int:
    """-1, 0 or 1 as ``stored`` is before, on or after a filter's ``operand``.

    A plain-date operand compares calendar dates, taking the stored value's date as written (in
    its own offset); a date-time operand compares instants.
    """
    if is_date_only(operand):
        left, right = stored[:10], operand
        return (left > right) - (left < right)
    a, b = instant(stored), instant(operand)
    return (a > b) - (a < b)


def today() -> str:
    """Today's date in UTC, which Notion's relative filter words count from."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def check_operand(value: Any, path: str) -> str:
    """A filter operand as an ISO string, resolving Notion's relative words against today (UTC).

    Raises:
        ApiError: when it is neither an ISO date nor a known relative word.
    """
    today = dt.datetime.now(dt.UTC).date()
    relative = {
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
        "yesterday": today - dt.timedelta(days=1),
        "one_week_ago": today - dt.timedelta(days=7),
        "one_week_from_now": today + dt.timedelta(days=7),
        "one_month_ago": today - dt.timedelta(days=30),
        "one_month_from_now": today + dt.timedelta(days=30),
    }
    if isinstance(value, str) and value in relative:
        return relative[value].isoformat()
    parsed = _parse(value, path)
    return parsed.isoformat()


def relative_range(name: str) -> tuple[str, str]:
    """The inclusive date range (UTC today based) of ``this_week``, ``past_month`` and friends."""
    today = dt.datetime.now(dt.UTC).date()
    spans = {
        "past_week": (today - dt.timedelta(days=7), today),
        "past_month": (today - dt.timedelta(days=30), today),
        "past_year": (today - dt.timedelta(days=365), today),
        "next_week": (today, today + dt.timedelta(days=7)),
        "next_month": (today, today + dt.timedelta(days=30)),
        "next_year": (today, today + dt.timedelta(days=365)),
    }
    if name == "this_week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
    low, high = spans[name]
    return low.isoformat(), high.isoformat()
