"""The problems announced and not yet resolved, per environment (see ``core.problems``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa

from syncer.core import AnyKey
from syncer.core.ids import EnvName, RunId
from syncer.core.problems import KEY_PROBLEMS, OpenProblem, Problem, ProblemKind
from syncer.store import keytext, schema
from syncer.store.clipped import clipped
from syncer.store.times import from_text, to_text


def open_problems(conn: sa.Connection, env: EnvName) -> list[OpenProblem]:
    table = schema.problems
    rows = conn.execute(sa.select(table).where(table.c.env == env).order_by(table.c.first_seen))
    return [_open_problem(row) for row in rows]


def replace_problems(conn: sa.Connection, env: EnvName, items: Iterable[OpenProblem]) -> None:
    """Make ``items`` the env's open problems (in the caller's transaction)."""
    table = schema.problems
    conn.execute(sa.delete(table).where(table.c.env == env))
    values = [
        {
            "env": env,
            "kind": item.problem.kind,
            "subject": _subject_text(item.problem.subject),
            "detail": clipped(item.problem.detail),
            "first_seen": to_text(item.first_seen),
            "last_announced": to_text(item.last_announced),
            "run_id": item.run_id,
        }
        for item in items
    ]
    if values:
        conn.execute(sa.insert(table), values)


def _subject_text(subject: AnyKey | str) -> str:
    return subject if isinstance(subject, str) else keytext.to_text(subject)


def _open_problem(row: sa.Row[Any]) -> OpenProblem:
    kind = cast(ProblemKind, row.kind)
    subject = keytext.from_text(row.subject) if kind in KEY_PROBLEMS else str(row.subject)
    run_id = None if row.run_id is None else RunId(int(row.run_id))
    problem = Problem(kind, subject, row.detail)
    return OpenProblem(problem, from_text(row.first_seen), from_text(row.last_announced), run_id)
