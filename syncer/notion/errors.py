"""notion-client and httpx exceptions -> syncer's NotionError tree: the one boundary for them.

Every SDK or transport exception leaves :func:`notion_errors` as a
:class:`~syncer.core.errors.NotionError`, sorted by :func:`syncer.core.errors.notion_error` and
keeping the status, Notion's request id, ``Retry-After`` and ``committed_resource_id``.

Every text taken from an answer (message, code, request id) is redacted here: Notion's
messages can quote the request's credentials back ("API token is invalid: Bearer ntn_..."),
and from here they would reach log lines, the audit, the failing keys and the final error.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
from notion_client.errors import (
    APIResponseError,
    HTTPResponseError,
    NotionClientErrorBase,
    RequestTimeoutError,
)

from syncer.core.errors import NotionError, PermanentNotionError, notion_error, redact
from syncer.core.keys import clip

_MAX_MESSAGE = 1_000


@contextlib.contextmanager
def notion_errors() -> Iterator[None]:
    """Translate notion-client and httpx exceptions raised in the block."""
    try:
        yield
    except HTTPResponseError as exc:
        raise _from_response(exc) from exc
    except RequestTimeoutError as exc:
        if isinstance(exc.__context__, httpx.ConnectTimeout):
            # Nothing was sent: the host did not even accept a connection in time.
            raise notion_error("could not connect: timed out", code="connection") from exc
        raise notion_error("request timed out", code="timeout") from exc
    except NotionClientErrorBase as exc:
        raise PermanentNotionError(_shown(str(exc)), code="client_error") from exc
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        # Refused, no route, DNS or TLS failure: nothing was sent, so nothing can have landed.
        raise notion_error("no connection could be made", code="unreachable") from exc
    except httpx.TransportError as exc:
        # Connection refused, reset or dropped mid-response: the write may or may not have landed.
        raise notion_error("it closed before the answer came", code="connection") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        # A 2xx whose body the SDK could not decode (it raises the json module's error).
        raise bad_response("not JSON at all") from exc


def bad_response(what: str) -> NotionError:
    """A successful status with a body that is not a JSON object: ``bad_response``, transient.

    Notion always answers JSON, so such a body comes from something between syncer and Notion
    (a proxy's or captive portal's page, a load balancer, a body cut short), which may well
    answer properly on a later attempt; and as the request was answered, a create that gets
    one is looked up by its Sync Key before it is tried again (as after any transient error).
    """
    return notion_error(
        f"Notion's answer is not a JSON object ({what}): is a proxy between syncer and Notion?",
        code="bad_response",
    )


def _from_response(exc: HTTPResponseError) -> NotionError:
    body = _json_body(exc.body)
    additional = (exc.additional_data if isinstance(exc, APIResponseError) else None) or body.get(
        "additional_data"
    )
    additional = additional if isinstance(additional, dict) else {}
    code = str(body.get("code") or getattr(exc.code, "value", exc.code) or "")
    request_id = exc.request_id or body.get("request_id")
    return notion_error(
        _shown(str(body.get("message") or exc) or f"HTTP {exc.status}"),
        code=_shown(code) or None,
        status=exc.status,
        request_id=_shown(str(request_id)) if request_id else None,
        retry_after=_retry_after(exc.headers),
        committed_resource_id=additional.get("committed_resource_id"),
        blocked=additional.get("rate_limit_reason") == "public_api_request_blocked",
    )


def _shown(text: str) -> str:
    """Text from an answer as syncer may repeat it: credentials masked, at most 1,000
    characters (a proxy's error page or a long validation message stays out of the logs)."""
    return clip(redact(text), _MAX_MESSAGE)


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
