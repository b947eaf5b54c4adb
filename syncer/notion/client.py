"""The Gateway over notion-client 3.x and real HTTP; errors leave through ``notion.errors``.

The SDK's own retries are off (``retry=False``): retries have one owner, ``syncer.notion.retry``.
Every HTTP request first waits for the :class:`~syncer.notion.pacing.Pacer`. The API version is
set here, not inherited from the SDK's default, so an SDK upgrade cannot change what syncer
speaks; the timeouts are a short one for connecting and a long one (above Notion's own 60 s) for
the answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from loguru import logger
from notion_client import Client

from syncer.core import ids
from syncer.core.errors import PermanentNotionError
from syncer.core.gateway import (
    INCOMPLETE_READ,
    JSON,
    NotionDatabase,
    NotionUser,
    RawPage,
    Traffic,
)
from syncer.core.ids import DataSourceId, PageId
from syncer.core.projection import canonical_email
from syncer.notion.errors import bad_response, notion_errors
from syncer.notion.pacing import Pacer

NOTION_VERSION = "2025-09-03"
"""The Notion API version syncer speaks (databases with data sources, ``pages.move``)."""

_PAGE_SIZE = 100


def _sdk_logger() -> logging.Logger:
    """A quiet logger for the SDK: it would otherwise add a stream handler per client."""
    sdk = logging.getLogger("syncer.notion_client")
    sdk.propagate = False
    if not sdk.handlers:
        sdk.addHandler(logging.NullHandler())
    return sdk


class NotionGateway:
    """The :class:`~syncer.core.gateway.Gateway` over notion-client 3.x and real HTTP."""

    def __init__(
        self,
        token: str,
        *,
        pacer: Pacer,
        base_url: str | None = None,
        timeout: float = 65.0,
        connect_timeout: float = 2.5,
    ) -> None:
        self.pacer = pacer
        self.notion_version = NOTION_VERSION
        hooks: dict[str, list[Callable[..., Any]]] = {
            "request": [self._before_request],
            "response": [self._after_response],
        }
        http = httpx.Client(event_hooks=hooks)
        options: dict[str, Any] = {
            "auth": token,
            "timeout_ms": int(timeout * 1000),
            "retry": False,
            "logger": _sdk_logger(),
            "notion_version": NOTION_VERSION,
        }
        if base_url:
            options["base_url"] = base_url.rstrip("/")
        # Never `with Client(...)`: it would replace the httpx client and lose the pacing hook.
        self._client = Client(client=http, options=options)
        # The SDK sets one timeout for everything; connecting gets a short one of its own.
        http.timeout = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))

    def _before_request(self, request: httpx.Request) -> None:
        self.pacer.acquire()
        request.extensions["syncer_sent_at"] = time.monotonic()

    def _after_response(self, response: httpx.Response) -> None:
        request = response.request
        elapsed = time.monotonic() - request.extensions.get("syncer_sent_at", time.monotonic())
        logger.trace(
            "notion.request: {} {} -> {} in {:.0f} ms",
            request.method,
            request.url.path,
            response.status_code,
            elapsed * 1000,
        )
        if response.status_code in OVERLOADED:
            self.pacer.rate_limited_by_server(_retry_after_seconds(response.headers))

    def traffic(self) -> Traffic:
        return Traffic(self.pacer.count, self.pacer.rate_limited)

    def close(self) -> None:
        self._client.close()

    # -- reads ------------------------------------------------------------------------------

    def data_source_id(self, database_id: str) -> DataSourceId:
        return self.database(database_id).data_source_id

    def database(self, database_id: str) -> NotionDatabase:
        with notion_errors():
            database = _body(self._client.databases.retrieve(database_id=database_id))
        sources = database.get("data_sources") or []
        if not sources:
            raise PermanentNotionError(
                f"database {database_id} has no data source", code="invalid_request"
            )
        description = [dict(item) for item in database.get("description") or []]
        return NotionDatabase(ids.data_source_id(str(sources[0]["id"])), description)

    def set_description(self, database_id: str, description: list[JSON]) -> None:
        with notion_errors():
            _body(self._client.databases.update(database_id=database_id, description=description))

    def schema(self, data_source_id: DataSourceId) -> JSON:
        with notion_errors():
            source = _body(self._client.data_sources.retrieve(data_source_id=data_source_id))
        return dict(source.get("properties") or {})

    def query_pages(
        self, data_source_id: DataSourceId, *, filter: JSON | None = None
    ) -> list[RawPage]:
        pages: list[RawPage] = []
        cursor: str | None = None
        while True:
            body: dict[str, Any] = {"page_size": _PAGE_SIZE}
            if filter is not None:
                body["filter"] = filter
            if cursor:
                body["start_cursor"] = cursor
            with notion_errors():
                result = _body(
                    self._client.data_sources.query(data_source_id=data_source_id, **body)
                )
            found, cursor = query_results(result)
            pages.extend(found)
            if cursor is None:
                return pages

    def retrieve_page(self, page_id: PageId) -> RawPage:
        with notion_errors():
            return raw_page(_body(self._client.pages.retrieve(page_id=page_id)))

    def list_users(self) -> list[NotionUser]:
        users: list[NotionUser] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"page_size": _PAGE_SIZE}
            if cursor:
                query["start_cursor"] = cursor
            with notion_errors():
                result = _body(self._client.users.list(**query))
            users.extend(notion_user(item) for item in result.get("results", []))
            cursor = result.get("next_cursor")
            if not result.get("has_more") or not cursor:
                return users

    # -- writes -----------------------------------------------------------------------------

    def create_page(self, data_source_id: DataSourceId, properties: JSON) -> RawPage:
        parent = {"type": "data_source_id", "data_source_id": data_source_id}
        with notion_errors():
            page = self._client.pages.create(parent=parent, properties=properties)
        return raw_page(_body(page))

    def update_page(
        self, page_id: PageId, *, properties: JSON | None = None, in_trash: bool | None = None
    ) -> RawPage:
        body: dict[str, Any] = {}
        if properties is not None:
            body["properties"] = properties
        if in_trash is not None:
            body["in_trash"] = in_trash
        with notion_errors():
            return raw_page(_body(self._client.pages.update(page_id=page_id, **body)))

    def move_page(self, page_id: PageId, data_source_id: DataSourceId) -> RawPage:
        parent = {"type": "data_source_id", "data_source_id": data_source_id}
        with notion_errors():
            return raw_page(_body(self._client.pages.move(page_id=page_id, parent=parent)))

    def update_schema(self, data_source_id: DataSourceId, properties: JSON) -> JSON:
        with notion_errors():
            source = _body(
                self._client.data_sources.update(
                    data_source_id=data_source_id, properties=properties
                )
            )
        return dict(source.get("properties") or {})

    def create_database(self, parent_page_id: str, title: str, properties: JSON) -> str:
        with notion_errors():
            database = _body(
                self._client.databases.create(
                    parent={"type": "page_id", "page_id": parent_page_id},
                    title=[{"type": "text", "text": {"content": title}}],
                    initial_data_source={"properties": properties},
                )
            )
        return str(database["id"])


# Answers that say "slow down": a rate limit (429) or Notion overloaded (529 service_overload,
# which Notion's guidance treats like a 429). Either halves the pace for its episode.
OVERLOADED = frozenset({429, 529})


def _retry_after_seconds(headers: httpx.Headers) -> float | None:
    try:
        return float(headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _body(result: Any) -> dict[str, Any]:
    """The SDK's sync client returns the decoded JSON body (its type also admits awaitables).

    Raises:
        TransientNotionError: code ``bad_response`` when the body is JSON but not an object.
    """
    if not isinstance(result, dict):
        raise bad_response(f"a JSON {type(result).__name__} instead")
    return result


# -- Notion's response bodies -> the Gateway's plain data (the contract suite feeds these
# documented response shapes, so a real workspace's answers are read as the sandbox's are) ----


def query_results(result: dict[str, Any]) -> tuple[list[RawPage], str | None]:
    """One answer of a data source query: its pages, and the cursor of the next (None: done).

    Raises:
        PermanentNotionError: code ``incomplete_read`` when Notion's result cap cut it short.
    """
    if (result.get("request_status") or {}).get("type") == "incomplete":
        # Notion stops at 10,000 results; a partial read must never pass for complete.
        raise PermanentNotionError(
            "query result limit reached: the read is incomplete", code=INCOMPLETE_READ
        )
    pages = [raw_page(item) for item in result.get("results", [])]
    cursor = result.get("next_cursor")
    return pages, (str(cursor) if result.get("has_more") and cursor else None)


def raw_page(obj: Any) -> RawPage:
    """A page object (full or partial: ``{object, id}``) as a RawPage."""
    parent = obj.get("parent") or {}
    return RawPage(
        page_id=ids.page_id(str(obj["id"])),
        data_source_id=ids.data_source_id(str(parent.get("data_source_id") or "")),
        in_trash=bool(obj.get("in_trash", obj.get("archived", False))),
        properties=dict(obj.get("properties") or {}),
        created_time=str(obj.get("created_time") or ""),
    )


def notion_user(obj: Any) -> NotionUser:
    """A user object; ``email`` only when Notion gave ``person.email`` (the email capability),
    in the form the schedule's addresses are compared in."""
    person = obj.get("person") or {}
    email = person.get("email") if isinstance(person, dict) else None
    return NotionUser(
        user_id=str(obj["id"]),
        name=str(obj.get("name") or ""),
        kind=str(obj.get("type") or ""),
        email=canonical_email(str(email)) if email else None,
    )
