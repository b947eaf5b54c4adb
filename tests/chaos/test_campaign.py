"""The fault campaign, reduced: a handful of seeded scenarios, each with zero violations."""

from __future__ import annotations

import pytest

from tests.chaos.scenario import replay_command, run_scenario

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("seed", range(1, 9))
def test_a_seeded_chaos_scenario_keeps_every_invariant(seed: int) -> None:
    """Faults, kills, hand edits and week turns; then the oracle finds nothing wrong."""
    result = run_scenario(seed)
    assert result.runs > 0
    assert not result.violations, f"{replay_command(seed)}\n" + "\n".join(result.violations)
