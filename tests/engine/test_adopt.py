"""`notion adopt` and the reconcile's rule over the in-memory Notion: pages another tool made
are taken over, never duplicated, and nothing of theirs is lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from syncer.config import Settings
from syncer.core import Key, PageId
from syncer.core.codec import PropertyNames
from syncer.engine import Engine
from tests.support.app_notion import add_app_page, app_databases, app_page
from tests.support.harness import ENV, TODAY, TOKEN_VARIABLE, settings_for_tests
from tests.support.world import ALICE, BOB, CAROL, World, key, text

LAST_WEEK = TODAY - dt.timedelta(days=7)  # Wednesday 2026-03-04: history
TOMORROW = TODAY + dt.timedelta(days=1)
NEXT_WEEK = TODAY + dt.timedelta(days=7)


def app_world(world: World) -> World:
    """The world's schedule file, with Notion databases the scheduler app's sync filled."""
    env = app_databases(world.notion, "root", ENV, TOKEN_VARIABLE)
    return dataclasses.replace(world, env=env)


def schedule(world: World) -> None:
    """The app's schedule, already in its file when syncer arrives (`db upgrade` adopts the rows
    as they are: none of them is a pending change)."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    world.app.schedule(TOMORROW, "AM", CAROL)
    world.app.schedule(LAST_WEEK, "Core", CAROL)
    world.app.schedule(NEXT_WEEK, "AM", ALICE)  # the app had not synced it yet
    store = world.context().store
    store.advance_cursor(ENV, store.last_change_id())


def fill_as_the_app_does(world: World) -> dict[str, PageId]:
    """The app's pages: this week in CURRENT, one day of last week left in CURRENT, one of this
    week filed in PAST (the app files every day before today there), a duplicate, a note."""
    current, past = world.env.calendar_database_id, world.env.past_calendar_database_id
    made = {
        "today am": add_app_page(world.notion, current, app_page(TODAY, "AM", "Alice")),
        "today pm": add_app_page(world.notion, current, app_page(TODAY, "PM", "Bob")),
        "today pm copy": add_app_page(world.notion, current, app_page(TODAY, "pm", "Bob")),
        "last week": add_app_page(world.notion, current, app_page(LAST_WEEK, "Core", "Carol")),
        "tomorrow": add_app_page(world.notion, past, app_page(TOMORROW, "AM", "Carol")),
        "note": add_app_page(world.notion, current, app_page(None, None, "Team notes")),
        "no rows": add_app_page(world.notion, past, app_page(LAST_WEEK, "PM", "Dave")),
    }
    return {name: page.page_id for name, page in made.items()}


def adopted_settings(engine: Engine) -> Settings:
    """The settings once the lines `notion adopt` printed are in syncer.toml."""
    adoption = engine.adopt(dry_run=True)
    return dataclasses.replace(
        settings_for_tests(),
        properties=adoption.schema.names,
        title_shows=adoption.title_shows,
    )


def live(world: World, database: str) -> dict[PageId, dict[str, Any]]:
    source = world.notion.data_source_id(getattr(world.env, f"{database}_database_id"))
    return {PageId(page["id"]): page for page in world.notion.live_pages(source)}


def test_the_dry_run_plans_the_schema_and_every_page_and_writes_nothing(world: World) -> None:
    """Properties to add and to rename, the page each shift keeps (the oldest), duplicates to
    trash, pages left alone with why; Notion and the file are untouched."""
    world = app_world(world)
    schedule(world)
    ids = fill_as_the_app_does(world)
    before = {db: live(world, db) for db in ("calendar", "past_calendar")}
    world.notion.calls.clear()

    adoption = world.context().adopt(dry_run=True)

    writes = [c for c in world.notion.calls if c in ("create_page", "update_page", "update_schema")]
    assert writes == []
    assert {db: live(world, db) for db in ("calendar", "past_calendar")} == before
    assert adoption.run is None
    renamed = {(c.name, c.new_name) for c in adoption.schema.changes if c.kind == "rename"}
    assert renamed == {("Orig. Engineer", "Orig. Engineer (text)"), ("Override", "Override (text)")}
    added = {
        c.name for c in adoption.schema.changes if c.kind == "add" and c.database == "calendar"
    }
    assert {"Sync Key", "Orig. Engineer", "Override", "Final Engineer (person)"} <= added
    assert adoption.schema.names.name == "Final Engineer"
    assert adoption.title_shows == "engineer"
    assert adoption.kept == {
        Key(TODAY, "AM"): ids["today am"],
        Key(TODAY, "PM"): ids["today pm"],
        Key(TOMORROW, "AM"): ids["tomorrow"],
        Key(LAST_WEEK, "Core"): ids["last week"],
    }
    trashed = [a for a in adoption.plan.actions if a.kind == "trash"]
    assert [a.page_id for a in trashed] == [ids["today pm copy"]]
    assert {u.page_id: u.why for u in adoption.unmatched} == {
        ids["note"]: "no Date and Rotation syncer can read: not a shift's page",
        ids["no rows"]: f"{key(LAST_WEEK, 'PM')}: no schedule or override row for this shift",
    }
    assert adoption.config_lines() == [
        "[properties]",
        'name = "Final Engineer"',
        'final = "Final Engineer (person)"',
        "",
        "[pages]",
        'title = "engineer"',
    ]


def test_adoption_keeps_every_page_id_files_each_page_and_writes_what_syncer_would(
    world: World,
) -> None:
    """Each shift's page keeps its id and gets syncer's values (people, emails, Sync Key, a
    date-time range); last week's CURRENT page moves to PAST, this week's PAST page comes back;
    the duplicate goes to the trash; the note and the page of no shift stay as they were; the
    app's text columns keep their values under their new names."""
    world = app_world(world)
    schedule(world)
    ids = fill_as_the_app_does(world)

    adoption = world.context().adopt()

    assert adoption.run is not None
    assert adoption.run.status == "succeeded"
    calendar, past = live(world, "calendar"), live(world, "past_calendar")
    assert set(calendar) == {ids["today am"], ids["today pm"], ids["tomorrow"], ids["note"]}
    assert set(past) == {ids["last week"], ids["no rows"]}
    today_am = calendar[ids["today am"]]
    assert text(today_am, "Sync Key") == key(TODAY, "AM")
    assert text(today_am, "Final Engineer") == "Alice"  # the title shows the engineer
    assert text(today_am, "Orig. Engineer Email") == ALICE
    assert text(today_am, "Orig. Engineer (text)") == "Alice"  # the app's own column, renamed
    assert [p["id"] for p in today_am["properties"]["Orig. Engineer"]["people"]] != []
    assert today_am["properties"]["Date"]["date"]["start"] == "2026-03-11T09:00:00+00:00"
    assert text(calendar[ids["note"]], "Final Engineer") == "Team notes"
    assert text(past[ids["no rows"]], "Final Engineer") == "Dave"
    assert "Sync Key" not in past[ids["no rows"]]["properties"]  # no shift's page: left alone
    assert world.notion.pages[ids["today pm copy"]]["in_trash"]
    assert text(past[ids["last week"]], "Sync Key") == key(LAST_WEEK, "Core")


def test_running_it_twice_changes_nothing_the_second_time(world: World) -> None:
    """A second adoption finds the schema right and every shift's page syncer's: no write."""
    world = app_world(world)
    schedule(world)
    fill_as_the_app_does(world)
    world.context().adopt()
    world.notion.calls.clear()

    again = world.context(settings=None).adopt()

    assert again.schema.changes == ()
    assert not again.plan
    writes = [c for c in world.notion.calls if c in ("create_page", "update_page", "update_schema")]
    assert writes == []


def test_after_adoption_a_drain_creates_only_what_the_app_had_not_synced(world: World) -> None:
    """With the printed lines in the config, the first drain (a reconcile) adds next week's
    shift and touches no adopted page; plan then finds nothing to do."""
    world = app_world(world)
    schedule(world)
    ids = fill_as_the_app_does(world)
    settings = adopted_settings(world.context())
    world.context().adopt()
    world.notion.calls.clear()

    results = world.context(settings=settings).drain()

    creates = [a for r in results for a in r.plan.actions if a.kind == "create"]
    assert [a.key for a in creates] == [Key(NEXT_WEEK, "AM")]
    assert [c for c in world.notion.calls if c == "update_page"] == []
    assert not world.context(settings=settings).plan().plan
    assert ids["today am"] in live(world, "calendar")


def test_a_rollback_of_the_adoption_puts_every_page_back_as_the_app_left_it(world: World) -> None:
    """Titles, days without hours, pages' databases and the trashed duplicate come back; the
    schema changes stay (syncer's new columns are empty again)."""
    world = app_world(world)
    schedule(world)
    ids = fill_as_the_app_does(world)
    settings = adopted_settings(world.context())
    run = world.context().adopt().run
    assert run is not None
    assert run.run_id is not None

    undone = world.context(settings=settings).rollback(run.run_id)

    assert undone.ok
    calendar, past = live(world, "calendar"), live(world, "past_calendar")
    assert set(calendar) == {
        ids["today am"],
        ids["today pm"],
        ids["today pm copy"],
        ids["last week"],
        ids["note"],
    }
    assert set(past) == {ids["tomorrow"], ids["no rows"]}
    today_am = calendar[ids["today am"]]
    assert text(today_am, "Final Engineer") == "Alice"
    assert today_am["properties"]["Date"]["date"] == {
        "start": "2026-03-11",
        "end": None,
        "time_zone": None,
    }
    assert text(today_am, "Sync Key") == ""
    assert text(today_am, "Orig. Engineer (text)") == "Alice"


def test_reconcile_adopts_a_page_without_a_sync_key_instead_of_duplicating_it(
    world: World,
) -> None:
    """In syncer's own databases, a hand-made page with the shift's Date and Rotation and no
    Sync Key becomes the shift's page; plan shows it as adopt."""
    world.app.schedule(TODAY, "AM", ALICE)
    made = world.notion.create_page(
        world.notion.data_source_id(world.env.calendar_database_id),
        {
            "Name": {"title": [{"text": {"content": "Alice, by hand"}}]},
            "Date": {"date": {"start": "2026-03-11T09:00:00+00:00"}},
            "Rotation": {"select": {"name": "AM"}},
        },
    )

    planned = world.context().plan().plan
    world.context().drain()

    assert [a.kind for a in planned.actions] == ["adopt", "update"]
    assert list(world.pages()) == [key(TODAY, "AM")]
    assert world.pages()[key(TODAY, "AM")]["id"] == made.page_id


def test_two_pages_without_a_sync_key_for_one_shift_keep_the_oldest(world: World) -> None:
    """The oldest is adopted; the other is trashed as its duplicate (restorable, audited)."""
    world.app.schedule(TODAY, "AM", ALICE)
    source = world.notion.data_source_id(world.env.calendar_database_id)
    props = {
        "Date": {"date": {"start": "2026-03-11"}},
        "Rotation": {"select": {"name": "AM"}},
    }
    older = world.notion.create_page(source, props)
    newer = world.notion.create_page(source, props)

    world.context().drain()

    assert world.pages()[key(TODAY, "AM")]["id"] == older.page_id
    assert world.notion.pages[newer.page_id]["in_trash"]


def test_a_page_without_a_sync_key_beside_syncers_page_is_left_alone(world: World) -> None:
    """Once the shift has syncer's page, another tool's copy is not syncer's to touch."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    source = world.notion.data_source_id(world.env.calendar_database_id)
    copy = world.notion.create_page(
        source, {"Date": {"date": {"start": "2026-03-11"}}, "Rotation": {"select": {"name": "AM"}}}
    )

    assert not world.context().plan().plan
    assert not world.notion.pages[copy.page_id]["in_trash"]


@pytest.mark.parametrize("name", [None, "Shift"])
def test_chosen_names_win_over_the_ones_syncer_picks(world: World, name: str | None) -> None:
    """--property FIELD=NAME names syncer's property for that field."""
    world = app_world(world)
    schedule(world)
    fill_as_the_app_does(world)
    chosen = {"final": "Final (person)"} | ({"name": name} if name else {})

    adoption = world.context().adopt(dry_run=True, chosen=chosen)

    assert adoption.schema.names.final == "Final (person)"
    assert adoption.schema.names.name == (name or "Final Engineer")
    assert PropertyNames().orig == adoption.schema.names.orig
