"""`syncer notion adopt`: take over the databases another tool filled, in one audited run.

1. Read both databases' schemas and plan what they must become (:mod:`syncer.core.adoption`):
   syncer's properties added, conflicting ones renamed out of the way, the title kept.
2. Read every page of both, each with its own database's names, before anything changes.
3. Plan the pages (:func:`syncer.core.planner.plan_adoption`): each shift's oldest page is
   kept (its id, comments and links with it), made equal to what syncer would write and filed
   where it belongs; its other pages are trashed as duplicates; pages that stand for no shift
   with rows are left alone, and listed with the reason.
4. A dry run stops there. Otherwise, under the lock and as one run of kind ``adopt``: the
   schema changes are made (each audited), then the page plan is applied with syncer's new
   names, through the same executor as every sync.

The dry run and the run share this one code path: what ``--dry-run`` shows is what is done.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from syncer.core import (
    DATABASES,
    AdoptPage,
    Database,
    Key,
    MappingRecord,
    PageContent,
    PageId,
    Plan,
)
from syncer.core.adoption import SchemaChange, SchemaPlan, config_lines, plan_schema
from syncer.core.codec import Codec, PropertyNames, schema_properties
from syncer.core.content import RemotePage
from syncer.core.gateway import JSON
from syncer.core.kinds import TitleShows
from syncer.core.planner import plan_adoption
from syncer.core.records import SchemaChangeRecord
from syncer.engine.claims import ensure_claimed
from syncer.engine.context import Context
from syncer.engine.executor import Executor
from syncer.engine.lock import locked
from syncer.engine.reading import read_as_found
from syncer.engine.runs import Run, RunResult, recorded_run
from syncer.engine.sync import (
    desired_contents,
    execute,
    judged,
    project_rows,
    refuse_unless_forced,
)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A page the adoption leaves alone, and why."""

    page_id: PageId
    database: Database
    why: str


@dataclass
class Adoption:
    """What `notion adopt` found and planned (and, unless a dry run, did)."""

    schema: SchemaPlan
    plan: Plan
    unmatched: tuple[Unmatched, ...]
    title_shows: TitleShows
    run: RunResult | None = None  # None: a dry run
    kept: dict[Key, PageId] = field(default_factory=dict)
    config_needed: bool = True  # False: syncer.toml already names what the adoption leaves

    @property
    def nothing_to_do(self) -> bool:
        """Whether both databases are syncer's already: no schema change, no page to take."""
        return not self.schema.changes and not self.plan.actions

    def config_lines(self) -> list[str]:
        """The `syncer.toml` lines the databases need once adopted, when the configuration
        does not say so already (empty: it does, or the names are syncer's defaults)."""
        if not self.config_needed:
            return []
        lines = config_lines(self.schema.names)
        if self.title_shows == "engineer":
            lines += [*([""] if lines else []), "[pages]", 'title = "engineer"']
        return lines


def adopt(
    ctx: Context, *, dry_run: bool = False, chosen: Mapping[str, str] | None = None
) -> Adoption:
    """Plan the takeover of both configured databases and, unless ``dry_run``, carry it out.

    Args:
        chosen: field -> property name (``--property``), overriding the names syncer picks.

    Raises:
        ConfigError: a chosen name is not a field, or two properties would share a name.
        LockHeld: another sync of this environment is running.
        PlanRefused: the guards refuse the page plan (nothing was written).
    """
    ctx.store.check_integrity()
    if dry_run:
        return _plan(ctx, chosen or {})
    with locked(ctx):
        adoption = _plan(ctx, chosen or {})
        if adoption.nothing_to_do:  # adopted already: no run to record, none to roll back
            adoption.run = RunResult("adopt", ctx.name, None, "succeeded", adoption.plan)
        else:
            adoption.run = _apply(ctx, adoption)
        return adoption


def _plan(ctx: Context, chosen: Mapping[str, str]) -> Adoption:
    schemas = {database: _schema(ctx, database) for database in DATABASES}
    types = {
        db: {name: prop.get("type", "") for name, prop in s.items()} for db, s in schemas.items()
    }
    schema = plan_schema(types, ctx.settings.properties, chosen)
    shows = _title_shows(schema.names, ctx)
    # Each database's pages read with its own title's name; syncer's other properties under
    # the names they will have (one that does not exist yet reads as empty).
    codecs = {
        db: Codec(
            dataclasses.replace(schema.names, name=_title(types[db]) or schema.names.name),
            ctx.rotations,
            ctx.settings.tz,
        )
        for db in DATABASES
    }
    remote = read_as_found(ctx, codecs, schemas)
    target = _adopted(ctx, schema.names, shows)
    projection = project_rows(target, ctx.store.all_rows())
    desired = desired_contents(target, projection)
    mapping = ctx.store.mappings(ctx.name)
    the_plan = plan_adoption(desired, mapping, remote, target.calendar, projection.blocked)
    the_plan = judged(target, the_plan, mapping, remote_counts=None)
    unmatched = _unmatched(remote, mapping, desired, projection.blocked)
    kept = {a.key: a.page_id for a in the_plan.actions if isinstance(a, AdoptPage)}
    configured = (ctx.settings.properties, ctx.settings.title_shows)
    needed = (schema.names, shows) != configured
    return Adoption(schema, the_plan, unmatched, shows, kept=kept, config_needed=needed)


def _schema(ctx: Context, database: Database) -> JSON:
    source = ctx.retry.call("resolve data source", partial(ctx.data_source, database))
    return ctx.retry.call("read schema", partial(ctx.gateway.schema, source))


def _title(types: Mapping[str, str]) -> str | None:
    return next((name for name, kind in types.items() if kind == "title"), None)


def _title_shows(names: PropertyNames, ctx: Context) -> TitleShows:
    """A title named after the final engineer (as the scheduler app's own sync keeps it) shows
    the engineer alone; any other keeps what syncer is configured to show."""
    engineer = {PropertyNames().final, ctx.settings.properties.final}
    return "engineer" if names.name in engineer else ctx.settings.title_shows


def _adopted(ctx: Context, names: PropertyNames, shows: TitleShows) -> Context:
    """The engine as it will be configured once the databases are adopted."""
    settings = dataclasses.replace(ctx.settings, properties=names, title_shows=shows)
    return dataclasses.replace(ctx, settings=settings)


def _unmatched(
    remote: Iterable[RemotePage],
    mapping: Mapping[Key, MappingRecord],
    desired: Mapping[Key, PageContent],
    blocked: Iterable[Key],
) -> tuple[Unmatched, ...]:
    """The pages without a Sync Key the adoption leaves alone, each with its reason."""
    mapped = {record.page_id for record in mapping.values()}
    bad = set(blocked)
    found: list[Unmatched] = []
    for page in remote:
        if page.content is not None or page.page_id in mapped:
            continue  # syncer's, by Sync Key or mapping: the reconcile's to look after
        if page.shift is None:
            why = "no Date and Rotation syncer can read: not a shift's page"
        elif page.shift in bad:
            why = f"{page.shift}: its schedule rows are bad (see `syncer status`)"
        elif page.shift not in desired:
            why = f"{page.shift}: no schedule or override row for this shift"
        else:
            continue
        found.append(Unmatched(page.page_id, page.database, why))
    return tuple(sorted(found, key=lambda u: (u.database, u.why, u.page_id)))


def _apply(ctx: Context, adoption: Adoption) -> RunResult:
    target = _adopted(ctx, adoption.schema.names, adoption.title_shows)
    mapping = ctx.store.mappings(ctx.name)
    with recorded_run(target, "adopt") as run:
        run.result.plan = adoption.plan
        refuse_unless_forced(target, adoption.plan)
        if adoption.schema.changes:
            # Before the first write, the schema's included; adopting takes trashes for granted.
            ensure_claimed(target, run.run_id, trashes=True)
            _change_schemas(target, run, adoption.schema)
            target.data_source.forget()  # the cached schemas are the old ones now
        outcome = execute(run, Executor(target, run.run_id, mapping), adoption.plan)
        run.finish(outcome)
        target.options.stop.check()
    return run.result


def _change_schemas(ctx: Context, run: Run, schema: SchemaPlan) -> None:
    """Rename what is in the way (one property a request: a rename chain must stay in order),
    then add syncer's properties (one request a database); each change is audited."""
    config = schema_properties(schema.names, ctx.rotations)
    for database in DATABASES:
        changes = schema.for_database(database)
        renames = [c for c in changes if c.kind == "rename"]
        adds = [c for c in changes if c.kind == "add"]
        for change in renames:
            body = {change.name: {"name": change.new_name}}
            _schema_call(ctx, run, database, body, [change])
        if adds:
            _schema_call(ctx, run, database, {c.name: config[c.name] for c in adds}, adds)


def _schema_call(
    ctx: Context, run: Run, database: Database, body: JSON, changes: list[SchemaChange]
) -> None:
    source = ctx.data_source(database)
    try:
        ctx.retry.call("change schema", partial(ctx.gateway.update_schema, source, body))
    except Exception as exc:
        for change in changes:
            _record(ctx, run, change, "failed", str(exc))
        raise
    for change in changes:
        _record(ctx, run, change, "applied", None)


def _record(
    ctx: Context,
    run: Run,
    change: SchemaChange,
    status: Literal["applied", "failed"],
    error: str | None,
) -> None:
    item = SchemaChangeRecord(run.run_id, ctx.name, change, status, ctx.clock(), error)
    ctx.store.record_schema_change(item)
