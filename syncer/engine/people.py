"""Email -> Notion person, through a per-environment cache refreshed at most once per run.

Without the capability to read users (``users.list`` answers 403 ``restricted_resource``), or to
read their emails, no engineer can be matched: the run says so once, naming the capability,
writes every engineer as email text, and otherwise goes on. Nothing is cached then, so the next
run asks again and a granted capability takes effect at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from loguru import logger

from syncer.core import Person
from syncer.core.errors import PermanentNotionError
from syncer.engine.context import Context

CAPABILITY = "'Read user information including email addresses'"


def resolve_people(
    ctx: Context, emails: Iterable[str], *, force: bool = False
) -> dict[str, Person]:
    """The people for ``emails`` (lower-cased), from the cache or one ``users.list``.

    Args:
        ctx: the run's context.
        emails: the emails the run needs.
        force: refresh the cache whatever its age (resync).

    Returns:
        Every known person by email; emails with no person are simply absent.
    """
    wanted = {email for email in emails if email}
    cached: dict[str, Person]
    cached, fetched_at = ctx.store.people(ctx.name)
    known_missing = ctx.store.unmatched_emails(ctx.name)
    now = ctx.clock()
    stale = fetched_at is None or now - fetched_at > ctx.settings.people_ttl
    # A new email (one the last users.list did not already miss) refreshes the cache; an email
    # that matched nobody last time waits for the TTL, so it costs no request per drain.
    new_misses = wanted - set(cached) - known_missing
    if force or stale or new_misses:
        refreshed = _refresh(ctx, now, wanted | known_missing)
        if refreshed is None:
            return {}  # the capability is missing, which _refresh said once
        cached = refreshed
    unmapped = sorted(wanted - set(cached))
    if unmapped and not cached:
        # Nobody matched at all: one plain line, not every engineer (see _refresh for why).
        logger.warning(
            "people.none_matched: no email matches a Notion person; pages show emails as text"
        )
    elif unmapped:
        logger.warning(
            "people.unmapped: {} email(s) match no Notion person; their pages show the email "
            "as text: {}",
            len(unmapped),
            ", ".join(unmapped),
        )
    return cached


def _refresh(ctx: Context, now: dt.datetime, emails: set[str]) -> dict[str, Person] | None:
    """Every person by email from one ``users.list`` (cached), or None without the capability."""
    try:
        users = ctx.retry.call("users.list", ctx.gateway.list_users)
    except PermanentNotionError as exc:
        if exc.code != "restricted_resource":
            raise
        logger.warning(
            "people.no_user_capability: the integration may not read user information "
            "(users.list answered 403), so every engineer is written as email text and the "
            "people columns stay empty; give it {} in its capabilities",
            CAPABILITY,
        )
        return None
    persons = [user for user in users if user.kind == "person"]
    people = [Person(user.user_id, user.name, user.email.lower()) for user in persons if user.email]
    if persons and not people:
        logger.warning(
            "people.no_emails: the integration cannot see email addresses, so every engineer is "
            "written as email text and the people columns stay empty; give it {} in its "
            "capabilities",
            CAPABILITY,
        )
        return None
    found = {person.email: person for person in people}
    ctx.store.replace_people(ctx.name, people, now, unmatched=emails - set(found))
    return found
