"""Which schedule file keeps a Notion database: the marker line in its description. [core]

A database's description carries one line a person can read, naming the schedule file (by the
id kept in the file, and where it was when it claimed) whose rows syncer writes there::

    Kept in sync by syncer (file 3f2a9c1b7d04 at ops-box:/srv/schedule.db); ...

A second schedule file pointed at the same databases (another checkout, a copied config) finds
another file's line and is refused before it writes; ``--take-over`` replaces the line on
purpose. The rest of the description is kept as it was, rich text and all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from syncer.core.ids import DataSourceId

JSON = dict[str, Any]

MARKER = "Kept in sync by syncer"
_MARKER = re.compile(
    r"Kept in sync by syncer \(file ([0-9A-Za-z_-]{1,64})(?: at ([^)\n]{0,300}))?\)"
)
_WHERE_LIMIT = 200  # a long path is clipped: the line is for reading, the id is what counts


@dataclass(frozen=True, slots=True)
class Holder:
    """The schedule file a database's description names: its id, and where it was."""

    file_id: str
    where: str | None = None

    def __str__(self) -> str:
        return f"file {self.file_id}" + (f" ({self.where})" if self.where else "")


@dataclass(frozen=True, slots=True)
class CachedDatabase:
    """What the schedule file remembers of one Notion database, read at ``fetched_at``: its
    data source, that data source's schema, and the file its description named (None: none)."""

    database_id: str
    data_source_id: DataSourceId
    schema: JSON
    holder: str | None
    fetched_at: dt.datetime


def marker_line(file_id: str, where: str | None) -> str:
    """The description line that says which schedule file keeps the database."""
    place = f" at {where[:_WHERE_LIMIT]}" if where else ""
    return (
        f"{MARKER} (file {file_id}{place}); pages here are rewritten from that schedule file. "
        "Another file may take over only with --take-over.\n"
    )


def _text(item: JSON) -> str:
    text = item.get("plain_text")
    if text is None:
        text = (item.get("text") or {}).get("content", "")
    return str(text)


def holder_of(description: list[JSON]) -> Holder | None:
    """The schedule file the description names, or None when it names none."""
    found = _MARKER.search("".join(_text(item) for item in description))
    if found is None:
        return None
    return Holder(found.group(1), found.group(2) or None)


def claimed_description(description: list[JSON], file_id: str, where: str | None) -> list[JSON]:
    """The description with this file's marker line first, every other part kept as it was
    (an earlier marker, this file's or another's, is replaced)."""
    kept = [_as_request(item) for item in description if not _MARKER.search(_text(item))]
    marker = {"type": "text", "text": {"content": marker_line(file_id, where)}}
    return [marker, *kept]


def _as_request(item: JSON) -> JSON:
    """A rich text object from a response, in the form a request takes (read-only parts off)."""
    if item.get("type", "text") != "text":
        return {k: v for k, v in item.items() if k not in ("plain_text", "href")}
    text = dict(item.get("text") or {"content": _text(item)})
    request: JSON = {"type": "text", "text": text}
    if "annotations" in item:
        request["annotations"] = item["annotations"]
    return request
