"""The view's routes: the calendar at ``/``, tables, users, requests, faults, and the activity
stamp the page polls to refresh itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from syncer.sandbox.service import SandboxService
from syncer.sandbox.view.admin import faults_view, requests_view, users_view
from syncer.sandbox.view.calendar import week_view
from syncer.sandbox.view.layout import Counts, View, page
from syncer.sandbox.view.markup import Html, el
from syncer.sandbox.view.model import Snapshot
from syncer.sandbox.view.tables import table_view
from syncer.sandbox.view.when import zone

Clock = Callable[[], dt.datetime]


class Activity:
    """A counter bumped on every change the view could show: workspace writes, resets, users,
    and every ``/v1`` request (the request log)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def bump(self) -> None:
        with self._lock:
            self.count += 1

    def stamp(self, service: SandboxService) -> str:
        """The counter, plus the fault rules (which in-process admin calls change silently)."""
        rules = json.dumps(service.fault_rules(), sort_keys=True, default=str).encode()
        return f"{self.count}-{hashlib.sha1(rules, usedforsecurity=False).hexdigest()[:8]}"


def view_routes(
    service: SandboxService, activity: Activity, clock: Clock | None = None
) -> list[Route]:
    """The HTML views and ``GET /_sandbox/activity``; ``clock`` gives "now" (for today)."""
    now = clock or (lambda: dt.datetime.now(dt.UTC))

    def read(request: Request) -> tuple[str, View, Snapshot]:
        # The stamp is read first: a change made while the page renders refreshes it again.
        stamp = activity.stamp(service)
        return stamp, _view(request, now()), Snapshot.from_dump(service.dump())

    def respond(stamp: str, view: View, snap: Snapshot, title: str, main: Html) -> Response:
        log = service.requests()
        limited = sum(1 for entry in log if entry["status"] == 429)
        counts = Counts(len(log), limited, len(service.fault_rules()))
        body = page(view, snap, counts, title, main, stamp)
        return HTMLResponse(body, headers={"cache-control": "no-store"})

    async def calendar(request: Request) -> Response:
        stamp, view, snap = read(request)
        return respond(stamp, view, snap, *week_view(view, snap))

    async def database(request: Request) -> Response:
        stamp, view, snap = read(request)
        found = table_view(view, snap, request.path_params["database_id"])
        if found is None:
            response = respond(stamp, view, snap, "Not found", el("p", "No such database."))
            response.status_code = 404
            return response
        return respond(stamp, view, snap, *found)

    async def users(request: Request) -> Response:
        stamp, view, snap = read(request)
        return respond(stamp, view, snap, "Users", users_view(snap, service.info()))

    async def requests(request: Request) -> Response:
        stamp, view, snap = read(request)
        main = requests_view(view, service.requests(), service.info())
        return respond(stamp, view, snap, "Requests", main)

    async def faults(request: Request) -> Response:
        stamp, view, snap = read(request)
        return respond(stamp, view, snap, "Faults", faults_view(service.fault_rules()))

    async def stamp(request: Request) -> Response:
        return JSONResponse({"activity": activity.stamp(service)})

    return [
        Route("/", calendar, methods=["GET"]),
        Route("/databases/{database_id}", database, methods=["GET"]),
        Route("/users", users, methods=["GET"]),
        Route("/requests", requests, methods=["GET"]),
        Route("/faults", faults, methods=["GET"]),
        Route("/_sandbox/activity", stamp, methods=["GET"]),
    ]


def _view(request: Request, now: dt.datetime) -> View:
    query = dict(request.query_params)
    name, tz = zone(query.get("tz"))
    return View(name, tz, now.astimezone(tz), query)
