"""The domain's value types, shared by every layer. [core: standard library only]

Terminology (each word means one thing everywhere in syncer):

- **row**: one row of ``oncall_schedule`` or ``oncall_schedule_overrides``, as raw text
  (:class:`SourceRow`); it may be malformed, which the projection reports.
- **key**: a shift's natural key, its date and rotation (:class:`ShiftKey`); written as the
  *sync key* ``YYYY-MM-DD/ROTATION`` in Notion.
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

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

Table: TypeAlias = Literal["schedule", "override"]
Database: TypeAlias = Literal["calendar", "past"]
RunKind: TypeAlias = Literal["drain", "reconcile", "resync", "rollback"]
RUN_KINDS: tuple[RunKind, ...] = ("drain", "reconcile", "resync", "rollback")
RunStatus: TypeAlias = Literal["running", "succeeded", "partial", "failed", "refused"]
ActionStatus: TypeAlias = Literal["applied", "failed", "skipped"]


@dataclass(frozen=True, slots=True, order=True)
class ShiftKey:
    """A shift's natural key: one page per key in Notion."""

    date: dt.date
    rotation: str

    @property
    def sync_key(self) -> str:
        """The key as written in the page's ``Sync Key`` property: ``YYYY-MM-DD/ROTATION``."""
        return f"{self.date.isoformat()}/{self.rotation}"

    def __str__(self) -> str:
        return self.sync_key

    @classmethod
    def parse(cls, text: str) -> ShiftKey:
        """Parse a sync key. Raises ValueError on anything but ``YYYY-MM-DD/ROTATION``."""
        date_text, sep, rotation = text.strip().partition("/")
        if not sep or not rotation:
            raise ValueError(f"not a sync key: {text!r}")
        return cls(dt.date.fromisoformat(date_text), rotation)


@dataclass(frozen=True, slots=True, order=True)
class RawKey:
    """A key exactly as the schedule tables hold it: text that may not parse."""

    date: str
    rotation: str

    def __str__(self) -> str:
        return f"{self.date}/{self.rotation}"

    @classmethod
    def from_text(cls, text: str) -> RawKey:
        """A key text as audit rows and failing keys hold it (``date/rotation``), split back."""
        date, _, rotation = text.partition("/")
        return cls(date, rotation)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One schedule or override row, as raw text from SQLite."""

    table: Table
    row_id: int
    date: str
    rotation: str
    engineer_email: str | None

    @property
    def raw_key(self) -> RawKey:
        return RawKey(self.date, self.rotation)


@dataclass(frozen=True, slots=True)
class RotationWindow:
    """A rotation's wall-clock hours, e.g. AM 09:00-12:00 (``end`` may be past midnight)."""

    name: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class Shift:
    """The desired state of one key: its time range and the engineers from its rows."""

    key: ShiftKey
    start: dt.datetime  # timezone-aware, in the configured timezone
    end: dt.datetime
    orig_email: str | None  # lower-cased; None when the key has only an override row
    override_email: str | None

    @property
    def final_email(self) -> str | None:
        return self.override_email or self.orig_email


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row the sync cannot use, reported with its key and skipped."""

    key: RawKey
    table: Table
    row_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Person:
    """A Notion user found by email through ``users.list``."""

    user_id: str
    name: str
    email: str  # lower-cased


@dataclass(frozen=True, slots=True)
class PageContent:
    """A page's content in canonical form: what syncer compares and hashes.

    Instants are UTC, emails lower-cased, people sorted tuples of user ids, text trimmed, so that
    a page read back from Notion equals the content it was written from.
    """

    sync_key: str
    name: str
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    rotation: str
    orig_people: tuple[str, ...] = ()
    override_people: tuple[str, ...] = ()
    final_people: tuple[str, ...] = ()
    orig_email: str | None = None
    override_email: str | None = None
    final_email: str | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready image (the audit log's before/after images)."""
        return {
            "sync_key": self.sync_key,
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "rotation": self.rotation,
            "orig_people": list(self.orig_people),
            "override_people": list(self.override_people),
            "final_people": list(self.final_people),
            "orig_email": self.orig_email,
            "override_email": self.override_email,
            "final_email": self.final_email,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PageContent:
        """The inverse of :meth:`to_json`."""

        def people(name: str) -> tuple[str, ...]:
            value = data.get(name) or []
            assert isinstance(value, list)
            return tuple(str(v) for v in value)

        def optional(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else str(value)

        return cls(
            sync_key=str(data["sync_key"]),
            name=str(data["name"]),
            start=dt.datetime.fromisoformat(str(data["start"])),
            end=dt.datetime.fromisoformat(str(data["end"])),
            rotation=str(data["rotation"]),
            orig_people=people("orig_people"),
            override_people=people("override_people"),
            final_people=people("final_people"),
            orig_email=optional("orig_email"),
            override_email=optional("override_email"),
            final_email=optional("final_email"),
        )

    @property
    def digest(self) -> str:
        """A stable hash of the content: equal contents, equal digests."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Change:
    """One change-log row: a row of a schedule table was inserted, updated or deleted."""

    change_id: int
    at: str
    table: Table
    op: Literal["insert", "update", "delete"]
    old: RawKeyImage | None
    new: RawKeyImage | None

    @property
    def raw_keys(self) -> frozenset[RawKey]:
        """The keys this change may have affected: the old and the new one."""
        images = [image for image in (self.old, self.new) if image is not None]
        return frozenset(RawKey(image.date, image.rotation) for image in images)


@dataclass(frozen=True, slots=True)
class RawKeyImage:
    """A row's ``(date, rotation, engineer_email)`` before or after a change."""

    date: str
    rotation: str
    engineer_email: str | None


@dataclass(frozen=True, slots=True)
class MappingRecord:
    """What syncer last pushed for a key: where the page lives and the digest of its content."""

    key: ShiftKey
    database: Database
    page_id: str
    content_digest: str


@dataclass(frozen=True, slots=True)
class RemotePage:
    """A page as read from Notion: its id, where it lives, and its decoded content.

    ``content`` is None when the page does not carry a parseable ``Sync Key`` (not ours).
    """

    page_id: str
    database: Database
    content: PageContent | None
    created_time: str = ""

    @property
    def key(self) -> ShiftKey | None:
        if self.content is None:
            return None
        try:
            return ShiftKey.parse(self.content.sync_key)
        except ValueError:
            return None


# ---------------------------------------------------------------------------------------------
# Actions: data, executed elsewhere (syncer.engine). Every action names its key.


@dataclass(frozen=True, slots=True)
class CreatePage:
    """Create the page for ``key`` in ``database``."""

    key: ShiftKey
    database: Database
    content: PageContent
    kind: Literal["create"] = field(default="create", init=False)


@dataclass(frozen=True, slots=True)
class UpdatePage:
    """Rewrite a page's properties to ``content`` (a local change, or a reverted hand edit)."""

    key: ShiftKey
    database: Database
    page_id: str
    content: PageContent
    before: PageContent | None
    kind: Literal["update"] = field(default="update", init=False)


@dataclass(frozen=True, slots=True)
class TrashPage:
    """Move a page to Notion's trash: its key has no rows, or it duplicates the kept page."""

    key: ShiftKey
    database: Database
    page_id: str
    reason: str
    before: PageContent | None
    kind: Literal["trash"] = field(default="trash", init=False)


@dataclass(frozen=True, slots=True)
class RestorePage:
    """Take a mapped page out of the trash and give it ``content``."""

    key: ShiftKey
    database: Database
    page_id: str
    content: PageContent
    kind: Literal["restore"] = field(default="restore", init=False)


@dataclass(frozen=True, slots=True)
class MovePage:
    """Move a page to the other database (calendar -> past when its week is over)."""

    key: ShiftKey
    page_id: str
    source: Database
    target: Database
    content: PageContent
    kind: Literal["move"] = field(default="move", init=False)


@dataclass(frozen=True, slots=True)
class AdoptPage:
    """Record an existing page as the key's page (found by Sync Key); no Notion write."""

    key: ShiftKey
    database: Database
    page_id: str
    content: PageContent
    kind: Literal["adopt"] = field(default="adopt", init=False)


@dataclass(frozen=True, slots=True)
class ForgetMapping:
    """Drop the key's mapping: its page now carries another key (edited by hand); no write."""

    key: ShiftKey
    database: Database
    page_id: str
    kind: Literal["forget"] = field(default="forget", init=False)


@dataclass(frozen=True, slots=True)
class SkipKey:
    """Nothing is written for this key, for a reason worth recording (bad row, past week)."""

    key_text: str
    reason: str
    kind: Literal["skip"] = field(default="skip", init=False)


Action: TypeAlias = (
    CreatePage
    | UpdatePage
    | TrashPage
    | RestorePage
    | MovePage
    | AdoptPage
    | ForgetMapping
    | SkipKey
)
WRITE_KINDS = frozenset({"create", "update", "trash", "restore", "move"})


@dataclass(frozen=True, slots=True)
class Plan:
    """The actions that make Notion equal to the schedule, in the order they run."""

    actions: tuple[Action, ...] = ()

    @property
    def writes(self) -> tuple[Action, ...]:
        """The actions that change Notion (adopt and skip do not)."""
        return tuple(action for action in self.actions if action.kind in WRITE_KINDS)

    def count(self, kind: str) -> int:
        return sum(1 for action in self.actions if action.kind == kind)

    def counts(self) -> dict[str, int]:
        """How many actions of each kind, for summaries."""
        result: dict[str, int] = {}
        for action in self.actions:
            result[action.kind] = result.get(action.kind, 0) + 1
        return result

    def __bool__(self) -> bool:
        return bool(self.writes)


# ---------------------------------------------------------------------------------------------
# Records kept by the store (the audit log and run bookkeeping).


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One audit row: a Notion mutation (or a skipped/failed one) made by a run."""

    run_id: int
    env: str
    key_text: str  # the sync key, or the raw key text of a bad row
    action: str  # create, update, trash, restore, move, adopt, skip
    status: ActionStatus
    at: dt.datetime
    page_id: str | None = None
    database: Database | None = None
    before: dict[str, object] | None = None  # PageContent.to_json() (+ "database", "in_trash")
    after: dict[str, object] | None = None
    error: str | None = None
    attempts: int = 0
    request_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of drain, reconcile, resync or rollback."""

    run_id: int
    env: str
    kind: str
    trigger: str  # "cli", "run", "auto" (a reconcile started by drain), "demo", ...
    status: RunStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    first_change_id: int | None = None  # the change-log range the run consumed, inclusive
    last_change_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FailingKey:
    """A key whose last write failed; it stays dirty until a drain succeeds for it."""

    key_text: str
    attempts: int
    last_error: str
    since: dt.datetime
