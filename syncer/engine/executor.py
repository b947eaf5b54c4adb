"""Apply a Plan to Notion: one retried step per action, one SQLite transaction per outcome.

Keys are written in parallel (each key's actions in order), inside the pacer's budget. Every
outcome, applied, failed or skipped, becomes an audit row written in the same transaction as the
page mapping. The executor invents no step: when Notion refuses a move, or a page turns out to
be in the trash or gone, it takes the alternative the plan holds for that condition
(:mod:`syncer.core.alternatives`), records the action as skipped saying why, and each of the
alternative's steps as any planned action.

Creates and moves that failed ambiguously (a transient error, or a 409 that may come after the
write was applied) are never blindly repeated: the retry first looks for the page (by Sync Key,
or where it now lives), and honours Notion's ``committed_resource_id``.

Every move is checked: Notion does not document what a move into another data source does to
property values, so the page the move returns (or, if it comes back partial, the page read once)
is decoded, and any value that differs is rewritten at once, as an audited update of its own,
before the page counts as history. Until that rewrite is confirmed, the mapping says so
(:data:`~syncer.core.content.UNKNOWN_DIGEST`) and later runs finish the job.

Every action that writes to Notion is announced first: an audit row whose outcome is
``unknown`` (the key marked failing) is written before its first call, and the outcome replaces
it. So a write that reached Notion is in the audit log whatever happens next: the process
killed, or the schedule file locked by another process when the outcome is to be written.
When a local write fails, no further call is sent; the outcomes already known are written as
soon as the file can be written again (the run waits for it, for as long as it takes, unless
it is asked to stop), and the run then fails with a :class:`LocalWriteFailed`.

When a transient error outlives the whole retry schedule, Notion is taken to be down: the
remaining actions are recorded as not attempted and the run ends early. A 401 or 403 stops the
run at once: the token (or its capabilities, or the workspace's block limit) will refuse the
rest just the same, so they are not tried one by one, and :meth:`Executor.apply` raises one
error that says what to fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from loguru import logger

from syncer.core import (
    DATABASES,
    WRITE_KINDS,
    Action,
    AdoptPage,
    AnyKey,
    CreatePage,
    Database,
    DataSourceId,
    ForgetMapping,
    Key,
    MappingRecord,
    MovePage,
    PageContent,
    PageId,
    Plan,
    Progress,
    RestorePage,
    RunId,
    SkipKey,
    TrashPage,
    UpdatePage,
    key_order,
)
from syncer.core.actions import CONDITIONS, alternative_of
from syncer.core.commit import Attempt, Commit, Performed, commit_for, intent_for
from syncer.core.errors import (
    ConflictError,
    Interrupted,
    NotionError,
    PermanentNotionError,
    StoreError,
    TransientNotionError,
    notion_error,
    plainly,
)
from syncer.core.gateway import JSON, RawPage
from syncer.core.kinds import Condition
from syncer.core.projection import clip
from syncer.engine.claims import ensure_claimed
from syncer.engine.context import Context, schema_moved
from syncer.engine.reading import require_schema
from syncer.notion.retry import RetryDetails
from syncer.store import Intent

T = TypeVar("T")
NOT_ATTEMPTED = "not attempted: Notion was unavailable earlier in this run"
# The actions that call Notion to write, each announced before its first call.
WRITES_NOTION = (CreatePage, UpdatePage, TrashPage, RestorePage, MovePage)
# How long the run waits between two tries to write outcomes into a locked schedule file (each
# try itself waits the store's busy timeout), and how often it says it is still waiting.
RECORD_RETRY_WAIT = 1.0
RECORD_WAIT_NOTICE = 30.0


class LocalWriteFailed(StoreError):
    """The schedule file could not be written during a run: no further call was sent, and every
    outcome Notion gave was recorded once the file could be written again."""


class _Diverted(Exception):
    """Notion answered as ``when`` says (a refused move, a page in the trash or gone): the
    action gives way to the alternative its plan holds for that. ``seen`` is what the page
    holds, when known (a move that lost values)."""

    def __init__(
        self, when: Condition, cause: NotionError | None, seen: PageContent | None = None
    ) -> None:
        super().__init__(when)
        self.when, self.cause, self.seen = when, cause, seen


def _with_seen(step: Action, seen: PageContent | None) -> Action:
    """A planned step with what the page was found to hold as its before image, when known."""
    if isinstance(step, UpdatePage) and step.before is None and seen is not None:
        return dataclasses.replace(step, before=seen)
    return step


@dataclass
class Outcome:
    """What applying a plan did: counts per status and the failures, key by key."""

    applied: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[AnyKey, str]] = field(default_factory=list)
    # Notion went away mid-run: the first transient failure, in plain words (None: it did not).
    outage: str | None = None
    interrupted: bool = False  # a signal asked to stop: the actions not begun are left pending
    by_kind: dict[str, int] = field(default_factory=dict)
    late_writes: set[AnyKey] = field(default_factory=set)  # an attempt may still land late

    @property
    def notion_down(self) -> bool:
        return self.outage is not None

    @property
    def failed_keys(self) -> list[AnyKey]:
        return sorted({key for key, _ in self.failures}, key=key_order)

    @property
    def unsettled_keys(self) -> list[AnyKey]:
        """The keys the next drain must look up in Notion: failed, or a late write possible."""
        return sorted({*self.failed_keys, *self.late_writes}, key=key_order)


class Executor:
    """Performs one run's actions and records each outcome."""

    def __init__(
        self,
        ctx: Context,
        run_id: RunId,
        mapping: dict[Key, MappingRecord],
        *,
        careful: bool = False,
    ) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.mapping = dict(mapping)
        self.careful = careful  # a previous run crashed: look before every create
        self.outcome = Outcome()
        self._down = threading.Event()
        self._halted: NotionError | None = None  # a 401/403: nothing else is tried
        self._local_failure: StoreError | None = None  # the file refused a write: stop sending
        self._unrecorded: list[tuple[Commit, Intent | None]] = []  # outcomes still to write
        self._lock = threading.Lock()
        self._last_lock_refresh = ctx.clock()
        self._total = 0
        self._retries = 0

    def apply(self, plan: Plan) -> Outcome:
        """Apply every action; return the outcome.

        Raises:
            NotionError: when a data source the plan writes to cannot be resolved (before any
                write), or when Notion refused the token or a capability (401/403): the
                actions not yet tried are left for the next run.
            LocalWriteFailed: the schedule file refused a write; every outcome Notion gave
                has been recorded since, and the actions not tried are left for the next run.
            Interrupted: asked to stop while waiting to record outcomes in a locked file
                (their audit rows, written ahead, say their outcome is unknown).
        """
        if any(isinstance(action, WRITES_NOTION) for action in plan.actions):
            ensure_claimed(self.ctx, self.run_id, trashes=_trashes(plan))
            for database in DATABASES:  # the cached schema, or a fresh one, must still hold
                require_schema(self.ctx, database)
        self._resolve_data_sources(plan)
        self._total += len(plan.actions)
        groups: dict[str, list[Action]] = defaultdict(list)
        for action in plan.actions:
            groups[str(action.key)].append(action)
        workers = max(1, self.ctx.settings.budget.concurrency)
        if workers == 1 or len(groups) <= 1:
            for actions in groups.values():
                self._apply_key(actions)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="syncer") as pool:
                list(pool.map(self._apply_key, groups.values()))
        if self._local_failure is not None:
            self._record_the_rest()
            raise LocalWriteFailed(
                f"the schedule file could not be written ({self._local_failure}): syncer "
                f"stopped sending; the {self.outcome.applied + self.outcome.failed} outcomes "
                "Notion gave are recorded, and what was not sent stays pending for the next "
                "drain (another process held the file's write lock for longer than syncer "
                "waits: a long transaction, or a backup tool)"
            ) from self._local_failure
        if self._halted is not None:
            raise self._halted
        return self.outcome

    def _resolve_data_sources(self, plan: Plan) -> None:
        """Look up (under retry) every data source a create or move will need, up front."""
        needed: set[Database] = set()
        for action in plan.actions:
            if isinstance(action, CreatePage | RestorePage):
                needed.add(action.database)
            elif isinstance(action, MovePage):
                needed.update((action.source, action.target))
        for database in sorted(needed):
            self.ctx.retry.call("resolve data source", partial(self.ctx.data_source, database))

    def _apply_key(self, actions: list[Action]) -> None:
        for index, action in enumerate(actions):
            if self.ctx.options.stop.is_set():
                self.outcome.interrupted = True
                return  # not begun, not recorded: the keys stay pending for the next run
            if self._halted is not None:
                return  # not tried, not recorded: the run fails with the one error that halted it
            if self._local_failure is not None:
                return  # not tried: the file cannot record an outcome now; the key stays pending
            if self._down.is_set():
                for rest in actions[index:]:
                    self._record(rest, Attempt("failed", error=NOT_ATTEMPTED))
                return
            if not self._apply_one(action):
                if self._local_failure is not None:
                    return
                for rest in actions[index + 1 :]:
                    self._record(
                        rest, Attempt("failed", error="not attempted: an earlier step failed")
                    )
                return

    def _apply_one(self, action: Action) -> bool:
        if isinstance(action, SkipKey):
            self._record(action, Attempt("skipped", error=action.reason))
            return True
        # A write that reaches Notion must not go unrecorded, whatever happens next: it is
        # announced in the audit log (outcome unknown, key failing) before its first call.
        intent = None
        if isinstance(action, WRITES_NOTION):
            intent = self._announce(action)
            if intent is None:
                return False  # the file refused the announcement: nothing was sent
        record = partial(self._record, action, intent=intent)
        attempts = [1]

        def count(retry: RetryDetails) -> None:
            attempts[0] += 1
            if retry.may_land_late and retry.name in WRITE_KINDS:
                with self._lock:  # that attempt may still be applied, after this one
                    self.outcome.late_writes.add(action.key)

        try:
            done = self._perform(action, count)
        except Interrupted as exc:
            # Stopped between two calls of one action: what landed is unknown, as after a
            # transient failure, so the key is marked failing and verified next time.
            self.outcome.interrupted = True
            record(Attempt("failed", None, str(exc), attempts[0]))
            return False
        except NotionError as exc:
            if isinstance(exc, TransientNotionError):
                self._down.set()
                with self._lock:
                    self.outcome.outage = self.outcome.outage or plainly(exc.code, exc.message)
            if exc.status in (401, 403):
                with self._lock:
                    self._halted = self._halted or _refusal(exc, action)
            if schema_moved(exc):
                # The cached schema may be stale (renamed by hand): the next run reads it again.
                self.ctx.data_source.forget()
            record(Attempt("failed", None, _describe(exc), attempts[0], exc.request_id))
            return False
        except _Diverted as turn:
            return self._divert(action, turn, record, attempts[0])
        with self._lock:
            late = action.key in self.outcome.late_writes
        record(Attempt("applied", done, attempts=attempts[0], late_write_possible=late))
        if isinstance(action, MovePage) and not done.confirmed:
            # The move did not keep every value: the planned rewrite follows it.
            steps = alternative_of(action, "values_lost")
            assert steps is not None, "every planned move plans its rewrite"
            return self._apply_steps(steps.actions, seen=done.content)
        return True

    def _divert(
        self, action: Action, turn: _Diverted, record: Callable[[Attempt], None], attempts: int
    ) -> bool:
        """Notion answered as ``turn`` says: take the alternative the plan holds for it (the
        action itself is recorded as skipped, saying why), or fail when it holds none."""
        why = f"{CONDITIONS[turn.when]} ({_describe(turn.cause)})"
        alternative = alternative_of(action, turn.when)
        if alternative is None:
            record(Attempt("failed", None, f"{why}; the plan holds no alternative", attempts))
            return False
        record(Attempt("skipped", None, f"{why}: took the planned alternative", attempts))
        return self._apply_steps(alternative.actions, seen=turn.seen)

    def _apply_steps(self, steps: tuple[Action, ...], *, seen: PageContent | None) -> bool:
        """Apply an alternative's steps in order; after a failed one the rest are not tried."""
        with self._lock:
            self._total += len(steps)
        for index, step in enumerate(steps):
            if not self._apply_one(_with_seen(step, seen)):
                for rest in steps[index + 1 :]:
                    self._record(
                        rest, Attempt("failed", error="not attempted: an earlier step failed")
                    )
                return False
        return True

    # -- performing each kind of action --------------------------------------------------------

    def _perform(self, action: Action, count: Callable[[RetryDetails], None]) -> Performed:
        call = self._caller(count)
        if isinstance(action, AdoptPage):
            return Performed(action.page_id, action.database, action.content)
        if isinstance(action, ForgetMapping):
            return Performed(action.page_id, action.database, None)
        if isinstance(action, CreatePage):
            page = self._create(action.key, action.database, action.content, call)
            return Performed(page.page_id, action.database, action.content)
        if isinstance(action, UpdatePage):
            self._update(action.page_id, action.content, call)
            return Performed(action.page_id, action.database, action.content)
        if isinstance(action, TrashPage):
            call("trash", lambda: self.ctx.gateway.update_page(action.page_id, in_trash=True))
            return Performed(action.page_id, action.database, None)
        if isinstance(action, RestorePage):
            page_id, content = self._restore(action, call)
            return Performed(page_id, action.database, content)
        if isinstance(action, MovePage):
            return self._checked_move(action, call)
        raise AssertionError(f"unknown action {action!r}")

    def _caller(self, count: Callable[[RetryDetails], None]) -> Callable[[str, Callable[[], T]], T]:
        def call(name: str, fn: Callable[[], T]) -> T:
            return self.ctx.retry.call(name, fn, on_retry=count)

        return call

    def _encode(self, content: PageContent) -> JSON:
        return self.ctx.codec.encode(content)

    def _create(
        self, key: Key, database: Database, content: PageContent, call: Callable[..., RawPage]
    ) -> RawPage:
        source = self.ctx.data_source(database)
        gateway = self.ctx.gateway
        props = self._encode(content)
        careful = [self.careful]
        committed: list[PageId] = []  # the page Notion says it created despite the error

        def attempt() -> RawPage:
            if committed:
                return self._complete(gateway.retrieve_page(committed[0]), content, props)
            if careful[0]:
                found = self._find(source, key)
                if found is not None:
                    return self._complete(found, content, props)
            try:
                return gateway.create_page(source, props)
            except (TransientNotionError, ConflictError) as exc:
                # The page may exist now, whatever the answer said: a 409, and even a 429 or
                # 529 from a proxy, may come after the write was applied. Look before retrying.
                careful[0] = True
                if not exc.committed_resource_id:
                    raise
                committed.append(exc.committed_resource_id)
                return self._complete(gateway.retrieve_page(committed[0]), content, props)

        return call("create", attempt)

    def _update(self, page_id: PageId, content: PageContent, call: Callable[..., RawPage]) -> None:
        gateway = self.ctx.gateway
        props = self._encode(content)
        try:
            call("update", lambda: gateway.update_page(page_id, properties=props))
        except PermanentNotionError as exc:
            if exc.code != "validation_error":
                raise
            if not call("retrieve", lambda: gateway.retrieve_page(page_id)).in_trash:
                raise
            # Trashed by hand since the last push (Notion refuses to edit a trashed page).
            raise _Diverted("page_trashed", exc) from exc

    def _complete(self, found: RawPage, content: PageContent, props: JSON) -> RawPage:
        """An earlier, interrupted create left this page: give it the content it must have."""
        seen = self.ctx.codec.decode(found.properties)
        if seen is not None and seen.digest == content.digest:
            return found
        return self.ctx.gateway.update_page(found.page_id, properties=props)

    def _find(self, source: DataSourceId, key: Key) -> RawPage | None:
        """The page carrying this Sync Key, if one exists (after an ambiguous create)."""
        name = self.ctx.settings.properties.sync_key
        query = {"property": name, "rich_text": {"equals": key.sync_key}}
        pages = self.ctx.gateway.query_pages(source, filter=query)
        return min(pages, key=lambda p: (p.created_time, p.page_id)) if pages else None

    def _restore(
        self, action: RestorePage, call: Callable[..., RawPage]
    ) -> tuple[PageId, PageContent]:
        gateway = self.ctx.gateway
        try:
            page = call("restore", lambda: gateway.update_page(action.page_id, in_trash=False))
        except PermanentNotionError as exc:
            if exc.code != "object_not_found":
                raise
            raise _Diverted("page_gone", exc) from exc  # deleted for good, or unshared
        if action.database == "past":
            # History is immutable: the page comes back as syncer last wrote it, and a local
            # edit made after its week ended does not reach it through the restore.
            kept = self.ctx.codec.decode(page.properties)
            if kept is not None:
                return action.page_id, kept
        self._update(action.page_id, action.content, call)
        return action.page_id, action.content

    def _checked_move(self, action: MovePage, call: Callable[..., RawPage]) -> Performed:
        """Move the page, then compare what it holds with what it must hold."""
        page = self._move(action, call)
        if not page.properties:
            # Notion may answer a move with a partial page (object and id only): read it once.
            page = call("retrieve", lambda: self.ctx.gateway.retrieve_page(page.page_id))
        codec = self.ctx.codec
        lost = codec.differences(action.content, codec.read_values(page.properties))
        if lost:
            logger.warning(
                "move.values_lost: {} moved to {} without {}; writing them again",
                action.key,
                action.target,
                ", ".join(lost),
            )
        return Performed(
            page.page_id, action.target, codec.decode(page.properties), confirmed=not lost
        )

    def _move(self, action: MovePage, call: Callable[..., RawPage]) -> RawPage:
        target = self.ctx.data_source(action.target)
        gateway = self.ctx.gateway
        careful = [False]

        def attempt() -> RawPage:
            if careful[0]:
                page = gateway.retrieve_page(action.page_id)
                if page.data_source_id == target:
                    return page  # the earlier, ambiguous attempt did land
            try:
                return gateway.move_page(action.page_id, target)
            except (TransientNotionError, ConflictError) as exc:
                careful[0] = careful[0] or exc.status not in (429, 529)
                raise

        try:
            return call("move", attempt)
        except PermanentNotionError as exc:
            if exc.code in ("object_not_found", "unauthorized", "restricted_resource"):
                raise
            page = call("retrieve", lambda: gateway.retrieve_page(action.page_id))
            if page.data_source_id == target:
                return page  # moved by an earlier run whose outcome was lost
            if page.in_trash:
                raise _Diverted("page_trashed", exc) from exc  # trashed while its week ran
            logger.warning("move.refused: {} ({})", action.key, exc)
            raise _Diverted("move_refused", exc) from exc  # an older API, an odd page

    # -- recording --------------------------------------------------------------------------

    def _announce(self, action: Action) -> Intent | None:
        """The audit row written ahead of the action's first call (None: the file refused it,
        and nothing may be sent)."""
        with self._lock:
            if self._local_failure is not None:
                return None
            at = self.ctx.clock()
            record = intent_for(action, run_id=self.run_id, env=self.ctx.name, at=at)
            try:
                return self.ctx.store.begin_action(record)
            except StoreError as exc:
                self._stop_sending(exc)
                return None

    def _record(self, action: Action, attempt: Attempt, *, intent: Intent | None = None) -> None:
        """Write the outcome (audit row, mapping, failing key) in one transaction; kept for
        later when the file refuses it (see :meth:`_record_the_rest`)."""
        with self._lock:
            commit = commit_for(
                action,
                attempt,
                run_id=self.run_id,
                env=self.ctx.name,
                at=self.ctx.clock(),
                mapping=self.mapping,
            )
            self._count(action, attempt)
            if self._local_failure is None:
                try:
                    self.ctx.store.commit(commit, intent)
                    self._refresh_lock(commit.record.at)
                except StoreError as exc:
                    self._stop_sending(exc)
                    self._unrecorded.append((commit, intent))
            else:
                self._unrecorded.append((commit, intent))
            self._tell_progress(attempt)
            if commit.upsert is not None:
                self.mapping[commit.upsert.key] = commit.upsert
            elif commit.forget is not None:
                self.mapping.pop(commit.forget, None)

    def _stop_sending(self, exc: StoreError) -> None:
        if self._local_failure is None:
            self._local_failure = exc
            logger.error("run.local_write_failed: {}; no further Notion call is sent", exc)

    def _record_the_rest(self) -> None:
        """Write the outcomes the file refused, waiting for as long as it stays locked: a
        write Notion applied must reach the audit log (and the mapping) before the run ends.
        A stop request ends the wait; the rows written ahead then say the outcome is unknown,
        and the next drain looks those keys up."""
        waited = 0.0
        while self._unrecorded:
            commit, intent = self._unrecorded[0]
            try:
                self.ctx.store.commit(commit, intent)
            except StoreError as exc:
                if waited % RECORD_WAIT_NOTICE == 0:
                    logger.warning(
                        "run.waiting_for_file: {} outcome(s) Notion gave wait to be recorded "
                        "({}; waited {:.0f} s)",
                        len(self._unrecorded),
                        exc,
                        waited,
                    )
                self.ctx.options.stop.check()
                self.ctx.sleep(RECORD_RETRY_WAIT)
                waited += RECORD_RETRY_WAIT
                continue
            self._unrecorded.pop(0)

    def _count(self, action: Action, attempt: Attempt) -> None:
        outcome, status, error = self.outcome, attempt.status, attempt.error
        if status == "applied":
            outcome.applied += 1
            outcome.by_kind[action.kind] = outcome.by_kind.get(action.kind, 0) + 1
        elif status == "skipped":
            outcome.skipped += 1
        else:
            outcome.failed += 1
            outcome.failures.append((action.key, error or "failed"))
            logger.error(
                "action.failed: {} {}: {}", action.kind, action.key, clip(error or "", 120)
            )

    def _tell_progress(self, attempt: Attempt) -> None:
        report = self.ctx.options.on_progress
        if report is None:
            return
        self._retries += max(0, attempt.attempts - 1)
        outcome = self.outcome
        done = outcome.applied + outcome.failed + outcome.skipped
        applied, failed = outcome.applied, outcome.failed
        try:
            report(Progress(self.run_id, done, self._total, applied, failed, self._retries))
        except Exception as exc:  # a display must never break a sync
            logger.debug("progress.report_failed: {}", exc)

    def _refresh_lock(self, now: dt.datetime) -> None:
        # Keep the lease alive through a long run, without a write per action.
        ttl = self.ctx.settings.lock_ttl
        if now - self._last_lock_refresh > ttl / 4:
            self.ctx.store.refresh_lock(self.ctx.name, self.ctx.options.holder, now, ttl)
            self._last_lock_refresh = now


def _trashes(plan: Plan) -> bool:
    return any(isinstance(action, TrashPage) for action in plan.actions)


def _describe(exc: NotionError | None) -> str:
    if exc is None:
        return "as read back"
    status = f" (HTTP {exc.status})" if exc.status else ""
    return f"{exc.code}{status}: {exc.message}"


BLOCK_LIMIT = (
    "either the workspace is over its block limit (a free plan with more than one member holds "
    "1,000 blocks; past_retention trashes old PAST CALENDAR pages) or the token lacks the "
    "Insert content capability"
)


def _refusal(exc: NotionError, action: Action) -> NotionError:
    """The one error a run stops with after a 401 or 403, saying what to fix."""
    if exc.status == 401:
        why = "the token is wrong, revoked or expired"
    elif isinstance(action, CreatePage):
        why = BLOCK_LIMIT
    else:
        why = "the token lacks the Update content capability, or edit access to the database"
    return notion_error(
        f"Notion refused to {action.kind} a page (HTTP {exc.status} {exc.code}: {exc.message}); "
        f"{why}. `syncer notion check --write-test` tells which. Nothing else was tried",
        code=exc.code,
        status=exc.status,
        request_id=exc.request_id,
    )
