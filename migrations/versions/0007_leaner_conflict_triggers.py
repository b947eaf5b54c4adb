"""Leaner conflict triggers: the four BEFORE triggers cost the app less, and log the same rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

What an app's write pays for change capture was measured by counting instructions
(``bench/trigger_overhead.py``, ``docs/benchmarks.md``). Most of it is SQLite's own price for
having any trigger at all, which no trigger text can lower: every statement that can fire a
trigger opens a statement journal (a copy of each page it touches, so that a failing statement
can be undone), and every trigger that fires allocates a frame for its program, once per
statement, even when its ``WHEN`` is false. Two things in the BEFORE triggers of 0003 cost
more than they had to, and this revision changes only those:

* An ``INSERT ... SELECT`` whose column list is not the table's own columns in order makes
  SQLite run the SELECT into registers of its own and copy each value across. Naming every
  column from ``id`` on (``id`` as NULL, so SQLite still chooses it) lets the SELECT write the
  new row's registers directly: a smaller frame for a trigger that fires on every insert.
* ``BEFORE UPDATE OF <columns>`` is left out of a statement that sets none of the columns, when
  the statement is compiled, so it costs nothing per row: the app's upsert (``DO UPDATE SET
  engineer_email = ...``) no longer fires the BEFORE UPDATE trigger for each updated row. The
  list names the columns whose change can make an ``UPDATE OR REPLACE`` remove another row (the
  id, and on the overrides their unique key), plus ``rowid``, ``oid`` and ``_rowid_``: an UPDATE
  can set the id through any of these aliases, and SQLite matches the list by name.

The rows logged are the same as 0003's, field for field, in the same order (the codes and the
reader, ``syncer/store/changes.py``, are unchanged). The six AFTER triggers are 0003's, restated
here because this revision's ``TRIGGERS`` is where ``syncer.store.migrate`` re-creates missing
triggers from. Triggers never RAISE.

Known limits, as in 0003: BEFORE INSERT reads ``NEW.id = -1`` both for an id SQLite will
choose and for an explicit -1, so a REPLACE naming id -1 on the schedule goes unseen (checking
for a row -1 on every insert would cost as much as this revision saves). And the schedule's
conflicts are looked up by id only, since revision 0001's table has no unique key: on the
upstream app's own DDL, which gives it a unique (date, rotation) index, a REPLACE over a key
removes the old row unseen (``tests/store/test_capture.py`` pins this as an expected failure).
Looking the key up on every insert would scan the whole table wherever that index is missing.

The upgrade and the downgrade replace only triggers the file has: one that an app's table
rebuild dropped stays missing, so that ``syncer db upgrade`` re-creates it and says so (changes
made meanwhile were not captured). Neither touches ``sync_changes``: pending changes keep their
ids.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TRIGGERS = {
    # ---- oncall_schedule (tbl 1) ----------------------------------------------------------
    "sync_schedule_before_insert": """
CREATE TRIGGER sync_schedule_before_insert BEFORE INSERT ON oncall_schedule
WHEN NEW.id <> -1
BEGIN
    INSERT INTO sync_changes (id, at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT NULL, julianday(), 1, 0, id, date, rotation, engineer_email
    FROM oncall_schedule WHERE id = NEW.id;
END
""",
    "sync_schedule_after_insert": """
CREATE TRIGGER sync_schedule_after_insert AFTER INSERT ON oncall_schedule
BEGIN
    INSERT INTO sync_changes (at, tbl, op, new_id, new_date, new_rotation, new_email)
    VALUES (julianday(), 1, 1, NEW.id, NEW.date, NEW.rotation, NEW.engineer_email);
END
""",
    "sync_schedule_before_update": """
CREATE TRIGGER sync_schedule_before_update BEFORE UPDATE OF id, rowid, oid, _rowid_ ON oncall_schedule
WHEN NEW.id IS NOT OLD.id
BEGIN
    INSERT INTO sync_changes (id, at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT NULL, julianday(), 1, 0, id, date, rotation, engineer_email
    FROM oncall_schedule WHERE id = NEW.id;
END
""",
    "sync_schedule_after_update": """
CREATE TRIGGER sync_schedule_after_update AFTER UPDATE ON oncall_schedule
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.rotation IS NOT OLD.rotation
    OR NEW.engineer_email IS NOT OLD.engineer_email
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email, new_id, new_date, new_rotation, new_email)
    VALUES (julianday(), 1, 2, OLD.id, OLD.date, OLD.rotation, OLD.engineer_email, NEW.id, NEW.date, NEW.rotation, NEW.engineer_email);
END
""",
    "sync_schedule_after_delete": """
CREATE TRIGGER sync_schedule_after_delete AFTER DELETE ON oncall_schedule
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    VALUES (julianday(), 1, 3, OLD.id, OLD.date, OLD.rotation, OLD.engineer_email);
END
""",
    # ---- oncall_schedule_overrides (tbl 2): the id or the unique (date, rotation) --------
    "sync_overrides_before_insert": """
CREATE TRIGGER sync_overrides_before_insert BEFORE INSERT ON oncall_schedule_overrides
BEGIN
    INSERT INTO sync_changes (id, at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT NULL, julianday(), 2, 0, id, date, rotation, engineer_email
    FROM oncall_schedule_overrides
    WHERE id = NEW.id OR (date = NEW.date AND rotation = NEW.rotation);
END
""",
    "sync_overrides_after_insert": """
CREATE TRIGGER sync_overrides_after_insert AFTER INSERT ON oncall_schedule_overrides
BEGIN
    INSERT INTO sync_changes (at, tbl, op, new_id, new_date, new_rotation, new_email)
    VALUES (julianday(), 2, 1, NEW.id, NEW.date, NEW.rotation, NEW.engineer_email);
END
""",
    "sync_overrides_before_update": """
CREATE TRIGGER sync_overrides_before_update BEFORE UPDATE OF id, date, rotation, rowid, oid, _rowid_ ON oncall_schedule_overrides
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.rotation IS NOT OLD.rotation
BEGIN
    INSERT INTO sync_changes (id, at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT NULL, julianday(), 2, 0, id, date, rotation, engineer_email
    FROM oncall_schedule_overrides
    WHERE (id = NEW.id OR (date = NEW.date AND rotation = NEW.rotation)) AND id <> OLD.id;
END
""",
    "sync_overrides_after_update": """
CREATE TRIGGER sync_overrides_after_update AFTER UPDATE ON oncall_schedule_overrides
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.rotation IS NOT OLD.rotation
    OR NEW.engineer_email IS NOT OLD.engineer_email
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email, new_id, new_date, new_rotation, new_email)
    VALUES (julianday(), 2, 2, OLD.id, OLD.date, OLD.rotation, OLD.engineer_email, NEW.id, NEW.date, NEW.rotation, NEW.engineer_email);
END
""",
    "sync_overrides_after_delete": """
CREATE TRIGGER sync_overrides_after_delete AFTER DELETE ON oncall_schedule_overrides
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    VALUES (julianday(), 2, 3, OLD.id, OLD.date, OLD.rotation, OLD.engineer_email);
END
""",
}

# The four triggers as revision 0003 created them, for the downgrade.
PREVIOUS = {
    "sync_schedule_before_insert": """
CREATE TRIGGER sync_schedule_before_insert BEFORE INSERT ON oncall_schedule
WHEN NEW.id <> -1
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 1, 0, id, date, rotation, engineer_email
    FROM oncall_schedule WHERE id = NEW.id;
END
""",
    "sync_schedule_before_update": """
CREATE TRIGGER sync_schedule_before_update BEFORE UPDATE ON oncall_schedule
WHEN NEW.id IS NOT OLD.id
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 1, 0, id, date, rotation, engineer_email
    FROM oncall_schedule WHERE id = NEW.id;
END
""",
    "sync_overrides_before_insert": """
CREATE TRIGGER sync_overrides_before_insert BEFORE INSERT ON oncall_schedule_overrides
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 2, 0, id, date, rotation, engineer_email
    FROM oncall_schedule_overrides
    WHERE id = NEW.id OR (date = NEW.date AND rotation = NEW.rotation);
END
""",
    "sync_overrides_before_update": """
CREATE TRIGGER sync_overrides_before_update BEFORE UPDATE ON oncall_schedule_overrides
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.rotation IS NOT OLD.rotation
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 2, 0, id, date, rotation, engineer_email
    FROM oncall_schedule_overrides
    WHERE (id = NEW.id OR (date = NEW.date AND rotation = NEW.rotation)) AND id <> OLD.id;
END
""",
}


def upgrade() -> None:
    _replace({name: TRIGGERS[name] for name in PREVIOUS})


def downgrade() -> None:
    _replace(PREVIOUS)


def _replace(triggers: dict[str, str]) -> None:
    """Drop and re-create each trigger the file has; leave missing ones to ``db upgrade``."""
    present = {
        row[0]
        for row in op.get_bind().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    for name, sql in triggers.items():
        if name in present:
            op.execute(f"DROP TRIGGER {name}")
            op.execute(sql)
