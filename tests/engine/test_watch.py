"""The watch loop on a hand-moved clock: it drains what is committed, turns the week, backs off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable

from syncer.core import ActionRecord, Key, LockHolder
from syncer.core.commit import LATE_WRITE, Commit
from syncer.engine.options import RunOptions
from syncer.engine.watch import Watcher, WatchSettings
from syncer.service.metrics import Feeder, Metrics
from syncer.store.audit import RunFilter
from tests.support.harness import ENV, TODAY
from tests.support.world import ALICE, BOB, World, key


def run_watch(
    world: World,
    script: dict[int, Callable[[], None]],
    ticks: int,
    after_sync: Callable[[], None] | None = None,
) -> list[float]:
    """Run the loop for ``ticks`` looks; ``script[n]`` runs at the n-th look (the app's edits).

    Each of the loop's sleeps moves the test's clock instead of waiting, and the stop request
    is set after the last look. Returns the sleeps, for checking the back-off.
    """
    options = RunOptions(holder=LockHolder("test", None, "watch"))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        world.clock.advance(dt.timedelta(seconds=seconds))
        looks = len([s for s in slept if s == 0.5])
        if looks in script:
            script.pop(looks)()
        if looks >= ticks:
            options.stop.set(15)

    # The service follows the clock's date (nothing pins today).
    engine = dataclasses.replace(world.context(today=None), sleep=sleep, options=options)
    watcher = Watcher(engine, watch=WatchSettings(poll=0.5), after_sync=after_sync)
    watcher.run()
    return slept


def test_a_commit_is_drained_at_the_next_look(world: World) -> None:
    """A row written between two looks is in Notion after the next one."""
    run_watch(world, {2: lambda: world.app.schedule(TODAY, "AM", ALICE)}, ticks=3)

    assert set(world.pages()) == {key(TODAY, "AM")}


def test_the_week_turning_moves_last_weeks_pages_without_a_change(world: World) -> None:
    """When the clock passes Monday, the page of last week goes to PAST CALENDAR by itself."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.clock.now = dt.datetime(2026, 3, 15, 23, 59, 58, tzinfo=dt.UTC)  # Sunday night
    world.app.schedule(TODAY, "PM", BOB)

    run_watch(world, {}, ticks=8)  # four seconds: into Monday 16 March

    assert set(world.pages("past")) == {key(TODAY, "AM"), key(TODAY, "PM")}
    assert world.pages("calendar") == {}


def test_after_a_failure_it_waits_longer_each_time_up_to_a_cap(world: World) -> None:
    """Notion down: attempts are spaced by growing waits instead of every half second."""
    world.app.schedule(TODAY, "AM", ALICE)
    for _ in range(200):  # every create: the data sources and people come from the file's cache
        world.notion.fail_next("create_page", 503)

    run_watch(world, {}, ticks=240)  # two minutes of looks

    runs = sorted(world.context().store.find_runs(RunFilter(env=ENV)), key=lambda r: r.run_id)
    starts = [run.started_at for run in runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert 4 <= len(runs) <= 8  # not one run per look
    assert gaps == sorted(gaps)  # each wait at least as long as the one before
    assert gaps[-1] > 4 * gaps[0]
    world.notion.clear_faults()


def test_a_key_whose_late_write_may_still_land_is_looked_up_once_the_window_passed(
    world: World,
) -> None:
    """A create that succeeded after a time-out leaves its key failing; the service looks it
    up by Sync Key once twice the request timeout (65 s) has passed, not at every look."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    store = world.context().store
    run_id = store.start_run(ENV, "drain", "cli", world.clock())
    shift = Key(TODAY, "AM")
    late = ActionRecord(run_id, ENV, shift, "create", "applied", world.clock(), error=LATE_WRITE)
    store.commit(Commit(late, mark_failing=True))
    world.notion.calls.clear()

    run_watch(world, {}, ticks=200)  # 100 s of looks: too soon
    assert "query_pages" not in world.notion.calls
    assert [str(f.key) for f in store.failing_keys(ENV)] == [key(TODAY, "AM")]

    run_watch(world, {}, ticks=80)  # past 130 s: looked up once, then settled
    assert world.notion.calls.count("query_pages") == 2  # CALENDAR and PAST CALENDAR
    assert store.failing_keys(ENV) == []


def test_a_back_off_is_logged_in_words_without_a_class_name(
    world: World, log_lines: list[str]
) -> None:
    """`watch.backoff: Notion: ...`, never `TransientNotionError: ...` (an internal name)."""
    world.app.schedule(TODAY, "AM", ALICE)
    for _ in range(5):  # the first drain's reconcile cannot read Notion: the run fails
        world.notion.fail_next("query_pages", 503)

    run_watch(world, {}, ticks=4)
    world.notion.clear_faults()

    backoffs = [line for line in log_lines if "watch.backoff" in line]
    assert backoffs
    assert all("NotionError" not in line for line in backoffs), backoffs
    assert all("watch.backoff: Notion" in line for line in backoffs), backoffs


def test_every_run_the_loop_records_is_counted_in_the_metrics_failed_ones_included(
    world: World,
) -> None:
    """Notion down for a while: /metrics counts each failed drain as the run records do."""
    world.app.schedule(TODAY, "AM", ALICE)
    world.context().drain()
    world.app.schedule(TODAY, "PM", BOB)
    world.context().data_source.forget()  # so that every drain asks Notion for its databases
    for _ in range(200):
        world.notion.fail_next("data_source_id", 503)
    metrics = Metrics()
    feed = Feeder(world.context(), metrics)

    run_watch(world, {}, ticks=60, after_sync=feed.runs)  # 30 s of looks, Notion down throughout
    world.notion.clear_faults()

    runs = world.context().store.find_runs(RunFilter(env=ENV))
    recorded = Counter((run.kind, run.status) for run in runs[:-1])  # the first drain came before
    samples = [sample for family in metrics.registry.collect() for sample in family.samples]
    counted = {
        (sample.labels["kind"], sample.labels["status"]): sample.value
        for sample in samples
        if sample.name == "syncer_runs_total"
    }
    pending = [sample.value for sample in samples if sample.name == "syncer_pending_changes"]
    assert recorded[("drain", "failed")] >= 3
    assert counted == recorded
    assert pending == [world.context().store.pending_count(ENV)] == [1]
