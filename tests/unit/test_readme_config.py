"""The README's configuration example shows the defaults the code has, and every table."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from syncer.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
# What the example sets on purpose, as a real file would.
CHOSEN = {"timezone", "default_environment", "environments", "source"}


def readme_example() -> str:
    """The toml block of the README's Configuration section, each "..." id made a real one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    [example] = re.findall(r"```toml\n(.*?)```", section, re.S)
    ids = iter("1234")
    return re.sub(r'"\.\.\."', lambda _: '"' + next(ids) * 32 + '"', str(example))


def test_the_config_example_loads_and_its_values_are_the_defaults(tmp_path: Path) -> None:
    """Every value the example shows, beyond the environments and timezone, is the default."""
    path = tmp_path / "syncer.toml"
    path.write_text(readme_example())

    shown = load_settings(path)

    defaults = Settings()
    for field in dataclasses.fields(Settings):
        if field.name not in CHOSEN:
            assert getattr(shown, field.name) == getattr(defaults, field.name), field.name


def test_the_config_example_shows_every_alerts_key() -> None:
    """`[alerts] repeat_after` is accepted, so it is shown."""
    example = readme_example()
    for key in ("webhook_url_env", "command", "repeat_after"):
        assert re.search(rf"^{key} = ", example, re.M), key
