"""A foreign process writes while this one consumes, in WAL mode: nothing lost or read twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from syncer.core import EnvName
from syncer.store import Store

WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    for i in range(400):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, 'AM', ?)",
            (f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"e{i}@x"),
        )
        if i % 3 == 0:
            conn.execute(
                "UPDATE oncall_schedule SET engineer_email = 'u@x' WHERE id = ?", (i // 2 + 1,)
            )
        if i % 5 == 0:
            conn.execute(
                "INSERT OR REPLACE INTO oncall_schedule_overrides (date, rotation, engineer_email) "
                "VALUES (?, 'PM', ?)", (f"2026-01-{1 + i % 7:02d}", f"o{i}@x"),
            )
        conn.execute("COMMIT")
    conn.close()
    """
)

PROD = EnvName("prod")


def test_concurrent_writer_and_consumer(db_path: Path) -> None:
    """Every change a concurrent writer commits is consumed exactly once, in order."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)])
    consumed: list[int] = []
    with Store.open(db_path) as store:
        while True:
            finished = writer.poll() is not None  # read before draining: the last pass sees all
            cursor = store.cursor(PROD)
            last, _keys = store.pending(PROD)
            consumed += [c.change_id for c in store.changes(since=cursor) if c.change_id <= last]
            store.advance_cursor(PROD, last)
            if finished:
                break
        assert writer.returncode == 0
        everything = [c.change_id for c in store.changes()]
    assert consumed == everything
    assert len(everything) > 400
