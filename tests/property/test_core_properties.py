"""Properties of the pure core: codec round trip, DST-correct dates, idempotent planning.

The planning properties run plans against ``SimNotion``, a dict-backed Notion that stores each
page's property JSON (as the codec writes it) and applies every action kind as its docstring in
``syncer.core`` says. Drift (duplicates, hand edits, hand trashing, orphans, foreign pages) is
made by editing that JSON, the way a person in the Notion app would.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from syncer.config import DEFAULT_ROTATIONS
from syncer.core import (
    Database,
    DataSourceId,
    Key,
    MappingRecord,
    PageContent,
    PageId,
    Person,
    Plan,
    RawKey,
    RemotePage,
    Rotations,
    RotationWindow,
    SourceRow,
    Table,
    UpdatePage,
)
from syncer.core.codec import JSON, Codec, PropertyNames, content_for
from syncer.core.commit import UNKNOWN_DIGEST
from syncer.core.gateway import RawPage
from syncer.core.planner import Calendar, plan_changes, plan_reconcile
from syncer.core.projection import project, week_start

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
ROTATIONS = Rotations(
    (
        RotationWindow("AM", dt.time(9), dt.time(12)),
        RotationWindow("Core", dt.time(12), dt.time(18)),
        RotationWindow("PM", dt.time(18), dt.time(21)),
    )
)
NAMES = PropertyNames()
CODEC = Codec(NAMES, DEFAULT_ROTATIONS, dt.UTC)


def codec(tz: dt.tzinfo) -> Codec:
    """The codec writing dates in ``tz``."""
    return Codec(NAMES, DEFAULT_ROTATIONS, tz)


EMAILS = [f"{name}@example.com" for name in ("ann", "ben", "cat", "dan", "eve", "fay")]

# ---------------------------------------------------------------------------------------------
# Strategies


def people_directory() -> st.SearchStrategy[dict[str, Person]]:
    """Some of the engineers mapped to Notion users, with arbitrary display names."""
    names = st.text(min_size=0, max_size=20)
    return st.dictionaries(st.sampled_from(EMAILS), names, max_size=len(EMAILS)).map(
        lambda found: {
            email: Person(f"user-{email.split('@')[0]}", name, email)
            for email, name in found.items()
        }
    )


def cased(email: str) -> st.SearchStrategy[str]:
    """An email as an app or admin might type it: any letter case, stray spaces."""
    return st.tuples(
        st.lists(st.booleans(), min_size=len(email), max_size=len(email)), st.booleans()
    ).map(
        lambda t: (
            ("  " if t[1] else "")
            + "".join(c.upper() if up else c for c, up in zip(email, t[0], strict=True))
        )
    )


@st.composite
def source_rows(draw: st.DrawFn, around: dt.date, weeks: int = 6) -> list[SourceRow]:
    """Schedule and override rows for dates within a few weeks of ``around``, a few malformed."""
    rows: list[SourceRow] = []
    days = st.integers(-7 * weeks, 7 * 3).map(lambda d: around + dt.timedelta(days=d))
    keys = draw(
        st.lists(st.tuples(days, st.sampled_from(ROTATIONS.names)), max_size=24, unique=True)
    )
    email = st.sampled_from(EMAILS).flatmap(cased)
    for date, rotation in keys:
        has_schedule, has_override = draw(
            st.sampled_from([(True, False), (True, True), (False, True)])
        )
        tables: list[tuple[Table, bool]] = [("schedule", has_schedule), ("override", has_override)]
        for table, present in tables:
            if present:
                bad = draw(st.integers(0, 20)) == 0  # now and then a malformed email
                address = draw(st.sampled_from(["", "nobody"])) if bad else draw(email)
                rows.append(
                    SourceRow(table, len(rows) + 1, RawKey(date.isoformat(), rotation), address)
                )
    return rows


@st.composite
def shifts_and_people(draw: st.DrawFn) -> tuple[PageContent, ZoneInfo]:
    """A page's content as content_for makes it, from a random shift and directory."""
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2037, 12, 31)))
    rows = draw(source_rows(day, weeks=0))
    people = draw(people_directory())
    projection = project(rows, rotations=ROTATIONS, tz=tz)
    assume(projection.shifts)
    shift = draw(st.sampled_from(sorted(projection.shifts.values(), key=lambda s: s.key)))
    return content_for(shift, people), tz


# ---------------------------------------------------------------------------------------------
# Codec round trip


@given(shifts_and_people())
def test_decode_inverts_encode(case: tuple[PageContent, ZoneInfo]) -> None:
    """A page written from any shift reads back as exactly the same canonical content."""
    content, tz = case
    assert CODEC.decode(codec(tz).encode(content)) == content


@given(shifts_and_people())
def test_written_page_has_the_same_digest_when_read_back(
    case: tuple[PageContent, ZoneInfo],
) -> None:
    """An untouched page never looks changed: its read-back digest equals the pushed one."""
    content, tz = case
    decoded = CODEC.decode(codec(tz).encode(content))
    assert decoded is not None
    assert decoded.digest == content.digest


# ---------------------------------------------------------------------------------------------
# DST: an independent oracle from each zone's published rules (valid 2008-2037).


def nth_sunday(year: int, month: int, n: int) -> dt.date:
    """The n-th Sunday of a month; n = -1 for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def expected_offset(zone: str, day: dt.date) -> dt.timedelta:
    """The UTC offset in force during daytime hours (09:00-21:00) on ``day``."""
    y = day.year
    hours: float
    if zone == "Europe/London":  # BST from the last Sunday of March to the last of October
        hours = 1 if nth_sunday(y, 3, -1) <= day < nth_sunday(y, 10, -1) else 0
    elif zone == "America/New_York":  # EDT from the 2nd Sunday of March to the 1st of November
        hours = -4 if nth_sunday(y, 3, 2) <= day < nth_sunday(y, 11, 1) else -5
    elif zone == "Australia/Sydney":  # AEDT from the 1st Sunday of October to the 1st of April
        hours = 10 if nth_sunday(y, 4, 1) <= day < nth_sunday(y, 10, 1) else 11
    elif zone == "Asia/Kolkata":
        hours = 5.5
    else:
        hours = 0
    return dt.timedelta(hours=hours)


@given(
    st.sampled_from(ZONES),
    st.dates(dt.date(2008, 1, 1), dt.date(2037, 12, 31)),
    st.sampled_from(ROTATIONS.names),
)
def test_written_dates_carry_the_offset_of_that_day(zone: str, day: dt.date, rotation: str) -> None:
    """Date start/end show the rotation's wall-clock hours with the UTC offset valid that day."""
    tz = ZoneInfo(zone)
    rows = [SourceRow("schedule", 1, RawKey(day.isoformat(), rotation), EMAILS[0])]
    shift = project(rows, rotations=ROTATIONS, tz=tz).shifts[Key(day, rotation)]
    written = codec(tz).encode(content_for(shift, {}))["Date"]["date"]
    window = ROTATIONS.window(Key(day, rotation))
    for text, wall in ((written["start"], window.start), (written["end"], window.end)):
        stamp = dt.datetime.fromisoformat(text)
        assert (stamp.date(), stamp.time()) == (day, wall)
        assert stamp.utcoffset() == expected_offset(zone, day)


def test_dst_oracle_knows_the_2024_switch_dates() -> None:
    """The oracle itself matches the published 2024 switch dates."""
    assert nth_sunday(2024, 3, -1) == dt.date(2024, 3, 31)
    assert nth_sunday(2024, 10, -1) == dt.date(2024, 10, 27)
    assert nth_sunday(2024, 3, 2) == dt.date(2024, 3, 10)
    assert nth_sunday(2024, 11, 1) == dt.date(2024, 11, 3)
    assert nth_sunday(2024, 4, 1) == dt.date(2024, 4, 7)
    assert nth_sunday(2024, 10, 1) == dt.date(2024, 10, 6)


# ---------------------------------------------------------------------------------------------
# A simulated Notion


@dataclasses.dataclass
class SimPage:
    database: Database
    properties: JSON
    in_trash: bool = False
    created: int = 0


@dataclasses.dataclass
class SimNotion:
    """Both databases of one environment plus syncer's page mapping."""

    tz: ZoneInfo
    pages: dict[PageId, SimPage] = dataclasses.field(default_factory=dict)
    mapping: dict[Key, MappingRecord] = dataclasses.field(default_factory=dict)

    def add(self, database: Database, properties: JSON) -> PageId:
        page_id = PageId(f"page-{len(self.pages) + 1}")
        self.pages[page_id] = SimPage(database, properties, created=len(self.pages) + 1)
        return page_id

    def listing(self) -> list[RemotePage]:
        """A complete read of both databases (as the engine reads it, through the codec):
        trashed pages are not listed."""
        source = DataSourceId("sim")
        return [
            codec(self.tz).remote(
                RawPage(pid, source, False, p.properties, f"{p.created:08d}"), p.database
            )
            for pid, p in self.pages.items()
            if not p.in_trash
        ]

    def live(self, page_id: PageId) -> SimPage:
        page = self.pages[page_id]
        assert not page.in_trash, f"write to trashed page {page_id}"
        return page

    def _remember(
        self, key: Key, database: Database, page_id: PageId, c: PageContent | None
    ) -> None:
        digest = c.digest if c is not None else UNKNOWN_DIGEST
        self.mapping[key] = MappingRecord(key, database, page_id, digest)

    def apply(self, plan: Plan) -> None:
        """Apply every action as its docstring says; assert each one is applicable."""
        for a in plan.actions:
            if a.kind == "create":
                page_id = self.add(a.database, codec(self.tz).encode(a.content))
                self._remember(a.key, a.database, page_id, a.content)
            elif a.kind == "update":
                page = self.live(a.page_id)
                assert page.database == a.database, a
                page.properties = codec(self.tz).encode(a.content)
                self._remember(a.key, a.database, a.page_id, a.content)
            elif a.kind == "trash":
                page = self.pages[a.page_id]  # in_trash: true on a trashed page is accepted
                assert page.database == a.database, a
                page.in_trash = True
                record = self.mapping.get(a.key)
                if record is not None and record.page_id == a.page_id:
                    del self.mapping[a.key]
            elif a.kind == "restore":
                page = self.pages[a.page_id]
                assert page.database == a.database, a
                page.in_trash = False
                page.properties = codec(self.tz).encode(a.content)
                self._remember(a.key, a.database, a.page_id, a.content)
            elif a.kind == "move":
                page = self.live(a.page_id)
                assert page.database == a.source, a
                page.database = a.target
                record = self.mapping[a.key]
                assert record.page_id == a.page_id, a
                self.mapping[a.key] = dataclasses.replace(record, database=a.target)
            elif a.kind == "adopt":
                assert self.live(a.page_id).database == a.database, a
                self._remember(a.key, a.database, a.page_id, a.content)
            elif a.kind == "forget":
                assert self.mapping[a.key].page_id == a.page_id, a
                del self.mapping[a.key]
            else:
                assert a.kind == "skip", a


@dataclasses.dataclass(frozen=True)
class World:
    """What the planner sees: desired contents, blocked keys and the calendar."""

    desired: dict[Key, PageContent]
    blocked: frozenset[Key]
    calendar: Calendar


def world(rows: list[SourceRow], people: dict[str, Person], tz: ZoneInfo, cal: Calendar) -> World:
    projection = project(rows, rotations=ROTATIONS, tz=tz)
    desired = {key: content_for(s, people) for key, s in projection.shifts.items()}
    return World(desired, projection.blocked, cal)


def drain(sim: SimNotion, w: World) -> Plan:
    """Plan a drain of every key syncer knows about (blocked keys are not handed to it)."""
    keys = (set(w.desired) | set(sim.mapping)) - w.blocked
    return plan_changes({k: w.desired.get(k) for k in keys}, sim.mapping, w.calendar)


def reconcile(sim: SimNotion, w: World) -> Plan:
    return plan_reconcile(w.desired, sim.mapping, sim.listing(), w.calendar, w.blocked)


@st.composite
def edited(draw: st.DrawFn, rows: list[SourceRow], around: dt.date) -> list[SourceRow]:
    """The rows after a regeneration and some admin edits: rows kept, dropped, changed, added."""
    result: list[SourceRow] = []
    for row in rows:
        fate = draw(st.sampled_from(["keep", "keep", "drop", "change"]))
        if fate == "change":
            row = dataclasses.replace(row, engineer_email=draw(st.sampled_from(EMAILS)))
        if fate != "drop":
            result.append(row)
    taken = {(r.key, r.table) for r in result}
    added = draw(source_rows(around))
    return result + [r for r in added if (r.key, r.table) not in taken]


@st.composite
def scenario(draw: st.DrawFn) -> tuple[SimNotion, World, World]:
    """A Notion drained at some earlier date, then local edits and the passage of time."""
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    then = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    later = then + dt.timedelta(days=draw(st.integers(0, 21)))
    history_since = week_start(then) - dt.timedelta(weeks=draw(st.integers(0, 4)))
    people = draw(people_directory())
    rows = draw(source_rows(then))
    before = world(rows, people, tz, Calendar(week_start(then), history_since))
    sim = SimNotion(tz)
    sim.apply(drain(sim, before))
    rows_after = draw(edited(rows, then)) if draw(st.booleans()) else rows
    people_after = draw(people_directory()) if draw(st.booleans()) else people
    after = world(rows_after, people_after, tz, Calendar(week_start(later), history_since))
    return sim, before, after


# Drift: what people do in the Notion app.

MISSING = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
KINDS = ["duplicate", "edit", "trash", "orphan", "foreign", "unkeyed", "move", "forget"]


def drift(draw: st.DrawFn, sim: SimNotion, around: dt.date) -> None:
    """Random hand changes: duplicates, edits, trashing, orphans, foreign pages, pages another
    tool made (no Sync Key), moves."""
    live = sorted(pid for pid, p in sim.pages.items() if not p.in_trash)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "orphan" or not live:
            day = around + dt.timedelta(days=draw(st.integers(-42, 21)))
            key = Key(day, draw(st.sampled_from(ROTATIONS.names)))
            orphan = PageContent(key, "made by hand", MISSING, MISSING, key.rotation)
            sim.add(draw(st.sampled_from(["calendar", "past"])), codec(sim.tz).encode(orphan))
            continue
        # Each page drifts once: a page moved and then trashed by hand cannot be read back.
        page_id = draw(st.sampled_from(live))
        live.remove(page_id)
        page = sim.pages[page_id]
        if kind == "duplicate":
            sim.add(draw(st.sampled_from(["calendar", "past"])), copy.deepcopy(page.properties))
        elif kind == "edit":
            hand_edit(draw, page.properties)
        elif kind == "trash":
            page.in_trash = True
        elif kind == "foreign":
            sim.add(page.database, {NAMES.name: {"title": [{"text": {"content": "notes"}}]}})
        elif kind == "unkeyed":  # a copy another tool made: same Date and Rotation, no Sync Key
            made = copy.deepcopy(page.properties)
            made[NAMES.sync_key] = {"rich_text": []}
            sim.add(draw(st.sampled_from(["calendar", "past"])), made)
        elif kind == "move":  # dragged into the other database
            page.database = "past" if page.database == "calendar" else "calendar"
        elif kind == "forget":  # the mapping lost a record (restored from an old backup)
            for key, record in list(sim.mapping.items()):
                if record.page_id == page_id:
                    del sim.mapping[key]


def hand_edit(draw: st.DrawFn, properties: JSON) -> None:
    """Change one property the way the Notion app would (never the Sync Key)."""
    field = draw(
        st.sampled_from(
            [NAMES.name, NAMES.date, NAMES.rotation, NAMES.orig, NAMES.final, NAMES.final_email]
        )
    )
    if field == NAMES.name:
        properties[field] = {"title": [{"text": {"content": "renamed by hand"}}]}
    elif field == NAMES.date:
        properties[field] = {"date": {"start": "2024-01-01T00:00:00+00:00", "end": None}}
    elif field == NAMES.rotation:
        properties[field] = {"select": None}
    elif field in (NAMES.orig, NAMES.final):
        properties[field] = {"people": [{"object": "user", "id": "user-intruder"}]}
    else:
        properties[field] = {"rich_text": [{"text": {"content": "Intruder@Example.com"}}]}


@st.composite
def drifted_scenario(draw: st.DrawFn) -> tuple[SimNotion, World, World]:
    sim, before, after = draw(scenario())
    drift(draw, sim, before.calendar.week_start)
    return sim, before, after


# ---------------------------------------------------------------------------------------------
# Planning properties


def writes(plan: Plan) -> list[Any]:
    return list(plan.writes)


def completes_history(action: Any) -> bool:
    """A write that gives a history page the people it was written without (same emails)."""
    return (
        isinstance(action, UpdatePage)
        and action.database == "past"
        and action.content.fills_in_people(action.before)
    )


@given(scenario())
def test_drain_then_drain_again_sends_nothing(case: tuple[SimNotion, World, World]) -> None:
    """After a drain is applied, planning the same schedule again has no writes; a reconcile
    has none either, but for history pages it completes with people found since."""
    sim, _, after = case
    sim.apply(drain(sim, after))
    assert writes(drain(sim, after)) == []
    assert [w for w in writes(reconcile(sim, after)) if not completes_history(w)] == []


@given(drifted_scenario())
def test_one_reconcile_repairs_all_drift(case: tuple[SimNotion, World, World]) -> None:
    """Duplicates, hand edits, trashed and orphan pages are all repaired by one reconcile."""
    sim, _, after = case
    sim.apply(reconcile(sim, after))
    assert writes(reconcile(sim, after)) == []
    assert writes(drain(sim, after)) == []
    assert_notion_matches(sim, after)


def assert_notion_matches(sim: SimNotion, w: World) -> None:
    """One live page per key with rows; current-week pages equal the desired content."""
    by_key: dict[Key, list[tuple[PageId, SimPage, PageContent]]] = {}
    for pid, page in sim.pages.items():
        content = CODEC.decode(page.properties)
        if page.in_trash or content is None:
            continue
        assert isinstance(content.key, Key), "the simulation writes only syncer's own Sync Keys"
        by_key.setdefault(content.key, []).append((pid, page, content))
    for key, found in by_key.items():
        assert len(found) == 1 or key in w.blocked, (key, found)
    for key, content in w.desired.items():
        target = w.calendar.database_for(key)
        found = by_key.get(key, [])
        if target == "calendar":
            [(pid, page, seen)] = found
            assert (page.database, seen) == ("calendar", content)
            assert sim.mapping[key] == MappingRecord(key, "calendar", pid, content.digest)
        elif found:
            assert [page.database for _, page, _ in found] == ["past"]
    for key in set(by_key) - set(w.desired) - w.blocked:
        # Keys without rows keep a page only as immutable history.
        assert [page.database for _, page, _ in by_key[key]] == ["past"]
