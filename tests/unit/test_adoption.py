"""The schema a takeover plans: renames out of the way, chosen names, and refusals."""

from __future__ import annotations

import dataclasses

import pytest

from syncer.core.adoption import SchemaChange, plan_schema
from syncer.core.codec import PropertyNames
from syncer.core.errors import ConfigError

# The scheduler app's own sync: the engineer's name is the title, the others are text.
APP = {
    "Final Engineer": "title",
    "Date": "date",
    "Rotation": "select",
    "Orig. Engineer": "rich_text",
    "Override": "rich_text",
}


def test_the_apps_schema_keeps_its_title_and_moves_its_text_out_of_the_way() -> None:
    plan = plan_schema({"calendar": APP, "past": APP}, PropertyNames())

    assert plan.names.name == "Final Engineer"
    assert plan.names.final == "Final Engineer (person)"
    assert SchemaChange(
        "calendar",
        "rename",
        "Orig. Engineer",
        "rich_text",
        "Orig. Engineer (text)",
        "syncer needs 'Orig. Engineer' as people; its rich_text values stay here",
    ) in plan.for_database("calendar")
    # Both databases share one set of names, so both get the same changes.
    assert [dataclasses.replace(c, database="calendar") for c in plan.for_database("past")] == list(
        plan.for_database("calendar")
    )


def test_a_renamed_property_takes_a_numbered_name_when_its_plain_one_is_taken() -> None:
    schema = {**APP, "Orig. Engineer (text)": "rich_text"}
    plan = plan_schema({"calendar": schema}, PropertyNames())

    renamed = {c.name: c.new_name for c in plan.changes if c.kind == "rename"}
    assert renamed["Orig. Engineer"] == "Orig. Engineer (text) 2"


def test_past_calendars_title_takes_calendars_name_after_moving_a_holder_of_it() -> None:
    """PAST CALENDAR's title is renamed to CALENDAR's; a text property of that name moves."""
    past = {"Title": "title", "Final Engineer": "rich_text", "Date": "date"}
    plan = plan_schema({"calendar": APP, "past": past}, PropertyNames())

    renames = [(c.name, c.new_name) for c in plan.for_database("past") if c.kind == "rename"]
    assert renames[:2] == [
        ("Final Engineer", "Final Engineer (text)"),
        ("Title", "Final Engineer"),
    ]


def test_a_chosen_name_wins_over_the_default() -> None:
    plan = plan_schema({"calendar": APP}, PropertyNames(), {"orig": "Scheduled"})

    assert plan.names.orig == "Scheduled"
    assert "Orig. Engineer" not in {c.name for c in plan.changes}


def test_a_chosen_field_that_does_not_exist_is_refused_with_the_fields_named() -> None:
    with pytest.raises(ConfigError, match=r"--property engineer=\.\.\.: no such field") as caught:
        plan_schema({"calendar": APP}, PropertyNames(), {"engineer": "Who"})

    assert "final" in (caught.value.hint or "")


def test_two_fields_given_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="would share a name"):
        plan_schema({"calendar": APP}, PropertyNames(), {"date": "Rotation"})
