"""The sandbox's settings: integrations (tokens and capabilities), rate limits, latency, how a
move treats property values, how dates read back, the query result cap, and persistence."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYNCER_TOKEN = "ntn_sandbox_syncer_token_000000000000000000000000000000"
"""The default integration the syncer uses (the first of ``/_sandbox/info``'s ``tokens``)."""

HUMAN_TOKEN = "ntn_sandbox_human_token_0000000000000000000000000000000"
"""The default integration for acting as a person who edits Notion by hand."""

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*")

CAPABILITIES = (
    "read_content",
    "update_content",
    "insert_content",
    "read_users",
    "read_user_emails",
)
"""An integration's capabilities, as Notion's integration settings offer them."""

MOVE_VALUES = ("keep-by-name", "title-only")
"""What a move into another data source keeps (undocumented by Notion; see docs/sandbox.md)."""

MOVE_ANSWERS = ("page", "id")
"""How a move is answered: the whole page, or ``{object, id}`` (both allowed by Notion's types)."""


def parse_capabilities(value: Any) -> frozenset[str]:
    """A list of capability names (or a comma-separated string) as a set.

    Raises:
        ValueError: for a name that is not one of :data:`CAPABILITIES`.
    """
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple):
        raise ValueError(f"capabilities must be a list of: {', '.join(CAPABILITIES)}")
    chosen = frozenset(str(name).strip() for name in names if str(name).strip())
    unknown = sorted(chosen - set(CAPABILITIES))
    if unknown:
        raise ValueError(f"unknown capability {unknown[0]!r}; known: {', '.join(CAPABILITIES)}")
    return chosen


@dataclass(frozen=True, slots=True)
class IntegrationSpec:
    """One internal integration: its token, bot name, and what it may do."""

    token: str
    name: str
    capabilities: frozenset[str] = frozenset(CAPABILITIES)

    @property
    def read_emails(self) -> bool:
        return {"read_users", "read_user_emails"} <= self.capabilities

    @classmethod
    def parse(cls, spec: str) -> IntegrationSpec:
        """Parse the ``--token`` form ``TOKEN``, ``TOKEN:no-email`` or ``TOKEN:CAP,CAP,...``.

        Raises:
            ValueError: when the token is empty or a capability is unknown.
        """
        token, colon, flag = spec.partition(":")
        if not token:
            raise ValueError(f"expected TOKEN, TOKEN:no-email or TOKEN:CAP,CAP, got {spec!r}")
        capabilities = frozenset(CAPABILITIES)
        if flag == "no-email":
            capabilities -= {"read_user_emails"}
        elif colon and flag != "email":
            capabilities = parse_capabilities(flag)
        return cls(token=token, name=f"Integration {token[:12]}", capabilities=capabilities)


DEFAULT_INTEGRATIONS = (
    IntegrationSpec(SYNCER_TOKEN, "syncer"),
    IntegrationSpec(HUMAN_TOKEN, "Hand editor"),
)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A fixed-window budget: ``requests`` per ``seconds``, counted per token."""

    requests: int = 180
    seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.requests < 1 or self.seconds <= 0:
            raise ValueError("a rate limit needs at least 1 request per a positive window")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse ``N/SECONDS`` (for example ``180/60``).

        Raises:
            ValueError: when the text is not of that form.
        """
        match = _RATE.fullmatch(text)
        if not match:
            raise ValueError(f"expected N/SECONDS such as 180/60, got {text!r}")
        return cls(requests=int(match[1]), seconds=float(match[2]))

    @classmethod
    def from_json(cls, value: Any) -> RateLimit | None:
        """A rate limit from ``null``, ``"N/SECONDS"`` or ``{"requests": N, "seconds": S}``."""
        if value is None:
            return None
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, dict):
            return cls(requests=int(value["requests"]), seconds=float(value["seconds"]))
        raise ValueError("rate_limit must be null, 'N/SECONDS' or {requests, seconds}")


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """Everything the sandbox is started with; ``latency``/``rate_limit`` can change at run time."""

    host: str = "127.0.0.1"
    port: int = 0
    state_file: Path | None = None
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limit: RateLimit | None = field(default_factory=RateLimit)
    extra_integrations: tuple[IntegrationSpec, ...] = ()
    exact_timestamps: bool = False
    save_delay_s: float = 0.5
    # Notion publishes no workspace budget; None leaves only the per-token one.
    workspace_rate_limit: RateLimit | None = None
    move_values: str = "keep-by-name"
    move_answer: str = "page"
    dates_in_utc: bool = False
    query_result_cap: int = 10_000

    @property
    def integrations(self) -> tuple[IntegrationSpec, ...]:
        """The two default integrations, then the extra ones."""
        return DEFAULT_INTEGRATIONS + self.extra_integrations

    def runtime_json(self) -> dict[str, Any]:
        """The settings ``PATCH /_sandbox/settings`` can change, as JSON."""
        return {
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "rate_limit": _limit_json(self.rate_limit),
            "workspace_rate_limit": _limit_json(self.workspace_rate_limit),
            "exact_timestamps": self.exact_timestamps,
            "move_values": self.move_values,
            "move_answer": self.move_answer,
            "dates_in_utc": self.dates_in_utc,
            "query_result_cap": self.query_result_cap,
        }

    def with_changes(self, changes: dict[str, Any]) -> SandboxSettings:
        """A copy with run-time settings changed from JSON-like values.

        Raises:
            ValueError: for an unknown key or a bad value.
        """
        unknown = set(changes) - set(self.runtime_json())
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = dict(changes)
        for key in ("rate_limit", "workspace_rate_limit"):
            if key in values and not isinstance(values[key], RateLimit | None):
                values[key] = RateLimit.from_json(values[key])
        for key in ("latency_ms", "jitter_ms"):
            if key in values and (not isinstance(values[key], int | float) or values[key] < 0):
                raise ValueError(f"{key} must be a number >= 0")
        for key in ("exact_timestamps", "dates_in_utc"):
            if key in values and not isinstance(values[key], bool):
                raise ValueError(f"{key} must be true or false")
        return dataclasses.replace(self, **values).checked()

    def checked(self) -> SandboxSettings:
        """These settings, if every value is allowed.

        Raises:
            ValueError: naming the setting that is not.
        """
        if self.move_values not in MOVE_VALUES:
            raise ValueError(f"move_values must be one of {', '.join(MOVE_VALUES)}")
        if self.move_answer not in MOVE_ANSWERS:
            raise ValueError(f"move_answer must be one of {', '.join(MOVE_ANSWERS)}")
        cap = self.query_result_cap
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise ValueError("query_result_cap must be a whole number >= 1")
        return self


def _limit_json(limit: RateLimit | None) -> dict[str, float] | None:
    return None if limit is None else {"requests": limit.requests, "seconds": limit.seconds}
