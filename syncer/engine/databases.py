"""`syncer notion init` and `syncer notion check`: create or verify the two databases."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from syncer.config import Environment, Settings
from syncer.core import Database
from syncer.core.codec import schema_problems, schema_properties
from syncer.core.gateway import Gateway
from syncer.engine.job import Sleep
from syncer.notion.retry import RetryPolicy

TITLES: dict[Database, str] = {"calendar": "CALENDAR", "past": "PAST CALENDAR"}


@dataclass(frozen=True, slots=True)
class CreatedDatabases:
    """The ids of the databases `notion init` created, as config wants them."""

    calendar_database_id: str
    past_calendar_database_id: str


@dataclass(frozen=True, slots=True)
class SchemaReport:
    """Per database: its id and what its schema lacks (empty lists: all good)."""

    problems: dict[Database, list[str]]
    database_ids: dict[Database, str]

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def init_databases(
    settings: Settings, gateway: Gateway, parent_page_id: str, *, prefix: str = ""
) -> CreatedDatabases:
    """Create CALENDAR and PAST CALENDAR under a page, with the schema syncer writes.

    Not retried: a create whose answer was lost may have landed, and a retry would make a
    second database. On an error, look in Notion before running it again.
    """
    schema = schema_properties(settings.properties, settings.rotation_map)
    ids = {
        database: gateway.create_database(parent_page_id, prefix + title, schema)
        for database, title in TITLES.items()
    }
    return CreatedDatabases(ids["calendar"], ids["past"])


def check_databases(
    settings: Settings, env: Environment, gateway: Gateway, *, sleep: Sleep = time.sleep
) -> SchemaReport:
    """Read both databases' schemas (under the configured retries) and list what is wrong."""
    retry = RetryPolicy(settings.retry_waits, sleep)
    ids: dict[Database, str] = {
        "calendar": env.calendar_database_id,
        "past": env.past_calendar_database_id,
    }
    problems: dict[Database, list[str]] = {}
    for database, database_id in ids.items():
        source = retry.call("resolve data source", partial(gateway.data_source_id, database_id))
        schema = retry.call("read schema", partial(gateway.schema, source))
        problems[database] = schema_problems(schema, settings.properties)
    return SchemaReport(problems, ids)
