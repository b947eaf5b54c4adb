"""Page operations: create, update (properties, trash, lock) and move, with Notion's checks."""

from __future__ import annotations

from typing import Any

from syncer.sandbox.errors import body_error, validation_error
from syncer.sandbox.ids import parse_id
from syncer.sandbox.schema import Schema, page_schema
from syncer.sandbox.state import Record, Workspace
from syncer.sandbox.validate import NewOptions, parse_properties, trash_flag

MAX_CHILDREN = 100
ARCHIVED_MESSAGE = "Can't edit block that is archived. You must unarchive the block before editing."


def _id(raw: Any, path: str) -> str:
    object_id = parse_id(raw) if isinstance(raw, str) else None
    if object_id is None:
        raise body_error(path, "a valid uuid", raw)
    return object_id


def source_parent(ws: Workspace, source_id: str) -> Record:
    """The API form of a data source parent."""
    source = ws.data_source(source_id)
    return {
        "type": "data_source_id",
        "data_source_id": source_id,
        "database_id": source["database_id"],
    }


def _single_source(ws: Workspace, database_id: str) -> str:
    sources = ws.database(database_id)["data_source_ids"]
    if len(sources) != 1:
        raise validation_error(
            f"Database {database_id} has {len(sources)} data sources; "
            "use a data_source_id parent to say which one."
        )
    return str(sources[0])


def resolve_parent(ws: Workspace, raw: Any, *, for_move: bool) -> Record:
    """A page's new parent in API form, from a data_source_id, database_id or page_id parent.

    Raises:
        ApiError: 400 for a malformed or ambiguous parent, 404 when it does not exist.
    """
    if not isinstance(raw, dict):
        raise body_error("body.parent", "an object", raw)
    if "data_source_id" in raw:
        return source_parent(ws, _id(raw["data_source_id"], "body.parent.data_source_id"))
    if "database_id" in raw:
        if for_move:
            raise validation_error("Moving a page needs a page_id or data_source_id parent.")
        database_id = _id(raw["database_id"], "body.parent.database_id")
        return source_parent(ws, _single_source(ws, database_id))
    if "page_id" in raw:
        page_id = _id(raw["page_id"], "body.parent.page_id")
        if page_id in ws.databases:
            return source_parent(ws, _single_source(ws, page_id))
        ws.page(page_id)
        return {"type": "page_id", "page_id": page_id}
    if raw.get("workspace") or raw.get("type") == "workspace":
        raise validation_error("Only public integrations can create pages at the workspace level.")
    raise body_error("body.parent", "an object with data_source_id, database_id or page_id", raw)


def _schema_for(ws: Workspace, parent: Record) -> Schema:
    source_id = parent.get("data_source_id")
    return ws.data_sources[source_id]["schema"] if source_id else page_schema()


def _add_options(ws: Workspace, parent: Record, created: NewOptions) -> None:
    if not created:
        return
    schema = ws.data_sources[parent["data_source_id"]]["schema"]
    for (name, _option_name), option in created.items():
        config = schema[name][schema[name]["type"]]
        config["options"] = [*config["options"], option]


def _check_limits(body: Record) -> None:
    children = body.get("children")
    if isinstance(children, list) and len(children) > MAX_CHILDREN:
        raise body_error("body.children.length", f"≤ `{MAX_CHILDREN}`", len(children))
    for key in ("rollup", "created_by", "created_time", "last_edited_by", "last_edited_time"):
        if key in body:
            raise body_error(f"body.{key}", "not present", body[key])


def create_page(ws: Workspace, body: Record, actor: str) -> Record:
    """``POST /pages``: a page in a data source (or under a page), with validated properties.

    Page content (``children``, ``markdown``, ``template``) is accepted but not stored.

    Raises:
        ApiError: 400 for a bad body, 404 for an unknown parent.
    """
    parent = resolve_parent(ws, body.get("parent"), for_move=False)
    _check_limits(body)
    created: NewOptions = {}
    values = parse_properties(
        _schema_for(ws, parent), body.get("properties", {}), ws.users, created
    )
    _add_options(ws, parent, created)
    page = ws.new_page(parent, values, actor)
    page["icon"] = body.get("icon")
    page["cover"] = body.get("cover")
    return page


def update_page(ws: Workspace, page_id: str, body: Record, actor: str) -> Record:
    """``PATCH /pages/{id}``: partial properties (arrays replace), icon, cover, lock and trash.

    Raises:
        ApiError: 400 for a bad body or an edit of a trashed page, 404 for an unknown id.
    """
    page = ws.page(page_id)
    if "parent" in body:
        raise validation_error("A page's parent cannot be changed with this endpoint; move it.")
    trash = trash_flag(body)
    if page["in_trash"] and trash is not False and "properties" in body:
        raise validation_error(ARCHIVED_MESSAGE)
    created: NewOptions = {}
    values = parse_properties(ws.schema_of(page), body.get("properties", {}), ws.users, created)
    locked = body.get("is_locked", page["is_locked"])
    if not isinstance(locked, bool):
        raise body_error("body.is_locked", "a boolean", locked)
    _add_options(ws, page["parent"], created)
    page["values"] = {**page["values"], **values}
    for key in ("icon", "cover"):
        if key in body:
            page[key] = body[key]
    page["is_locked"] = locked
    if trash is not None:
        page["in_trash"] = trash
    page["last_edited_time"] = ws.now()
    page["last_edited_by"] = actor
    ws.attach(page)
    return page


def _ancestors(ws: Workspace, parent: Record) -> list[str]:
    """Ids of every page above ``parent`` (inclusive), up to the workspace."""
    chain: list[str] = []
    while parent.get("type") != "workspace":
        if parent["type"] == "data_source_id":
            parent = ws.databases[parent["database_id"]]["parent"]
            continue
        chain.append(parent["page_id"])
        parent = ws.pages[parent["page_id"]]["parent"]
    return chain


def _carried_values(ws: Workspace, page: Record, target: Record) -> dict[str, Any]:
    """The values that survive a move. Notion does not document it, so it is a setting:
    ``keep-by-name`` keeps those whose name and type exist in the new schema, ``title-only``
    only the title. The title always moves to the new schema's title."""
    old, new = ws.schema_of(page), _schema_for(ws, target)
    carried: dict[str, Any] = {}
    for name, prop in old.items():
        twin = new.get(name) if ws.move_values == "keep-by-name" else None
        if prop["type"] == "title":
            twin = next(p for p in new.values() if p["type"] == "title")
        if twin is not None and twin["type"] == prop["type"] and prop["id"] in page["values"]:
            carried[twin["id"]] = page["values"][prop["id"]]
    return carried


def move_page(ws: Workspace, page_id: str, body: Record, actor: str) -> Record:
    """``POST /pages/{id}/move``: into another data source or under another page.

    Raises:
        ApiError: 400 for Notion's documented refusals, 404 for an unknown page or parent.
    """
    if page_id in ws.databases:
        raise validation_error("Only pages can be moved; databases cannot.")
    page = ws.page(page_id)
    target = resolve_parent(ws, body.get("parent"), for_move=True)
    if page["in_trash"]:
        raise validation_error("Cannot move a page that is in the trash.")
    if target.get("page_id") == page_id:
        raise validation_error("A page cannot be moved into itself.")
    if _same_parent(page["parent"], target):
        raise validation_error("The new parent is the page's current parent.")
    if page_id in _ancestors(ws, target):
        raise validation_error("A page cannot be moved under one of its own descendants.")
    values = _carried_values(ws, page, target)
    ws.detach(page)
    page["parent"] = target
    page["values"] = values
    page["last_edited_time"] = ws.now()
    page["last_edited_by"] = actor
    ws.attach(page)
    return page


def _same_parent(current: Record, target: Record) -> bool:
    key = "data_source_id" if target["type"] == "data_source_id" else "page_id"
    return current.get("type") == target["type"] and current.get(key) == target.get(key)
