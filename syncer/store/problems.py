"""The problems announced and not yet resolved, per environment (see ``core.problems``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa

from syncer.core.problems import OpenProblem, Problem, ProblemKind
from syncer.store import schema
from syncer.store.times import from_text, to_text


def open_problems(conn: sa.Connection, env: str) -> list[OpenProblem]:
    table = schema.problems
    rows = conn.execute(sa.select(table).where(table.c.env == env).order_by(table.c.first_seen))
    return [_open_problem(row) for row in rows]


def replace_problems(conn: sa.Connection, env: str, items: Iterable[OpenProblem]) -> None:
    """Make ``items`` the env's open problems (in the caller's transaction)."""
    table = schema.problems
    conn.execute(sa.delete(table).where(table.c.env == env))
    values = [
        {
            "env": env,
            "kind": item.problem.kind,
            "subject": item.problem.subject,
            "detail": item.problem.detail,
            "first_seen": to_text(item.first_seen),
            "last_announced": to_text(item.last_announced),
            "run_id": item.run_id,
        }
        for item in items
    ]
    if values:
        conn.execute(sa.insert(table), values)


def _open_problem(row: sa.Row[Any]) -> OpenProblem:
    problem = Problem(cast(ProblemKind, row.kind), row.subject, row.detail)
    return OpenProblem(
        problem, from_text(row.first_seen), from_text(row.last_announced), row.run_id
    )
