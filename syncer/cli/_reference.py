"""The README's command reference, generated from the commands' own help.

``make readme`` rewrites the section between the markers; a test fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

import click

START = "<!-- commands:start -->"
END = "<!-- commands:end -->"


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def commands_reference(root: click.Group) -> str:
    """Every command's ``--help``, as Markdown."""
    parts = []
    for path, command in _walk(root, ["syncer"]):
        name = " ".join(path)
        info = click.Context(command, info_name=name, terminal_width=100, max_content_width=100)
        text = command.get_help(info).rstrip()
        parts.append(f"### `{name}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def updated_readme(readme: str, reference: str) -> str:
    """The README with its command section replaced by ``reference``."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n\n{reference}\n{END}{tail}"


def main() -> None:
    from syncer.cli import main as root

    path = Path("README.md")
    path.write_text(updated_readme(path.read_text(), commands_reference(root)))


if __name__ == "__main__":
    main()
