"""The layering of design.md, enforced by parsing every module's imports with ``ast``.

Rules (each failure names the file and the import):

- the pure core imports only the standard library and other core modules;
- only ``syncer/notion.py`` imports ``notion_client``;
- only ``syncer/store/`` and ``migrations/`` import ``sqlalchemy`` or ``alembic``;
- ``syncer/sandbox/`` imports nothing else from ``syncer``;
- only ``syncer/cli/`` and ``syncer/__main__.py`` import ``click`` or ``rich``;
- every module of ``syncer/`` has a docstring.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "syncer"
CORE_PACKAGE = "syncer.core"
STDLIB = sys.stdlib_module_names


@dataclass(frozen=True)
class Import:
    """One imported module, resolved to its absolute dotted name, and where it was imported."""

    module: str
    line: int

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def module_name(path: Path) -> str:
    """``syncer/cli/__init__.py`` -> ``syncer.cli``; files outside the package keep their path."""
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, source: str) -> list[Import]:
    """Every module the source imports, anywhere in the file (also inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if node.module is None or base in {"syncer", *_packages()}:
                # `from syncer import model` / `from . import x` import submodules by name.
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.append(Import(candidate if _is_module(candidate) else base, node.lineno))
            else:
                found.append(Import(base, node.lineno))
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _packages() -> set[str]:
    return {module_name(p) for p in PACKAGE.rglob("__init__.py")}


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(path: Path, source: str) -> list[str]:
    """Every broken layering rule in one file, as ``file:line: what is wrong`` lines."""
    name = module_name(path)
    where = path.relative_to(ROOT).as_posix()
    problems: list[str] = []
    for imp in imports_of(path, source):
        rule = _broken_rule(name, imp)
        if rule:
            problems.append(f"{where}:{imp.line}: imports {imp.module}: {rule}")
    return problems


def _broken_rule(name: str, imp: Import) -> str | None:
    if (
        _within(name, CORE_PACKAGE)
        and imp.top not in STDLIB
        and not _within(imp.module, CORE_PACKAGE)
    ):
        return "the pure core may import only the standard library and other core modules"
    if (
        imp.top == "notion_client"
        and name != "syncer.notion"
        and not _within(name, "syncer.notion")
    ):
        return "only syncer/notion/ may import notion_client"
    if imp.top in {"sqlalchemy", "alembic"} and not (
        _within(name, "syncer.store") or _within(name, "migrations")
    ):
        return "only syncer/store/ and migrations/ may import sqlalchemy or alembic"
    if (
        _within(name, "syncer.sandbox")
        and imp.top == "syncer"
        and not _within(imp.module, "syncer.sandbox")
    ):
        return "the sandbox may not import the rest of syncer"
    if imp.top in {"click", "rich"} and not (
        _within(name, "syncer.cli") or name == "syncer.__main__"
    ):
        return "only syncer/cli/ and syncer/__main__.py may import click or rich"
    return None


def python_files() -> list[Path]:
    roots = [PACKAGE, ROOT / "migrations"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.py"))


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", python_files(), ids=_id)
def test_module_respects_the_layers(path: Path) -> None:
    """No module imports across the layer boundaries drawn in design.md."""
    problems = violations(path, path.read_text(encoding="utf-8"))
    assert not problems, "layering broken:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=_id)
def test_module_has_a_docstring(path: Path) -> None:
    """Every module of syncer opens with a docstring saying its job."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{_id(path)}: module has no docstring"


def test_the_core_modules_exist() -> None:
    """The checks above really cover the core: its modules are where the test looks."""
    present = {module_name(p) for p in (PACKAGE / "core").glob("*.py")}
    assert {"syncer.core.planner", "syncer.core.projection", "syncer.core.codec"} <= present


# The checker must catch what it claims to: run it on sources that break each rule.


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        (
            "syncer/core/planner.py",
            "import sqlalchemy\n",
            "syncer/core/planner.py:1: imports sqlalchemy",
        ),
        ("syncer/core/codec.py", "from syncer import store\n", "imports syncer.store"),
        ("syncer/core/keys.py", "from .. import engine\n", "imports syncer.engine"),
        ("syncer/core/keys.py", "import syncer\n", "imports syncer:"),
        ("syncer/core/projection.py", "def f():\n    import loguru\n", ":2: imports loguru"),
        ("syncer/engine/sync.py", "from notion_client import Client\n", "notion_client"),
        ("syncer/cli/notion.py", "import notion_client\n", "only syncer/notion/"),
        ("syncer/engine/sync.py", "from sqlalchemy import select\n", "only syncer/store/"),
        ("syncer/config.py", "import alembic.config\n", "alembic"),
        ("syncer/sandbox/app.py", "from syncer.core import Plan\n", "the sandbox"),
        ("syncer/sandbox/app.py", "from ..core import errors\n", "imports syncer.core.errors"),
        ("syncer/engine/sync.py", "import rich.table\n", "click or rich"),
        ("syncer/sandbox/server.py", "import click\n", "click or rich"),
    ],
)
def test_checker_reports_each_broken_rule(file: str, source: str, expected: str) -> None:
    """The checker flags a forbidden import and names the file, line and import."""
    problems = violations(ROOT / file, source)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("file", "source"),
    [
        ("syncer/core/planner.py", "import datetime as dt\nfrom syncer.core import Plan\n"),
        ("syncer/core/planner.py", "from . import errors\nfrom . import Plan\n"),
        ("syncer/notion/client.py", "from notion_client import Client\n"),
        ("syncer/store/rows.py", "import sqlalchemy as sa\n"),
        ("migrations/env.py", "from alembic import context\n"),
        ("syncer/sandbox/app.py", "from syncer.sandbox.state import Workspace\nimport starlette\n"),
        ("syncer/cli/admin.py", "import click\nfrom rich.table import Table\n"),
        ("syncer/__main__.py", "import click\n"),
    ],
)
def test_checker_allows_what_the_layers_allow(file: str, source: str) -> None:
    """Imports the layering permits produce no complaint."""
    assert violations(ROOT / file, source) == []
