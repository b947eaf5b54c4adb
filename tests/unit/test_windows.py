"""Date windows over PAST CALENDAR: they cover every page once and split when a query is capped."""

from __future__ import annotations

import datetime as dt

from syncer.core.windows import Window, year_windows

D = dt.date


def test_year_windows_cover_the_undated_the_years_and_both_open_ends() -> None:
    """No page can fall between two windows: the bounds of one are the next one's."""
    windows = year_windows(2025, 2026)

    assert [str(w) for w in windows] == [
        "with no date",
        "dated before 2025-01-01",
        "dated 2025-01-01 to 2025-12-31",
        "dated 2026-01-01 to 2026-12-31",
        "dated from 2027-01-01 on",
    ]


def test_a_window_is_one_notion_filter_on_the_date_property() -> None:
    """Bounded windows are an `and` of on_or_after and before; open ones a single clause."""
    assert Window(D(2025, 1, 1), D(2026, 1, 1)).filter("Date") == {
        "and": [
            {"property": "Date", "date": {"on_or_after": "2025-01-01"}},
            {"property": "Date", "date": {"before": "2026-01-01"}},
        ]
    }
    assert Window(high=D(2025, 1, 1)).filter("Shift") == {
        "property": "Shift",
        "date": {"before": "2025-01-01"},
    }
    assert Window(undated=True).filter("Date") == {"property": "Date", "date": {"is_empty": True}}


def test_a_capped_window_splits_into_two_that_meet() -> None:
    """Halves share their middle bound; a one-day or open window cannot be split."""
    halves = Window(D(2025, 1, 1), D(2026, 1, 1)).halves()
    assert halves is not None
    first, second = halves
    assert (first.low, first.high, second.high) == (D(2025, 1, 1), D(2025, 7, 2), D(2026, 1, 1))
    assert second.low == first.high
    assert Window(D(2025, 1, 1), D(2025, 1, 2)).halves() is None
    assert Window(low=D(2025, 1, 1)).halves() is None
    assert Window(undated=True).halves() is None
