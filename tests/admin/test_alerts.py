"""Alerts: one per bad run, to the log, a webhook and a command; never a secret; never fatal."""

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

from syncer.alerts import Alerter
from syncer.config import Alerts
from syncer.core import Key, RunEnd
from syncer.core.errors import PlanRefused
from syncer.store.audit import ActionFilter
from tests.admin.conftest import ADA, GRACE, WEBHOOK_VARIABLE, Admin
from tests.support.harness import TODAY

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
    """One POST {"text": ...} naming env, run, failed keys, first error and the next command."""
    partial_drain(admin)
    start_alerting(admin, receiver.url)

    (result,) = admin.context().drain()

    assert result.status == "partial"
    assert len(receiver.bodies) == 1
    text = str(receiver.bodies[0]["text"])
    run_id = result.run_id
    assert f"drain run {run_id} in test ended partial" in text
    assert f"failed keys (9): {TODAY}/AM" in text
    assert "and 4 more" in text
    assert "first error: " in text
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
    """Only partial, failed and refused runs alert."""
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
    end = RunEnd("prod", 7, "drain", "failed", (Key(dt.date(2026, 3, 11), "AM"),), "boom")
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
    end = RunEnd("prod", 8, "drain", "partial", (Key(dt.date(2026, 3, 11), "AM"),), "boom")
    url = "https://hooks.example.com:99x/secret-path"

    Alerter(webhook_url=url, secrets=(url,))(end)
    Alerter(command="notify 'unbalanced")(end)

    assert any("alert.webhook_failed" in line for line in log_lines)
    assert any("does not parse" in line for line in log_lines)
    assert all("secret-path" not in line for line in log_lines)
