"""Drives the sandbox with notion-client 2.x, whose default Notion-Version is 2022-06-28.

Run by ``test_old_clients.py`` with the interpreter of that client's own environment (the
project's has notion-client 3.x); it imports nothing else and prints one JSON summary line.
"""

from __future__ import annotations

import json
import os
from typing import Any

import notion_client

MISSING = "00000000-0000-4000-8000-000000000000"


def _page(client: Any, database_id: str, day: str, rotation: str) -> Any:
    return client.pages.create(
        parent={"database_id": database_id},
        properties={
            "Name": {"title": [{"text": {"content": f"{day} {rotation}"}}]},
            "Rotation": {"select": {"name": rotation}},
            "When": {"date": {"start": day}},
        },
    )


def main() -> None:
    """Create, query with a filter and a cursor, update, archive, and meet a typed error."""
    client: Any = notion_client.Client(
        auth=os.environ["SANDBOX_TOKEN"], base_url=os.environ["SANDBOX_URL"]
    )
    db = client.databases.create(
        parent={"type": "page_id", "page_id": os.environ["SANDBOX_ROOT"]},
        title=[{"text": {"content": "Python 2"}}],
        properties={"Name": {"title": {}}, "Rotation": {"select": {}}, "When": {"date": {}}},
    )
    for day, rotation in (("2026-01-07", "AM"), ("2026-01-05", "AM"), ("2026-01-06", "PM")):
        _page(client, db["id"], day, rotation)
    ask = {
        "filter": {"property": "Rotation", "select": {"equals": "AM"}},
        "sorts": [{"property": "When", "direction": "ascending"}],
    }
    first = client.databases.query(db["id"], page_size=1, **ask)
    second = client.databases.query(db["id"], start_cursor=first["next_cursor"], **ask)
    schema = client.databases.update(
        db["id"], properties={"Rotation": {"name": "Shift"}, "Notes": {"rich_text": {}}}
    )
    page = first["results"][0]
    notes = {"Notes": {"rich_text": [{"text": {"content": "swapped"}}]}}
    noted = client.pages.update(page["id"], properties=notes)
    archived = client.pages.update(page["id"], archived=True)
    left = client.databases.query(db["id"])
    try:
        client.pages.retrieve(MISSING)
        error_code = None
    except notion_client.APIResponseError as error:
        error_code = str(error.code)
    client.close()
    results = first["results"] + second["results"]
    summary = {
        "defaultVersion": client.options.notion_version,
        "schema": sorted(db["properties"]),
        "parent": page["parent"],
        "databaseId": db["id"],
        "listType": first["type"],
        "pages": [
            len(first["results"]),
            first["has_more"],
            len(second["results"]),
            second["has_more"],
        ],
        "dates": [p["properties"]["When"]["date"]["start"] for p in results],
        "renamed": sorted(schema["properties"]),
        "notes": noted["properties"]["Notes"]["rich_text"][0]["plain_text"],
        "archived": [archived["archived"], archived["in_trash"]],
        "left": len(left["results"]),
        "errorCode": error_code,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
