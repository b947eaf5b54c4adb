"""One entry point's collaborators, built by the entry point from its explicit arguments.

Every public function of the engine takes its real dependencies (store, gateway, settings, the
environment, today, clock, sleep) as arguments and builds a :class:`Job` from them; the engine's
private functions pass the job along. A job is frozen: nothing replaces a collaborator mid-run.
"""

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
from syncer.core import Database, Progress, RunEnd
from syncer.core.errors import Interrupted
from syncer.core.gateway import Gateway
from syncer.core.planner import Calendar
from syncer.core.projection import week_start
from syncer.notion.retry import RetryPolicy
from syncer.store import Store

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
Jitter = Callable[[], float]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_holder() -> str:
    """Who holds the lock: host and process, so an admin can find it, plus a tag of its own
    so that two syncs started from one process (Python callers) never share a lease."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def holder_is_gone(holder: str) -> bool:
    """Whether a lock holder named by :func:`default_holder` was a process of this host that no
    longer runs (killed with SIGKILL, say). Anything else (another host, a name in another
    form, a process we may not signal) counts as alive: its lease expires with its TTL."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class StopRequest:
    """Whether (and by which signal) the run was asked to stop."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_number: int | None = None

    def set(self, signal_number: int) -> None:
        if not self._event.is_set():
            self.signal_number = signal_number
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep, but wake as soon as a stop is requested (a sleep that signals can cut short)."""
        self._event.wait(seconds)

    def check(self) -> None:
        """Raise :class:`Interrupted` once a stop was requested."""
        if self.signal_number is not None and self._event.is_set():
            raise Interrupted(self.signal_number)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run is started: by whom, whether guards are overridden, who hears of bad ends.

    Args:
        trigger: what started the run, recorded with it ("cli", "run", "demo", ...).
        force: apply even when a safety guard refuses the plan.
        holder: the lock holder's name (default: host, process and a tag of its own).
        on_run_end: called once when a run ends partial, failed or refused (the alerts).
        stop: set by a signal handler: the run finishes the call in flight and stops.
        on_progress: told after each action how far the plan has come.
    """

    trigger: str = "cli"
    force: bool = False
    holder: str = field(default_factory=default_holder)
    on_run_end: Callable[[RunEnd], None] | None = None
    stop: StopRequest = field(default_factory=StopRequest)
    on_progress: Callable[[Progress], None] | None = None


class DataSources:
    """The data source id of each database, resolved on first use (one request each)."""

    def __init__(self, gateway: Gateway, env: Environment) -> None:
        self._gateway = gateway
        self._env = env
        self._ids: dict[Database, str] = {}
        self._lock = threading.Lock()

    def __call__(self, database: Database) -> str:
        with self._lock:
            if database not in self._ids:
                database_id = database_id_of(self._env, database)
                self._ids[database] = self._gateway.data_source_id(database_id)
            return self._ids[database]


def database_id_of(env: Environment, database: Database) -> str:
    if database == "calendar":
        return env.calendar_database_id
    return env.past_calendar_database_id


@dataclass(frozen=True, slots=True)
class Job:
    """What one engine call works with; see the module docstring."""

    store: Store
    gateway: Gateway
    settings: Settings
    env: Environment
    today: dt.date
    clock: Clock
    retry: RetryPolicy
    options: RunOptions
    data_source: DataSources

    @classmethod
    def build(
        cls,
        store: Store,
        gateway: Gateway,
        settings: Settings,
        env: Environment,
        *,
        today: dt.date,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        jitter: Jitter = random.random,
        options: RunOptions | None = None,
    ) -> Job:
        retry = RetryPolicy(tuple(settings.retry_waits), sleep, jitter)
        return cls(
            store=store,
            gateway=gateway,
            settings=settings,
            env=env,
            today=today,
            clock=clock,
            retry=retry,
            options=options or RunOptions(),
            data_source=DataSources(gateway, env),
        )

    @property
    def calendar(self) -> Calendar:
        return Calendar(
            week_start(self.today),
            self.settings.history_start(self.today),
            self.settings.retain_since(self.today),
        )

    def database_id(self, database: Database) -> str:
        return database_id_of(self.env, database)
