"""The Store: every read and write the engine makes on the local SQLite file, one method each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from syncer.core import (
    ActionRecord,
    AnyKey,
    Change,
    FailingKey,
    Key,
    Lease,
    LockHolder,
    MappingRecord,
    PageImage,
    Person,
    RawKey,
    RunId,
    RunKind,
    RunRecord,
    RunStatus,
    SourceRow,
    Trigger,
)
from syncer.core.claims import CachedDatabase
from syncer.core.commit import Commit
from syncer.core.errors import DatabaseNotReady, StoreError
from syncer.core.ids import EnvName
from syncer.core.problems import OpenProblem
from syncer.core.records import SchemaChangeRecord
from syncer.store import audit, failing, integrity, lock, mapping, problems, revert, rows, runs
from syncer.store import changes as _changes
from syncer.store import metadata as _metadata
from syncer.store import people as people_cache
from syncer.store import schema_changes as _schema_changes
from syncer.store.connection import BUSY_TIMEOUT_MS, make_engine, reading, writing
from syncer.store.migrate import UPGRADE_HINT, missing_triggers, require_head, restore_capture


@dataclass(frozen=True, slots=True)
class Intent:
    """An audit row written ahead of its call, and whether it marked the key failing."""

    action_id: int
    marked_failing: bool


class Store:
    """The local database: change log, schedule rows, mapping, runs, audit, people, lock.

    Reads run in one snapshot without taking the write lock; writes run in BEGIN IMMEDIATE
    transactions, one per method, so each method is atomic. Times are timezone-aware datetimes
    supplied by the caller; the store never reads the clock (the triggers' ``at`` aside).
    """

    def __init__(self, engine: sa.Engine, path: Path | str) -> None:
        self._engine = engine
        self.path = path

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        require_capture: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> Store:
        """Open a migrated database file. Raises StoreError when it is missing or not migrated.

        ``require_capture=False`` opens a file whose change-capture triggers are gone (so
        ``status`` can say so instead of refusing); every sync requires them.
        ``busy_timeout_ms`` is how long a statement waits for another process's write lock.
        """
        if not Path(path).is_file():
            raise DatabaseNotReady(
                f"no database at {path}", hint=f"{UPGRADE_HINT} to create it, or check --db"
            )
        engine = make_engine(path, busy_timeout_ms=busy_timeout_ms)
        try:
            with reading(engine) as conn:
                require_head(conn, path, require_capture=require_capture)
        except StoreError as exc:
            engine.dispose()
            if "file is not a database" in str(exc):
                raise DatabaseNotReady(
                    f"{path} is not a SQLite database", hint="check --db or SYNCER_DB"
                ) from exc
            raise
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, path)

    def missing_triggers(self) -> list[str]:
        """The change-capture triggers absent from the file (a rebuilt table drops them)."""
        with reading(self._engine) as conn:
            return missing_triggers(conn)

    def require_capture(self) -> None:
        """Raise DatabaseNotReady when change capture is off (as :meth:`open` does by default)."""
        with reading(self._engine) as conn:
            require_head(conn, self.path)

    def restore_capture(self, *, check_only: bool = False) -> list[str]:
        """Re-create the change-capture triggers a table rebuild dropped; the names re-created
        (empty: none was missing). Raises DatabaseNotReady when a schedule table is missing or
        lacks a column the triggers copy. ``check_only``: raise or not, create nothing."""
        if check_only:
            with reading(self._engine) as conn:
                return restore_capture(conn, self.path, check_only=True)
        with writing(self._engine) as conn:
            return restore_capture(conn, self.path)

    def last_capture_restore(self, *, after: RunId | None = None) -> RunRecord | None:
        """The newest run started because change capture had been off (any environment: the
        triggers are the file's), if any; with ``after``, only a run newer than that one (a
        short read of the newest runs, cheap enough for the service's every look)."""
        where = audit.RunFilter(trigger="restore", limit=1, after=after)
        with reading(self._engine) as conn:
            found = audit.runs(conn, where)
        return found[0] if found else None

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- change capture -------------------------------------------------------------------

    def changes(self, *, since: int = 0, limit: int | None = None) -> list[Change]:
        """Captured changes with ids above ``since``, oldest first."""
        with reading(self._engine) as conn:
            return _changes.read_changes(conn, since=since, limit=limit)

    def iter_changes(self, *, since: int = 0, limit: int | None = None) -> Iterator[Change]:
        """The same as :meth:`changes`, streamed from one read snapshot (for long logs)."""
        with reading(self._engine) as conn:
            yield from _changes.iter_changes(conn, since=since, limit=limit)

    def last_change_id(self) -> int:
        with reading(self._engine) as conn:
            return _changes.last_change_id(conn)

    def cursor(self, env: EnvName) -> int:
        with reading(self._engine) as conn:
            return _changes.cursor(conn, env)

    def pending(self, env: EnvName) -> tuple[int, frozenset[RawKey]]:
        """(newest change id, keys changed after the env's cursor), read in one snapshot.

        Pass the id to :meth:`advance_cursor` once those keys are applied; changes logged
        meanwhile have larger ids and stay pending.
        """
        with reading(self._engine) as conn:
            return _changes.pending(conn, env)

    def pending_count(self, env: EnvName) -> int:
        with reading(self._engine) as conn:
            return _changes.pending_count(conn, env)

    def advance_cursor(self, env: EnvName, change_id: int) -> None:
        with writing(self._engine) as conn:
            _changes.advance_cursor(conn, env, change_id)

    # ---- schedule ---------------------------------------------------------------------------

    def check_integrity(self) -> None:
        """Raise DatabaseCorrupt when the schedule tables are damaged (``PRAGMA quick_check``).

        Every run that plans calls it first: a damaged page can read as rows that vanished.
        """
        with reading(self._engine) as conn:
            integrity.check_schedule(conn)

    def rows_on(self, keys: Iterable[AnyKey]) -> list[SourceRow]:
        """Every row dated as one of ``keys`` is (whatever its rotation's spelling): the caller
        decides which keys they belong to."""
        dates = {key.date.isoformat() if isinstance(key, Key) else key.date for key in keys}
        with reading(self._engine) as conn:
            return rows.rows_on(conn, dates)

    def all_rows(self) -> list[SourceRow]:
        with reading(self._engine) as conn:
            return rows.all_rows(conn)

    # ---- mapping ----------------------------------------------------------------------------

    def mappings(self, env: EnvName, keys: Iterable[Key] | None = None) -> dict[Key, MappingRecord]:
        with reading(self._engine) as conn:
            return mapping.mappings(conn, env, keys)

    def replace_mappings(
        self, env: EnvName, records: Iterable[MappingRecord], now: dt.datetime
    ) -> None:
        with writing(self._engine) as conn:
            mapping.replace_mappings(conn, env, records, now)

    # ---- runs and the audit log ---------------------------------------------------------------

    def start_run(self, env: EnvName, kind: RunKind, trigger: Trigger, now: dt.datetime) -> RunId:
        with writing(self._engine) as conn:
            return runs.start_run(conn, env, kind, trigger, now)

    def finish_run(
        self,
        run_id: RunId,
        *,
        status: RunStatus,
        now: dt.datetime,
        counts: dict[str, int],
        error: str | None = None,
        first_change_id: int | None = None,
        last_change_id: int | None = None,
    ) -> None:
        values = {
            "status": status,
            "finished_at": now,
            "counts": counts,
            "error": error,
            "first_change_id": first_change_id,
            "last_change_id": last_change_id,
        }
        with writing(self._engine) as conn:
            runs.finish_run(conn, run_id, values)

    def interrupt_abandoned_runs(self, env: EnvName, now: dt.datetime) -> list[RunId]:
        """Mark the env's runs still 'running' as interrupted (the caller holds the lock)."""
        with writing(self._engine) as conn:
            return runs.interrupt_running(conn, env, now)

    def run(self, run_id: RunId) -> RunRecord | None:
        with reading(self._engine) as conn:
            return runs.run(conn, run_id)

    def last_run(
        self, env: EnvName, kind: RunKind, *, status: RunStatus | None = None
    ) -> RunRecord | None:
        with reading(self._engine) as conn:
            return runs.last_run(conn, env, kind, status)

    def begin_action(self, record: ActionRecord) -> Intent:
        """Write an audit row ahead of a call whose outcome must survive the process: the row
        (outcome ``unknown``) and its key marked failing, atomically. :meth:`commit` with the
        returned intent replaces both with the outcome."""
        with writing(self._engine) as conn:
            action_id = runs.insert_action(conn, record)
            error = record.error or ""
            marked = failing.mark_in_doubt(conn, record.env, record.key, error, record.at)
        return Intent(action_id, marked)

    def commit(self, commit: Commit, intent: Intent | None = None) -> int:
        """Record one action's outcome: audit row, mapping change, failing key, atomically
        (the audit row written by :meth:`begin_action`, if ``intent`` names one)."""
        record = commit.record
        with writing(self._engine) as conn:
            if intent is None:
                action_id = runs.insert_action(conn, record)
            else:
                action_id = intent.action_id
                runs.replace_action(conn, action_id, record)
                if intent.marked_failing:
                    failing.clear_failing(conn, record.env, [record.key])
            if commit.forget is not None:
                mapping.forget_mapping(conn, record.env, commit.forget)
            if commit.upsert is not None:
                mapping.upsert_mapping(conn, record.env, commit.upsert, record.at)
            if commit.mark_failing:
                failing.mark_failing(conn, record.env, record.key, record.error or "", record.at)
            return action_id

    def record_schema_change(self, item: SchemaChangeRecord) -> None:
        """Audit one schema change a run made to a Notion database."""
        with writing(self._engine) as conn:
            _schema_changes.record(conn, item)

    def schema_changes(self, run_id: RunId) -> list[SchemaChangeRecord]:
        """A run's schema changes, in the order they were made."""
        with reading(self._engine) as conn:
            return _schema_changes.of_run(conn, run_id)

    # ---- audit queries, rollback and prune (syncer.store.audit, syncer.store.revert) ------

    def find_runs(self, where: audit.RunFilter) -> list[RunRecord]:
        """Runs matching ``where``, newest first."""
        with reading(self._engine) as conn:
            return audit.runs(conn, where)

    def runs_after(self, env: EnvName, run_id: RunId) -> list[RunRecord]:
        """The environment's runs started after ``run_id``, newest first."""
        with reading(self._engine) as conn:
            return audit.runs_after(conn, env, run_id)

    def find_actions(self, where: audit.ActionFilter) -> list[audit.AuditEntry]:
        """Audit rows matching ``where``, newest first, with their ids."""
        with reading(self._engine) as conn:
            return audit.actions(conn, where)

    def previous_image(self, env: EnvName, key: Key, before_id: int) -> PageImage | None:
        """What syncer last wrote to the key's page before audit row ``before_id``."""
        with reading(self._engine) as conn:
            return audit.previous_image(conn, env, key, before_id)

    def touched_keys(self, run_id: RunId) -> frozenset[AnyKey]:
        """The keys of a run's applied actions."""
        with reading(self._engine) as conn:
            return audit.touched_keys(conn, run_id)

    def plan_undo(self, first_change_id: int, last_change_id: int) -> revert.LocalUndo:
        """What undoing a change range touches; RollbackRefused when the range was pruned."""
        with reading(self._engine) as conn:
            return revert.plan_undo(conn, first_change_id, last_change_id)

    def check_undoable(self, first_change_id: int, last_change_id: int) -> None:
        """RollbackRefused unless every row the range touched is as the range left it."""
        with reading(self._engine) as conn:
            revert.check_rows(conn, first_change_id, last_change_id)

    def keys_changed_after(self, change_id: int) -> frozenset[RawKey]:
        with reading(self._engine) as conn:
            return revert.keys_changed_after(conn, change_id)

    def undo_changes(self, first_change_id: int, last_change_id: int) -> tuple[int, int] | None:
        """Revert a change range in one transaction; the compensating changes' ids, if any."""
        with writing(self._engine) as conn:
            return revert.undo(conn, first_change_id, last_change_id)

    def prune(self, *, older_than: dt.datetime) -> audit.PruneReport:
        """Drop old runs, audit rows and consumed changes that no rollback still needs."""
        with writing(self._engine) as conn:
            return audit.prune(conn, older_than=older_than)

    # ---- failing keys -------------------------------------------------------------------------

    def clear_failing(self, env: EnvName, keys: Iterable[AnyKey]) -> None:
        with writing(self._engine) as conn:
            failing.clear_failing(conn, env, keys)

    def failing_keys(self, env: EnvName) -> list[FailingKey]:
        with reading(self._engine) as conn:
            return failing.failing_keys(conn, env)

    # ---- people cache -------------------------------------------------------------------------

    def people(self, env: EnvName) -> tuple[dict[str, Person], dt.datetime | None]:
        with reading(self._engine) as conn:
            return people_cache.people(conn, env)

    def unmatched_emails(self, env: EnvName) -> frozenset[str]:
        """The emails that matched no Notion person at the last ``users.list``."""
        with reading(self._engine) as conn:
            return people_cache.unmatched_emails(conn, env)

    def replace_people(
        self,
        env: EnvName,
        people: Iterable[Person],
        now: dt.datetime,
        *,
        unmatched: Iterable[str] = (),
    ) -> None:
        with writing(self._engine) as conn:
            people_cache.replace_people(conn, env, people, now, unmatched)

    # ---- this file's id, and the cache of Notion's database metadata ------------------------

    def file_id(self, now: dt.datetime) -> str:
        """The id this schedule file claims Notion databases with (made on first use)."""
        with writing(self._engine) as conn:
            return _metadata.file_id(conn, now)

    def cached_database(self, database_id: str) -> CachedDatabase | None:
        with reading(self._engine) as conn:
            return _metadata.cached(conn, database_id)

    def cache_database(self, entry: CachedDatabase) -> None:
        with writing(self._engine) as conn:
            _metadata.save(conn, entry)

    def forget_database(self, database_id: str) -> None:
        """Drop a database's cached metadata: the next use reads it from Notion again."""
        with writing(self._engine) as conn:
            _metadata.forget(conn, database_id)

    # ---- problems announced to the administrators ---------------------------------------

    def open_problems(self, env: EnvName) -> list[OpenProblem]:
        with reading(self._engine) as conn:
            return problems.open_problems(conn, env)

    def replace_problems(self, env: EnvName, items: Iterable[OpenProblem]) -> None:
        with writing(self._engine) as conn:
            problems.replace_problems(conn, env, items)

    # ---- lock -------------------------------------------------------------------------------

    def acquire_lock(
        self, env: EnvName, holder: LockHolder, now: dt.datetime, ttl: dt.timedelta
    ) -> None:
        """Take the env's lease. Raises LockHeld naming the holder when another holds it."""
        with writing(self._engine) as conn:
            lock.acquire(conn, env, holder, now, ttl)

    def refresh_lock(
        self, env: EnvName, holder: LockHolder, now: dt.datetime, ttl: dt.timedelta
    ) -> None:
        """Extend our lease. Raises LockHeld if another holder took it after it expired."""
        with writing(self._engine) as conn:
            lock.acquire(conn, env, holder, now, ttl)

    def release_lock(self, env: EnvName, holder: LockHolder) -> None:
        with writing(self._engine) as conn:
            lock.release(conn, env, holder)

    def lease(self, env: EnvName, now: dt.datetime) -> Lease | None:
        """Who holds the env's lock and until when (None: free, or the lease expired)."""
        with reading(self._engine) as conn:
            return lock.lease(conn, env, now)
