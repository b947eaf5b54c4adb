"""`syncer drain` after the scheduler app's reset task, over HTTP to the sandbox."""

from __future__ import annotations

import datetime as dt
import json

from tests.support.admin import ADA, GRACE, Admin
from tests.support.harness import TODAY, window_rows


def test_a_drain_after_the_apps_reset_catches_up_alerts_once_and_status_says_so(
    admin: Admin,
) -> None:
    """The reset dropped the triggers; one drain restores them, Notion equals the rebuilt
    schedule (rows written in between included), one alert, status names the run."""
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    assert admin.cli("drain").exit_code == 0
    rows = window_rows(TODAY, 2, [GRACE, ADA])
    admin.app.reset(rows[1:])  # one shift gone, the others reassigned
    admin.app.schedule(TODAY + dt.timedelta(days=6), "AM", ADA)  # written while capture is off

    drained = admin.cli("drain")
    document = json.loads(admin.cli("status", "--json").stdout)
    text = admin.cli("status").stdout
    again = json.loads(admin.cli("--json", "drain").stdout)

    assert drained.exit_code == 0, drained.output
    alerts = [line for line in drained.output.splitlines() if "run.alert" in line]
    assert len(alerts) == 1
    assert "change capture was off" in alerts[0]
    assert "restored; reconciled" in alerts[0]
    assert admin.cli("plan", "--detailed-exitcode").exit_code == 0
    wanted = {f"{day}/{rotation}": email for day, rotation, email in rows[1:]}
    wanted[f"{TODAY + dt.timedelta(days=6)}/AM"] = ADA
    found = {sync_key: page["orig_email"] for sync_key, page in admin.pages().items()}
    assert found == wanted
    capture = document["change_capture"]
    assert capture["on"] is True
    assert capture["last_restored"]["env"] == "test"
    assert "last found off and restored" in text
    assert [run["kind"] for run in again["runs"]] == ["drain"]
    assert again["runs"][0]["notices"] == []
    assert "run.alert" not in admin.cli("drain").output


def test_db_upgrade_after_the_apps_reset_leaves_the_catch_up_to_the_next_drain(
    admin: Admin,
) -> None:
    """Someone runs `db upgrade` after the reset (as a hint of old said): it says capture is
    off and puts nothing back, so the next drain still restores it and reconciles every row
    rather than finding nothing pending while Notion lacks what changed meanwhile."""
    admin.app.regenerate(TODAY, 1, [ADA, GRACE])
    assert admin.cli("drain").exit_code == 0
    rows = window_rows(TODAY, 1, [GRACE, ADA])
    admin.app.reset(rows)

    upgraded = admin.cli("db", "upgrade")
    document = json.loads(admin.cli("--json", "db", "upgrade").stdout)
    drained = admin.cli("drain")

    assert upgraded.exit_code == 0, upgraded.output
    assert "change capture is off" in upgraded.output
    assert "the next `syncer drain`" in upgraded.output
    assert len(document["missing_triggers"]) == 10
    assert drained.exit_code == 0, drained.output
    assert "restored; reconciled" in drained.output
    found = {sync_key: page["orig_email"] for sync_key, page in admin.pages().items()}
    assert found == {f"{day}/{rotation}": email for day, rotation, email in rows}
