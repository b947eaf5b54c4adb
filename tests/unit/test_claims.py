"""The claim line in a database's description: read back, written first, the rest kept."""

from __future__ import annotations

from typing import Any

from syncer.core.claims import Holder, claimed_description, holder_of, marker_line


def test_a_claim_is_read_from_a_description_in_the_form_a_request_takes() -> None:
    """What syncer sent (no plain_text yet) names the same file as what Notion answers."""
    sent = [{"type": "text", "text": {"content": marker_line("3f2a9c1b7d04", "ops:/srv/a.db")}}]
    answered = [{"type": "text", "plain_text": marker_line("3f2a9c1b7d04", "ops:/srv/a.db")}]

    assert holder_of(sent) == holder_of(answered) == Holder("3f2a9c1b7d04", "ops:/srv/a.db")
    assert holder_of([{"type": "text", "plain_text": "Team rota."}]) is None


def test_claiming_puts_this_files_line_first_and_keeps_what_a_person_wrote() -> None:
    """Another file's line is replaced; a mention and plain or styled text stay as they were."""
    bold = {"bold": True, "italic": False}
    mention = {
        "type": "mention",
        "mention": {"type": "user", "user": {"id": "u1"}},
        "plain_text": "@Ada",
        "href": None,
    }
    description: list[dict[str, Any]] = [
        {"type": "text", "plain_text": marker_line("0ther0file00", "laptop:/tmp/b.db")},
        {"type": "text", "text": {"content": "Team rota, "}, "plain_text": "Team rota, "},
        mention,
        {"type": "text", "text": {"content": " on call"}, "annotations": bold},
    ]

    claimed = claimed_description(description, "3f2a9c1b7d04", None)

    assert holder_of(claimed) == Holder("3f2a9c1b7d04")
    assert claimed[1:] == [
        {"type": "text", "text": {"content": "Team rota, "}},
        {"type": "mention", "mention": {"type": "user", "user": {"id": "u1"}}},
        {"type": "text", "text": {"content": " on call"}, "annotations": bold},
    ]
