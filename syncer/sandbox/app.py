"""The sandbox over HTTP: Notion's ``/v1`` API, the ``/_sandbox`` admin API, and its pages
(``GET /``: see ``view/``)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from syncer.sandbox.errors import ApiError, quoted, status_error, validation_error
from syncer.sandbox.guard import LocalOnly
from syncer.sandbox.ids import new_id, request_timestamp
from syncer.sandbox.routes import Call
from syncer.sandbox.service import APIS, SandboxService, encode
from syncer.sandbox.state import Integration
from syncer.sandbox.view import Activity, view_routes

MAX_BODY_BYTES = 500_000
METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
_jitter = random.Random()

_log = logging.getLogger("syncer.sandbox")


class DroppedResponse(Response):
    """Starts a response with a ``Content-Length``, sends half of it, then lets the server close
    the connection: the client sees a transport error although the request was applied."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(self.body)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )


def _json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _check_version(request: Request) -> str:
    """The request's Notion-Version, which must be one the sandbox answers."""
    version = request.headers.get("notion-version")
    if version is None:
        raise ApiError(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, "
            "instead was `undefined`.",
        )
    if version not in APIS:
        known = " and ".join(APIS)
        raise ApiError(
            400,
            "invalid_request",
            f"This sandbox emulates Notion-Version {known} only, instead was {quoted(version)}.",
        )
    return version


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    if len(raw) > MAX_BODY_BYTES:
        raise validation_error(f"Request body too large: {len(raw)} bytes (the limit is 500KB).")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_json", "Error parsing JSON body.") from None
    if not isinstance(body, dict):
        raise validation_error(
            f"body failed validation: body should be an object, instead was {quoted(body)}."
        )
    return body


class V1Endpoint:
    """One ``/v1`` request: latency, auth, version, rate limit, faults, handling, request log;
    ``on_request`` hears of each one once it is logged."""

    def __init__(
        self, service: SandboxService, on_request: Callable[[], None] = lambda: None
    ) -> None:
        self.service = service
        self.on_request = on_request

    async def handle(self, request: Request) -> Response:
        """Answer one request (Starlette endpoint)."""
        with self.service.serving():
            return await self._answer(request)

    async def _answer(self, request: Request) -> Response:
        settings = self.service.settings
        generation = self.service.generation
        delay_ms = settings.latency_ms + _jitter.uniform(0, settings.jitter_ms)
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)
        request_id = new_id()
        entry: dict[str, Any] = {
            "at": request_timestamp(),
            "method": request.method,
            "path": request.url.path,
            "status": 200,
            "token": _token(request),
            "request_id": request_id,
            "fault": None,
            "notion_version": request.headers.get("notion-version"),
        }
        try:
            response = await self._handle(request, request_id, entry)
        except ApiError as error:
            entry["status"] = error.status
            response = _json(encode(error.body(request_id)), error.status, error.headers)
        except Exception as exc:  # a request no validator foresaw: answer as Notion would
            where = f"{request.method} {request.url.path}"
            _log.warning("sandbox: unexpected %s on %s", type(exc).__name__, where)
            crash = status_error(500, "internal_server_error", "Unexpected error occurred.")
            entry["status"] = crash.status
            response = _json(encode(crash.body(request_id)), crash.status, crash.headers)
        self.service.record(entry, generation)
        self.on_request()
        return response

    async def _handle(self, request: Request, request_id: str, entry: dict[str, Any]) -> Response:
        path = request.url.path
        viewer: Integration = self.service.authenticate(request.headers.get("authorization"))
        version = _check_version(request)
        rule = self.service.admit(viewer, request.method, path)
        entry["fault"] = rule.kind if rule else None
        # The body is read before a delay: a client that gives up meanwhile must not stop the
        # write from landing late (reading after its disconnect would fail the request).
        body = await _body(request)
        if rule is not None and rule.kind == "delay":
            await asyncio.sleep(rule.delay_ms / 1000)
        if rule is not None and rule.kind == "status":
            raise rule.error()
        query = request.query_params.multi_items()
        call = Call(request.method, path, viewer, body, query, version)
        payload, resource_id = self.service.execute(call, request_id)
        if rule is not None and rule.kind == "apply_then_fail":
            raise rule.error(resource_id)
        if rule is not None and rule.kind == "apply_then_drop":
            return DroppedResponse(payload)
        return _json(payload)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    return header.partition(" ")[2].strip() or None if header else None


def _admin_error(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _admin_json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def admin_routes(service: SandboxService) -> list[Route]:
    """The ``/_sandbox`` routes (never rate limited, never logged)."""

    async def info(request: Request) -> Response:
        return JSONResponse(service.info())

    async def add_user(request: Request) -> Response:
        try:
            data = await _admin_json(request)
            name = data["name"]
            if not isinstance(name, str) or not name:
                raise ValueError("name must be a non-empty string")
        except (ValueError, KeyError, TypeError) as exc:
            return _admin_error(f"expected {{name, email}} or {{name, type: 'bot'}}: {exc}")
        bot = data.get("type") == "bot"
        return JSONResponse(service.add_user(name, data.get("email"), bot=bot))

    async def tokens(request: Request) -> Response:
        try:
            data = await _admin_json(request)
            made = service.add_integration(data["name"], data.get("capabilities", []))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _admin_error(f"expected {{name, capabilities: [...]}}: {exc}")
        return JSONResponse(made)

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            service.clear_requests()
            return JSONResponse({"ok": True})
        return JSONResponse(service.requests())

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            service.clear_faults()
            return JSONResponse({"ok": True})
        if request.method == "GET":
            return JSONResponse(service.fault_rules())
        try:
            data = await _admin_json(request)
            rules = data if isinstance(data, list) else data.get("rules", [data])
            return JSONResponse([service.add_fault(rule) for rule in rules])
        except (ValueError, TypeError, AttributeError) as exc:
            return _admin_error(f"bad fault rule: {exc}")

    async def settings(request: Request) -> Response:
        try:
            data = await _admin_json(request)
            return JSONResponse(service.update_settings(**data))
        except (ValueError, TypeError, KeyError) as exc:
            return _admin_error(f"bad settings: {exc}")

    async def reset(request: Request) -> Response:
        service.reset()
        return JSONResponse({"ok": True, "root_page_id": service.root_page_id})

    async def dump(request: Request) -> Response:
        return JSONResponse(service.dump())

    return [
        Route("/_sandbox/info", info, methods=["GET"]),
        Route("/_sandbox/users", add_user, methods=["POST"]),
        Route("/_sandbox/tokens", tokens, methods=["POST"]),
        Route("/_sandbox/requests", requests, methods=["GET", "DELETE"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/settings", settings, methods=["PATCH"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/dump", dump, methods=["GET"]),
    ]


def build_app(service: SandboxService, *, extra_hosts: Iterable[str] = ()) -> ASGIApp:
    """The ASGI application serving ``service``; admin and pages answer local hosts only."""
    activity = Activity()  # what the pages poll to refresh themselves
    service.on_change(activity.bump)
    routes = [
        Route("/v1/{rest:path}", V1Endpoint(service, activity.bump).handle, methods=METHODS),
        *admin_routes(service),
        *view_routes(service, activity),
    ]
    return LocalOnly(Starlette(routes=routes), extra_hosts)
