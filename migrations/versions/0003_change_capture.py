"""Change capture: triggers on both schedule tables append to sync_changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Codes (decoded by syncer/store/schema.py and the sync_changes_readable view):
``tbl`` 1 = oncall_schedule, 2 = oncall_schedule_overrides;
``op`` 0 = conflict, 1 = insert, 2 = update, 3 = delete.

Every AFTER trigger is one ``INSERT ... VALUES``: the cheapest thing a trigger can do, because
the app pays for it on every row it writes. Comparisons are NULL-safe (``IS NOT``), and an UPDATE
that changes nothing fires nothing (its ``WHEN`` is false).

``INSERT OR REPLACE`` (and ``UPDATE OR REPLACE``) deletes the rows it conflicts with without
firing delete triggers, unless the writing connection enabled ``recursive_triggers``, which a
foreign app will not have done. So the BEFORE triggers log the image of every existing row the
new row *could* replace as a provisional ``conflict`` row (op 0). Whether the replace happened
shows in the next row of the log: the AFTER INSERT/UPDATE row that took the conflicting id or
(date, rotation). The reader (syncer/store/changes.py) confirms such a conflict as a delete, and
ignores it otherwise (OR IGNORE, ON CONFLICT DO NOTHING/DO UPDATE, a failed statement).
On oncall_schedule only the id can conflict, and only when the statement names an id (BEFORE
INSERT sees ``NEW.id = -1`` for an id SQLite will choose), so the common insert pays nothing.

Triggers never RAISE: the app's write must not fail because of syncer.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TRIGGERS = {
    # ---- oncall_schedule (tbl 1) ----------------------------------------------------------
    "sync_schedule_before_insert": """
CREATE TRIGGER sync_schedule_before_insert BEFORE INSERT ON oncall_schedule
WHEN NEW.id <> -1
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 1, 0, id, date, rotation, engineer_email
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
CREATE TRIGGER sync_schedule_before_update BEFORE UPDATE ON oncall_schedule
WHEN NEW.id IS NOT OLD.id
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 1, 0, id, date, rotation, engineer_email
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
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 2, 0, id, date, rotation, engineer_email
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
CREATE TRIGGER sync_overrides_before_update BEFORE UPDATE ON oncall_schedule_overrides
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.rotation IS NOT OLD.rotation
BEGIN
    INSERT INTO sync_changes (at, tbl, op, old_id, old_date, old_rotation, old_email)
    SELECT julianday(), 2, 0, id, date, rotation, engineer_email
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

READABLE_VIEW = """
CREATE VIEW sync_changes_readable AS
SELECT
    id,
    strftime('%Y-%m-%dT%H:%M:%fZ', at) AS at,
    CASE tbl WHEN 1 THEN 'oncall_schedule' WHEN 2 THEN 'oncall_schedule_overrides' END AS "table",
    CASE op WHEN 0 THEN 'conflict' WHEN 1 THEN 'insert' WHEN 2 THEN 'update' WHEN 3 THEN 'delete' END AS op,
    old_id, old_date, old_rotation, old_email,
    new_id, new_date, new_rotation, new_email
FROM sync_changes
"""


def upgrade() -> None:
    for sql in TRIGGERS.values():
        op.execute(sql)
    op.execute(READABLE_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS sync_changes_readable")
    for name in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
