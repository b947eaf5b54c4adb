"""The layers of docs/architecture.md, enforced by parsing every module's imports with ``ast``.

The map, lowest rank first (a module may import its own layer and any lower one, never a
higher one or a sideways neighbour the table does not allow):

====  ===========================================  =============================================
rank  layer                                        what it may not import
====  ===========================================  =============================================
0     ``syncer.core``                              anything but the standard library, minus the
                                                   clock, randomness, the environment and I/O
1     ``syncer.config``                            (reads the config file and token variables)
2     ``syncer.store`` ``syncer.notion``           each other: edges never talk sideways
3     ``syncer.engine``
4     ``syncer.service``                           alerts, metrics, the watch service's server
5     ``syncer.compose``                           the composition root
6     ``syncer.demo``
7     ``syncer.cli``
-     ``syncer.sandbox``                           anything of syncer; only ``syncer.demo`` and
                                                   ``syncer.cli`` may import it
====  ===========================================  =============================================

Foreign libraries have one home each: ``notion_client`` only in ``syncer.notion``;
``sqlalchemy`` and ``alembic`` only in ``syncer.store`` and ``migrations``; ``click`` and
``rich`` only in ``syncer.cli``; ``starlette`` and ``uvicorn`` only in ``syncer.sandbox``;
``prometheus_client`` only in ``syncer.service``. No layer's modules import each other in a
cycle. The engine's and the store's public functions take identities as their types, never
as ``str`` or ``int``, and only the key parser (and the store, decoding what syncer wrote)
constructs a ``Key``. Every module of ``syncer`` has a docstring. Each rule is also fed a
source that breaks it below, so the checker is shown to catch what it claims.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "syncer"
STDLIB = sys.stdlib_module_names

RANKS: dict[str, int] = {
    "syncer.core": 0,
    "syncer.config": 1,
    "syncer.store": 2,
    "syncer.notion": 2,
    "syncer.engine": 3,
    "syncer.service": 4,
    "syncer.compose": 5,
    "syncer.demo": 6,
    "syncer.cli": 7,
}
SANDBOX = "syncer.sandbox"
SANDBOX_USERS = ("syncer.demo", "syncer.cli")
TOP_LEVEL = ("syncer", "syncer.__main__")  # the package itself: version and lazy re-exports

# The pure core never reads the clock, the environment, a file or the network, and never rolls
# dice: time arrives as `today`/`now`, randomness is injected.
CORE_DENIED_MODULES = frozenset(
    {
        "time",
        "random",
        "secrets",
        "os",
        "socket",
        "sqlite3",
        "subprocess",
        "threading",
        "httpx",
        "urllib",
        "http",
        "pathlib",
        "shutil",
        "tempfile",
        "uuid",
        "asyncio",
        "logging",
        "zoneinfo",  # loading tz data reads files; the core receives a tzinfo instead
    }
)
CORE_DENIED_CALLS = frozenset({"now", "today", "utcnow", "time", "monotonic", "open", "getenv"})

LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "notion_client": ("syncer.notion",),
    "sqlalchemy": ("syncer.store", "migrations"),
    "alembic": ("syncer.store", "migrations"),
    "click": ("syncer.cli",),
    "rich": ("syncer.cli",),
    "starlette": (SANDBOX,),
    "uvicorn": (SANDBOX,),
    "prometheus_client": ("syncer.service",),
}


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


def imports_of(path: Path, tree: ast.AST) -> list[Import]:
    """Every module the source imports, anywhere in the file (also inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                # `from syncer import store` imports the submodule `syncer.store`.
                candidate = f"{base}.{alias.name}"
                found.append(Import(candidate if _is_module(candidate) else base, node.lineno))
    return found


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(name: str) -> str | None:
    """The layer a syncer module belongs to (its longest matching prefix in the table)."""
    matches = [layer for layer in (*RANKS, SANDBOX) if _within(name, layer)]
    return max(matches, key=len) if matches else None


def violations(path: Path, source: str) -> list[str]:
    """Every broken rule in one file, as ``file:line: what is wrong`` lines."""
    name = module_name(path)
    where = path.relative_to(ROOT).as_posix()
    tree = ast.parse(source, filename=str(path))
    problems = [
        f"{where}:{imp.line}: imports {imp.module}: {rule}"
        for imp in imports_of(path, tree)
        if (rule := _broken_rule(name, imp))
    ]
    if layer_of(name) == "syncer.core":
        problems.extend(f"{where}:{line}: {what}" for line, what in _clock_reads(tree))
    return problems


def _broken_rule(name: str, imp: Import) -> str | None:
    home = LIBRARY_HOMES.get(imp.top)
    if home is not None and not any(_within(name, allowed) for allowed in home):
        return f"only {' and '.join(home)} may import {imp.top}"
    here = layer_of(name)
    outside = imp.top in CORE_DENIED_MODULES or imp.top not in STDLIB
    if here == "syncer.core" and outside and imp.top != "syncer":
        return "the pure core imports only the standard library, minus clock and I/O"
    if imp.top != "syncer" or here is None:
        return None
    return _layer_rule(name, here, imp.module)


def _layer_rule(name: str, here: str, target: str) -> str | None:
    there = layer_of(target)
    if target in TOP_LEVEL:
        return None if here != "syncer.core" else "the core may not import the syncer package"
    if there is None:
        return f"{target} is in no layer of the table"
    if there == SANDBOX or here == SANDBOX:
        if here == there:
            return None
        if there == SANDBOX and here in SANDBOX_USERS:
            return None
        return "the sandbox stands apart: only the demo and the CLI may load it"
    if RANKS[there] > RANKS[here]:
        return f"{here} (rank {RANKS[here]}) may not import upward into {there}"
    if RANKS[there] == RANKS[here] and there != here:
        return f"{here} may not import its neighbour {there}"
    return None


def _clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls such as ``datetime.now()`` or ``open()``: the core receives time and data."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in CORE_DENIED_CALLS:
            found.append((node.lineno, f"calls {called}(): the core reads no clock, file or env"))
    return found


def python_files() -> list[Path]:
    roots = [PACKAGE, ROOT / "migrations"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.py"))


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", python_files(), ids=_id)
def test_module_respects_the_layers(path: Path) -> None:
    """No module imports upward, sideways, or a library outside its one home."""
    problems = violations(path, path.read_text(encoding="utf-8"))
    assert not problems, "layering broken:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=_id)
def test_module_has_a_docstring(path: Path) -> None:
    """Every module of syncer opens with a docstring saying its job."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{_id(path)}: module has no docstring"


def test_every_module_is_in_a_layer() -> None:
    """A new top-level module or package must be placed in the table before it can land."""
    names = {module_name(p) for p in PACKAGE.rglob("*.py")}
    homeless = sorted(n for n in names if n not in TOP_LEVEL and layer_of(n) is None)
    assert homeless == []


def test_a_drain_loads_neither_the_sandbox_nor_its_web_server() -> None:
    """What `syncer drain` imports leaves out the sandbox, starlette, uvicorn and Alembic."""
    probe = (
        "import sys\n"
        "import syncer.cli, syncer.cli.sync, syncer.cli._context, syncer.compose\n"
        "heavy = ('syncer.sandbox', 'syncer.demo', 'starlette', 'uvicorn', 'alembic')\n"
        "print(sorted({m.split('.')[0] if not m.startswith('syncer') else m\n"
        "              for m in sys.modules if m.startswith(heavy)}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


# The checker must catch what it claims to: run it on sources that break each rule.


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("syncer/core/planner.py", "import sqlalchemy\n", "syncer/core/planner.py:1: imports"),
        ("syncer/core/codec.py", "from syncer import store\n", "upward into syncer.store"),
        ("syncer/core/keys.py", "from .. import engine\n", "upward into syncer.engine"),
        ("syncer/core/keys.py", "import syncer\n", "the core may not import the syncer package"),
        ("syncer/core/projection.py", "def f():\n    import loguru\n", ":2: imports loguru"),
        ("syncer/core/planner.py", "import time\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import random\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import os\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import socket\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import sqlite3\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import subprocess\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import threading\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "import httpx\n", "minus clock and I/O"),
        ("syncer/core/planner.py", "x = dt.datetime.now(dt.UTC)\n", ":1: calls now()"),
        ("syncer/core/planner.py", "x = dt.date.today()\n", "calls today()"),
        ("syncer/core/codec.py", "text = open('f').read()\n", "calls open()"),
        ("syncer/engine/sync.py", "from notion_client import Client\n", "syncer.notion"),
        ("syncer/cli/notion.py", "import notion_client\n", "only syncer.notion may"),
        ("syncer/engine/sync.py", "from sqlalchemy import select\n", "only syncer.store"),
        ("syncer/config.py", "import alembic.config\n", "alembic"),
        ("syncer/store/store.py", "from syncer.notion import client\n", "its neighbour"),
        ("syncer/notion/retry.py", "from syncer.store import Store\n", "its neighbour"),
        ("syncer/store/store.py", "from syncer.engine import drain\n", "upward into"),
        ("syncer/engine/sync.py", "from syncer.compose import open_engine\n", "upward into"),
        ("syncer/compose.py", "from syncer.cli import main\n", "upward into"),
        ("syncer/engine/sync.py", "from syncer.sandbox import server\n", "the sandbox"),
        ("syncer/compose.py", "import syncer.sandbox.server\n", "the sandbox"),
        ("syncer/sandbox/app.py", "from syncer.core import Plan\n", "the sandbox"),
        ("syncer/sandbox/app.py", "from ..core import errors\n", "the sandbox"),
        ("syncer/engine/sync.py", "import rich.table\n", "only syncer.cli may import rich"),
        ("syncer/sandbox/server.py", "import click\n", "only syncer.cli may import click"),
        ("syncer/engine/sync.py", "import uvicorn\n", "only syncer.sandbox may import"),
        ("syncer/engine/sync.py", "import syncer.nowhere\n", "in no layer"),
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
        ("syncer/core/planner.py", "from . import errors\nfrom .actions import Plan\n"),
        ("syncer/notion/client.py", "from notion_client import Client\n"),
        ("syncer/store/rows.py", "import sqlalchemy as sa\n"),
        ("migrations/env.py", "from alembic import context\n"),
        ("syncer/sandbox/app.py", "from syncer.sandbox.state import Workspace\nimport starlette\n"),
        ("syncer/cli/audit.py", "import click\nfrom rich.table import Table\n"),
        ("syncer/cli/sandbox.py", "from syncer.sandbox.server import start_in_thread\n"),
        ("syncer/demo.py", "from syncer.sandbox.server import serve_in_thread\n"),
        (
            "syncer/engine/sync.py",
            "from syncer.store import Store\nfrom syncer.notion import retry\n",
        ),
        (
            "syncer/compose.py",
            "from syncer.engine import Engine\nfrom syncer.service.alerts import Alerter\n",
        ),
        (
            "syncer/service/alerts.py",
            "from syncer.config import Alerts\nfrom syncer.core import RunEnd\n",
        ),
        ("syncer/service/http.py", "from syncer.engine import Engine\n"),
        ("syncer/__main__.py", "from syncer.cli import main\n"),
    ],
)
def test_checker_allows_what_the_layers_allow(file: str, source: str) -> None:
    """Imports the layering permits produce no complaint."""
    assert violations(ROOT / file, source) == []


# No cycles inside a layer: a cycle means two modules that cannot be understood apart.


def import_graph() -> dict[str, set[str]]:
    """Every syncer module -> the syncer modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = module_name(path)
        graph[name] = {imp.module for imp in imports_of(path, tree) if imp.top == "syncer"}
    return graph


def cycles_within_layers(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles whose modules all belong to one layer (Tarjan's strongly connected
    components of the graph restricted to same-layer edges)."""
    same = {
        name: {t for t in targets if t in graph and layer_of(t) == layer_of(name) and t != name}
        for name, targets in graph.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(same[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(same):
        if node not in index:
            visit(node)
    return found


def test_no_layer_imports_itself_in_a_cycle() -> None:
    """Inside each layer, imports run one way: no two modules need each other."""
    assert cycles_within_layers(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """Fed two CLI modules that import each other, the check reports them."""
    graph = import_graph()
    graph["syncer.cli._support"] = {*graph["syncer.cli._support"], "syncer.cli._globals"}
    graph["syncer.cli._globals"] = {*graph["syncer.cli._globals"], "syncer.cli._support"}
    pair = {"syncer.cli._globals", "syncer.cli._support"}
    assert any(pair <= set(cycle) for cycle in cycles_within_layers(graph))


# Identities cross the engine's and the store's boundaries as their types, never as text.

IDENTITY_ARGS = frozenset(
    {
        "key",
        "keys",
        "raw_keys",
        "env",
        "page_id",
        "run_id",
        "holder",
        "trigger",
        "data_source_id",
        "database",
        "key_text",
    }
)
PLAIN = frozenset({"str", "int"})


def _plain_annotation(node: ast.expr | None) -> bool:
    """Whether an annotation is plain text or a number, or a container or optional of one."""
    if node is None:
        return False
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return bool(names & PLAIN) and not names - PLAIN - {
        "Iterable",
        "Sequence",
        "list",
        "set",
        "frozenset",
        "tuple",
        "None",
        "Optional",
    }


def untyped_identities(path: Path, source: str) -> list[str]:
    """Public functions and methods whose identity parameters are annotated str or int."""
    tree = ast.parse(source)
    where = path.relative_to(ROOT).as_posix()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_") and node.name != "__init__":
            continue
        arguments = node.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.arg in IDENTITY_ARGS and _plain_annotation(arg.annotation):
                shown = ast.unparse(arg.annotation) if arg.annotation else ""
                found.append(f"{where}:{node.lineno}: {node.name}({arg.arg}: {shown})")
    return found


def boundary_files() -> list[Path]:
    return sorted(path for layer in ("engine", "store") for path in (PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", boundary_files(), ids=_id)
def test_identities_cross_the_boundary_as_types(path: Path) -> None:
    """A key, an environment, a page, a run or a lock holder is never passed as bare text."""
    assert untyped_identities(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "def rows_on(self, keys: Iterable[str]) -> None: ...\n",
        "def cursor(env: str) -> int: ...\n",
        "def run(run_id: int | None) -> None: ...\n",
        "def previous_image(env: EnvName, key_text: str) -> None: ...\n",
    ],
)
def test_the_signature_check_catches_a_key_passed_as_text(source: str) -> None:
    """Fed a public function that takes an identity as str or int, the check reports it."""
    assert untyped_identities(PACKAGE / "store" / "store.py", source) != []


def key_constructions(path: Path, source: str) -> list[str]:
    """Calls of ``Key(...)`` outside the key parser and the store's decoding."""
    allowed = {"syncer/core/keys.py"}
    where = path.relative_to(ROOT).as_posix()
    if where in allowed:
        return []
    return [
        f"{where}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Key"
    ]


def test_only_the_key_parser_makes_keys() -> None:
    """Keys are canonical by construction: nothing but Rotations.parse (and stored_key, for the
    store's own columns) builds one, so no caller needs to canonicalise a rotation."""
    found = [
        place
        for path in sorted(PACKAGE.rglob("*.py"))
        for place in key_constructions(path, path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert key_constructions(PACKAGE / "engine" / "sync.py", "k = Key(day, 'am')\n") != []
