"""The problems announced to the administrators and not yet resolved, per environment.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_problems",
        sa.Column("env", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("first_seen", sa.Text, nullable=False),
        sa.Column("last_announced", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("sync_problems")
