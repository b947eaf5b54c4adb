"""A quick look at the schedule file, with the standard library alone: is a drain idle?

The common drain, after every generation and every cron tick, has nothing to do. Importing
SQLAlchemy, Alembic and the engine costs that drain more than everything else it does, so the
command line first asks :func:`nothing_to_do`, which reads a handful of rows with ``sqlite3``.
It answers True only when every one of these holds; anything else, or any error while
reading, sends the drain down its normal path, which then says what is wrong or does the work:

- the file is at syncer's revision and its change-capture triggers are all there;
- the change log holds nothing after the environment's cursor (and does not end before it);
- no key is failing (nor waiting out a write that got no answer), no run is still marked
  running, nobody holds the environment's lock, and no problem is open (bad rows, a failed
  run: the normal path reports them);
- no mapped page is overdue (:meth:`syncer.core.planner.Calendar.overdue`);
- a reconcile is not due: the last completed one finished less than ``reconcile_every`` ago,
  and no run since found change capture off and restored it (for any environment: the changes
  made meanwhile were captured for none of them).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from syncer.core import EnvName
from syncer.core.commit import UNKNOWN_DIGEST
from syncer.core.planner import Calendar
from syncer.store.revision import CAPTURE_TRIGGERS, HEAD
from syncer.store.times import from_text

# Each must count 0 for the drain to be idle.
_NOTHING_WAITING = (
    "SELECT COUNT(*) FROM sync_failing_keys WHERE env = :env",
    "SELECT COUNT(*) FROM sync_runs WHERE env = :env AND status = 'running'",
    "SELECT COUNT(*) FROM sync_locks WHERE env = :env",
    "SELECT COUNT(*) FROM sync_problems WHERE env = :env",
)
# The newest completed-looking reconcile or resync of each kind and status (see last_reconcile).
_LAST_RECONCILES = """
    SELECT id, status, finished_at, counts FROM sync_runs WHERE id IN (
        SELECT MAX(id) FROM sync_runs
        WHERE env = :env AND kind IN ('reconcile', 'resync') AND status IN ('succeeded', 'partial')
        GROUP BY kind, status)
"""

_RESTORE_SINCE = "SELECT 1 FROM sync_runs WHERE trigger = 'restore' AND id > :after LIMIT 1"


def nothing_to_do(
    path: Path, env: EnvName, calendar: Calendar, now: dt.datetime, reconcile_every: dt.timedelta
) -> bool:
    """Whether a drain of ``env`` would find nothing to do now (False whenever unsure)."""
    if not path.is_file():
        return False
    try:
        # mode=rw: never creates a file; no write is made (a plain read transaction).
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as db:
            db.execute("BEGIN")
            return _idle(db, {"env": env}, calendar, now, reconcile_every)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return False  # unreadable or unexpected: the normal path says what is wrong


def _idle(
    db: sqlite3.Connection,
    params: dict[str, str],
    calendar: Calendar,
    now: dt.datetime,
    reconcile_every: dt.timedelta,
) -> bool:
    return (
        _capture_on(db)
        and _log_consumed(db, params)
        and not any(db.execute(query, params).fetchone()[0] for query in _NOTHING_WAITING)
        and not _any_overdue(db, params, calendar)
        and _reconciled(db, params, now, reconcile_every)
    )


def _capture_on(db: sqlite3.Connection) -> bool:
    """At syncer's revision, with every change-capture trigger in place."""
    revision = db.execute("SELECT version_num FROM alembic_version").fetchall()
    triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return revision == [(HEAD,)] and {name for (name,) in triggers} >= CAPTURE_TRIGGERS


def _log_consumed(db: sqlite3.Connection, params: dict[str, str]) -> bool:
    """The change log ends exactly at the environment's cursor."""
    found = db.execute("SELECT change_id FROM sync_cursors WHERE env = :env", params).fetchone()
    (last,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM sync_changes").fetchone()
    return bool(last == (found[0] if found else 0))


def _any_overdue(db: sqlite3.Connection, params: dict[str, str], calendar: Calendar) -> bool:
    pages = db.execute(
        "SELECT database, date, content_digest FROM sync_pages WHERE env = :env", params
    )
    return any(
        calendar.overdue(database, dt.date.fromisoformat(date), confirmed=digest != UNKNOWN_DIGEST)
        for database, date, digest in pages
    )


def _reconciled(
    db: sqlite3.Connection, params: dict[str, str], now: dt.datetime, every: dt.timedelta
) -> bool:
    """A reconcile is not due (see :func:`syncer.engine.sync.reconcile_is_due`)."""
    completed = [
        (run_id, from_text(finished_at))
        for run_id, status, finished_at, counts in db.execute(_LAST_RECONCILES, params)
        if finished_at is not None
        and (status == "succeeded" or not json.loads(counts).get("failed"))
    ]
    if not completed:
        return False
    last_id, finished = max(completed)
    restored = db.execute(_RESTORE_SINCE, {"after": last_id}).fetchone()
    return now - finished < every and restored is None
