"""Which problems a run's end should tell the administrators about. [core]

A *problem* is identified by its kind and what it concerns: a bad row or a failing write by its
key, a failed or refused run by its error code. The rule (:func:`decide`), applied when a run
ends, given the problems still open from earlier runs:

- a problem seen for the first time is announced;
- a problem still open is announced again only once ``repeat_after`` has passed since it was
  last announced (so a bad row under a 15-minute cron is one alert, not 96 a day);
- an open problem that this run looked at and did not find is *resolved*, announced once, and
  forgotten. A run looks at a key when it planned it (a reconcile looks at every key); a failed
  or refused run is resolved by the next run that is neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, TypeAlias

from syncer.core.ids import RunId
from syncer.core.keys import AnyKey
from syncer.core.kinds import ResultStatus

ProblemKind: TypeAlias = Literal["bad_row", "failed_key", "run_failed", "run_refused"]
KEY_PROBLEMS: frozenset[ProblemKind] = frozenset({"bad_row", "failed_key"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: its kind, what it concerns (a key for a bad row or a failing write, an
    error code or ``guard`` for a run), and what was seen."""

    kind: ProblemKind
    subject: AnyKey | str
    detail: str

    @property
    def identity(self) -> tuple[ProblemKind, str]:
        # By text, as the store keeps it: a bad row's key read back from the store may decode
        # as a Key where the run that found it held it raw (the text cannot tell them apart).
        return self.kind, str(self.subject)


@dataclass(frozen=True, slots=True)
class OpenProblem:
    """A problem announced and not yet resolved, as the store keeps it."""

    problem: Problem
    first_seen: dt.datetime
    last_announced: dt.datetime
    run_id: RunId | None


@dataclass(frozen=True, slots=True)
class RunView:
    """What a run's end says about problems: what it found and what it looked at."""

    status: ResultStatus
    found: tuple[Problem, ...]
    looked_at: frozenset[AnyKey] | None  # keys planned; None: every key (a whole reconcile)
    run_id: RunId | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What to announce now, and the problems that stay open."""

    new: tuple[Problem, ...]
    repeated: tuple[Problem, ...]
    resolved: tuple[Problem, ...]
    still_open: tuple[OpenProblem, ...]

    @property
    def worth_announcing(self) -> bool:
        return bool(self.new or self.repeated or self.resolved)


def decide(
    open_problems: Iterable[OpenProblem],
    run: RunView,
    *,
    now: dt.datetime,
    repeat_after: dt.timedelta,
) -> Decision:
    """Apply the rule of the module docstring to one run's end."""
    known = {item.problem.identity: item for item in open_problems}
    found = {problem.identity: problem for problem in run.found}
    new, repeated, still_open = [], [], []
    for identity, problem in found.items():
        earlier = known.get(identity)
        if earlier is None:
            new.append(problem)
            still_open.append(OpenProblem(problem, now, now, run.run_id))
        elif now - earlier.last_announced >= repeat_after:
            repeated.append(problem)
            still_open.append(replace(earlier, problem=problem, last_announced=now))
        else:
            still_open.append(replace(earlier, problem=problem))
    resolved = []
    for identity, earlier in known.items():
        if identity in found:
            continue
        if _looked_at(earlier.problem, run):
            resolved.append(earlier.problem)
        else:
            still_open.append(earlier)
    return Decision(tuple(new), tuple(repeated), tuple(resolved), tuple(still_open))


def _looked_at(problem: Problem, run: RunView) -> bool:
    """Whether this run would have found ``problem`` had it still been there."""
    if problem.kind in KEY_PROBLEMS:
        return run.looked_at is None or str(problem.subject) in {str(k) for k in run.looked_at}
    return run.status not in ("failed", "refused", "interrupted", "planned")
