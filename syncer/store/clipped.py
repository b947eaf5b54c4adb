"""The length syncer's own text columns may take: what syncer writes about a row stays small.

The schedule's rows are kept whole, whatever their size; an error, a failing key's last error
or a problem's detail is cut to :data:`MAX_TEXT` characters when written, so a 10 MB value
quoted in an error cannot grow the file by 10 MB a run. (The reasons the core writes are
already short; this is the store's own guarantee.)
"""

from __future__ import annotations

MAX_TEXT = 1_000


def clipped(text: str | None) -> str | None:
    """``text`` cut to :data:`MAX_TEXT` characters, marked with an ellipsis and its length."""
    if text is None or len(text) <= MAX_TEXT:
        return text
    return f"{text[: MAX_TEXT - 30]}… ({len(text):,} characters)"
