"""The fault campaign, reduced: a handful of seeded scenarios, each with zero violations."""

from __future__ import annotations

from typing import Any

import notion_client
import pytest

from syncer.store import upgrade
from tests.chaos.scenario import Scenario, replay_command, run_scenario

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("seed", range(1, 9))
def test_a_seeded_chaos_scenario_keeps_every_invariant(seed: int) -> None:
    """Faults, kills, hand edits and week turns; then the oracle finds nothing wrong."""
    result = run_scenario(seed)
    assert result.runs > 0
    assert not result.violations, f"{replay_command(seed)}\n" + "\n".join(result.violations)


def _edit_a_page_by_hand(scenario: Scenario) -> None:
    page = scenario._live_pages()[0]
    title = {"title": [{"text": {"content": "changed after the clean runs"}}]}
    scenario.human.pages.update(page["id"], properties={"Name": title})


def _create_a_page_behind_syncers_back(scenario: Scenario) -> None:
    """A page made with syncer's own token that no audit row names (a lost audit row)."""
    page: dict[str, Any] = scenario._live_pages()[0]
    key = page["properties"]["Sync Key"]["rich_text"][0]["plain_text"]
    syncer = notion_client.Client(auth=scenario.sandbox.syncer_token, base_url=scenario.sandbox.url)
    try:
        syncer.pages.update(page["id"], in_trash=True)
        syncer.pages.create(
            parent={"data_source_id": page["parent"]["data_source_id"]},
            properties={
                "Name": {"title": [{"text": {"content": "no audit row"}}]},
                "Sync Key": {"rich_text": [{"text": {"content": key}}]},
            },
        )
    finally:
        syncer.close()


def _reset_the_schedule_and_put_the_triggers_back_by_hand(scenario: Scenario) -> None:
    """The app's reset, then `db upgrade` by hand: capture is on again, but what the reset
    changed was never captured, and no reconcile ran (what syncer's restore exists for)."""
    scenario._app_reset(scenario.horizon)
    latest = "(SELECT id FROM oncall_schedule ORDER BY date DESC LIMIT 1)"  # a page in CALENDAR
    update = f"UPDATE oncall_schedule SET engineer_email = ? WHERE id = {latest}"
    scenario._sql([(update, ("changed@example.com",))])
    upgrade(scenario.db)


def _leak_the_token(scenario: Scenario) -> None:
    (scenario.folder / "leak.log").write_text(f"token={scenario.sandbox.syncer_token}\n")


@pytest.mark.parametrize(
    ("sabotage", "found"),
    [
        (_edit_a_page_by_hand, "name: "),
        (_create_a_page_behind_syncers_back, "was created with no audit row"),
        (_leak_the_token, "the syncer token appears in leak.log"),
        (_reset_the_schedule_and_put_the_triggers_back_by_hand, "email: "),
    ],
)
def test_the_oracle_reports_what_went_wrong(sabotage: Any, found: str) -> None:
    """The checks can fail: each kind of harm, done on purpose before them, is reported."""
    result = run_scenario(1, sabotage=sabotage)
    assert any(found in violation.lower() for violation in result.violations), result.violations
