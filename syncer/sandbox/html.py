"""``GET /``: a read-only HTML view of every database as a table, like Notion's table view."""

from __future__ import annotations

from html import escape
from typing import Any

from syncer.sandbox.objects import plain_text
from syncer.sandbox.state import Record, Workspace

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #37352f; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { border: 1px solid #e9e9e7; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f7f6f3; font-weight: 600; }
.tag { background: #e3e2e0; border-radius: 3px; padding: 0 6px; }
.muted { color: #9b9a97; }
"""


def _date(value: Record | None) -> str:
    if not value:
        return ""
    start, end = value["start"], value.get("end")
    return f"{start} → {end}" if end else str(start)


def _cell(ws: Workspace, prop: Record, page: Record) -> str:
    """One property value as escaped HTML."""
    kind = prop["type"]
    if kind in ("created_time", "last_edited_time"):
        return escape(page[kind])
    if kind in ("created_by", "last_edited_by"):
        return escape(str(ws.users.get(page[kind], {}).get("name", page[kind])))
    value: Any = page["values"].get(prop["id"])
    if value is None or value == []:
        return ""
    if kind in ("title", "rich_text"):
        return escape(plain_text(value))
    if kind == "date":
        return escape(_date(value))
    if kind == "select":
        return _tag(prop, value)
    if kind == "multi_select":
        return " ".join(_tag(prop, item) for item in value)
    if kind == "people":
        return escape(", ".join(ws.users.get(uid, {}).get("name", uid) for uid in value))
    if kind == "checkbox":
        return "☑" if value else "☐"
    return escape(str(value))


def _tag(prop: Record, stored: Record) -> str:
    options = {o["id"]: o["name"] for o in prop[prop["type"]]["options"]}
    name = options.get(stored["id"], stored.get("name", ""))
    return f'<span class="tag">{escape(str(name))}</span>'


def _table(ws: Workspace, source: Record) -> str:
    schema = source["schema"]
    head = "".join(f"<th>{escape(name)}</th>" for name in schema)
    rows = []
    for page in ws.source_pages(source["id"]):
        if page["in_trash"]:
            continue
        cells = "".join(f"<td>{_cell(ws, prop, page)}</td>" for prop in schema.values())
        rows.append(f"<tr>{cells}</tr>")
    count = f'<p class="muted">{len(rows)} pages · data source {escape(source["id"])}</p>'
    return f"{count}<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(ws: Workspace) -> str:
    """The whole page: one section per database, one table per data source (trash hidden)."""
    sections = []
    for db in ws.databases.values():
        if db["in_trash"]:
            continue
        title = escape(plain_text(db["title"]) or "Untitled")
        tables = "".join(_table(ws, ws.data_sources[sid]) for sid in db["data_source_ids"])
        sections.append(f'<h2>{title} <span class="muted">{escape(db["id"])}</span></h2>{tables}')
    body = "".join(sections) or '<p class="muted">No databases yet.</p>'
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Notion sandbox</title>'
        f"<style>{STYLE}</style></head><body><h1>Notion sandbox</h1>"
        f'<p class="muted">Read-only view. Root page {escape(ws.root_page_id)}.</p>'
        f"{body}</body></html>"
    )
