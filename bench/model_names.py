"""The model-name table (tests/data/model_names.yaml: names as people type them, each with the model it means) and
how a resolution is scored against a row: the expected catalog model (or, for a fine-tune, its base; for a name
that carries only a size, any model) and the parameter count within 10%. tests/test_model_names.py asserts on it
and `make bench` reports it, so both score the same way. Also the standard quants each catalog model is offered."""

from __future__ import annotations

import contextlib
import math
import time
from pathlib import Path
from typing import Any

import yaml

from catalog.catalog import Catalog
from engine import fit, quants
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model

TABLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "model_names.yaml"
PARAMS_TOLERANCE = 0.10  # the measure: parameters within 10%
# The types the issue counts as standard (Q2_K ... BF16, the IQ types between), Unsloth's UD- files of them, and
# MXFP4 where a model ships in it.
STANDARD_QUANTS = frozenset(quants.DEFAULT_LADDER) | {"F16", "MXFP4", "MXFP4_MOE"}
MIN_STANDARD_QUANTS = 8  # the goal: at least 8 standard quants offered for every catalog model
OFFER_RIG = "8x H100"  # a GPU rig: GGUF files are offered (MLX ones only on Apple silicon)


def rows() -> list[dict[str, Any]]:
    return list(yaml.safe_load(TABLE.read_text(encoding="utf-8"))["names"])


def resolved_right(row: dict[str, Any], catalog: Catalog) -> tuple[bool, str]:
    """Whether the name resolves as the row says, and what it resolved to (for the failure message). A row with
    `refused: {suggests: NAME}` is right when the name is refused with a "did you mean" that names NAME."""
    try:
        model = parse_model(row["name"], catalog)
    except RigfitError as exc:
        refused = row.get("refused")
        return refused is not None and any(refused["suggests"] in s for s in exc.suggestions), f"error: {exc}"
    got = f"{model.id} ({model.total_params_b:g}B)"
    if row.get("refused"):
        return False, f"{got} where it must be refused naming {row['refused']['suggests']!r}"
    same_model = row["model"] is None or model.id == row["model"]
    near = abs(math.log(model.total_params_b / float(row["params_b"]))) <= math.log(1 + PARAMS_TOLERANCE)
    return same_model and near, got


def standard_quants_offered(model_id: str, catalog: Catalog) -> int:
    """How many standard quant types the fit offers the model on a GPU rig (published or estimated)."""
    readings = parse_hardware(OFFER_RIG, catalog)
    report = fit.fit(catalog.models[model_id], readings[:1])
    names = {o.quant.upper().removeprefix("UD-") for o in report.readings[0].options}
    return len(names & STANDARD_QUANTS)


def _parse_ms(name: str, catalog: Catalog) -> float:
    start = time.perf_counter()
    with contextlib.suppress(RigfitError):
        parse_model(name, catalog)
    return (time.perf_counter() - start) * 1000


def model_name_figures(catalog: Catalog) -> dict[str, float]:
    table = rows()
    start = time.perf_counter()
    right = sum(resolved_right(row, catalog)[0] for row in table)
    per_name_ms = (time.perf_counter() - start) * 1000 / len(table)
    label_ms = sorted(_parse_ms(row["name"], catalog) for row in table if row["kind"] == "llamacpp")
    label_p99 = label_ms[min(len(label_ms) - 1, int(0.99 * len(label_ms)))] if label_ms else 0.0
    offered = [standard_quants_offered(m, catalog) for m in catalog.models]
    return {
        "model_names_rows": len(table),
        "model_names_right_pct": round(100 * right / len(table), 1),
        "model_name_ms": round(per_name_ms, 3),
        # llama.cpp's descriptions of files (the table's llamacpp rows): the slowest name of every hundred
        "model_label_ms_p99": round(label_p99, 3),
        "standard_quants_min": min(offered),
        "models_under_8_standard_quants": sum(1 for n in offered if n < MIN_STANDARD_QUANTS),
    }
