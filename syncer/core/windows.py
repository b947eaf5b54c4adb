"""Slices of a database by ``Date``, each read with one query under Notion's result cap. [core]

A single Notion query stops at 10,000 results. PAST CALENDAR grows by about 780 pages a year per
environment, so reconcile reads it about a calendar year at a time: the pages with no date or
dated before the second year, then one window per year, then those dated from this year on.
The windows meet exactly, so together they cover every page once, whatever dates the pages
carry, and the open ends cost no extra query. A window that still hits the cap is split.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
# Splitting an open-ended window peels one year off at a time, within these years.
OLDEST, NEWEST = 1900, 3000


@dataclass(frozen=True, slots=True)
class Window:
    """The pages whose date starts in ``[low, high)`` (None: unbounded), plus, when
    ``undated``, the pages with no date (alone, when both bounds are None)."""

    low: dt.date | None = None
    high: dt.date | None = None
    undated: bool = False

    @property
    def dated(self) -> bool:
        return self.low is not None or self.high is not None or not self.undated

    def filter(self, date_property: str) -> JSON:
        """The query filter that selects this window's pages."""
        clauses = []
        if self.low is not None:
            clauses.append({"property": date_property, "date": {"on_or_after": str(self.low)}})
        if self.high is not None:
            clauses.append({"property": date_property, "date": {"before": str(self.high)}})
        dated = clauses[0] if len(clauses) == 1 else {"and": clauses}
        if not self.undated:
            return dated
        empty = {"property": date_property, "date": {"is_empty": True}}
        return {"or": [empty, dated]} if clauses else empty

    def halves(self) -> tuple[Window, Window] | None:
        """Two windows covering this one, or None when it cannot be split further."""
        low, high = self.low, self.high
        if self.undated and self.dated:
            return Window(undated=True), Window(low, high)
        if low is not None and high is not None and (high - low).days >= 2:
            middle = low + dt.timedelta(days=(high - low).days // 2)
            return Window(low, middle), Window(middle, high)
        if low is None and high is not None and high.year > OLDEST:
            year_before = high.replace(year=high.year - 1)
            return Window(None, year_before), Window(year_before, high)
        if high is None and low is not None and low.year < NEWEST:
            year_after = low.replace(year=low.year + 1)
            return Window(low, year_after), Window(year_after, None)
        return None

    def __str__(self) -> str:
        if not self.dated:
            return "with no date"
        if self.low is None:
            dated = f"dated before {self.high}"
        elif self.high is None:
            dated = f"dated from {self.low} on"
        else:
            dated = f"dated {self.low} to {self.high - dt.timedelta(days=1)}"
        return f"with no date or {dated}" if self.undated else dated


# Years are read together while the pages syncer knows in them stay under this: 2,000 below a
# query's cap, so pages made by hand or by another tool have room before a window is capped
# (a capped window is split and read again: correct, but dearer). Two windows hold 10,000
# pages, so a reconcile of 10,000 reads at most ceil(N/100) + 1 result pages of PAST CALENDAR.
WINDOW_PAGES = 8_000


def year_windows(
    first_year: int,
    last_year: int,
    known: Mapping[int, int] | None = None,
    *,
    limit: int = WINDOW_PAGES,
) -> list[Window]:
    """Windows covering every page: no date or before ``first_year + 1``, each year up to
    ``last_year``, then from ``last_year`` on (two windows when the years are one).

    With ``known`` (pages syncer knows, by year) neighbouring years share a window while their
    pages stay under ``limit``: each window's last result page is a partly filled request, so
    fewer windows cost fewer requests.
    """
    starts = [dt.date(year, 1, 1) for year in range(min(first_year + 1, last_year), last_year + 1)]
    if known is not None:
        starts = _merged(starts, known, limit)
    years = [Window(low, high) for low, high in itertools.pairwise(starts)]
    return [Window(high=starts[0], undated=True), *years, Window(low=starts[-1])]


def _merged(starts: list[dt.date], known: Mapping[int, int], limit: int) -> list[dt.date]:
    """The boundaries to keep (at least the last) so that each window's known pages stay under
    ``limit`` where one year alone does not already exceed it."""
    first = starts[0].year
    running = sum(count for year, count in known.items() if year < first)
    kept: list[dt.date] = []
    for index, start in enumerate(starts):
        last = index == len(starts) - 1
        after = known.get(start.year, 0)
        if last:
            after = sum(count for year, count in known.items() if year >= start.year)
        if running + after > limit or (last and not kept):
            kept.append(start)
            running = after
        else:
            running += after
    return kept
