"""Commands: ``syncer sandbox serve`` (the local Notion API emulator), ``user add`` and ``info``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syncer.cli._globals import Globals, SyncerGroup
from syncer.cli._signals import wait_for_signal
from syncer.cli._support import EXIT_USAGE, emit_json, fail, handle_errors

if TYPE_CHECKING:
    from syncer.sandbox.server import RunningSandbox
from syncer.sandbox.settings import (
    CAPABILITIES,
    MOVE_ANSWERS,
    MOVE_VALUES,
    IntegrationSpec,
    RateLimit,
    SandboxSettings,
)


def _rate_limit(value: str | None, off: bool, option: str = "--rate-limit") -> RateLimit | None:
    if off or value is None:
        return None
    try:
        return RateLimit.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _tokens(specs: tuple[str, ...]) -> tuple[IntegrationSpec, ...]:
    try:
        return tuple(IntegrationSpec.parse(spec) for spec in specs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--token") from None


def _announce(sandbox: RunningSandbox) -> None:
    info = sandbox.info()
    click.echo(f"Notion sandbox listening on {sandbox.url}  (API: {sandbox.url}/v1)")
    click.echo(f"  pages:        {sandbox.url}/  (week, tables, users, requests, faults)")
    click.echo(f"  root page id: {info['root_page_id']}")
    for integration in info["integrations"]:
        missing = [c for c in CAPABILITIES if c not in integration["capabilities"]]
        what = "without " + ", ".join(missing) if missing else "every capability"
        click.echo(f"  token ({integration['name']}, {what}): {integration['token']}")
    if info["state_file"]:
        click.echo(f"  state file:   {info['state_file']}")
    click.echo("Press Ctrl+C to stop.")


@click.group("sandbox", cls=SyncerGroup)
def sandbox_group() -> None:
    """The local Notion API emulator: try, test and benchmark syncer without an account.

    Example: syncer sandbox serve --port 8765 &
    """


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0: any free).")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Load the workspace from FILE at start and save it there on changes and on stop.",
)
@click.option("--latency-ms", default=0.0, type=float, help="Fixed delay added to each request.")
@click.option("--jitter-ms", default=0.0, type=float, help="Random extra delay, 0..N ms.")
@click.option(
    "--rate-limit",
    default="180/60",
    show_default=True,
    metavar="N/SECONDS",
    help="Per-token request budget per window.",
)
@click.option("--no-rate-limit", is_flag=True, help="Turn both rate limits off.")
@click.option(
    "--workspace-rate-limit",
    metavar="N/SECONDS",
    help="A budget shared by every token (default: none); Retry-After can exceed 60 s.",
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="TOKEN[:no-email|:CAP,...]",
    help="Add an integration (repeatable): every capability, no email, or the listed ones "
    "(read_content, update_content, insert_content, read_users, read_user_emails).",
)
@click.option(
    "--move-values",
    type=click.Choice(MOVE_VALUES),
    default=MOVE_VALUES[0],
    show_default=True,
    help="What moving a page into another data source keeps: values whose name and type "
    "match, or only the title (Notion does not document it).",
)
@click.option(
    "--move-answer",
    type=click.Choice(MOVE_ANSWERS),
    default=MOVE_ANSWERS[0],
    show_default=True,
    help="Answer a move with the whole page or with its id only (Notion may do either).",
)
@click.option("--dates-in-utc", is_flag=True, help="Read date-times back in UTC, not as written.")
@click.option(
    "--query-result-cap",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Results one query returns at most (Notion: 10,000).",
)
def serve(
    host: str,
    port: int,
    state_file: Path | None,
    latency_ms: float,
    jitter_ms: float,
    rate_limit: str,
    no_rate_limit: bool,
    workspace_rate_limit: str | None,
    tokens: tuple[str, ...],
    move_values: str,
    move_answer: str,
    dates_in_utc: bool,
    query_result_cap: int,
) -> None:
    """Serve Notion's API (version 2025-09-03) locally until Ctrl+C.

    Point the syncer at it with notion_base_url = "http://127.0.0.1:8765" and one of the
    printed tokens. Admin API under /_sandbox/ (see docs/sandbox.md).

    Example: syncer sandbox serve --state sandbox.json --latency-ms 150 --jitter-ms 100
    """
    if latency_ms < 0 or jitter_ms < 0:
        raise click.BadParameter("must be >= 0", param_hint="--latency-ms/--jitter-ms")
    settings = SandboxSettings(
        host=host,
        port=port,
        state_file=state_file,
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        rate_limit=_rate_limit(rate_limit, no_rate_limit),
        workspace_rate_limit=_rate_limit(
            workspace_rate_limit, no_rate_limit, "--workspace-rate-limit"
        ),
        extra_integrations=_tokens(tokens),
        move_values=move_values,
        move_answer=move_answer,
        dates_in_utc=dates_in_utc,
        query_result_cap=query_result_cap,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(
            f"warning: serving on {host}: anyone who can reach it can use the sandbox's API with "
            "its well-known tokens. Its admin API and pages answer only requests naming "
            f"{host}, 127.0.0.1 or localhost.",
            fg="yellow",
            err=True,
        )
    try:
        from syncer.sandbox.server import start_in_thread  # the web server: only to serve

        running = start_in_thread(settings)
    except (OSError, ValueError) as exc:
        fail(
            EXIT_USAGE,
            f"the sandbox could not start: {exc}",
            "choose another --port or --state",
            code="usage_error",
        )
    _announce(running)
    try:
        wait_for_signal()
    finally:
        running.stop()
        click.echo("Sandbox stopped.")


url_option = click.option(
    "--url",
    default="http://127.0.0.1:8765",
    show_default=True,
    envvar="SYNCER_SANDBOX_URL",
    help="Where the sandbox runs (env SYNCER_SANDBOX_URL).",
)


@sandbox_group.group("user", cls=SyncerGroup)
def user_group() -> None:
    """People in a running sandbox's workspace (what `users.list` returns).

    Example: syncer sandbox user add "Ada Lovelace" ada@example.com
    """


@user_group.command("add")
@click.argument("name")
@click.argument("email", required=False)
@click.option("--bot", is_flag=True, help="A bot user instead of a person.")
@url_option
@click.pass_obj
@handle_errors
def user_add(globals_: Globals, name: str, email: str | None, bot: bool, url: str) -> None:
    """Add a person (or a bot) to a running sandbox, so emails can be matched to people.

    Example: syncer sandbox user add "Ada Lovelace" ada@example.com
    """
    body: dict[str, object] = {"name": name, "type": "bot"} if bot else {"name": name}
    if email:
        body["email"] = email
    user = _admin(url, "POST", "/_sandbox/users", body)
    if globals_.as_json:
        emit_json(user)
    else:
        click.echo(f"added {user.get('name')} ({email or 'no email'}): {user.get('id')}")


@sandbox_group.command("info")
@click.option("--root-page", is_flag=True, help="Print only the root page id (for scripts).")
@url_option
@click.pass_obj
@handle_errors
def info(globals_: Globals, root_page: bool, url: str) -> None:
    """Show a running sandbox's root page id, tokens and settings.

    Example: syncer notion init --parent-page "$(syncer sandbox info --root-page)"
    """
    found = _admin(url, "GET", "/_sandbox/info", None)
    if root_page:
        click.echo(found["root_page_id"])
    elif globals_.as_json:
        emit_json(found)
    else:
        click.echo(f"root page: {found['root_page_id']}")
        for token in found.get("tokens", []):
            click.echo(f"token: {token}")


def _admin(url: str, method: str, path: str, body: dict[str, object] | None) -> dict[str, Any]:
    """One call to the sandbox's admin API, or a usage error saying how to start it."""
    import httpx  # not for --help

    # `syncer sandbox serve &` on the line before may still be starting: give it 3 s.
    for wait in (0.0, 0.25, 0.5, 1.0, 1.25, 0.0):
        time.sleep(wait)
        try:
            response = httpx.request(method, url.rstrip("/") + path, json=body, timeout=5.0)
            break
        except httpx.TransportError:
            continue
    else:
        fail(
            EXIT_USAGE,
            f"cannot reach a sandbox at {url}",
            "start one with `syncer sandbox serve`, or pass --url",
            code="unreachable",
        )
    if response.status_code >= 400:
        message = response.json().get("message", response.text) if response.content else ""
        fail(EXIT_USAGE, f"the sandbox refused: {message}", code="sandbox_refused")
    found: dict[str, Any] = response.json()
    return found
