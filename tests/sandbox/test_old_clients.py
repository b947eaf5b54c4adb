"""Clients of Notion-Version 2022-06-28 agree with the sandbox: Notion's JavaScript SDK 4.x and
notion-client 2.x, each installed as a user would (see ``clients.py``), over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from syncer.sandbox.server import RunningSandbox

from .clients import HERE, JS_SDK_4, PY_SDK_2, run_script

pytestmark = pytest.mark.integration


def _expected(summary: dict[str, Any]) -> dict[str, Any]:
    """What both scripts must report (the new database's id comes from the summary itself)."""
    return {
        "defaultVersion": "2022-06-28",
        "schema": ["Name", "Rotation", "When"],
        "parent": {"type": "database_id", "database_id": summary["databaseId"]},
        "databaseId": summary["databaseId"],
        "listType": "page_or_database",
        "pages": [1, True, 1, False],
        "dates": ["2026-01-05", "2026-01-07"],
        "renamed": ["Name", "Notes", "Shift", "When"],
        "notes": "swapped",
        "archived": [True, True],
        "left": 2,
        "errorCode": "object_not_found",
    }


def _versions_sent(sb: RunningSandbox) -> set[str]:
    return {entry["notion_version"] for entry in sb.requests()}


def test_javascript_sdk_4_works_through_database_ids(sb: RunningSandbox) -> None:
    """@notionhq/client 4.x creates a database with properties, pages under its database_id,
    queries with a filter and a cursor, renames a property, archives, and gets a typed 404."""
    prefix = JS_SDK_4.ready()
    summary = run_script(["node", str(HERE / "smoke_js4.mjs")], sb, NOTION_JS_PREFIX=str(prefix))
    assert summary == _expected(summary)
    assert _versions_sent(sb) == {"2022-06-28"}


def test_notion_client_2_works_through_database_ids(sb: RunningSandbox) -> None:
    """notion-client 2.5.0 does the same through databases.query, pages.create(parent=
    {"database_id": ...}), databases.update and pages.update(archived=True)."""
    python = PY_SDK_2.ready()
    summary = run_script([str(python), str(HERE / "smoke_py2.py")], sb)
    assert summary == _expected(summary)
    assert _versions_sent(sb) == {"2022-06-28"}
