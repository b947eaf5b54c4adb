"""Page property values: check a write against the schema and turn it into the stored form."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from syncer.sandbox.dates import normalize_date
from syncer.sandbox.errors import body_error, validation_error
from syncer.sandbox.ids import parse_id
from syncer.sandbox.schema import COMPUTED_TYPES, Schema, check_option_name, new_option

MAX_TEXT = 2000
MAX_ITEMS = 100
MAX_SHORT_TEXT = 200
ANNOTATIONS = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}

NewOptions = dict[tuple[str, str], dict[str, Any]]
"""Select options a write creates, keyed by (property name, option name); added once it is valid."""


def _array(raw: Any, path: str) -> list[Any]:
    if not isinstance(raw, list):
        raise body_error(path, "an array", raw)
    if len(raw) > MAX_ITEMS:
        raise body_error(f"{path}.length", f"≤ `{MAX_ITEMS}`", len(raw))
    return raw


def _string(raw: Any, path: str, limit: int) -> str:
    if not isinstance(raw, str):
        raise body_error(path, "a string", raw)
    if len(raw) > limit:
        raise body_error(f"{path}.length", f"≤ `{limit}`", len(raw))
    return raw


def rich_text_item(raw: Any, path: str) -> dict[str, Any]:
    """One written rich-text item in its read form (only ``text`` items are supported)."""
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    if raw.get("type", "text") != "text" or not isinstance(raw.get("text"), dict):
        raise body_error(f"{path}.text", "an object with a `content` string", raw.get("text"))
    content = _string(raw["text"].get("content"), f"{path}.text.content", MAX_TEXT)
    link = raw["text"].get("link")
    if link is not None:
        if not isinstance(link, dict):
            raise body_error(f"{path}.text.link", "an object or `null`", link)
        link = {"url": _string(link.get("url"), f"{path}.text.link.url", MAX_TEXT)}
    given = raw.get("annotations") or {}
    if not isinstance(given, dict):
        raise body_error(f"{path}.annotations", "an object", given)
    annotations = {key: given.get(key, default) for key, default in ANNOTATIONS.items()}
    if annotations == ANNOTATIONS:
        annotations = ANNOTATIONS  # shared: stored values are never changed in place
    return {
        "type": "text",
        "text": {"content": content, "link": link},
        "annotations": annotations,
        "plain_text": content,
        "href": link["url"] if link else None,
    }


def rich_text(raw: Any, path: str) -> list[dict[str, Any]]:
    """A written title or rich_text array in its read form."""
    items = _array(raw, path)
    return [rich_text_item(item, f"{path}[{index}]") for index, item in enumerate(items)]


def _number(raw: Any, path: str) -> float | int | None:
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
        raise body_error(path, "a number or `null`", raw)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise body_error(path, "a finite number", raw)  # JSON has no NaN or Infinity
    return raw


def _checkbox(raw: Any, path: str) -> bool:
    if not isinstance(raw, bool):
        raise body_error(path, "a boolean", raw)
    return raw


def _option(prop: dict[str, Any], raw: Any, path: str, created: NewOptions) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    options = prop[prop["type"]]["options"]
    if raw.get("id") is not None:
        found = next((o for o in options if o["id"] == raw["id"]), None)
        if found is None:
            raise validation_error(f"Select option id {raw['id']} does not exist ({path}).")
        return {"id": found["id"], "name": found["name"]}
    name = check_option_name(raw.get("name"), f"{path}.name")
    found = next((o for o in options if o["name"] == name), None)
    if found is None:
        found = created.setdefault((prop["name"], name), new_option(name))
    return {"id": found["id"], "name": name}


def _people(raw: Any, path: str, users: Mapping[str, Any]) -> list[str]:
    ids: list[str] = []
    for index, item in enumerate(_array(raw, path)):
        where = f"{path}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise body_error(where, "an object with an `id`", item)
        user_id = parse_id(item["id"])
        if user_id is None or user_id not in users:
            raise body_error(f"{where}.id", "the id of an existing user", item["id"])
        if user_id not in ids:
            ids.append(user_id)
    return ids


def _parse_value(
    prop: dict[str, Any], raw: Any, path: str, users: Mapping[str, Any], created: NewOptions
) -> Any:
    kind = prop["type"]
    simple: dict[str, Callable[[Any, str], Any]] = {
        "title": rich_text,
        "rich_text": rich_text,
        "number": _number,
        "checkbox": _checkbox,
        "date": normalize_date,
        "email": lambda v, p: None if v is None else _string(v, p, MAX_SHORT_TEXT),
        "phone_number": lambda v, p: None if v is None else _string(v, p, MAX_SHORT_TEXT),
        "url": lambda v, p: None if v is None else _string(v, p, MAX_TEXT),
    }
    if kind in simple:
        return simple[kind](raw, path)
    if kind == "select":
        return None if raw is None else _option(prop, raw, path, created)
    if kind == "multi_select":
        items = _array(raw, path)
        return [_option(prop, item, f"{path}[{i}]", created) for i, item in enumerate(items)]
    if kind == "people":
        return _people(raw, path, users)
    raise validation_error(f"{prop['name']} is a read-only property and cannot be written.")


def find_property(schema: Schema, key: str) -> dict[str, Any] | None:
    """The schema entry whose name or id is ``key``."""
    prop = schema.get(key)
    if prop is not None:
        return prop
    return next((p for p in schema.values() if p["id"] == key), None)


def parse_properties(
    schema: Schema, raw: Any, users: Mapping[str, Any], created: NewOptions
) -> dict[str, Any]:
    """Written ``properties`` as stored values keyed by property id.

    Raises:
        ApiError: 400 ``validation_error`` naming the first property that does not fit the schema.
    """
    if not isinstance(raw, dict):
        raise body_error("body.properties", "an object", raw)
    values: dict[str, Any] = {}
    for key, given in raw.items():
        prop = find_property(schema, key)
        if prop is None:
            raise validation_error(f"{key} is not a property that exists.")
        kind, name = prop["type"], prop["name"]
        if kind in COMPUTED_TYPES:
            raise validation_error(f"{name} is a read-only property and cannot be written.")
        if not isinstance(given, dict) or kind not in given:
            raise validation_error(f"{name} is expected to be {kind}.")
        declared = given.get("type", kind)
        if declared != kind or set(given) - {"id", "type", kind}:
            raise validation_error(f"{name} is expected to be {kind}.")
        path = f"body.properties.{name}.{kind}"
        values[prop["id"]] = _parse_value(prop, given[kind], path, users, created)
    return values


def trash_flag(body: dict[str, Any]) -> bool | None:
    """The requested trash state from ``in_trash`` or its deprecated alias ``archived``.

    Raises:
        ApiError: 400 when the two disagree or are not booleans.
    """
    flags = {body[key] for key in ("in_trash", "archived") if key in body}
    if len(flags) > 1:
        raise validation_error("in_trash and archived must agree when both are given.")
    flag = next(iter(flags), None)
    if flag is not None and not isinstance(flag, bool):
        raise body_error("body.in_trash", "a boolean", flag)
    return flag
