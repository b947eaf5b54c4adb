"""The upstream app's schedule tables: created when absent, adopted untouched when present.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

The DDL is the upstream app's own. ``IF NOT EXISTS`` makes an existing file's tables (and every
row in them) the ones syncer uses. The downgrade never drops them: they belong to the app, and
may have held the schedule long before syncer was installed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syncer.core.errors import StoreError

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OVERRIDES_KEY_INDEX = "oncall_schedule_overrides_date_rotation"


def upgrade() -> None:
    op.execute(
        "CREATE TABLE IF NOT EXISTS oncall_schedule ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL, "
        "engineer_email TEXT NOT NULL)"
    )
    op.execute(
        "CREATE TABLE IF NOT EXISTS oncall_schedule_overrides ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, date DATE NOT NULL, rotation TEXT NOT NULL, "
        "engineer_email TEXT NOT NULL)"
    )
    if not _has_unique_key(op.get_bind()):
        _refuse_duplicate_overrides(op.get_bind())
        op.execute(
            f"CREATE UNIQUE INDEX {OVERRIDES_KEY_INDEX} "
            "ON oncall_schedule_overrides (date, rotation)"
        )


def downgrade() -> None:
    """Nothing: the schedule tables (and their index) belong to the upstream app."""


def _has_unique_key(bind: sa.Connection) -> bool:
    """Whether some unique index of the overrides covers exactly (date, rotation), as upstream's does."""
    indexes = bind.exec_driver_sql("PRAGMA index_list(oncall_schedule_overrides)").all()
    for index in indexes:
        if not index.unique:
            continue
        columns = bind.exec_driver_sql(f'PRAGMA index_info("{index.name}")').all()
        if {column.name for column in columns} == {"date", "rotation"}:
            return True
    return False


def _refuse_duplicate_overrides(bind: sa.Connection) -> None:
    duplicate = bind.exec_driver_sql(
        "SELECT date, rotation FROM oncall_schedule_overrides "
        "GROUP BY date, rotation HAVING count(*) > 1 LIMIT 1"
    ).first()
    if duplicate is not None:
        raise StoreError(
            "oncall_schedule_overrides has two rows for "
            f"{duplicate.date}/{duplicate.rotation}; the upstream app allows one override per "
            "(date, rotation): remove the extra row, then run `syncer db upgrade` again"
        )
