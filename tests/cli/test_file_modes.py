"""Files syncer creates (the schedule file, --log-file) are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from click.testing import CliRunner, Result

from syncer.cli import main


def _syncer(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_upgrade_creates_the_schedule_file_with_mode_0600(tmp_path: Path) -> None:
    """A file `db upgrade` creates holds the schedule's emails: owner only, whatever the umask."""
    db = tmp_path / "oncall.db"
    permissive = os.umask(0)  # a service manager may start syncer with any umask
    try:
        result = _syncer("--db", str(db), "db", "upgrade")
    finally:
        os.umask(permissive)

    assert result.exit_code == 0, result.output
    assert _mode(db) == 0o600
    assert all(_mode(side) == 0o600 for side in tmp_path.glob("oncall.db-*"))


def test_db_upgrade_leaves_the_mode_of_an_existing_file_alone(tmp_path: Path) -> None:
    """The app's own file keeps the mode its owner gave it (it may be shared with a group)."""
    db = tmp_path / "oncall.db"
    db.touch()
    db.chmod(0o640)

    result = _syncer("--db", str(db), "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert _mode(db) == 0o640


def test_a_new_log_file_is_created_with_mode_0600(tmp_path: Path) -> None:
    """--log-file creates the log owner-only; an existing log keeps its mode."""
    new_log, old_log = tmp_path / "new.log", tmp_path / "old.log"
    old_log.touch()
    old_log.chmod(0o644)
    db = tmp_path / "oncall.db"

    for log in (new_log, old_log):
        result = _syncer("--db", str(db), "--log-file", str(log), "-v", "db", "upgrade")
        assert result.exit_code == 0, result.output

    assert _mode(new_log) == 0o600
    assert _mode(old_log) == 0o644
