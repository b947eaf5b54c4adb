"""Tell the administrators about new, still-open and resolved problems: a log line, a webhook,
a command. Which problems to announce is decided in ``core.problems``; this module only says it.

An alert always goes to the log (loguru, level ERROR). When the variable named by ``[alerts]
webhook_url_env`` is set, the text is POSTed as Slack-compatible JSON ``{"text": ...}``; when
``[alerts] command`` is set, the command runs with the text on stdin. A failing webhook or
command is logged and never raised: alerting must not turn a partial sync into a crash.

Secrets (the Notion token, the webhook URL) are scrubbed from the text and are never logged:
errors of the webhook are reported by type and status only, as an ``httpx`` message may quote
the URL. [edge: imports httpx, loguru and the core]
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import httpx
from loguru import logger

from syncer.config import Alerts
from syncer.core import RunEnd
from syncer.core.problems import Problem

MAX_KEYS_SHOWN = 5
WEBHOOK_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0

Runner = Callable[[Sequence[str], str], int]
"""Runs a command with text on stdin and returns its exit code (tests pass their own)."""


def alert_text(end: RunEnd, secrets: Iterable[str] = ()) -> str:
    """The alert: environment, run, the new, still-open and resolved problems, the next step."""
    run = end.run_id if end.run_id is not None else "?"
    lines = [f"syncer: {end.kind} run {run} in {end.env} ended {end.status}"]
    lines.extend(f"notice: {_clip(notice)}" for notice in end.notices)
    for heading, problems in (
        ("new problem", end.new),
        ("still open", end.repeated),
        ("resolved", end.resolved),
    ):
        lines.extend(_problem_lines(heading, problems))
    if end.new or end.repeated:
        lines.append(f"look closer: syncer --env {shlex.quote(end.env)} audit show {run}")
    return redact("\n".join(lines), secrets)


_KIND_WORDS = {
    "bad_row": "bad row",
    "failed_key": "failing write",
    "run_failed": "run failed",
    "run_refused": "run refused",
}


def _problem_lines(heading: str, problems: Sequence[Problem]) -> list[str]:
    """A few problems of one heading (the first MAX_KEYS_SHOWN), and how many more."""
    lines = [f"{heading}: {_what(p)}: {_clip(p.detail)}" for p in problems[:MAX_KEYS_SHOWN]]
    if len(problems) > MAX_KEYS_SHOWN:
        lines.append(f"{heading}: and {len(problems) - MAX_KEYS_SHOWN} more")
    return lines


def _what(problem: Problem) -> str:
    """A bad row or failing write by its key; a failed or refused run alone (its detail says
    why, in words: the error code it is kept under is syncer's, not the reader's)."""
    words = _KIND_WORDS[problem.kind]
    return words if isinstance(problem.subject, str) else f"{words} {problem.subject}"


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
        # Only news of trouble is an error; a resolution alone is good news.
        level = "ERROR" if end.new or end.repeated else "WARNING" if end.notices else "INFO"
        logger.log(level, "run.alert: {}", text.replace("\n", "; "))
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


# What an alert command may see of syncer's environment: enough to run, never a secret (the
# Notion token and webhook variables stay behind).
COMMAND_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "TMPDIR")


def _run_command(argv: Sequence[str], text: str) -> int:
    completed = subprocess.run(
        list(argv),
        input=text,
        text=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        env={name: os.environ[name] for name in COMMAND_ENVIRONMENT if name in os.environ},
    )
    return completed.returncode
