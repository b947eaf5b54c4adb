"""Keep the sandbox's admin API and pages to the machine it runs on.

``/_sandbox/`` hands out tokens and rewrites the workspace, and the pages show people's emails,
so a web page the user happens to open must not reach them: a request whose ``Host`` header
names another host (DNS rebinding) is refused, and so is a write sent from another site (CSRF:
a foreign ``Origin``, or ``Sec-Fetch-Site: cross-site``). The Notion API under ``/v1`` is left
as it is: it takes a bearer token, as Notion's does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LocalOnly:
    """ASGI middleware: refuse foreign hosts and cross-site writes outside ``/v1``."""

    def __init__(self, app: ASGIApp, extra_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = LOOPBACK_NAMES | {host.lower() for host in extra_hosts if host}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/v1/"):
            refusal = self._refusal(scope)
            if refusal is not None:
                await _forbidden(send, refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        host = _hostname(headers.get("host", ""))
        if host not in self.allowed:
            return f"host {host!r} is not this sandbox's: requests must name 127.0.0.1 or localhost"
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin and _hostname(urlsplit(origin).netloc) not in self.allowed:
            return "cross-site request refused"
        if headers.get("sec-fetch-site") == "cross-site":
            return "cross-site request refused"
        return None


def _hostname(netloc: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``[::1]``."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc.split("]", 1)[0] + "]"
    return netloc.rsplit(":", 1)[0] if ":" in netloc else netloc


async def _forbidden(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})
