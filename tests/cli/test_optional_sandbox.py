"""The sandbox is an optional part: a production install pulls neither its web framework nor
its server, and its commands say how to add it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import requires

import pytest
from packaging.requirements import Requirement

from syncer.cli import SANDBOX_EXTRA

# Runs syncer in a child process in which starlette and uvicorn cannot be imported, as after a
# plain `pip install syncer`.
WITHOUT_SANDBOX = """
import sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("starlette", "uvicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from syncer.cli import main
main(sys.argv[1:], prog_name="syncer")
"""


def run_without_sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_plain_install_requires_neither_starlette_nor_uvicorn() -> None:
    """Every requirement on the sandbox's libraries is under the `sandbox` extra."""
    found = [Requirement(text) for text in requires("syncer") or []]
    sandboxed = [req for req in found if req.name in ("starlette", "uvicorn")]

    assert len(sandboxed) == 2
    for req in sandboxed:
        assert req.marker is not None
        assert not req.marker.evaluate({"extra": ""})  # `pip install syncer`
        assert req.marker.evaluate({"extra": "sandbox"})  # `pip install 'syncer[sandbox]'`


@pytest.mark.parametrize("command", [["sandbox", "serve"], ["demo"]])
def test_the_sandbox_commands_say_how_to_install_it(command: list[str]) -> None:
    """Without the extra, `syncer sandbox serve` and `syncer demo` exit 2 naming the install."""
    done = run_without_sandbox(*command)

    assert done.returncode == 2, done.stderr
    assert "optional part of syncer" in done.stderr
    assert SANDBOX_EXTRA in done.stderr


def test_help_and_a_drain_work_without_the_sandbox() -> None:
    """`syncer --help` lists every command (the sandbox's with how to get it); nothing else
    needs the extra."""
    helped = run_without_sandbox("--help")
    drained = run_without_sandbox("drain", "--help")

    assert helped.returncode == 0, helped.stderr
    assert "Needs the sandbox" in helped.stdout
    assert drained.returncode == 0, drained.stderr


# What help loads: nothing of the engine, SQLite's toolkit or Notion's SDK (start-up time).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "notion_client",
    "httpx",
    "starlette",
    "uvicorn",
    "prometheus_client",
    "syncer.engine.engine",
    "syncer.store.store",
    "syncer.sandbox.server",
)
LOADED = """
import sys
from syncer.cli import main
try:
    main(sys.argv[1:], prog_name="syncer")
except SystemExit:
    pass
heavy = {HEAVY!r}
print(sorted({{m for m in sys.modules if m.startswith(heavy)}}), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["drain", "--help"],
        ["notion", "--help"],
        ["audit", "--help"],
        ["db", "--help"],
        ["sandbox", "--help"],
        ["demo", "--help"],
        ["watch", "--help"],
    ],
    ids=" ".join,
)
def test_help_loads_neither_the_engine_nor_sqlalchemy_nor_notion_client(args: list[str]) -> None:
    """`syncer --help` and every command's and group's help print from click alone."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(HEAVY=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
