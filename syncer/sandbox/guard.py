"""Keep the sandbox's admin API and pages to the machine it runs on.

``/_sandbox/`` hands out tokens and rewrites the workspace, and the pages show people's emails,
so a web page the user happens to open must not reach them: a request whose ``Host`` header
names another host (DNS rebinding) is refused, and so is a write sent from any other origin
(CSRF). An origin is scheme, host *and* port: a page served on another port of this machine
(some other local dev server) is another origin, and browsers call it ``same-site``, so only
``same-origin`` (or ``none``: typed by the user) passes ``Sec-Fetch-Site``. The Notion API under
``/v1`` is left as it is: it takes a bearer token, as Notion's does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OWN_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


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
        own = _origin(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")
        # A browser sends Origin on writes; Referer is the fallback some send instead.
        sender = headers.get("origin") or headers.get("referer")
        if sender and _origin(sender) != own:
            return "cross-origin request refused"
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site and fetch_site not in OWN_FETCH_SITES:
            return "cross-origin request refused"
        return None


def _hostname(netloc: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``[::1]``."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc.split("]", 1)[0] + "]"
    return netloc.rsplit(":", 1)[0] if ":" in netloc else netloc


def _origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of ``url`` (the default port when it names none); None for
    ``null`` or anything unparsable, which never equals this sandbox's origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


async def _forbidden(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})
