"""Undo a range of the change log on the schedule tables, so the triggers log compensating changes.

The log holds each row's old and new image, ids included. Undoing it newest first with plain SQL
(delete what was inserted, put back what was updated or deleted) leaves the tables as they were
before the range, and the triggers record every undo as an ordinary change: the change log
never goes back in time, and a drain sees the reverted keys as dirty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from syncer.core import RawKey, RowImage, RowUndo, Table
from syncer.core.errors import RollbackRefused
from syncer.store import schema
from syncer.store.changes import image, last_change_id, log_columns
from syncer.store.schema import OP_CONFLICT, OP_DELETE, OP_INSERT, OP_UPDATE, TABLE_CODES

_TABLES = {1: schema.schedule, 2: schema.overrides}


@dataclass(frozen=True, slots=True)
class RowEffect:
    """What undoing a range does to one schedule row: its image now and once restored."""

    table: Table
    row_id: int
    undo: RowUndo
    now: RowImage | None  # None: the row is gone now (a delete is undone by restoring it)
    restored: RowImage | None  # None: the row did not exist before (it is deleted)


@dataclass(frozen=True, slots=True)
class LocalUndo:
    """A planned undo of a change range: the keys it touches, how many log rows it reverts,
    and the net effect on each schedule row."""

    first_change_id: int
    last_change_id: int
    keys: frozenset[RawKey]
    rows: int
    effects: tuple[RowEffect, ...] = ()


def plan_undo(conn: sa.Connection, first: int, last: int) -> LocalUndo:
    """The keys the range ``first..last`` touched; refuses when part of it was pruned."""
    rows = _range(conn, first, last)
    if len(rows) != last - first + 1:
        raise RollbackRefused(
            f"change-log rows {first}..{last} are no longer all there (pruned or compacted)",
            hint="the local side cannot be restored from the log; fix the schedule by hand, "
            "then run `syncer reconcile`",
        )
    return LocalUndo(first, last, _keys(rows), len(rows), _effects(rows))


def keys_changed_after(conn: sa.Connection, after: int) -> frozenset[RawKey]:
    """Every key a change logged after id ``after`` touched."""
    return _keys(_range(conn, after + 1, last_change_id(conn)))


def _keys(rows: list[sa.Row[Any]]) -> frozenset[RawKey]:
    keys: set[RawKey] = set()
    for row in rows:
        if row.old_id is not None:
            keys.add(image(row.old_date, row.old_rotation, None).key)
        if row.new_id is not None:
            keys.add(image(row.new_date, row.new_rotation, None).key)
    return frozenset(keys)


def undo(conn: sa.Connection, first: int, last: int) -> tuple[int, int] | None:
    """Revert the range newest first; return the compensating changes' id range (None: none).

    Raises:
        RollbackRefused: a row is not what the range left it (see :func:`check_rows`);
            nothing is reverted.
    """
    rows = _range(conn, first, last)
    _check_rows(conn, rows)
    before = last_change_id(conn)
    for row in reversed(rows):
        _undo_row(conn, row)
    after = last_change_id(conn)
    return (before + 1, after) if after > before else None


def check_rows(conn: sa.Connection, first: int, last: int) -> None:
    """Raise RollbackRefused unless every row the range ``first..last`` touched is, now, what
    the range left it: a row it wrote still holds those values under that id, a row it removed
    is still absent.

    The log names rows by id. An app that drops and re-creates a schedule table (its reset
    task) starts the ids again, uncaptured: row 3 may now be another shift, and undoing "the
    insert of row 3" would delete it.
    """
    _check_rows(conn, _range(conn, first, last))


def _check_rows(conn: sa.Connection, rows: list[sa.Row[Any]]) -> None:
    last_seen: dict[tuple[int, int], tuple[int, bool] | None] = {}
    for row in rows:
        if row.op == OP_CONFLICT:
            last_seen[(int(row.tbl), int(row.old_id))] = None  # it may or may not be gone
            continue
        if row.old_id is not None:
            last_seen[(int(row.tbl), int(row.old_id))] = (int(row.id), False)
        if row.new_id is not None:
            last_seen[(int(row.tbl), int(row.new_id))] = (int(row.id), True)
    for (tbl, row_id), seen in sorted(last_seen.items()):
        if seen is not None and not _as_left(conn, tbl, row_id, *seen):
            name = _TABLES[tbl].name
            raise RollbackRefused(
                f"{name} row {row_id} is not what the change log says the run left it "
                "(was the table rebuilt since, its ids started again?)",
                hint="the local side cannot be restored from the log; fix the schedule by hand, "
                "then run `syncer reconcile`",
            )


def _as_left(conn: sa.Connection, tbl: int, row_id: int, log_id: int, present: bool) -> bool:
    """Whether row ``row_id`` is as log row ``log_id`` left it: holding its new image, byte for
    byte, or absent."""
    table = _TABLES[tbl]
    if not present:
        return not _exists(conn, table, row_id)
    log = schema.changes

    def same(column: sa.Column[Any], logged: sa.Column[Any]) -> sa.ColumnElement[bool]:
        return sa.cast(column, sa.LargeBinary).is_(sa.cast(logged, sa.LargeBinary))

    query = sa.select(table.c.id).where(
        table.c.id == row_id,
        log.c.id == log_id,
        same(table.c.date, log.c.new_date),
        same(table.c.rotation, log.c.new_rotation),
        same(table.c.engineer_email, log.c.new_email),
    )
    return conn.execute(query).first() is not None


def _range(conn: sa.Connection, first: int, last: int) -> list[sa.Row[Any]]:
    table = schema.changes
    query = (
        sa.select(*log_columns())
        .where(table.c.id >= first, table.c.id <= last)
        .order_by(table.c.id)
    )
    return list(conn.execute(query))


def _effects(rows: list[sa.Row[Any]]) -> tuple[RowEffect, ...]:
    """Per row touched: its image before the range and after it, as the net undo."""
    before: dict[tuple[int, int], RowImage | None] = {}
    after: dict[tuple[int, int], RowImage | None] = {}
    for row in rows:
        if row.old_id is not None:
            ident = (int(row.tbl), int(row.old_id))
            before.setdefault(ident, image(row.old_date, row.old_rotation, row.old_email))
            after[ident] = None  # gone unless a later image of the same id says otherwise
        if row.new_id is not None and row.op != OP_CONFLICT:
            ident = (int(row.tbl), int(row.new_id))
            before.setdefault(ident, None)
            after[ident] = image(row.new_date, row.new_rotation, row.new_email)
    effects = []
    for (tbl, row_id), old in sorted(before.items()):
        new = after[(tbl, row_id)]
        undo: RowUndo | None = _net_undo(old, new)
        if undo is not None:
            effects.append(RowEffect(TABLE_CODES[tbl], row_id, undo, new, old))
    return tuple(effects)


def _net_undo(old: RowImage | None, new: RowImage | None) -> RowUndo | None:
    if old is None and new is not None:
        return "delete"
    if old is not None and new is None:
        return "restore"
    return "change" if old != new else None


def _undo_row(conn: sa.Connection, row: sa.Row[Any]) -> None:
    table = _TABLES[int(row.tbl)]
    if row.op == OP_INSERT:
        conn.execute(sa.delete(table).where(table.c.id == row.new_id))
    elif row.op == OP_UPDATE:
        conn.execute(sa.update(table).where(table.c.id == row.new_id).values(**_old_values(row)))
    elif row.op == OP_DELETE:
        conn.execute(sa.insert(table).values(**_old_values(row)))
    elif row.op == OP_CONFLICT and not _exists(conn, table, row.old_id):
        # A provisional row: the statement after it really did replace this row (an INSERT OR
        # REPLACE); had it not, the row would still be here once the later changes are undone.
        conn.execute(sa.insert(table).values(**_old_values(row)))


def _old_values(row: sa.Row[Any]) -> dict[str, Any]:
    """The row's old image, copied inside SQLite: the stored value exactly, whatever its type
    or bytes (what was read into Python may be an escaped form of bytes that are not UTF-8)."""
    log = schema.changes

    def old(column: sa.Column[Any]) -> sa.ScalarSelect[Any]:
        return sa.select(column).where(log.c.id == row.id).scalar_subquery()

    return {
        "id": row.old_id,
        "date": old(log.c.old_date),
        "rotation": old(log.c.old_rotation),
        "engineer_email": old(log.c.old_email),
    }


def _exists(conn: sa.Connection, table: sa.Table, row_id: int) -> bool:
    return conn.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is not None
