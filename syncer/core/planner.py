"""Desired pages vs what Notion holds -> a Plan, and the guards that refuse bad plans. [core]

Two entry points share one decision table per key:

- :func:`plan_changes` (drain): "what Notion holds" is the page mapping, i.e. what syncer last
  pushed; only the dirty keys are looked at, so an unchanged key costs nothing.
- :func:`plan_reconcile` (reconcile, resync): "what Notion holds" is a complete read of both
  databases; it also adopts, de-duplicates, restores and reverts hand edits.

Rules shared by both: a page dated before Monday of the current week belongs in PAST CALENDAR;
once there, and confirmed to hold what syncer wrote, it is immutable (local edits are recorded
as skipped); a page whose move (or the rewrite after it) was never confirmed is not history yet
and is still repaired; shifts before ``history_since`` are never created; keys blocked by bad
rows are left alone. With a retention (``past_retention``), reconcile trashes the pages of keys
older than it, and such keys are never created again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncer.core import (
    Action,
    AdoptPage,
    CreatePage,
    Database,
    ForgetMapping,
    Key,
    MappingRecord,
    MovePage,
    PageContent,
    Plan,
    RemotePage,
    RestorePage,
    SkipKey,
    TrashPage,
    UpdatePage,
    alternatives,
)
from syncer.core.actions import Verdict

PAST_IS_IMMUTABLE = "past weeks are immutable: local change not pushed"
PAST_DIFFERS = "past weeks are immutable: the page differs from the schedule and is left as it is"
NO_ROWS = "no schedule or override row"


@dataclass(frozen=True, slots=True)
class Calendar:
    """Where pages belong: the current week's Monday, the oldest date kept as history, and the
    retention cut-off (pages dated before it are trashed; None: history is kept for ever)."""

    week_start: dt.date
    history_since: dt.date
    retain_since: dt.date | None = None

    def database_for(self, key: Key) -> Database:
        return "past" if key.date < self.week_start else "calendar"

    def in_history(self, key: Key) -> bool:
        return key.date >= self.history_since and not self.expired(key)

    def expired(self, key: Key) -> bool:
        return self.retain_since is not None and key.date < self.retain_since

    def overdue(self, database: Database, date: dt.date, *, confirmed: bool) -> bool:
        """Whether every drain looks at a mapped page, dirty or not: its week is over (it
        moves), it sits in PAST CALENDAR dated this week or later (a run with a --today ahead
        filed it there: it moves back), or it is a past page whose values a move did not keep
        and whose rewrite was interrupted."""
        if database == "calendar":
            return date < self.week_start
        return date >= self.week_start or not confirmed


def plan_changes(
    desired: Mapping[Key, PageContent | None],
    mapping: Mapping[Key, MappingRecord],
    calendar: Calendar,
) -> Plan:
    """The plan for a drain: for each dirty key, its desired content (None: no rows left).

    Args:
        desired: every key to look at; None when the key has neither schedule nor override row.
        mapping: the page mapping of (at least) those keys.
        calendar: this week's start and the history cut-off.
    """
    actions: list[Action] = []
    for key in sorted(desired):
        actions.extend(_plan_mapped_key(key, desired[key], mapping.get(key), calendar))
    return Plan(_with_alternatives(actions))


def _plan_mapped_key(
    key: Key, content: PageContent | None, record: MappingRecord | None, calendar: Calendar
) -> list[Action]:
    target = calendar.database_for(key)
    if record is None:
        # Never pushed: create it where it belongs (history goes straight to PAST CALENDAR).
        if content is None or not calendar.in_history(key):
            return []
        return [CreatePage(key, target, content)]
    if record.database == "past":
        if target == "past" and content is not None and not record.confirmed:
            # The move (or the rewrite after it) never confirmed the page's values: it is not
            # history yet, so it gets what it should have held when its week ended.
            return [UpdatePage(key, "past", record.page_id, content, None)]
        # Immutable once moved: a change is recorded, never pushed.
        unchanged = content is not None and content.digest == record.content_digest
        if target == "past":
            return [] if unchanged else [SkipKey(key, PAST_IS_IMMUTABLE)]
        # Filed as past although its week is current (e.g. --today went back): bring it back.
        if content is None:
            return [TrashPage(key, "past", record.page_id, NO_ROWS, None)]
        return _update_then_move(key, record, content, target)
    if content is None:
        return [TrashPage(key, "calendar", record.page_id, NO_ROWS, None)]
    if target == "past":
        return _update_then_move(key, record, content, target)
    return _update_if_changed(key, record, content)


def _update_if_changed(key: Key, record: MappingRecord, content: PageContent) -> list[Action]:
    if content.digest == record.content_digest:
        return []
    return [UpdatePage(key, record.database, record.page_id, content, None)]


def _update_then_move(
    key: Key, record: MappingRecord, content: PageContent, target: Database
) -> list[Action]:
    # Update first, so the page that moves is final and the move can be checked against it.
    update = _update_if_changed(key, record, content)
    return [*update, MovePage(key, record.page_id, record.database, target, content)]


def plan_reconcile(
    desired: Mapping[Key, PageContent],
    mapping: Mapping[Key, MappingRecord],
    remote: Sequence[RemotePage],
    calendar: Calendar,
    blocked: Iterable[Key] = (),
    *,
    mapping_complete: bool = True,
) -> Plan:
    """The plan for a reconcile, from a complete read of both databases.

    A live page without a Sync Key whose Date and Rotation match a shift that has no page yet
    is adopted, not duplicated (the oldest, when there are several; the others are trashed as
    its duplicates).

    Args:
        desired: the content of every key that has rows (and no bad row).
        mapping: the whole page mapping of the environment.
        remote: every page of both databases (trashed pages are not listed by Notion).
        calendar: this week's start and the history cut-off.
        blocked: keys with bad rows: nothing is done to them.
        mapping_complete: whether the mapping names every page syncer keeps (a resync plans
            without it: an unmapped page in PAST CALENDAR is then taken as history, never as
            an orphan).
    """
    pages_by_key = _pages_by_key(remote, mapping)
    unkeyed = _unkeyed_by_shift(remote, mapping)
    skip = set(blocked)
    keys = (set(desired) | set(pages_by_key) | set(mapping)) - skip
    listed = {page.page_id for page in remote if page.key is not None}
    actions: list[Action] = []
    for key in sorted(keys):
        pages = pages_by_key.get(key, [])
        record = mapping.get(key)
        if calendar.expired(key):
            actions.extend(_plan_expired(key, record, pages, calendar))
            continue
        candidates = unkeyed.get(key, [])
        content = desired.get(key)
        if content is not None and candidates and not pages and record is None:
            actions.extend(_adopt(key, content, [*pages, *candidates], calendar))
            continue
        if record is not None and not pages and record.page_id in listed:
            # The mapped page now carries another key (its Sync Key was edited by hand): it
            # belongs to that key; this one starts afresh.
            actions.extend(_plan_relabelled(key, desired.get(key), record, calendar))
            continue
        actions.extend(
            _reconcile_key(key, desired.get(key), record, pages, calendar, mapping_complete)
        )
    return Plan(_with_alternatives(actions))


def plan_adoption(
    desired: Mapping[Key, PageContent],
    mapping: Mapping[Key, MappingRecord],
    remote: Sequence[RemotePage],
    calendar: Calendar,
    blocked: Iterable[Key] = (),
) -> Plan:
    """The plan of `syncer notion adopt`: taking over the pages another tool made.

    For every shift with rows that pages without a Sync Key stand for (by Date and Rotation),
    the shift's oldest page is kept, whether it carries a Sync Key or not (syncer's own copies,
    made beside another tool's pages before the takeover, are newer), made equal to what
    syncer would write, and filed where it belongs; the other pages of the shift are trashed
    as its duplicates. Everything else is left to the reconcile that follows.
    """
    unkeyed = _unkeyed_by_shift(remote, mapping)
    keyed = _pages_by_key(remote, mapping)
    skip = set(blocked)
    actions: list[Action] = []
    for key in sorted(set(unkeyed) - skip):
        content = desired.get(key)
        if content is not None and not calendar.expired(key):
            actions.extend(_adopt(key, content, [*keyed.get(key, []), *unkeyed[key]], calendar))
    return Plan(_with_alternatives(actions))


def _with_alternatives(actions: Iterable[Action]) -> tuple[Action, ...]:
    """Each write with the alternatives it plans for what Notion may answer."""
    return tuple(with_alternatives(action) for action in actions)


def with_alternatives(action: Action) -> Action:
    """``action`` with its planned alternatives (see :mod:`syncer.core.alternatives`)."""
    if isinstance(action, MovePage):
        return alternatives.move(action)
    if isinstance(action, UpdatePage):
        return alternatives.update(action)
    if isinstance(action, RestorePage):
        return alternatives.restore(action)
    return action


def _unkeyed_by_shift(
    remote: Sequence[RemotePage], mapping: Mapping[Key, MappingRecord]
) -> dict[Key, list[RemotePage]]:
    """The pages without a Sync Key that syncer never mapped, by the shift their Date and
    Rotation stand for (a page with neither is not syncer's, and is in none)."""
    mapped = {record.page_id for record in mapping.values()}
    found: dict[Key, list[RemotePage]] = defaultdict(list)
    for page in remote:
        if page.content is None and page.shift is not None and page.page_id not in mapped:
            found[page.shift].append(page)
    return found


def _adopt(
    key: Key, content: PageContent, pages: list[RemotePage], calendar: Calendar
) -> list[Action]:
    """Keep the shift's oldest page: point the key at it, write what syncer would, file it where
    it belongs; trash the others as its duplicates. A page adopted into PAST CALENDAR is made
    equal to the schedule's history once, and sealed by that write."""
    keeper = min(pages, key=lambda p: (p.created_time, p.page_id))
    held = keeper.content if keeper.content is not None else keeper.values
    actions: list[Action] = [AdoptPage(key, keeper.database, keeper.page_id, keeper.content)]
    if held is None or held.digest != content.digest:
        actions.append(UpdatePage(key, keeper.database, keeper.page_id, content, held))
    reason = f"duplicate of {keeper.page_id}, the oldest page of this shift, which is kept"
    actions.extend(
        TrashPage(key, page.database, page.page_id, reason, page.content or page.values, True)
        for page in pages
        if page is not keeper
    )
    target = calendar.database_for(key)
    if keeper.database != target:
        actions.append(MovePage(key, keeper.page_id, keeper.database, target, content))
    return actions


def _pages_by_key(
    remote: Sequence[RemotePage], mapping: Mapping[Key, MappingRecord]
) -> dict[Key, list[RemotePage]]:
    """The listed pages of each key: by Sync Key, or by id for a mapped page that lost it."""
    owners = {record.page_id: key for key, record in mapping.items()}
    pages_by_key: dict[Key, list[RemotePage]] = defaultdict(list)
    for page in remote:
        key = page.key
        if page.content is None:
            # No Sync Key (a move into the other database may drop values, or a hand edit):
            # a page syncer mapped is still that key's page; any other is not syncer's.
            key = owners.get(page.page_id)
        if key is not None:
            pages_by_key[key].append(page)
    return pages_by_key


def _plan_expired(
    key: Key, record: MappingRecord | None, pages: list[RemotePage], calendar: Calendar
) -> list[Action]:
    """Past the retention: every page of the key goes to the trash (restorable, audited)."""
    reason = f"older than the retention cut-off {calendar.retain_since}"
    actions: list[Action] = [
        TrashPage(key, page.database, page.page_id, reason, page.content) for page in pages
    ]
    if record is not None and not any(p.page_id == record.page_id for p in pages):
        # Its page is gone already (or carries another key now): only the mapping is left.
        actions.append(ForgetMapping(key, record.database, record.page_id))
    return actions


def _plan_relabelled(
    key: Key, content: PageContent | None, record: MappingRecord, calendar: Calendar
) -> list[Action]:
    if content is not None and calendar.in_history(key):
        return [CreatePage(key, calendar.database_for(key), content)]
    return [ForgetMapping(key, record.database, record.page_id)]


def _reconcile_key(
    key: Key,
    content: PageContent | None,
    record: MappingRecord | None,
    pages: list[RemotePage],
    calendar: Calendar,
    mapping_complete: bool = True,
) -> list[Action]:
    target = calendar.database_for(key)
    keeper = _choose_keeper(pages, record, target)
    actions: list[Action] = [
        TrashPage(
            key,
            page.database,
            page.page_id,
            f"duplicate of {keeper.page_id}",
            page.content,
            duplicate=True,
        )
        for page in pages
        if keeper is not None and page is not keeper
    ]
    if keeper is None:
        return _plan_unlisted(key, content, record, calendar)
    in_history = keeper.database == "past" and target == "past"
    # Rows deleted after their week ended leave syncer's own history page as it is; a page
    # there that is not syncer's (a copy a person made, one a rollback left behind) is an
    # orphan like any other: history is protected from later edits, not from repair.
    own = record is not None and record.page_id == keeper.page_id
    orphan = content is None and not (in_history and (own or not mapping_complete))
    moved = record is None or (record.page_id, record.database) != (keeper.page_id, keeper.database)
    if moved and not (orphan and record is None):
        # Unmapped, mapped to a vanished page, or dragged to the other database by hand.
        # (An unmapped orphan is about to be trashed: adopting it would only add an audit row.)
        actions.append(AdoptPage(key, keeper.database, keeper.page_id, keeper.content))
    history = keeper.database == "past" and _sealed(record, keeper)
    actions.extend(_repair_keeper(key, content, keeper, target, history=history, orphan=orphan))
    return actions


def _sealed(record: MappingRecord | None, keeper: RemotePage) -> bool:
    """Whether a page in PAST CALENDAR is history: immutable from now on.

    It is, unless the mapping names this very page and syncer never confirmed what it holds
    there (the move that brought it is unrecorded, or its values did not survive the move and
    the rewrite failed). An unmapped page in the past (after a resync, say) is history.
    """
    if record is None or record.page_id != keeper.page_id:
        return True
    return record.database == "past" and record.confirmed


def _plan_unlisted(
    key: Key, content: PageContent | None, record: MappingRecord | None, calendar: Calendar
) -> list[Action]:
    """No listed page carries the key: create it, or deal with the mapped page that vanished."""
    target = calendar.database_for(key)
    if record is None:
        if content is not None and calendar.in_history(key):
            return [CreatePage(key, target, content)]
        return []
    if content is None:
        if record.database == "past" and target == "past":
            return []  # history is immutable, and so is its mapping
        # Trashed by hand and its rows are gone too: trash it (again) so the mapping is dropped,
        # else a later drain would write to a page in the trash.
        return [TrashPage(key, record.database, record.page_id, NO_ROWS, None)]
    # Trashed by hand: bring it back as it was, then file it where it now belongs (its week may
    # have ended while it was in the trash).
    restore = RestorePage(key, record.database, record.page_id, content)
    if record.database == target:
        return [restore]
    return [restore, MovePage(key, record.page_id, record.database, target, content)]


def _choose_keeper(
    pages: list[RemotePage], record: MappingRecord | None, target: Database
) -> RemotePage | None:
    """The page to keep for a key: the mapped one, else one in the right database, oldest first."""
    if not pages:
        return None
    for page in pages:
        if record is not None and page.page_id == record.page_id:
            return page
    return min(pages, key=lambda p: (p.database != target, p.created_time, p.page_id))


def _repair_keeper(
    key: Key,
    content: PageContent | None,
    keeper: RemotePage,
    target: Database,
    *,
    history: bool,
    orphan: bool = False,
) -> list[Action]:
    seen = keeper.content  # None: the page lost its Sync Key, so it differs from anything
    changed = content is not None and (seen is None or content.digest != seen.digest)
    in_history = keeper.database == "past" and target == "past"
    if in_history and (history or content is None) and not orphan:
        # History is immutable: neither local edits nor deletions reach it. Completing it is
        # not a change: a page written while people could not be looked up gets them.
        if content is not None and content.fills_in_people(seen):
            return [UpdatePage(key, target, keeper.page_id, content, seen)]
        return [SkipKey(key, PAST_DIFFERS)] if changed else []
    if content is None:
        return [TrashPage(key, keeper.database, keeper.page_id, NO_ROWS, seen)]
    # Notion follows SQLite: a local change the mapping missed, or a hand edit, is rewritten.
    if keeper.database == target:
        return [UpdatePage(key, target, keeper.page_id, content, seen)] if changed else []
    # Update before the move, so the page that moves is final and the move can be checked.
    move = MovePage(key, keeper.page_id, keeper.database, target, content)
    update = UpdatePage(key, keeper.database, keeper.page_id, content, seen)
    return [update, move] if changed else [move]


@dataclass(frozen=True, slots=True)
class Guards:
    """Thresholds that refuse a plan before its first write (``--force`` overrides them)."""

    max_trash_share: float = 0.25
    min_trash_to_check: int = 10


def check_guards(
    plan: Plan,
    *,
    pages_known: int,
    remote_counts: Mapping[Database, int] | None,
    mapped_counts: Mapping[Database, int],
    guards: Guards,
) -> Plan:
    """The plan with the guards' verdict: refused when it looks like a mistake rather than a
    schedule change (``--force`` applies it anyway).

    Args:
        plan: the plan about to be applied or shown.
        pages_known: how many pages syncer believes exist (the share's denominator).
        remote_counts: pages per database from a complete read (reconcile), else None.
        mapped_counts: pages per database according to the mapping.
        guards: the thresholds.
    """
    verdict = _empty_database(remote_counts, mapped_counts, guards) or _mass_trash(
        plan, pages_known, guards
    )
    return dataclasses.replace(plan, verdict=verdict or Verdict())


def _empty_database(
    remote_counts: Mapping[Database, int] | None,
    mapped_counts: Mapping[Database, int],
    guards: Guards,
) -> Verdict | None:
    """A database read empty that the mapping says holds many pages: a wrong id, not deletions.
    (Only a complete read, a reconcile's, can tell.)"""
    if remote_counts is None:
        return None
    for database, mapped in mapped_counts.items():
        # A handful of pages may really be gone; many vanishing at once is a wrong id.
        if mapped > guards.min_trash_to_check and not remote_counts.get(database):
            return Verdict(
                f"the {database} database looks empty in Notion but syncer mapped "
                f"{mapped} pages there; a wrong database id or a failed share is more "
                "likely than a real deletion",
                hint="check the database ids with `syncer notion check`; "
                "if this is intended, rerun with --force",
            )
    return None


def _mass_trash(plan: Plan, pages_known: int, guards: Guards) -> Verdict | None:
    """More shifts losing their page than the configured share: a mistake, not a change.
    Shifts, not copies: trashing a duplicate leaves its shift's page in Notion."""
    gone = len({a.key for a in plan.actions if isinstance(a, TrashPage) and not a.duplicate})
    limit = max(guards.min_trash_to_check, int(guards.max_trash_share * pages_known))
    if gone <= limit:
        return None
    return Verdict(
        f"the plan would trash the pages of {gone} shifts, of the {pages_known} pages "
        f"syncer knows (more than {guards.max_trash_share:.0%}, the configured limit)",
        hint="inspect it with `syncer plan`; if it is intended, rerun with --force",
    )
