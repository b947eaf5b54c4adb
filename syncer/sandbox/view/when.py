"""Dates as the view shows them: parsed from the API's ISO strings, in one display timezone.

Notion's UI shows times in the viewer's timezone; the view does the same with ``?tz=`` (the
page's script fills it in from the browser when it is missing), falling back to UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_NAME = "UTC"


def zone(name: str | None) -> tuple[str, dt.tzinfo]:
    """The display timezone named ``name``, or UTC when it is missing or unknown."""
    if name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC_NAME, dt.UTC


def parse(value: str | None) -> dt.datetime | dt.date | None:
    """An API date or date-time (``2026-11-30``, ``2026-11-30T09:00:00.000+00:00``), or None."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Span:
    """A date property's value: a start and an optional end, either both dates or both times."""

    start: dt.datetime | dt.date
    end: dt.datetime | dt.date | None = None

    @classmethod
    def from_api(cls, value: object) -> Span | None:
        """The span of a date property value ``{start, end, time_zone}``, or None."""
        if not isinstance(value, dict):
            return None
        start = parse(value.get("start"))
        return None if start is None else cls(start, parse(value.get("end")))

    @property
    def timed(self) -> bool:
        return isinstance(self.start, dt.datetime)

    def local(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime | None]:
        """Start and end as wall-clock times in ``tz`` (a plain date counts as its midnight)."""
        return _local(self.start, tz), None if self.end is None else _local(self.end, tz)

    def sort_key(self, tz: dt.tzinfo) -> str:
        """An ISO string that orders spans by their start instant."""
        return _local(self.start, tz).astimezone(dt.UTC).isoformat()

    def label(self, tz_name: str, tz: dt.tzinfo, today: dt.date) -> str:
        """``Mon 30 Nov, 09:00–12:00 (Europe/London)``; the year only when it is not this one."""
        return " ".join(self.label_parts(tz_name, tz, today))

    def label_parts(self, tz_name: str, tz: dt.tzinfo, today: dt.date) -> list[str]:
        """The label in the pieces a narrow column may wrap between, never inside:
        ``["Mon 30 Nov, 09:00–12:00", "(Europe/London)"]``."""
        start, end = self.local(tz)
        if not self.timed:
            first = day_label(start.date(), today)
            return [first] if end is None else [f"{first} –", day_label(end.date(), today)]
        parts = [f"{day_label(start.date(), today)}, {start:%H:%M}"]
        if end is not None and end.date() == start.date():
            parts[0] += f"–{end:%H:%M}"
        elif end is not None:
            parts = [f"{parts[0]} –", f"{day_label(end.date(), today)}, {end:%H:%M}"]
        return [*parts, f"({tz_name})"]


def _local(value: dt.datetime | dt.date, tz: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(tz)
    return dt.datetime.combine(value, dt.time(), tz)


def day_label(day: dt.date, today: dt.date) -> str:
    """``Mon 30 Nov``, with the year when it differs from ``today``'s."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def moment_label(value: str | None, tz: dt.tzinfo) -> str:
    """An object timestamp as ``2026-11-30 09:00`` in ``tz`` (empty when missing)."""
    moment = parse(value)
    if not isinstance(moment, dt.datetime):
        return ""
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def monday_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())
