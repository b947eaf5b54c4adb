"""Alerts: one per new problem, to the log, a webhook and a command; never a secret or fatal."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from syncer.config import Alerts
from syncer.core import EnvName, RunEnd, RunId
from syncer.core.errors import PlanRefused
from syncer.core.problems import Problem
from syncer.service.alerts import Alerter
from syncer.store.audit import ActionFilter, RunFilter
from tests.support.admin import ADA, GRACE, WEBHOOK_VARIABLE, Admin
from tests.support.harness import ENV, TODAY

HOOK = "SYNCER_TEST_HOOK_URL"


@dataclass
class Receiver:
    """A Slack-like webhook endpoint on 127.0.0.1: it records every POSTed JSON body."""

    url: str
    bodies: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received: list[dict[str, object]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            """Quiet: the test reads the bodies, not the access log."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_port}/hooks/T000/secret-path", received)
    server.shutdown()
    server.server_close()
    thread.join()


def closed_port_url() -> str:
    """A URL nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/secret-path"


def start_alerting(admin: Admin, url: str, command: str = "") -> None:
    """Runs from here on alert through an Alerter, wired as the CLI wires it."""
    token = admin.sandbox.syncer_token
    admin.on_run_end = Alerter.from_settings(
        Alerts(webhook_url_env=HOOK, command=command), {HOOK: url}, secrets=(token,)
    )


def break_updates(admin: Admin) -> None:
    """Every page update is rejected as invalid (not retried): the run ends partial."""
    admin.sandbox.add_fault(
        {"method": "PATCH", "path": "/v1/pages/*", "status": 400, "times": None}
    )


def partial_drain(admin: Admin) -> None:
    admin.app.regenerate(TODAY, 3, [ADA, GRACE])
    admin.context().drain()
    break_updates(admin)
    admin.app.regenerate(TODAY, 3, [GRACE, ADA])


def test_a_partial_run_alerts_the_webhook_once_with_what_to_look_at(
    admin: Admin, receiver: Receiver, log_lines: list[str]
) -> None:
    """One POST {"text": ...} naming env, run, the first failing keys and the next command."""
    partial_drain(admin)
    start_alerting(admin, receiver.url)

    (result,) = admin.context().drain()

    assert result.status == "partial"
    assert len(receiver.bodies) == 1
    text = str(receiver.bodies[0]["text"])
    run_id = result.run_id
    assert f"drain run {run_id} in test ended partial" in text
    assert f"new problem: failing write {TODAY}/AM: validation_error" in text
    assert "new problem: and 4 more" in text
    assert f"syncer --env test audit show {run_id}" in text
    assert any("run.alert" in line and f"run {run_id}" in line for line in log_lines)


def test_no_secret_reaches_the_alert_the_log_or_the_audit(
    admin: Admin, receiver: Receiver, log_lines: list[str]
) -> None:
    """Neither the token nor the webhook URL appear anywhere an admin can read."""
    partial_drain(admin)
    start_alerting(admin, receiver.url)

    admin.context().drain()

    token = admin.sandbox.syncer_token
    audit = repr(admin.context().store.find_actions(ActionFilter()))
    for secret in (token, receiver.url, "secret-path"):
        assert all(secret not in str(body) for body in receiver.bodies)
        assert all(secret not in line for line in log_lines)
        assert secret not in audit


def test_a_successful_run_sends_no_alert(admin: Admin, receiver: Receiver) -> None:
    """A run with no problem, new or resolved, says nothing."""
    start_alerting(admin, receiver.url)
    admin.app.regenerate(TODAY, 3, [ADA, GRACE])

    results = admin.context().drain()

    assert all(r.ok for r in results)
    assert receiver.bodies == []


def test_a_refused_plan_alerts_once(admin: Admin, receiver: Receiver) -> None:
    """A guard refusal is announced like a failure."""
    admin.app.regenerate(TODAY, 7, [ADA, GRACE])
    admin.context().drain()
    admin.app.execute("DELETE FROM oncall_schedule")
    start_alerting(admin, receiver.url)

    with pytest.raises(PlanRefused):
        admin.context().drain()

    assert len(receiver.bodies) == 1
    assert "ended refused" in str(receiver.bodies[0]["text"])


def test_a_refused_connection_to_the_webhook_does_not_fail_the_run(
    admin: Admin, log_lines: list[str]
) -> None:
    """The run ends as it would have; the failure is logged without the URL."""
    url = closed_port_url()
    partial_drain(admin)
    start_alerting(admin, url)

    (result,) = admin.context().drain()

    assert result.status == "partial"
    assert any("alert.webhook_failed: ConnectError" in line for line in log_lines)
    assert all(url not in line and "secret-path" not in line for line in log_lines)


def test_the_command_receives_the_alert_on_stdin(admin: Admin, tmp_path: Path) -> None:
    """`[alerts] command` runs once with the alert text on stdin."""
    out = tmp_path / "alert.txt"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read())"
    command = f"{sys.executable} -c {json.dumps(script)}"
    partial_drain(admin)
    start_alerting(admin, "", command=command)

    admin.context().drain()

    assert out.read_text().count("ended partial") == 1


def test_a_failing_command_is_logged_not_raised(log_lines: list[str]) -> None:
    """A command that exits non-zero, or cannot start, leaves a warning and nothing else."""
    end = RunEnd(
        EnvName("prod"), RunId(7), "drain", "failed", new=(Problem("run_failed", "boom", "boom"),)
    )
    Alerter(command="syncer-alert-hook", runner=lambda argv, text: 3)(end)
    Alerter(command="/nonexistent/syncer-alert-hook")(end)

    assert any("syncer-alert-hook exited with 3" in line for line in log_lines)
    assert any("alert.command_failed: /nonexistent" in line for line in log_lines)


def test_the_cli_alerts_the_webhook_once_per_failed_run(admin: Admin, receiver: Receiver) -> None:
    """`syncer drain` exits 1 and the webhook named by [alerts] webhook_url_env gets one alert."""
    assert admin.cli("drain").exit_code == 0
    admin.app.regenerate(TODAY, 3, [ADA, GRACE])
    admin.cli("drain")
    break_updates(admin)
    admin.app.regenerate(TODAY, 3, [GRACE, ADA])

    result = admin.cli("drain", env={WEBHOOK_VARIABLE: receiver.url})

    assert result.exit_code == 1
    assert len(receiver.bodies) == 1
    assert receiver.url not in result.output
    assert admin.sandbox.syncer_token not in result.output


def test_a_malformed_webhook_url_or_command_never_breaks_the_alert(log_lines: list[str]) -> None:
    """A typo in the webhook URL or an unbalanced quote in the command is logged, not raised."""
    end = RunEnd(
        EnvName("prod"), RunId(8), "drain", "partial", new=(Problem("failed_key", "x/AM", "boom"),)
    )
    url = "https://hooks.example.com:99x/secret-path"

    Alerter(webhook_url=url, secrets=(url,))(end)
    Alerter(command="notify 'unbalanced")(end)

    assert any("alert.webhook_failed" in line for line in log_lines)
    assert any("does not parse" in line for line in log_lines)
    assert all("secret-path" not in line for line in log_lines)


def bad_regeneration(admin: Admin, email: str) -> None:
    """The scheduler regenerates three days; tomorrow's PM engineer is ``email``."""
    admin.app.regenerate(TODAY, 3, [ADA, GRACE])
    admin.app.reassign(TODAY + dt.timedelta(days=1), "PM", email)


def test_a_bad_row_for_ten_drains_alerts_once_and_its_fix_once(
    admin: Admin, receiver: Receiver
) -> None:
    """Ten regenerations every 15 minutes with the same bad row: one alert, then one resolved."""
    start_alerting(admin, receiver.url)
    for _ in range(10):
        bad_regeneration(admin, "not an email")
        admin.context().drain()
        admin.clock.advance(dt.timedelta(minutes=15))
    runs = admin.context().store.find_runs(RunFilter(env=ENV))

    bad_regeneration(admin, "grace@example.com")
    admin.context().drain()

    assert [run.kind for run in runs].count("reconcile") == 1  # bad rows alone: no re-reconcile
    texts = [str(body["text"]) for body in receiver.bodies]
    assert len(texts) == 2
    tomorrow = TODAY + dt.timedelta(days=1)
    assert f"new problem: bad row {tomorrow}/PM: schedule row" in texts[0]
    assert f"resolved: bad row {tomorrow}/PM" in texts[1]
    assert "new problem" not in texts[1]


def test_a_problem_still_open_a_day_later_is_announced_again_once(
    admin: Admin, receiver: Receiver
) -> None:
    """repeat_after (24 h by default): the same bad row is mentioned again a day later."""
    start_alerting(admin, receiver.url)
    bad_regeneration(admin, "not an email")
    admin.context().drain()
    admin.clock.advance(dt.timedelta(hours=25))
    for _ in range(3):
        bad_regeneration(admin, "not an email")
        admin.context().drain()

    texts = [str(body["text"]) for body in receiver.bodies]
    assert ["new problem" in text for text in texts] == [True, False]
    assert "still open: bad row" in texts[1]


def test_the_alert_command_sees_no_secret_in_its_environment(
    admin: Admin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command runs with PATH and the like, not the token or webhook variables."""
    monkeypatch.setenv(HOOK, "http://127.0.0.1:9/hooks/secret-path")
    monkeypatch.setenv("SYNCER_TEST_NOTION_TOKEN", admin.sandbox.syncer_token)
    out = tmp_path / "env.json"
    script = f"import json, os; json.dump(dict(os.environ), open({str(out)!r}, 'w'))"
    partial_drain(admin)
    start_alerting(admin, "", command=f"{sys.executable} -c {json.dumps(script)}")

    admin.context().drain()

    seen = json.loads(out.read_text())
    assert "PATH" in seen
    assert HOOK not in seen
    assert admin.sandbox.syncer_token not in json.dumps(seen)
