"""The databases' data sources and schemas are remembered between runs: a run with nothing to
repair costs only its queries, and a schema changed by hand is noticed, re-read, never written
past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from syncer.core import DataSourceId
from syncer.core.claims import marker_line
from syncer.core.errors import ClaimedElsewhere, ConfigError
from tests.support.harness import TODAY
from tests.support.world import ALICE, BOB, World

METADATA = ("data_source_id", "schema")
WRITES = ("create_page", "update_page", "move_page", "set_description")


def source(world: World, database: str = "calendar") -> str:
    database_id = (
        world.env.calendar_database_id
        if database == "calendar"
        else world.env.past_calendar_database_id
    )
    return world.notion.databases[database_id.replace("-", "")]


def rename_by_hand(world: World, old: str, new: str) -> None:
    """A person renames a property in Notion's UI (every database, as a team would)."""
    for database in ("calendar", "past"):
        world.notion.update_schema(DataSourceId(source(world, database)), {old: {"name": new}})


def synced(world: World) -> None:
    world.app.schedule(TODAY, "AM", ALICE)
    world.app.schedule(TODAY, "PM", BOB)
    assert all(result.ok for result in world.context().drain())


def test_a_reconcile_with_nothing_to_repair_reads_no_metadata(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """The second run (a new process) sends its queries only: no database or schema read."""
    synced(world)
    calls()

    result = world.context().reconcile()

    assert result.ok
    sent = calls()
    assert sent
    assert set(sent) == {"query_pages"}


def test_metadata_older_than_the_people_ttl_is_read_again(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Past people_ttl (6 h) a run re-reads each database and schema once, then caches again."""
    synced(world)
    world.clock.advance(dt.timedelta(hours=7))
    calls()

    world.context().reconcile()

    sent = calls()
    assert sent.count("data_source_id") == 2
    assert sent.count("schema") == 2


def test_a_property_renamed_by_hand_is_noticed_by_the_first_read_and_nothing_is_written(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """The cached schema says "Final Engineer" exists; the pages say otherwise: syncer reads the
    schema again, finds the property gone and refuses, writing nothing."""
    synced(world)
    rename_by_hand(world, "Final Engineer", "On call")
    calls()

    with pytest.raises(ConfigError, match="Final Engineer"):
        world.context().reconcile()

    sent = calls()
    assert "schema" in sent  # re-read, because the pages did not match
    assert not set(sent) & set(WRITES)


def test_a_write_refused_for_a_renamed_property_drops_the_cache_and_the_next_run_refuses(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """A drain's create is answered "Sync Key is not a property that exists" (renamed by hand):
    that key fails, nothing lands; the next drain reads the schema again and refuses, naming
    the property, before any write."""
    synced(world)
    rename_by_hand(world, "Sync Key", "Key")
    tomorrow = TODAY + dt.timedelta(days=1)
    world.app.schedule(tomorrow, "AM", ALICE)

    results = world.context().drain()

    assert not results[-1].ok
    assert world.context().store.cached_database(world.env.calendar_database_id) is None
    calls()
    with pytest.raises(ConfigError, match="Sync Key"):
        world.context().drain()
    sent = calls()
    assert "schema" in sent
    assert not set(sent) & set(WRITES)


def test_a_rename_and_back_between_runs_changes_nothing(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Renamed and renamed back before the next run: the cached schema still holds, so the
    next run reads no metadata and repairs nothing."""
    synced(world)
    rename_by_hand(world, "Final Engineer", "On call")
    rename_by_hand(world, "On call", "Final Engineer")
    calls()

    result = world.context().reconcile()

    assert result.ok
    assert result.plan is not None
    assert not [a for a in result.plan.actions if a.kind != "skip"]
    assert set(calls()) == {"query_pages"}


def test_a_run_that_trashes_reads_the_claim_again_even_from_a_fresh_cache(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """Another file took the databases over since this one cached its claim: a reconcile that
    would trash reads the description first and is refused, trashing nothing."""
    synced(world)
    for database_id in (world.env.calendar_database_id, world.env.past_calendar_database_id):
        taken = [{"type": "text", "text": {"content": marker_line("0123456789ab", "laptop:/x.db")}}]
        world.notion.descriptions[database_id.replace("-", "")] = taken
    world.app.execute("DELETE FROM oncall_schedule WHERE rotation = 'PM'")
    calls()

    with pytest.raises(ClaimedElsewhere, match="file 0123456789ab"):
        world.context().reconcile()

    sent = calls()
    assert "data_source_id" in sent  # the database (and its description) read again
    assert not set(sent) & set(WRITES)


def test_the_watch_services_context_reads_the_schema_again_in_a_later_run(
    world: World, calls: Callable[[], list[str]]
) -> None:
    """One context across runs (as the watch service keeps it): a rename by hand between two of
    its runs is re-read and refused by name, not taken for a change during the read."""
    synced(world)
    engine = world.context()
    engine.data_source.forget()  # so that this context reads the metadata itself
    assert engine.reconcile().ok
    rename_by_hand(world, "Final Engineer", "On call")
    calls()

    with pytest.raises(ConfigError, match="does not have the schema"):
        engine.reconcile()

    assert "schema" in calls()
