"""Database and data source operations: create, update (attributes and schema)."""

from __future__ import annotations

from typing import Any

from syncer.sandbox.errors import body_error, not_found, validation_error
from syncer.sandbox.ids import new_id, parse_id
from syncer.sandbox.schema import build_schema, update_schema
from syncer.sandbox.state import Record, Workspace
from syncer.sandbox.validate import rich_text, trash_flag

DEFAULT_PROPERTIES: dict[str, Any] = {"Name": {"title": {}}}


def _object(body: Record, key: str) -> Record:
    value = body.get(key)
    if not isinstance(value, dict):
        raise body_error(f"body.{key}", "an object", value)
    return value


def _page_parent(ws: Workspace, raw: Any) -> Record:
    if not isinstance(raw, dict):
        raise body_error("body.parent", "an object", raw)
    if raw.get("type", "page_id") == "workspace" or raw.get("workspace"):
        raise validation_error(
            "Only public integrations can create databases at the workspace level; "
            "give a page_id parent."
        )
    page_id = parse_id(str(raw.get("page_id", "")))
    if page_id is None:
        raise body_error("body.parent.page_id", "a valid uuid", raw.get("page_id"))
    if page_id not in ws.pages:
        raise not_found("page", page_id)
    return {"type": "page_id", "page_id": page_id}


def _stamp(record: Record, ws: Workspace, actor: str, *, new: bool) -> None:
    now = ws.now()
    if new:
        record["created_time"] = now
        record["created_by"] = actor
    record["last_edited_time"] = now
    record["last_edited_by"] = actor


def _new_source(ws: Workspace, database_id: str, raw: Record, actor: str) -> Record:
    source: Record = {
        "id": new_id(),
        "database_id": database_id,
        "title": rich_text(raw.get("title", []), "body.title"),
        "description": [],
        "schema": build_schema(raw.get("properties", DEFAULT_PROPERTIES)),
        "in_trash": False,
        "icon": raw.get("icon"),
    }
    _stamp(source, ws, actor, new=True)
    ws.data_sources[source["id"]] = source
    ws.pages_by_source[source["id"]] = {}
    return source


def create_database(ws: Workspace, body: Record, actor: str) -> Record:
    """``POST /databases``: a database under a page, with its first data source.

    Raises:
        ApiError: 400 for a bad body, 404 for an unknown parent page.
    """
    parent = _page_parent(ws, body.get("parent"))
    initial = body.get("initial_data_source") or {}
    if not isinstance(initial, dict):
        raise body_error("body.initial_data_source", "an object", initial)
    title = rich_text(body.get("title", []), "body.title")
    db: Record = {
        "id": new_id(),
        "title": title,
        "description": rich_text(body.get("description", []), "body.description"),
        "parent": parent,
        "is_inline": bool(body.get("is_inline", False)),
        "in_trash": False,
        "is_locked": False,
        "icon": body.get("icon"),
        "cover": body.get("cover"),
        "data_source_ids": [],
    }
    source_spec = {"title": body.get("title", []), **initial}
    source = _new_source(ws, db["id"], source_spec, actor)
    db["data_source_ids"].append(source["id"])
    _stamp(db, ws, actor, new=True)
    ws.databases[db["id"]] = db
    return db


def create_data_source(ws: Workspace, body: Record, actor: str) -> Record:
    """``POST /data_sources``: another data source in an existing database.

    Raises:
        ApiError: 400 for a bad body, 404 for an unknown database.
    """
    parent = _object(body, "parent")
    database_id = parse_id(str(parent.get("database_id", "")))
    if database_id is None:
        raise body_error("body.parent.database_id", "a valid uuid", parent.get("database_id"))
    db = ws.database(database_id)
    source = _new_source(ws, database_id, body, actor)
    db["data_source_ids"] = [*db["data_source_ids"], source["id"]]
    return source


def update_database(ws: Workspace, database_id: str, body: Record, actor: str) -> Record:
    """``PATCH /databases/{id}``: database-level attributes only (schemas live on data sources).

    Raises:
        ApiError: 400 for a bad body (including ``properties``), 404 for an unknown id.
    """
    db = ws.database(database_id)
    if "properties" in body:
        raise validation_error(
            "body.properties is not supported on databases under Notion-Version 2025-09-03; "
            "update the data source instead."
        )
    db.update(_database_changes(ws, body))
    _stamp(db, ws, actor, new=False)
    return db


def update_database_and_schema(
    ws: Workspace, database_id: str, source_id: str, body: Record, actor: str
) -> Record:
    """2022-06-28's ``PATCH /databases/{id}``: the database's attributes and, from
    ``properties``, the schema of its data source ``source_id``; the whole body is checked
    before either changes.

    Raises:
        ApiError: 400 for a bad body or schema change, 404 for an unknown id.
    """
    db = ws.database(database_id)
    changes = _database_changes(ws, {k: v for k, v in body.items() if k != "properties"})
    if "properties" in body:
        update_data_source(ws, source_id, {"properties": body["properties"]}, actor)
    db.update(changes)
    _stamp(db, ws, actor, new=False)
    return db


def _database_changes(ws: Workspace, body: Record) -> Record:
    """The database attributes ``body`` sets, checked; nothing is changed yet."""
    changes: Record = {}
    for key in ("title", "description"):
        if key in body:
            changes[key] = rich_text(body[key], f"body.{key}")
    for key in ("is_inline", "is_locked"):
        if key in body:
            if not isinstance(body[key], bool):
                raise body_error(f"body.{key}", "a boolean", body[key])
            changes[key] = body[key]
    for key in ("icon", "cover"):
        if key in body:
            changes[key] = body[key]
    if "parent" in body:
        changes["parent"] = _page_parent(ws, body["parent"])
    trash = trash_flag(body)
    if trash is not None:
        changes["in_trash"] = trash
    return changes


def update_data_source(ws: Workspace, source_id: str, body: Record, actor: str) -> Record:
    """``PATCH /data_sources/{id}``: title, icon, trash, and schema changes.

    Raises:
        ApiError: 400 for a bad body or schema change, 404 for an unknown id.
    """
    source = ws.data_source(source_id)
    changes: Record = {}
    if "properties" in body:
        changes["schema"] = update_schema(source["schema"], body["properties"])
    if "title" in body:
        changes["title"] = rich_text(body["title"], "body.title")
    if "icon" in body:
        changes["icon"] = body["icon"]
    trash = trash_flag(body)
    if trash is not None:
        changes["in_trash"] = trash
    if "schema" in changes:  # only once the whole body is known to be valid
        _drop_retyped_values(ws, source, changes["schema"])
    source.update(changes)
    _stamp(source, ws, actor, new=False)
    ws.touch_source(source_id)
    return source


def _drop_retyped_values(ws: Workspace, source: Record, schema: Record) -> None:
    """Forget page values of properties whose type changed: they no longer fit."""
    old_types = {prop["id"]: prop["type"] for prop in source["schema"].values()}
    retyped = {p["id"] for p in schema.values() if old_types.get(p["id"], p["type"]) != p["type"]}
    if not retyped:
        return
    for page in ws.source_pages(source["id"]):
        page["values"] = {k: v for k, v in page["values"].items() if k not in retyped}
