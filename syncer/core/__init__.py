"""The pure core: the domain's types and the functions that decide. [core: standard library only]

Nothing here reads the clock, the environment, a file or the network; time arrives as ``today``
or ``now``. The types are re-exported here; the functions live in their modules
(``projection``, ``codec``, ``planner``, ``commit``).

Terminology (each word means one thing everywhere in syncer):

- **row**: one row of ``oncall_schedule`` or ``oncall_schedule_overrides``, as raw text
  (:class:`SourceRow`); it may be malformed, which the projection reports.
- **key**: a shift's natural key, its date and rotation (:class:`Key`); written as the
  *sync key* ``YYYY-MM-DD/ROTATION`` in Notion. A key as the tables hold it, which may not
  parse, is a :class:`RawKey`.
- **shift**: the desired state of one key, derived from its rows (:class:`Shift`).
- **change**: one row of the change log, written by the triggers (:class:`Change`).
- **page**: a Notion page; its canonical *content* (:class:`PageContent`) is what is compared
  and hashed, never the raw JSON.
- **mapping**: what syncer last pushed for a key: database, page id, content hash
  (:class:`MappingRecord`), like a Terraform state file.
- **plan**: the actions (:data:`Action`) that make Notion equal to the schedule.
- **run**: one drain, reconcile, resync or rollback, recorded with its actions (moving past
  weeks is part of every drain and reconcile, not a run of its own).
"""

from __future__ import annotations

from syncer.core.actions import (
    Action,
    AdoptPage,
    CreatePage,
    ForgetMapping,
    MovePage,
    Plan,
    RestorePage,
    SkipKey,
    TrashPage,
    UpdatePage,
)
from syncer.core.content import MappingRecord, PageContent, Person, RemotePage
from syncer.core.keys import AnyKey, Key, RawKey, as_raw, key_from_text, key_order
from syncer.core.kinds import (
    ACTION_KINDS,
    ACTION_STATUSES,
    DATABASES,
    RUN_KINDS,
    RUN_STATUSES,
    WRITE_KINDS,
    ActionKind,
    ActionStatus,
    ChangeOp,
    Database,
    ResultStatus,
    RowUndo,
    RunKind,
    RunStatus,
    Table,
)
from syncer.core.records import ActionRecord, FailingKey, Progress, RunEnd, RunRecord
from syncer.core.rows import BadRow, Change, RawKeyImage, RotationWindow, Shift, SourceRow

__all__ = [
    "ACTION_KINDS",
    "ACTION_STATUSES",
    "DATABASES",
    "RUN_KINDS",
    "RUN_STATUSES",
    "WRITE_KINDS",
    "Action",
    "ActionKind",
    "ActionRecord",
    "ActionStatus",
    "AdoptPage",
    "AnyKey",
    "BadRow",
    "Change",
    "ChangeOp",
    "CreatePage",
    "Database",
    "FailingKey",
    "ForgetMapping",
    "Key",
    "MappingRecord",
    "MovePage",
    "PageContent",
    "Person",
    "Plan",
    "Progress",
    "RawKey",
    "RawKeyImage",
    "RemotePage",
    "RestorePage",
    "ResultStatus",
    "RotationWindow",
    "RowUndo",
    "RunEnd",
    "RunKind",
    "RunRecord",
    "RunStatus",
    "Shift",
    "SkipKey",
    "SourceRow",
    "Table",
    "TrashPage",
    "UpdatePage",
    "as_raw",
    "key_from_text",
    "key_order",
]
