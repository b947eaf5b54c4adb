"""syncer.toml: every mistake is an error naming the file and the key; secrets stay outside."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from syncer.config import Settings, load_settings, parse_duration
from syncer.core.errors import ConfigError

ENVIRONMENTS = """
[environments.prod]
notion_token_env = "NOTION_API_TOKEN"
calendar_database_id = "11111111-1111-1111-1111-111111111111"
past_calendar_database_id = "22222222222222222222222222222222"

[environments.non-prod]
notion_token_env = "NOTION_API_TOKEN_NONPROD"
calendar_database_id = "33333333333333333333333333333333"
past_calendar_database_id = "44444444444444444444444444444444"
notion_base_url = "http://127.0.0.1:8765"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syncer.toml"
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text))
    return error.value.message


def test_the_design_example_loads_with_its_defaults(tmp_path: Path) -> None:
    """The documented file gives the documented rotations, budget, retry waits and guards."""
    settings = load_settings(write(tmp_path, 'timezone = "Europe/London"\n' + ENVIRONMENTS))

    assert settings.timezone == "Europe/London"
    assert [r.name for r in settings.rotations] == ["AM", "Core", "PM"]
    assert settings.reconcile_every == dt.timedelta(hours=24)
    assert settings.retry_waits == (0.0, 2.0, 4.0, 8.0, 16.0)
    assert (settings.budget.requests, settings.budget.per_seconds) == (180, 60.0)
    prod = settings.environment("prod")
    assert prod.calendar_database_id == "11111111111111111111111111111111"
    assert settings.environment("non-prod").notion_base_url == "http://127.0.0.1:8765"


def test_an_unknown_key_is_named_with_the_file(tmp_path: Path) -> None:
    """A typo is an error, not a silently ignored setting."""
    message = refused(tmp_path, "reconcile_evrey = '1h'\n" + ENVIRONMENTS)
    assert "reconcile_evrey" in message
    assert "syncer.toml" in message


def test_an_unknown_key_inside_an_environment_is_named(tmp_path: Path) -> None:
    """Nested keys are checked too, with their full path."""
    message = refused(tmp_path, ENVIRONMENTS + 'notion_token = "ntn_secret"\n')
    assert "environments.non-prod.notion_token" in message
    assert "ntn_secret" not in message


def test_a_bad_timezone_is_refused(tmp_path: Path) -> None:
    """The timezone must be an IANA name."""
    assert "Mars/Olympus" in refused(tmp_path, 'timezone = "Mars/Olympus"\n' + ENVIRONMENTS)


@pytest.mark.parametrize("start", ["9am", "25:00", ""])
def test_bad_rotation_times_are_refused(tmp_path: Path, start: str) -> None:
    """A rotation's hours must be times like 09:00."""
    text = f'[rotations]\nAM = {{ start = "{start}", end = "12:00" }}\n' + ENVIRONMENTS
    assert "rotations.AM.start" in refused(tmp_path, text)


def test_one_database_in_two_environments_is_refused(tmp_path: Path) -> None:
    """Prod and non-prod writing to one database would fight forever."""
    text = ENVIRONMENTS.replace("33333333333333333333333333333333", "1111-1111" * 4)
    message = refused(tmp_path, text)
    assert "environments.non-prod.calendar_database_id" in message
    assert "environments.prod.calendar_database_id" in message


def test_there_is_no_implicit_prod(tmp_path: Path) -> None:
    """Without --env, SYNCER_ENV or default_environment, the command refuses."""
    settings = load_settings(write(tmp_path, ENVIRONMENTS))
    with pytest.raises(ConfigError, match="no environment chosen"):
        settings.environment(None)
    defaulted = load_settings(write(tmp_path, 'default_environment = "non-prod"\n' + ENVIRONMENTS))
    assert defaulted.environment(None).name == "non-prod"


def test_an_unset_token_variable_is_named_never_valued(tmp_path: Path) -> None:
    """The error names the variable to export and holds no secret."""
    prod = load_settings(write(tmp_path, ENVIRONMENTS)).environment("prod")
    with pytest.raises(ConfigError) as error:
        prod.token({"NOTION_API_TOKEN_NONPROD": "ntn_other_secret"})
    assert "NOTION_API_TOKEN" in error.value.message
    assert "ntn_other_secret" not in str(error.value)
    assert prod.token({"NOTION_API_TOKEN": " ntn_x "}) == "ntn_x"


def test_retry_waits_and_guards_are_configurable(tmp_path: Path) -> None:
    """Tests and cautious admins can shrink the waits and tighten the guards."""
    text = "[retry]\nwaits = [0, 0.1]\n[guards]\nmax_trash_share = 0.1\n" + ENVIRONMENTS
    settings = load_settings(write(tmp_path, text))
    assert settings.retry_waits == (0.0, 0.1)
    assert settings.guards.max_trash_share == 0.1
    assert "retry.waits" in refused(tmp_path, "[retry]\nwaits = [-1]\n" + ENVIRONMENTS)


def test_history_since_counts_from_monday_or_takes_a_date() -> None:
    """52w means 52 full weeks before this week; a date means that date."""
    wednesday = dt.date(2026, 11, 25)
    assert Settings(history_since="52w").history_start(wednesday) == dt.date(2025, 11, 24)
    assert Settings(history_since="2026-01-01").history_start(wednesday) == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800)]
)
def test_durations_read_as_written(text: str, seconds: int) -> None:
    """Durations use s, m, h, d and w."""
    assert parse_duration(text, "key") == dt.timedelta(seconds=seconds)


def test_a_missing_file_and_invalid_toml_are_clear(tmp_path: Path) -> None:
    """Both name the file."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    assert "not valid TOML" in refused(tmp_path, "timezone = \n")


@pytest.mark.parametrize("value", ["0.5", "0", "true"])
def test_the_request_budget_must_be_a_whole_number(tmp_path: Path, value: str) -> None:
    """A budget of half a request would stop every run; it is refused at load time."""
    assert "budget.requests" in refused(tmp_path, f"[budget]\nrequests = {value}\n" + ENVIRONMENTS)


def test_the_request_timeout_outlasts_notions_own_and_connecting_fails_fast(tmp_path: Path) -> None:
    """Notion answers within 60 s, so the default waits longer; connecting has a short limit."""
    defaults = Settings()
    assert defaults.request_timeout > 60
    assert defaults.connect_timeout <= 10

    settings = load_settings(write(tmp_path, "request_timeout = 90\nconnect_timeout = 2\n"))

    assert (settings.request_timeout, settings.connect_timeout) == (90.0, 2.0)
    assert "connect_timeout" in refused(tmp_path, "connect_timeout = 0\n")


def test_past_retention_is_off_by_default_and_counts_back_from_monday(tmp_path: Path) -> None:
    """Without it nothing is ever trashed for age; with 104w, two years before this Monday."""
    assert Settings().retain_since(dt.date(2026, 3, 11)) is None

    settings = load_settings(write(tmp_path, 'past_retention = "104w"\n'))

    assert settings.retain_since(dt.date(2026, 3, 11)) == dt.date(2024, 3, 11)


@pytest.mark.parametrize("value", ['"3d"', '"0w"', '"two years"'])
def test_a_retention_shorter_than_a_week_or_unreadable_is_refused(
    tmp_path: Path, value: str
) -> None:
    """A typo must not trash the history: the message names the key."""
    assert "past_retention" in refused(tmp_path, f"past_retention = {value}\n")
