"""Whether the schedule tables can be trusted: ``PRAGMA quick_check`` and unreadable keys.

A damaged b-tree page does not always make SQLite fail: zeroed cells read back as rows with
no id, date or rotation while the rows they held vanish, and a reconcile of that would trash
the vanished rows' pages. So every run that plans checks the two schedule tables first (about
10 ms for 50,000 rows; see ``docs/reliability.md``), and a row whose key is NULL, which the
tables' NOT NULL columns rule out, is refused the same way.
"""

from __future__ import annotations

import shlex

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from syncer.core.errors import DatabaseCorrupt, DatabaseNotReady
from syncer.store.schema import OVERRIDES_TABLE, SCHEDULE_TABLE

_SHOWN = 3  # quick_check lists up to 100 problems; the first few say enough


def check_schedule(conn: sa.Connection) -> None:
    """Raise DatabaseCorrupt when ``PRAGMA quick_check`` finds damage in a schedule table.

    quick_check skips what integrity_check adds (index contents against their tables) and
    reads each page of the table and its indexes once: linear in the table, like a reconcile's
    own read of it.
    """
    for table in (SCHEDULE_TABLE, OVERRIDES_TABLE):
        _require_table(conn, table)
        try:
            found = [str(text) for (text,) in conn.exec_driver_sql(f"PRAGMA quick_check({table})")]
        except sa_exc.DBAPIError as exc:  # too damaged to be checked at all
            found = [str(exc.orig)]
        if found != ["ok"]:
            lines = [line for text in found for line in text.splitlines() if "***" not in line]
            shown = "; ".join(lines[:_SHOWN]) + ("; ..." if len(lines) > _SHOWN else "")
            raise damaged(conn, f"PRAGMA quick_check({table}) reports {shown}")


def _require_table(conn: sa.Connection, table: str) -> None:
    """A schedule table that is missing is not damage: the app drops and re-creates them (its
    reset task), and a run that comes in between is refused until the table is back."""
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).first()
    if found is None:
        raise DatabaseNotReady(
            f"the schedule table {table} is missing from {conn.engine.url.database} (is the app "
            "rebuilding it?)",
            hint="run again once the app has re-created it; `syncer db upgrade` creates an "
            "empty one",
        )


def unreadable_key(conn: sa.Connection, table: str, row_id: int, column: str) -> DatabaseCorrupt:
    """The refusal for a schedule row whose date or rotation is NULL."""
    return damaged(
        conn,
        f"row {row_id} of {table} has no {column} (a damaged page, or a writer that broke the "
        "rule that every row has a date and a rotation)",
    )


def damaged(conn: sa.Connection, problem: str) -> DatabaseCorrupt:
    path = str(conn.engine.url.database)
    quoted = shlex.quote(path)
    return DatabaseCorrupt(
        f"the schedule file {path} is damaged: {problem}; syncer plans nothing from it until "
        "it is repaired",
        hint=f"restore {quoted} from a backup, or rebuild it with `sqlite3 {quoted} .recover "
        f"| sqlite3 recovered.db` and put recovered.db in its place once its schedule looks "
        "right; then run `syncer reconcile` for each environment",
    )
