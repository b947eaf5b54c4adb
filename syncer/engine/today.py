"""How far ``--today`` may move the date runs treat as today.

``--today`` exists to reproduce a run (a test, the demo, yesterday's cron line). A date far
ahead of the clock is almost always a typo (2062 for 2026), and an expensive one: every page
of the weeks up to it would move into PAST CALENDAR and be sealed there as history, and
reading PAST CALENDAR in yearly windows up to it could take hours. A date in the past is what
reproducing is for; the moves it causes are repaired by the next run on the real date.
"""

from __future__ import annotations

import datetime as dt

from syncer.config import Settings
from syncer.core.errors import ConfigError
from syncer.core.projection import week_start

FAR_AHEAD = dt.timedelta(weeks=4)
"""The furthest ahead of the clock's date a ``--today`` is taken without ``--force``."""


def check_today(settings: Settings, today: dt.date, now: dt.datetime, *, force: bool) -> None:
    """Refuse a ``--today`` syncer cannot work with, or one far ahead of the clock unless
    ``force``.

    Raises:
        ConfigError: the date's weeks fall outside the calendar (its history would start
            before year 1), or it is more than :data:`FAR_AHEAD` ahead and not forced.
    """
    clock_today = now.astimezone(settings.tz).date()
    try:
        week_start(today) + dt.timedelta(weeks=1)
        settings.history_start(today)
        settings.retain_since(today)
    except OverflowError:
        raise ConfigError(
            f"--today {today} is out of range: its history would start before year 1",
            hint=f"give a date near today ({clock_today})",
        ) from None
    ahead = today - clock_today
    if ahead > FAR_AHEAD and not force:
        raise ConfigError(
            f"--today {today} is {_span(ahead)} ahead of today ({clock_today}): every page up "
            "to it would move into PAST CALENDAR",
            hint="check the date; if you mean it, add --force",
        )


def _span(delta: dt.timedelta) -> str:
    days = delta.days
    if days >= 730:
        return f"{days // 365} years"
    if days >= 70:
        return f"{days // 7} weeks"
    return f"{days} days"
