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


class Pages:
    """The view's request handlers over one service."""

    def __init__(self, service: SandboxService, activity: Activity, clock: Clock) -> None:
        self.service = service
        self.activity = activity
        self.clock = clock

    def routes(self) -> list[Route]:
        return [
            Route("/", self.calendar, methods=["GET"]),
            Route("/databases/{database_id}", self.database, methods=["GET"]),
            Route("/users", self.users, methods=["GET"]),
            Route("/requests", self.requests, methods=["GET"]),
            Route("/faults", self.faults, methods=["GET"]),
            Route("/_sandbox/activity", self.stamp, methods=["GET"]),
        ]

    def read(self, request: Request) -> tuple[str, View, Snapshot]:
        """The activity stamp, the request's view, and the workspace. The stamp is read first:
        a change made while the page renders makes the page refresh once more."""
        stamp = self.activity.stamp(self.service)
        return stamp, _view(request, self.clock()), Snapshot.from_dump(self.service.dump())

    def respond(
        self, stamp: str, view: View, snap: Snapshot, title: str, main: Html, status: int = 200
    ) -> Response:
        log = self.service.requests()
        limited = sum(1 for entry in log if entry["status"] == 429)
        counts = Counts(len(log), limited, len(self.service.fault_rules()))
        body = page(view, snap, counts, title, main, stamp)
        return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})

    async def calendar(self, request: Request) -> Response:
        stamp, view, snap = self.read(request)
        return self.respond(stamp, view, snap, *week_view(view, snap))

    async def database(self, request: Request) -> Response:
        stamp, view, snap = self.read(request)
        found = table_view(view, snap, request.path_params["database_id"])
        if found is None:
            return self.respond(stamp, view, snap, "Not found", el("p", "No such database."), 404)
        return self.respond(stamp, view, snap, *found)

    async def users(self, request: Request) -> Response:
        stamp, view, snap = self.read(request)
        main = users_view(snap, self.service.info())
        return self.respond(stamp, view, snap, "Users", main)

    async def requests(self, request: Request) -> Response:
        stamp, view, snap = self.read(request)
        main = requests_view(view, self.service.requests(), self.service.info())
        return self.respond(stamp, view, snap, "Requests", main)

    async def faults(self, request: Request) -> Response:
        stamp, view, snap = self.read(request)
        main = faults_view(self.service.fault_rules())
        return self.respond(stamp, view, snap, "Faults", main)

    async def stamp(self, request: Request) -> Response:
        return JSONResponse({"activity": self.activity.stamp(self.service)})


def view_routes(
    service: SandboxService, activity: Activity, clock: Clock | None = None
) -> list[Route]:
    """The HTML views and ``GET /_sandbox/activity``; ``clock`` gives "now" (for today)."""
    return Pages(service, activity, clock or (lambda: dt.datetime.now(dt.UTC))).routes()


def _view(request: Request, now: dt.datetime) -> View:
    query = dict(request.query_params)
    name, tz = zone(query.get("tz"))
    return View(name, tz, now.astimezone(tz), query)
