"""Reading the upstream schedule tables: the current rows of given dates, or of everything."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from syncer.core import RawKey, SourceRow, Table
from syncer.store import schema

_Where = Callable[[sa.Table], sa.ColumnElement[bool]]

_TABLES: tuple[tuple[Table, sa.Table], ...] = (
    ("schedule", schema.schedule),
    ("override", schema.overrides),
)


def rows_on(conn: sa.Connection, dates: Iterable[str]) -> list[SourceRow]:
    """The rows of both tables dated one of ``dates`` (as text), whatever their rotation text."""
    wanted = sorted(set(dates))
    if not wanted:
        return []
    return _select(conn, lambda table: sa.cast(table.c.date, sa.Text).in_(wanted))


def all_rows(conn: sa.Connection) -> list[SourceRow]:
    """Every row of both tables, schedule first, each in id order."""
    return _select(conn, lambda table: sa.true())


def _select(conn: sa.Connection, where: _Where) -> list[SourceRow]:
    rows: list[SourceRow] = []
    for name, table in _TABLES:
        # CAST: a DATE column has NUMERIC affinity, so text like "1" is stored as an integer;
        # casting gives the same text the change log (TEXT affinity) holds for it.
        query = (
            sa.select(
                table.c.id,
                sa.cast(table.c.date, sa.Text).label("date"),
                sa.cast(table.c.rotation, sa.Text).label("rotation"),
                sa.cast(table.c.engineer_email, sa.Text).label("engineer_email"),
            )
            .where(where(table))
            .order_by(table.c.id)
        )
        for row in conn.execute(query):
            rows.append(
                SourceRow(
                    table=name,
                    row_id=int(row.id),
                    key=RawKey(row.date or "", row.rotation or ""),
                    engineer_email=row.engineer_email,
                )
            )
    return rows
