"""Names of things other than shifts, each parsed once into its own type. [core]

- :data:`PageId` and :data:`DataSourceId`: Notion ids in one form, lower-case with dashes
  (``8-4-4-4-12``), whatever form Notion, a URL or a config file gave them in, so two ids
  compare equal exactly when they name the same object (:func:`notion_id`);
- :data:`EnvName`: a configured environment's name; :data:`RunId`: a run's number;
- :class:`LockHolder`: who holds an environment's lock (host, process, tag).

The gateway, the store and the config turn text into these at their edges; nothing above them
compares or re-splits the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NewType

PageId = NewType("PageId", str)
DataSourceId = NewType("DataSourceId", str)
EnvName = NewType("EnvName", str)
RunId = NewType("RunId", int)

_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def notion_id(text: str) -> str:
    """A Notion id in its one form: lower-case, dashed ``8-4-4-4-12``.

    Notion accepts and returns ids with or without dashes; text that is not 32 hex digits
    (a test's ``"root"``) is only trimmed and lower-cased.
    """
    bare = text.strip().replace("-", "").lower()
    if not _HEX32.match(bare):
        return text.strip().lower()
    return f"{bare[:8]}-{bare[8:12]}-{bare[12:16]}-{bare[16:20]}-{bare[20:]}"


def page_id(text: str) -> PageId:
    return PageId(notion_id(text))


def data_source_id(text: str) -> DataSourceId:
    return DataSourceId(notion_id(text))


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a lock: the host and process, so an admin can find it, and a tag, so that two
    syncs started from one process never share a lease (the watch service's tag is ``watch``).
    """

    host: str
    pid: int | None
    tag: str

    def __str__(self) -> str:
        parts = [self.host]
        if self.pid is not None or self.tag:
            parts.append("" if self.pid is None else str(self.pid))
        if self.tag:
            parts.append(self.tag)
        return ":".join(parts)

    @classmethod
    def parse(cls, text: str) -> LockHolder:
        """A holder as the store keeps it (``host:pid:tag``); text in another form is a host
        with no process."""
        host, sep, rest = text.partition(":")
        pid, _, tag = rest.partition(":")
        if not sep or (pid and not pid.isdigit()):
            return cls(text, None, "")
        return cls(host, int(pid) if pid else None, tag)

    @property
    def is_service(self) -> bool:
        """Whether the holder is the ``syncer watch`` service (it never finishes on its own)."""
        return self.tag == "watch"
