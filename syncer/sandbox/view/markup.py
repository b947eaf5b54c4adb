"""HTML built from escaped parts: every string becomes text unless it is already :class:`Html`.

The view never formats user data into markup by hand: ``el("td", title)`` escapes ``title``, so a
page title holding ``<script>`` is shown as text. Attribute values are escaped the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode


class Html(str):
    """Markup that is already safe; :func:`el` inserts it as is."""

    __slots__ = ()


def text(value: object) -> Html:
    """``value`` as escaped text."""
    return Html(escape(str(value), quote=True))


def join(parts: Iterable[object]) -> Html:
    """Children joined, each escaped unless it is :class:`Html` (None is skipped)."""
    out = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, Html):
            out.append(part)
        elif isinstance(part, str | int | float):
            out.append(text(part))
        else:
            out.append(join(part))  # type: ignore[arg-type]  # a nested iterable of children
    return Html("".join(out))


def attributes(attrs: dict[str, object]) -> Html:
    """` name="value"` pairs; ``cls`` becomes ``class``, ``data_x`` becomes ``data-x``, a True
    value stands alone, and False or None drop the attribute."""
    out = []
    for key, value in attrs.items():
        name = "class" if key == "cls" else key.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{text(value)}"')
    return Html("".join(out))


def el(tag: str, *children: object, **attrs: object) -> Html:
    """One element: ``el("a", "next", href="/?week=2026-11-30", cls="arrow")``."""
    return Html(f"<{tag}{attributes(attrs)}>{join(children)}</{tag}>")


def void(tag: str, **attrs: object) -> Html:
    """An element without content, such as ``input`` or ``meta``."""
    return Html(f"<{tag}{attributes(attrs)}>")


def href(path: str, params: dict[str, str | None]) -> str:
    """A link to ``path`` with the given query parameters (None values left out)."""
    kept = {key: value for key, value in params.items() if value}
    return f"{path}?{urlencode(kept)}" if kept else path
