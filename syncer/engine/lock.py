"""The environment's lock around a sync, and the rule that voids a dead holder's lease."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Iterator

from loguru import logger

from syncer.core import EnvName, LockHolder
from syncer.core.errors import StoreError
from syncer.engine.context import Context
from syncer.store import Store


@contextlib.contextmanager
def locked(ctx: Context) -> Iterator[None]:
    """Hold the environment's lock for the block (LockHeld, naming the holder, if taken)."""
    ctx.data_source.begin_run()
    now = ctx.clock()
    current = ctx.store.lease(ctx.name, now)
    if current is not None and current.holder == ctx.options.holder:
        yield  # held already by this holder (the watch service owns it between runs)
        return
    take_lock(ctx.store, ctx.name, ctx.options.holder, now, ctx.settings.lock_ttl)
    released = False
    try:
        # Holding the lock, no other run of the environment can be alive: one still marked
        # running lost its process (killed, or the machine stopped) without finishing.
        ctx.store.interrupt_abandoned_runs(ctx.name, now)
        yield
        released = True
        ctx.store.release_lock(ctx.name, ctx.options.holder)
    finally:
        if not released:
            _release_after_error(ctx)


def _release_after_error(ctx: Context) -> None:
    """Release the lock of a run ending on an error. If the file refuses that too (another
    process holds it locked), the run's own error is the one to report: this process is about
    to end, and the next run takes over a lease whose holder is gone."""
    try:
        ctx.store.release_lock(ctx.name, ctx.options.holder)
    except StoreError as exc:
        logger.error("lock.not_released: {}; the next run takes it over", exc)


def take_lock(
    store: Store, env: EnvName, holder: LockHolder, now: dt.datetime, ttl: dt.timedelta
) -> None:
    """Take the environment's lease (LockHeld, naming the holder, if another holds it).

    A lease whose holder was a process of this host that is gone (killed with SIGKILL, or by
    the OOM killer) is void at once rather than after its TTL: a cron line must not stay
    locked out for half an hour by a run that no longer exists.
    """
    current = store.lease(env, now)
    if current is not None and current.holder != holder and holder_is_gone(current.holder):
        logger.warning("lock.taken_over: {} no longer runs; its lease is void", current.holder)
        store.release_lock(env, current.holder)
    store.acquire_lock(env, holder, now, ttl)


def holder_is_gone(holder: LockHolder) -> bool:
    """Whether a lock holder was a process of this host that no longer runs (killed with
    SIGKILL, say). Anything else (another host, a name in another form, a process we may not
    signal) counts as alive: its lease expires with its TTL."""
    pid = holder.pid
    if holder.host != socket.gethostname() or pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
