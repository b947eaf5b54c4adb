"""What every step of the engine works with, built once: the :class:`Context`.

The composition root (``syncer.compose``) builds one :class:`~syncer.engine.engine.Engine`, a
Context with the commands as methods; the engine's modules take the Context and read their
collaborators from it, so no parameter list is written out twice. A context is frozen: nothing
replaces a collaborator mid-run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import threading
import time
from dataclasses import dataclass, field

from syncer.config import Environment, Settings
from syncer.core import DATABASES, Database, DataSourceId, EnvName, Rotations
from syncer.core.claims import CachedDatabase, holder_of
from syncer.core.codec import Codec
from syncer.core.errors import NotionError
from syncer.core.gateway import JSON, Gateway, NotionDatabase
from syncer.core.planner import Calendar
from syncer.engine.options import Clock, Jitter, RunOptions, Sleep, utc_now
from syncer.notion.retry import RetryPolicy
from syncer.store import Store


class DataSources:
    """Each database's data source id and schema, kept in the schedule file between runs.

    Both change only when someone edits the database in Notion, so a run reads them from the
    file's cache (``sync_databases``) and sends nothing; the first use, an entry older than
    ``people_ttl``, and :meth:`refresh` (a write or a query that says the schema changed, and
    ``notion check``) read them again: one database retrieve and one data source retrieve. The
    same retrieve gives the description, so which file claims the database comes with it.
    """

    def __init__(
        self, gateway: Gateway, env: Environment, store: Store, clock: Clock, ttl: dt.timedelta
    ) -> None:
        self._gateway = gateway
        self._env = env
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._entries: dict[Database, CachedDatabase] = {}
        self._refreshed: dict[Database, NotionDatabase] = {}  # read from Notion in this run
        self._lock = threading.Lock()

    def __call__(self, database: Database) -> DataSourceId:
        return self.entry(database).data_source_id

    def begin_run(self) -> None:
        """A run begins: what this context read before is the file's cache now, not fresh (a
        context lives across the runs of the watch service)."""
        with self._lock:
            self._entries.clear()
            self._refreshed.clear()

    def schema(self, database: Database) -> JSON:
        """The data source's schema as last read (a copy: callers may change it)."""
        return dict(self.entry(database).schema)

    def entry(self, database: Database) -> CachedDatabase:
        """The cached metadata, read from Notion first when there is none or it is too old."""
        with self._lock:
            entry = self._entries.get(database)
            if entry is None:
                entry = self._store.cached_database(database_id_of(self._env, database))
            if entry is None or self._clock() - entry.fetched_at > self._ttl:
                entry = self._fetch(database)
            self._entries[database] = entry
            return entry

    def refresh(self, database: Database) -> CachedDatabase:
        """Read the database's metadata from Notion again (the schema may have changed)."""
        with self._lock:
            self._entries[database] = entry = self._fetch(database)
            return entry

    def refreshed(self, database: Database) -> bool:
        """Whether this run has read the database's metadata from Notion itself."""
        return database in self._refreshed

    def as_read(self, database: Database) -> NotionDatabase | None:
        """The database as this run read it from Notion (None: it came from the cache)."""
        return self._refreshed.get(database)

    def forget(self) -> None:
        """Drop every cached entry of this environment: the next use reads Notion again."""
        with self._lock:
            self._entries.clear()
            self._refreshed.clear()
            for database in DATABASES:
                self._store.forget_database(database_id_of(self._env, database))

    def remember_holder(self, database: Database, file_id: str | None) -> None:
        """The file the description was just read (or written) to name (None: none)."""
        with self._lock:
            entry = self._entries.get(database) or self._store.cached_database(
                database_id_of(self._env, database)
            )
            if entry is None:
                return
            entry = dataclasses.replace(entry, holder=file_id)
            self._store.cache_database(entry)
            self._entries[database] = entry

    def _fetch(self, database: Database) -> CachedDatabase:
        database_id = database_id_of(self._env, database)
        found = self._gateway.database(database_id)
        schema = self._gateway.schema(found.data_source_id)
        held = holder_of(found.description)
        entry = CachedDatabase(
            database_id=database_id,
            data_source_id=found.data_source_id,
            schema=schema,
            holder=held.file_id if held else None,
            fetched_at=self._clock(),
        )
        self._store.cache_database(entry)
        self._refreshed[database] = found
        return entry


def schema_moved(exc: NotionError) -> bool:
    """Whether Notion's refusal says the cached schema may be stale: a property it does not
    know (renamed or retyped by hand), or a data source it cannot find."""
    if exc.code == "object_not_found":
        return True
    return exc.code == "validation_error" and "propert" in exc.message.lower()


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
        sources = DataSources(
            self.gateway, self.env, self.store, self.clock, self.settings.people_ttl
        )
        object.__setattr__(self, "data_source", sources)

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
