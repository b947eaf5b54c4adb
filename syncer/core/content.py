"""The Notion side in canonical form: page content, people, the mapping, pages read. [core]"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from syncer.core.ids import PageId
from syncer.core.keys import AnyKey, Key, RawKey, stored_key
from syncer.core.kinds import Database

# The digest of a page whose content syncer cannot vouch for (a write that failed, a move whose
# values did not survive): never equal to a real content digest, so the page gets rewritten.
UNKNOWN_DIGEST = "unknown"


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
    a page read back from Notion equals the content it was written from. ``key`` is the page's
    Sync Key: a Key when it is written exactly as syncer writes it, the text as a RawKey when
    it is not (so such a page differs from what syncer would write, and is rewritten), None
    when the page has none. ``all_day`` is a date without a time (as other tools write it):
    ``start`` and ``end`` are then that day's midnight, UTC.
    """

    key: AnyKey | None
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
    all_day: bool = False

    @property
    def sync_key(self) -> str:
        """The Sync Key as text (empty when the page has none)."""
        return "" if self.key is None else str(self.key)

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
            # Only when set: the images and digests of everything syncer writes stay as they were.
            **({"all_day": True} if self.all_day else {}),
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

        text = str(data["sync_key"])
        key = stored_key(RawKey.split(text)) if text else None
        return cls(
            key=key,
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
            all_day=bool(data.get("all_day")),
        )

    def fills_in_people(self, seen: PageContent | None) -> bool:
        """Whether this content is ``seen`` with people added where ``seen`` had none, for the
        same emails: completing a page written while people could not be looked up (the title
        built from the name then, not the email), not a change of assignment."""
        if seen is None or self.assignment != seen.assignment:
            return False
        pairs = (
            (self.orig_people, seen.orig_people),
            (self.override_people, seen.override_people),
            (self.final_people, seen.final_people),
        )
        kept_or_filled = all(ours == theirs or not theirs for ours, theirs in pairs)
        return kept_or_filled and any(ours and not theirs for ours, theirs in pairs)

    @property
    def assignment(self) -> tuple[object, ...]:
        """What a shift is, people aside: its key, hours, rotation and engineers' emails."""
        return (
            self.key,
            self.start,
            self.end,
            self.rotation,
            self.orig_email,
            self.override_email,
            self.final_email,
            self.all_day,
        )

    @property
    def digest(self) -> str:
        """A stable hash of the content: equal contents, equal digests."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class MappingRecord:
    """What syncer last pushed for a key: where the page lives and the digest of its content."""

    key: Key
    database: Database
    page_id: PageId
    content_digest: str

    @property
    def confirmed(self) -> bool:
        """Whether syncer knows what the page holds (its last write to it was confirmed)."""
        return self.content_digest != UNKNOWN_DIGEST


@dataclass(frozen=True, slots=True)
class RemotePage:
    """A page as read from Notion: its id, where it lives, its decoded content, and the key its
    Sync Key stands for.

    ``content`` is None when the page does not carry a ``Sync Key``, and ``key`` is None when
    that Sync Key does not stand for a key: not ours, unless the mapping names its id (a move or
    a hand edit may have dropped the key).
    """

    page_id: PageId
    database: Database
    content: PageContent | None
    created_time: str = ""
    key: Key | None = None
    # For a page with no Sync Key: the shift its Date and Rotation stand for (the day of its
    # Date in the configured timezone, or the date itself for a date-only value), and what it
    # holds, so that adopting it can record its values before syncer's replace them.
    shift: Key | None = None
    values: PageContent | None = None

    def __post_init__(self) -> None:
        # A Sync Key written exactly as syncer writes it stands for its own key.
        if self.key is None and self.content is not None and isinstance(self.content.key, Key):
            object.__setattr__(self, "key", self.content.key)


@dataclass(frozen=True, slots=True)
class PageImage:
    """A page as the audit log keeps it before or after an action: where it lives, whether it
    is in the trash, and what it holds (None: not known, e.g. a drain's update, made without
    reading the page first)."""

    database: Database
    content: PageContent | None = None
    in_trash: bool = False

    def to_json(self) -> dict[str, object]:
        """The image as JSON (the store's before/after columns)."""
        head: dict[str, object] = {"database": self.database, "in_trash": self.in_trash}
        return head if self.content is None else {**self.content.to_json(), **head}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PageImage:
        """The inverse of :meth:`to_json`."""
        database: Database = "past" if data.get("database") == "past" else "calendar"
        content = PageContent.from_json(data) if "sync_key" in data else None
        return cls(database, content, bool(data.get("in_trash")))
