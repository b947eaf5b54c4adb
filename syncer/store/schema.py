"""The tables as SQLAlchemy Core objects, for queries (the DDL itself lives in ``migrations/``).

The change log stores small integer codes instead of words because every row the schedule's
owner writes pays for the bytes (see ``docs/local-schema.md``); :data:`TABLE_CODES` and the
``OP_*`` constants are the one place that decodes them, and the ``sync_changes_readable`` view
shows them as words for people reading the file with ``sqlite3``.
"""

from __future__ import annotations

import sqlalchemy as sa

from syncer.core import Table
from syncer.core.kinds import SQL_TABLE_NAMES

SCHEDULE_TABLE = SQL_TABLE_NAMES["schedule"]
OVERRIDES_TABLE = SQL_TABLE_NAMES["override"]

# Codes written by the triggers (migrations/versions/0003_change_capture.py, and 0007).
TABLE_CODES: dict[int, Table] = {1: "schedule", 2: "override"}
OP_CONFLICT = 0  # provisional: a row a REPLACE may have removed (see changes.py)
OP_INSERT = 1
OP_UPDATE = 2
OP_DELETE = 3

upstream = sa.MetaData()
"""The upstream app's tables: syncer reads them but never owns their DDL."""


def _schedule_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        upstream,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("rotation", sa.Text, nullable=False),
        sa.Column("engineer_email", sa.Text, nullable=False),
    )


schedule = _schedule_table(SCHEDULE_TABLE)
overrides = _schedule_table(OVERRIDES_TABLE)

metadata = sa.MetaData()
"""Syncer's own tables."""

changes = sa.Table(
    "sync_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False),  # julianday(), UTC
    sa.Column("tbl", sa.Integer, nullable=False),
    sa.Column("op", sa.Integer, nullable=False),
    sa.Column("old_id", sa.Integer),
    sa.Column("old_date", sa.Text),
    sa.Column("old_rotation", sa.Text),
    sa.Column("old_email", sa.Text),
    sa.Column("new_id", sa.Integer),
    sa.Column("new_date", sa.Text),
    sa.Column("new_rotation", sa.Text),
    sa.Column("new_email", sa.Text),
)

cursors = sa.Table(
    "sync_cursors",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("change_id", sa.Integer, nullable=False),
)

pages = sa.Table(
    "sync_pages",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("date", sa.Text, primary_key=True),
    sa.Column("rotation", sa.Text, primary_key=True),
    sa.Column("database", sa.Text, nullable=False),
    sa.Column("page_id", sa.Text, nullable=False),
    sa.Column("content_digest", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

runs = sa.Table(
    "sync_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("env", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("trigger", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("started_at", sa.Text, nullable=False),
    sa.Column("finished_at", sa.Text),
    sa.Column("counts", sa.Text, nullable=False),  # JSON object
    sa.Column("first_change_id", sa.Integer),
    sa.Column("last_change_id", sa.Integer),
    sa.Column("error", sa.Text),
    sqlite_autoincrement=True,
)

actions = sa.Table(
    "sync_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("sync_runs.id"), nullable=False),
    sa.Column("env", sa.Text, nullable=False),
    sa.Column("key_text", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("page_id", sa.Text),
    sa.Column("database", sa.Text),
    sa.Column("before", sa.Text),  # JSON
    sa.Column("after", sa.Text),  # JSON
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("request_ids", sa.Text, nullable=False),  # JSON array
    sqlite_autoincrement=True,
)

people = sa.Table(
    "sync_people",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("email", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
)

people_fetches = sa.Table(
    "sync_people_fetches",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("fetched_at", sa.Text, nullable=False),
    sa.Column("unmatched", sa.Text, nullable=False, server_default="[]"),  # JSON array of emails
)

locks = sa.Table(
    "sync_locks",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("holder", sa.Text, nullable=False),
    sa.Column("acquired_at", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
)

failing_keys = sa.Table(
    "sync_failing_keys",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("key_text", sa.Text, primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("since", sa.Text, nullable=False),
)

problems = sa.Table(
    "sync_problems",
    metadata,
    sa.Column("env", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("first_seen", sa.Text, nullable=False),
    sa.Column("last_announced", sa.Text, nullable=False),
    sa.Column("run_id", sa.Integer),
)

schema_changes = sa.Table(
    "sync_schema_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("sync_runs.id"), nullable=False),
    sa.Column("env", sa.Text, nullable=False),
    sa.Column("database", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # add, rename
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("new_name", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # applied, failed
    sa.Column("error", sa.Text),
    sa.Column("at", sa.Text, nullable=False),
    sqlite_autoincrement=True,
)

file = sa.Table(
    "sync_file",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # always 1: one row
    sa.Column("file_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

databases = sa.Table(
    "sync_databases",
    metadata,
    sa.Column("database_id", sa.Text, primary_key=True),  # without dashes
    sa.Column("data_source_id", sa.Text, nullable=False),
    sa.Column("schema", sa.Text, nullable=False),  # JSON: the data source's properties
    sa.Column("holder", sa.Text),  # the file id the description named; NULL: nobody
    sa.Column("fetched_at", sa.Text, nullable=False),
)

sa.Index("ix_sync_pages_page_id", pages.c.env, pages.c.page_id)
sa.Index("ix_sync_schema_changes_run", schema_changes.c.run_id)
sa.Index("ix_sync_runs_env_kind", runs.c.env, runs.c.kind, runs.c.id)
sa.Index("ix_sync_actions_run", actions.c.run_id)
sa.Index("ix_sync_actions_key", actions.c.env, actions.c.key_text)
