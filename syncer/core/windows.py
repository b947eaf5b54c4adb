"""Slices of a database by ``Date``, each read with one query under Notion's result cap. [core]

A single Notion query stops at 10,000 results. PAST CALENDAR grows by about 780 pages a year per
environment, so reconcile reads it one calendar year at a time, plus the pages dated before the
first year, after the last, and with no date at all: together they cover every page exactly
once, whatever dates the pages carry. A window that still hits the cap is split in two.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Window:
    """The pages whose date starts in ``[low, high)`` (None: unbounded), or those with no date."""

    low: dt.date | None = None
    high: dt.date | None = None
    undated: bool = False

    def filter(self, date_property: str) -> JSON:
        """The query filter that selects this window's pages."""
        if self.undated:
            return {"property": date_property, "date": {"is_empty": True}}
        clauses = []
        if self.low is not None:
            clauses.append({"property": date_property, "date": {"on_or_after": str(self.low)}})
        if self.high is not None:
            clauses.append({"property": date_property, "date": {"before": str(self.high)}})
        return clauses[0] if len(clauses) == 1 else {"and": clauses}

    def halves(self) -> tuple[Window, Window] | None:
        """Two windows covering this one, or None when it cannot be split (unbounded, one day)."""
        if self.low is None or self.high is None or (self.high - self.low).days < 2:
            return None
        middle = self.low + dt.timedelta(days=(self.high - self.low).days // 2)
        return Window(self.low, middle), Window(middle, self.high)

    def __str__(self) -> str:
        if self.undated:
            return "with no date"
        if self.low is None:
            return f"dated before {self.high}"
        if self.high is None:
            return f"dated from {self.low} on"
        return f"dated {self.low} to {self.high - dt.timedelta(days=1)}"


def year_windows(first_year: int, last_year: int) -> list[Window]:
    """One window per year from ``first_year`` to ``last_year``, plus the three open ends."""
    starts = [dt.date(year, 1, 1) for year in range(first_year, last_year + 2)]
    years = [Window(low, high) for low, high in itertools.pairwise(starts)]
    return [Window(undated=True), Window(high=starts[0]), *years, Window(low=starts[-1])]
