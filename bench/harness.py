"""What every peer benchmark shares: the schedule rows, a tool's interface, measuring a run from
the sandbox's request log, and the independent check of what Notion holds.

Imports the sandbox (to serve it) and the standard library, nothing of syncer's engine: the check
must not share code with what it checks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncer.sandbox.server import RunningSandbox, serve_in_thread
from syncer.sandbox.settings import IntegrationSpec, RateLimit, SandboxSettings

TODAY = dt.date(2026, 11, 25)  # a Wednesday, as in bench.engine_scenarios
EMAILS = [f"engineer{i}@example.com" for i in range(8)]
NAMES = {email: f"Engineer {i}" for i, email in enumerate(EMAILS)}  # as sandbox_for adds them
ROTATIONS = ("AM", "Core", "PM")
SETUP_TOKEN = "ntn_bench_setup_token"

Row = tuple[str, str, str]  # (date, rotation, engineer email)


def token(tool: str, env: str) -> str:
    return f"ntn_bench_{tool}-{env}"


def weekday_rows(start: dt.date, count: int | None = None, end: dt.date | None = None) -> list[Row]:
    """Three shifts per weekday from ``start``: ``count`` of them, or all before ``end``."""
    rows: list[Row] = []
    day = start
    while (count is None or len(rows) < count) and (end is None or day < end):
        if day.weekday() < 5:
            for rotation in ROTATIONS:
                rows.append((day.isoformat(), rotation, EMAILS[len(rows) % len(EMAILS)]))
        day += dt.timedelta(days=1)
    return rows[:count] if count is not None else rows


def key_of(row: Row) -> str:
    return f"{row[0]}/{row[1]}"


def reassign(rows: list[Row], count: int) -> list[Row]:
    """``count`` rows spread over ``rows``, each given another engineer."""
    step = max(1, len(rows) // count)
    picked = rows[::step][:count]
    return [(d, r, EMAILS[(EMAILS.index(e) + 3) % len(EMAILS)]) for d, r, e in picked]


@dataclass
class Step:
    """One measured run of one tool."""

    tool: str
    scenario: str
    size: int
    requests: int
    reads: int
    writes: int
    rate_limited: int
    wall_s: float
    correct: bool | None
    detail: str = ""
    error: str = ""
    ids_replaced: int | None = None  # shifts whose page got a new id (None: no page before)


def traffic(entries: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(reads, writes, 429s) of request log entries."""
    reads = sum(1 for e in entries if e["method"] == "GET" or e["path"].endswith("/query"))
    limited = sum(1 for e in entries if e["status"] == 429)
    return reads, len(entries) - reads, limited


# -- the independent check ------------------------------------------------------------------------


def _text(prop: dict[str, Any] | None) -> str:
    if not prop:
        return ""
    kind = prop.get("type", "")
    value = prop.get(kind)
    if isinstance(value, list):
        return "".join(item.get("plain_text", "") for item in value).strip()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and kind == "select":
        return str(value.get("name") or "")
    if isinstance(value, dict) and kind == "date":
        return str(value.get("start") or "")[:10]
    return ""


@dataclass(frozen=True)
class Layout:
    """Where a tool keeps a page's key, date, rotation and engineer.

    ``key`` None: the tool keeps no key, a page's key is its date and rotation. ``names``: the
    engineer property holds display names, mapped back to emails with this table.
    """

    key: str | None
    email: str
    date: str = "Date"
    rotation: str = "Rotation"
    names: Mapping[str, str] = field(default_factory=dict)

    def read(self, props: dict[str, Any]) -> tuple[str, Row]:
        """A page's key and (date, rotation, engineer email)."""
        date, rotation = _text(props.get(self.date)), _text(props.get(self.rotation))
        engineer = _text(props.get(self.email))
        key = _text(props.get(self.key)) if self.key else f"{date}/{rotation}"
        return key, (date, rotation, self.names.get(engineer, engineer).lower())


@dataclass(frozen=True)
class Live:
    """One live page of a tool's databases."""

    id: str
    database: str  # without dashes
    row: Row


@dataclass(frozen=True)
class Placement:
    """A tool with two databases: pages dated before ``week_start`` belong in ``past``."""

    past: str
    week_start: dt.date


def _plain_id(value: str) -> str:
    return value.replace("-", "")


def live_pages(
    sandbox: RunningSandbox, database_ids: set[str], layout: Layout
) -> dict[str, list[Live]]:
    """Every live page of ``database_ids`` in the sandbox's dump, by key."""
    norm = {_plain_id(d) for d in database_ids}
    found: dict[str, list[Live]] = {}
    for page in sandbox.dump()["pages"]:
        database = _plain_id(str((page.get("parent") or {}).get("database_id", "")))
        if page.get("in_trash") or database not in norm:
            continue
        key, row = layout.read(page["properties"])
        found.setdefault(key, []).append(Live(page["id"], database, row))
    return found


def _misplaced(found: dict[str, list[Live]], placement: Placement) -> list[str]:
    past = _plain_id(placement.past)
    return [
        key
        for key, pages in found.items()
        for page in pages
        if (page.row[0] < placement.week_start.isoformat()) != (page.database == past)
    ]


def check_state(
    sandbox: RunningSandbox,
    database_ids: set[str],
    layout: Layout,
    expected: dict[str, Row],
    *,
    placement: Placement | None = None,
) -> tuple[bool, str]:
    """Whether the live pages of ``database_ids`` are exactly the schedule ``expected`` (and,
    with ``placement``, each in the database its date belongs to)."""
    return judge(live_pages(sandbox, database_ids, layout), expected, placement)


def judge(
    found: dict[str, list[Live]], expected: dict[str, Row], placement: Placement | None
) -> tuple[bool, str]:
    """:func:`check_state` on pages already read."""
    kinds = {
        "missing": [k for k in expected if k not in found],
        "extra": [k for k in found if k not in expected],
        "duplicated": [k for k, pages in found.items() if len(pages) > 1],
        "wrong": [k for k, row in expected.items() if k in found and found[k][0].row != row],
        "misplaced": _misplaced(found, placement) if placement else [],
    }
    problems = [f"{len(keys)} {name} (e.g. {keys[0]})" for name, keys in kinds.items() if keys]
    return not problems, "; ".join(problems)


# -- the tools ------------------------------------------------------------------------------------


class Tool:
    """One tool's copy of the schedule and its databases on the sandbox."""

    name = ""
    layout = Layout(key="Sync Key", email="Engineer Email")

    def __init__(self, sandbox: RunningSandbox, tmp: Path, env: str, *, paced: bool) -> None:
        self.sandbox = sandbox
        self.tmp = tmp
        self.env = f"{self.name}-{env}"
        self.paced = paced
        self.token = token(self.name, env)
        self.schedule: dict[str, Row] = {}
        self.database_ids: set[str] = set()

    def write(self, rows: list[Row]) -> None:
        """New rows (the first fill of the schedule)."""
        self.schedule.update({key_of(r): r for r in rows})

    def regenerate(self, rows: list[Row]) -> None:
        """The same rows written again, as the app's daily regeneration does."""
        self.schedule.update({key_of(r): r for r in rows})

    def change(self, rows: list[Row]) -> None:
        """Existing rows given another engineer."""
        self.schedule.update({key_of(r): r for r in rows})

    def turn_week(self) -> None:
        """A week passes: the tool's today is seven days later (nothing, for a tool that has
        one database and no notion of today)."""

    def run(self, mode: str) -> str:
        """One run of the tool ('drain' after changes, 'reconcile' for a full check)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the tool holds."""

    def placement(self) -> Placement | None:
        """Where pages belong, for a tool with a CALENDAR and a PAST CALENDAR."""
        return None

    def live(self) -> dict[str, list[Live]]:
        """The live pages of the tool's databases, by key (one read of the sandbox's dump)."""
        return live_pages(self.sandbox, self.database_ids, self.layout)


def ids_of(found: dict[str, list[Live]]) -> dict[str, frozenset[str]]:
    """The live page ids of each key."""
    return {key: frozenset(p.id for p in pages) for key, pages in found.items()}


def replaced_ids(before: dict[str, frozenset[str]], after: dict[str, frozenset[str]]) -> int:
    """Keys live before and after whose earlier page ids are not all still live."""
    return sum(1 for key, ids in before.items() if key in after and not ids <= after[key])


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Traffic:
    """What one call cost, from the sandbox's request log filtered by a token."""

    entries: list[dict[str, Any]]
    wall_s: float
    result: str
    error: str


def metered(sandbox: RunningSandbox, tool_token: str, call: Callable[[], str]) -> Traffic:
    """Run ``call`` and collect the ``/v1`` requests ``tool_token`` sent meanwhile."""
    before = sum(1 for e in sandbox.requests() if e["token"] == tool_token)
    started = time.perf_counter()
    result = error = ""
    try:
        result = call()
    except Exception as exc:  # a tool's failure is a result, not the benchmark's end
        error = f"{type(exc).__name__}: {exc}"[:300]
    wall = time.perf_counter() - started
    entries = [e for e in sandbox.requests() if e["token"] == tool_token][before:]
    return Traffic([e for e in entries if e["path"].startswith("/v1/")], wall, result, error)


def measure(
    tool: Tool, scenario: str, size: int, mode: str, *, check: bool = True, ids: bool = False
) -> Step:
    """Run the tool once and read its traffic from the sandbox's request log; ``check`` the
    pages after it, and with ``ids`` count the shifts whose page got a new id (a dump of every
    page before and after: skipped in the scaling runs, whose dumps hold tens of thousands)."""
    before = ids_of(tool.live()) if ids else None
    spent = metered(tool.sandbox, tool.token, lambda: tool.run(mode))
    reads, writes, limited = traffic(spent.entries)
    found = tool.live() if check or ids else {}
    correct, problems = judge(found, tool.schedule, tool.placement()) if check else (None, "")
    return Step(
        tool.name,
        scenario,
        size,
        len(spent.entries),
        reads,
        writes,
        limited,
        round(spent.wall_s, 2),
        correct,
        "; ".join(x for x in (spent.result, problems) if x),
        spent.error,
        replaced_ids(before, ids_of(found)) if before else None,
    )


@contextmanager
def sandbox_for(
    tools: tuple[str, ...],
    envs: tuple[str, ...],
    latency_ms: int,
    jitter_ms: int,
    rate: RateLimit | None,
) -> Iterator[RunningSandbox]:
    """A sandbox with one token per tool and environment, and the engineers as users."""
    specs = [IntegrationSpec(SETUP_TOKEN, "bench setup")]
    specs += [IntegrationSpec(token(t, e), f"{t} {e}") for t in tools for e in envs]
    settings = SandboxSettings(
        port=0,
        rate_limit=rate,
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        extra_integrations=tuple(specs),
    )
    with serve_in_thread(settings) as sandbox:
        for email, name in NAMES.items():
            sandbox.add_user(name, email)
        yield sandbox
