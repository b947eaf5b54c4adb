"""Syncer's own tables: change log, cursors, page mapping, runs, audit actions, people, lock.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No AUTOINCREMENT: it costs every write of the app's tables a sqlite_sequence update, and
    # ids stay monotonic anyway because compaction never deletes the newest change row.
    op.create_table(
        "sync_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
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
    op.create_table(
        "sync_cursors",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("change_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "sync_pages",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("date", sa.Text, primary_key=True),
        sa.Column("rotation", sa.Text, primary_key=True),
        sa.Column("database", sa.Text, nullable=False),
        sa.Column("page_id", sa.Text, nullable=False),
        sa.Column("content_digest", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.CheckConstraint("database IN ('calendar', 'past')", name="ck_sync_pages_database"),
    )
    op.create_index("ix_sync_pages_page_id", "sync_pages", ["env", "page_id"])
    _create_runs_and_actions()
    _create_people_lock_failing()


def _create_runs_and_actions() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("env", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("first_change_id", sa.Integer),
        sa.Column("last_change_id", sa.Integer),
        sa.Column("error", sa.Text),
        sqlite_autoincrement=True,  # run ids are quoted by admins: never reuse one
    )
    op.create_index("ix_sync_runs_env_kind", "sync_runs", ["env", "kind", "id"])
    op.create_table(
        "sync_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("sync_runs.id"), nullable=False),
        sa.Column("env", sa.Text, nullable=False),
        sa.Column("key_text", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("page_id", sa.Text),
        sa.Column("database", sa.Text),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("request_ids", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_actions_run", "sync_actions", ["run_id"])
    op.create_index("ix_sync_actions_key", "sync_actions", ["env", "key_text"])


def _create_people_lock_failing() -> None:
    op.create_table(
        "sync_people",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_table(
        "sync_people_fetches",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("fetched_at", sa.Text, nullable=False),
    )
    op.create_table(
        "sync_locks",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("holder", sa.Text, nullable=False),
        sa.Column("acquired_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
    )
    op.create_table(
        "sync_failing_keys",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("key_text", sa.Text, primary_key=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("since", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "sync_failing_keys",
        "sync_locks",
        "sync_people_fetches",
        "sync_people",
        "sync_actions",
        "sync_runs",
        "sync_pages",
        "sync_cursors",
        "sync_changes",
    ):
        op.drop_table(table)
