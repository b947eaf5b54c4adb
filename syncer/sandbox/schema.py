"""Data source schemas: validating property configurations on create and update."""

from __future__ import annotations

import copy
import json
from typing import Any

from syncer.sandbox.errors import body_error, validation_error
from syncer.sandbox.ids import new_id, new_property_id

Schema = dict[str, dict[str, Any]]
"""Property name -> ``{"id", "name", "description", "type", <type>: config}``."""

WRITABLE_TYPES = frozenset(
    {
        "title",
        "rich_text",
        "number",
        "select",
        "multi_select",
        "date",
        "people",
        "checkbox",
        "email",
        "url",
        "phone_number",
    }
)
COMPUTED_TYPES = frozenset({"created_time", "last_edited_time", "created_by", "last_edited_by"})
ALL_TYPES = WRITABLE_TYPES | COMPUTED_TYPES
COLORS = frozenset(
    {"default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"}
)
MAX_SCHEMA_BYTES = 50_000


def page_schema() -> Schema:
    """The implicit schema of a page whose parent is a page: just its title."""
    return {
        "title": {"id": "title", "name": "title", "description": "", "type": "title", "title": {}}
    }


def new_option(name: str, color: str = "default") -> dict[str, Any]:
    """A select option as the schema stores it."""
    return {"id": new_id()[:8], "name": name, "color": color, "description": None}


def check_option_name(name: Any, path: str) -> str:
    """A select option name, which must be a non-empty string without commas."""
    if not isinstance(name, str) or not name:
        raise body_error(path, "a non-empty string", name)
    if "," in name:
        raise validation_error(f"Invalid select option, commas not allowed: {name}")
    if len(name) > 100:
        raise body_error(f"{path}.length", "≤ `100`", len(name))
    return name


def _options(raw: Any, old: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise body_error(path, "an array", raw)
    by_name = {option["name"]: option for option in old}
    options: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise body_error(where, "an object", item)
        name = check_option_name(item.get("name"), f"{where}.name")
        color = item.get("color", by_name.get(name, {}).get("color", "default"))
        if color not in COLORS:
            raise body_error(f"{where}.color", "a valid color", color)
        option = dict(by_name.get(name) or new_option(name))
        option["color"] = color
        options.append(option)
    return options


def _type_config(kind: str, raw: Any, old: dict[str, Any] | None, path: str) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    if kind in ("select", "multi_select"):
        previous = (old or {}).get("options", [])
        if "options" not in raw:
            return {"options": copy.deepcopy(previous)}
        return {"options": _options(raw["options"], previous, f"{path}.options")}
    if kind == "number":
        return {"format": raw.get("format", (old or {}).get("format", "number"))}
    return {}


def _declared_type(raw: dict[str, Any], path: str) -> str | None:
    kinds = [key for key in raw if key in ALL_TYPES]
    declared = raw.get("type")
    if declared is not None and declared not in ALL_TYPES:
        raise body_error(f"{path}.type", "a supported property type", declared)
    if len(kinds) > 1 or (declared and kinds and kinds[0] != declared):
        raise validation_error(f"{path} should define exactly one property type.")
    if declared:
        return str(declared)
    return kinds[0] if kinds else None


def _entry(
    name: str, kind: str, raw: dict[str, Any], old: dict[str, Any] | None, path: str
) -> dict[str, Any]:
    description = raw.get("description", (old or {}).get("description", ""))
    prop_id = "title" if kind == "title" else (old or {}).get("id") or new_property_id()
    same_kind = old if old and old["type"] == kind else None
    config = _type_config(kind, raw.get(kind), (same_kind or {}).get(kind), f"{path}.{kind}")
    return {"id": prop_id, "name": name, "description": description, "type": kind, kind: config}


def build_schema(raw: Any, path: str = "body.properties") -> Schema:
    """A new data source's schema from the request's ``properties``; exactly one title is required.

    Raises:
        ApiError: 400 ``validation_error`` naming the offending property.
    """
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    schema: Schema = {}
    for name, config in raw.items():
        where = f"{path}.{name}"
        if not isinstance(config, dict):
            raise body_error(where, "an object", config)
        kind = _declared_type(config, where)
        if kind is None:
            raise validation_error(f"{where} should define a property type.")
        final_name = str(config.get("name", name))
        schema[final_name] = _entry(final_name, kind, config, None, where)
    _check_titles(schema)
    _check_size(schema)
    return schema


def _find(schema: Schema, key: str) -> str | None:
    if key in schema:
        return key
    return next((name for name, prop in schema.items() if prop["id"] == key), None)


def _update_one(schema: Schema, key: str, raw: Any, path: str) -> None:
    current = _find(schema, key)
    if raw is None:
        if current is None:
            raise validation_error(f"{key} is not a property that exists.")
        if schema[current]["type"] == "title":
            raise validation_error("Cannot delete the title property.")
        del schema[current]
        return
    if not isinstance(raw, dict):
        raise body_error(path, "an object or `null`", raw)
    old = schema.get(current) if current else None
    kind = _declared_type(raw, path) or (old["type"] if old else None)
    if kind is None:
        raise validation_error(f"{key} is not a property that exists.")
    if old and (old["type"] == "title") != (kind == "title"):
        raise validation_error(f"Cannot change the type of {key} to or from title.")
    new_name = str(raw.get("name", current or key))
    entry = _entry(new_name, kind, raw, old, path)
    rebuilt: Schema = {}
    for name, prop in schema.items():
        rebuilt[new_name if name == current else name] = entry if name == current else prop
    if current is None:
        rebuilt[new_name] = entry
    if len(rebuilt) != len(schema) + (current is None):
        raise validation_error(f"A property named {new_name} already exists.")
    schema.clear()
    schema.update(rebuilt)


def update_schema(schema: Schema, raw: Any, path: str = "body.properties") -> Schema:
    """A copy of ``schema`` with ``properties`` applied: add, rename, retype, or remove (null).

    Raises:
        ApiError: 400 ``validation_error`` naming the offending property.
    """
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    updated = copy.deepcopy(schema)
    for key, config in raw.items():
        _update_one(updated, key, config, f"{path}.{key}")
    _check_titles(updated)
    _check_size(updated)
    return updated


def _check_titles(schema: Schema) -> None:
    titles = [name for name, prop in schema.items() if prop["type"] == "title"]
    if len(titles) != 1:
        raise validation_error(
            f"A data source needs exactly one title property, instead had {len(titles)}."
        )


def _check_size(schema: Schema) -> None:
    sizes = {name: len(json.dumps(prop)) for name, prop in schema.items()}
    if sum(sizes.values()) > MAX_SCHEMA_BYTES:
        largest = max(sizes, key=lambda name: sizes[name])
        raise validation_error(
            f"The schema is larger than the 50KB limit; its largest property is {largest}."
        )
