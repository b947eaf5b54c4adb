"""Identifiers and timestamps in Notion's formats: dashed UUIDs and millisecond ISO times in UTC."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import urllib.parse
import uuid

_HEX32 = re.compile(r"[0-9a-f]{32}")
_PROPERTY_ID_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:;<=>?@[]^`{|}~"
)
_NAMESPACE = uuid.UUID("6f1c3a52-5b7e-4c43-9d0e-2b8f0e6b1a11")


def new_id() -> str:
    """A fresh object id, dashed like the ids Notion returns."""
    return str(uuid.uuid4())


def stable_id(seed: str) -> str:
    """An id derived from ``seed``, the same on every run (used for integration bot users)."""
    return str(uuid.uuid5(_NAMESPACE, seed))


def parse_id(raw: str) -> str | None:
    """The dashed, lower-case form of an id given with or without dashes (None if not an id)."""
    compact = raw.replace("-", "").lower()
    if not _HEX32.fullmatch(compact):
        return None
    return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"


def compact_id(object_id: str) -> str:
    """An id without dashes, as Notion writes it in URLs."""
    return object_id.replace("-", "")


def new_property_id() -> str:
    """A short, URL-encoded property id such as ``%3AUPp``, passed through by clients as is."""
    raw = "".join(secrets.choice(_PROPERTY_ID_ALPHABET) for _ in range(4))
    return urllib.parse.quote(raw, safe="")


def format_timestamp(moment: dt.datetime) -> str:
    """``moment`` (aware) as Notion's object timestamp: UTC, milliseconds, ``Z``."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def object_timestamp(*, exact: bool) -> str:
    """Now, as an object timestamp; truncated to the minute like Notion's unless ``exact``."""
    now = dt.datetime.now(dt.UTC)
    if not exact:
        now = now.replace(second=0, microsecond=0)
    return format_timestamp(now)


def request_timestamp() -> str:
    """Now with millisecond precision, for the request log."""
    return format_timestamp(dt.datetime.now(dt.UTC))
