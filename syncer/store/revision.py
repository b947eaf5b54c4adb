"""The schema revision syncer expects and the triggers that capture changes: plain constants.

Kept apart from :mod:`syncer.store.migrate` (which imports SQLAlchemy) so that the quick look
of an idle drain (:mod:`syncer.store.quick`) can check them with the standard library alone.
A test pins both to what the migration scripts say.
"""

from __future__ import annotations

HEAD = "0008"  # the newest revision in migrations/versions
CAPTURE_REVISION = "0007"  # the revision whose TRIGGERS capture every schedule change
CAPTURE_TRIGGERS = frozenset(
    f"sync_{table}_{when}"
    for table in ("schedule", "overrides")
    for when in (
        "before_insert",
        "after_insert",
        "before_update",
        "after_update",
        "after_delete",
    )
)
