"""The command line as scripts and cron jobs use it: output, JSON shapes and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from pathlib import Path

import click
from click.testing import CliRunner

from syncer.cli import main
from syncer.cli._reference import END, START, commands_reference
from syncer.core import LockHolder
from tests.support.cli import TOKEN_VARIABLE, Cli
from tests.support.harness import ENV, window_rows

TODAY = "2026-03-11"


def commands() -> list[tuple[str, object]]:
    import click

    found: list[tuple[str, object]] = []

    def walk(command: click.Command, path: str, context: click.Context | None) -> None:
        found.append((path, command))
        here = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=context)
        if isinstance(command, click.Group):
            for name in command.list_commands(here):
                sub = command.get_command(here, name)
                assert sub is not None
                walk(sub, f"{path} {name}", here)

    walk(main, "syncer", None)
    return found


def test_every_command_has_help_with_an_example() -> None:
    """A command without help or an Example: line is not finished."""
    import click

    missing = [
        path
        for path, command in commands()
        if isinstance(command, click.Command)
        and path != "syncer"
        and "Example:" not in (command.help or "")
    ]
    assert missing == []


def test_help_lists_every_summary_whole() -> None:
    """`syncer --help` and each group's help show each command's summary uncut."""
    import click
    from click.testing import CliRunner

    groups = [path for path, command in commands() if isinstance(command, click.Group)]
    for path in groups:
        listed = CliRunner().invoke(main, [*path.split()[1:], "--help"]).stdout
        assert "..." not in listed.split("Commands:", 1)[1], path


def test_the_readme_command_reference_is_current() -> None:
    """The README's command section is what `--help` says today (`make readme` updates it)."""
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    section = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert section == commands_reference(main).strip()


def test_drain_then_plan_reports_in_sync(cli: Cli) -> None:
    """After a drain, `plan --detailed-exitcode` exits 0 and `--json` lists no action."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    drained = cli("--today", TODAY, "--json", "drain")
    planned = cli("--today", TODAY, "--json", "plan", "--detailed-exitcode")

    assert drained.exit_code == 0, drained.output
    runs = json.loads(drained.stdout)["runs"]
    assert [run["status"] for run in runs] == ["succeeded", "succeeded"]
    assert planned.exit_code == 0
    assert json.loads(planned.stdout) == {
        "actions": [],
        "guard": {"refused": False, "reason": None, "hint": None},
    }


def test_every_preview_shows_the_guards_verdict_the_same_way(cli: Cli) -> None:
    """`plan`, `drain --dry-run` and `reconcile --dry-run` all show a refused plan and why; the
    dry runs exit 3 as the runs would, `plan` shows it as drift (2), and nothing is written."""
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)",
        window_rows(dt.date.fromisoformat(TODAY), 14, ["ada@example.com"]),
    )
    assert cli("--today", TODAY, "drain").exit_code == 0
    cli.app.execute("DELETE FROM oncall_schedule")

    previews = [
        cli("--today", TODAY, *command)
        for command in (
            ("plan", "--detailed-exitcode"),
            ("drain", "--dry-run"),
            ("reconcile", "--dry-run"),
        )
    ]
    guards = [
        json.loads(cli("--today", TODAY, "--json", *command).stdout)["guard"]
        for command in (("plan",), ("drain", "--dry-run"), ("reconcile", "--dry-run"))
    ]

    assert [preview.exit_code for preview in previews] == [2, 3, 3]
    for preview in previews:
        assert "Guard: this plan is refused" in preview.stdout
        assert "would trash the pages of 30 shifts" in preview.stdout
    assert all(guard == guards[0] for guard in guards)
    assert guards[0]["refused"] is True
    assert "--force" in guards[0]["hint"]
    assert cli("--today", TODAY, "--json", "plan").exit_code == 0  # still there: nothing written


def test_plan_shows_drift_as_json_and_exit_2(cli: Cli) -> None:
    """Pending work is drift: each action names its key; the detailed exit code is 2."""
    cli.app.schedule(TODAY, "PM", "ada@example.com")

    planned = cli("--today", TODAY, "--json", "plan", "--detailed-exitcode")

    assert planned.exit_code == 2
    [action] = json.loads(planned.stdout)["actions"]
    assert action["action"] == "create"
    assert (action["date"], action["rotation"]) == (TODAY, "PM")


def test_bad_rows_make_exit_1_and_are_named(cli: Cli) -> None:
    """A bad row is reported with its key; the run still syncs the rest and exits 1."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "Night", "ada@example.com")

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 1
    assert f"{TODAY}/Night" in result.stdout
    assert "unknown rotation" in result.stdout


def test_a_missing_token_variable_is_a_usage_error_naming_it(cli: Cli) -> None:
    """Exit 2, and the message names the variable to set."""
    result = cli("--today", TODAY, "drain", env={TOKEN_VARIABLE: ""})

    assert result.exit_code == 2
    assert TOKEN_VARIABLE in result.stderr


def test_no_environment_chosen_is_refused(cli: Cli) -> None:
    """There is no implicit prod."""
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--db", str(cli.db), "--config", str(cli.config), "drain"])

    assert result.exit_code == 2
    assert "no environment chosen" in result.stderr


def test_a_wrong_token_is_an_error_that_does_not_echo_the_token(cli: Cli) -> None:
    """401 from Notion exits non-zero without printing the token anywhere."""
    secret = "ntn_wrong_secret_value_1234567890"
    cli.app.schedule(TODAY, "AM", "ada@example.com")

    result = cli("--today", TODAY, "-v", "drain", env={TOKEN_VARIABLE: secret})

    assert result.exit_code == 1
    assert "Notion refused the token" in result.stderr
    assert secret not in result.output


def test_a_held_lock_exits_4_naming_the_holder(cli: Cli) -> None:
    """A second sync of the same environment exits 4 and says who holds the lock."""
    import datetime as dt

    from syncer.store import Store

    with Store.open(cli.db) as store:
        now = dt.datetime.now(dt.UTC)
        store.acquire_lock(ENV, LockHolder.parse("cron-host:4242"), now, dt.timedelta(minutes=30))

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 4
    assert "cron-host:4242" in result.stderr


def test_a_mass_deletion_is_refused_with_exit_3_until_forced(cli: Cli) -> None:
    """Deleting the whole schedule is refused before any write; --force applies it."""
    for day in range(9, 14):
        for rotation in ("AM", "Core", "PM"):
            cli.app.schedule(f"2026-03-{day:02d}", rotation, "ada@example.com")
    assert cli("--today", TODAY, "drain").exit_code == 0
    cli.app.execute("DELETE FROM oncall_schedule")

    refused = cli("--today", TODAY, "drain")
    forced = cli("--today", TODAY, "drain", "--force")

    assert refused.exit_code == 3
    assert "--force" in refused.stderr
    assert forced.exit_code == 0


def test_run_drains_only_when_the_generator_succeeds(cli: Cli) -> None:
    """`run -- CMD` passes a failing generator's exit code through and does not drain."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.sandbox.clear_requests()

    failed = cli("--today", TODAY, "run", "--", sys.executable, "-c", "raise SystemExit(7)")
    assert failed.exit_code == 7
    assert cli.sandbox.requests() == []

    ok = cli("--today", TODAY, "--json", "run", "--", sys.executable, "-c", "pass")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["runs"][-1]["status"] == "succeeded"


def test_notion_check_reports_a_missing_property(cli: Cli) -> None:
    """`notion check` exits 2 and names what the schema lacks."""
    cli("--today", TODAY, "notion", "check")  # resolves the data sources
    config = cli.config.read_text().replace(
        'timezone = "Europe/London"', 'timezone = "UTC"\n[properties]\nsync_key = "Shift Key"'
    )
    cli.config.write_text(config)

    result = cli("notion", "check")

    assert result.exit_code == 2
    assert "Shift Key" in result.stdout


def test_plan_with_detailed_exitcode_reports_errors_as_1_never_as_drift(cli: Cli) -> None:
    """A configuration error must not look like drift to a CI job."""
    result = cli("--today", TODAY, "plan", "--detailed-exitcode", env={TOKEN_VARIABLE: ""})

    assert result.exit_code == 1
    assert TOKEN_VARIABLE in result.stderr


def test_a_generator_that_cannot_start_exits_127_without_draining(cli: Cli) -> None:
    """`run` names the missing program instead of printing a traceback."""
    cli.sandbox.clear_requests()

    result = cli("run", "--", "/nonexistent/generate-schedule")

    assert result.exit_code == 127
    assert "cannot run /nonexistent/generate-schedule" in result.stderr
    assert cli.sandbox.requests() == []


def test_a_missing_database_file_is_a_usage_error(cli: Cli) -> None:
    """Exit 2 and the way out: `syncer db upgrade` or --db."""
    cli.db.unlink()

    result = cli("--today", TODAY, "drain")

    assert result.exit_code == 2
    assert "syncer db upgrade" in result.stderr


def test_notion_init_takes_a_page_url(cli: Cli) -> None:
    """The parent page can be pasted as a Notion URL."""
    url = f"https://www.notion.so/acme/On-call-{cli.sandbox.root_page_id.replace('-', '')}"

    result = cli("--json", "notion", "init", "--parent-page", url)

    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"calendar_database_id", "past_calendar_database_id"}


def test_row_text_that_looks_like_markup_is_printed_as_text(cli: Cli) -> None:
    """A rotation written as '[/x]' is reported as a bad row, not a crash of the output."""
    cli.app.schedule(TODAY, "[/x]", "ada@example.com")

    drained = cli("--today", TODAY, "drain")
    planned = cli("--today", TODAY, "plan")
    changes = cli("changes")
    runs = cli("audit", "runs")

    assert drained.exit_code == 1
    assert f"{TODAY}/[/x]" in drained.stdout
    assert planned.exit_code == 0
    assert "[/x]" in planned.stdout
    assert changes.exit_code == 0
    assert runs.exit_code == 0


def test_every_choice_comes_from_one_literal_of_the_core() -> None:
    """No click choice is a hand-copied list: each equals a Literal's values in core.kinds."""
    import click

    from syncer.core import kinds

    literals = {
        tuple(typing.get_args(value))
        for value in vars(kinds).values()
        if typing.get_origin(value) is typing.Literal
    }
    choices = [
        (path, param.name, tuple(param.type.choices))
        for path, command in commands()
        if isinstance(command, click.Command)
        for param in command.params
        if isinstance(param.type, click.Choice) and param.name not in _NOT_DOMAIN_CHOICES
    ]
    assert choices, "the walk found no choice at all"
    assert [c for c in choices if c[2] not in literals] == []


# Choices about the program, not the domain (output formats, the sandbox's behaviours, ...).
_NOT_DOMAIN_CHOICES = {"log_format", "move_answer", "move_values", "shell"}


def test_the_core_literals_cover_every_action_kind_and_status() -> None:
    """ActionKind lists exactly the kinds the action classes declare; statuses stay apart."""
    from syncer.core import ACTION_KINDS, RUN_STATUSES, Action, ResultStatus

    declared = {cls.__dataclass_fields__["kind"].default for cls in typing.get_args(Action)}
    assert declared == set(ACTION_KINDS)
    assert set(typing.get_args(ResultStatus)) == {*RUN_STATUSES, "planned"}


# Arguments that let each command run against the test environment; None: not walked here.
WALK_ARGS: dict[str, list[str] | None] = {
    "syncer audit actions": [],
    "syncer audit prune": ["--older-than", "90d"],
    "syncer audit runs": [],
    "syncer audit show": ["1"],
    "syncer changes": [],
    "syncer db current": [],
    "syncer db upgrade": [],
    "syncer drain": [],
    "syncer notion adopt": ["--dry-run"],
    "syncer notion check": [],
    "syncer notion init": ["--parent-page", "not-a-page"],
    "syncer plan": [],
    "syncer reconcile": ["--dry-run"],
    "syncer resync": [],
    "syncer rollback": ["999", "--dry-run"],
    "syncer run": ["--", sys.executable, "-c", "pass"],
    "syncer status": [],
    "syncer sandbox info": ["--url", "{sandbox}"],
    "syncer sandbox user add": ["Grace Hopper", "grace@example.com", "--url", "{sandbox}"],
    "syncer demo": ["--port", "0"],  # the story on stderr, a JSON summary on stdout
    "syncer sandbox serve": None,  # a server that runs until stopped: tests/sandbox/
    "syncer watch": None,  # a service that runs until stopped: tests/cli/test_watch.py
}


def test_every_command_is_listed_for_the_walk() -> None:
    """A new command must say how the JSON walk below runs it."""
    leaves = {path for path, command in commands() if not isinstance(command, click.Group)}
    assert leaves == set(WALK_ARGS)


def test_every_command_takes_global_options_before_or_after_its_name(cli: Cli) -> None:
    """`syncer --json CMD` and `syncer CMD --json` print the same valid JSON, same exit code."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    for path, args in WALK_ARGS.items():
        if args is None:
            continue
        words = path.split()[1:]
        args = [arg.replace("{sandbox}", cli.sandbox.url) for arg in args]
        split = args.index("--") if "--" in args else len(args)
        before = cli("--today", TODAY, "--json", *words, *args)
        after = cli(*words, *args[:split], "--json", "--today", TODAY, *args[split:])
        assert before.exit_code == after.exit_code, (path, before.output, after.output)
        for result in (before, after):
            document = json.loads(result.stdout)  # fails unless the whole stdout is JSON
            if result.exit_code != 0:
                assert set(document["error"]) == {"code", "message", "hint"}, (path, document)


def test_an_over_long_email_is_a_bad_row_never_a_failed_notion_call(cli: Cli) -> None:
    """A 5,000-character email is named with its row and skipped; Notion sees no bad request."""
    cli.app.schedule(TODAY, "AM", "ada@example.com")
    cli.app.schedule(TODAY, "PM", "a" * 5000 + "@example.com")

    result = cli("--today", TODAY, "--json", "drain")

    assert result.exit_code == 1  # bad rows make the run partial
    runs = json.loads(result.stdout)["runs"]
    assert [run["failed"] for run in runs] == [0] * len(runs)
    (bad,) = runs[0]["bad_rows"]
    assert (bad["key"], bad["table"]) == (f"{TODAY}/PM", "schedule")
    assert "5012 characters" in bad["reason"]
    assert all(request["status"] < 400 for request in cli.sandbox.requests())
    assert "a" * 100 not in result.stderr  # logs cut the value


def test_shell_completion_completes_command_names() -> None:
    """The completion the README documents answers: `syncer aud<TAB>` offers audit."""
    result = CliRunner().invoke(
        main,
        [],
        prog_name="syncer",
        env={"_SYNCER_COMPLETE": "bash_complete", "COMP_WORDS": "syncer aud", "COMP_CWORD": "1"},
    )

    assert result.exit_code == 0
    assert "plain,audit" in result.output


def test_a_long_run_logs_its_progress_on_a_pipe_and_q_prints_nothing(cli: Cli) -> None:
    """Over 20 actions: progress lines on stderr (not a terminal); with -q, no output at all."""
    rows = window_rows(dt.date(2026, 3, 9), 14, ["ada@example.com"])
    cli.app.executemany(
        "INSERT INTO oncall_schedule (date, rotation, engineer_email) VALUES (?, ?, ?)", rows
    )

    loud = cli("--today", TODAY, "drain")
    cli.app.reassign(TODAY, "AM", "grace@example.com")
    quiet = cli("--today", TODAY, "-q", "drain")

    assert loud.exit_code == 0
    assert f"run.progress: run 1 {len(rows)}/{len(rows)} actions" in loud.stderr
    assert 5 <= loud.stderr.count("run.progress:") <= 11  # about one per tenth, not per action
    assert quiet.exit_code == 0
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_logs_go_to_a_file_as_json_lines_when_asked(cli: Cli, tmp_path: Path) -> None:
    """--log-file and --log-format json: one JSON object per line, with the message and time."""
    log = tmp_path / "syncer.log"
    cli.app.schedule(TODAY, "AM", "nobody@example.com")  # an unmapped email: a warning line

    result = cli("--today", TODAY, "drain", "--log-file", str(log), "--log-format", "json")

    records = [json.loads(line)["record"] for line in log.read_text().splitlines()]
    assert result.exit_code == 0
    assert any("people.unmapped" in record["message"] for record in records)
    assert all("time" in record and "level" in record for record in records)
