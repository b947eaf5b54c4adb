"""The README's command reference, generated from the commands' own help.

``make readme`` rewrites the section between the markers; a test fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

import click

START = "<!-- commands:start -->"
END = "<!-- commands:end -->"


def _walk(command: click.Command, name: str, parent: click.Context | None) -> list[tuple[str, str]]:
    """(full name, help text) for a command and everything below it, as users see them."""
    settings = {**command.context_settings, "terminal_width": 100, "max_content_width": 100}
    context = click.Context(command, info_name=name, parent=parent, **settings)
    found = [(context.command_path, command.get_help(context).rstrip())]
    if isinstance(command, click.Group):
        for sub in command.list_commands(context):
            child = command.get_command(context, sub)
            assert child is not None, f"{context.command_path} lists {sub} but has no such command"
            found.extend(_walk(child, sub, context))
    return found


def commands_reference(root: click.Group) -> str:
    """Every command's ``--help``, as Markdown."""
    return "\n".join(
        f"### `{path}`\n\n```text\n{text}\n```\n" for path, text in _walk(root, "syncer", None)
    )


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
