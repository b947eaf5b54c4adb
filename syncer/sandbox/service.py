"""The sandbox without its HTTP server: workspace, integrations, faults, rate limit and request log.

:class:`SandboxService` is thread-safe: the server's event loop and the in-process admin methods
(called from tests or the demo) share one lock. Responses are encoded while the lock is held, so a
rendered object never changes under the encoder.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from syncer.sandbox import legacy, routes
from syncer.sandbox.errors import ApiError
from syncer.sandbox.faults import FaultBook, FaultRule
from syncer.sandbox.objects import render_data_source, render_database, render_page, render_user
from syncer.sandbox.query import QueryRunner
from syncer.sandbox.ratelimit import RateLimiter
from syncer.sandbox.settings import IntegrationSpec, SandboxSettings, parse_capabilities
from syncer.sandbox.state import Integration, Record, Workspace

UNAUTHORIZED = "API token is invalid."
# Each Notion-Version the sandbox answers, and its endpoints; one workspace serves them all.
APIS: dict[str, routes.Api] = {api.version: api for api in (routes.CURRENT, legacy.LEGACY)}


def encode(body: Any) -> bytes:
    """Compact JSON bytes, as the API sends them."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class SandboxService:
    """One emulated workspace and everything around it; see ``server.py`` for the HTTP side."""

    def __init__(self, settings: SandboxSettings, snapshot: dict[str, Any] | None = None) -> None:
        self._lock = threading.RLock()
        self._startup = settings
        self.settings = settings
        self.faults = FaultBook()
        self.limiter = RateLimiter()
        self._queries = QueryRunner()
        self._log: list[Record] = []
        self.generation = 0
        self._listeners: list[Callable[[], None]] = []
        self._in_flight = 0
        ws = None
        if snapshot is not None:
            ws = Workspace.restore(snapshot, exact_timestamps=settings.exact_timestamps)
        self._install(ws)

    def _install(self, ws: Workspace | None) -> None:
        ws = ws or Workspace()
        integrations = ws.add_bots(self.settings.integrations)
        if ws.root_page_id not in ws.pages:
            ws.add_root_page(integrations[0].bot_id)
        self.ws = ws
        self._configure()
        self.integrations = {i.token: i for i in integrations}
        self._queries.clear()

    def _configure(self) -> None:
        """Hand the workspace the settings that shape its objects."""
        self.ws.exact_timestamps = self.settings.exact_timestamps
        self.ws.move_values = self.settings.move_values
        self.ws.move_answer = self.settings.move_answer
        self.ws.dates_in_utc = self.settings.dates_in_utc

    # Serving ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Count a ``/v1`` request as in flight for the block (see :meth:`in_flight`)."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def in_flight(self) -> int:
        """How many ``/v1`` requests are being answered now (a delay fault holds some)."""
        with self._lock:
            return self._in_flight

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (without the lock) after every change to the workspace."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def authenticate(self, authorization: str | None) -> Integration:
        """The integration whose ``Bearer`` token is given.

        Raises:
            ApiError: 401 ``unauthorized`` for a missing or unknown token.
        """
        scheme, _, token = (authorization or "").partition(" ")
        integration = self.integrations.get(token.strip()) if scheme.lower() == "bearer" else None
        if integration is None:
            raise ApiError(401, "unauthorized", UNAUTHORIZED)
        return integration

    def admit(self, viewer: Integration, method: str, path: str) -> FaultRule | None:
        """Count the request against the rate limit and pick the fault rule that fires, if any.

        Raises:
            ApiError: 429 ``rate_limited`` when the token's budget is spent.
        """
        with self._lock:
            settings = self.settings
            self.limiter.admit(viewer.token, settings.rate_limit, settings.workspace_rate_limit)
            return self.faults.take(method, path)

    def execute(self, call: routes.Call, request_id: str) -> tuple[bytes, str | None]:
        """Handle one ``/v1`` call: the encoded response body and the id of the object it returns.

        Raises:
            ApiError: the error response Notion would send.
        """
        api = APIS[call.version]
        with self._lock:
            handler, object_id = api.route(call.method, call.path)
            api.check_capability(handler, call.viewer)
            context = routes.Context(self.ws, self._queries, self.settings.query_result_cap)
            body = handler(context, call, object_id)
            body["request_id"] = request_id
            encoded = encode(body)
        if handler in api.writes:
            self._changed()
        return encoded, body.get("id")

    def record(self, entry: Record, generation: int) -> None:
        """Append one entry to the request log, unless a reset happened since the request began."""
        with self._lock:
            if generation == self.generation:
                self._log.append(entry)

    # Admin --------------------------------------------------------------------------------------

    @property
    def root_page_id(self) -> str:
        """The page to create databases under."""
        return self.ws.root_page_id

    def info(self) -> Record:
        """``GET /_sandbox/info``: root page, tokens (the syncer's first), settings."""
        with self._lock:
            return {
                "root_page_id": self.ws.root_page_id,
                "workspace_id": self.ws.workspace_id,
                "tokens": list(self.integrations),
                "integrations": [_integration_json(i) for i in self.integrations.values()],
                "settings": self.settings.runtime_json(),
                "state_file": str(self.settings.state_file) if self.settings.state_file else None,
            }

    def reset(self) -> None:
        """Back to a just-started sandbox: empty workspace (same root page), no faults, empty log,
        fresh rate-limit windows, and the settings it was started with."""
        with self._lock:
            root = self.ws.root_page_id
            workspace_id = self.ws.workspace_id
            self.settings = self._startup
            self._install(Workspace(workspace_id, root))
            self.faults.clear()
            self.limiter.reset()
            self._log.clear()
            self.generation += 1
        self._changed()

    def add_user(self, name: str, email: str | None = None, *, bot: bool = False) -> Record:
        """Add a person (or a bot) and return its user object, email included."""
        with self._lock:
            user = self.ws.add_user(name, None if bot else email, "bot" if bot else "person")
            owner = next(iter(self.integrations.values()))
            rendered = render_user(user, owner)
        self._changed()
        return rendered

    def add_integration(self, name: str, capabilities: Iterable[str]) -> Record:
        """Add an integration with these capabilities and a new token (until the next reset).

        Raises:
            ValueError: for an empty name or an unknown capability.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError("name must be a non-empty string")
        chosen = parse_capabilities(list(capabilities))
        spec = IntegrationSpec(f"ntn_sandbox_{secrets.token_hex(20)}", name.strip(), chosen)
        with self._lock:
            (integration,) = self.ws.add_bots((spec,))
            self.integrations[spec.token] = integration
            return _integration_json(integration)

    def add_fault(self, rule: FaultRule | dict[str, Any]) -> Record:
        """Add a fault rule (a :class:`FaultRule` or its JSON form) and return it as JSON.

        Raises:
            ValueError: for a malformed rule.
        """
        parsed = rule if isinstance(rule, FaultRule) else FaultRule.from_json(rule)
        parsed.check()
        with self._lock:
            return self.faults.add(parsed).to_json()

    def fail_next(
        self,
        status: int,
        *,
        method: str = "*",
        path: str = "/v1/*",
        times: int = 1,
        retry_after: int | None = None,
    ) -> Record:
        """Shorthand: answer the next ``times`` matching requests with ``status``."""
        rule = FaultRule(
            "status", method.upper(), path, status, retry_after=retry_after, times=times
        )
        return self.add_fault(rule)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        with self._lock:
            self.faults.clear()

    def fault_rules(self) -> list[Record]:
        """The active fault rules as JSON."""
        with self._lock:
            return self.faults.rules()

    def requests(self) -> list[Record]:
        """The ``/v1`` request log since the last reset: ``{at, method, path, status, token}``."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._log.clear()

    def update_settings(self, **changes: Any) -> Record:
        """Change any of the run-time settings (see ``SandboxSettings.runtime_json``).

        Raises:
            ValueError: for an unknown setting or a bad value.
        """
        with self._lock:
            self.settings = self.settings.with_changes(changes)
            self._configure()
            self.limiter.reset()
            self._queries.clear()
            return self.settings.runtime_json()

    def dump(self) -> Record:
        """Every user, database, data source and page as the syncer's integration sees them."""
        with self._lock:
            viewer = next(iter(self.integrations.values()))
            ws = self.ws
            dumped: Record = json.loads(
                encode(
                    {
                        "root_page_id": ws.root_page_id,
                        "users": [render_user(u, viewer) for u in ws.users.values()],
                        "databases": [render_database(ws, d) for d in ws.databases.values()],
                        "data_sources": [
                            render_data_source(ws, s) for s in ws.data_sources.values()
                        ],
                        "pages": [render_page(ws, p, viewer) for p in ws.pages.values()],
                    }
                )
            )
            return dumped

    def snapshot(self) -> bytes:
        """The workspace as JSON for ``--state`` (``SandboxService(snapshot=...)`` reads it)."""
        with self._lock:
            return encode(self.ws.snapshot())

    def read(self, reader: Callable[[Workspace], Any]) -> Any:
        """Run ``reader`` on the workspace under the lock (for the HTML view)."""
        with self._lock:
            return reader(self.ws)


def _integration_json(integration: Integration) -> Record:
    return {
        "token": integration.token,
        "name": integration.name,
        "bot_id": integration.bot_id,
        "capabilities": sorted(integration.capabilities),
        "read_emails": integration.read_emails,
    }
