"""The demo's telling: chapters and steps as a terminal shows them, the epilogue, the JSON
summary. Loaded when `syncer demo` runs (it needs the sandbox), never for `--help`."""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from loguru import logger
from rich.console import Console
from rich.markup import escape

from syncer.cli import _render as render
from syncer.cli._globals import Globals
from syncer.cli._logging import setup_logging
from syncer.cli._signals import wait_for_signal
from syncer.cli._support import EXIT_ACTIONS_FAILED, Tidy, emit_json, safe, table
from syncer.core.errors import UserError
from syncer.demo import (
    TIMEZONE,
    TOKEN_VARIABLE,
    Chapter,
    DemoFiles,
    DemoStep,
    demo_sandbox,
    demo_today,
    pick_port,
    tell_story,
)
from syncer.engine import RunResult
from syncer.sandbox.server import RunningSandbox
from syncer.store.audit import AuditEntry

WIDTH = 80
INDENT = "   "
_EVENT = re.compile(r"^[a-z_]+\.[a-z_]+: ")  # "people.unmapped: " reads as noise in a story
_LEVELS = {-2: "ERROR", -1: "WARNING", 0: "INFO", 1: "DEBUG"}


class _Indented:
    """A text file that indents every non-empty line it is given before passing it on."""

    def __init__(self, target: IO[str], prefix: str) -> None:
        self._target = target
        self._prefix = prefix
        self._fresh = True

    def write(self, text: str) -> int:
        out = []
        for piece in text.splitlines(keepends=True):
            ends = piece.endswith("\n")
            line = piece.rstrip() if ends else piece  # rich pads lines with spaces
            if self._fresh and line.strip():
                out.append(self._prefix)
            out.append(line + "\n" if ends else line)
            self._fresh = ends
        self._target.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return False


def _console(out: IO[str], indent: str, width: int) -> Console:
    """A console writing to ``out`` through an indenter, coloured if ``out`` is a terminal."""
    terminal = Console(file=out)
    return Console(
        file=_Indented(out, indent),  # type: ignore[arg-type]  # write and flush are enough
        width=width,
        highlight=False,
        force_terminal=terminal.is_terminal,
        no_color=terminal.no_color,
    )


class Teller:
    """Prints the story: chapter headings flush left, everything else indented, within 80
    columns; each distinct warning once."""

    def __init__(self, out: IO[str]) -> None:
        width = min(WIDTH, Console(file=out).width)
        self.head = _console(out, "", width)
        self.body = _console(out, INDENT, width - len(INDENT))
        self._seen: set[str] = set()
        self.chapters: list[str] = []  # what --json reports at the end
        self.runs: list[dict[str, object]] = []

    def __call__(self, item: Chapter | DemoStep) -> None:
        if isinstance(item, Chapter):
            self.chapters.append(item.title)
            self.head.print(f"\n[bold]{item.number}. {escape(item.title)}[/bold]")
            return
        if item.command:
            self.body.print(f"[cyan]$ {escape(item.command)}[/cyan]")
        if item.text:
            self.body.print(escape(item.text))
        for line in item.lines:
            self.body.print(f"  {escape(line)}")
        self._data(item)
        if item.result is not None and item.result.run_id is not None:
            self.runs.append(render.run_json(item.result))

    def _data(self, item: DemoStep) -> None:
        if item.result is not None:
            self.body.print(run_line(item.result))
        if item.runs:
            self.body.print(render.runs_table(item.runs))
        if item.actions:
            self.body.print(actions_table(item.actions))
        if item.rollback is not None:
            render.print_rollback(self.body, item.rollback)

    def note(self, message: str) -> None:
        """A log line from the engine, told once however many runs repeat it."""
        text = _EVENT.sub("", message.strip())
        if text not in self._seen:
            self._seen.add(text)
            self.body.print(f"[yellow]note:[/yellow] {escape(text)}")

    @contextmanager
    def logging(self, options: Globals) -> Iterator[None]:
        """Route syncer's log lines into the story for the duration of the block."""
        level = _LEVELS[max(-2, min(1, options.verbosity))]
        logger.remove()
        logger.add(lambda message: self.note(message.record["message"]), level=level)
        try:
            yield
        finally:
            setup_logging(options)


def actions_table(entries: Iterable[AuditEntry]) -> Tidy:
    """Audit rows narrowly enough for the story: key, action, final engineer before -> after
    (or the error of an action that failed)."""
    rows = table("key", "action", "final engineer (or error)")
    for entry in entries:
        record = entry.record
        before = render.final_email(record.before)
        after = render.final_email(record.after)
        change = f"{before} -> {after}" if before and after and before != after else after
        detail = f"{record.status}: {record.error}" if record.status == "failed" else change
        rows.add_row(safe(str(record.key)), record.action, safe(str(detail or "")))
    return Tidy(rows)


def run_line(result: RunResult) -> str:
    """One line per run: what it did and how many requests it cost."""
    if result.run_id is None:
        return f"{result.kind}: nothing left to do"
    done = result.outcome.by_kind
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(done.items())) or "no writes"
    colour = "green" if result.ok else "red"
    status = f"[{colour}]{result.status}[/{colour}]"
    return (
        f"run {result.run_id} {result.kind} {status}: {summary} ({result.requests} Notion requests)"
    )


def _epilogue(out: Console, files: DemoFiles | None, sandbox: RunningSandbox, serve: bool) -> None:
    url = sandbox.url
    if files is not None:
        out.print(f"\nEverything is kept in {escape(str(files.folder))}:")
        out.print("  oncall.db     the schedule with syncer's tables (SQLite)")
        out.print("  syncer.toml   environment 'sandbox', pointing at the sandbox")
        out.print("  sandbox.json  the sandbox's workspace")
        where = " (in another terminal)" if serve else ""
        out.print(f"Carry on with the README's commands{where}:")
        out.print(f"  cd {escape(shlex.quote(str(files.folder)))}")
        if not serve:
            port = url.rpartition(":")[2]
            out.print(f"  syncer sandbox serve --state sandbox.json --port {port} &")
        out.print(f"  export {TOKEN_VARIABLE}={sandbox.syncer_token}")
        out.print("  syncer --config syncer.toml --db oncall.db audit runs")
    if serve:
        out.print(f"\nThe sandbox is serving: open {url}/?tz={TIMEZONE}")
        out.print("Press Ctrl+C to stop it.")
    if files is None and not serve:
        out.print("\nTo keep the files and look at the sandbox's calendar afterwards:")
        out.print("  syncer demo --dir demo --serve")


def _summary(
    teller: Teller, ok: bool, files: DemoFiles | None, sandbox: RunningSandbox, serve: bool
) -> dict[str, object]:
    """The `demo --json` document: the chapters told, the runs made, where things are."""
    return {
        "in_sync": ok,
        "chapters": teller.chapters,
        "runs": teller.runs,
        "dir": str(files.folder) if files is not None else None,
        "url": sandbox.url if serve else None,
    }


def tell(globals_: Globals, workdir: Path | None, serve: bool, port: int | None) -> None:
    """Tell the story (the `demo` command's body); exit 1 when it did not end in sync."""
    # Under --json the story goes to stderr and stdout gets one JSON summary at the end.
    teller = Teller(sys.stderr if globals_.as_json else sys.stdout)
    today = globals_.today or demo_today()
    with tempfile.TemporaryDirectory(prefix="syncer-demo-") as tmp:
        files = DemoFiles(workdir or Path(tmp))
        if files.leftovers():
            raise UserError(
                f"{files.folder} already holds {', '.join(files.leftovers())} from a demo",
                hint="give --dir an empty or new folder, or remove those files",
            )
        files.folder.mkdir(parents=True, exist_ok=True)
        state = files.state if workdir else None
        with demo_sandbox(state, pick_port(port)) as sandbox:
            teller.head.print(
                "syncer demo: the whole story against the sandbox, a local Notion emulator."
            )
            with teller.logging(globals_):
                ok = tell_story(sandbox, files, today, teller)
            _epilogue(teller.head, files if workdir else None, sandbox, serve)
            if globals_.as_json:
                emit_json(_summary(teller, ok, files if workdir else None, sandbox, serve))
            if serve:
                wait_for_signal()
    if not ok:
        raise SystemExit(EXIT_ACTIONS_FAILED)
