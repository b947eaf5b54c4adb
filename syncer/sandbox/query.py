"""Querying a data source: compile Notion's filters and sorts, and paginate with opaque cursors."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from syncer.sandbox import dates
from syncer.sandbox.errors import body_error, validation_error
from syncer.sandbox.ids import new_id
from syncer.sandbox.objects import plain_text
from syncer.sandbox.schema import Schema
from syncer.sandbox.state import Record, Workspace
from syncer.sandbox.validate import find_property

Predicate = Callable[[Record], bool]
Getter = Callable[[Record], Any]

MAX_PAGE_SIZE = 100
RESULT_LIMIT = 10_000
TEXT_TYPES = frozenset({"title", "rich_text", "email", "url", "phone_number"})
PEOPLE_TYPES = frozenset({"people", "created_by", "last_edited_by"})
DATE_TYPES = frozenset({"date", "created_time", "last_edited_time"})
RELATIVE = frozenset(
    {"past_week", "past_month", "past_year", "next_week", "next_month", "next_year", "this_week"}
)


def _getter(prop: Record) -> Getter:
    """How to read a property's comparable value off a page (None when empty)."""
    kind, pid = prop["type"], prop["id"]
    if kind in ("created_time", "last_edited_time", "created_by", "last_edited_by"):
        return lambda page: page[kind]
    if kind in ("title", "rich_text"):
        return lambda page: plain_text(page["values"].get(pid) or []) or None
    if kind == "date":
        return lambda page: (page["values"].get(pid) or {}).get("start")
    if kind == "select":
        names = {o["id"]: o["name"] for o in prop["select"]["options"]}
        return lambda page: _option_name(names, page["values"].get(pid))
    if kind == "multi_select":
        names = {o["id"]: o["name"] for o in prop["multi_select"]["options"]}
        return lambda page: [_option_name(names, o) for o in page["values"].get(pid) or []]
    if kind == "people":
        return lambda page: page["values"].get(pid) or []
    return lambda page: page["values"].get(pid)


def _option_name(names: dict[str, str], stored: Record | None) -> str | None:
    if stored is None:
        return None
    return names.get(stored["id"], stored.get("name"))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _text_test(op: str, operand: Any) -> Callable[[Any], bool]:
    tests: dict[str, Callable[[str], bool]] = {
        "equals": lambda v: v == operand,
        "does_not_equal": lambda v: v != operand,
        "contains": lambda v: str(operand) in v,
        "does_not_contain": lambda v: str(operand) not in v,
        "starts_with": lambda v: v.startswith(str(operand)),
        "ends_with": lambda v: v.endswith(str(operand)),
    }
    return lambda value: tests[op](value or "")


def _number_test(op: str, operand: Any) -> Callable[[Any], bool]:
    tests: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: v == operand,
        "does_not_equal": lambda v: v != operand,
        "greater_than": lambda v: v is not None and v > operand,
        "less_than": lambda v: v is not None and v < operand,
        "greater_than_or_equal_to": lambda v: v is not None and v >= operand,
        "less_than_or_equal_to": lambda v: v is not None and v <= operand,
    }
    return tests[op]


def _select_test(op: str, operand: Any) -> Callable[[Any], bool]:
    wanted = set(operand) if isinstance(operand, list) else {operand}
    if op == "equals":
        return lambda v: v in wanted
    return lambda v: v not in wanted


def _contains_test(op: str, operand: Any, me: str) -> Callable[[Any], bool]:
    target = me if operand == "me" else operand
    if op == "contains":
        return lambda v: target in (v if isinstance(v, list) else [v])
    return lambda v: target not in (v if isinstance(v, list) else [v])


def _date_test(op: str, operand: Any, path: str) -> Callable[[Any], bool]:
    if op in RELATIVE:
        low, high = dates.relative_range(op)
        return lambda v: (
            v is not None and dates.compare(v, low) >= 0 and dates.compare(v, high) <= 0
        )
    when = dates.check_operand(operand, path)
    accept = {
        "equals": (0,),
        "before": (-1,),
        "after": (1,),
        "on_or_before": (-1, 0),
        "on_or_after": (0, 1),
    }[op]
    return lambda v: v is not None and dates.compare(v, when) in accept


OPERATORS: dict[str, frozenset[str]] = {
    "text": frozenset(
        {"equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with"}
    ),
    "number": frozenset(
        {
            "equals",
            "does_not_equal",
            "greater_than",
            "less_than",
            "greater_than_or_equal_to",
            "less_than_or_equal_to",
        }
    ),
    "checkbox": frozenset({"equals", "does_not_equal"}),
    "select": frozenset({"equals", "does_not_equal"}),
    "multi_select": frozenset({"contains", "does_not_contain"}),
    "people": frozenset({"contains", "does_not_contain"}),
    "date": frozenset({"equals", "before", "after", "on_or_before", "on_or_after"} | RELATIVE),
}


def _family(kind: str) -> str:
    if kind in TEXT_TYPES:
        return "text"
    if kind in PEOPLE_TYPES:
        return "people"
    if kind in DATE_TYPES:
        return "date"
    return kind


def _condition(family: str, condition: Any, path: str, me: str) -> Callable[[Any], bool]:
    if not isinstance(condition, dict) or len(condition) != 1:
        raise body_error(path, "an object with exactly one operator", condition)
    op, operand = next(iter(condition.items()))
    if op in ("is_empty", "is_not_empty"):
        return _empty if op == "is_empty" else lambda value: not _empty(value)
    if op not in OPERATORS.get(family, frozenset()):
        raise body_error(f"{path}.{op}", "not present", operand)
    if family == "text":
        return _text_test(op, operand)
    if family in ("number", "checkbox"):
        return _number_test(op, operand)
    if family == "select":
        return _select_test(op, operand)
    if family in ("multi_select", "people"):
        return _contains_test(op, operand, me)
    return _date_test(op, operand, f"{path}.{op}")


def _property_filter(raw: Record, schema: Schema, path: str, me: str) -> Predicate:
    if "timestamp" in raw:
        kind = raw["timestamp"]
        if kind not in ("created_time", "last_edited_time"):
            raise body_error(f"{path}.timestamp", "`created_time` or `last_edited_time`", kind)
        prop: Record = {"id": kind, "type": kind}
        key = kind
    else:
        name = raw.get("property")
        found = find_property(schema, name) if isinstance(name, str) else None
        if found is None:
            raise validation_error(f"Could not find property with name or id: {name}")
        prop = found
        keys = [k for k in raw if k not in ("property", "type")]
        key = keys[0] if len(keys) == 1 else ""
        allowed = {prop["type"], "rich_text"} if prop["type"] == "title" else {prop["type"]}
        if prop["type"] in ("created_time", "last_edited_time"):
            allowed.add("date")
        if key not in allowed:
            raise validation_error(
                f"{prop['name']} is a {prop['type']} property; filter it with "
                f"`{prop['type']}`, instead was `{key or None}`."
            )
    get = _getter(prop)
    test = _condition(_family(prop["type"]), raw.get(key), f"{path}.{key}", me)
    return lambda page: test(get(page))


def compile_filter(raw: Any, schema: Schema, me: str, path: str = "body.filter") -> Predicate:
    """A predicate for Notion's ``filter`` (property, timestamp, or nested ``and``/``or``).

    Raises:
        ApiError: 400 ``validation_error`` for an unknown property or a malformed condition.
    """
    if raw is None:
        return lambda page: True
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    for joiner in ("and", "or"):
        if joiner in raw:
            return _compound(joiner, raw, schema, me, path)
    return _property_filter(raw, schema, path, me)


def _compound(joiner: str, raw: Record, schema: Schema, me: str, path: str) -> Predicate:
    parts = raw[joiner]
    if not isinstance(parts, list) or len(raw) != 1:
        raise body_error(f"{path}.{joiner}", "an array (alone in its object)", parts)
    subs = [compile_filter(p, schema, me, f"{path}.{joiner}[{i}]") for i, p in enumerate(parts)]
    if joiner == "and":
        return lambda page: all(sub(page) for sub in subs)
    return lambda page: any(sub(page) for sub in subs)


def _sort_key(prop: Record, ws: Workspace) -> Getter:
    """A sortable key for a property (None when empty, which always sorts last)."""
    kind = prop["type"]
    get = _getter(prop)
    if kind == "date":
        return lambda page: None if get(page) is None else dates.instant(get(page))
    if kind in ("select", "multi_select"):
        order = {o["name"]: i for i, o in enumerate(prop[kind]["options"])}
        if kind == "select":
            return lambda page: None if get(page) is None else order.get(get(page), len(order))
        return lambda page: order.get(get(page)[0], len(order)) if get(page) else None
    if kind in PEOPLE_TYPES:

        def first_name(page: Record) -> str | None:
            value = get(page)
            first = (value or [None])[0] if isinstance(value, list) else value
            return None if first is None else str(ws.users.get(first, {}).get("name", ""))

        return first_name
    if kind == "checkbox":
        return lambda page: bool(get(page))
    return lambda page: None if _empty(get(page)) else get(page)


def _sort_spec(raw: Any, index: int, schema: Schema, ws: Workspace) -> tuple[Getter, bool]:
    path = f"body.sorts[{index}]"
    if not isinstance(raw, dict):
        raise body_error(path, "an object", raw)
    direction = raw.get("direction", "ascending")
    if direction not in ("ascending", "descending"):
        raise body_error(f"{path}.direction", "`ascending` or `descending`", direction)
    if "timestamp" in raw:
        kind = raw["timestamp"]
        if kind not in ("created_time", "last_edited_time"):
            raise body_error(f"{path}.timestamp", "`created_time` or `last_edited_time`", kind)
        return (lambda page: page[kind]), direction == "descending"
    name = raw.get("property")
    prop = find_property(schema, name) if isinstance(name, str) else None
    if prop is None:
        raise validation_error(f"Could not find sort property with name or id: {name}")
    return _sort_key(prop, ws), direction == "descending"


def sort_pages(pages: list[Record], raw: Any, schema: Schema, ws: Workspace) -> list[Record]:
    """Pages in the order of Notion's ``sorts`` (earlier entries win; empty values last).

    Raises:
        ApiError: 400 ``validation_error`` for an unknown property or a malformed sort.
    """
    if raw is None:
        return pages
    if not isinstance(raw, list):
        raise body_error("body.sorts", "an array", raw)
    specs = [_sort_spec(item, i, schema, ws) for i, item in enumerate(raw)]
    for key, descending in reversed(specs):
        keyed = [(key(page), page) for page in pages]
        filled = [pair for pair in keyed if pair[0] is not None]
        filled.sort(key=lambda pair: pair[0], reverse=descending)
        pages = [page for _, page in filled] + [page for k, page in keyed if k is None]
    return pages


def page_size(raw: Any, path: str) -> int:
    """A ``page_size`` between 1 and 100 (default 100).

    Raises:
        ApiError: 400 ``validation_error`` outside that range.
    """
    if raw is None:
        return MAX_PAGE_SIZE
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise body_error(path, "a number", raw)
    if raw > MAX_PAGE_SIZE:
        raise body_error(path, f"≤ `{MAX_PAGE_SIZE}`", raw)
    if raw < 1:
        raise body_error(path, "≥ `1`", raw)
    return raw


def paginate(ids: list[str], cursor: Any, size: int, path: str) -> tuple[list[str], str | None]:
    """One page of a short listing of ``ids`` starting at ``cursor``, and the next cursor.

    Raises:
        ApiError: 400 ``validation_error`` when the cursor is not one this listing handed out.
    """
    start = 0
    if cursor is not None:
        if not isinstance(cursor, str) or cursor not in ids:
            raise body_error(path, "a cursor returned by a previous request", cursor)
        start = ids.index(cursor)
    following = ids[start + size] if start + size < len(ids) else None
    return ids[start : start + size], following


class QueryRunner:
    """Runs queries, caching each (data source, filter, sorts) ordering until the source changes.

    The cache makes reading a large data source page by page cost one filter-and-sort in all.
    """

    def __init__(self, capacity: int = 16, cursors: int = 1000) -> None:
        self._capacity = capacity
        self._cache: OrderedDict[str, tuple[int, list[str], dict[str, int]]] = OrderedDict()
        # A cursor names the rest of the listing it was handed out with, so that, as with
        # Notion's opaque cursors, editing or trashing pages between reads never breaks it.
        self._cursor_capacity = cursors
        self._cursors: OrderedDict[str, list[str]] = OrderedDict()

    def clear(self) -> None:
        """Forget every cached ordering and cursor."""
        self._cache.clear()
        self._cursors.clear()

    def run(
        self, ws: Workspace, source_id: str, body: Record, me: str, *, cap: int = RESULT_LIMIT
    ) -> tuple[list[str], str | None, bool]:
        """The ids of one page of results, the next cursor, and whether the result cap (Notion's
        is 10,000 per query) was hit.

        Raises:
            ApiError: 400 ``validation_error`` for a bad filter, sort, page size or cursor.
        """
        size = page_size(body.get("page_size"), "body.page_size")
        ids, positions = self._ordered(ws, source_id, body, me)
        cursor = body.get("start_cursor")
        if cursor is None:
            remaining = ids[:cap]
        else:
            rest = self._cursors.get(cursor) if isinstance(cursor, str) else None
            if rest is None:
                raise body_error("body.start_cursor", "a cursor from a previous response", cursor)
            # Pages trashed or no longer matching since the last read drop out.
            remaining = [page_id for page_id in rest if page_id in positions]
        results, rest = remaining[:size], remaining[size:]
        following = self._hand_out(rest) if rest else None
        return results, following, len(ids) > cap and following is None

    def _hand_out(self, rest: list[str]) -> str:
        token = new_id()
        self._cursors[token] = rest
        while len(self._cursors) > self._cursor_capacity:
            self._cursors.popitem(last=False)
        return token

    def _ordered(
        self, ws: Workspace, source_id: str, body: Record, me: str
    ) -> tuple[list[str], dict[str, int]]:
        key = json.dumps([source_id, body.get("filter"), body.get("sorts"), me, dates.today()])
        version = ws.source_versions.get(source_id, 0)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == version:
            self._cache.move_to_end(key)
            return cached[1], cached[2]
        schema = ws.data_sources[source_id]["schema"]
        keep = compile_filter(body.get("filter"), schema, me)
        pages = [p for p in ws.source_pages(source_id) if not p["in_trash"] and keep(p)]
        ids = [p["id"] for p in sort_pages(pages, body.get("sorts"), schema, ws)]
        positions = {page_id: i for i, page_id in enumerate(ids)}
        self._cache[key] = (version, ids, positions)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return ids, positions
