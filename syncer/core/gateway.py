"""What the engine needs from Notion, as a Protocol with plain data. [core]

``syncer.notion.NotionGateway`` implements it over notion-client; the tests' in-memory fake
implements it too, and one contract suite runs against both so the fake stays honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

from syncer.core.ids import DataSourceId, PageId

JSON = dict[str, Any]

INCOMPLETE_READ: Final = "incomplete_read"
"""The code of the PermanentNotionError ``query_pages`` raises when Notion's result cap (10,000
per query) cut the read short: a partial read never passes for a complete one."""


@dataclass(frozen=True, slots=True)
class RawPage:
    """A page as Notion returned it: id, data source, trash flag and raw property JSON."""

    page_id: PageId
    data_source_id: DataSourceId
    in_trash: bool
    properties: JSON
    created_time: str = ""


@dataclass(frozen=True, slots=True)
class NotionUser:
    """A workspace member from ``users.list``; ``email`` is None without the email capability."""

    user_id: str
    name: str
    kind: str  # "person" or "bot"
    email: str | None


@dataclass(frozen=True, slots=True)
class NotionDatabase:
    """A database as ``databases.retrieve`` gives it: its (first) data source and its
    description (rich text objects, as Notion returned them)."""

    data_source_id: DataSourceId
    description: list[JSON]


@dataclass(frozen=True, slots=True)
class Traffic:
    """What a gateway has sent so far: requests, and how many Notion answered with a 429."""

    requests: int = 0
    rate_limited: int = 0


class Gateway(Protocol):
    """The Notion operations syncer uses. Every method raises NotionError subclasses only.

    A read either returns everything or raises: a failed read never looks like an empty result.
    """

    def data_source_id(self, database_id: str) -> DataSourceId:
        """The id of the database's (first) data source."""
        ...

    def database(self, database_id: str) -> NotionDatabase:
        """The database's (first) data source and its description, in one request."""
        ...

    def set_description(self, database_id: str, description: list[JSON]) -> None:
        """Replace the database's description (rich text request objects)."""
        ...

    def schema(self, data_source_id: DataSourceId) -> JSON:
        """The data source's ``properties`` schema, by property name."""
        ...

    def query_pages(
        self, data_source_id: DataSourceId, *, filter: JSON | None = None
    ) -> list[RawPage]:
        """Every non-trashed page of a data source matching ``filter``, all result pages read.

        Raises:
            PermanentNotionError: code :data:`INCOMPLETE_READ` when the query hit Notion's
                result cap, and the other NotionErrors of a failed call.
        """
        ...

    def create_page(self, data_source_id: DataSourceId, properties: JSON) -> RawPage:
        """Create a page in a data source."""
        ...

    def update_page(
        self, page_id: PageId, *, properties: JSON | None = None, in_trash: bool | None = None
    ) -> RawPage:
        """Change a page's properties and/or trash flag."""
        ...

    def move_page(self, page_id: PageId, data_source_id: DataSourceId) -> RawPage:
        """Move a page into another data source."""
        ...

    def retrieve_page(self, page_id: PageId) -> RawPage:
        """Read one page, trashed or not."""
        ...

    def list_users(self) -> list[NotionUser]:
        """Every user of the workspace (all pages of ``users.list``).

        Raises:
            PermanentNotionError: ``restricted_resource`` (403) when the integration may not
                read user information at all.
        """
        ...

    def create_database(self, parent_page_id: str, title: str, properties: JSON) -> str:
        """Create a database with one data source of this schema; return the database id."""
        ...

    def update_schema(self, data_source_id: DataSourceId, properties: JSON) -> JSON:
        """Change a data source's schema as Notion's PATCH does (``{"Old": {"name": "New"}}``
        renames a property, ``{"Name": {"people": {}}}`` adds one); return the new schema."""
        ...

    def traffic(self) -> Traffic:
        """How many requests this gateway has sent, and how many were answered 429."""
        ...
