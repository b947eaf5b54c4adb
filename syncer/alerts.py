"""Tell the administrators, once per run, that a run ended badly: a log line, a webhook, a command.

An alert always goes to the log (loguru, level ERROR). When the variable named by ``[alerts]
webhook_url_env`` is set, the text is POSTed as Slack-compatible JSON ``{"text": ...}``; when
``[alerts] command`` is set, the command runs with the text on stdin. A failing webhook or
command is logged and never raised: alerting must not turn a partial sync into a crash.

Secrets (the Notion token, the webhook URL) are scrubbed from the text and are never logged:
errors of the webhook are reported by type and status only, as an ``httpx`` message may quote
the URL. [edge: imports httpx, loguru and the core]
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import httpx
from loguru import logger

from syncer.config import Alerts
from syncer.core import RunEnd

MAX_KEYS_SHOWN = 5
WEBHOOK_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0

Runner = Callable[[Sequence[str], str], int]
"""Runs a command with text on stdin and returns its exit code (tests pass their own)."""


def alert_text(end: RunEnd, secrets: Iterable[str] = ()) -> str:
    """The alert: environment, run, failed keys (a few, and a count), first error, next step."""
    run = end.run_id if end.run_id is not None else "?"
    lines = [f"syncer: {end.kind} run {run} in {end.env} ended {end.status}"]
    if end.failed_keys:
        shown = ", ".join(str(key) for key in end.failed_keys[:MAX_KEYS_SHOWN])
        more = len(end.failed_keys) - MAX_KEYS_SHOWN
        suffix = f" and {more} more" if more > 0 else ""
        lines.append(f"failed keys ({len(end.failed_keys)}): {shown}{suffix}")
    if end.first_error:
        lines.append(f"first error: {end.first_error}")
    lines.append(f"look closer: syncer --env {end.env} audit show {run}")
    return redact("\n".join(lines), secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


@dataclass
class Alerter:
    """Sends one alert per call; build it with :meth:`from_settings`."""

    webhook_url: str | None = None
    command: str = ""
    secrets: tuple[str, ...] = ()
    transport: httpx.BaseTransport | None = None
    runner: Runner | None = None

    @classmethod
    def from_settings(
        cls,
        alerts: Alerts,
        environ: Mapping[str, str],
        *,
        secrets: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
        runner: Runner | None = None,
    ) -> Alerter:
        """An alerter for ``[alerts]``, reading the webhook URL from its variable now."""
        name = alerts.webhook_url_env
        url = (environ.get(name, "") if name else "").strip() or None
        hidden = tuple(s for s in (*secrets, url or "") if s)
        return cls(url, alerts.command.strip(), hidden, transport, runner)

    def __call__(self, end: RunEnd) -> None:
        text = alert_text(end, self.secrets)
        logger.error("run.alert: {}", text.replace("\n", "; "))
        if self.webhook_url:
            self._post(text)
        if self.command:
            self._run(text)

    def _post(self, text: str) -> None:
        assert self.webhook_url is not None
        # A client per alert (alerts are rare); an injected transport belongs to the caller,
        # so only a client that owns its transport is closed.
        client = httpx.Client(transport=self.transport, timeout=WEBHOOK_TIMEOUT)
        try:
            response = client.post(self.webhook_url, json={"text": text})
        except Exception as exc:
            # Any failure, even a malformed URL, is logged and never fails the sync; only its
            # type, since an httpx message could quote the URL, which is a secret.
            logger.warning("alert.webhook_failed: {}; the alert is in the log", type(exc).__name__)
            return
        finally:
            if self.transport is None:
                client.close()
        if response.status_code >= 300:
            logger.warning("alert.webhook_failed: HTTP {}", response.status_code)

    def _run(self, text: str) -> None:
        try:
            argv = shlex.split(self.command)
        except ValueError as exc:
            logger.warning("alert.command_failed: [alerts] command does not parse: {}", exc)
            return
        runner = self.runner or _run_command
        try:
            code = runner(argv, text)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("alert.command_failed: {}: {}", argv[0], type(exc).__name__)
            return
        if code != 0:
            logger.warning("alert.command_failed: {} exited with {}", argv[0], code)


def _run_command(argv: Sequence[str], text: str) -> int:
    completed = subprocess.run(
        list(argv),
        input=text,
        text=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    return completed.returncode
