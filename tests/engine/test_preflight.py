"""The write test against the in-memory Notion: the page never stays behind, steps are timed."""

from __future__ import annotations

import itertools

import pytest

from syncer.core.gateway import RawPage
from syncer.engine.preflight import write_test
from tests.support.fake_gateway import FakeGateway
from tests.support.harness import settings_for_tests
from tests.support.world import World


class Interrupted(FakeGateway):
    """Notion as the fake has it, but the user presses Ctrl+C during the move."""

    def move_page(self, page_id: str, data_source_id: str) -> RawPage:
        raise KeyboardInterrupt


def test_ctrl_c_during_the_write_test_still_trashes_the_scratch_page(world: World) -> None:
    """Interrupted mid-test, the preflight trashes its page before the interrupt goes on."""
    notion = Interrupted()
    notion.__dict__.update(world.notion.__dict__)

    with pytest.raises(KeyboardInterrupt):
        write_test(settings_for_tests(), world.env, notion, sleep=lambda _: None)

    made = [page for page in notion.pages.values() if "self-test" in str(page["properties"])]
    assert [page["in_trash"] for page in made] == [True]


def test_each_step_is_timed_by_the_clock_it_is_given(world: World) -> None:
    """Round-trip times come from the injected timer: one tick per request here."""
    ticks = itertools.count()

    report = write_test(
        settings_for_tests(),
        world.env,
        world.notion,
        timer=lambda: float(next(ticks)),
        new_id=lambda: "0123456789abcdef",
    )

    assert report.ok
    assert report.sync_key == "syncer-selftest/0123456789abcdef"
    assert [step.seconds for step in report.steps] == [1.0] * 5
    assert world.pages() == {}
    assert world.pages("past") == {}


def test_a_partial_move_answer_is_read_and_lost_values_rewritten_as_a_drain_would(
    world: World,
) -> None:
    """The preflight moves like syncer: a move answered with an id is read back, and what the
    move dropped is written again before the final comparison."""
    world.notion.move_answer = "id"
    world.notion.move_values = "title-only"

    report = write_test(settings_for_tests(), world.env, world.notion)

    assert report.ok
    names = [step.name for step in report.steps]
    assert names == ["create", "update", "move", "read moved", "rewrite", "read back", "trash"]
    assert "id only" in report.steps[2].detail
    assert "lost 9 of 10 values" in report.steps[3].detail
