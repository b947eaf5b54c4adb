"""The engine: one environment's commands, as methods of one object built once.

The composition root (``syncer.compose``) builds an :class:`Engine` with every collaborator
(store, gateway, settings, environment, clock, sleep, options); a command is one method call,
and the method hands the engine (a :class:`~syncer.engine.context.Context`) to the module that
does the work. A drain, say: ``Engine.drain`` -> ``sync.drain`` -> ``executor.Executor.apply``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncer.core import RunId
from syncer.engine import adopt as _adopt
from syncer.engine import rollback as _rollback
from syncer.engine import status as _status
from syncer.engine import sync
from syncer.engine.adopt import Adoption
from syncer.engine.context import Context
from syncer.engine.rollback import RollbackResult
from syncer.engine.runs import RunResult


@dataclass(frozen=True)
class Engine(Context):
    """One environment's sync engine: drain, reconcile, resync, plan, rollback, status."""

    def drain(self) -> list[RunResult]:
        """Apply pending local changes to Notion, reconciling first when one is due.

        Returns:
            The runs made: an automatic reconcile (when due), then the drain, then (when a
            write got no answer in time and ``settle_late_writes`` is on) the drain that looks
            it up once it can no longer land.

        Raises:
            LockHeld: another sync of this environment is running.
            PlanRefused: a guard refused the plan (nothing was written).
        """
        return sync.drain(self)

    def late_writes_settle_at(self) -> dt.datetime | None:
        """When the last write Notion did not answer in time can no longer land (None: none
        is waiting); a drain with ``settle_late_writes`` off leaves them for a later drain."""
        return sync.late_writes_settle_at(self)

    def reconcile(self, *, dry_run: bool = False) -> RunResult:
        """Compare everything local with a complete read of Notion and repair every difference."""
        return sync.reconcile(self, dry_run=dry_run)

    def resync(self) -> RunResult:
        """Rebuild the mapping and people cache from Notion, then reconcile (recovery)."""
        return sync.resync(self)

    def plan(self) -> RunResult:
        """What a reconcile would do now, without doing it (and without recording a run)."""
        return sync.plan(self)

    def preview_drain(self) -> RunResult:
        """What the next drain would send (a reconcile's plan when one is due), writing nothing."""
        return sync.preview_drain(self)

    def rollback(
        self, run_id: RunId, *, dry_run: bool = False, cascade: bool = False
    ) -> RollbackResult:
        """Put the schedule and Notion back as they were before run ``run_id``.

        See :func:`syncer.engine.rollback.rollback` for the rules.
        """
        return _rollback.rollback(self, run_id, dry_run=dry_run, cascade=cascade)

    def status(self) -> tuple[_status.ScheduleStatus, _status.EnvironmentStatus]:
        """The schedule file's state and this environment's, from the local file alone."""
        schedule, found = _status.status(
            self.store, self.settings, now=self.clock(), today=self.today, env=self.name
        )
        return schedule, found[0]

    def adopt(self, *, dry_run: bool = False, chosen: Mapping[str, str] | None = None) -> Adoption:
        """Take over both databases another tool filled: their schema and their pages (see
        :mod:`syncer.engine.adopt`); with ``dry_run``, only plan it."""
        return _adopt.adopt(self, dry_run=dry_run, chosen=chosen)

    def reconcile_due(self) -> bool:
        """Whether the last successful reconcile (or resync) is older than ``reconcile_every``."""
        return sync.reconcile_due(self)

    def with_options(self, **changes: Any) -> Engine:
        """The same engine with some :class:`~syncer.engine.options.RunOptions` changed."""
        return dataclasses.replace(self, options=dataclasses.replace(self.options, **changes))
