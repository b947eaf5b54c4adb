"""The Notion edge: the only module that imports notion_client, and where its errors are mapped.

Every SDK or transport exception becomes a :class:`~syncer.core.errors.NotionError` subclass in
:func:`_notion_errors`, keeping the status, Notion's request id, ``Retry-After`` and
``committed_resource_id``. The SDK's own retries are off (``retry=False``): retries have one
owner, ``syncer.retry``. Every HTTP request first waits for the :class:`~syncer.pacing.Pacer`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
from notion_client import Client
from notion_client.errors import (
    APIResponseError,
    HTTPResponseError,
    NotionClientErrorBase,
    RequestTimeoutError,
)

from syncer.core.errors import (
    ConflictError,
    NotionError,
    PermanentNotionError,
    TransientNotionError,
)
from syncer.core.gateway import JSON, NotionUser, RawPage
from syncer.pacing import Pacer

_TRANSIENT_CODES = {
    "rate_limited",
    "internal_server_error",
    "service_unavailable",
    "gateway_timeout",
    "bad_gateway",
    "service_overload",
    "database_connection_unavailable",
}
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
        timeout: float = 30.0,
    ) -> None:
        self.pacer = pacer
        http = httpx.Client(event_hooks={"request": [self._before_request]})
        options: dict[str, Any] = {
            "auth": token,
            "timeout_ms": int(timeout * 1000),
            "retry": False,
            "logger": _sdk_logger(),
        }
        if base_url:
            options["base_url"] = base_url.rstrip("/")
        # Never `with Client(...)`: it would replace the httpx client and lose the pacing hook.
        self._client = Client(client=http, options=options)

    def _before_request(self, request: httpx.Request) -> None:
        self.pacer.acquire()

    @property
    def request_count(self) -> int:
        return self.pacer.count

    def close(self) -> None:
        self._client.close()

    # -- reads ------------------------------------------------------------------------------

    def data_source_id(self, database_id: str) -> str:
        with _notion_errors():
            database = _body(self._client.databases.retrieve(database_id=database_id))
        sources = database.get("data_sources") or []
        if not sources:
            raise PermanentNotionError(
                f"database {database_id} has no data source", code="invalid_request"
            )
        return str(sources[0]["id"])

    def schema(self, data_source_id: str) -> JSON:
        with _notion_errors():
            source = _body(self._client.data_sources.retrieve(data_source_id=data_source_id))
        return dict(source.get("properties") or {})

    def query_pages(self, data_source_id: str, *, filter: JSON | None = None) -> list[RawPage]:
        pages: list[RawPage] = []
        cursor: str | None = None
        while True:
            body: dict[str, Any] = {"page_size": _PAGE_SIZE}
            if filter is not None:
                body["filter"] = filter
            if cursor:
                body["start_cursor"] = cursor
            with _notion_errors():
                result = _body(
                    self._client.data_sources.query(data_source_id=data_source_id, **body)
                )
            if (result.get("request_status") or {}).get("type") == "incomplete":
                # Notion stops at 10,000 results; a partial read must never pass for complete.
                raise PermanentNotionError(
                    "query result limit reached: the read is incomplete", code="incomplete_read"
                )
            pages.extend(_raw_page(item) for item in result.get("results", []))
            cursor = result.get("next_cursor")
            if not result.get("has_more") or not cursor:
                return pages

    def retrieve_page(self, page_id: str) -> RawPage:
        with _notion_errors():
            return _raw_page(_body(self._client.pages.retrieve(page_id=page_id)))

    def list_users(self) -> list[NotionUser]:
        users: list[NotionUser] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"page_size": _PAGE_SIZE}
            if cursor:
                query["start_cursor"] = cursor
            with _notion_errors():
                result = _body(self._client.users.list(**query))
            users.extend(_user(item) for item in result.get("results", []))
            cursor = result.get("next_cursor")
            if not result.get("has_more") or not cursor:
                return users

    # -- writes -----------------------------------------------------------------------------

    def create_page(self, data_source_id: str, properties: JSON) -> RawPage:
        parent = {"type": "data_source_id", "data_source_id": data_source_id}
        with _notion_errors():
            page = self._client.pages.create(parent=parent, properties=properties)
        return _raw_page(_body(page))

    def update_page(
        self, page_id: str, *, properties: JSON | None = None, in_trash: bool | None = None
    ) -> RawPage:
        body: dict[str, Any] = {}
        if properties is not None:
            body["properties"] = properties
        if in_trash is not None:
            body["in_trash"] = in_trash
        with _notion_errors():
            return _raw_page(_body(self._client.pages.update(page_id=page_id, **body)))

    def move_page(self, page_id: str, data_source_id: str) -> RawPage:
        parent = {"type": "data_source_id", "data_source_id": data_source_id}
        with _notion_errors():
            return _raw_page(_body(self._client.pages.move(page_id=page_id, parent=parent)))

    def create_database(self, parent_page_id: str, title: str, properties: JSON) -> str:
        with _notion_errors():
            database = _body(
                self._client.databases.create(
                    parent={"type": "page_id", "page_id": parent_page_id},
                    title=[{"type": "text", "text": {"content": title}}],
                    initial_data_source={"properties": properties},
                )
            )
        return str(database["id"])


def _body(result: Any) -> dict[str, Any]:
    """The SDK's sync client returns the decoded JSON body (its type also admits awaitables)."""
    assert isinstance(result, dict), "notion-client returned a non-object body"
    return result


def _raw_page(obj: Any) -> RawPage:
    parent = obj.get("parent") or {}
    return RawPage(
        page_id=str(obj["id"]),
        data_source_id=str(parent.get("data_source_id") or ""),
        in_trash=bool(obj.get("in_trash", obj.get("archived", False))),
        properties=dict(obj.get("properties") or {}),
        created_time=str(obj.get("created_time") or ""),
    )


def _user(obj: Any) -> NotionUser:
    person = obj.get("person") or {}
    email = person.get("email") if isinstance(person, dict) else None
    return NotionUser(
        user_id=str(obj["id"]),
        name=str(obj.get("name") or ""),
        kind=str(obj.get("type") or ""),
        email=str(email).lower() if email else None,
    )


@contextlib.contextmanager
def _notion_errors() -> Iterator[None]:
    """Translate notion-client and httpx exceptions into syncer's NotionError tree."""
    try:
        yield
    except HTTPResponseError as exc:
        raise _from_response(exc) from exc
    except RequestTimeoutError as exc:
        raise TransientNotionError("request timed out", code="timeout") from exc
    except NotionClientErrorBase as exc:
        raise PermanentNotionError(str(exc), code="client_error") from exc
    except httpx.TransportError as exc:
        # Connection refused, reset or dropped mid-response: the write may or may not have landed.
        raise TransientNotionError(
            f"connection failed ({type(exc).__name__})", code="connection"
        ) from exc


def _from_response(exc: HTTPResponseError) -> NotionError:
    body = _json_body(exc.body)
    code = str(body.get("code") or getattr(exc.code, "value", exc.code))
    additional = (exc.additional_data if isinstance(exc, APIResponseError) else None) or body.get(
        "additional_data"
    )
    additional = additional if isinstance(additional, dict) else {}
    message = str(body.get("message") or exc) or f"HTTP {exc.status}"
    fields: dict[str, Any] = {
        "code": code,
        "status": exc.status,
        "request_id": exc.request_id or body.get("request_id"),
        "retry_after": _retry_after(exc.headers),
        "committed_resource_id": additional.get("committed_resource_id"),
    }
    if code == "conflict_error":
        return ConflictError(message, **fields)
    blocked = additional.get("rate_limit_reason") == "public_api_request_blocked"
    if not blocked and (code in _TRANSIENT_CODES or exc.status in (429, 529) or exc.status >= 500):
        return TransientNotionError(message, **fields)
    return PermanentNotionError(message, **fields)


def _json_body(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
