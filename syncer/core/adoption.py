"""Taking over databases another tool filled: what their schema must become. [core]

`syncer notion adopt` reads both databases' schemas and plans, per database, the properties to
add (syncer's schema) and the ones to rename first, when a property syncer needs by name has
another type. Type conflicts are never converted: values stay in the renamed property.

The rules, in order:

- **The title stays where it is.** Every database has one title property; syncer writes its
  title into it, under the name it already has (``Final Engineer``, say, where the scheduler
  app's own sync keeps the engineer's name). PAST CALENDAR's title is renamed to CALENDAR's
  when they differ: the two databases share one set of names.
- **A property syncer needs that another one's name already holds, with another type, is
  renamed out of the way** to ``<name> (<its type>)`` (``Orig. Engineer (text)``), and
  syncer's property is created under the name; when that name is the title's, syncer's
  property takes ``<name> (<syncer's type>)`` instead (``Final Engineer (person)``).
- **Chosen names win**: ``--property FIELD=NAME`` names syncer's property for a field; a
  property of that name with the right type is used as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from syncer.core.codec import PropertyNames
from syncer.core.errors import ConfigError
from syncer.core.kinds import Database

Schema: TypeAlias = Mapping[str, str]
"""A database's properties: name -> Notion type."""

SchemaChangeKind: TypeAlias = Literal["add", "rename", "claim"]

# How a type reads in a renamed property's name: "Orig. Engineer (text)".
TYPE_WORDS: dict[str, str] = {
    "title": "title",
    "rich_text": "text",
    "people": "person",
    "date": "date",
    "select": "option",
    "multi_select": "options",
    "email": "email",
    "number": "number",
    "checkbox": "checkbox",
    "url": "link",
    "formula": "formula",
}


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One change to a database's schema: a property added, or one renamed out of the way."""

    database: Database
    kind: SchemaChangeKind
    name: str  # the property added, or the one renamed
    type: str  # its Notion type
    new_name: str | None = None  # where a renamed property goes
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SchemaPlan:
    """The names syncer's properties have once the changes are made, and the changes."""

    names: PropertyNames
    changes: tuple[SchemaChange, ...]

    def for_database(self, database: Database) -> tuple[SchemaChange, ...]:
        return tuple(change for change in self.changes if change.database == database)


def plan_schema(
    schemas: Mapping[Database, Schema],
    names: PropertyNames,
    chosen: Mapping[str, str] | None = None,
) -> SchemaPlan:
    """What both databases' schemas must become for syncer to write them.

    Args:
        schemas: each database's properties (name -> type), as read.
        names: the property names syncer is configured with.
        chosen: field -> property name, given with ``--property`` (they win).

    Raises:
        ConfigError: a chosen name is not a field, or two fields would share a name.
    """
    picked = dict(chosen or {})
    unknown = sorted(set(picked) - set(PropertyNames.field_names()))
    if unknown:
        known = ", ".join(PropertyNames.field_names())
        raise ConfigError(f"--property {unknown[0]}=...: no such field", hint=f"fields: {known}")
    target = _target_names(schemas, names, picked)
    changes = tuple(
        change
        for database, schema in schemas.items()
        for change in _changes(database, schema, target)
    )
    return SchemaPlan(target, changes)


def _target_names(
    schemas: Mapping[Database, Schema], names: PropertyNames, picked: Mapping[str, str]
) -> PropertyNames:
    """syncer's names after the takeover: the title where it is, conflicts with it avoided."""
    first = schemas.get("calendar") or next(iter(schemas.values()), {})
    title = picked.get("name") or _title_of(first) or names.name
    values = {"name": title}
    types = dict(zip(PropertyNames.field_names(), names.types().values(), strict=True))
    for field in PropertyNames.field_names():
        if field == "name":
            continue
        wanted = picked.get(field) or getattr(names, field)
        if wanted == title and field not in picked:
            wanted = f"{wanted} ({TYPE_WORDS.get(types[field], types[field])})"
        values[field] = wanted
    target = dataclasses.replace(names, **values)
    if len(set(target.types())) != len(values):
        raise ConfigError(
            "two of syncer's properties would share a name",
            hint="choose other names with --property FIELD=NAME",
        )
    return target


def _title_of(schema: Schema) -> str | None:
    return next((name for name, kind in schema.items() if kind == "title"), None)


def _changes(database: Database, schema: Schema, target: PropertyNames) -> list[SchemaChange]:
    """The renames (made first) and the additions that give one database syncer's schema."""
    names = dict(schema)
    renames: list[SchemaChange] = []
    adds: list[SchemaChange] = []
    wanted = target.types()
    title = _title_of(schema)
    if title is not None and title != target.name:
        if target.name in names:
            renames.append(_out_of_the_way(database, target.name, names, wanted))
        renames.append(
            SchemaChange(database, "rename", title, "title", target.name, "the two share names")
        )
        names[target.name] = names.pop(title)
    for name, kind in wanted.items():
        if kind == "title" or names.get(name) == kind:
            continue
        if name in names:
            renames.append(_out_of_the_way(database, name, names, wanted))
        adds.append(SchemaChange(database, "add", name, kind, reason="syncer writes it"))
        names[name] = kind
    return renames + adds


def _out_of_the_way(
    database: Database, name: str, names: dict[str, str], wanted: Mapping[str, str]
) -> SchemaChange:
    """Rename the property holding ``name`` to ``<name> (<its type>)`` (numbered if taken)."""
    kind = names.pop(name)
    base = f"{name} ({TYPE_WORDS.get(kind, kind)})"
    new_name, n = base, 2
    while new_name in names or new_name in wanted:
        new_name, n = f"{base} {n}", n + 1
    names[new_name] = kind
    reason = f"syncer needs {name!r} as {wanted[name]}; its {kind} values stay here"
    return SchemaChange(database, "rename", name, kind, new_name, reason)


def config_lines(names: PropertyNames) -> list[str]:
    """The ``syncer.toml`` lines these names need: a ``[properties]`` table of every name that
    is not syncer's default (empty when they all are)."""
    default = PropertyNames()
    changed = [
        f'{field} = "{getattr(names, field)}"'
        for field in PropertyNames.field_names()
        if getattr(names, field) != getattr(default, field)
    ]
    return ["[properties]", *changed] if changed else []
