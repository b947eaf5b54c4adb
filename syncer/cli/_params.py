"""Option types and options that several commands share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import click

from syncer.config import parse_duration
from syncer.core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment as given on the command line: a duration back from now, or a point in time;
    resolved with the command's clock (:attr:`~syncer.cli._globals.Globals.clock`)."""

    back: dt.timedelta | None = None
    at: dt.datetime | None = None

    def resolve(self, now: dt.datetime) -> dt.datetime:
        if self.at is not None:
            return self.at
        assert self.back is not None, "a moment is a duration or a point in time"
        return now - self.back


class When(click.ParamType[Moment, Any]):
    """A moment: a duration back from now (``24h``, ``7d``), a date, or an ISO date-time (UTC)."""

    name = "WHEN"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day  # --until 2026-03-11 includes that whole day

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Moment:
        if isinstance(value, Moment):
            return value
        text = str(value).strip()
        try:
            return Moment(back=parse_duration(text, "duration"))
        except ConfigError:
            pass
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a duration (24h, 7d) or a date (YYYY-MM-DD)", param, ctx)
        is_date = len(text) == 10
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return Moment(at=moment + dt.timedelta(days=1) if is_date and self.end_of_day else moment)


take_over_option = click.option(
    "--take-over",
    is_flag=True,
    help="Write even though the databases' description names another schedule file as their "
    "keeper, and make this file their keeper (the other is refused from then on).",
)

force_option = click.option(
    "--force", is_flag=True, help="Apply even when a safety guard refuses the plan."
)
