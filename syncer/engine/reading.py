"""Reading Notion completely, or failing: whole databases for reconcile, some keys for a drain.

A failed or partial read raises; it never looks like an empty result. PAST CALENDAR is read in
date windows (:mod:`syncer.core.windows`), each under Notion's 10,000-result query cap, and a
window that still hits the cap is split. A mapped page whose Sync Key did not survive (a move
into the other database may drop values) is still found: by its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

from syncer.core import Database, Key, MappingRecord, RemotePage
from syncer.core.codec import decode, schema_problems
from syncer.core.commit import same_page
from syncer.core.errors import ConfigError, PermanentNotionError, notion_error
from syncer.core.gateway import INCOMPLETE_READ, RawPage
from syncer.core.windows import Window, year_windows
from syncer.engine.job import Job

DATABASES: tuple[Database, ...] = ("calendar", "past")
_KEYS_PER_QUERY = 25  # Sync Key look-ups combined into one query filter


def read_notion(
    job: Job, mapping: Mapping[Key, MappingRecord]
) -> tuple[list[RemotePage], dict[Database, int]]:
    """Every page of both databases, and how many each holds, or an exception."""
    remote: list[RemotePage] = []
    counts: dict[Database, int] = {}
    for database in DATABASES:
        pages = _read_database(job, database, mapping)
        counts[database] = len(pages)
        remote.extend(pages)
    return remote, counts


def _read_database(
    job: Job, database: Database, mapping: Mapping[Key, MappingRecord]
) -> list[RemotePage]:
    names = job.settings.properties
    source = job.retry.call("resolve data source", partial(job.data_source, database))
    schema = job.retry.call("read schema", partial(job.gateway.schema, source))
    problems = schema_problems(schema, names)
    if problems:
        raise ConfigError(
            f"the {database} database ({job.database_id(database)}) does not have the "
            "schema syncer needs: " + "; ".join(problems),
            hint="run `syncer notion check` for the full report, or create the databases "
            "with `syncer notion init`",
        )
    if database == "past":
        pages = _read_in_windows(job, source, _windows(job, mapping))
    else:
        # CALENDAR holds the current week and a few ahead: far below the query cap.
        pages = job.retry.call("query pages", partial(job.gateway.query_pages, source))
    return [_remote(job, database, page) for page in pages]


def _windows(job: Job, mapping: Mapping[Key, MappingRecord]) -> list[Window]:
    """PAST CALENDAR by year, from the oldest year syncer may have written to this one."""
    years = [job.settings.history_start(job.today).year, job.today.year]
    years += [record.key.date.year for record in mapping.values() if record.database == "past"]
    cut = job.settings.retain_since(job.today)
    if cut is not None:
        years.append(cut.year)
    return year_windows(min(years), job.today.year)


def _read_in_windows(job: Job, source: str, windows: list[Window]) -> list[RawPage]:
    date = job.settings.properties.date
    pending = list(windows)
    found: dict[str, RawPage] = {}
    while pending:
        window = pending.pop(0)
        query = partial(job.gateway.query_pages, source, filter=window.filter(date))
        try:
            pages = job.retry.call("query pages", query)
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
            found.setdefault(page.page_id.replace("-", ""), page)
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
    job: Job, keys: Iterable[Key], mapping: Mapping[Key, MappingRecord]
) -> list[RemotePage]:
    """The pages carrying these Sync Keys in both databases, plus each key's mapped page found
    by id when no page carries its key (complete, or an exception)."""
    names = job.settings.properties
    ordered = sorted(keys)
    remote: list[RemotePage] = []
    for database in DATABASES:
        source = job.retry.call("resolve data source", partial(job.data_source, database))
        for start in range(0, len(ordered), _KEYS_PER_QUERY):
            chunk = ordered[start : start + _KEYS_PER_QUERY]
            wanted = [
                {"property": names.sync_key, "rich_text": {"equals": k.sync_key}} for k in chunk
            ]
            query = partial(job.gateway.query_pages, source, filter={"or": wanted})
            remote += [_remote(job, database, page) for page in job.retry.call("query", query)]
    for key in ordered:
        record = mapping.get(key)
        if record is not None and not any(same_page(p.page_id, record.page_id) for p in remote):
            remote += _by_id(job, record.page_id)
    return remote


def _by_id(job: Job, page_id: str) -> list[RemotePage]:
    """The page itself when it is live in one of the two databases (a 404 means it is gone)."""
    try:
        page = job.retry.call("retrieve page", partial(job.gateway.retrieve_page, page_id))
    except PermanentNotionError as exc:
        if exc.code == "object_not_found":
            return []
        raise
    for database in DATABASES:
        if not page.in_trash and same_page(page.data_source_id, job.data_source(database)):
            return [_remote(job, database, page)]
    return []


def _remote(job: Job, database: Database, page: RawPage) -> RemotePage:
    content = decode(page.properties, job.settings.properties)
    return RemotePage(page.page_id, database, content, page.created_time)
