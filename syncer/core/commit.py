"""The commit rule: the outcome of one action -> what the store records, in one transaction. [core]

The executor performs an action against Notion; what it then writes locally is decided here,
purely: the audit row, how the page mapping changes, and whether the key joins the failing
keys. Keeping the rule out of the executor lets it be read (and tested) on its own:

- applied: the audit row carries the page's before and after images; a create, update,
  restore, move or adopt points the mapping at the page with the new content's digest (or
  :data:`UNKNOWN_DIGEST` when what the page holds is not what syncer meant: a move whose values
  did not survive, a page adopted without its Sync Key); a trash of the mapped page, or a
  forget, drops the mapping;
- failed: the write may or may not have landed, so a mapped key's digest becomes
  :data:`UNKNOWN_DIGEST` (the next drain rewrites the page) and the key is marked failing;
- skipped: only the audit row.

A write applied after an attempt that got no answer from Notion (a time-out, say) may be
followed by that attempt, landing late: a second page for a create, an older value or state
over a newer one for the rest. The key is marked failing as well, so that a drain looks it up
in Notion once that attempt can no longer land, and repairs what it finds.

An action that creates a page (a create, planned or taken as a planned alternative) is
announced before its first call by :func:`intent_for`: an audit row whose outcome is
``unknown``, with the key marked failing, so that a run killed while Notion creates the page
leaves a row that says so, and the next drain looks the key up. The outcome replaces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from syncer.core.actions import (
    Action,
    ForgetMapping,
    MovePage,
    RestorePage,
    SkipKey,
    TrashPage,
    UpdatePage,
)
from syncer.core.content import UNKNOWN_DIGEST, MappingRecord, PageContent, PageImage
from syncer.core.ids import EnvName, PageId, RunId
from syncer.core.keys import AnyKey, Key
from syncer.core.kinds import ActionStatus, Database
from syncer.core.records import ActionRecord

__all__ = [
    "IN_DOUBT",
    "LATE_WRITE",
    "UNKNOWN_DIGEST",
    "Attempt",
    "Commit",
    "Performed",
    "commit_for",
    "intent_for",
]


@dataclass(frozen=True, slots=True)
class Performed:
    """What a performed action left in Notion: the page, where it lives, what it now holds.

    ``confirmed`` is False when the page is known *not* to hold what the action meant (a move
    that lost values): ``content`` is then what it does hold, if it could be read.
    """

    page_id: PageId
    database: Database
    content: PageContent | None  # None: trashed, forgotten, or not readable as syncer's page
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one action went: its status, and for a failure the error, attempts and request id."""

    status: ActionStatus
    performed: Performed | None = None
    error: str | None = None
    attempts: int = 0
    request_id: str | None = None
    # Applied, but an earlier attempt got no answer from Notion, which may still apply it
    # later: the key stays failing and is looked up (see LATE_WRITE).
    late_write_possible: bool = False


@dataclass(frozen=True, slots=True)
class Commit:
    """What to write locally for one action, all in one transaction."""

    record: ActionRecord
    upsert: MappingRecord | None = None
    forget: Key | None = None
    mark_failing: bool = False


LATE_WRITE = (
    "applied after an earlier attempt got no answer from Notion: that attempt may still land "
    "(a second page, or an older value over a newer one), so a drain looks the key up once it "
    "no longer can, and repairs it"
)
IN_DOUBT = (
    "no answer recorded: the run stopped while Notion had this call, so whether it was applied "
    "is unknown; the next drain looks the key up in Notion"
)


def intent_for(action: Action, *, run_id: RunId, env: EnvName, at: dt.datetime) -> ActionRecord:
    """The audit row written before an action that may create a page: its outcome unknown."""
    return ActionRecord(
        run_id=run_id,
        env=env,
        key=action.key,
        action=action.kind,
        status="unknown",
        at=at,
        page_id=getattr(action, "page_id", None),
        database=_database_of(action),
        before=_before(action),
        error=IN_DOUBT,
    )


def commit_for(
    action: Action,
    attempt: Attempt,
    *,
    run_id: RunId,
    env: EnvName,
    at: dt.datetime,
    mapping: Mapping[Key, MappingRecord],
) -> Commit:
    """The audit row, mapping change and failing-key change for one action's outcome.

    Args:
        action: the action the executor tried.
        attempt: how it went.
        run_id: the run it belongs to.
        env: the environment.
        at: when the outcome was known.
        mapping: the mapping as the run knows it now (before this action's change).
    """
    done = attempt.performed
    record = ActionRecord(
        run_id=run_id,
        env=env,
        key=action_key(action),
        action=action.kind,
        status=attempt.status,
        at=at,
        page_id=done.page_id if done else getattr(action, "page_id", None),
        database=done.database if done else _database_of(action),
        before=_before(action),
        after=_after(action, done),
        error=LATE_WRITE if attempt.late_write_possible else attempt.error,
        attempts=attempt.attempts,
        request_ids=(attempt.request_id,) if attempt.request_id else (),
    )
    if attempt.status == "failed":
        current = mapping.get(action.key) if isinstance(action.key, Key) else None
        # The write may or may not have landed: the page's content is unknown now, so the next
        # drain rewrites it (restoring it if it was trashed after all). Not so for a history
        # page whose restore or trash failed, nor one whose action was a skip or was never
        # sent (Notion went down earlier in the run): none wrote its values, and an unknown
        # digest would unseal it, letting a later local edit into PAST CALENDAR.
        sealed = current is not None and current.database == "past" and current.confirmed
        writes_none = isinstance(action, TrashPage | RestorePage | SkipKey) or not attempt.attempts
        keeps_values = writes_none and sealed
        unknown = current is not None and not keeps_values
        upsert = replace(current, content_digest=UNKNOWN_DIGEST) if current and unknown else None
        return Commit(record, upsert=upsert, mark_failing=True)
    if done is None or isinstance(action, SkipKey):
        return Commit(record)
    applied = _applied(record, action, done, mapping)
    return replace(applied, mark_failing=attempt.late_write_possible)


def _applied(
    record: ActionRecord, action: Action, done: Performed, mapping: Mapping[Key, MappingRecord]
) -> Commit:
    assert isinstance(action.key, Key), "only a skip may carry a key that does not parse"
    if isinstance(action, ForgetMapping):
        return Commit(record, forget=action.key)
    current = mapping.get(action.key)
    if isinstance(action, TrashPage | RestorePage):
        mapped = current is not None and current.page_id == action.page_id
        if isinstance(action, TrashPage):
            # Trashing a duplicate leaves the key's own page (and mapping) alone.
            return Commit(record, forget=action.key if mapped else None)
        if current is not None and not mapped:
            # Bringing back a duplicate (a rollback of its trash) does not make it the key's
            # page: the page the key is mapped to stays its page.
            return Commit(record)
    digest = UNKNOWN_DIGEST
    if done.confirmed and done.content is not None:
        digest = done.content.digest
    upsert = MappingRecord(action.key, done.database, done.page_id, digest)
    return Commit(record, upsert=upsert)


def action_key(action: Action) -> AnyKey:
    return action.key


def _after(action: Action, done: Performed | None) -> PageImage | None:
    if done is None or isinstance(action, ForgetMapping | SkipKey):
        return None
    if isinstance(action, TrashPage):
        return PageImage(action.database, action.before, in_trash=True)
    return PageImage(done.database, done.content)


def _database_of(action: Action) -> Database | None:
    if isinstance(action, MovePage):
        return action.source
    if isinstance(action, SkipKey):
        return None
    return action.database


def _before(action: Action) -> PageImage | None:
    if isinstance(action, UpdatePage | TrashPage):
        return PageImage(action.database, action.before) if action.before else None
    if isinstance(action, MovePage):
        return PageImage(action.source)
    if isinstance(action, RestorePage):
        return PageImage(action.database, in_trash=True)
    return None  # a create, adopt, forget or skip had no page before
