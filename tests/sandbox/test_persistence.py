"""--state FILE: the workspace survives a restart; saves are atomic."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import notion_client

from syncer.sandbox.server import serve_in_thread
from syncer.sandbox.settings import SandboxSettings

from .helpers import Sdk, shift


def test_state_survives_restart(tmp_path: Path) -> None:
    """Databases, pages, users and the root page come back after a restart from the state file."""
    state = tmp_path / "sandbox.json"
    settings = SandboxSettings(rate_limit=None, state_file=state, save_delay_s=0.01)
    with serve_in_thread(settings) as first:
        client: Sdk = notion_client.Client(auth=first.syncer_token, base_url=first.url, retry=False)
        ada = first.add_user("Ada", "ada@example.com")
        db = client.databases.create(
            parent={"page_id": first.root_page_id},
            initial_data_source={"properties": {"Name": {"title": {}}, "Date": {"date": {}},
                                                "Rotation": {"select": {}},
                                                "Final Engineer": {"people": {}},
                                                "Sync Key": {"rich_text": {}}}},
        )  # fmt: skip
        source_id = db["data_sources"][0]["id"]
        page = client.pages.create(
            parent={"data_source_id": source_id},
            properties=shift("k", "2026-01-05", final=[ada["id"]]),
        )
        client.close()
        root = first.root_page_id
    assert json.loads(state.read_text())["root_page_id"] == root
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]
    with serve_in_thread(settings) as second:
        client = notion_client.Client(auth=second.syncer_token, base_url=second.url, retry=False)
        assert second.root_page_id == root
        again = client.pages.retrieve(page["id"])
        assert again["properties"] == page["properties"]
        results = client.data_sources.query(source_id)["results"]
        assert [p["id"] for p in results] == [page["id"]]
        assert client.users.me()["id"] == page["created_by"]["id"]
        new = client.pages.create(
            parent={"data_source_id": source_id}, properties=shift("k2", "2026-01-06")
        )
        assert [p["id"] for p in client.data_sources.query(source_id)["results"]] == [
            page["id"],
            new["id"],
        ]
        client.close()


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """The state file (people's names and emails, every page) is mode 0600 under a permissive
    umask, and one an older sandbox left world-readable becomes 0600 at the next start."""
    state = tmp_path / "sandbox.json"
    settings = SandboxSettings(rate_limit=None, state_file=state, save_delay_s=0.01)
    previous = os.umask(0o022)
    try:
        with serve_in_thread(settings) as first:
            assert stat.S_IMODE(state.stat().st_mode) == 0o600
            first.add_user("Ada", "ada@example.com")
        state.chmod(0o644)
        with serve_in_thread(settings):
            assert stat.S_IMODE(state.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
    assert "ada@example.com" in state.read_text()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
