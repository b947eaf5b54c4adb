"""Error responses: Notion's JSON shape and codes, as the real SDK sees them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from notion_client import APIResponseError
from notion_client.errors import APIErrorCode

from syncer.sandbox.server import RunningSandbox

from .conftest import ClientFactory
from .helpers import Sdk

MISSING = "00000000-0000-4000-8000-000000000000"


def _raw(sb: RunningSandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {sb.syncer_token}", "Notion-Version": "2025-09-03"}
    headers.update(kwargs.pop("headers", {}))
    return httpx.request(method, f"{sb.url}{path}", headers=headers, **kwargs)


def test_unknown_token_is_unauthorized(make_client: ClientFactory) -> None:
    """An unknown token gets 401 unauthorized."""
    with pytest.raises(APIResponseError) as caught:
        make_client("ntn_nobody").users.me()
    assert caught.value.code == APIErrorCode.Unauthorized
    assert caught.value.status == 401


def test_missing_token_is_unauthorized(sb: RunningSandbox) -> None:
    """A request without Authorization gets 401 with the full error body."""
    response = httpx.get(f"{sb.url}/v1/users/me", headers={"Notion-Version": "2025-09-03"})
    body = response.json()
    assert response.status_code == 401
    assert body["object"] == "error"
    assert body["code"] == "unauthorized"
    assert set(body) == {"object", "status", "code", "message", "request_id"}


def test_missing_version_header(sb: RunningSandbox) -> None:
    """Without Notion-Version the answer is 400 missing_version."""
    response = httpx.get(
        f"{sb.url}/v1/users/me", headers={"Authorization": f"Bearer {sb.syncer_token}"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "missing_version"


def test_old_version_on_data_sources_is_invalid_url(sb: RunningSandbox) -> None:
    """Data source paths under Notion-Version 2022-06-28 answer 400 invalid_request_url."""
    response = _raw(
        sb, "GET", f"/v1/data_sources/{MISSING}", headers={"Notion-Version": "2022-06-28"}
    )
    assert response.json()["code"] == "invalid_request_url"


def test_legacy_database_query_is_invalid_url(client: Sdk, calendar: dict[str, Any]) -> None:
    """POST /v1/databases/{id}/query answers 400 invalid_request_url under 2025-09-03."""
    with pytest.raises(APIResponseError) as caught:
        client.request(path=f"databases/{calendar['id']}/query", method="POST", body={})
    assert caught.value.code == APIErrorCode.InvalidRequestURL
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda c: c.pages.retrieve(MISSING), "page"),
        (lambda c: c.databases.retrieve(MISSING), "database"),
        (lambda c: c.data_sources.retrieve(MISSING), "data_source"),
        (lambda c: c.data_sources.query(MISSING), "data_source"),
        (lambda c: c.users.retrieve(MISSING), "user"),
    ],
)
def test_unknown_ids_are_not_found(client: Sdk, call: Any, kind: str) -> None:
    """Unknown ids get 404 object_not_found naming the kind of object."""
    with pytest.raises(APIResponseError) as caught:
        call(client)
    assert caught.value.code == APIErrorCode.ObjectNotFound
    assert f"Could not find {kind} with ID" in str(caught.value)


def test_database_id_is_not_a_data_source_id(client: Sdk, calendar: dict[str, Any]) -> None:
    """A database id given to a data source endpoint is 404: the two kinds of id differ."""
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.retrieve(calendar["id"])
    assert caught.value.code == APIErrorCode.ObjectNotFound


def test_malformed_id_is_a_validation_error(client: Sdk) -> None:
    """A path id that is not a UUID gets 400 validation_error naming the parameter."""
    with pytest.raises(APIResponseError) as caught:
        client.pages.retrieve("not-an-id")
    assert caught.value.code == APIErrorCode.ValidationError
    assert "path.page_id should be a valid uuid" in str(caught.value)


def test_invalid_json_body(sb: RunningSandbox) -> None:
    """A body that is not JSON gets 400 invalid_json."""
    response = _raw(sb, "POST", "/v1/pages", content=b"{nope")
    assert response.json()["code"] == "invalid_json"


def test_unknown_path_is_invalid_url(client: Sdk) -> None:
    """An unknown /v1 path (or a wrong method) gets 400 invalid_request_url."""
    with pytest.raises(APIResponseError) as caught:
        client.request(path="blocks/x/children", method="GET")
    assert caught.value.code == APIErrorCode.InvalidRequestURL


def test_unknown_version_is_rejected_not_misread(sb: RunningSandbox) -> None:
    """A Notion-Version other than 2025-09-03 and 2022-06-28 is refused with a clear 400."""
    response = _raw(sb, "GET", "/v1/users/me", headers={"Notion-Version": "2031-01-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert "2025-09-03 and 2022-06-28" in response.json()["message"]


def test_a_request_no_validator_foresaw_gets_a_notion_shaped_error(sb: RunningSandbox) -> None:
    """Even an absurd filter is answered as Notion would: JSON, a code, a request id."""
    parent = {"type": "page_id", "page_id": sb.root_page_id}
    schema = {"Name": {"title": {}}, "Rotation": {"select": {"options": [{"name": "AM"}]}}}
    created = _raw(
        sb,
        "POST",
        "/v1/databases",
        json={"parent": parent, "title": [], "initial_data_source": {"properties": schema}},
    ).json()
    source = created["data_sources"][0]["id"]
    absurd = {"property": "Rotation", "select": {"equals": {"name": "AM"}}}

    response = _raw(sb, "POST", f"/v1/data_sources/{source}/query", json={"filter": absurd})

    assert response.status_code in (400, 500)
    body = response.json()
    assert body["object"] == "error"
    assert body["request_id"]
