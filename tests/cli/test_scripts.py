"""What a script reads from syncer: one JSON document on stdout, documented error codes, and
exit codes that never say "all is well" while a shift is missing from Notion."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from syncer.cli import main
from syncer.cli._support import ERROR_CODES, SYNCER_CODES
from syncer.core.kinds import NOTION_CODES
from tests.support.cli import TOKEN_VARIABLE, Cli

TODAY = "2026-03-11"
ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def syncer_process(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """`syncer ARGS` as a real process (its children write to the real stdout)."""
    command = [
        str(Path(sys.executable).with_name("syncer")),
        *("--db", str(cli.db), "--config", str(cli.config), "--env", "test", "--today", TODAY),
        *args,
    ]
    env = {**os.environ, TOKEN_VARIABLE: cli.token}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_json_run_keeps_the_generators_stdout_out_of_the_json(cli: Cli) -> None:
    """`--json run -- GEN`: what the generator prints goes to stderr; stdout parses as JSON."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    generator = [sys.executable, "-c", "print('generated 14 days')"]

    done = syncer_process(cli, "--json", "run", "--", *generator)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["status"] == "succeeded"
    assert "generated 14 days" in done.stderr
    assert "stdout goes to stderr" in cli("run", "--help").stdout.replace("\n  ", " ")


def test_without_json_the_generators_stdout_stays_on_stdout(cli: Cli) -> None:
    """Text mode changes nothing: the generator's lines are on stdout, before the summary."""
    done = syncer_process(cli, "run", "--", sys.executable, "-c", "print('generated')")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("generated\n")


def readme_codes() -> set[str]:
    """The JSON error codes the README's exit-code section lists (in backticks)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- json-error-codes:start -->", 1)[1]
    section = section.split("<!-- json-error-codes:end -->", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", section))


def test_the_readme_lists_exactly_the_error_codes_syncer_answers() -> None:
    """Every code syncer or Notion can put in a JSON error is documented, and nothing else."""
    assert readme_codes() == set(SYNCER_CODES) | set(NOTION_CODES)


def test_a_generator_that_cannot_start_answers_a_documented_code(cli: Cli) -> None:
    """`--json run -- no-such-generator`: exit 127, code generator_not_runnable, not "error"."""
    result = cli("--json", "run", "--", "/nonexistent/generate-schedule")

    assert result.exit_code == 127
    assert json.loads(result.stdout)["error"]["code"] == "generator_not_runnable"


def commands(
    group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every command's path in click's tree (groups included)."""
    found = [path]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += commands(command, ctx, (*path, name))
        else:
            found.append((*path, name))
    return found


def every_command() -> list[tuple[str, ...]]:
    with click.Context(main) as ctx:
        return [path for path in commands(main, ctx) if path and path[0] not in ("demo",)]


@pytest.mark.parametrize("path", every_command(), ids=" ".join)
def test_every_command_fails_with_a_documented_code(path: tuple[str, ...], tmp_path: Path) -> None:
    """Each command, given a bad option, and run with no config or a database that is not
    SQLite, answers JSON whose code is in the README's list."""
    bad_db = tmp_path / "schedule.txt"
    bad_db.write_text("not a database")
    config = tmp_path / "missing.toml"
    attempts = [
        ["--json", *path, "--no-such-option"],
        ["--json", "--db", str(bad_db), "--config", str(config), "--env", "x", *path],
    ]
    if path == ("sandbox", "serve"):
        attempts = attempts[:1]  # given good options, it serves until stopped
    for args in attempts:
        result = CliRunner().invoke(main, args, env={"SYNCER_SANDBOX_URL": closed_url()})
        if result.exit_code == 0:
            continue  # a group's help, or a command that needs neither
        document = json.loads(result.stdout)
        assert document["error"]["code"] in ERROR_CODES, (args, document)


def closed_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


@pytest.mark.parametrize(
    "env",
    [{TOKEN_VARIABLE: "secret_wrong"}, {TOKEN_VARIABLE: ""}],
    ids=["refused token", "empty token"],
)
def test_notion_errors_under_json_answer_documented_codes(cli: Cli, env: dict[str, str]) -> None:
    """A refused token and a config error: JSON codes from the documented list."""
    for command in (("plan",), ("drain",), ("plan", "--detailed-exitcode"), ("notion", "check")):
        result = cli("--today", TODAY, "--json", *command, env=env)
        assert json.loads(result.stdout)["error"]["code"] in ERROR_CODES, command


def test_plan_detailed_exitcode_is_2_while_a_bad_row_is_skipped(cli: Cli) -> None:
    """A bad row's shift is not in Notion: `plan --detailed-exitcode` exits 2, not 0."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "Night", "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 1

    planned = cli("--today", TODAY, "plan", "--detailed-exitcode")

    assert planned.exit_code == 2
    assert "skip" in planned.stdout
    cli.app.delete(TODAY, "Night")
    assert cli("--today", TODAY, "plan", "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("broken", ["token", "port"])
def test_notion_check_exits_2_as_its_help_says_for_a_wrong_token_or_a_dead_port(
    cli: Cli, broken: str
) -> None:
    """`notion check` answers "can syncer work there?": 0 or 2, never 1."""
    env = {TOKEN_VARIABLE: "secret_wrong"} if broken == "token" else {}
    if broken == "port":
        text = cli.config.read_text().replace(cli.sandbox.url, closed_url())
        cli.config.write_text(text)

    result = cli("notion", "check", env=env)

    assert result.exit_code == 2
    assert "error: " in result.stderr
    assert "2 when something must be fixed" in cli("notion", "check", "--help").stdout


def test_a_quiet_drain_with_bad_rows_left_is_never_silent_nor_0(cli: Cli) -> None:
    """`drain -q` under cron: each drain while a bad row stays exits 1 and names it."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "Night", "ada@example.com")
    first = cli("--today", TODAY, "-q", "drain")

    later = [cli("--today", TODAY, "-q", "drain") for _ in range(2)]

    assert first.exit_code == 1
    for result in later:
        assert result.exit_code == 1
        assert "bad row 2026-03-11/Night" in result.output
    cli.app.delete(TODAY, "Night")
    fixed = cli("--today", TODAY, "-q", "drain")
    assert (fixed.exit_code, fixed.output) == (0, "")
    assert cli("--today", TODAY, "-q", "drain").output == ""


def test_the_readme_exit_code_table_lists_every_exit_code_syncer_uses() -> None:
    """Each exit code the command line defines has its row in the README's table."""
    from syncer.cli import _support, sync

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    listed = {
        int(code)
        for row in table.splitlines()[2:]
        for code in re.findall(r"\d+", row.split("|")[1])
    }
    defined = {
        value
        for module in (_support, sync)
        for name, value in vars(module).items()
        if name.startswith("EXIT_") and isinstance(value, int)
    }
    assert defined | {143} == listed
