"""Reading the upstream schedule tables: the current rows of given dates, or of everything."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from syncer.core import RawKey, SourceRow, Table
from syncer.core.rows import RowColumn
from syncer.store import schema
from syncer.store.rawtext import as_bytes, decode, stored_forms

_Where = Callable[[sa.Table], sa.ColumnElement[bool]]

_COLUMNS: tuple[RowColumn, ...] = ("date", "rotation", "engineer_email")
_TABLES: tuple[tuple[Table, sa.Table], ...] = (
    ("schedule", schema.schedule),
    ("override", schema.overrides),
)


def rows_on(conn: sa.Connection, dates: Iterable[str]) -> list[SourceRow]:
    """The rows of both tables dated one of ``dates`` (as text), whatever their rotation text.

    Dates are compared as stored bytes, so a date that is not valid UTF-8 (read back as text
    with ``\\xNN`` escapes) is found again from its text.
    """
    wanted = sorted({form for date in dates for form in stored_forms(date)})
    if not wanted:
        return []
    return _select(conn, lambda table: sa.cast(table.c.date, sa.LargeBinary).in_(wanted))


def all_rows(conn: sa.Connection) -> list[SourceRow]:
    """Every row of both tables, schedule first, each in id order."""
    return _select(conn, lambda table: sa.true())


def _select(conn: sa.Connection, where: _Where) -> list[SourceRow]:
    rows: list[SourceRow] = []
    for name, table in _TABLES:
        # As bytes: a value need not be valid UTF-8 (see rawtext). The cast also turns a date
        # the NUMERIC affinity of a DATE column stored as a number (text like "1") into the
        # same text the change log (TEXT affinity) holds for it.
        query = (
            sa.select(table.c.id, *(as_bytes(table.c[column], column) for column in _COLUMNS))
            .where(where(table))
            .order_by(table.c.id)
        )
        rows.extend(_source_row(name, row) for row in conn.execute(query))
    return rows


def _source_row(table: Table, row: sa.Row[Any]) -> SourceRow:
    values = {column: decode(row._mapping[column]) for column in _COLUMNS}
    bad = tuple(column for column, value in values.items() if not value.valid)
    date, rotation, email = values.values()
    return SourceRow(
        table=table,
        row_id=int(row.id),
        key=RawKey(date.text or "", rotation.text or ""),
        engineer_email=email.text,
        not_utf8=bad,
    )
