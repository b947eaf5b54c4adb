"""A schedule file written the way the upstream app writes it, and a session to sync it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from syncer.config import Environment, Settings
from syncer.core import DataSourceId, EnvName
from syncer.core.codec import schema_properties
from syncer.core.gateway import Gateway
from syncer.engine import Engine, RunOptions
from syncer.engine.databases import CreatedDatabases, init_databases
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from syncer.store import Store, upgrade

TODAY = dt.date(2026, 3, 11)  # a Wednesday; Monday is 2026-03-09
ENV = EnvName("test")
TOKEN_VARIABLE = "SYNCER_TEST_TOKEN"


class App:
    """The upstream scheduler: plain sqlite3 writes to the schedule tables."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def execute(self, sql: str, *params: object) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute(sql, params)
        conn.close()

    def executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.executemany(sql, rows)
        conn.close()

    def schedule(self, date: dt.date | str, rotation: str, email: str) -> None:
        self.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
            str(date),
            rotation,
            email,
        )

    def override(self, date: dt.date | str, rotation: str, email: str) -> None:
        self.execute(
            "INSERT OR REPLACE INTO oncall_schedule_overrides (date, rotation, engineer_email) "
            "VALUES (?, ?, ?)",
            str(date),
            rotation,
            email,
        )

    def reassign(self, date: dt.date | str, rotation: str, email: str) -> None:
        self.execute(
            "UPDATE oncall_schedule SET engineer_email = ? WHERE date = ? AND rotation = ?",
            email,
            str(date),
            rotation,
        )

    def delete(self, date: dt.date | str, rotation: str, table: str = "oncall_schedule") -> None:
        self.execute(f"DELETE FROM {table} WHERE date = ? AND rotation = ?", str(date), rotation)

    def regenerate(self, start: dt.date, days: int, emails: list[str]) -> None:
        """Delete and re-insert a window of weekday shifts in one transaction, as the app does."""
        rows = window_rows(start, days, emails)
        with sqlite3.connect(self.path) as conn:
            conn.execute("DELETE FROM oncall_schedule WHERE date >= ?", (start.isoformat(),))
            conn.executemany(
                "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
                rows,
            )
        conn.close()

    def reset(self, rows: list[tuple[object, ...]]) -> None:
        """The app's ``reset_schedule`` task: DROP TABLE both schedule tables (syncer's triggers
        go with them, and the ids start again), its migrations' DDL, then ``rows`` (date,
        rotation, email) as its seed writes them."""
        from tests.support.app_file import APP_DDL

        with sqlite3.connect(self.path) as conn:
            conn.execute("DROP TABLE IF EXISTS oncall_schedule_overrides")
            conn.execute("DROP TABLE IF EXISTS oncall_schedule")
            conn.executescript(APP_DDL)
            conn.executemany(
                "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
                rows,
            )
        conn.close()


def window_rows(start: dt.date, days: int, emails: list[str]) -> list[tuple[object, ...]]:
    """Weekday shifts from ``start`` for ``days`` days, engineers assigned round-robin."""
    rows: list[tuple[object, ...]] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for rotation in ("AM", "Core", "PM"):
            rows.append((day.isoformat(), rotation, emails[len(rows) % len(emails)]))
    return rows


def schedule_db(tmp_path: Path) -> Path:
    """A migrated schedule file."""
    path = tmp_path / "oncall.db"
    upgrade(path)
    return path


def setup_databases(settings: Settings, gateway: Gateway) -> Environment:
    """Create the two databases in ``gateway`` and return an environment naming them."""
    schema = schema_properties(settings.properties, settings.rotations)
    calendar = gateway.create_database("root", "CALENDAR", schema)
    past = gateway.create_database("root", "PAST CALENDAR", schema)
    return Environment(ENV, TOKEN_VARIABLE, calendar, past)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def make_engine(
    db: Path,
    gateway: Gateway,
    env: Environment,
    *,
    settings: Settings | None = None,
    today: dt.date | None = TODAY,
    clock: Clock | None = None,
    sleeps: list[float] | None = None,
    **options: Any,
) -> Engine:
    """An engine with no real sleeping: waits are recorded in ``sleeps``.

    ``today`` pins the date (None: the clock's date); ``options`` are :class:`RunOptions`
    fields (``force``, ``trigger``, ``holder``, ``on_run_end``).
    """
    base = settings or settings_for_tests()
    base = replace(base, environments={ENV: env})
    recorded = sleeps if sleeps is not None else []
    return Engine(
        store=Store.open(db, require_capture=False),  # as syncer.compose opens it
        gateway=gateway,
        settings=base,
        env=env,
        clock=clock or Clock(),
        sleep=recorded.append,
        jitter=lambda: 0.0,
        options=RunOptions(**options),
        pinned_today=today,
    )


def data_source(engine: Engine, database: str) -> DataSourceId:
    """The data source id of one of the engine's databases."""
    database_id = (
        engine.env.calendar_database_id
        if database == "calendar"
        else engine.env.past_calendar_database_id
    )
    return engine.gateway.data_source_id(database_id)


def settings_for_tests(**changes: object) -> Settings:
    """Settings for tests: London time, short retry schedule, one worker unless asked."""
    settings = Settings(timezone="Europe/London", retry_waits=(0.0, 1.0, 2.0))
    return replace(settings, **changes)  # type: ignore[arg-type]


def sandbox_databases(sandbox: RunningSandbox) -> CreatedDatabases:
    """CALENDAR and PAST CALENDAR created in the sandbox, as `syncer notion init` makes them."""
    gateway = NotionGateway(sandbox.syncer_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    try:
        return init_databases(settings_for_tests(), gateway, sandbox.root_page_id)
    finally:
        gateway.close()
