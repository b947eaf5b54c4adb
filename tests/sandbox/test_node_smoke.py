"""A second, independent client: Notion's official JavaScript SDK agrees with the sandbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from syncer.sandbox.server import RunningSandbox

REPO = Path(__file__).resolve().parents[2]
PREFIX = REPO / ".cache" / "npm"
PACKAGE = "@notionhq/client@5"
SCRIPT = Path(__file__).with_name("smoke.mjs")


def _install_js_sdk() -> None:
    """Install @notionhq/client into .cache/npm once (skip the test if npm cannot)."""
    if (PREFIX / "node_modules" / "@notionhq" / "client" / "package.json").exists():
        return
    PREFIX.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), PACKAGE],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"npm could not install {PACKAGE}: {done.stderr.strip()[-300:]}")


@pytest.mark.integration
def test_javascript_sdk_smoke(sb: RunningSandbox) -> None:
    """@notionhq/client creates, queries with a cursor, and gets a typed 404 from the sandbox."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the JavaScript SDK smoke test")
    _install_js_sdk()
    env = {
        **os.environ,
        "NOTION_JS_PREFIX": str(PREFIX),
        "SANDBOX_URL": sb.url,
        "SANDBOX_TOKEN": sb.syncer_token,
        "SANDBOX_ROOT": sb.root_page_id,
    }
    done = subprocess.run(
        ["node", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary == {
        "me": "bot",
        "firstPage": 1,
        "hasMore": True,
        "secondPage": 1,
        "date": "2026-01-05T09:00:00.000+01:00",
        "errorCode": "object_not_found",
    }
