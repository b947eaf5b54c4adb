"""Render the workspace's records as Notion's JSON objects, as seen by one integration."""

from __future__ import annotations

from typing import Any

from syncer.sandbox.dates import in_utc
from syncer.sandbox.ids import compact_id
from syncer.sandbox.schema import Schema
from syncer.sandbox.state import Integration, Record, Workspace

WORKSPACE_NAME = "Sandbox"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def plain_text(items: list[Record]) -> str:
    """The plain text of a rich-text array."""
    return "".join(item.get("plain_text", "") for item in items)


def partial_user(user_id: str) -> Record:
    """A user as Notion gives it in ``created_by`` and similar: object and id only."""
    return {"object": "user", "id": user_id}


def render_user(user: Record, viewer: Integration) -> Record:
    """A user object; ``person.email`` only when the viewer may read emails."""
    body: Record = {
        "object": "user",
        "id": user["id"],
        "type": user["type"],
        "name": user["name"],
        "avatar_url": user["avatar_url"],
    }
    if user["type"] == "person":
        body["person"] = {"email": user["email"]} if viewer.read_emails else {}
    else:
        body["bot"] = {}
    return body


def render_me(ws: Workspace, viewer: Integration) -> Record:
    """The calling integration's bot user, with its workspace details (``GET /users/me``)."""
    body = render_user(ws.users[viewer.bot_id], viewer)
    body["bot"] = {
        "owner": {"type": "workspace", "workspace": True},
        "workspace_id": ws.workspace_id,
        "workspace_name": WORKSPACE_NAME,
        "workspace_limits": {"max_file_upload_size_in_bytes": MAX_UPLOAD_BYTES},
    }
    return body


def _option(prop: Record, stored: Record) -> Record:
    options = prop[prop["type"]].get("options", [])
    found = next((o for o in options if o["id"] == stored["id"]), None)
    if found is None:
        return {"id": stored["id"], "name": stored.get("name", ""), "color": "default"}
    return {"id": found["id"], "name": found["name"], "color": found["color"]}


def _value(ws: Workspace, prop: Record, page: Record, viewer: Integration) -> Any:
    kind = prop["type"]
    if kind in ("created_time", "last_edited_time"):
        return page[kind]
    if kind in ("created_by", "last_edited_by"):
        return partial_user(page[kind])
    stored = page["values"].get(prop["id"])
    if kind in ("title", "rich_text", "multi_select", "people") and stored is None:
        stored = []
    if kind == "checkbox":
        return bool(stored)
    if kind == "select":
        return None if stored is None else _option(prop, stored)
    if kind == "multi_select":
        return [_option(prop, item) for item in stored]
    if kind == "people":
        # Without user information an integration sees only who, not their name or email.
        return [
            render_user(ws.users[uid], viewer)
            if uid in ws.users and viewer.read_users
            else partial_user(uid)
            for uid in stored
        ]
    if kind == "date" and stored is not None and ws.dates_in_utc:
        return {**stored, "start": in_utc(stored["start"]), "end": in_utc(stored["end"])}
    return stored


def render_properties(
    ws: Workspace, schema: Schema, page: Record, viewer: Integration, only: set[str] | None
) -> Record:
    """A page's ``properties``: name -> ``{id, type, <type>: value}``, optionally filtered."""
    properties: Record = {}
    for name, prop in schema.items():
        if only is not None and name not in only and prop["id"] not in only:
            continue
        kind = prop["type"]
        properties[name] = {"id": prop["id"], "type": kind, kind: _value(ws, prop, page, viewer)}
    return properties


def render_page(
    ws: Workspace, page: Record, viewer: Integration, only: set[str] | None = None
) -> Record:
    """A page object (``filter_properties`` ids or names given as ``only``)."""
    return {
        "object": "page",
        "id": page["id"],
        "created_time": page["created_time"],
        "last_edited_time": page["last_edited_time"],
        "created_by": partial_user(page["created_by"]),
        "last_edited_by": partial_user(page["last_edited_by"]),
        "cover": page["cover"],
        "icon": page["icon"],
        "parent": dict(page["parent"]),
        "in_trash": page["in_trash"],
        "archived": page["in_trash"],
        "is_locked": page["is_locked"],
        "properties": render_properties(ws, ws.schema_of(page), page, viewer, only),
        "url": f"https://www.notion.so/{compact_id(page['id'])}",
        "public_url": None,
    }


def render_database(ws: Workspace, db: Record) -> Record:
    """A database object: container attributes and ``data_sources: [{id, name}]``."""
    sources = [ws.data_sources[source_id] for source_id in db["data_source_ids"]]
    return {
        "object": "database",
        "id": db["id"],
        "title": db["title"],
        "description": db["description"],
        "parent": dict(db["parent"]),
        "is_inline": db["is_inline"],
        "in_trash": db["in_trash"],
        "archived": db["in_trash"],
        "is_locked": db["is_locked"],
        "created_time": db["created_time"],
        "last_edited_time": db["last_edited_time"],
        "created_by": partial_user(db["created_by"]),
        "last_edited_by": partial_user(db["last_edited_by"]),
        "data_sources": [{"id": s["id"], "name": plain_text(s["title"])} for s in sources],
        "icon": db["icon"],
        "cover": db["cover"],
        "url": f"https://www.notion.so/{compact_id(db['id'])}",
        "public_url": None,
    }


def render_data_source(ws: Workspace, source: Record) -> Record:
    """A data source object: its schema in ``properties`` and its database as ``parent``."""
    db = ws.databases[source["database_id"]]
    return {
        "object": "data_source",
        "id": source["id"],
        "title": source["title"],
        "description": source["description"],
        "parent": {"type": "database_id", "database_id": db["id"]},
        "database_parent": dict(db["parent"]),
        "is_inline": db["is_inline"],
        "in_trash": source["in_trash"],
        "archived": source["in_trash"],
        "created_time": source["created_time"],
        "last_edited_time": source["last_edited_time"],
        "created_by": partial_user(source["created_by"]),
        "last_edited_by": partial_user(source["last_edited_by"]),
        "properties": source["schema"],
        "icon": source["icon"],
        "cover": None,
        "url": f"https://www.notion.so/{compact_id(source['id'])}",
        "public_url": None,
    }
