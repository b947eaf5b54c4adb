"""Reading the upstream schedule tables: the current rows of given dates, or of everything."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from syncer.core import RawKey, SourceRow, Table
from syncer.core.rows import RowColumn
from syncer.store import schema
from syncer.store.integrity import unreadable_key
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
    """Every row of both tables, schedule first, each in id order.

    Raises:
        DatabaseCorrupt: a row's date or rotation is NULL (its key cannot be read).
    """
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
        for row_id, date, rotation, email in conn.execute(query):
            if date is None or rotation is None:
                column = "date" if date is None else "rotation"
                raise unreadable_key(conn, table.name, row_id, column)
            rows.append(_source_row(name, int(row_id), date, rotation, email))
    return rows


def _source_row(
    table: Table, row_id: int, date: bytes, rotation: bytes, email: bytes | None
) -> SourceRow:
    try:  # the common case, kept fast: a reconcile reads every row
        key = RawKey(date.decode(), rotation.decode())
        return SourceRow(table, row_id, key, None if email is None else email.decode())
    except UnicodeDecodeError:
        pass
    values = dict(zip(_COLUMNS, map(decode, (date, rotation, email)), strict=True))
    return SourceRow(
        table=table,
        row_id=row_id,
        key=RawKey(values["date"].text or "", values["rotation"].text or ""),
        engineer_email=values["engineer_email"].text,
        not_utf8=tuple(column for column, value in values.items() if not value.valid),
    )
