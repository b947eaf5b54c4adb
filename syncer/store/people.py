"""The people cache: Notion users by lower-cased email, and the emails that matched nobody."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from syncer.core import Person
from syncer.core.ids import EnvName
from syncer.store import schema
from syncer.store.times import from_text, to_text


def people(conn: sa.Connection, env: EnvName) -> tuple[dict[str, Person], dt.datetime | None]:
    """The env's cached people by lower-cased email, and when they were fetched (None: never)."""
    table, fetches = schema.people, schema.people_fetches
    rows = conn.execute(sa.select(table).where(table.c.env == env))
    cached = {
        row.email: Person(user_id=row.user_id, name=row.name, email=row.email) for row in rows
    }
    fetched = conn.execute(sa.select(fetches.c.fetched_at).where(fetches.c.env == env)).scalar()
    return cached, None if fetched is None else from_text(fetched)


def unmatched_emails(conn: sa.Connection, env: EnvName) -> frozenset[str]:
    """The emails that matched no person at the env's last ``users.list``."""
    fetches = schema.people_fetches
    text = conn.execute(sa.select(fetches.c.unmatched).where(fetches.c.env == env)).scalar()
    return frozenset(json.loads(text)) if text else frozenset()


def replace_people(
    conn: sa.Connection,
    env: EnvName,
    found: Iterable[Person],
    now: dt.datetime,
    unmatched: Iterable[str] = (),
) -> None:
    """Make ``found`` the env's whole cache, fetched at ``now``, with the emails it lacked."""
    table, fetches = schema.people, schema.people_fetches
    conn.execute(sa.delete(table).where(table.c.env == env))
    by_email = {person.email.lower(): person for person in found}
    values = [
        {"env": env, "email": email, "user_id": person.user_id, "name": person.name}
        for email, person in sorted(by_email.items())
    ]
    if values:
        conn.execute(sa.insert(table), values)
    missing = json.dumps(sorted({email.lower() for email in unmatched}))
    insert = sqlite_insert(fetches).values(env=env, fetched_at=to_text(now), unmatched=missing)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[fetches.c.env],
            set_={"fetched_at": insert.excluded.fetched_at, "unmatched": insert.excluded.unmatched},
        )
    )
