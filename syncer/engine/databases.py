"""`syncer notion init` and `syncer notion check`: create or verify the two databases.

``check`` also says what the token may do (the capabilities it can tell without writing) and
which Notion-Version syncer speaks; ``--write-test`` (:mod:`syncer.engine.preflight`) finds out
the rest by writing one scratch page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

from syncer.config import Environment, Settings
from syncer.core import Database
from syncer.core.codec import schema_problems, schema_properties
from syncer.core.errors import PermanentNotionError
from syncer.core.gateway import Gateway, NotionUser
from syncer.core.kinds import CAPABILITIES, Capability, CapabilityState
from syncer.engine.options import Sleep
from syncer.notion.client import NOTION_VERSION
from syncer.notion.retry import RetryPolicy

TITLES: dict[Database, str] = {"calendar": "CALENDAR", "past": "PAST CALENDAR"}
# Without these syncer cannot sync at all; without the user ones it writes emails as text.
NEEDED: frozenset[Capability] = frozenset({"read_content", "insert_content", "update_content"})


@dataclass(frozen=True, slots=True)
class CreatedDatabases:
    """The ids of the databases `notion init` created, as config wants them."""

    calendar_database_id: str
    past_calendar_database_id: str


@dataclass(frozen=True, slots=True)
class SchemaReport:
    """Per database: its id and what its schema lacks (empty lists: all good); what the token
    may do, as far as reading can tell; and the Notion-Version syncer sends."""

    problems: dict[Database, list[str]]
    database_ids: dict[Database, str]
    capabilities: dict[Capability, CapabilityState] = field(default_factory=dict)
    notion_version: str = NOTION_VERSION

    @property
    def ok(self) -> bool:
        missing = {c for c, state in self.capabilities.items() if state == "missing"}
        return not any(self.problems.values()) and not missing & NEEDED


def init_databases(
    settings: Settings, gateway: Gateway, parent_page_id: str, *, prefix: str = ""
) -> CreatedDatabases:
    """Create CALENDAR and PAST CALENDAR under a page, with the schema syncer writes.

    Not retried: a create whose answer was lost may have landed, and a retry would make a
    second database. On an error, look in Notion before running it again.
    """
    schema = schema_properties(settings.properties, settings.rotations)
    ids = {
        database: gateway.create_database(parent_page_id, prefix + title, schema)
        for database, title in TITLES.items()
    }
    return CreatedDatabases(ids["calendar"], ids["past"])


def check_databases(
    settings: Settings, env: Environment, gateway: Gateway, *, sleep: Sleep = time.sleep
) -> SchemaReport:
    """Read both databases' schemas and the workspace's users (under the configured retries);
    list what is wrong and what the token may do."""
    retry = RetryPolicy(settings.retry_waits, sleep)
    ids: dict[Database, str] = {
        "calendar": env.calendar_database_id,
        "past": env.past_calendar_database_id,
    }
    problems: dict[Database, list[str]] = {}
    for database, database_id in ids.items():
        problems[database] = _database_problems(settings, gateway, retry, database, database_id)
    capabilities: dict[Capability, CapabilityState] = dict.fromkeys(CAPABILITIES, "unchecked")
    readable = not any(p.startswith(_UNREADABLE) for found in problems.values() for p in found)
    capabilities["read_content"] = "present" if readable else "unknown"
    capabilities.update(user_capabilities(gateway, retry))
    return SchemaReport(problems, ids, capabilities)


_UNREADABLE = "cannot read it"


def _database_problems(
    settings: Settings, gateway: Gateway, retry: RetryPolicy, database: Database, database_id: str
) -> list[str]:
    """What is wrong with one database: unreadable (named, with the key to check), or its schema."""
    try:
        source = retry.call("resolve data source", partial(gateway.data_source_id, database_id))
        schema = retry.call("read schema", partial(gateway.schema, source))
    except PermanentNotionError as exc:
        if exc.code not in ("object_not_found", "validation_error", "restricted_resource"):
            raise
        key = "calendar_database_id" if database == "calendar" else "past_calendar_database_id"
        return [f"{_UNREADABLE} ({exc.code}): share it with the integration, or check {key}"]
    return schema_problems(schema, settings.properties)


def user_capabilities(gateway: Gateway, retry: RetryPolicy) -> dict[Capability, CapabilityState]:
    """Whether the token may list users, and see their emails (one ``users.list``)."""
    return user_states(list_users(gateway, retry))


def list_users(gateway: Gateway, retry: RetryPolicy) -> list[NotionUser] | None:
    """Every user of the workspace, or None when the token may not read user information."""
    try:
        return retry.call("users.list", gateway.list_users)
    except PermanentNotionError as exc:
        if exc.code != "restricted_resource":
            raise
        return None


def user_states(users: list[NotionUser] | None) -> dict[Capability, CapabilityState]:
    """What a ``users.list`` answer (None: refused) says about the user capabilities."""
    if users is None:
        return {"read_users": "missing", "read_user_emails": "missing"}
    persons = [user for user in users if user.kind == "person"]
    emails: CapabilityState = "unknown"  # no person to see an email of
    if persons:
        emails = "present" if any(user.email for user in persons) else "missing"
    return {"read_users": "present", "read_user_emails": emails}
