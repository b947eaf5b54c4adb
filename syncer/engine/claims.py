"""Before a run's first write: the databases must be this schedule file's, or be claimed now.

Each schedule file has an id (``sync_file``); the databases it keeps say so in their
description (:mod:`syncer.core.claims`). A run that is about to write reads the claim from the
metadata cache, which costs no request while the cache holds this file's claim. It reads the
description from Notion itself when the cache names no holder or another file, when the entry
is refreshed (first use, older than ``people_ttl``, a schema change), and before every run
that trashes a page: a trash is what a stale claim would cost most. A database claimed by
another file refuses the run before anything is written; ``--take-over`` takes it on purpose.
"""

from __future__ import annotations

import socket
from functools import partial
from pathlib import Path
from typing import Literal

from loguru import logger

from syncer.core import DATABASES, Database, RunId
from syncer.core.adoption import SchemaChange
from syncer.core.claims import Holder, claimed_description, holder_of
from syncer.core.errors import ClaimedElsewhere, NotionError, notion_error
from syncer.core.gateway import NotionDatabase
from syncer.core.records import SchemaChangeRecord
from syncer.engine.context import Context


def this_file(ctx: Context) -> Holder:
    """This schedule file as a claim names it: its id, on this host at this path."""
    where = f"{socket.gethostname()}:{Path(ctx.store.path).resolve()}"
    return Holder(ctx.store.file_id(ctx.clock()), where)


def ensure_claimed(ctx: Context, run_id: RunId, *, trashes: bool) -> None:
    """Refuse (before any write) when another file keeps a database; claim unclaimed ones.

    Raises:
        ClaimedElsewhere: a database's description names another schedule file, and
            ``--take-over`` was not given.
    """
    me = this_file(ctx)
    for database, found, previous in _unclaimed_or_refused(ctx, me, trashes=trashes):
        _claim(ctx, run_id, database, found, me, previous)


def refuse_if_claimed_elsewhere(ctx: Context) -> None:
    """Raise ClaimedElsewhere when another file keeps a database, claiming nothing: a run the
    guards refuse says first that the databases are not this file's (a --force would not
    help), reading the claims from Notion as a trashing run does."""
    _unclaimed_or_refused(ctx, this_file(ctx), trashes=True)


def _unclaimed_or_refused(
    ctx: Context, me: Holder, *, trashes: bool
) -> list[tuple[Database, NotionDatabase, Holder | None]]:
    """The databases this file must claim (as read, with their holder if any); raises
    ClaimedElsewhere when another file keeps one and ``--take-over`` was not given."""
    to_claim: list[tuple[Database, NotionDatabase, Holder | None]] = []
    foreign: list[tuple[Database, Holder]] = []
    for database in DATABASES:
        entry = ctx.retry.call("resolve data source", partial(ctx.data_source.entry, database))
        fresh = ctx.data_source.refreshed(database)
        if entry.holder == me.file_id and (fresh or not trashes):
            continue
        database_id = ctx.database_id(database)
        found = ctx.data_source.as_read(database) or ctx.retry.call(
            "read database", partial(ctx.gateway.database, database_id)
        )
        holder = holder_of(found.description)
        ctx.data_source.remember_holder(database, holder.file_id if holder else None)
        if holder is not None and holder.file_id == me.file_id:
            continue
        if holder is not None and not ctx.options.take_over:
            foreign.append((database, holder))
            continue
        to_claim.append((database, found, holder))
    if foreign:
        raise _refusal(ctx, foreign)
    return to_claim


def _refusal(ctx: Context, foreign: list[tuple[Database, Holder]]) -> ClaimedElsewhere:
    named = "; ".join(
        f"the {database} database ({ctx.database_id(database)}) is kept by {holder}"
        for database, holder in foreign
    )
    return ClaimedElsewhere(
        f"{named}, not by this schedule file ({ctx.store.path}): nothing was written",
        hint="two schedule files writing the same databases would undo each other's pages; "
        "point this environment at its own databases, or, to move them to this file on "
        "purpose, run drain, reconcile, resync or notion adopt with --take-over (the other "
        "file is refused from then on)",
    )


def _claim(
    ctx: Context,
    run_id: RunId,
    database: Database,
    found: NotionDatabase,
    me: Holder,
    previous: Holder | None,
) -> None:
    """Write this file's marker line into the description (the rest kept), audited."""
    database_id = ctx.database_id(database)
    description = claimed_description(found.description, me.file_id, me.where)
    was = f"taken over from {previous}" if previous else "it was unclaimed"
    change = SchemaChange(
        database, "claim", "description", "rich_text", new_name=me.file_id, reason=was
    )
    try:
        write = partial(ctx.gateway.set_description, database_id, description)
        ctx.retry.call("claim database", write)
    except NotionError as exc:
        _audit(ctx, run_id, change, exc.message)
        if exc.status in (401, 403):
            raise _claim_refused(exc, database) from exc
        raise
    _audit(ctx, run_id, change, None)
    ctx.data_source.remember_holder(database, me.file_id)
    logger.info("database.claimed: the {} database is kept by {} ({})", database, me, was)


def _claim_refused(exc: NotionError, database: Database) -> NotionError:
    """The one error a run stops with when Notion will not let the claim be written."""
    why = (
        "the token is wrong, revoked or expired"
        if exc.status == 401
        else "the token lacks the Update content capability, or edit access to the database"
    )
    return notion_error(
        f"Notion refused to claim the {database} database for this schedule file (its "
        f"description; HTTP {exc.status} {exc.code}: {exc.message}); {why}. "
        "`syncer notion check --write-test` tells which. Nothing was written",
        code=exc.code,
        status=exc.status,
        request_id=exc.request_id,
    )


def _audit(ctx: Context, run_id: RunId, change: SchemaChange, error: str | None) -> None:
    status: Literal["applied", "failed"] = "failed" if error else "applied"
    item = SchemaChangeRecord(run_id, ctx.name, change, status, ctx.clock(), error)
    ctx.store.record_schema_change(item)
