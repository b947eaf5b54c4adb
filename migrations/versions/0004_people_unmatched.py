"""Remember which emails matched nobody at the last users.list, so only new misses refresh.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_people_fetches") as batch:
        batch.add_column(
            sa.Column("unmatched", sa.Text, nullable=False, server_default="[]")  # JSON array
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_people_fetches") as batch:
        batch.drop_column("unmatched")
