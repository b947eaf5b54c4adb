"""Every error syncer raises on purpose, in one tree. [core: standard library only]

::

    SyncerError
    ├── UserError                 the user can fix it; printed without a traceback
    │   ├── ConfigError           bad or missing configuration            -> exit 2
    │   │   └── DatabaseNotReady  the schedule file is missing or not migrated (also a StoreError)
    │   ├── DatabaseCorrupt       the schedule file is damaged: nothing is planned from it
    │   │                         (also a StoreError)                     -> exit 2
    │   ├── PlanRefused           a safety guard refused the plan         -> exit 3
    │   ├── LockHeld              another sync holds the environment      -> exit 4
    │   └── RollbackRefused       a later run touched the same keys       -> exit 3
    ├── Interrupted               SIGINT or SIGTERM asked the run to stop -> exit 130 / 143
    ├── NotionError               a Notion call failed (classified by notion_error())
    │   ├── TransientNotionError  rate_limited, 5xx, 529, timeouts, dropped connections,
    │   │                         answers that are not JSON (bad_response): retry
    │   ├── PermanentNotionError  validation_error, object_not_found, unauthorized, ...: do not
    │   └── ConflictError         409 conflict_error: re-read, then retry
    └── StoreError                the local SQLite database failed (translated in syncer.store)

A broken invariant is an ``AssertionError``: a bug, not a user error.
"""

from __future__ import annotations

import re

from syncer.core.ids import LockHolder, PageId, page_id
from syncer.core.kinds import NOTION_CODES, NotionCode


class SyncerError(Exception):
    """Base of every error syncer raises on purpose."""


class UserError(SyncerError):
    """An error the user can fix: shown as a message and a hint, without a traceback."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(UserError):
    """The configuration is missing, malformed or inconsistent."""


class PlanRefused(UserError):
    """A safety guard refused the plan before its first write; ``--force`` overrides it."""


class LockHeld(UserError):
    """Another sync of the same environment holds the lock."""

    def __init__(self, message: str, *, holder: LockHolder, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.holder = holder


class ClaimedElsewhere(UserError):
    """A Notion database is kept by another schedule file (its description says so): nothing
    was written; ``--take-over`` moves it to this file on purpose."""


class RollbackRefused(UserError):
    """A rollback was refused: a later run touched the same keys and --cascade was not given."""


class Interrupted(SyncerError):
    """A signal asked the run to stop: the call in flight finished, nothing new was started."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"interrupted by signal {signal_number}")
        self.signal_number = signal_number


class NotionError(SyncerError):
    """A Notion API call failed; made only by :func:`notion_error` (see ``syncer.notion.errors``).

    ``retry_after`` is the server's requested wait in seconds (429/529), ``request_id`` Notion's
    request id when there was one, and ``committed_resource_id`` the id of a resource Notion says it
    created although the call failed (a 503 on a create).
    """

    def __init__(
        self,
        message: str,
        *,
        code: NotionCode,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        committed_resource_id: PageId | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after
        self.committed_resource_id = committed_resource_id

    @property
    def may_land_late(self) -> bool:
        """Whether the call may still be applied after this failure: no answer came (a time-out
        or a dropped connection), or a gateway answered for a server that may still be working
        on it (502, 504). Any other answer comes after Notion finished with the request."""
        return self.code in ("timeout", "connection") or self.status in (502, 504)


class TransientNotionError(NotionError):
    """Worth retrying: rate limits, overload, 5xx, timeouts and dropped connections."""


class PermanentNotionError(NotionError):
    """Not worth retrying: the request itself is wrong, unauthorised or aimed at nothing."""


class ConflictError(NotionError):
    """Notion reported a write collision (409); re-read before retrying."""


class StoreError(SyncerError):
    """The local SQLite database failed: locked for too long, corrupt, or not migrated."""


class DatabaseNotReady(ConfigError, StoreError):
    """The schedule file is missing or its schema is not at the newest revision."""


class DatabaseCorrupt(UserError, StoreError):
    """The schedule file is damaged (``PRAGMA quick_check`` fails on the schedule tables) or
    holds a schedule row whose key cannot be read.

    A damaged b-tree page can read back as rows with no key while the real rows vanish, and a
    reconcile would then trash their pages: every run that plans refuses first.
    """


# Notion's documented error codes by HTTP status, for failures that carry no code of their own.
CODE_BY_STATUS: dict[int, NotionCode] = {
    400: "validation_error",
    401: "unauthorized",
    403: "restricted_resource",
    404: "object_not_found",
    409: "conflict_error",
    429: "rate_limited",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
    529: "service_overload",
}
_TRANSIENT_CODES: frozenset[NotionCode] = frozenset(
    {
        "rate_limited",
        "internal_server_error",
        "service_unavailable",
        "gateway_timeout",
        "bad_gateway",
        "service_overload",
        "database_connection_unavailable",
        "timeout",  # no answer in time (status None)
        "connection",  # reset or dropped mid-response (status None): it may have landed
        "unreachable",  # no connection at all (status None): nothing was sent
        "bad_response",  # answered, but not with JSON: a proxy or a cut body (see notion.errors)
    }
)


def notion_error(
    message: str,
    *,
    code: str | None = None,
    status: int | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
    committed_resource_id: str | None = None,
    blocked: bool = False,
) -> NotionError:
    """The one rule that sorts a failed Notion call into the tree above.

    The real gateway and the tests' in-memory fake both build their errors here, so the engine
    sees the same classes for the same failures whichever it talks to.

    Args:
        message: Notion's message, or what went wrong on the wire.
        code: Notion's error code (default: the documented code for ``status``; a code Notion
            has not documented is ``unknown_error``, its status kept).
        status: the HTTP status; None when no response arrived (``timeout``, ``connection``).
        request_id: Notion's request id, when there was one.
        retry_after: the server's requested wait in seconds.
        committed_resource_id: the resource Notion says it created despite the error.
        blocked: Notion blocked the integration (``public_api_request_blocked``): not transient.
    """
    known = notion_code(code) or CODE_BY_STATUS.get(status or 0) or "unknown_error"
    server_side = status is not None and (status in (429, 529) or status >= 500)
    kind: type[NotionError] = PermanentNotionError
    if known == "conflict_error":
        kind = ConflictError
    elif not blocked and (known in _TRANSIENT_CODES or server_side):
        kind = TransientNotionError
    return kind(
        message,
        code=known,
        status=status,
        request_id=request_id,
        retry_after=retry_after,
        committed_resource_id=page_id(committed_resource_id) if committed_resource_id else None,
    )


def notion_code(text: str | None) -> NotionCode | None:
    """``text`` as one of the codes of :data:`~syncer.core.kinds.NotionCode`, if it is one."""
    return text if text in NOTION_CODES else None


REDACTED = "[redacted]"
# Credentials by their shape: Notion's integration tokens (``ntn_...``, and ``secret_...`` from
# before 2024) and whatever an ``Authorization`` value quoted back after ``Bearer`` holds.
_TOKEN_SHAPE = re.compile(r"\b(?:ntn|secret)_[A-Za-z0-9_]{8,}")
# A value shorter than this is no real credential, and masking it would garble ordinary words
# (a test token "x" would mask every x).
_SHORTEST_SECRET = 8
_BEARER_VALUE = re.compile(r"(\bbearer\s+)\S+", re.IGNORECASE)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every token-shaped word, bearer value and given secret masked.

    Applied to every text Notion sends back (a message may quote the request's token) and,
    with the configured token and webhook URL as ``secrets``, to every log line.
    """
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _SHORTEST_SECRET:
            text = text.replace(secret, REDACTED)
    text = _BEARER_VALUE.sub(lambda match: match[1] + REDACTED, text)
    return _TOKEN_SHAPE.sub(REDACTED, text)


# What a failed call means, in the words of the person reading an alert or a log line (the
# code stays in the audit and in --json, where scripts read it).
_CODE_WORDS: dict[str, str] = {
    "unauthorized": "Notion refused the token",
    "restricted_resource": "the integration may not do this",
    "object_not_found": "Notion cannot find it (is it shared with the integration?)",
    "rate_limited": "Notion kept answering that syncer sends too much",
    "service_overload": "Notion is overloaded",
    "timeout": "Notion did not answer in time",
    "connection": "the connection to Notion dropped",
    "unreachable": "Notion could not be reached",
    "bad_response": "the answer was not Notion's",
    "validation_error": "Notion refused the values",
}


def plainly(code: str, message: str) -> str:
    """One sentence for a failure: what it means, then Notion's (or the wire's) own words."""
    words = _CODE_WORDS.get(code)
    if words is None:
        return f"Notion: {message}" if code in NOTION_CODES else message
    return f"{words}: {message}" if message else words
