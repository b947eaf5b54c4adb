"""The admin commands through click: output contracts, 80-column tables and exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from syncer.core import LockHolder
from syncer.engine.status import status
from syncer.notion.client import NotionGateway
from syncer.notion.pacing import Pacer
from syncer.store import Store
from tests.support.admin import ADA, GRACE, TOKEN_VARIABLE, Admin
from tests.support.harness import ENV, TODAY

TOMORROW = TODAY + dt.timedelta(days=1)


def drained(admin: Admin) -> int:
    """A baseline drain, then a drain that edits three keys; returns the second drain's id."""
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    assert admin.cli("drain").exit_code == 0
    admin.app.reassign(TODAY, "AM", GRACE)
    admin.app.delete(TOMORROW, "Core")
    admin.app.schedule(TODAY + dt.timedelta(days=5), "PM", "nobody@example.com")
    result = admin.cli("--json", "drain")
    assert result.exit_code == 0
    (run,) = json.loads(result.stdout)["runs"]
    return int(run["run_id"])


def as_json(admin: Admin, *args: str) -> Any:
    result = admin.cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def narrow(text: str) -> bool:
    return all(len(line) <= 80 for line in text.splitlines())


def test_rollback_then_plan_detailed_exitcode_is_0(admin: Admin) -> None:
    """After `syncer rollback RUN`, `syncer plan --detailed-exitcode` finds both sides agree."""
    run_id = drained(admin)

    result = admin.cli("rollback", str(run_id))

    assert result.exit_code == 0, result.output
    assert f"undoing drain run {run_id}" in result.stdout
    assert admin.cli("plan", "--detailed-exitcode").exit_code == 0


def test_rollback_refused_exits_3_and_names_cascade(admin: Admin) -> None:
    """A later run on the same keys refuses the rollback; --cascade is the way forward."""
    run_id = drained(admin)
    admin.app.reassign(TODAY, "AM", ADA)
    assert admin.cli("drain").exit_code == 0

    refused = admin.cli("rollback", str(run_id))
    cascaded = admin.cli("rollback", str(run_id), "--cascade")

    assert refused.exit_code == 3
    assert "--cascade" in refused.stderr
    assert cascaded.exit_code == 0, cascaded.output
    assert admin.cli("plan", "--detailed-exitcode").exit_code == 0


def test_rollback_dry_run_json_shows_the_steps_and_changes_nothing(admin: Admin) -> None:
    """--dry-run --json prints each step's inverse actions; no run is recorded."""
    run_id = drained(admin)
    pages = admin.pages()

    document = as_json(admin, "rollback", str(run_id), "--dry-run")

    assert document["dry_run"] is True
    (step,) = document["steps"]
    assert step["run_id"] == run_id
    assert step["rollback_run"] is None
    assert step["local_changes"] == 3
    assert sorted(a["action"] for a in step["actions"]) == ["restore", "trash", "update"]
    assert admin.pages() == pages
    assert as_json(admin, "audit", "runs")[0]["id"] == run_id


def test_rollback_of_an_unknown_run_is_a_usage_error(admin: Admin) -> None:
    """Exit 2, pointing at `syncer audit runs`."""
    result = admin.cli("rollback", "999")

    assert result.exit_code == 2
    assert "audit runs" in result.stderr


def test_audit_runs_json_and_table(admin: Admin) -> None:
    """--json has the documented fields; the table fits 80 columns."""
    run_id = drained(admin)

    runs = as_json(admin, "audit", "runs")
    table = admin.cli("audit", "runs")

    assert [run["id"] for run in runs] == [run_id, 1]
    for field in ("id", "env", "kind", "trigger", "status", "started_at", "finished_at", "counts"):
        assert field in runs[0]
    assert runs[0]["counts"]["applied"] == 3
    assert table.exit_code == 0
    assert narrow(table.stdout)
    assert as_json(admin, "audit", "runs", "--kind", "reconcile")[0]["id"] == 1


def test_audit_show_json_has_the_run_and_its_actions(admin: Admin) -> None:
    """One run with every action, oldest first; the table fits 80 columns."""
    run_id = drained(admin)

    shown = as_json(admin, "audit", "show", str(run_id))
    table = admin.cli("audit", "show", str(run_id))

    assert shown["run"]["id"] == run_id
    assert [a["id"] for a in shown["actions"]] == sorted(a["id"] for a in shown["actions"])
    assert {a["action"] for a in shown["actions"]} == {"create", "update", "trash"}
    assert narrow(table.stdout)
    assert admin.cli("audit", "show", "999").exit_code == 2


def test_audit_actions_json_csv_and_table(admin: Admin) -> None:
    """--email matches any case; JSON and CSV carry the same rows; the table fits 80 columns."""
    drained(admin)

    found = as_json(admin, "audit", "actions", "--email", "NOBODY@example.com")
    rows = list(csv.DictReader(io.StringIO(admin.cli("audit", "actions", "--csv").stdout)))
    table = admin.cli("audit", "actions")

    (action,) = found
    for field in ("run_id", "date", "rotation", "action", "page_id", "status", "before", "after"):
        assert field in action
    assert (action["action"], action["after"]["final_email"]) == ("create", "nobody@example.com")
    assert len(rows) == len(as_json(admin, "audit", "actions"))
    assert narrow(table.stdout)
    assert admin.cli("audit", "actions", "--json", "--csv").exit_code == 2


def test_audit_prune_says_what_it_removed(admin: Admin) -> None:
    """Nothing is old enough yet: zero removed, the runs kept."""
    drained(admin)

    result = admin.cli("audit", "prune", "--older-than", "30d")
    document = as_json(admin, "audit", "prune", "--older-than", "30d")

    assert result.exit_code == 0
    assert "Removed 0 audit row(s), 0 run(s)" in result.stdout
    assert document["removed"] == {"actions": 0, "runs": 0, "changes": 0}
    assert document["kept_from_run"] == {"test": 1}


def test_status_json_shape(admin: Admin) -> None:
    """Per environment: pending changes, last runs, failing keys, unmapped emails, reconcile due."""
    drained(admin)
    admin.app.reassign(TODAY, "PM", GRACE)

    document = as_json(admin, "status")

    env = document["environments"]["test"]
    assert env["pending_changes"] == 1
    assert env["last_runs"]["drain"]["status"] == "succeeded"
    assert env["last_runs"]["rollback"] is None
    assert env["failing_keys"] == []
    assert env["unmapped_emails"] == ["nobody@example.com"]
    assert env["reconcile_due"] is False
    assert env["lock"] is None
    assert narrow(admin.cli("status").stdout)


def test_status_reports_failing_keys_and_the_lock_holder(admin: Admin) -> None:
    """A failed write is listed with its attempts; a held lock names its holder."""
    admin.app.regenerate(TODAY, 1, [ADA])
    admin.cli("drain")
    admin.sandbox.add_fault({"method": "PATCH", "path": "/v1/pages/*", "status": 400})
    admin.app.reassign(TODAY, "AM", GRACE)
    assert admin.cli("drain").exit_code == 1
    now = dt.datetime.now(dt.UTC)
    with Store.open(admin.db) as store:
        store.acquire_lock(ENV, LockHolder.parse("host:42"), now, dt.timedelta(minutes=5))
        settings = admin.context().settings

        _, (env,) = status(store, settings, now=now, today=TODAY)

    assert [(str(k.key), k.attempts) for k in env.failing_keys] == [(f"{TODAY}/AM", 1)]
    assert env.lease is not None
    assert str(env.lease.holder) == "host:42"


def test_a_forget_is_listed_by_audit_and_named_as_such_by_rollback(admin: Admin) -> None:
    """`audit actions --action forget` accepts the kind reconcile records; rollback names it."""
    admin.app.schedule(TODAY, "AM", ADA)
    assert admin.cli("drain").exit_code == 0
    page_id = admin.pages()[f"{TODAY}/AM"]["id"]
    human = NotionGateway(
        admin.sandbox.human_token, pacer=Pacer(100, 1), base_url=admin.sandbox.url
    )
    relabel = {"Sync Key": {"rich_text": [{"text": {"content": "2026-04-01/PM"}}]}}
    human.update_page(page_id, properties=relabel)
    human.close()
    admin.app.delete(TODAY, "AM")
    result = admin.cli("--json", "reconcile")
    assert result.exit_code == 0, result.output
    (reconciled,) = json.loads(result.stdout)["runs"]

    (forget,) = as_json(admin, "audit", "actions", "--action", "forget")
    steps = as_json(admin, "rollback", str(reconciled["run_id"]), "--dry-run")["steps"]

    assert (forget["key"], forget["page_id"]) == (f"{TODAY}/AM", page_id)
    kept = [a for step in steps for a in step["actions"] if a["action"] == "skip"]
    assert any("forget of" in a["reason"] for a in kept), kept
    assert not any("adopt of" in a["reason"] for a in kept), kept


def test_status_lists_bad_rows_apart_from_unmapped_emails(admin: Admin) -> None:
    """A malformed email is a bad row with its row id, never an 'unmapped email'."""
    drained(admin)
    admin.app.reassign(TOMORROW, "PM", "not an email")

    document = as_json(admin, "status")
    text = admin.cli("status").stdout

    (bad,) = document["bad_rows"]
    assert (bad["key"], bad["table"]) == (f"{TOMORROW}/PM", "schedule")
    assert "malformed email" in bad["reason"]
    assert document["environments"]["test"]["unmapped_emails"] == ["nobody@example.com"]
    assert "bad rows: 1" in text
    assert text.count("last successful reconcile") == 1
    assert "last reconcile run" in text or "last drain run" in text


def test_status_says_plainly_when_change_capture_is_off(admin: Admin) -> None:
    """A schedule table rebuilt without its triggers: status reports it instead of refusing."""
    drained(admin)
    with sqlite3.connect(admin.db) as conn:
        conn.execute("DROP TRIGGER sync_schedule_after_update")
    conn.close()

    result = admin.cli("status")
    document = as_json(admin, "status")

    assert result.exit_code == 0
    assert "change capture: OFF" in result.stdout
    assert "the next `syncer drain` (or `syncer watch`) restores it" in result.stdout
    assert document["change_capture"] == {
        "on": False,
        "missing_triggers": ["sync_schedule_after_update"],
        "last_restored": None,
    }


def test_a_rollback_lists_the_rows_it_restores_changes_and_deletes(admin: Admin) -> None:
    """--dry-run names each local row with its image now and once restored."""
    run_id = drained(admin)  # reassigned TODAY AM, deleted TOMORROW Core, added a PM row

    (step,) = as_json(admin, "rollback", str(run_id), "--dry-run")["steps"]
    text = admin.cli("rollback", str(run_id), "--dry-run").stdout

    by_undo = {row["undo"]: row for row in step["local_rows"]}
    assert set(by_undo) == {"change", "restore", "delete"}
    assert by_undo["change"]["now"]["engineer_email"] == GRACE
    assert by_undo["change"]["restored"]["engineer_email"] == ADA
    assert by_undo["restore"]["now"] is None
    assert by_undo["restore"]["restored"]["rotation"] == "Core"
    assert by_undo["delete"]["restored"] is None
    assert by_undo["delete"]["now"]["engineer_email"] == "nobody@example.com"
    assert all(row["table"] == "oncall_schedule" for row in step["local_rows"])
    assert "restore" in text
    assert "delete" in text
    assert narrow(text)


def test_a_rollback_on_a_terminal_asks_first_and_a_no_changes_nothing(admin: Admin) -> None:
    """At a prompt, answering no leaves both sides as they were and exits 1."""
    run_id = drained(admin)
    rows, pages = admin.rows(), admin.pages()
    env = {**os.environ, TOKEN_VARIABLE: admin.sandbox.syncer_token, "NO_COLOR": "1"}
    command = [
        str(Path(sys.executable).with_name("syncer")),
        *("--db", str(admin.db), "--config", str(admin.config), "--env", "test"),
        *("--today", str(TODAY), "rollback", str(run_id)),
    ]
    leader, follower = pty.openpty()
    child = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    screen = _read_until(leader, b"[y/N]")
    os.write(leader, b"n\n")
    screen += _read_until(leader, b"")
    assert child.wait(timeout=30) == 1
    os.close(leader)

    assert b"Roll back as listed above?" in screen
    assert b"declined" in screen
    assert (admin.rows(), admin.pages()) == (rows, pages)


def _read_until(fd: int, marker: bytes) -> bytes:
    """What the terminal shows until ``marker`` appears (or the child closes it)."""
    seen = b""
    while not marker or marker not in seen:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child exited and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_drain_dry_run_shows_the_next_drain_and_changes_nothing(admin: Admin) -> None:
    """--dry-run lists the pending change like `plan` does; no run, no write, still pending."""
    admin.app.regenerate(TODAY, 2, [ADA, GRACE])
    assert admin.cli("drain").exit_code == 0
    admin.app.reassign(TODAY, "AM", GRACE)
    requests = len(admin.sandbox.requests())

    document = as_json(admin, "drain", "--dry-run")
    pending = as_json(admin, "changes", "--pending")

    assert document["runs"] == "drain"
    ((action, key),) = [(a["action"], f"{a['date']}/{a['rotation']}") for a in document["actions"]]
    assert (action, key) == ("update", f"{TODAY}/AM")
    assert [c["new"]["engineer_email"] for c in pending] == [GRACE]
    writes = [r for r in admin.sandbox.requests()[requests:] if r["method"] != "GET"]
    assert [r for r in writes if not r["path"].endswith("/query")] == []
    assert as_json(admin, "status")["environments"]["test"]["pending_changes"] == 1
    assert len(as_json(admin, "audit", "runs")) == 1  # only the first drain's reconcile


def test_audit_csv_cells_that_look_like_formulas_are_quoted(admin: Admin) -> None:
    """An email such as '=1+2@example.com' is valid, but a spreadsheet must show it as text."""
    admin.app.schedule(TODAY, "AM", "=1+2@example.com")
    admin.app.schedule(TODAY, "PM", "-2+3@example.com")
    assert admin.cli("drain").exit_code == 0

    rows = list(csv.DictReader(io.StringIO(admin.cli("audit", "actions", "--csv").stdout)))

    emails = {row["after_final_email"] for row in rows if row["action"] == "create"}
    assert emails == {"'=1+2@example.com", "'-2+3@example.com"}
