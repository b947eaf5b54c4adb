"""Settings from ``syncer.toml`` and the environment; every mistake is a ConfigError naming its key.

Tokens and webhook URLs are never in the file: the file names the *variables* that hold them, and
they are read only when needed, so a secret never enters a Settings object, a log or an error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncer.core import EnvName, Rotations, RotationWindow
from syncer.core.codec import Codec, PropertyNames
from syncer.core.errors import ConfigError
from syncer.core.kinds import TitleShows
from syncer.core.planner import Calendar, Guards
from syncer.core.projection import week_start

DEFAULT_ROTATIONS = Rotations(
    (
        RotationWindow("AM", dt.time(9), dt.time(12)),
        RotationWindow("Core", dt.time(12), dt.time(18)),
        RotationWindow("PM", dt.time(18), dt.time(21)),
    )
)
_NOTION_ID = re.compile(r"^[0-9a-f]{32}$")
# What a shell (and systemd's Environment=) accepts as a variable's name.
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A Notion token is also a valid name (ntn_ or secret_ and 40-odd letters and digits): one
# pasted in place of its variable's name is refused all the same.
_NOTION_TOKEN = re.compile(r"^(?:ntn|secret)_[A-Za-z0-9]{40,}$")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class Environment:
    """One environment: its Notion databases and the variable holding its token."""

    name: EnvName
    notion_token_env: str
    calendar_database_id: str
    past_calendar_database_id: str
    notion_base_url: str | None = None

    def token(self, environ: Mapping[str, str]) -> str:
        """The Notion token from the environment, or a ConfigError naming the variable."""
        variable = self.notion_token_env
        if variable not in environ:
            raise ConfigError(
                f"environment {self.name!r}: the variable {variable} is not set",
                hint=f"export {variable}=<the integration's token> (notion_token_env names it)",
            )
        value = environ[variable].strip()
        if not value:
            raise ConfigError(
                f"environment {self.name!r}: the variable {variable} is set but empty",
                hint=f"put the integration's token in {variable}: an empty value often "
                "means a missing line in the service's environment file",
            )
        return value


@dataclass(frozen=True, slots=True)
class Alerts:
    """Where alerts go: a Slack-compatible webhook (URL in a variable) and/or a command."""

    webhook_url_env: str | None = "SYNCER_ALERT_WEBHOOK"
    command: str = ""
    repeat_after: dt.timedelta = dt.timedelta(hours=24)  # a still-open problem, announced again


@dataclass(frozen=True, slots=True)
class Budget:
    """The request budget per integration token (Notion's default: 180 per 60 s)."""

    requests: int = 180
    per_seconds: float = 60.0
    concurrency: int = 4  # keys written in parallel; the pacer keeps the total in budget


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs that is not a secret."""

    timezone: str = "UTC"
    reconcile_every: dt.timedelta = dt.timedelta(hours=24)
    # How far back the first sync goes: a duration counted back from Monday of this week, or a
    # YYYY-MM-DD date. 52 weeks is a year of full weeks for fairness analysis (~780 pages).
    history_since: str = "52w"
    rotations: Rotations = DEFAULT_ROTATIONS
    environments: Mapping[str, Environment] = field(default_factory=dict)
    default_environment: str | None = None
    alerts: Alerts = Alerts()
    retry_waits: tuple[float, ...] = (0.0, 2.0, 4.0, 8.0, 16.0)
    budget: Budget = Budget()
    guards: Guards = field(default_factory=Guards)
    properties: PropertyNames = field(default_factory=PropertyNames)
    title_shows: TitleShows = "shift"  # [pages] title: "shift" or "engineer"
    people_ttl: dt.timedelta = dt.timedelta(hours=6)
    lock_ttl: dt.timedelta = dt.timedelta(minutes=30)
    # Notion's server gives up after 60 s; a shorter client timeout would turn slow successes
    # into ambiguous failures. Connecting is quick or never: an unreachable host fails fast.
    request_timeout: float = 65.0
    connect_timeout: float = 2.5
    # Off by default: PAST CALENDAR pages dated before Monday minus this are trashed.
    past_retention: dt.timedelta | None = None
    source: str = "<defaults>"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def codec(self) -> Codec:
        """How pages are written and read with these property names, rotations and timezone."""
        return Codec(self.properties, self.rotations, self.tz)

    def history_start(self, today: dt.date) -> dt.date:
        """The oldest date synced as history, for a run whose today is ``today``."""
        try:
            return dt.date.fromisoformat(self.history_since)
        except ValueError:
            monday = today - dt.timedelta(days=today.weekday())
            return monday - parse_duration(self.history_since, "history_since")

    def retain_since(self, today: dt.date) -> dt.date | None:
        """The oldest date PAST CALENDAR keeps (None: no retention), for a run on ``today``."""
        if self.past_retention is None:
            return None
        monday = today - dt.timedelta(days=today.weekday())
        return monday - self.past_retention

    def calendar(self, today: dt.date) -> Calendar:
        """Where pages belong on ``today``: its week's Monday, the history and retention limits."""
        return Calendar(week_start(today), self.history_start(today), self.retain_since(today))

    def environment(self, name: str | None) -> Environment:
        """The chosen environment; there is no implicit prod."""
        chosen = name or self.default_environment
        if not chosen:
            raise ConfigError(
                "no environment chosen",
                hint="pass --env NAME or set SYNCER_ENV (or default_environment in "
                f"{self.source}); known: {', '.join(self.environments) or 'none'}",
            )
        if chosen not in self.environments:
            raise ConfigError(
                f"unknown environment {chosen!r} in {self.source}",
                hint=f"known environments: {', '.join(self.environments) or 'none'}",
            )
        return self.environments[chosen]


def parse_duration(text: str, key: str) -> dt.timedelta:
    """``"24h"``, ``"30m"``, ``"7d"``, ``"52w"`` or ``"90s"`` as a timedelta."""
    match = _DURATION.match(str(text))
    if not match:
        raise ConfigError(f"{key}: {text!r} is not a duration like 24h, 30m, 7d or 52w")
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def load_settings(path: Path | None) -> Settings:
    """Read and check a ``syncer.toml``; ``None`` gives the defaults (no environments).

    Raises:
        ConfigError: naming the file and the key for anything unknown or malformed.
    """
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file not found: {path}",
            hint="check --config or SYNCER_CONFIG; the README's 'Configuration' section has a "
            "complete example",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_dict(data, source=str(path))


def settings_from_dict(data: Mapping[str, Any], *, source: str) -> Settings:
    """Build Settings from parsed TOML, checking every key."""
    _reject_unknown(data, _TOP_KEYS, source, "")
    base = Settings()
    environments = _environments(data.get("environments", {}), source)
    default_env = data.get("default_environment")
    if default_env is not None and default_env not in environments:
        raise ConfigError(f"{source}: default_environment {default_env!r} is not configured")
    settings = Settings(
        timezone=_timezone(data.get("timezone", base.timezone), source),
        reconcile_every=_duration(data, "reconcile_every", base.reconcile_every, source),
        history_since=_history(data.get("history_since", base.history_since), source),
        rotations=_rotations(data.get("rotations"), source),
        environments=environments,
        default_environment=default_env,
        alerts=_alerts(data.get("alerts", {}), source),
        retry_waits=_retry(data.get("retry", {}), source),
        budget=_budget(data.get("budget", {}), source),
        guards=_guards(data.get("guards", {}), source),
        properties=_properties(data.get("properties", {}), source),
        title_shows=_pages(data.get("pages", {}), source),
        people_ttl=_duration(data, "people_ttl", base.people_ttl, source),
        lock_ttl=_duration(data, "lock_ttl", base.lock_ttl, source),
        request_timeout=_positive(data, "request_timeout", base.request_timeout, source, ""),
        connect_timeout=_positive(data, "connect_timeout", base.connect_timeout, source, ""),
        past_retention=_retention(data, source),
        source=source,
    )
    _reject_shared_databases(settings)
    return settings


_TOP_KEYS = {
    "timezone",
    "reconcile_every",
    "history_since",
    "rotations",
    "environments",
    "default_environment",
    "alerts",
    "retry",
    "budget",
    "guards",
    "properties",
    "pages",
    "people_ttl",
    "lock_ttl",
    "request_timeout",
    "connect_timeout",
    "past_retention",
}
_ENV_KEYS = {
    "notion_token_env",
    "calendar_database_id",
    "past_calendar_database_id",
    "notion_base_url",
}


def _reject_unknown(table: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [{prefix.rstrip('.')}] must be a table")
    unknown = sorted(set(table) - known)
    if unknown:
        close = _closest(unknown[0], known)
        suggestion = f"did you mean {prefix}{close}? " if close else ""
        raise ConfigError(
            f"{source}: unknown key {prefix}{unknown[0]}",
            hint=f"{suggestion}known keys here: {', '.join(sorted(known))}",
        )


def _closest(word: str, known: set[str]) -> str | None:
    """The known key a typo most likely meant: the longest shared start, else the most alike."""

    def score(candidate: str) -> tuple[int, float]:
        shared = next(
            (i for i, (a, b) in enumerate(zip(word, candidate, strict=False)) if a != b),
            min(len(word), len(candidate)),
        )
        return shared, difflib.SequenceMatcher(None, word, candidate).ratio()

    best = max(sorted(known), key=score, default=None)
    if best is None:
        return None
    shared, ratio = score(best)
    return best if shared >= 3 or ratio >= 0.6 else None


def _timezone(value: Any, source: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{source}: timezone {value!r} is not an IANA timezone name") from exc
    return str(value)


def _duration(
    data: Mapping[str, Any], key: str, default: dt.timedelta, source: str
) -> dt.timedelta:
    if key not in data:
        return default
    try:
        return parse_duration(str(data[key]), key)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc.message}") from exc


def _retention(data: Mapping[str, Any], source: str) -> dt.timedelta | None:
    if data.get("past_retention") in (None, "", "off"):
        return None
    retention = _duration(data, "past_retention", dt.timedelta(), source)
    if retention < dt.timedelta(weeks=1):
        raise ConfigError(
            f"{source}: past_retention must be at least 1w (it trashes PAST CALENDAR pages "
            "older than that)",
            hint='for two years of history: past_retention = "104w"',
        )
    return retention


def _history(value: Any, source: str) -> str:
    text = str(value)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        _duration({"history_since": text}, "history_since", dt.timedelta(), source)
    return text


def _clock(value: Any, where: str, source: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{source}: {where}: {value!r} is not a time like 09:00") from exc


def _rotations(table: Any, source: str) -> Rotations:
    if table is None:
        return DEFAULT_ROTATIONS
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(f"{source}: [rotations] must list at least one rotation")
    rotations = []
    for name, spec in table.items():
        where = f"rotations.{name}"
        _reject_unknown(spec, {"start", "end"}, source, f"{where}.")
        if "start" not in spec or "end" not in spec:
            raise ConfigError(f"{source}: {where} needs both start and end")
        start = _clock(spec["start"], f"{where}.start", source)
        end = _clock(spec["end"], f"{where}.end", source)
        if start == end:
            raise ConfigError(f"{source}: {where}: start and end are equal")
        if "," in name:
            raise ConfigError(f"{source}: {where}: a rotation name cannot contain a comma")
        rotations.append(RotationWindow(str(name), start, end))
    return Rotations(tuple(rotations))


def _environments(table: Any, source: str) -> dict[str, Environment]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [environments] must be a table of environments")
    environments = {}
    for name, spec in table.items():
        prefix = f"environments.{name}."
        _reject_unknown(spec, _ENV_KEYS, source, prefix)
        for required in ("notion_token_env", "calendar_database_id", "past_calendar_database_id"):
            if not str(spec.get(required, "")).strip():
                raise ConfigError(f"{source}: {prefix}{required} is required")
        environments[str(name)] = Environment(
            name=EnvName(str(name)),
            notion_token_env=_variable_name(
                spec["notion_token_env"],
                f"{prefix}notion_token_env",
                source,
                holds="the integration's token",
            ),
            calendar_database_id=_database_id(spec, "calendar_database_id", prefix, source),
            past_calendar_database_id=_database_id(
                spec, "past_calendar_database_id", prefix, source
            ),
            notion_base_url=_base_url(
                spec.get("notion_base_url"), f"{prefix}notion_base_url", source
            ),
        )
    return environments


def _variable_name(value: Any, key: str, source: str, *, holds: str) -> str:
    """The name of an environment variable; a pasted secret is refused without being shown.

    A token or URL pasted here would be printed back in "the variable ... is not set", and a
    webhook URL would silently match no variable, so no alert would ever be sent.
    """
    name = str(value).strip()
    if not _VARIABLE_NAME.match(name) or _NOTION_TOKEN.match(name):
        given = "looks like a token" if _NOTION_TOKEN.match(name) else "is not such a name"
        raise ConfigError(
            f"{source}: {key} must be the name of an environment variable (letters, digits and "
            f"_, not starting with a digit) that holds {holds}; the value given {given}, and "
            "is not shown in case it is the secret itself",
            hint=f'name the variable in the file (e.g. {key.rsplit(".", 1)[-1]} = "MY_VARIABLE") '
            "and put the secret in the environment (export MY_VARIABLE=...)",
        )
    return name


def _base_url(value: Any, key: str, source: str) -> str | None:
    """``notion_base_url``: scheme, host and port only; a user name or password is refused.

    httpx would send credentials in the URL as Basic auth instead of the bearer token, and the
    URL is printed in messages such as "cannot reach ...": neither may happen to a password.
    """
    if not value:
        return None
    url = str(value).strip()
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc or parts.scheme not in ("http", "https") or not parts.hostname:
        has_credentials = "@" in parts.netloc
        raise ConfigError(
            f"{source}: {key} must be an http(s) URL with no user name or password"
            + (" (the value given has one, so it is not shown)" if has_credentials else ""),
            hint="give only the scheme, host and port, e.g. notion_base_url = "
            '"http://127.0.0.1:8765"; the token always comes from notion_token_env',
        )
    return url


def _database_id(spec: Mapping[str, Any], key: str, prefix: str, source: str) -> str:
    """A database id (or the database's Notion URL) from config, checked before any request."""
    database_id = normalise_id(spec[key])
    if not _NOTION_ID.match(database_id):
        raise ConfigError(
            f"{source}: {prefix}{key} = {str(spec[key])!r} is not a Notion database id",
            hint="copy the 32 hex digits (with or without dashes) from the database's URL, or "
            "paste the whole URL",
        )
    return database_id


def normalise_id(value: Any) -> str:
    """A Notion id given with or without dashes, or as a page URL, as 32 bare hex digits."""
    text = str(value).strip().split("?", 1)[0].replace("-", "").lower()
    return text[-32:] if "/" in text else text


def _reject_shared_databases(settings: Settings) -> None:
    seen: dict[str, str] = {}
    for env in settings.environments.values():
        for key in ("calendar_database_id", "past_calendar_database_id"):
            database_id = getattr(env, key)
            where = f"environments.{env.name}.{key}"
            if database_id in seen:
                raise ConfigError(
                    f"{settings.source}: {where} is the same database as {seen[database_id]}",
                    hint="each environment needs its own CALENDAR and PAST CALENDAR databases",
                )
            seen[database_id] = where


def _alerts(table: Any, source: str) -> Alerts:
    _reject_unknown(table, {"webhook_url_env", "command", "repeat_after"}, source, "alerts.")
    variable = table.get("webhook_url_env", Alerts().webhook_url_env) or None
    return Alerts(
        webhook_url_env=None
        if variable is None
        else _variable_name(variable, "alerts.webhook_url_env", source, holds="the webhook URL"),
        command=str(table.get("command", "")),
        repeat_after=_duration(table, "repeat_after", Alerts().repeat_after, source),
    )


def _retry(table: Any, source: str) -> tuple[float, ...]:
    _reject_unknown(table, {"waits"}, source, "retry.")
    waits = table.get("waits", list(Settings().retry_waits))
    if not isinstance(waits, list) or not all(isinstance(w, int | float) and w >= 0 for w in waits):
        raise ConfigError(f"{source}: retry.waits must be a list of seconds, e.g. [0, 2, 4, 8, 16]")
    return tuple(float(w) for w in waits)


def _positive(
    table: Mapping[str, Any], key: str, default: float, source: str, prefix: str
) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{source}: {prefix}{key} must be a positive number")
    return float(value)


def _budget(table: Any, source: str) -> Budget:
    _reject_unknown(table, {"requests", "per_seconds", "concurrency"}, source, "budget.")
    default = Budget()
    requests = _whole(table, "requests", default.requests, source)
    per_seconds = _positive(table, "per_seconds", default.per_seconds, source, "budget.")
    concurrency = _whole(table, "concurrency", default.concurrency, source)
    return Budget(requests, per_seconds, concurrency)


def _whole(table: Mapping[str, Any], key: str, default: int, source: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{source}: budget.{key} must be a whole number >= 1")
    return value


def _guards(table: Any, source: str) -> Guards:
    _reject_unknown(table, {"max_trash_share", "min_trash_to_check"}, source, "guards.")
    share = table.get("max_trash_share", Guards().max_trash_share)
    minimum = table.get("min_trash_to_check", Guards().min_trash_to_check)
    if not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ConfigError(f"{source}: guards.max_trash_share must be between 0 and 1")
    if not isinstance(minimum, int) or minimum < 0:
        raise ConfigError(f"{source}: guards.min_trash_to_check must be a whole number >= 0")
    return Guards(float(share), minimum)


def _pages(table: Any, source: str) -> TitleShows:
    _reject_unknown(table, {"title"}, source, "pages.")
    shows = table.get("title", "shift")
    if shows not in ("shift", "engineer"):
        raise ConfigError(
            f'{source}: pages.title must be "shift" (date, rotation and engineer, the default) '
            'or "engineer" (the final engineer alone)'
        )
    return "engineer" if shows == "engineer" else "shift"


def _properties(table: Any, source: str) -> PropertyNames:
    known = set(PropertyNames.field_names())
    _reject_unknown(table, known, source, "properties.")
    names = PropertyNames(**{key: str(value) for key, value in table.items()})
    if len(set(names.types())) != len(known):
        raise ConfigError(f"{source}: [properties] gives two properties the same name")
    return names
