"""The schema changes a run made to the Notion databases (`notion adopt`), for the audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_schema_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("sync_runs.id"), nullable=False),
        sa.Column("env", sa.Text, nullable=False),
        sa.Column("database", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("new_name", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_schema_changes_run", "sync_schema_changes", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_schema_changes_run", "sync_schema_changes")
    op.drop_table("sync_schema_changes")
