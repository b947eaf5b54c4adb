"""Scripted faults: rules matched on method and path that fail, delay, or break requests."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from syncer.sandbox.errors import CODE_BY_STATUS, ApiError, status_error
from syncer.sandbox.ids import new_id

KINDS = ("status", "delay", "apply_then_fail", "apply_then_drop")
STATUSES = frozenset(CODE_BY_STATUS)
_FIELDS = {
    "kind",
    "method",
    "path",
    "status",
    "code",
    "message",
    "retry_after",
    "committed_resource_id",
    "delay_ms",
    "times",
    "probability",
}


@dataclass(slots=True)
class FaultRule:
    """One fault rule (the JSON format of ``POST /_sandbox/faults``; see docs/sandbox.md).

    ``kind``: ``status`` answers ``status`` without doing anything; ``delay`` waits ``delay_ms``
    and then handles the request normally; ``apply_then_fail`` performs the request and then
    answers ``status``; ``apply_then_drop`` performs it and breaks the connection mid-response.
    """

    kind: str = "status"
    method: str = "*"
    path: str = "*"
    status: int = 500
    code: str | None = None
    message: str | None = None
    retry_after: int | None = None
    committed_resource_id: bool | str = False
    delay_ms: int = 0
    times: int | None = 1
    probability: float = 1.0
    id: str = field(default_factory=new_id)
    fired: int = 0

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        """A rule from its JSON form.

        Raises:
            ValueError: for unknown fields or values out of range.
        """
        if not isinstance(data, dict):
            raise ValueError("a fault rule is a JSON object")
        unknown = set(data) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault rule fields: {', '.join(sorted(unknown))}")
        rule = cls(**data)
        rule.method = rule.method.upper()
        rule.check()
        return rule

    def check(self) -> None:
        """Raise ``ValueError`` when a field is out of range."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.kind in ("status", "apply_then_fail") and self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or null for always)")
        if self.delay_ms < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ValueError("delay_ms and retry_after must be >= 0")

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON, including its ``id`` and how often it ``fired``."""
        return asdict(self)

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to ``method`` and ``path`` (a glob such as ``/v1/pages/*``)."""
        method_ok = self.method in ("*", method)
        return method_ok and fnmatch.fnmatchcase(path, self.path)

    def error(self, resource_id: str | None = None) -> ApiError:
        """The error response this rule answers with."""
        error = status_error(self.status, self.code, self.message)
        retry_after = self.retry_after
        if retry_after is None and self.status in (429, 529):
            retry_after = 1
        if retry_after is not None:
            error.headers["Retry-After"] = str(retry_after)
        if self.status == 429:
            error.additional_data = {
                "retry_after": str(retry_after),
                "rate_limit_reason": "public_api_request_rate_limit",
            }
        committed = self.committed_resource_id
        if isinstance(committed, str) or (committed and resource_id):
            error.additional_data = {
                "committed_resource_id": committed if isinstance(committed, str) else resource_id
            }
        return error


class FaultBook:
    """The active rules, in the order they were added; the first applicable one fires."""

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        """Append ``rule``."""
        self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        """Every active rule as JSON."""
        return [rule.to_json() for rule in self._rules]

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (its ``times`` goes down by one)."""
        for rule in self._rules:
            if not rule.matches(method, path) or self._random.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    self._rules.remove(rule)
            return rule
        return None
