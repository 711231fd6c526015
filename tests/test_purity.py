"""engine/ is pure: no files, clock, environment, network, discord, sqlite or yaml; catalog types load no YAML."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).parents[1]
ENGINE = ROOT / "engine"
ENGINE_MODULES = sorted(ENGINE.rglob("*.py"))
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
    "bot",
}
# The catalog comes in as an argument: the engine never imports the module that reads it from disk.
FORBIDDEN_DOTTED = {"catalog.loader"}
FORBIDDEN_CALLS = {"open", "input", "print"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an AST imports, dotted in full ("catalog.loader", "engine.parse.hardware")."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = imported_modules(tree)
    assert not (_tops(imports) & FORBIDDEN_MODULES), f"{path.name} imports {_tops(imports) & FORBIDDEN_MODULES}"
    assert not (imports & FORBIDDEN_DOTTED), f"{path.name} imports {imports & FORBIDDEN_DOTTED}"
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not (calls & FORBIDDEN_CALLS), f"{path.name} calls {calls & FORBIDDEN_CALLS}"


@pytest.mark.parametrize(
    "path", [p for p in ENGINE_MODULES if p.parent.name != "parse"], ids=lambda p: str(p.relative_to(ENGINE))
)
def test_only_front_ends_import_the_parser(path: Path) -> None:
    """Text -> specs is the front ends' step: nothing in engine outside engine/parse imports it."""
    imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    assert not {m for m in imports if m == "engine.parse" or m.startswith("engine.parse.")}, path.name


def test_engine_never_reads_the_catalog_files() -> None:
    for path in ENGINE_MODULES:
        text = path.read_text(encoding="utf-8")
        assert "load()" not in text and "DATA_DIR" not in text, path.name


@pytest.mark.parametrize(
    "modules",
    [
        "engine.fit, engine.parse, engine.cost, engine.recommend",
        "catalog, catalog.catalog, catalog.types",
    ],
)
def test_importing_loads_no_yaml(modules: str) -> None:
    """In a fresh interpreter: the engine and the catalog's types import neither yaml nor the loader."""
    code = f"import sys, {modules}; bad = {{'yaml', 'catalog.loader'}} & set(sys.modules); assert not bad, bad"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "bench").rglob("*.py")), ids=lambda p: p.name)
def test_bench_imports_nothing_from_tests(path: Path) -> None:
    imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    assert not {m for m in imports if m == "tests" or m.startswith("tests.")}, path.name


# ------------------------------------------------------------------------ numbers and enums, not prose

WORDY_FIELD = re.compile(r"note|why|caveat|reason|assumption")


def _engine_types() -> Iterator[tuple[str, type]]:
    import engine

    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if isinstance(cls, type) and cls.__module__ == info.name:
                yield f"{info.name}.{name}", cls


def _field_types(cls: type) -> dict[str, object]:
    if issubclass(cls, BaseModel):
        return {name: f.annotation for name, f in cls.model_fields.items()}
    if dataclasses.is_dataclass(cls):
        return dict(typing.get_type_hints(cls))
    return {}


def _holds_str(annotation: object) -> bool:
    return annotation is str or any(_holds_str(a) for a in typing.get_args(annotation))


def test_engine_reports_carry_no_sentences() -> None:
    """The engine returns numbers and enums and bot/wording.py writes the words: no engine type has a text field
    named like a note, a why, a caveat, a reason or an assumption."""
    wordy = {
        f"{path}.{name}"
        for path, cls in _engine_types()
        for name, annotation in _field_types(cls).items()
        if WORDY_FIELD.search(name) and _holds_str(annotation)
    }
    assert not wordy, f"engine fields holding sentences: {sorted(wordy)}"


def test_no_control_flow_reads_prose() -> None:
    """Branching on words ("reads at most" in an error, a note's text) breaks when the words change: branch on
    the typed code or kind."""
    pattern = re.compile(r"""["'][^"']+["']\s+(?:not\s+)?in\s+\w+\.(?:error|message|note|why|notes|assumptions)\b""")
    for path in [*ENGINE_MODULES, *sorted((ROOT / "bot").glob("wording.py")), *sorted((ROOT / "bot").glob("cards.py"))]:
        hits = pattern.findall(path.read_text(encoding="utf-8"))
        assert not hits, f"{path.name} reads prose: {hits}"
