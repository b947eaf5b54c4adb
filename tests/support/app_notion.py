"""What the scheduler app's own Notion sync leaves behind: its databases and its pages.

Per shift, one page: ``Date`` the day only (no time, no end), ``Rotation`` a select,
``Final Engineer`` the **title** holding the final engineer's display name, ``Orig. Engineer``
and ``Override`` rich text holding names (not people), and no key property.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from syncer.config import Environment
from syncer.core import EnvName
from syncer.core.gateway import Gateway, RawPage

JSON = dict[str, Any]

APP_SCHEMA: JSON = {
    "Final Engineer": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {"select": {"options": [{"name": r} for r in ("AM", "Core", "PM")]}},
    "Orig. Engineer": {"rich_text": {}},
    "Override": {"rich_text": {}},
}


def _text(value: str | None) -> list[JSON]:
    return [{"type": "text", "text": {"content": value}}] if value else []


def app_page(day: dt.date | None, rotation: str | None, final: str, orig: str = "") -> JSON:
    """A page's properties as the app writes them (names, not people; the day alone)."""
    properties: JSON = {
        "Final Engineer": {"title": _text(final)},
        "Orig. Engineer": {"rich_text": _text(orig or final)},
        "Override": {"rich_text": []},
    }
    if day is not None:
        properties["Date"] = {"date": {"start": day.isoformat()}}
    if rotation is not None:
        properties["Rotation"] = {"select": {"name": rotation}}
    return properties


def app_databases(gateway: Gateway, parent: str, name: str, token_env: str) -> Environment:
    """The app's CURRENT and PAST databases, empty, as an environment syncer is pointed at."""
    current = gateway.create_database(parent, "Current on-call", APP_SCHEMA)
    past = gateway.create_database(parent, "Past on-call", APP_SCHEMA)
    return Environment(EnvName(name), token_env, current, past)


def add_app_page(gateway: Gateway, database_id: str, properties: JSON) -> RawPage:
    return gateway.create_page(gateway.data_source_id(database_id), properties)
