"""Helpers for the sandbox suite: property values, a calendar schema, bulk page creation."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any, TypeAlias

Sdk: TypeAlias = Any
"""A ``notion_client.Client``: its methods are typed ``Any | Awaitable[Any]``, so tests use Any."""

NO_EMAIL_TOKEN = "ntn_test_no_email_token"
CALENDAR_SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Date": {"date": {}},
    "Rotation": {
        "select": {
            "options": [
                {"name": "AM", "color": "blue"},
                {"name": "Core", "color": "green"},
                {"name": "PM", "color": "purple"},
            ]
        }
    },
    "Final Engineer": {"people": {}},
    "Final Engineer Email": {"rich_text": {}},
    "Sync Key": {"rich_text": {}},
}


def title(text: str) -> dict[str, Any]:
    """A title property value."""
    return {"title": [{"text": {"content": text}}]}


def text(value: str) -> dict[str, Any]:
    """A rich_text property value."""
    return {"rich_text": [{"text": {"content": value}}]}


def shift(
    key: str, start: str, rotation: str = "AM", *, final: list[str] | None = None
) -> dict[str, Any]:
    """The properties of one calendar page (``final``: user ids of the Final Engineer)."""
    properties = {
        "Name": title(f"{key} shift"),
        "Date": {"date": {"start": start}},
        "Rotation": {"select": {"name": rotation}},
        "Sync Key": text(key),
    }
    if final is not None:
        properties["Final Engineer"] = {"people": [{"id": user_id} for user_id in final]}
    return properties


def create_pages(client: Sdk, source_id: str, count: int) -> list[str]:
    """Create ``count`` simple pages and return their ids, in creation order."""
    ids = []
    for index in range(count):
        page = client.pages.create(
            parent={"data_source_id": source_id},
            properties={"Name": title(f"page {index:03d}"), "Sync Key": text(f"k{index:03d}")},
        )
        ids.append(page["id"])
    return ids


class _CellTexts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self.cells.append("")
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def cell_texts(html: str) -> list[str]:
    """The text of every table cell as a reader sees it: markup inside a cell (the spans and
    line-break hints the table view adds) removed, entities decoded."""
    parser = _CellTexts()
    parser.feed(html)
    return parser.cells
