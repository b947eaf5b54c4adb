"""A second, independent client: Notion's official JavaScript SDK 5.x (2025-09-03) agrees with
the sandbox."""

from __future__ import annotations

import pytest

from syncer.sandbox.server import RunningSandbox

from .clients import HERE, JS_SDK_5, run_script


@pytest.mark.integration
def test_javascript_sdk_smoke(sb: RunningSandbox) -> None:
    """@notionhq/client creates, queries with a cursor, and gets a typed 404 from the sandbox."""
    prefix = JS_SDK_5.ready()
    summary = run_script(["node", str(HERE / "smoke.mjs")], sb, NOTION_JS_PREFIX=str(prefix))
    assert summary == {
        "me": "bot",
        "firstPage": 1,
        "hasMore": True,
        "secondPage": 1,
        "date": "2026-01-05T09:00:00.000+01:00",
        "errorCode": "object_not_found",
    }
    assert {entry["notion_version"] for entry in sb.requests()} == {"2025-09-03"}
