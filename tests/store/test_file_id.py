"""Each schedule file has its own id (what its Notion databases' claims name), made once."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from syncer.store import Store, downgrade, upgrade

NOW = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)


def file_id(path: Path) -> str:
    with Store.open(path) as store:
        return store.file_id(NOW)


def test_two_files_have_two_ids_and_each_keeps_its_own(tmp_path: Path) -> None:
    """db upgrade makes a 12-hex-digit id per file; reopening or upgrading again keeps it."""
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    upgrade(first)
    upgrade(second)

    made = file_id(first)

    assert re.fullmatch(r"[0-9a-f]{12}", made)
    assert made != file_id(second)
    upgrade(first)
    assert file_id(first) == made


def test_a_file_whose_id_row_was_removed_gets_one_on_first_use(tmp_path: Path) -> None:
    """The row deleted by hand: the next use makes a new id, and keeps it."""
    path = tmp_path / "a.db"
    upgrade(path)
    before = file_id(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM sync_file")
    conn.close()

    after = file_id(path)

    assert re.fullmatch(r"[0-9a-f]{12}", after)
    assert after != before
    assert file_id(path) == after


def test_downgrading_0008_and_upgrading_again_makes_a_new_id(tmp_path: Path) -> None:
    """The id lives in revision 0008's table: applied again, it is another file's id."""
    path = tmp_path / "a.db"
    upgrade(path)
    before = file_id(path)
    downgrade(path, "0007")
    upgrade(path)

    assert file_id(path) != before
