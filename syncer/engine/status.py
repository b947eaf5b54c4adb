"""``syncer status``: what each configured environment looks like, from the local file alone.

Status never calls Notion, so it answers even when Notion (or the token) is the problem, and it
opens a file whose change capture is off to say so rather than refusing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from syncer.config import Settings
from syncer.core import RUN_KINDS, BadRow, EnvName, FailingKey, Lease, RunKind, RunRecord
from syncer.core.projection import project
from syncer.engine.lock import holder_is_gone
from syncer.engine.runs import last_reconcile
from syncer.engine.sync import reconcile_is_due
from syncer.store import Store


@dataclass(frozen=True, slots=True)
class EnvironmentStatus:
    """One environment's state: backlog, last runs, failures, people and the lock."""

    name: EnvName
    pending_changes: int
    last_runs: dict[RunKind, RunRecord | None]
    failing_keys: tuple[FailingKey, ...]
    unmapped_emails: tuple[str, ...]
    people_fetched_at: dt.datetime | None
    lease: Lease | None
    # The lease's holder was a process of this host that no longer runs (a drain killed with
    # SIGKILL): the next run takes the lock at once, whatever the lease says.
    holder_gone: bool
    last_successful_reconcile: dt.datetime | None
    reconcile_due: bool


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """What the schedule file itself says, whatever the environment."""

    bad_rows: tuple[BadRow, ...]
    missing_triggers: tuple[str, ...]  # empty: every change is captured
    # The last run that found change capture off, restored it and reconciled (None: never).
    capture_restored: RunRecord | None = None


def status(
    store: Store,
    settings: Settings,
    *,
    now: dt.datetime,
    today: dt.date,
    env: EnvName | None = None,
) -> tuple[ScheduleStatus, list[EnvironmentStatus]]:
    """The schedule file's state and every configured environment's (or only ``env``'s).

    Raises:
        DatabaseCorrupt: the schedule file is damaged.
    """
    store.check_integrity()  # a damaged file must not look like a healthy one with 0 bad rows
    names = [env] if env is not None else [e.name for e in settings.environments.values()]
    since = settings.history_start(today).isoformat()
    rows = [row for row in store.all_rows() if row.key.date >= since]
    projection = project(rows, rotations=settings.rotations, tz=settings.tz)
    emails = frozenset(
        email
        for shift in projection.shifts.values()
        for email in (shift.orig_email, shift.override_email)
        if email
    )
    schedule = ScheduleStatus(
        projection.bad_rows, tuple(store.missing_triggers()), store.last_capture_restore()
    )
    return schedule, [_environment(store, settings, name, now, emails) for name in names]


def _environment(
    store: Store, settings: Settings, name: EnvName, now: dt.datetime, emails: frozenset[str]
) -> EnvironmentStatus:
    people, fetched = store.people(name)
    # Before the first fetch nobody is known yet; that is not the same as unmapped.
    unmapped = sorted(emails - set(people)) if fetched is not None else []
    reconciled = last_reconcile(store, name)
    lease = store.lease(name, now)
    return EnvironmentStatus(
        name=name,
        pending_changes=store.pending_count(name),
        last_runs={kind: store.last_run(name, kind) for kind in RUN_KINDS},
        failing_keys=tuple(store.failing_keys(name)),
        unmapped_emails=tuple(unmapped),
        people_fetched_at=fetched,
        lease=lease,
        holder_gone=lease is not None and holder_is_gone(lease.holder),
        last_successful_reconcile=reconciled,
        reconcile_due=reconcile_is_due(store, settings, name, now),
    )
