"""The schedule file's own id (which file keeps a database), and a cache of Notion's metadata.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

``sync_file`` holds one row: the id this schedule file writes into the description of the
Notion databases it keeps ("Kept in sync by syncer (file <id>) ..."), so that a second file
pointed at the same databases (another checkout, a copied config) is refused before it writes.
The id is made here, once; a file upgraded from an older revision gets one too.

``sync_databases`` caches, by Notion database id, what a run would otherwise re-read from
Notion every time: the data source id, the data source's schema, and which file the
description named when it was last read. It is only a cache: dropping its rows costs a few
requests on the next run, never a wrong write (see ``docs/local-schema.md``).
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sync_file = op.create_table(
        "sync_file",
        sa.Column("id", sa.Integer, primary_key=True),  # always 1: one row
        sa.Column("file_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    op.bulk_insert(sync_file, [{"id": 1, "file_id": uuid.uuid4().hex[:12], "created_at": now}])
    op.create_table(
        "sync_databases",
        sa.Column("database_id", sa.Text, primary_key=True),  # without dashes
        sa.Column("data_source_id", sa.Text, nullable=False),
        sa.Column("schema", sa.Text, nullable=False),  # JSON: the data source's properties
        sa.Column("holder", sa.Text),  # the file id the description named; NULL: nobody
        sa.Column("fetched_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_databases")
    op.drop_table("sync_file")
