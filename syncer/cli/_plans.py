"""A plan as every preview shows it (`plan`, `drain --dry-run`, `reconcile --dry-run`, and the
steps of `rollback --dry-run`): its actions, the alternatives they hold, the guards' verdict.

One renderer, so the three previews say the same thing the same way, as text or as the JSON
contract of ``--json``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console

from syncer.cli._support import Tidy, cut, safe, table
from syncer.core import Action, Plan, SkipKey, as_raw
from syncer.core.actions import CONDITIONS, Alternative, Verdict

_STEP_WORDS = {
    "create": "create it in {database}",
    "update": "write its values",
    "trash": "trash the old page",
    "restore": "restore it",
    "move": "move it",
}


def plan_json(the_plan: Plan) -> dict[str, Any]:
    """The plan as ``--json`` prints it: every action (with its alternatives) and the verdict."""
    return {
        "actions": [action_json(action) for action in the_plan.actions],
        "guard": verdict_json(the_plan.verdict),
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {"refused": verdict.refused, "reason": verdict.refusal, "hint": verdict.hint}


def action_json(action: Action) -> dict[str, Any]:
    """One action as the ``--json`` contract prints it."""
    if isinstance(action, SkipKey):
        raw = as_raw(action.key)  # a bad row's key may not even parse
        date, rotation = raw.date, raw.rotation
    else:
        date, rotation = action.key.date.isoformat(), action.key.rotation
    item: dict[str, Any] = {
        "action": action.kind,
        "date": date,
        "rotation": rotation,
        "page_id": getattr(action, "page_id", None),
        "database": getattr(action, "database", None) or getattr(action, "target", None),
    }
    reason = getattr(action, "reason", None)
    if reason:
        item["reason"] = reason
    content = getattr(action, "content", None)
    if content is not None:
        item["final_engineer_email"] = content.final_email
    alternatives: tuple[Alternative, ...] = getattr(action, "alternatives", ())
    if alternatives:
        item["alternatives"] = [
            {"when": alt.when, "actions": [action_json(step) for step in alt.actions]}
            for alt in alternatives
        ]
    return item


def print_plan(console: Console, the_plan: Plan) -> None:
    """The plan as a table, the alternatives it holds, and the guards' verdict."""
    if not the_plan.actions:
        console.print("In sync: nothing to do.")
        print_verdict(console, the_plan.verdict)
        return
    rows = table("action", "key", "database", "page", "detail")
    for action in the_plan.actions:
        item = action_json(action)
        detail = item.get("reason") or item.get("final_engineer_email") or ""
        rows.add_row(
            item["action"],
            safe(f"{item['date']}/{item['rotation']}"),  # a bad row's key is raw text
            item["database"] or "",
            (item["page_id"] or "")[:8],
            cut(detail),
        )
    console.print(Tidy(rows, "Plan"))
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(the_plan.counts().items()))
    console.print(f"{len(the_plan.actions)} actions: {counts}")
    print_alternatives(console, the_plan)
    print_verdict(console, the_plan.verdict)


def print_alternatives(console: Console, the_plan: Plan) -> None:
    """What the plan does instead if Notion answers otherwise, grouped by action kind."""
    found: Counter[tuple[str, str]] = Counter()
    for action in the_plan.actions:
        for alt in getattr(action, "alternatives", ()):
            found[(action.kind, _alternative_text(alt))] += 1
    if not found:
        return
    console.print("Planned alternatives (taken only if Notion answers so):")
    for (kind, text), n in sorted(found.items()):
        console.print(f"  {n} {kind}{'s' if n != 1 else ''}: {safe(text)}")


def print_verdict(console: Console, verdict: Verdict) -> None:
    if verdict.refusal is None:
        return
    console.print(f"[red]Guard: this plan is refused[/red]: {safe(verdict.refusal)}")
    if verdict.hint:
        console.print(f"  next: {safe(verdict.hint)}")


def _alternative_text(alt: Alternative) -> str:
    steps = [
        _STEP_WORDS[step.kind].format(database=getattr(step, "database", ""))
        for step in alt.actions
    ]
    return f"{CONDITIONS[alt.when]}: {', then '.join(steps)}"
