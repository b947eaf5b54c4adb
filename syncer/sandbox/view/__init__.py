"""The sandbox's own pages: a week view of CALENDAR like Notion's calendar, a table view per
database, users, the request log and the armed faults; they refresh themselves while a sync
runs. Read-only; built from the admin dump, so they show what an integration would read.

Modules: ``endpoints.py`` (routes, the activity stamp), ``calendar.py`` (the week),
``tables.py`` (databases), ``admin.py`` (users, requests, faults), ``layout.py`` (the frame,
``page.css``, ``page.js``), ``model.py`` (the dump, indexed), ``when.py`` (dates), ``markup.py``
(escaped HTML).
"""

from __future__ import annotations

from syncer.sandbox.view.endpoints import Activity, view_routes

__all__ = ["Activity", "view_routes"]
