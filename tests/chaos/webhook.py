"""A webhook receiver on 127.0.0.1 for one scenario: it keeps every alert syncer posts.

Its URL carries a secret path, as Slack's do, so the campaign can check that the URL never
reaches an output, a log, an audit row, an alert or the SQLite file.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    """The URL to post to, and the bodies received so far."""

    url: str
    secret: str
    bodies: list[str] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    secret = f"T0SECRET{secrets.token_hex(8)}"
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            received.append(self.rfile.read(length).decode("utf-8", "replace"))
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the campaign prints only its own lines."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield Receiver(f"http://127.0.0.1:{port}/services/{secret}", secret, received)
    finally:
        server.shutdown()
        server.server_close()
