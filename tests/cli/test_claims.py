"""Two schedule files pointed at the same Notion databases: the one that claimed them keeps
them; the other is refused (exit 2, nothing written) until it takes them over on purpose."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncer.config import load_settings
from syncer.core.claims import holder_of
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from tests.support.cli import Cli
from tests.support.harness import App, schedule_db

TODAY = "2026-03-11"


@pytest.fixture
def gateway(cli: Cli) -> Iterator[NotionGateway]:
    gateway = NotionGateway(cli.token, pacer=Pacer(10_000, 1), base_url=cli.sandbox.url)
    yield gateway
    gateway.close()


@pytest.fixture
def laptop(cli: Cli, tmp_path: Path) -> Cli:
    """A second schedule file with the same config (a copy on a laptop, another checkout)."""
    folder = tmp_path / "laptop"
    folder.mkdir()
    db = schedule_db(folder)
    return Cli(db, cli.config, App(db), cli.sandbox, cli.token)


def file_id(cli: Cli) -> str:
    with sqlite3.connect(cli.db) as conn:
        found = conn.execute("SELECT file_id FROM sync_file").fetchone()[0]
    conn.close()
    return str(found)


def database_ids(cli: Cli) -> list[str]:
    env = load_settings(cli.config).environment("test")
    return [env.calendar_database_id, env.past_calendar_database_id]


def live_keys(cli: Cli, gateway: NotionGateway) -> set[str]:
    calendar = database_ids(cli)[0]
    pages = gateway.query_pages(gateway.data_source_id(calendar))
    return {
        "".join(t["plain_text"] for t in page.properties["Sync Key"]["rich_text"]) for page in pages
    }


def writes(cli: Cli) -> list[str]:
    return [
        f"{r['method']} {r['path']}"
        for r in cli.sandbox.requests()
        if r["method"] in ("POST", "PATCH") and not r["path"].endswith("/query")
    ]


def test_the_first_write_claims_both_databases_and_keeps_their_description(
    cli: Cli, gateway: NotionGateway
) -> None:
    """After a drain each description names this file first; what a person wrote stays."""
    calendar, past = database_ids(cli)
    gateway.set_description(calendar, [{"type": "text", "text": {"content": "Team rota."}}])
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    assert cli("--today", TODAY, "drain").exit_code == 0

    for database_id in (calendar, past):
        description = gateway.database(database_id).description
        holder = holder_of(description)
        assert holder is not None
        assert holder.file_id == file_id(cli)
        assert str(cli.db.resolve()) in (holder.where or "")
    texts = [item["plain_text"] for item in gateway.database(calendar).description]
    assert texts[0].startswith("Kept in sync by syncer (file ")
    assert texts[1:] == ["Team rota."]


def test_a_second_file_is_refused_before_any_write_and_may_take_over_on_purpose(
    cli: Cli, laptop: Cli, gateway: NotionGateway
) -> None:
    """The laptop's reconcile exits 2 naming the keeper; --take-over proceeds; then the first
    file is the one refused."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "PM", "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 0
    laptop.app.schedule(TODAY, "Core", "ada@example.com")
    kept = live_keys(cli, gateway)

    cli.sandbox.clear_requests()
    refused = laptop("--today", TODAY, "reconcile")

    assert refused.exit_code == 2, refused.output
    assert f"kept by file {file_id(cli)}" in refused.stderr
    assert str(cli.db.resolve()) in refused.stderr
    assert "--take-over" in refused.stderr
    assert writes(cli) == []
    assert live_keys(cli, gateway) == kept

    taken = laptop("--today", TODAY, "reconcile", "--take-over")

    assert taken.exit_code == 0, taken.output
    assert live_keys(cli, gateway) == {"2026-03-11/Core"}
    for database_id in database_ids(cli):
        holder = holder_of(gateway.database(database_id).description)
        assert holder is not None
        assert holder.file_id == file_id(laptop)

    cli.sandbox.clear_requests()
    back = cli("--today", TODAY, "reconcile")

    assert back.exit_code == 2, back.output
    assert f"kept by file {file_id(laptop)}" in back.stderr
    assert writes(cli) == []
    assert live_keys(cli, gateway) == {"2026-03-11/Core"}


def test_under_json_the_refusal_has_its_own_code(
    cli: Cli, laptop: Cli, gateway: NotionGateway
) -> None:
    """--json: {"error": {"code": "claimed_elsewhere", ...}} with exit 2."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 0
    laptop.app.schedule(TODAY, "PM", "ada@example.com")

    result = laptop("--today", TODAY, "--json", "drain")

    assert result.exit_code == 2, result.output
    assert '"code": "claimed_elsewhere"' in result.stdout


def test_a_second_file_whose_plan_the_guards_refuse_is_told_the_databases_are_not_its_own(
    cli: Cli, laptop: Cli, gateway: NotionGateway
) -> None:
    """Its plan would trash most of what the first file keeps; the refusal says why --force
    would not help (exit 2, `claimed_elsewhere`), not merely that the guard fired (exit 3)."""
    for day in ("2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"):
        for rotation in ("AM", "Core", "PM"):
            cli.app.schedule(day, rotation, "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 0
    laptop.app.schedule(TODAY, "Core", "ada@example.com")
    kept = live_keys(cli, gateway)
    cli.sandbox.clear_requests()

    refused = laptop("--today", TODAY, "--json", "reconcile")

    assert refused.exit_code == 2, refused.output
    assert '"code": "claimed_elsewhere"' in refused.stdout
    assert writes(cli) == []
    assert live_keys(cli, gateway) == kept
