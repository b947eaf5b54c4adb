"""The pure core: the domain's types and the functions that decide. [core: standard library only]

Nothing here reads the clock, the environment, a file or the network; time arrives as ``today``
or ``now``. The types are re-exported here; the functions live in their modules
(``projection``, ``codec``, ``planner``, ``commit``).

Terminology (each word means one thing everywhere in syncer):

- **row**: one row of ``oncall_schedule`` or ``oncall_schedule_overrides``, as raw text
  (:class:`SourceRow`); it may be malformed, which the projection reports.
- **key**: a shift's natural key, its date and rotation (:class:`Key`), canonical by
  construction (made from text only by :meth:`Rotations.parse`); written as the *sync key*
  ``YYYY-MM-DD/ROTATION`` in Notion. A key as the tables hold it, which may not parse, is a
  :class:`RawKey`.
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
from syncer.core.content import MappingRecord, PageContent, PageImage, Person, RemotePage
from syncer.core.ids import DataSourceId, EnvName, LockHolder, PageId, RunId
from syncer.core.keys import (
    AnyKey,
    Key,
    RawKey,
    Rotations,
    RotationWindow,
    as_raw,
    key_order,
    stored_key,
)
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
    Trigger,
)
from syncer.core.records import ActionRecord, FailingKey, Lease, Progress, RunEnd, RunRecord
from syncer.core.rows import BadRow, Change, RowImage, Shift, SourceRow

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
    "DataSourceId",
    "Database",
    "EnvName",
    "FailingKey",
    "ForgetMapping",
    "Key",
    "Lease",
    "LockHolder",
    "MappingRecord",
    "MovePage",
    "PageContent",
    "PageId",
    "PageImage",
    "Person",
    "Plan",
    "Progress",
    "RawKey",
    "RemotePage",
    "RestorePage",
    "ResultStatus",
    "RotationWindow",
    "Rotations",
    "RowImage",
    "RowUndo",
    "RunEnd",
    "RunId",
    "RunKind",
    "RunRecord",
    "RunStatus",
    "Shift",
    "SkipKey",
    "SourceRow",
    "Table",
    "TrashPage",
    "Trigger",
    "UpdatePage",
    "as_raw",
    "key_order",
    "stored_key",
]
