"""Every enumeration of the domain, each one ``Literal`` read by ``typing.get_args``. [core]

Click choices, statuses and kinds everywhere come from these, so none can drift from another.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

Table: TypeAlias = Literal["schedule", "override"]
Database: TypeAlias = Literal["calendar", "past"]
ChangeOp: TypeAlias = Literal["insert", "update", "delete"]
RunKind: TypeAlias = Literal["drain", "reconcile", "resync", "rollback", "adopt"]
# What a page's title shows: the shift ("2026-03-10 AM · Ada Lovelace", syncer's own), or the
# final engineer alone (as the scheduler app's own sync writes it, in a title it names so).
TitleShows: TypeAlias = Literal["shift", "engineer"]
# What started a run: a command ("cli", "run": after the generator), a drain's due reconcile
# ("auto"), the service ("watch"), the demo, a benchmark, or a drain that found change capture
# off and restored it ("restore": its reconcile reads everything the triggers missed).
Trigger: TypeAlias = Literal["cli", "run", "auto", "watch", "demo", "bench", "restore"]
RunStatus: TypeAlias = Literal[
    "running", "succeeded", "partial", "failed", "refused", "interrupted"
]
# A dry run's result is never stored: "planned" is a status of results, not of runs.
ResultStatus: TypeAlias = Literal[RunStatus, "planned"]
ActionKind: TypeAlias = Literal[
    "create", "update", "trash", "restore", "move", "adopt", "forget", "skip"
]
# What Notion may answer that the plan foresees an alternative for (see core.actions): a move
# refused, the page trashed by hand since syncer last saw it, the page deleted for good, a move
# that did not keep the page's values.
Condition: TypeAlias = Literal["move_refused", "page_trashed", "page_gone", "values_lost"]
# "unknown": written before a call that may create a page, replaced by the outcome; one left
# behind means the run died waiting for Notion's answer (the next drain looks the key up).
ActionStatus: TypeAlias = Literal["applied", "failed", "skipped", "unknown"]
# What undoing a change range does to one schedule row.
RowUndo: TypeAlias = Literal["delete", "restore", "change"]
# What an integration's token may do, as Notion's integration settings name them.
Capability: TypeAlias = Literal[
    "read_content", "update_content", "insert_content", "read_users", "read_user_emails"
]
# What `notion check` found out about a capability ("unchecked": only --write-test can tell;
# "unknown": nothing to tell it by, e.g. emails in a workspace without persons).
CapabilityState: TypeAlias = Literal["present", "missing", "unchecked", "unknown"]

# Notion's documented error codes, and syncer's own for failures that carry none: no answer in
# time, a dropped or refused connection, a read cut short by the result cap, an answer that is
# not Notion's JSON, an SDK error before sending, a code Notion has not documented.
NotionCode: TypeAlias = Literal[
    "invalid_json",
    "invalid_request_url",
    "invalid_request",
    "invalid_grant",
    "validation_error",
    "missing_version",
    "unauthorized",
    "restricted_resource",
    "object_not_found",
    "conflict_error",
    "rate_limited",
    "internal_server_error",
    "bad_gateway",
    "service_unavailable",
    "database_connection_unavailable",
    "gateway_timeout",
    "service_overload",
    "timeout",
    "connection",
    "unreachable",
    "incomplete_read",
    "bad_response",
    "client_error",
    "unknown_error",
]

# The schedule tables as the upstream app names them.
SQL_TABLE_NAMES: dict[Table, str] = {
    "schedule": "oncall_schedule",
    "override": "oncall_schedule_overrides",
}

DATABASES: tuple[Database, ...] = get_args(Database)
TRIGGERS: tuple[Trigger, ...] = get_args(Trigger)
NOTION_CODES: tuple[NotionCode, ...] = get_args(NotionCode)
RUN_KINDS: tuple[RunKind, ...] = get_args(RunKind)
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
ACTION_KINDS: tuple[ActionKind, ...] = get_args(ActionKind)
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)
# The kinds that change Notion (adopt, forget and skip only change the mapping or the audit).
WRITE_KINDS: frozenset[ActionKind] = frozenset({"create", "update", "trash", "restore", "move"})
