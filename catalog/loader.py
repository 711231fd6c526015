"""YAML -> Catalog: read catalog/data/**/*.yaml once and validate it into frozen types (the only module that reads
files; the Catalog type and `build` live in catalog/catalog.py and are re-exported here)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from catalog.catalog import Catalog, CatalogError, build
from catalog.types import CatalogFiles

__all__ = ["DATA_DIR", "Catalog", "CatalogError", "build", "load", "load_from"]

DATA_DIR = Path(__file__).parent / "data"
_FILE_ADAPTER = TypeAdapter(CatalogFiles)


def _read(path: Path) -> CatalogFiles:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return _FILE_ADAPTER.validate_python(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def load_from(data_dir: Path) -> Catalog:
    paths = sorted(data_dir.rglob("*.yaml"))
    if not paths:
        raise CatalogError(f"no catalog files under {data_dir}")
    return build(_read(p) for p in paths)


@functools.cache
def load() -> Catalog:
    """The packaged catalog, read and validated once per process."""
    return load_from(DATA_DIR)
