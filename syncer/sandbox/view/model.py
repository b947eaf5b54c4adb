"""The workspace as the view reads it: the admin dump (Notion's own JSON shapes), indexed.

The view is a client of the API's shapes, not of the sandbox's internal records, so it shows
what an integration would read. Pages keep their creation order; trashed pages are kept too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
PAST = "PAST CALENDAR"
NOTION_COLOURS = ("blue", "green", "purple", "orange", "pink", "brown", "red", "yellow", "gray")
CALENDAR = "CALENDAR"


def plain(items: object) -> str:
    """The plain text of a rich-text array (or "" for anything else)."""
    if not isinstance(items, list):
        return ""
    return "".join(str(item.get("plain_text", "")) for item in items if isinstance(item, dict))


@dataclass(frozen=True, slots=True)
class Person:
    """A user as a people value shows it: a name, and an email when the viewer may read it."""

    id: str
    name: str
    email: str | None

    @classmethod
    def from_api(cls, user: Record, known: dict[str, Record]) -> Person:
        """From a user object; a partial one (``{object, id}``) is completed from ``known``."""
        full = user if "name" in user else known.get(str(user.get("id")), user)
        email = (full.get("person") or {}).get("email")
        return cls(str(full.get("id")), str(full.get("name") or full.get("id")), email)


@dataclass(frozen=True, slots=True)
class Database:
    """A database: its title, parent page, trash flag and data sources."""

    id: str
    title: str
    parent: str
    in_trash: bool
    source_ids: tuple[str, ...]

    @property
    def is_calendar(self) -> bool:
        """Titled like syncer's CALENDAR (any prefix), and not its PAST CALENDAR."""
        title = self.title.strip().upper()
        return title.endswith(CALENDAR) and not title.endswith(PAST)

    def past_title(self) -> str:
        """The title its PAST CALENDAR twin has: the same prefix."""
        return self.title.strip()[: -len(CALENDAR)] + PAST


@dataclass(frozen=True, slots=True)
class Source:
    """A data source and its schema (property name -> ``{id, type, <type>: config}``)."""

    id: str
    database_id: str
    schema: dict[str, Record]

    def property_of(self, kind: str, *hints: str) -> str | None:
        """The first property of type ``kind`` whose name holds every hint (any case)."""
        for name, prop in self.schema.items():
            if prop.get("type") == kind and all(h in name.lower() for h in hints):
                return name
        return None

    def colour_of(self, name: str | None, option: Record | None) -> str:
        """A select option's Notion colour; options left at "default" get one by position, so
        that AM, Core and PM differ as they would once someone picked colours."""
        option = option or {}
        if option.get("color") not in (None, "default"):
            return str(option["color"])
        config = self.schema.get(name or "", {}).get("select", {})
        names = [o.get("name") for o in config.get("options", [])]
        index = names.index(option.get("name")) if option.get("name") in names else len(names)
        return NOTION_COLOURS[index % len(NOTION_COLOURS)]

    def date_property(self) -> str | None:
        """The property a calendar is laid out by: "Date" if it is a date, else the first."""
        if (self.schema.get("Date") or {}).get("type") == "date":
            return "Date"
        return self.property_of("date")


@dataclass(slots=True)
class Snapshot:
    """Users, databases, data sources and pages (by data source) from one dump."""

    users: dict[str, Record] = field(default_factory=dict)
    databases: list[Database] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    pages: dict[str, list[Record]] = field(default_factory=dict)

    @classmethod
    def from_dump(cls, dump: Record) -> Snapshot:
        """Index ``GET /_sandbox/dump``'s document."""
        snap = cls(users={u["id"]: u for u in dump.get("users", [])})
        for db in dump.get("databases", []):
            sources = tuple(s["id"] for s in db.get("data_sources", []))
            parent = db.get("parent", {}).get("page_id", "")
            snap.databases.append(
                Database(db["id"], plain(db.get("title")), parent, db["in_trash"], sources)
            )
        for source in dump.get("data_sources", []):
            database_id = source["parent"]["database_id"]
            snap.sources[source["id"]] = Source(source["id"], database_id, source["properties"])
        for page in dump.get("pages", []):
            source_id = page.get("parent", {}).get("data_source_id")
            if source_id:
                snap.pages.setdefault(source_id, []).append(page)
        return snap

    def database(self, database_id: str | None) -> Database | None:
        """The database with this id (dashes optional), or None."""
        wanted = (database_id or "").replace("-", "")
        return next((d for d in self.databases if d.id.replace("-", "") == wanted), None)

    def live_databases(self) -> list[Database]:
        return [db for db in self.databases if not db.in_trash]

    def calendars(self) -> list[tuple[Database, Database | None]]:
        """Each CALENDAR with its PAST CALENDAR twin (same prefix and parent), oldest first."""
        live = self.live_databases()
        pairs = []
        for db in (d for d in live if d.is_calendar):
            past = db.past_title().upper()
            twins = [d for d in live if d.title.strip().upper() == past and d.parent == db.parent]
            pairs.append((db, twins[-1] if twins else None))
        return pairs

    def pages_of(self, db: Database) -> list[tuple[Source, Record]]:
        """Every page of every data source of ``db``, trashed ones included."""
        return [
            (self.sources[sid], page)
            for sid in db.source_ids
            if sid in self.sources
            for page in self.pages.get(sid, [])
        ]

    def people(self, value: object) -> list[Person]:
        """A people property's value as persons."""
        if not isinstance(value, list):
            return []
        return [Person.from_api(user, self.users) for user in value if isinstance(user, dict)]


def value_of(page: Record, name: str | None) -> Any:
    """The value of property ``name`` of ``page`` (its type's field), or None."""
    prop = page.get("properties", {}).get(name) if name else None
    return None if prop is None else prop.get(prop.get("type", ""))
