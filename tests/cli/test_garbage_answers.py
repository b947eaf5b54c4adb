"""A 200 answer that is not a JSON object is Notion's `bad_response`, not a traceback."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from tests.support.cli import Cli

TODAY = "2026-03-11"


class _Garbage(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 with the body the server was given (a proxy's login page)."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body: bytes = self.server.body  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads what syncer says, not the server."""


@pytest.fixture
def garbage_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Please sign in to the proxy</body></html>", b"[]", b"", b"\xff\xfe{"],
    ids=["html", "a list", "empty", "not utf-8"],
)
def test_a_200_that_is_not_a_json_object_is_a_bad_response_error(
    cli: Cli, garbage_server: http.server.ThreadingHTTPServer, body: bytes
) -> None:
    """Retried like a 502, then exit 1 saying the answer was unreadable; --json gets JSON."""
    garbage_server.body = body  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{garbage_server.server_address[1]}"
    cli.config.write_text(cli.config.read_text().replace(cli.sandbox.url, url))
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    text = cli("--today", TODAY, "drain")
    as_json = cli("--today", TODAY, "--json", "drain")

    assert (text.exit_code, as_json.exit_code) == (1, 1), text.output
    assert "Traceback" not in text.output
    assert "not a JSON object" in text.stderr
    assert "retry 1 in 0.0s" in text.stderr
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == "bad_response"
