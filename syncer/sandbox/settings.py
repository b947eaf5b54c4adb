"""The sandbox's settings: integrations and tokens, rate limit, latency and persistence."""

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


@dataclass(frozen=True, slots=True)
class IntegrationSpec:
    """One internal integration: its token, bot name, and whether it may read users' emails."""

    token: str
    name: str
    read_emails: bool = True

    @classmethod
    def parse(cls, spec: str) -> IntegrationSpec:
        """Parse the ``--token`` form ``TOKEN[:no-email]``.

        Raises:
            ValueError: when the token is empty or the suffix is unknown.
        """
        token, _, flag = spec.partition(":")
        if not token or flag not in ("", "email", "no-email"):
            raise ValueError(f"expected TOKEN or TOKEN:no-email, got {spec!r}")
        return cls(token=token, name=f"Integration {token[:12]}", read_emails=flag != "no-email")


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

    @property
    def integrations(self) -> tuple[IntegrationSpec, ...]:
        """The two default integrations, then the extra ones."""
        return DEFAULT_INTEGRATIONS + self.extra_integrations

    def runtime_json(self) -> dict[str, Any]:
        """The settings ``PATCH /_sandbox/settings`` can change, as JSON."""
        limit = self.rate_limit
        return {
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "rate_limit": None
            if limit is None
            else {"requests": limit.requests, "seconds": limit.seconds},
            "exact_timestamps": self.exact_timestamps,
        }

    def with_changes(self, changes: dict[str, Any]) -> SandboxSettings:
        """A copy with run-time settings changed from JSON-like values.

        Raises:
            ValueError: for an unknown key or a bad value.
        """
        allowed = {"latency_ms", "jitter_ms", "rate_limit", "exact_timestamps"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = dict(changes)
        if "rate_limit" in values and not isinstance(values["rate_limit"], RateLimit | None):
            values["rate_limit"] = RateLimit.from_json(values["rate_limit"])
        for key in ("latency_ms", "jitter_ms"):
            if key in values and (not isinstance(values[key], int | float) or values[key] < 0):
                raise ValueError(f"{key} must be a number >= 0")
        return dataclasses.replace(self, **values)
