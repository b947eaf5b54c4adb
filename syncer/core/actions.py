"""Actions and plans: data that says what to do to Notion, executed by ``syncer.engine``. [core]

Every action names its key and has a ``kind`` from :data:`syncer.core.kinds.ActionKind`. A plan
is the whole truth, as Terraform's is: where Notion may answer in a way that calls for other
steps (a move refused, a page trashed by hand), the action carries them as planned
:class:`Alternative` s, each with its condition, and the executor only chooses among them. A
guard's verdict on the plan is part of it (:class:`Verdict`), so every preview shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from syncer.core.content import PageContent
from syncer.core.ids import PageId
from syncer.core.keys import AnyKey, Key
from syncer.core.kinds import WRITE_KINDS, Condition, Database

# How each condition reads in a preview: "<action>, or <condition>: <alternative steps>".
CONDITIONS: dict[Condition, str] = {
    "move_refused": "if Notion refuses the move",
    "page_trashed": "if the page was trashed by hand",
    "page_gone": "if the page no longer exists",
    "values_lost": "if the move does not keep every value",
}


@dataclass(frozen=True, slots=True)
class Alternative:
    """What is done instead of (or, for ``values_lost``, after) an action when Notion answers
    as ``when`` says: these actions, in order, each recorded as any planned action is."""

    when: Condition
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class CreatePage:
    """Create the page for ``key`` in ``database``."""

    key: Key
    database: Database
    content: PageContent
    kind: Literal["create"] = field(default="create", init=False)


@dataclass(frozen=True, slots=True)
class UpdatePage:
    """Rewrite a page's properties to ``content`` (a local change, or a reverted hand edit)."""

    key: Key
    database: Database
    page_id: PageId
    content: PageContent
    before: PageContent | None
    alternatives: tuple[Alternative, ...] = ()
    kind: Literal["update"] = field(default="update", init=False)


@dataclass(frozen=True, slots=True)
class TrashPage:
    """Move a page to Notion's trash: its key has no rows, or it duplicates the kept page.

    ``duplicate``: the key keeps another page, so no shift disappears from Notion (the
    mass-trash guard counts shifts, not copies).
    """

    key: Key
    database: Database
    page_id: PageId
    reason: str
    before: PageContent | None
    duplicate: bool = False
    kind: Literal["trash"] = field(default="trash", init=False)


@dataclass(frozen=True, slots=True)
class RestorePage:
    """Take a mapped page out of the trash and give it ``content``."""

    key: Key
    database: Database
    page_id: PageId
    content: PageContent
    alternatives: tuple[Alternative, ...] = ()
    kind: Literal["restore"] = field(default="restore", init=False)


@dataclass(frozen=True, slots=True)
class MovePage:
    """Move a page to the other database (calendar -> past when its week is over)."""

    key: Key
    page_id: PageId
    source: Database
    target: Database
    content: PageContent
    alternatives: tuple[Alternative, ...] = ()
    kind: Literal["move"] = field(default="move", init=False)


@dataclass(frozen=True, slots=True)
class AdoptPage:
    """Record an existing page as the key's page (found by Sync Key or id); no Notion write.

    ``content`` is None when the page lost its Sync Key: what it holds is then unknown.
    """

    key: Key
    database: Database
    page_id: PageId
    content: PageContent | None
    kind: Literal["adopt"] = field(default="adopt", init=False)


@dataclass(frozen=True, slots=True)
class ForgetMapping:
    """Drop the key's mapping: its page now carries another key (edited by hand); no write."""

    key: Key
    database: Database
    page_id: PageId
    kind: Literal["forget"] = field(default="forget", init=False)


@dataclass(frozen=True, slots=True)
class SkipKey:
    """Nothing is written for this key, for a reason worth recording (bad row, past week)."""

    key: AnyKey  # a bad row's key may not parse
    reason: str
    kind: Literal["skip"] = field(default="skip", init=False)


Action: TypeAlias = (
    CreatePage
    | UpdatePage
    | TrashPage
    | RestorePage
    | MovePage
    | AdoptPage
    | ForgetMapping
    | SkipKey
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the safety guards say of a plan: nothing (it may run), or why they refuse it and
    what to do; ``--force`` runs a refused plan."""

    refusal: str | None = None
    hint: str | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@dataclass(frozen=True, slots=True)
class Plan:
    """The actions that make Notion equal to the schedule, in the order they run, and the
    guards' verdict on them."""

    actions: tuple[Action, ...] = ()
    verdict: Verdict = field(default_factory=Verdict)

    @property
    def writes(self) -> tuple[Action, ...]:
        """The actions that change Notion (adopt and skip do not)."""
        return tuple(action for action in self.actions if action.kind in WRITE_KINDS)

    def counts(self) -> dict[str, int]:
        """How many actions of each kind, for summaries."""
        result: dict[str, int] = {}
        for action in self.actions:
            result[action.kind] = result.get(action.kind, 0) + 1
        return result

    def __bool__(self) -> bool:
        return bool(self.writes)


def alternative_of(action: Action, when: Condition) -> Alternative | None:
    """The alternative ``action`` plans for ``when``, if it plans one."""
    if not isinstance(action, UpdatePage | RestorePage | MovePage):
        return None
    return next((alt for alt in action.alternatives if alt.when == when), None)
