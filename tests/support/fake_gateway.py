"""An in-memory Notion for fast engine tests; the contract suite keeps it equal to the sandbox.

Like the sandbox it has a token with capabilities (``capabilities``), a choice of what a move
into another data source keeps (``move_values``: ``keep-by-name`` or ``title-only``) and a query
result cap (``result_cap``).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from typing import Any

from syncer.core import DataSourceId, PageId
from syncer.core.errors import NotionError, PermanentNotionError, notion_error
from syncer.core.gateway import (
    INCOMPLETE_READ,
    JSON,
    NotionDatabase,
    NotionUser,
    RawPage,
    Traffic,
)
from syncer.core.kinds import CAPABILITIES, Capability

_SEQUENCE = itertools.count()
ALL_CAPABILITIES: frozenset[Capability] = frozenset(CAPABILITIES)


def _new_id() -> str:
    return str(uuid.uuid4())


def _read_text(items: list[JSON]) -> list[JSON]:
    """Rich text as Notion reads it back (with plain_text)."""
    return [
        {**item, "type": "text", "plain_text": item["text"]["content"], "href": None}
        for item in copy.deepcopy(items)
    ]


def _read_form(name: str, value: JSON) -> JSON:
    """A written property value as Notion reads it back (type, id, plain_text)."""
    kind = next(iter(value))
    body = copy.deepcopy(value[kind])
    if kind in ("title", "rich_text"):
        body = [
            {**item, "type": "text", "plain_text": item["text"]["content"], "href": None}
            for item in body
        ]
    if kind == "people":
        body = [{"object": "user", "id": person["id"]} for person in body]
    if kind == "date" and body is not None:
        body = {"start": body.get("start"), "end": body.get("end"), "time_zone": None}
    return {"id": name, "type": kind, kind: body}


class _Fault:
    """A scripted failure, turned into a NotionError when it fires."""

    def __init__(
        self,
        fake: FakeGateway,
        status: int | None,
        code: str | None,
        retry_after: float | None,
        committed: bool,
    ) -> None:
        self.fake, self.status, self.code = fake, status, code
        self.retry_after, self.committed = retry_after, committed

    def __call__(self) -> NotionError:
        code = self.code or (None if self.status is not None else "connection")
        page_id = next(reversed(self.fake.pages)) if self.committed else None
        return notion_error(
            f"scripted failure ({self.status or code})",
            code=code,
            status=self.status,
            retry_after=self.retry_after,
            committed_resource_id=page_id,
        )


class FakeGateway:
    """The Gateway protocol over dictionaries, with scriptable failures."""

    def __init__(self) -> None:
        self.databases: dict[str, str] = {}  # database id -> data source id
        self.schemas: dict[str, JSON] = {}  # data source id -> schema
        self.descriptions: dict[str, list[JSON]] = {}  # database id -> rich text, as written
        self.pages: dict[str, JSON] = {}
        self.users: list[NotionUser] = []
        self.calls: list[str] = []
        self._faults: list[tuple[str, _Fault, bool]] = []
        self.capabilities: frozenset[Capability] = ALL_CAPABILITIES
        self.move_values = "keep-by-name"
        self.result_cap = 10_000
        self.move_answer = "page"  # or "id": answer moves with {object, id} only, as Notion may
        # Called with the method's name as each call begins: what happens meanwhile elsewhere
        # (another process locking the schedule file, say).
        self.on_call: Callable[[str], None] | None = None

    # -- test controls ------------------------------------------------------------------------

    def add_person(self, name: str, email: str) -> NotionUser:
        user = NotionUser(_new_id(), name, "person", email.lower())
        self.users.append(user)
        return user

    def fail_next(
        self,
        method: str,
        status: int | None,
        *,
        code: str | None = None,
        retry_after: float | None = None,
        committed: bool = False,
        apply: bool = False,
    ) -> None:
        """The next call of ``method`` fails as Notion would answer ``status`` (None: no answer).

        The error is classified by the same rule as the real gateway's. With ``apply`` the write
        happens first; ``committed`` names the created page as ``committed_resource_id``.
        """
        fault = _Fault(self, status, code, retry_after, committed)
        self._faults.append((method, fault, apply))

    def clear_faults(self) -> None:
        """Forget every scripted failure not yet raised."""
        self._faults.clear()

    def live_pages(self, data_source_id: str | None = None) -> list[JSON]:
        return [
            page
            for page in self.pages.values()
            if not page["in_trash"]
            and (data_source_id is None or page["parent"]["data_source_id"] == data_source_id)
        ]

    def _enter(self, method: str) -> _Fault | None:
        """Count the call; raise a scripted error now, or return one to raise after the write."""
        self.calls.append(method)
        if self.on_call is not None:
            self.on_call(method)
        needed = _NEEDS.get(method)
        if needed is not None and needed not in self.capabilities:
            raise notion_error("Insufficient permissions for this endpoint.", status=403)
        for index, (name, error, apply) in enumerate(self._faults):
            if name == method:
                del self._faults[index]
                if not apply:
                    raise error()
                return error
        return None

    def _read(self, page: JSON) -> RawPage:
        """A page as Notion reads it: every property of its data source, empty when unset."""
        raw = _raw(page)
        schema = self.schemas.get(raw.data_source_id, {})
        for name, prop in schema.items():
            if name not in raw.properties:
                kind = prop["type"]
                empty: list[JSON] | None = (
                    [] if kind in ("title", "rich_text", "people", "multi_select") else None
                )
                raw.properties[name] = {"id": prop.get("id", name), "type": kind, kind: empty}
        return raw

    def traffic(self) -> Traffic:
        return Traffic(requests=len(self.calls))

    # -- the Gateway protocol -----------------------------------------------------------------

    def create_database(self, parent_page_id: str, title: str, properties: JSON) -> str:
        self._enter("create_database")
        database_id, source_id = _new_id(), _new_id()
        self.databases[database_id.replace("-", "")] = source_id
        schema = {}
        for name, config in properties.items():
            kind = next(iter(config))
            schema[name] = {"id": name, "name": name, "type": kind, kind: config[kind]}
        self.schemas[source_id] = schema
        return database_id

    def data_source_id(self, database_id: str) -> DataSourceId:
        return self.database(database_id).data_source_id

    def database(self, database_id: str) -> NotionDatabase:
        # Counted (and scripted) as "data_source_id": the one GET /v1/databases/{id} both are.
        self._enter("data_source_id")
        source = self.databases.get(database_id.replace("-", ""))
        if source is None:
            raise PermanentNotionError("database not found", code="object_not_found", status=404)
        described = self.descriptions.get(database_id.replace("-", ""), [])
        return NotionDatabase(DataSourceId(source), _read_text(described))

    def set_description(self, database_id: str, description: list[JSON]) -> None:
        self._enter("set_description")
        plain = database_id.replace("-", "")
        if plain not in self.databases:
            raise PermanentNotionError("database not found", code="object_not_found", status=404)
        self.descriptions[plain] = copy.deepcopy(description)

    def schema(self, data_source_id: DataSourceId) -> JSON:
        self._enter("schema")
        return copy.deepcopy(self.schemas[data_source_id])

    def query_pages(
        self, data_source_id: DataSourceId, *, filter: JSON | None = None
    ) -> list[RawPage]:
        self._enter("query_pages")
        pages = self.live_pages(data_source_id)
        if filter is not None:
            keep = _predicate(filter)
            pages = [page for page in pages if keep(page["properties"])]
        if len(pages) > self.result_cap:
            raise PermanentNotionError(
                "query result limit reached: the read is incomplete", code=INCOMPLETE_READ
            )
        return [self._read(page) for page in pages]

    def update_schema(self, data_source_id: DataSourceId, properties: JSON) -> JSON:
        self._enter("update_schema")
        schema = self.schemas[data_source_id]
        for name, change in properties.items():
            if name not in schema and "name" not in change:
                kind = next(iter(change))
                schema[name] = {"id": name, "name": name, "type": kind, kind: change[kind]}
            elif "name" in change:  # a rename: the values stay with the property (its id)
                prop = schema.pop(name)
                schema[change["name"]] = {**prop, "name": change["name"]}
                for page in self.pages.values():
                    if (
                        page["parent"]["data_source_id"] == data_source_id
                        and name in page["properties"]
                    ):
                        page["properties"][change["name"]] = page["properties"].pop(name)
        return copy.deepcopy(schema)

    def create_page(self, data_source_id: DataSourceId, properties: JSON) -> RawPage:
        error = self._enter("create_page")
        self._check_properties(data_source_id, properties)
        page_id = _new_id()
        self.pages[page_id] = {
            "id": page_id,
            "parent": {"type": "data_source_id", "data_source_id": data_source_id},
            "in_trash": False,
            "created_time": f"{dt.datetime(2026, 1, 1):%Y-%m-%dT%H:%M}:{next(_SEQUENCE):06d}",
            "properties": {name: _read_form(name, value) for name, value in properties.items()},
        }
        if error is not None:
            raise error()
        return self._read(self.pages[page_id])

    def update_page(
        self, page_id: PageId, *, properties: JSON | None = None, in_trash: bool | None = None
    ) -> RawPage:
        error = self._enter("update_page")
        page = self._page(page_id)
        if properties and page["in_trash"] and in_trash is not False:
            raise PermanentNotionError(
                "Can't edit block that is archived. You must unarchive the block before editing.",
                code="validation_error",
                status=400,
            )
        if properties:
            self._check_properties(page["parent"]["data_source_id"], properties)
            for name, value in properties.items():
                page["properties"][name] = _read_form(name, value)
        if in_trash is not None:
            page["in_trash"] = in_trash
        if error is not None:
            raise error()
        return self._read(page)

    def move_page(self, page_id: PageId, data_source_id: DataSourceId) -> RawPage:
        error = self._enter("move_page")
        page = self._page(page_id)
        if page["in_trash"] or page["parent"]["data_source_id"] == data_source_id:
            raise PermanentNotionError("cannot move here", code="validation_error", status=400)
        page["parent"] = {"type": "data_source_id", "data_source_id": data_source_id}
        if self.move_values == "title-only":
            # Every property but the title comes back empty in the new data source.
            for name, value in page["properties"].items():
                if value["type"] != "title":
                    page["properties"][name] = _read_form(name, _EMPTY[value["type"]])
        if error is not None:
            raise error()
        if self.move_answer == "id":
            return RawPage(page_id, data_source_id, in_trash=False, properties={})
        return self._read(page)

    def retrieve_page(self, page_id: PageId) -> RawPage:
        self._enter("retrieve_page")
        return self._read(self._page(page_id))

    def list_users(self) -> list[NotionUser]:
        self._enter("list_users")
        if "read_user_emails" in self.capabilities:
            return list(self.users)
        return [NotionUser(u.user_id, u.name, u.kind, None) for u in self.users]

    def _page(self, page_id: str) -> JSON:
        page = self.pages.get(page_id)
        if page is None:
            raise PermanentNotionError("page not found", code="object_not_found", status=404)
        return page

    def _check_properties(self, data_source_id: str, properties: JSON) -> None:
        schema = self.schemas[data_source_id]
        for name in properties:
            if name not in schema:
                raise PermanentNotionError(
                    f"{name} is not a property that exists.", code="validation_error", status=400
                )


# What each Gateway method needs of the token, as Notion's capabilities.
_NEEDS: dict[str, Capability] = {
    "create_database": "insert_content",
    "create_page": "insert_content",
    "update_page": "update_content",
    "update_schema": "update_content",
    "move_page": "update_content",
    "data_source_id": "read_content",
    "set_description": "update_content",
    "schema": "read_content",
    "query_pages": "read_content",
    "retrieve_page": "read_content",
    "list_users": "read_users",
}
_EMPTY: dict[str, JSON] = {
    "rich_text": {"rich_text": []},
    "people": {"people": []},
    "select": {"select": None},
    "date": {"date": None},
}


def _predicate(filter: JSON) -> Callable[[JSON], bool]:
    """A query filter as a test of a page's properties: ``and``/``or``, text equals, dates."""
    if "or" in filter or "and" in filter:
        parts = filter["or"] if "or" in filter else filter["and"]
        subs = [_predicate(part) for part in parts]
        combine = any if "or" in filter else all
        return lambda props: combine(sub(props) for sub in subs)
    name = filter["property"]
    if "rich_text" in filter:
        wanted = filter["rich_text"]["equals"]
        return lambda props: _plain(props.get(name)) == wanted
    (op, operand), *_ = filter["date"].items()
    tests: dict[str, Callable[[str], bool]] = {
        "before": lambda start: start[:10] < operand,
        "on_or_after": lambda start: start[:10] >= operand,
    }

    def test(props: JSON) -> bool:
        date = (props.get(name) or {}).get("date")
        if op == "is_empty":
            return date is None
        return date is not None and tests[op](date["start"])

    return test


def _plain(value: Any) -> str:
    if not value:
        return ""
    return "".join(item["plain_text"] for item in value.get(value["type"]) or [])


def _raw(page: JSON) -> RawPage:
    return RawPage(
        page_id=PageId(page["id"]),
        data_source_id=DataSourceId(page["parent"]["data_source_id"]),
        in_trash=page["in_trash"],
        properties=copy.deepcopy(page["properties"]),
        created_time=page["created_time"],
    )
