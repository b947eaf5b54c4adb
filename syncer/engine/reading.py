"""Reading Notion completely, or failing: whole databases for reconcile, some keys for a drain.

A failed or partial read raises; it never looks like an empty result. PAST CALENDAR is read in
date windows (:mod:`syncer.core.windows`), each under Notion's 10,000-result query cap, and a
window that still hits the cap is split. A mapped page whose Sync Key did not survive (a move
into the other database may drop values) is still found: by its id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TypeVar

from syncer.core import DATABASES, Database, DataSourceId, Key, MappingRecord, PageId, RemotePage
from syncer.core.codec import Codec, schema_problems, schema_properties
from syncer.core.errors import ConfigError, PermanentNotionError, notion_error
from syncer.core.gateway import INCOMPLETE_READ, JSON, RawPage
from syncer.core.windows import Window, year_windows
from syncer.engine.context import Context, schema_moved

T = TypeVar("T")

_KEYS_PER_QUERY = 25  # Sync Key look-ups combined into one query filter


def read_notion(
    ctx: Context, mapping: Mapping[Key, MappingRecord]
) -> tuple[list[RemotePage], dict[Database, int]]:
    """Every page of both databases, and how many each holds, or an exception."""
    remote: list[RemotePage] = []
    counts: dict[Database, int] = {}
    for database in DATABASES:
        pages = _read_database(ctx, database, mapping)
        counts[database] = len(pages)
        remote.extend(pages)
    return remote, counts


def _read_database(
    ctx: Context, database: Database, mapping: Mapping[Key, MappingRecord]
) -> list[RemotePage]:
    return _with_fresh_schema(ctx, database, partial(_read_whole, ctx, database, mapping))


class SchemaMoved(Exception):
    """A page read does not have the cached schema's properties: it changed in Notion."""


def _with_fresh_schema(ctx: Context, database: Database, read: Callable[[], T]) -> T:
    """``read`` under the cached schema; when Notion says (or a page shows) that the schema
    changed since, read the metadata again and ``read`` once more: the pages are never
    interpreted with a stale schema."""
    try:
        return read()
    except (SchemaMoved, PermanentNotionError) as exc:
        if isinstance(exc, PermanentNotionError) and not schema_moved(exc):
            raise
        if ctx.data_source.refreshed(database):
            if isinstance(exc, SchemaMoved):
                raise _unreadable(ctx, database, str(exc)) from exc
            raise
    ctx.retry.call("resolve data source", partial(ctx.data_source.refresh, database))
    require_schema(ctx, database)
    try:
        return read()
    except SchemaMoved as exc:
        raise _unreadable(ctx, database, str(exc)) from exc


def _unreadable(ctx: Context, database: Database, why: str) -> ConfigError:
    return ConfigError(
        f"the {database} database ({ctx.database_id(database)}) changed while it was read "
        f"({why}): nothing was changed",
        hint="run the command again; if it keeps failing, `syncer notion check`",
    )


def _check_pages(ctx: Context, database: Database, pages: list[RawPage]) -> list[RawPage]:
    """Every page has syncer's properties with the cached schema's types, or SchemaMoved
    (a property renamed by hand would otherwise read as a page without it)."""
    schema = ctx.data_source.schema(database)
    wanted = {
        name: (schema.get(name) or {}).get("type")
        for name in schema_properties(ctx.settings.properties, ctx.rotations)
    }
    for page in pages:
        for name, kind in wanted.items():
            if (page.properties.get(name) or {}).get("type") != kind:
                raise SchemaMoved(f"a page has no {kind} property {name!r}")
    return pages


def _read_whole(
    ctx: Context, database: Database, mapping: Mapping[Key, MappingRecord]
) -> list[RemotePage]:
    names = ctx.settings.properties
    source = ctx.retry.call("resolve data source", partial(ctx.data_source, database))
    require_schema(ctx, database)
    pages = _read_pages(ctx, database, source, names.date, _windows(ctx, mapping))
    return [ctx.codec.remote(page, database) for page in _check_pages(ctx, database, pages)]


def require_schema(ctx: Context, database: Database) -> None:
    """Refuse (ConfigError, nothing written) when the schema lacks what syncer writes."""
    schema = ctx.retry.call("read schema", partial(ctx.data_source.schema, database))
    problems = schema_problems(schema, ctx.settings.properties)
    if problems:
        raise ConfigError(
            f"the {database} database ({ctx.database_id(database)}) does not have the "
            "schema syncer needs: " + "; ".join(problems),
            hint="run `syncer notion check` for the full report, or create the databases "
            "with `syncer notion init`; after `syncer notion adopt`, add the lines it printed "
            "to syncer.toml",
        )


def read_as_found(
    ctx: Context, codecs: Mapping[Database, Codec], schemas: Mapping[Database, JSON]
) -> list[RemotePage]:
    """Every page of both databases, each read with its own database's names and its schema
    unchecked: what another tool left there (`notion adopt` reads them before it changes the
    schema). Complete, or an exception."""
    remote: list[RemotePage] = []
    for database in DATABASES:
        codec = codecs[database]
        source = ctx.retry.call("resolve data source", partial(ctx.data_source, database))
        date = codec.names.date
        dated = (schemas[database].get(date) or {}).get("type") == "date"
        # The first window is open-ended: pages from before syncer's history are read too.
        windows = _windows(ctx, {}) if dated else [Window(undated=True)]
        pages = _read_pages(ctx, database, source, date if dated else None, windows)
        remote += [codec.remote(page, database) for page in pages]
    return remote


def _read_pages(
    ctx: Context,
    database: Database,
    source: DataSourceId,
    date: str | None,
    windows: list[Window],
) -> list[RawPage]:
    """A database's pages: PAST CALENDAR in date windows (under the result cap), CALENDAR (the
    current week and a few ahead, far below the cap) and any database with no date property to
    window by in one query."""
    if database == "past" and date is not None:
        return _read_in_windows(ctx, source, date, windows)
    return ctx.retry.call("query pages", partial(ctx.gateway.query_pages, source))


def _windows(ctx: Context, mapping: Mapping[Key, MappingRecord]) -> list[Window]:
    """PAST CALENDAR by year, from the oldest year syncer may have written to this one; years
    share a query while the pages syncer knows in them are few."""
    known = Counter(
        record.key.date.year for record in mapping.values() if record.database == "past"
    )
    years = [ctx.settings.history_start(ctx.today).year, ctx.today.year, *known]
    cut = ctx.settings.retain_since(ctx.today)
    if cut is not None:
        years.append(cut.year)
    # Knowing no page (a new file, a resync, another tool's pages): a window a year, as before.
    return year_windows(min(years), ctx.today.year, known or None)


def _read_in_windows(
    ctx: Context, source: DataSourceId, date: str, windows: list[Window]
) -> list[RawPage]:
    pending = list(windows)
    found: dict[PageId, RawPage] = {}
    while pending:
        window = pending.pop(0)
        query = partial(ctx.gateway.query_pages, source, filter=window.filter(date))
        try:
            pages = ctx.retry.call("query pages", query)
        except PermanentNotionError as exc:
            if exc.code != INCOMPLETE_READ:
                raise
            halves = window.halves()
            if halves is None:
                raise _capped(window) from exc
            pending[:0] = halves  # read the two halves next, instead
            continue
        for page in pages:
            # A page on a window's edge is listed once, whatever Notion's date comparison does.
            found.setdefault(page.page_id, page)
    return list(found.values())


def _capped(window: Window) -> PermanentNotionError:
    error = notion_error(
        f"PAST CALENDAR holds more pages {window} than one Notion query returns (10,000); "
        "the read would be incomplete, so nothing was changed",
        code=INCOMPLETE_READ,
    )
    assert isinstance(error, PermanentNotionError)
    return error


def read_keys(
    ctx: Context, keys: Iterable[Key], mapping: Mapping[Key, MappingRecord]
) -> list[RemotePage]:
    """The pages carrying these Sync Keys in both databases, plus each key's mapped page found
    by id when no page carries its key (complete, or an exception)."""
    names = ctx.settings.properties
    ordered = sorted(keys)
    remote: list[RemotePage] = []
    for database in DATABASES:
        remote += _with_fresh_schema(
            ctx, database, partial(_read_some, ctx, database, ordered, names.sync_key)
        )
    for key in ordered:
        record = mapping.get(key)
        if record is not None and not any(p.page_id == record.page_id for p in remote):
            remote += _by_id(ctx, record.page_id)
    return remote


def _read_some(
    ctx: Context, database: Database, ordered: list[Key], sync_key: str
) -> list[RemotePage]:
    source = ctx.retry.call("resolve data source", partial(ctx.data_source, database))
    require_schema(ctx, database)
    remote: list[RemotePage] = []
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        chunk = ordered[start : start + _KEYS_PER_QUERY]
        wanted = [{"property": sync_key, "rich_text": {"equals": k.sync_key}} for k in chunk]
        query = partial(ctx.gateway.query_pages, source, filter={"or": wanted})
        pages = _check_pages(ctx, database, ctx.retry.call("query", query))
        remote += [ctx.codec.remote(page, database) for page in pages]
    return remote


def _by_id(ctx: Context, page_id: PageId) -> list[RemotePage]:
    """The page itself when it is live in one of the two databases (a 404 means it is gone)."""
    try:
        page = ctx.retry.call("retrieve page", partial(ctx.gateway.retrieve_page, page_id))
    except PermanentNotionError as exc:
        if exc.code == "object_not_found":
            return []
        raise
    for database in DATABASES:
        if not page.in_trash and page.data_source_id == ctx.data_source(database):
            return [ctx.codec.remote(page, database)]
    return []
