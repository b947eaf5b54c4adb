"""The schema changes runs made to the Notion databases (`notion adopt`), for the audit log."""

from __future__ import annotations

from typing import Any, Literal, cast

import sqlalchemy as sa

from syncer.core import Database, EnvName, RunId
from syncer.core.adoption import SchemaChange, SchemaChangeKind
from syncer.core.records import SchemaChangeRecord
from syncer.store import schema
from syncer.store.times import from_text, to_text


def record(conn: sa.Connection, item: SchemaChangeRecord) -> None:
    change = item.change
    conn.execute(
        sa.insert(schema.schema_changes).values(
            run_id=item.run_id,
            env=item.env,
            database=change.database,
            kind=change.kind,
            name=change.name,
            type=change.type,
            new_name=change.new_name,
            reason=change.reason,
            status=item.status,
            error=item.error,
            at=to_text(item.at),
        )
    )


def of_run(conn: sa.Connection, run_id: RunId) -> list[SchemaChangeRecord]:
    """A run's schema changes, in the order they were made."""
    table = schema.schema_changes
    rows = conn.execute(sa.select(table).where(table.c.run_id == run_id).order_by(table.c.id))
    return [_record(row) for row in rows]


def _record(row: sa.Row[Any]) -> SchemaChangeRecord:
    change = SchemaChange(
        database=cast(Database, row.database),
        kind=cast(SchemaChangeKind, row.kind),
        name=row.name,
        type=row.type,
        new_name=row.new_name,
        reason=row.reason,
    )
    status: Literal["applied", "failed"] = "applied" if row.status == "applied" else "failed"
    return SchemaChangeRecord(
        RunId(int(row.run_id)), EnvName(row.env), change, status, from_text(row.at), row.error
    )
