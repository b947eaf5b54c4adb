"""Date windows over PAST CALENDAR: they cover every page once and split when a query is capped."""

from __future__ import annotations

import datetime as dt

import pytest

from syncer.core.windows import Window, year_windows

D = dt.date


def test_year_windows_cover_every_page_with_the_open_ends_folded_in() -> None:
    """No page can fall between two windows: the bounds of one are the next one's, and the
    undated and far ends share a query with a year instead of costing one each."""
    assert [str(w) for w in year_windows(2024, 2026)] == [
        "with no date or dated before 2025-01-01",
        "dated 2025-01-01 to 2025-12-31",
        "dated from 2026-01-01 on",
    ]
    assert [str(w) for w in year_windows(2026, 2026)] == [
        "with no date or dated before 2026-01-01",
        "dated from 2026-01-01 on",
    ]


def test_a_window_is_one_notion_filter_on_the_date_property() -> None:
    """Bounds are an `and` of on_or_after and before; the undated are an `or` with is_empty."""
    assert Window(D(2025, 1, 1), D(2026, 1, 1)).filter("Date") == {
        "and": [
            {"property": "Date", "date": {"on_or_after": "2025-01-01"}},
            {"property": "Date", "date": {"before": "2026-01-01"}},
        ]
    }
    assert Window(high=D(2025, 1, 1), undated=True).filter("Shift") == {
        "or": [
            {"property": "Shift", "date": {"is_empty": True}},
            {"property": "Shift", "date": {"before": "2025-01-01"}},
        ]
    }
    assert Window(undated=True).filter("Date") == {"property": "Date", "date": {"is_empty": True}}
    assert Window(low=D(2026, 1, 1)).filter("Date") == {
        "property": "Date",
        "date": {"on_or_after": "2026-01-01"},
    }


@pytest.mark.parametrize(
    ("window", "first", "second"),
    [
        (
            Window(D(2025, 1, 1), D(2026, 1, 1)),
            Window(D(2025, 1, 1), D(2025, 7, 2)),
            Window(D(2025, 7, 2), D(2026, 1, 1)),
        ),
        (
            Window(high=D(2025, 1, 1), undated=True),
            Window(undated=True),
            Window(high=D(2025, 1, 1)),
        ),
        (
            Window(high=D(2025, 1, 1)),
            Window(high=D(2024, 1, 1)),
            Window(D(2024, 1, 1), D(2025, 1, 1)),
        ),
        (
            Window(low=D(2026, 1, 1)),
            Window(D(2026, 1, 1), D(2027, 1, 1)),
            Window(low=D(2027, 1, 1)),
        ),
    ],
)
def test_a_capped_window_splits_into_two_that_meet(
    window: Window, first: Window, second: Window
) -> None:
    """Bounded windows halve, the undated part goes apart, open ends peel a year at a time."""
    assert window.halves() == (first, second)


@pytest.mark.parametrize(
    "window",
    [
        Window(D(2025, 1, 1), D(2025, 1, 2)),
        Window(undated=True),
        Window(high=D(1900, 1, 1)),
        Window(low=D(3000, 1, 1)),
    ],
)
def test_a_window_that_cannot_split_says_so(window: Window) -> None:
    """One day, the undated alone, and the far ends of the calendar are as small as it gets;
    the error then names the window."""
    assert window.halves() is None
    assert str(window).startswith(("with no date", "dated"))


def test_years_with_few_known_pages_share_one_query() -> None:
    """Thirteen years of 780 pages are read in two windows under 8,000 known pages each (not
    fourteen, each ending in a partly filled result page); the windows still meet exactly."""
    known = dict.fromkeys(range(2014, 2027), 780)

    windows = year_windows(2013, 2026, known)

    assert [str(w) for w in windows] == [
        "with no date or dated before 2024-01-01",
        "dated from 2024-01-01 on",
    ]
    assert [str(w) for w in year_windows(2013, 2026, {2014: 10})] == [
        "with no date or dated before 2026-01-01",
        "dated from 2026-01-01 on",
    ]
    assert len(year_windows(2013, 2026)) == 14  # without counts: a window a year
