"""What a run needs, built once: settings, the environment, the store, Notion, and the clock."""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from syncer.config import Environment, Settings
from syncer.core import Database
from syncer.core.gateway import Gateway
from syncer.core.planner import Calendar
from syncer.core.projection import week_start
from syncer.store import Store


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_holder() -> str:
    """Who holds the lock: host and process, so an admin can find it, plus a tag of its own
    so that two syncs started from one process (Python callers) never share a lease."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class RunEnd:
    """What an alert hook learns when a run ends badly."""

    env: str
    run_id: int | None
    kind: str
    status: str
    failed_keys: tuple[str, ...]
    first_error: str | None


@dataclass
class SyncContext:
    """Everything a drain, reconcile, resync or plan uses; tests build it with a fake gateway."""

    settings: Settings
    env: Environment
    store: Store
    gateway: Gateway
    today: dt.date
    clock: Callable[[], dt.datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    trigger: str = "cli"
    force: bool = False
    holder: str = field(default_factory=default_holder)
    on_run_end: Callable[[RunEnd], None] | None = None
    _data_sources: dict[Database, str] = field(default_factory=dict)
    _data_source_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def calendar(self) -> Calendar:
        return Calendar(week_start(self.today), self.settings.history_start(self.today))

    def database_id(self, database: Database) -> str:
        if database == "calendar":
            return self.env.calendar_database_id
        return self.env.past_calendar_database_id

    def data_source(self, database: Database) -> str:
        """The data source id of a database, resolved on first use (one request each)."""
        with self._data_source_lock:
            if database not in self._data_sources:
                database_id = self.database_id(database)
                self._data_sources[database] = self.gateway.data_source_id(database_id)
            return self._data_sources[database]


def same_id(a: str, b: str) -> bool:
    """Notion ids compare equal with or without dashes."""
    return a.replace("-", "").lower() == b.replace("-", "").lower()
