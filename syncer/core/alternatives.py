"""The alternatives every write plans for what Notion may answer. [core]

The executor never invents a step: when Notion refuses a move, or a page turns out to be in the
trash or gone, it takes the alternative the plan holds for that condition (and records each of
its steps as any planned action), or fails the action when the plan holds none.

- a **move** may be refused (an older API, an odd page): create the page in the target database,
  then trash the old one; its page may have been trashed by hand while its week ran: restore it,
  then move it; and a move may not keep every value (Notion does not document what a move into
  another data source keeps): write them again;
- an **update** of a page trashed by hand since the last push restores it first (Notion follows
  SQLite);
- a **restore** of a page deleted for good (or no longer shared) creates a new one, when the
  page was the key's own (a duplicate that is gone is simply gone).
"""

from __future__ import annotations

import dataclasses

from syncer.core.actions import (
    Alternative,
    CreatePage,
    MovePage,
    RestorePage,
    TrashPage,
    UpdatePage,
)


def move(action: MovePage) -> MovePage:
    """A move with its alternatives: values lost, page trashed, move refused."""
    key, page_id, content = action.key, action.page_id, action.content
    rewrite = UpdatePage(key, action.target, page_id, content, None)
    lost = Alternative("values_lost", (rewrite,))
    again = MovePage(key, page_id, action.source, action.target, content, (lost,))
    restored = RestorePage(key, action.source, page_id, content)
    replaced = f"replaced by the page created in {action.target}: Notion refused the move"
    refused = (
        CreatePage(key, action.target, content),
        TrashPage(key, action.source, page_id, replaced, None, duplicate=True),
    )
    return MovePage(
        key,
        page_id,
        action.source,
        action.target,
        content,
        (
            lost,
            Alternative("page_trashed", (restored, again)),
            Alternative("move_refused", refused),
        ),
    )


def update(action: UpdatePage) -> UpdatePage:
    """An update with its alternative for a page trashed by hand: restore it first.

    A restore in CALENDAR writes the content too; one in PAST CALENDAR keeps what the page held
    (history), so the update follows it there.
    """
    plain = dataclasses.replace(action, alternatives=())
    restored = RestorePage(action.key, action.database, action.page_id, action.content)
    steps: tuple[RestorePage | UpdatePage, ...] = (restored,)
    if action.database == "past":
        steps = (restored, plain)
    return dataclasses.replace(action, alternatives=(Alternative("page_trashed", steps),))


def restore(action: RestorePage, *, own_page: bool = True) -> RestorePage:
    """A restore with its alternative for a page that is gone: a new page, when it was the key's
    own (``own_page``); a duplicate that is gone needs nothing."""
    if not own_page:
        return action
    create = CreatePage(action.key, action.database, action.content)
    gone = Alternative("page_gone", (create,))
    return RestorePage(action.key, action.database, action.page_id, action.content, (gone,))
