"""Notion's error responses: the exception handlers raise and the codes Notion uses per status."""

from __future__ import annotations

import json
from typing import Any

CODE_BY_STATUS: dict[int, str] = {
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

MESSAGE_BY_CODE: dict[str, str] = {
    "conflict_error": "Conflict occurred while saving. Please try again.",
    "rate_limited": "You have been rate limited. Please try again in a few minutes.",
    "internal_server_error": "Unexpected error occurred.",
    "bad_gateway": "Notion encountered an issue while attempting to complete this request.",
    "service_unavailable": "Notion is unavailable, please try again later.",
    "gateway_timeout": "Notion timed out while attempting to complete this request.",
    "service_overload": "Notion is overloaded, please try again later.",
}


class ApiError(Exception):
    """An error response: status, Notion's code and message, optional extra data and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        additional_data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.additional_data = additional_data
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON body Notion sends for this error."""
        body: dict[str, Any] = {
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        }
        if self.additional_data is not None:
            body["additional_data"] = self.additional_data
        return body


def quoted(value: Any) -> str:
    """A value as Notion quotes it in validation messages: JSON between backticks."""
    return f"`{json.dumps(value)}`"


def validation_error(message: str) -> ApiError:
    """400 ``validation_error`` with ``message``."""
    return ApiError(400, "validation_error", message)


def body_error(path: str, expectation: str, value: Any) -> ApiError:
    """400 ``validation_error`` in Notion's ``body failed validation`` style."""
    return validation_error(
        f"body failed validation: {path} should be {expectation}, instead was {quoted(value)}."
    )


def not_found(kind: str, object_id: str) -> ApiError:
    """404 ``object_not_found`` for an id that does not exist (or is not shared)."""
    return ApiError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and databases "
        "are shared with your integration.",
    )


def invalid_url(message: str = "Invalid request URL.") -> ApiError:
    """400 ``invalid_request_url``."""
    return ApiError(400, "invalid_request_url", message)


def status_error(status: int, code: str | None = None, message: str | None = None) -> ApiError:
    """An error for ``status`` with Notion's usual code and message for it."""
    final_code = code or CODE_BY_STATUS.get(status, "internal_server_error")
    final_message = message or MESSAGE_BY_CODE.get(final_code, f"Error {status}.")
    return ApiError(status, final_code, final_message)
