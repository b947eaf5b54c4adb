"""The ``/v1`` endpoints of Notion-Version 2025-09-03: a route table from method and path to
handlers over the workspace (``legacy.py`` has 2022-06-28's, over the same workspace)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syncer.sandbox import databases, pages
from syncer.sandbox.errors import ApiError, invalid_url, quoted, validation_error
from syncer.sandbox.ids import parse_id
from syncer.sandbox.objects import (
    render_data_source,
    render_database,
    render_me,
    render_page,
    render_user,
)
from syncer.sandbox.query import QueryRunner, page_size, paginate
from syncer.sandbox.state import Integration, Record, Workspace


@dataclass(slots=True)
class Call:
    """One authenticated ``/v1`` request, parsed."""

    method: str
    path: str
    viewer: Integration
    body: Record = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    version: str = "2025-09-03"  # the request's Notion-Version, which picks the Api

    def query_values(self, *names: str) -> list[str]:
        """Every value of the query parameters called ``names`` (repeats included)."""
        return [value for key, value in self.query if key in names]


@dataclass(slots=True)
class Context:
    """What handlers work on."""

    ws: Workspace
    queries: QueryRunner
    result_cap: int = 10_000


Handler = Callable[[Context, Call, str], Record]
Route = tuple[str, re.Pattern[str], str, Handler]


def _only(call: Call) -> set[str] | None:
    wanted = call.query_values("filter_properties", "filter_properties[]")
    return set(wanted) if wanted else None


def _list(results: list[Record], following: str | None, kind: str) -> Record:
    return {
        "object": "list",
        "results": results,
        "next_cursor": following,
        "has_more": following is not None,
        "type": kind,
        kind: {},
    }


def _create_database(ctx: Context, call: Call, _: str) -> Record:
    return render_database(ctx.ws, databases.create_database(ctx.ws, call.body, call.viewer.bot_id))


def _get_database(ctx: Context, call: Call, object_id: str) -> Record:
    return render_database(ctx.ws, ctx.ws.database(object_id))


def _patch_database(ctx: Context, call: Call, object_id: str) -> Record:
    db = databases.update_database(ctx.ws, object_id, call.body, call.viewer.bot_id)
    return render_database(ctx.ws, db)


def _legacy_query(ctx: Context, call: Call, object_id: str) -> Record:
    raise invalid_url(
        "Invalid request URL: databases/{id}/query is not available in Notion-Version 2025-09-03; "
        "query the data source instead."
    )


def _create_source(ctx: Context, call: Call, _: str) -> Record:
    source = databases.create_data_source(ctx.ws, call.body, call.viewer.bot_id)
    return render_data_source(ctx.ws, source)


def _get_source(ctx: Context, call: Call, object_id: str) -> Record:
    return render_data_source(ctx.ws, ctx.ws.data_source(object_id))


def _patch_source(ctx: Context, call: Call, object_id: str) -> Record:
    source = databases.update_data_source(ctx.ws, object_id, call.body, call.viewer.bot_id)
    return render_data_source(ctx.ws, source)


def query_listing(ctx: Context, call: Call, source_id: str, kind: str) -> Record:
    """One page of a data source's query results as a list of ``kind`` (both versions' query)."""
    ids, following, capped = ctx.queries.run(
        ctx.ws, source_id, call.body, call.viewer.bot_id, cap=ctx.result_cap
    )
    only = _only(call)
    results = [render_page(ctx.ws, ctx.ws.pages[i], call.viewer, only) for i in ids]
    body = _list(results, following, kind)
    if capped:
        body["request_status"] = {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
    return body


def _query_source(ctx: Context, call: Call, object_id: str) -> Record:
    ctx.ws.data_source(object_id)
    return query_listing(ctx, call, object_id, "page_or_data_source")


def create_page(ctx: Context, call: Call, _: str) -> Record:
    """``POST /pages``."""
    page = pages.create_page(ctx.ws, call.body, call.viewer.bot_id)
    return render_page(ctx.ws, page, call.viewer)


def get_page(ctx: Context, call: Call, object_id: str) -> Record:
    """``GET /pages/{id}``, with ``filter_properties``."""
    return render_page(ctx.ws, ctx.ws.page(object_id), call.viewer, _only(call))


def patch_page(ctx: Context, call: Call, object_id: str) -> Record:
    """``PATCH /pages/{id}``."""
    page = pages.update_page(ctx.ws, object_id, call.body, call.viewer.bot_id)
    return render_page(ctx.ws, page, call.viewer)


def move_page(ctx: Context, call: Call, object_id: str) -> Record:
    """``POST /pages/{id}/move``: the page, or only its id (``move_answer``)."""
    page = pages.move_page(ctx.ws, object_id, call.body, call.viewer.bot_id)
    if ctx.ws.move_answer == "id":
        return {"object": "page", "id": page["id"]}  # PartialPageObjectResponse
    return render_page(ctx.ws, page, call.viewer)


def list_users(ctx: Context, call: Call, _: str) -> Record:
    """``GET /users``: persons and bots, paginated."""
    sizes = call.query_values("page_size")
    size = page_size(sizes[0] if sizes else None, "query.page_size")
    cursors = call.query_values("start_cursor")
    ids = [uid for uid, user in ctx.ws.users.items() if user["type"] in ("person", "bot")]
    chunk, following = paginate(ids, cursors[0] if cursors else None, size, "query.start_cursor")
    results = [render_user(ctx.ws.users[uid], call.viewer) for uid in chunk]
    return _list(results, following, "user")


def me(ctx: Context, call: Call, _: str) -> Record:
    """``GET /users/me``: the calling integration's bot."""
    return render_me(ctx.ws, call.viewer)


def get_user(ctx: Context, call: Call, object_id: str) -> Record:
    """``GET /users/{id}``."""
    return render_user(ctx.ws.user(object_id), call.viewer)


INSUFFICIENT = "Insufficient permissions for this endpoint."


@dataclass(frozen=True, slots=True)
class Api:
    """The endpoints of one Notion-Version: its routes, the capability each handler needs (none
    for ``users/me``, as in Notion), and the handlers that change the workspace."""

    version: str
    routes: tuple[Route, ...]
    needs: Mapping[Handler, str]
    writes: frozenset[Handler]

    def route(self, method: str, path: str) -> tuple[Handler, str]:
        """The handler for a request and the (normalized) id in its path.

        Raises:
            ApiError: 400 ``invalid_request_url`` for a path or method this version does not
                have, 400 ``validation_error`` for a malformed id.
        """
        for verb, pattern, id_name, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None or verb != method:
                continue
            raw = match.groupdict().get("id")
            if raw is None:
                return handler, ""
            object_id = parse_id(raw)
            if object_id is None:
                raise validation_error(
                    f"path failed validation: path.{id_name} should be a valid uuid, "
                    f"instead was {quoted(raw)}."
                )
            return handler, object_id
        raise invalid_url()

    def check_capability(self, handler: Handler, viewer: Integration) -> None:
        """Refuse a call the integration's capabilities do not allow, as Notion does.

        Raises:
            ApiError: 403 ``restricted_resource``.
        """
        needed = self.needs.get(handler)
        if needed is not None and needed not in viewer.capabilities:
            raise ApiError(403, "restricted_resource", INSUFFICIENT)


def path(pattern: str) -> re.Pattern[str]:
    """A route's path pattern; ``{id}`` stands for the object id, a trailing slash is allowed."""
    return re.compile(pattern.replace("{id}", r"(?P<id>[^/]+)") + "/?")


# Users answer alike in both versions (legacy.py shares them).
USER_ROUTES: tuple[Route, ...] = (
    ("GET", path("/v1/users"), "", list_users),
    ("GET", path("/v1/users/me"), "", me),
    ("GET", path("/v1/users/{id}"), "user_id", get_user),
)
CURRENT = Api(
    "2025-09-03",
    (
        ("POST", path("/v1/databases"), "", _create_database),
        ("GET", path("/v1/databases/{id}"), "database_id", _get_database),
        ("PATCH", path("/v1/databases/{id}"), "database_id", _patch_database),
        ("POST", path("/v1/databases/{id}/query"), "database_id", _legacy_query),
        ("POST", path("/v1/data_sources"), "", _create_source),
        ("GET", path("/v1/data_sources/{id}"), "data_source_id", _get_source),
        ("PATCH", path("/v1/data_sources/{id}"), "data_source_id", _patch_source),
        ("POST", path("/v1/data_sources/{id}/query"), "data_source_id", _query_source),
        ("POST", path("/v1/pages"), "", create_page),
        ("GET", path("/v1/pages/{id}"), "page_id", get_page),
        ("PATCH", path("/v1/pages/{id}"), "page_id", patch_page),
        ("POST", path("/v1/pages/{id}/move"), "page_id", move_page),
        *USER_ROUTES,
    ),
    {
        **dict.fromkeys((_create_database, _create_source, create_page), "insert_content"),
        **dict.fromkeys((_patch_database, _patch_source, patch_page, move_page), "update_content"),
        **dict.fromkeys(
            (_get_database, _legacy_query, _get_source, _query_source, get_page), "read_content"
        ),
        **dict.fromkeys((list_users, get_user), "read_users"),
    },
    frozenset(
        {_create_database, _patch_database, _create_source, _patch_source}
        | {create_page, patch_page, move_page}
    ),
)
