"""What every step of the engine works with, built once: the :class:`Context`.

The composition root (``syncer.compose``) builds one :class:`~syncer.engine.engine.Engine`, a
Context with the commands as methods; the engine's modules take the Context and read their
collaborators from it, so no parameter list is written out twice. A context is frozen: nothing
replaces a collaborator mid-run.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from dataclasses import dataclass, field

from syncer.config import Environment, Settings
from syncer.core import Database, DataSourceId, EnvName, Rotations
from syncer.core.codec import Codec
from syncer.core.gateway import Gateway
from syncer.core.planner import Calendar
from syncer.engine.options import Clock, Jitter, RunOptions, Sleep, utc_now
from syncer.notion.retry import RetryPolicy
from syncer.store import Store


class DataSources:
    """The data source id of each database, resolved on first use (one request each)."""

    def __init__(self, gateway: Gateway, env: Environment) -> None:
        self._gateway = gateway
        self._env = env
        self._ids: dict[Database, DataSourceId] = {}
        self._lock = threading.Lock()

    def __call__(self, database: Database) -> DataSourceId:
        with self._lock:
            if database not in self._ids:
                database_id = database_id_of(self._env, database)
                self._ids[database] = self._gateway.data_source_id(database_id)
            return self._ids[database]


def database_id_of(env: Environment, database: Database) -> str:
    if database == "calendar":
        return env.calendar_database_id
    return env.past_calendar_database_id


@dataclass(frozen=True)
class Context:
    """One environment's collaborators: the store, the gateway, the settings, and the time.

    ``clock`` is the one clock (now, in UTC); ``today`` is the date in the configured timezone
    unless ``pinned_today`` fixes it (``--today``, for reproducible runs). ``sleep`` and
    ``jitter`` are the waiting and randomness retries use; ``options`` how runs are started.
    """

    store: Store
    gateway: Gateway
    settings: Settings
    env: Environment
    clock: Clock = utc_now
    sleep: Sleep = time.sleep
    jitter: Jitter = random.random
    options: RunOptions = field(default_factory=RunOptions)
    pinned_today: dt.date | None = None
    retry: RetryPolicy = field(init=False, repr=False)
    data_source: DataSources = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Derived once from the collaborators above (frozen, hence object.__setattr__).
        retry = RetryPolicy(tuple(self.settings.retry_waits), self.sleep, self.jitter)
        object.__setattr__(self, "retry", retry)
        object.__setattr__(self, "data_source", DataSources(self.gateway, self.env))

    @property
    def name(self) -> EnvName:
        """The environment's name."""
        return self.env.name

    @property
    def today(self) -> dt.date:
        """The date runs treat as today: pinned, or today in the configured timezone."""
        if self.pinned_today is not None:
            return self.pinned_today
        return self.clock().astimezone(self.settings.tz).date()

    @property
    def calendar(self) -> Calendar:
        return self.settings.calendar(self.today)

    @property
    def codec(self) -> Codec:
        return self.settings.codec

    @property
    def rotations(self) -> Rotations:
        return self.settings.rotations

    def database_id(self, database: Database) -> str:
        return database_id_of(self.env, database)
