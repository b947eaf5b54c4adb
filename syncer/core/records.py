"""What the store keeps about runs: audit rows, run rows, failing keys. [core]"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from syncer.core.adoption import SchemaChange
from syncer.core.content import PageImage
from syncer.core.ids import EnvName, LockHolder, PageId, RunId
from syncer.core.keys import AnyKey
from syncer.core.kinds import (
    ActionKind,
    ActionStatus,
    Database,
    ResultStatus,
    RunKind,
    RunStatus,
    Trigger,
)
from syncer.core.problems import Problem


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One audit row: a Notion mutation (or a skipped/failed one) made by a run."""

    run_id: RunId
    env: EnvName
    key: AnyKey  # a bad row's key stays raw
    action: ActionKind
    status: ActionStatus
    at: dt.datetime
    page_id: PageId | None = None
    database: Database | None = None
    before: PageImage | None = None
    after: PageImage | None = None
    error: str | None = None
    attempts: int = 0
    request_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of drain, reconcile, resync or rollback."""

    run_id: RunId
    env: EnvName
    kind: RunKind
    trigger: Trigger
    status: RunStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    first_change_id: int | None = None  # the change-log range the run consumed, inclusive
    last_change_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SchemaChangeRecord:
    """One schema change a run made (or tried to make) to a Notion database, as audited."""

    run_id: RunId
    env: EnvName
    change: SchemaChange
    status: Literal["applied", "failed"]
    at: dt.datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds an environment's lock, and until when (the lease ends then unless renewed)."""

    holder: LockHolder
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FailingKey:
    """A key whose last write failed; it stays dirty until a drain succeeds for it."""

    key: AnyKey
    attempts: int
    last_error: str
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run's plan has come: told after each action, for progress bars and logs."""

    run_id: RunId
    done: int
    total: int
    applied: int
    failed: int
    retries: int


@dataclass(frozen=True, slots=True)
class RunEnd:
    """What the alerts learn when a run ends with something to say (see ``core.problems``)."""

    env: EnvName
    run_id: RunId | None
    kind: RunKind
    status: ResultStatus
    new: tuple[Problem, ...] = ()
    repeated: tuple[Problem, ...] = ()
    resolved: tuple[Problem, ...] = ()
    notices: tuple[str, ...] = ()  # said once, whatever the problems (change capture restored)
