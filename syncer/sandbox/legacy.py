"""The ``/v1`` endpoints of Notion-Version 2022-06-28, over the same workspace as 2025-09-03's.

That version has no data sources: a database carries its schema in ``properties``, is queried at
``/databases/{id}/query``, and is a page's parent as ``{"database_id": ...}``. Notion maps a
database's id to its only data source, and refuses these calls on a database that has more than
one (Notion's upgrade guide for 2025-09-03). ``/data_sources/*`` does not exist here, so the
route table answers it ``400 invalid_request_url``. Pages and users answer as in 2025-09-03, but
for a page's parent.
"""

from __future__ import annotations

import dataclasses

from syncer.sandbox import databases, routes
from syncer.sandbox.errors import validation_error
from syncer.sandbox.ids import parse_id
from syncer.sandbox.objects import render_database
from syncer.sandbox.routes import Api, Call, Context, path
from syncer.sandbox.state import Record, Workspace

VERSION = "2022-06-28"
MULTI_SOURCE = "Databases with multiple data sources are not supported in this API version."
MISSING_PROPERTIES = (
    "body failed validation: body.properties should be defined, instead was `undefined`."
)


def only_source(ws: Workspace, database_id: str) -> str:
    """The id of the database's one data source.

    Raises:
        ApiError: 404 for an unknown database, 400 ``validation_error`` (Notion's words) for a
            database with several data sources.
    """
    sources = ws.database(database_id)["data_source_ids"]
    if len(sources) != 1:
        raise validation_error(MULTI_SOURCE)
    return str(sources[0])


def render_legacy_database(ws: Workspace, db: Record) -> Record:
    """A database as 2022-06-28 shows it: its data source's schema as ``properties``."""
    body = render_database(ws, db)
    del body["data_sources"], body["is_locked"]  # neither exists in this version
    body["properties"] = ws.data_sources[only_source(ws, db["id"])]["schema"]
    return body


def legacy_page(page: Record) -> Record:
    """A rendered page with 2022-06-28's parent: ``{"type": "database_id", "database_id"}``."""
    parent = page.get("parent")
    if parent is not None and parent.get("type") == "data_source_id":
        page["parent"] = {"type": "database_id", "database_id": parent["database_id"]}
    return page


def _create_database(ctx: Context, call: Call, _: str) -> Record:
    if "properties" not in call.body:
        raise validation_error(MISSING_PROPERTIES)
    # The same database a 2025-09-03 client gets, its schema going to the first data source.
    body = {k: v for k, v in call.body.items() if k not in ("properties", "initial_data_source")}
    body["initial_data_source"] = {"properties": call.body["properties"]}
    db = databases.create_database(ctx.ws, body, call.viewer.bot_id)
    return render_legacy_database(ctx.ws, db)


def _get_database(ctx: Context, call: Call, object_id: str) -> Record:
    return render_legacy_database(ctx.ws, ctx.ws.database(object_id))


def _patch_database(ctx: Context, call: Call, object_id: str) -> Record:
    source_id = only_source(ctx.ws, object_id)
    db = databases.update_database_and_schema(
        ctx.ws, object_id, source_id, call.body, call.viewer.bot_id
    )
    return render_legacy_database(ctx.ws, db)


def _query_database(ctx: Context, call: Call, object_id: str) -> Record:
    source_id = only_source(ctx.ws, object_id)
    body = routes.query_listing(ctx, call, source_id, "page_or_database")
    body["results"] = [legacy_page(page) for page in body["results"]]
    return body


def _create_page(ctx: Context, call: Call, object_id: str) -> Record:
    parent = call.body.get("parent")
    raw = parent.get("database_id") if isinstance(parent, dict) else None
    database_id = parse_id(raw) if isinstance(raw, str) else None
    if database_id is not None:  # a malformed id is left for create_page to name
        parent = {"type": "data_source_id", "data_source_id": only_source(ctx.ws, database_id)}
        call = dataclasses.replace(call, body={**call.body, "parent": parent})
    return legacy_page(routes.create_page(ctx, call, object_id))


def _get_page(ctx: Context, call: Call, object_id: str) -> Record:
    return legacy_page(routes.get_page(ctx, call, object_id))


def _patch_page(ctx: Context, call: Call, object_id: str) -> Record:
    return legacy_page(routes.patch_page(ctx, call, object_id))


def _move_page(ctx: Context, call: Call, object_id: str) -> Record:
    return legacy_page(routes.move_page(ctx, call, object_id))


LEGACY = Api(
    VERSION,
    (
        ("POST", path("/v1/databases"), "", _create_database),
        ("GET", path("/v1/databases/{id}"), "database_id", _get_database),
        ("PATCH", path("/v1/databases/{id}"), "database_id", _patch_database),
        ("POST", path("/v1/databases/{id}/query"), "database_id", _query_database),
        ("POST", path("/v1/pages"), "", _create_page),
        ("GET", path("/v1/pages/{id}"), "page_id", _get_page),
        ("PATCH", path("/v1/pages/{id}"), "page_id", _patch_page),
        ("POST", path("/v1/pages/{id}/move"), "page_id", _move_page),
        *routes.USER_ROUTES,
    ),
    {
        **dict.fromkeys((_create_database, _create_page), "insert_content"),
        **dict.fromkeys((_patch_database, _patch_page, _move_page), "update_content"),
        **dict.fromkeys((_get_database, _query_database, _get_page), "read_content"),
        **dict.fromkeys((routes.list_users, routes.get_user), "read_users"),
    },
    frozenset({_create_database, _patch_database, _create_page, _patch_page, _move_page}),
)
