"""`syncer notion adopt` as a team switching from the scheduler app's own sync runs it: over
HTTP against the sandbox, the app's databases filled through the real SDK, the README's steps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.sandbox.server import RunningSandbox
from tests.support.app_file import Shift, app_file
from tests.support.app_notion import add_app_page, app_databases, app_page
from tests.support.cli import TOKEN_VARIABLE, Cli

TODAY = dt.date(2026, 3, 11)  # a Wednesday
LAST_WEEK = TODAY - dt.timedelta(days=7)
TOMORROW = TODAY + dt.timedelta(days=1)
NEXT_WEEK = TODAY + dt.timedelta(days=7)


@pytest.fixture
def app_notion(sandbox: RunningSandbox) -> Iterator[NotionGateway]:
    """The scheduler app's own integration (the sandbox's second token)."""
    gateway = NotionGateway(sandbox.human_token, pacer=Pacer(10_000, 1), base_url=sandbox.url)
    yield gateway
    gateway.close()


@pytest.fixture
def switching(cli: Cli, app_notion: NotionGateway, tmp_path: Path) -> Cli:
    """The app's file and databases with a week of its pages, a config naming them (nothing
    else), and the file upgraded with `syncer db upgrade`, as the README's steps begin."""
    env = app_databases(app_notion, cli.sandbox.root_page_id, "test", TOKEN_VARIABLE)
    cli.sandbox.add_user("Bob", "bob@example.com")
    rows: tuple[Shift, ...] = (
        (LAST_WEEK, "Core", "bob@example.com"),
        (TODAY, "AM", "ada@example.com"),
        (TODAY, "PM", "bob@example.com"),
        (TOMORROW, "AM", "ada@example.com"),
        (NEXT_WEEK, "AM", "bob@example.com"),  # the app had not synced it yet
    )
    cli = dataclasses.replace(cli, db=app_file(tmp_path / "app.db", rows))
    assert cli("db", "upgrade").exit_code == 0
    current, past = env.calendar_database_id, env.past_calendar_database_id
    pages: tuple[tuple[str, dt.date | None, str | None, str], ...] = (
        (past, LAST_WEEK, "Core", "Bob"),
        (current, TODAY, "AM", "Ada"),
        (current, TODAY, "PM", "Bob"),
        (current, TODAY, "PM", "Bob"),  # a duplicate the app's retries left
        (current, TOMORROW, "AM", "Ada"),
        (current, None, None, "Team notes"),  # not a shift's page
    )
    for database, when, select, name in pages:
        add_app_page(app_notion, database, app_page(when, select, name))
    text = cli.config.read_text()
    for old, new in (
        (_database_line(text, "calendar"), f'calendar_database_id = "{current}"'),
        (_database_line(text, "past_calendar"), f'past_calendar_database_id = "{past}"'),
    ):
        text = text.replace(old, new)
    cli.config.write_text(text)
    return cli


def _database_line(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"{name}_database_id"))


def run(cli: Cli, *args: str) -> Any:
    return cli("--today", TODAY.isoformat(), *args)


def live_pages(cli: Cli) -> list[dict[str, Any]]:
    """The live pages of the two databases (not the workspace's root page)."""
    return [
        page
        for page in cli.sandbox.dump()["pages"]
        if not page.get("in_trash") and "Final Engineer" in page["properties"]
    ]


def test_the_readme_steps_take_the_databases_over_keeping_every_page(switching: Cli) -> None:
    """dry run (nothing changes), adopt >> syncer.toml, drain, plan: in sync, one page per
    shift, every page the app made for a scheduled shift kept under its id."""
    before = switching.sandbox.dump()
    app_ids = {page["id"] for page in live_pages(switching)}

    dry = run(switching, "notion", "adopt", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert switching.sandbox.dump() == before
    assert "Once adopted, syncer.toml needs these lines:" in dry.stdout
    assert "1 duplicate(s) trashed" in dry.stdout

    adopted = run(switching, "notion", "adopt")
    assert adopted.exit_code == 0, adopted.output
    assert "adopt run 1 succeeded" in adopted.stderr
    lines = tomllib.loads(adopted.stdout)
    assert lines["pages"] == {"title": "engineer"}
    assert lines["properties"]["name"] == "Final Engineer"
    with switching.config.open("a") as config:
        config.write("\n" + adopted.stdout)

    assert run(switching, "drain").exit_code == 0
    planned = run(switching, "plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output

    pages = live_pages(switching)
    scheduled = [(_date(page), _select(page)) for page in pages if _select(page) is not None]
    assert len(scheduled) == len(set(scheduled)) == 5  # one page per shift
    new = {page["id"] for page in pages} - app_ids
    assert len(new) == 1  # next week's shift, which the app had not synced
    assert len(app_ids - {page["id"] for page in pages}) == 1  # the duplicate, trashed

    again = run(switching, "notion", "adopt")
    assert again.exit_code == 0
    assert again.stdout == ""
    assert "Nothing to adopt" in again.stderr


def _date(page: dict[str, Any]) -> str:
    return str(page["properties"]["Date"]["date"]["start"])[:10]


def _select(page: dict[str, Any]) -> str | None:
    rotation = page["properties"].get("Rotation", {}).get("select")
    return rotation["name"] if rotation else None


def test_a_config_with_a_properties_table_is_told_to_replace_it(switching: Cli) -> None:
    """Appending a second [properties] table would break the file: stdout stays empty and the
    report names the table and the lines to put in it."""
    with switching.config.open("a") as config:
        config.write('\n[properties]\nsync_key = "Sync Key"\n')

    adopted = run(switching, "notion", "adopt")

    assert adopted.exit_code == 0, adopted.output
    assert adopted.stdout == ""
    assert "syncer.toml has [properties] already: replace it with these lines:" in adopted.stderr
    assert 'name = "Final Engineer"' in adopted.stderr


def test_the_json_document_lists_schema_changes_pages_and_config_lines(switching: Cli) -> None:
    done = run(switching, "--json", "notion", "adopt", "--dry-run")

    assert done.exit_code == 0
    document = json.loads(done.stdout)
    assert document["dry_run"] is True
    assert document["run"] is None
    changes = document["schema_changes"]
    renamed = {c["property"]: c["new_name"] for c in changes if c["change"] == "rename"}
    assert renamed["Orig. Engineer"] == "Orig. Engineer (text)"
    assert {a["action"] for a in document["actions"]} == {"adopt", "update", "trash"}
    assert [page["reason"] for page in document["left_alone"]] == [
        "no Date and Rotation syncer can read: not a shift's page"
    ]
    assert document["config_lines"][0] == "[properties]"


def test_the_audit_shows_the_schema_changes_and_a_rollback_puts_the_pages_back(
    switching: Cli,
) -> None:
    renamed = {"Orig. Engineer": "Orig. Engineer (text)", "Override": "Override (text)"}
    app_values = sorted(
        str({renamed.get(name, name): value for name, value in page["properties"].items()})
        for page in live_pages(switching)
    )
    adopted = run(switching, "notion", "adopt")
    with switching.config.open("a") as config:
        config.write("\n" + adopted.stdout)

    shown = run(switching, "audit", "show", "1")
    assert shown.exit_code == 0
    assert "Schema changes" in shown.stdout
    assert "Orig. Engineer (text)" in shown.stdout
    shown_json = json.loads(run(switching, "--json", "audit", "show", "1").stdout)
    assert {c["status"] for c in shown_json["schema_changes"]} == {"applied"}

    rolled = run(switching, "rollback", "1")
    assert rolled.exit_code == 0, rolled.output
    # The pages hold the app's values again (syncer's added properties stay, empty).
    restored = [
        {name: value for name, value in page["properties"].items() if _was_the_apps(name)}
        for page in live_pages(switching)
    ]
    assert sorted(str(props) for props in restored) == app_values


def _was_the_apps(name: str) -> bool:
    return name in {
        "Final Engineer",
        "Date",
        "Rotation",
        "Orig. Engineer (text)",
        "Override (text)",
    }


def test_a_property_choice_that_is_not_field_equals_name_is_a_usage_error(
    switching: Cli,
) -> None:
    done = run(switching, "notion", "adopt", "--property", "Final Engineer")

    assert done.exit_code == 2
    assert "is not FIELD=NAME" in done.output
