"""The change log: resolving provisional conflict rows, dirty keys, cursors and compaction.

The triggers (``migrations/versions/0003_change_capture.py``, restated by ``0007``) write one
row per row-change, plus a provisional *conflict* row for each existing row an
``INSERT``/``UPDATE OR REPLACE`` might remove. A conflict is confirmed, and reported as a
delete, when the change logged right after it (same statement, so same transaction) is the
insert or update that took the conflicting row's id, or its (date, rotation) on the overrides
table; otherwise the statement did not replace anything (OR IGNORE, ON CONFLICT DO ..., a
failed statement) and the conflict is dropped. Consecutive conflicts for one row keep only the
newest, so a conflict left behind by an ignored insert cannot be confirmed by a later statement
that logged its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import Change, EnvName, RawKey, RowImage
from syncer.core.errors import StoreError
from syncer.store import schema
from syncer.store.rawtext import as_bytes, decode
from syncer.store.schema import OP_CONFLICT, OP_DELETE, OP_INSERT, OP_UPDATE

_BATCH = 2_000
_OVERRIDES_CODE = 2
_OP_NAMES: dict[int, Literal["insert", "update", "delete"]] = {
    OP_INSERT: "insert",
    OP_UPDATE: "update",
    OP_DELETE: "delete",
}
_ISO_AT = sa.func.strftime("%Y-%m-%dT%H:%M:%fZ", schema.changes.c.at)
# The copies of the schedule's text columns: read as bytes, since they may not be valid UTF-8.
IMAGE_COLUMNS = ("old_date", "old_rotation", "old_email", "new_date", "new_rotation", "new_email")
_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def read_changes(conn: sa.Connection, *, since: int, limit: int | None) -> list[Change]:
    """The resolved changes with ids above ``since``, oldest first, at most ``limit`` of them."""
    return list(iter_changes(conn, since=since, limit=limit))


def iter_changes(conn: sa.Connection, *, since: int, limit: int | None) -> Iterator[Change]:
    """The same, one at a time: a log of any length is read in batches, never held whole."""
    count = 0
    resolver = _Resolver()
    for row in _rows_after(conn, since):
        for change in resolver.feed(row):
            if limit is not None and count >= limit:
                return
            count += 1
            yield change


def _rows_after(conn: sa.Connection, since: int) -> Iterator[sa.Row[Any]]:
    """Log rows above ``since`` in id order, fetched in batches."""
    table = schema.changes
    last = since
    while True:
        query = (
            sa.select(*log_columns(), _ISO_AT.label("at_text"))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        )
        batch: list[sa.Row[Any]] = list(conn.execute(query))
        yield from batch
        if len(batch) < _BATCH:
            return
        last = int(batch[-1].id)


class _Resolver:
    """Turns log rows into changes, confirming or dropping provisional conflict rows."""

    def __init__(self) -> None:
        self._conflicts: dict[int | None, sa.Row[Any]] = {}

    def feed(self, row: sa.Row[Any]) -> list[Change]:
        if row.op == OP_CONFLICT:
            # Keyed by row id: only the newest conflict for a row is the statement's own.
            self._conflicts.pop(row.old_id, None)
            self._conflicts[row.old_id] = row
            return []
        replaced = [c for c in self._conflicts.values() if _replaced_by(c, row)]
        self._conflicts.clear()
        return [_change(c, op="delete") for c in replaced] + [_change(row)]


def _replaced_by(conflict: sa.Row[Any], row: sa.Row[Any]) -> bool:
    """Whether ``row`` (the next change logged) is the write that removed ``conflict``'s row."""
    if conflict.tbl != row.tbl or row.op == OP_DELETE:
        return False
    if row.op == OP_UPDATE and conflict.old_id == row.old_id:
        return False  # an upsert's DO UPDATE: the row was updated, not replaced
    if conflict.old_id == row.new_id:
        return True
    same_key = (conflict.old_date, conflict.old_rotation) == (row.new_date, row.new_rotation)
    return row.tbl == _OVERRIDES_CODE and same_key


def _change(row: sa.Row[Any], op: Literal["insert", "update", "delete"] | None = None) -> Change:
    old = image(row.old_date, row.old_rotation, row.old_email) if row.old_id is not None else None
    new = image(row.new_date, row.new_rotation, row.new_email) if row.new_id is not None else None
    return Change(
        change_id=int(row.id),
        at=str(row.at_text),
        table=schema.TABLE_CODES[int(row.tbl)],
        op=op or _OP_NAMES[int(row.op)],
        old=old,
        new=None if op == "delete" else new,
    )


def log_columns() -> list[sa.ColumnElement[Any]]:
    """Every column of the change log, the row images' as bytes (see ``rawtext``)."""
    table = schema.changes
    return [
        as_bytes(column, column.name) if column.name in IMAGE_COLUMNS else column
        for column in table.columns
    ]


def image(date: bytes | None, rotation: bytes | None, email: bytes | None) -> RowImage:
    """A row image from the log's bytes; NULL reads as "" (bad bytes show as \\xNN)."""
    return RowImage(
        key=RawKey(decode(date).text or "", decode(rotation).text or ""),
        engineer_email=decode(email).text,
    )


def last_change_id(conn: sa.Connection) -> int:
    """The id of the newest change-log row (0 when the log is empty)."""
    value = conn.execute(sa.select(sa.func.max(schema.changes.c.id))).scalar_one()
    return int(value or 0)


def cursor(conn: sa.Connection, env: EnvName) -> int:
    """The last change id the environment has fully applied (0 before its first drain)."""
    table = schema.cursors
    value = conn.execute(sa.select(table.c.change_id).where(table.c.env == env)).scalar()
    return int(value or 0)


def pending(conn: sa.Connection, env: EnvName) -> tuple[int, frozenset[RawKey]]:
    """The newest change id and every key touched by a change after the env's cursor."""
    start = cursor(conn, env)
    last = last_change_id(conn)
    if last < start:
        raise StoreError(
            f"the change log ends at id {last} but environment {env!r} has consumed up to {start}: "
            "the log was truncated or recreated; run `syncer reconcile` to compare everything"
        )
    return last, _dirty_keys(conn, start, last)


def _dirty_keys(conn: sa.Connection, after: int, last: int) -> frozenset[RawKey]:
    # Conflict rows count too: a superset of dirty keys is harmless (drains are level-based).
    table = schema.changes
    window = (table.c.id > after) & (table.c.id <= last)
    old = sa.select(
        as_bytes(table.c.old_date, "date"), as_bytes(table.c.old_rotation, "rotation")
    ).where(window, table.c.old_id.is_not(None))
    new = sa.select(
        as_bytes(table.c.new_date, "date"), as_bytes(table.c.new_rotation, "rotation")
    ).where(window, table.c.new_id.is_not(None))
    rows = conn.execute(sa.union(old, new)).all()
    return frozenset(image(date, rotation, None).key for date, rotation in rows)


def pending_count(conn: sa.Connection, env: EnvName) -> int:
    """How many change-log rows (conflict rows aside) the environment has not consumed."""
    table = schema.changes
    query = sa.select(sa.func.count()).where(
        table.c.id > cursor(conn, env), table.c.op != OP_CONFLICT
    )
    return int(conn.execute(query).scalar_one())


def advance_cursor(conn: sa.Connection, env: EnvName, change_id: int) -> None:
    """Move the environment's cursor forward to ``change_id``; it never moves back."""
    if change_id < 0:
        raise ValueError(f"change ids are never negative: {change_id}")
    insert = sqlite_insert(schema.cursors).values(env=env, change_id=change_id)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[schema.cursors.c.env],
            set_={"change_id": sa.func.max(schema.cursors.c.change_id, insert.excluded.change_id)},
        )
    )


def compact(conn: sa.Connection, *, older_than: dt.datetime, keep_from: int | None = None) -> int:
    """Delete changes every environment with a cursor has consumed, logged before ``older_than``.

    The newest row always stays, so SQLite never hands out an id that was used before; so does
    every change from ``keep_from`` on (what a rollback of a kept run still needs).
    Returns how many rows were deleted.
    """
    table = schema.changes
    consumed = conn.execute(sa.select(sa.func.min(schema.cursors.c.change_id))).scalar()
    if consumed is None:
        return 0
    horizon = min(int(consumed), last_change_id(conn) - 1)
    if keep_from is not None:
        horizon = min(horizon, keep_from - 1)
    cutoff = older_than.timestamp() / 86_400 + _UNIX_EPOCH_JULIAN_DAY
    result = conn.execute(sa.delete(table).where(table.c.id <= horizon, table.c.at < cutoff))
    return int(result.rowcount)
