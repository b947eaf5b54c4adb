"""Desired pages vs what Notion holds -> a Plan, and the guards that refuse bad plans. [core]

Two entry points share one decision table per key:

- :func:`plan_changes` (drain): "what Notion holds" is the page mapping, i.e. what syncer last
  pushed; only the dirty keys are looked at, so an unchanged key costs nothing.
- :func:`plan_reconcile` (reconcile, resync): "what Notion holds" is a complete read of both
  databases; it also adopts, de-duplicates, restores and reverts hand edits.

Rules shared by both: a page dated before Monday of the current week belongs in PAST CALENDAR;
once there it is immutable (local edits are recorded as skipped); shifts before ``history_since``
are never created; keys blocked by bad rows are left alone.
"""

from __future__ import annotations

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
)
from syncer.core.errors import PlanRefused

PAST_IS_IMMUTABLE = "past weeks are immutable: local change not pushed"
PAST_DIFFERS = "past weeks are immutable: the page differs from the schedule and is left as it is"


@dataclass(frozen=True, slots=True)
class Calendar:
    """Where pages belong: the current week's Monday and the oldest date kept as history."""

    week_start: dt.date
    history_since: dt.date

    def database_for(self, key: Key) -> Database:
        return "past" if key.date < self.week_start else "calendar"

    def in_history(self, key: Key) -> bool:
        return key.date >= self.history_since


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
    return Plan(tuple(actions))


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
        # Immutable once moved: a change is recorded, never pushed.
        unchanged = content is not None and content.digest == record.content_digest
        if target == "past":
            return [] if unchanged else [SkipKey(key, PAST_IS_IMMUTABLE)]
        # Filed as past although its week is current (e.g. --today went back): bring it back.
        if content is None:
            return [TrashPage(key, "past", record.page_id, "no schedule or override row", None)]
        return _move_then_update(key, record, content, target)
    if content is None:
        return [TrashPage(key, "calendar", record.page_id, "no schedule or override row", None)]
    if target == "past":
        # Update first, so the page that moves carries the final content.
        update = _update_if_changed(key, record, content)
        return [*update, MovePage(key, record.page_id, "calendar", "past", content)]
    return _update_if_changed(key, record, content)


def _update_if_changed(key: Key, record: MappingRecord, content: PageContent) -> list[Action]:
    if content.digest == record.content_digest:
        return []
    return [UpdatePage(key, record.database, record.page_id, content, None)]


def _move_then_update(
    key: Key, record: MappingRecord, content: PageContent, target: Database
) -> list[Action]:
    moved = MappingRecord(key, target, record.page_id, record.content_digest)
    return [
        MovePage(key, record.page_id, record.database, target, content),
        *_update_if_changed(key, moved, content),
    ]


def plan_reconcile(
    desired: Mapping[Key, PageContent],
    mapping: Mapping[Key, MappingRecord],
    remote: Sequence[RemotePage],
    calendar: Calendar,
    blocked: Iterable[Key] = (),
) -> Plan:
    """The plan for a reconcile, from a complete read of both databases.

    Args:
        desired: the content of every key that has rows (and no bad row).
        mapping: the whole page mapping of the environment.
        remote: every page of both databases (trashed pages are not listed by Notion).
        calendar: this week's start and the history cut-off.
        blocked: keys with bad rows: nothing is done to them.
    """
    pages_by_key: dict[Key, list[RemotePage]] = defaultdict(list)
    for page in remote:
        if page.key is not None:
            pages_by_key[page.key].append(page)
    skip = set(blocked)
    keys = (set(desired) | set(pages_by_key) | set(mapping)) - skip
    listed = {page.page_id for page in remote if page.key is not None}
    actions: list[Action] = []
    for key in sorted(keys):
        pages = pages_by_key.get(key, [])
        record = mapping.get(key)
        if record is not None and not pages and record.page_id in listed:
            # The mapped page now carries another key (its Sync Key was edited by hand): it
            # belongs to that key; this one starts afresh.
            actions.extend(_plan_relabelled(key, desired.get(key), record, calendar))
            continue
        actions.extend(_reconcile_key(key, desired.get(key), record, pages, calendar))
    return Plan(tuple(actions))


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
) -> list[Action]:
    target = calendar.database_for(key)
    keeper = _choose_keeper(pages, record, target)
    actions: list[Action] = [
        TrashPage(key, page.database, page.page_id, f"duplicate of {keeper.page_id}", page.content)
        for page in pages
        if keeper is not None and page is not keeper
    ]
    if keeper is None:
        return _plan_unlisted(key, content, record, calendar)
    assert keeper.content is not None  # keepers are chosen among pages that carry a key
    orphan = content is None and not (keeper.database == "past" and target == "past")
    moved = record is None or (record.page_id, record.database) != (keeper.page_id, keeper.database)
    if moved and not (orphan and record is None):
        # Unmapped, mapped to a vanished page, or dragged to the other database by hand.
        # (An unmapped orphan is about to be trashed: adopting it would only add an audit row.)
        actions.append(AdoptPage(key, keeper.database, keeper.page_id, keeper.content))
    actions.extend(_repair_keeper(key, content, keeper, keeper.content, target))
    return actions


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
        return [
            TrashPage(key, record.database, record.page_id, "no schedule or override row", None)
        ]
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
    seen: PageContent,
    target: Database,
) -> list[Action]:
    if keeper.database == "past" and target == "past":
        # History is immutable: neither local edits nor deletions reach it.
        if content is not None and content.digest != seen.digest:
            return [SkipKey(key, PAST_DIFFERS)]
        return []
    if content is None:
        return [
            TrashPage(key, keeper.database, keeper.page_id, "no schedule or override row", seen)
        ]
    # Notion follows SQLite: a local change the mapping missed, or a hand edit, is rewritten.
    changed = content.digest != seen.digest
    if keeper.database == target:
        return [UpdatePage(key, target, keeper.page_id, content, seen)] if changed else []
    move = MovePage(key, keeper.page_id, keeper.database, target, content)
    if target == "past":
        # Update before the move, so the page that lands in the past is final.
        update = UpdatePage(key, keeper.database, keeper.page_id, content, seen)
        return [update, move] if changed else [move]
    update = UpdatePage(key, target, keeper.page_id, content, seen)
    return [move, update] if changed else [move]


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
) -> None:
    """Raise PlanRefused when a plan looks like a mistake rather than a schedule change.

    Args:
        plan: the plan about to be applied.
        pages_known: how many pages syncer believes exist (the share's denominator).
        remote_counts: pages per database from a complete read (reconcile), else None.
        mapped_counts: pages per database according to the mapping.
        guards: the thresholds.
    """
    if remote_counts is not None:
        for database, mapped in mapped_counts.items():
            # A handful of pages may really be gone; many vanishing at once is a wrong id.
            if mapped > guards.min_trash_to_check and not remote_counts.get(database):
                raise PlanRefused(
                    f"the {database} database looks empty in Notion but syncer mapped "
                    f"{mapped} pages there; a wrong database id or a failed share is more "
                    "likely than a real deletion",
                    hint="check the database ids with `syncer notion check`; "
                    "if this is intended, rerun with --force",
                )
    trashes = plan.count("trash")
    limit = max(guards.min_trash_to_check, int(guards.max_trash_share * pages_known))
    if trashes > limit:
        raise PlanRefused(
            f"the plan would trash {trashes} of {pages_known} pages "
            f"(more than {guards.max_trash_share:.0%}, the configured limit)",
            hint="inspect it with `syncer plan`; if it is intended, rerun with --force",
        )
