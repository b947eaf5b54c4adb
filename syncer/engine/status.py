"""``syncer status``: what each configured environment looks like, from the local file alone.

Status never calls Notion, so it answers even when Notion (or the token) is the problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from syncer.config import Settings
from syncer.core import RUN_KINDS, FailingKey, RunRecord
from syncer.engine.runs import last_reconcile
from syncer.store import Store


@dataclass(frozen=True, slots=True)
class EnvironmentStatus:
    """One environment's state: backlog, last runs, failures, people and the lock."""

    name: str
    pending_changes: int
    last_runs: dict[str, RunRecord | None]
    failing_keys: tuple[FailingKey, ...]
    unmapped_emails: tuple[str, ...]
    people_fetched_at: dt.datetime | None
    lock_holder: str | None
    lock_expires_at: dt.datetime | None
    last_successful_reconcile: dt.datetime | None
    reconcile_due: bool


def status(
    store: Store, settings: Settings, *, now: dt.datetime, today: dt.date, env: str | None = None
) -> list[EnvironmentStatus]:
    """The status of every configured environment (or only ``env``), in configuration order."""
    names = [env] if env is not None else list(settings.environments)
    schedule_emails = _schedule_emails(store, settings.history_start(today))
    return [_environment(store, settings, name, now, schedule_emails) for name in names]


def _environment(
    store: Store, settings: Settings, name: str, now: dt.datetime, emails: frozenset[str]
) -> EnvironmentStatus:
    people, fetched = store.people(name)
    # Before the first fetch nobody is known yet; that is not the same as unmapped.
    unmapped = sorted(emails - set(people)) if fetched is not None else []
    lock = store.lock_holder(name, now)
    reconciled = last_reconcile(store, name)
    return EnvironmentStatus(
        name=name,
        pending_changes=store.pending_count(name),
        last_runs={kind: store.last_run(name, kind) for kind in RUN_KINDS},
        failing_keys=tuple(store.failing_keys(name)),
        unmapped_emails=tuple(unmapped),
        people_fetched_at=fetched,
        lock_holder=lock[0] if lock else None,
        lock_expires_at=lock[1] if lock else None,
        last_successful_reconcile=reconciled,
        reconcile_due=reconciled is None or now - reconciled >= settings.reconcile_every,
    )


def _schedule_emails(store: Store, since: dt.date) -> frozenset[str]:
    """The lower-cased engineer emails of rows dated on or after ``since`` (the synced window)."""
    start = since.isoformat()
    return frozenset(
        row.engineer_email.strip().lower()
        for row in store.all_rows()
        if row.engineer_email and row.engineer_email.strip() and row.date >= start
    )
