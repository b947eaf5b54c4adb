"""`syncer demo`: seven chapters in 80 columns, within 30 s, exit 0; with --dir, files the
README's commands work on; --serve keeps the sandbox up; nothing printed that will be gone."""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from syncer.sandbox.settings import SYNCER_TOKEN
from tests.support.demo import Told, running, syncer

TITLES = (
    "A schedule and two Notion databases",
    "The first sync",
    "The app changes next week",
    "The week turns",
    "Someone edits Notion by hand",
    "The audit log",
    "Rollback",
)


def kept(told: Told, *args: str) -> Any:
    """A README command's JSON on the kept folder (local commands: no sandbox needed)."""
    folder = told.folder
    done = syncer("--config", str(folder / "syncer.toml"), "--db", str(folder / "oncall.db"), *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def state(told: Told) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((told.folder / "sandbox.json").read_text())
    return loaded


def live_pages(told: Told, database_id: str) -> list[dict[str, Any]]:
    """The pages of a database in the kept sandbox state that are not in the trash."""
    snapshot = state(told)
    sources = {s["id"] for s in snapshot["data_sources"] if s["database_id"] == database_id}
    return [
        p
        for p in snapshot["pages"]
        if p["parent"].get("data_source_id") in sources and not p["in_trash"]
    ]


def config(told: Told) -> dict[str, Any]:
    loaded: dict[str, Any] = tomllib.loads((told.folder / "syncer.toml").read_text())
    return loaded


def test_the_whole_story_runs_in_seven_chapters_within_30_seconds(told: Told) -> None:
    """The demo tells seven chapters in order, exits 0 and takes less than 30 s."""
    assert told.code == 0, told.err
    assert told.seconds < 30
    headings = [line for line in told.out.splitlines() if re.match(r"\d\. ", line)]
    assert [h.split(". ", 1)[0] for h in headings] == [str(n) for n in range(1, 8)]
    for heading, title in zip(headings, TITLES, strict=True):
        assert title in heading


def test_every_line_fits_80_columns_even_in_a_wide_terminal(told: Told) -> None:
    """No line of the story is wider than 80 columns, although COLUMNS says 200."""
    widest = max(told.out.splitlines(), key=len)
    assert len(widest) <= 80, widest


def test_the_unmapped_email_warning_appears_once(told: Told) -> None:
    """Three runs meet the same unmapped email; the story notes it once and stderr stays quiet."""
    assert told.out.count("match no Notion person") == 1
    assert "contractor@example.org" in told.chapter(2)
    assert "WARNING" not in told.err


def test_chapter_1_creates_the_databases_and_names_them_in_syncer_toml(told: Told) -> None:
    """The kept syncer.toml names the sandbox's two databases, its URL and a token variable."""
    assert "Ada, Grace, Alan, Edsger" in told.chapter(1)
    env = config(told)["environments"]["sandbox"]
    titles = {d["id"]: d["title"][0]["plain_text"] for d in state(told)["databases"]}
    assert titles[env["calendar_database_id"]] == "CALENDAR"
    assert titles[env["past_calendar_database_id"]] == "PAST CALENDAR"
    assert env["notion_token_env"] == "SANDBOX_TOKEN"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", env["notion_base_url"])


def test_chapter_2_the_first_drain_creates_every_page(told: Told) -> None:
    """The first drain's reconcile creates the 45 pages of three weeks."""
    assert "run 1 reconcile succeeded: 45 create" in told.chapter(2)
    run = kept(told, "audit", "show", "1", "--json")
    assert run["run"]["kind"] == "reconcile"
    assert [a["action"] for a in run["actions"]] == ["create"] * 45


def test_chapter_3_drain_writes_exactly_the_two_changed_pages(told: Told) -> None:
    """The app's edit and override become two updates of Monday's AM and PM pages."""
    assert "run 2 drain succeeded: 2 update (2 Notion requests)" in told.chapter(3)
    actions = kept(told, "audit", "actions", "--run", "2", "--json")
    assert sorted(a["rotation"] for a in actions) == ["AM", "PM"]
    assert {a["action"] for a in actions} == {"update"}


def test_chapter_4_the_week_turns_and_last_week_moves_to_past_calendar(told: Told) -> None:
    """A week later, drain moves last week's 15 pages and creates 15: two weeks in each database."""
    assert "run 3 drain succeeded: 15 create, 15 move" in told.chapter(4)
    env = config(told)["environments"]["sandbox"]
    assert len(live_pages(told, env["calendar_database_id"])) == 30
    assert len(live_pages(told, env["past_calendar_database_id"])) == 30


def test_chapter_5_hand_edits_are_found_by_plan_and_repaired(told: Told) -> None:
    """Plan finds both hand edits; reconcile reverts one and restores the other under its old id."""
    chapter = told.chapter(5)
    assert "Plan finds the drift: 1 restore, 1 update." in chapter
    assert "run 4 reconcile succeeded: 1 restore, 1 update" in chapter
    repair = {a["action"]: a for a in kept(told, "audit", "actions", "--run", "4", "--json")}
    assert repair["update"]["before"]["final_email"] == "someone-else@example.com"
    restored = repair["restore"]
    creates = kept(told, "audit", "actions", "--run", "1", "--json")
    original = next(a for a in creates if a["key"] == restored["key"])
    assert restored["page_id"] == original["page_id"]


def test_chapter_6_shows_the_runs_and_one_runs_actions(told: Told) -> None:
    """The audit chapter lists runs 4 to 1, then the repair's engineers before and after."""
    chapter = told.chapter(6)
    listed = re.findall(r"^\s+(\d)\s+(\w+)/", chapter, re.MULTILINE)
    assert listed == [("4", "reconcile"), ("3", "drain"), ("2", "drain"), ("1", "reconcile")]
    assert "someone-else@example.com -> " in chapter
    assert "$ syncer audit show 4" in chapter


def test_chapter_7_rollback_restores_rows_and_pages_and_ends_in_sync(told: Told) -> None:
    """Rolling back run 2 restores Monday's rows (no override) and pages; plan finds no drift."""
    chapter = told.chapter(7)
    assert "overridden by grace@example.com" in chapter.split("$ syncer rollback 2")[0]
    after = chapter.split("are back:")[1]
    assert "overridden" not in after
    assert "Plan: in sync, nothing to do." in chapter
    monday = kept(told, "audit", "actions", "--run", "2", "--json")[0]["date"]
    with closing(sqlite3.connect(told.folder / "oncall.db")) as conn:
        overrides = conn.execute(
            "SELECT COUNT(*) FROM oncall_schedule_overrides WHERE date = ?", (monday,)
        ).fetchone()[0]
        am = conn.execute(
            "SELECT engineer_email FROM oncall_schedule WHERE date = ? AND rotation = 'AM'",
            (monday,),
        ).fetchone()[0]
    assert overrides == 0
    assert am != "edsger@example.com"
    assert kept(told, "audit", "runs", "--json")[0]["kind"] == "rollback"


def test_readme_commands_work_on_the_kept_folder(told: Told, tmp_path: Path) -> None:
    """The epilogue's commands, run as printed on the kept folder, answer: audit, plan, rollback."""
    folder = shutil.copytree(told.folder, tmp_path / "kept")
    port = config(told)["environments"]["sandbox"]["notion_base_url"].rpartition(":")[2]
    assert f"syncer sandbox serve --state sandbox.json --port {port} &" in told.out
    assert f"export SANDBOX_TOKEN={SYNCER_TOKEN}" in told.out
    common = ("--config", str(folder / "syncer.toml"), "--db", str(folder / "oncall.db"))
    token = {"SANDBOX_TOKEN": SYNCER_TOKEN}
    state_file = str(folder / "sandbox.json")
    with running("sandbox", "serve", "--state", state_file, "--port", port) as (lines, _):
        lines.until("Press Ctrl+C")
        assert syncer(*common, "audit", "runs").stdout.count("succeeded") == 5
        plan = syncer(*common, "plan", "--detailed-exitcode", env=token)
        assert plan.returncode == 0, plan.stdout + plan.stderr
        dry = syncer(*common, "rollback", "4", "--dry-run", env=token)
        assert dry.returncode == 0, dry.stderr
        assert "would undo reconcile run 4" in dry.stdout


def test_without_dir_and_serve_no_path_or_address_is_printed(tmp_path: Path) -> None:
    """Without --dir the files go away, so no path is printed; without --serve, no address."""
    done = syncer("demo", "--port", "0")
    assert done.returncode == 0, done.stderr
    assert "http://" not in done.stdout
    assert not re.search(r"(^|\s)/\w", done.stdout), done.stdout
    assert "kept in" not in done.stdout


def test_serve_keeps_the_sandbox_running_and_prints_its_address() -> None:
    """--serve prints the page's address, serves it until Ctrl+C, then exits 0."""
    with running("demo", "--serve", "--port", "0") as (lines, process):
        address = re.search(r"open (http://\S+)", lines.until("The sandbox is serving"))
        assert address is not None
        page = httpx.get(address[1], timeout=30)
        assert page.status_code == 200
        assert "CALENDAR" in page.text
        lines.until("Press Ctrl+C")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0


def test_a_folder_that_already_holds_a_demo_is_refused(told: Told) -> None:
    """Telling the story again into the same --dir exits 2, names the files, touches nothing."""
    before = {path.name: path.read_bytes() for path in told.folder.iterdir()}
    done = syncer("demo", "--dir", str(told.folder), "--port", "0")
    assert done.returncode == 2
    assert "already holds oncall.db, syncer.toml, sandbox.json" in done.stderr
    assert {path.name: path.read_bytes() for path in told.folder.iterdir()} == before


def test_the_rollback_chapter_shows_whole_values_at_one_indent(told: Told) -> None:
    """Chapter 7: the restored engineer whole (not `2026-11-3` / `alan@exam`), and every line of
    the chapter's body indented 3 spaces like the other chapters."""
    chapter = told.out.split("7. Rollback", 1)[1].split("\n\n", 1)[0]
    body = [line for line in chapter.splitlines()[1:] if line.strip()]

    assert any("alan@example.com" in line and "change" in line for line in body), chapter
    assert all(line.startswith("   ") and line == line.rstrip() for line in body), chapter
    [last_run] = [line for line in body if "rollback run" in line]
    assert re.match(r"^   \S", last_run), last_run
