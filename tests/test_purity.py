"""engine/ is pure: no files, clock, environment, network, discord or sqlite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).parents[1] / "engine"
FORBIDDEN_MODULES = {
    "discord",
    "sqlite3",
    "sqlite_utils",
    "yaml",
    "os",
    "aiohttp",
    "requests",
    "httpx",
    "socket",
    "time",
    "pathlib",
    "random",
}
FORBIDDEN_CALLS = {"open", "input", "print"}


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_engine_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not (_imports(tree) & FORBIDDEN_MODULES), f"{path.name} imports {_imports(tree) & FORBIDDEN_MODULES}"
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not (calls & FORBIDDEN_CALLS), f"{path.name} calls {calls & FORBIDDEN_CALLS}"
    assert "catalog.loader import load" not in path.read_text(encoding="utf-8").replace("load_from", "")


def test_engine_never_reads_the_catalog_files() -> None:
    for path in ENGINE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "load()" not in text and "DATA_DIR" not in text, path.name
