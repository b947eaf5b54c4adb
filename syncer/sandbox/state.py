"""The sandbox's in-memory workspace: users, databases, data sources and pages, with snapshots.

Records are plain dicts in an internal form (see :class:`Workspace`); ``objects.py`` renders them as
Notion's JSON. Pages are indexed per data source so that a query never scans the whole workspace.
Nothing here locks: :class:`~syncer.sandbox.service.SandboxService` serializes access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncer.sandbox.errors import not_found
from syncer.sandbox.ids import new_id, object_timestamp, stable_id
from syncer.sandbox.schema import Schema, page_schema
from syncer.sandbox.settings import IntegrationSpec
from syncer.sandbox.validate import rich_text_item

Record = dict[str, Any]
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Integration:
    """An integration the sandbox knows: its token, bot user id and capabilities."""

    token: str
    name: str
    bot_id: str
    capabilities: frozenset[str]

    @property
    def read_users(self) -> bool:
        return "read_users" in self.capabilities

    @property
    def read_emails(self) -> bool:
        return self.read_users and "read_user_emails" in self.capabilities


@dataclass(slots=True)
class Workspace:
    """Every object of the emulated workspace, keyed by dashed id.

    - ``users``: ``{id, type: "person"|"bot", name, email, avatar_url}``.
    - ``databases``: ``{id, title, description, parent, is_inline, in_trash, is_locked, icon, cover,
      created_time, last_edited_time, created_by, last_edited_by, data_source_ids}``.
    - ``data_sources``: ``{id, database_id, title, description, schema, in_trash, icon, <times>}``.
    - ``pages``: ``{id, seq, parent, <times>, in_trash, is_locked, icon, cover, values}`` where
      ``parent`` is the API form and ``values`` maps property id -> stored value.
    """

    workspace_id: str = field(default_factory=new_id)
    root_page_id: str = field(default_factory=new_id)
    users: dict[str, Record] = field(default_factory=dict)
    databases: dict[str, Record] = field(default_factory=dict)
    data_sources: dict[str, Record] = field(default_factory=dict)
    pages: dict[str, Record] = field(default_factory=dict)
    pages_by_source: dict[str, dict[str, None]] = field(default_factory=dict)
    source_versions: dict[str, int] = field(default_factory=dict)
    next_seq: int = 0
    exact_timestamps: bool = False
    move_values: str = "keep-by-name"  # what a move into another data source keeps
    move_answer: str = "page"  # or "id": a move answered with {object, id} only
    dates_in_utc: bool = False  # read date-times back in UTC rather than as written

    def now(self) -> str:
        """The timestamp new or edited objects get."""
        return object_timestamp(exact=self.exact_timestamps)

    def add_root_page(self, creator: str) -> None:
        """Create the root page every database is created under (at workspace level)."""
        title = [rich_text_item({"text": {"content": "Sandbox"}}, "title")]
        record = self.new_page({"type": "workspace", "workspace": True}, {"title": title}, creator)
        del self.pages[record["id"]]
        record["id"] = self.root_page_id
        self.pages[self.root_page_id] = record

    def add_bots(self, specs: tuple[IntegrationSpec, ...]) -> list[Integration]:
        """Register one bot user per integration, with an id derived from its token."""
        integrations = []
        for spec in specs:
            user_id = stable_id(spec.token)
            self.users[user_id] = {
                "id": user_id,
                "type": "bot",
                "name": spec.name,
                "email": None,
                "avatar_url": None,
                "integration": True,
            }
            integrations.append(Integration(spec.token, spec.name, user_id, spec.capabilities))
        return integrations

    def add_user(self, name: str, email: str | None, kind: str = "person") -> Record:
        """Add a person (or a bot) to the workspace and return its record."""
        user_id = new_id()
        user = {"id": user_id, "type": kind, "name": name, "email": email, "avatar_url": None}
        self.users[user_id] = user
        return user

    # Look-ups ----------------------------------------------------------------------------------

    def page(self, page_id: str) -> Record:
        """The page ``page_id`` or 404."""
        record = self.pages.get(page_id)
        if record is None:
            raise not_found("page", page_id)
        return record

    def database(self, database_id: str) -> Record:
        """The database ``database_id`` or 404."""
        record = self.databases.get(database_id)
        if record is None:
            raise not_found("database", database_id)
        return record

    def data_source(self, data_source_id: str) -> Record:
        """The data source ``data_source_id`` or 404."""
        record = self.data_sources.get(data_source_id)
        if record is None:
            raise not_found("data_source", data_source_id)
        return record

    def user(self, user_id: str) -> Record:
        """The user ``user_id`` or 404."""
        record = self.users.get(user_id)
        if record is None:
            raise not_found("user", user_id)
        return record

    def schema_of(self, page: Record) -> Schema:
        """The schema a page's values follow: its data source's, or just a title."""
        source_id = page["parent"].get("data_source_id")
        if source_id is None:
            return page_schema()
        schema: Schema = self.data_sources[source_id]["schema"]
        return schema

    def source_pages(self, data_source_id: str) -> list[Record]:
        """Every page of a data source, trashed or not, in creation order."""
        return [self.pages[page_id] for page_id in self.pages_by_source.get(data_source_id, {})]

    # Page storage --------------------------------------------------------------------------------

    def new_page(self, parent: Record, values: dict[str, Any], creator: str) -> Record:
        """Store a new page under ``parent`` (API form) with stored ``values``."""
        now = self.now()
        record: Record = {
            "id": new_id(),
            "seq": self.next_seq,
            "parent": parent,
            "created_time": now,
            "last_edited_time": now,
            "created_by": creator,
            "last_edited_by": creator,
            "in_trash": False,
            "is_locked": False,
            "icon": None,
            "cover": None,
            "values": values,
        }
        self.next_seq += 1
        self.pages[record["id"]] = record
        self.attach(record)
        return record

    def attach(self, page: Record) -> None:
        """Index a page under its parent data source, if it has one."""
        source_id = page["parent"].get("data_source_id")
        if source_id:
            self.pages_by_source.setdefault(source_id, {})[page["id"]] = None
            self.touch_source(source_id)

    def detach(self, page: Record) -> None:
        """Remove a page from its parent data source's index."""
        source_id = page["parent"].get("data_source_id")
        if source_id:
            self.pages_by_source.get(source_id, {}).pop(page["id"], None)
            self.touch_source(source_id)

    def touch_source(self, data_source_id: str) -> None:
        """Mark a data source's pages as changed (this invalidates cached query results)."""
        self.source_versions[data_source_id] = self.source_versions.get(data_source_id, 0) + 1

    # Snapshots -----------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to restore this workspace, as JSON-ready data (bots excluded)."""
        return {
            "version": SNAPSHOT_VERSION,
            "workspace_id": self.workspace_id,
            "root_page_id": self.root_page_id,
            "users": [u for u in self.users.values() if not u.get("integration")],
            "databases": list(self.databases.values()),
            "data_sources": list(self.data_sources.values()),
            "pages": list(self.pages.values()),
        }

    @classmethod
    def restore(cls, data: dict[str, Any], *, exact_timestamps: bool) -> Workspace:
        """A workspace rebuilt from :meth:`snapshot` output.

        Raises:
            ValueError: when the snapshot has another format version.
        """
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported sandbox state version: {data.get('version')!r}")
        workspace = cls(
            workspace_id=data["workspace_id"],
            root_page_id=data["root_page_id"],
            exact_timestamps=exact_timestamps,
        )
        workspace.users = {u["id"]: u for u in data["users"]}
        workspace.databases = {d["id"]: d for d in data["databases"]}
        workspace.data_sources = {d["id"]: d for d in data["data_sources"]}
        for page in sorted(data["pages"], key=lambda p: p["seq"]):
            workspace.pages[page["id"]] = page
            workspace.attach(page)
        workspace.next_seq = 1 + max((p["seq"] for p in data["pages"]), default=-1)
        return workspace
