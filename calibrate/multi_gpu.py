"""Several GPUs, end to end: measured multi-GPU decode runs set against the engine's whole estimate (placement,
then speed). Reported by `rigfit calibrate`, never fitted."""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from calibrate.fit import Fitted, engine_range
from calibrate.runs import (
    Run,
    collect,
    gpu_count,
    measured_rows,
    model_name,
    outside_scope,
    source_key,
    weights_bytes,
)
from calibrate.servers import _OLD_BUILD as BEFORE_CUDA_GRAPHS
from catalog.catalog import Catalog
from engine import memory, speed
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model
from engine.parse.runs import gpu_layers, layers_on_cpu, tensors_in_ram
from engine.placement import place

# llama.cpp's split modes as posts write them ("-sm row", "--split-mode row", "split mode: row", "row split"), and
# tensor parallelism (vLLM's -tp, llama.cpp's -sm tensor). A mainline llama.cpp run that names none ran llama.cpp's
# default, layer split (`llama-server --help`: "layer (default): split layers and KV across GPUs").
_SPLIT_TENSOR = re.compile(
    r"(-sm\s+tensor|--split-mode[ =]tensor|split[- ]mode:?\s+tensor|tensor-parallel|\btp\s*=?\s*\d|\btp\d)", re.I
)
_SPLIT_ROW = re.compile(r"(-sm\s+row\b|--split-mode[ =]row\b|split[- ]mode:?\s+row\b|\brow[- ]split\b)", re.I)
_SPLIT_LAYER = re.compile(r"(-sm\s+layer|--split-mode[ =]layer|split[- ]mode:?\s+layer|\blayer[- ]split\b)", re.I)
# ik_llama.cpp's graph split, llama.cpp's attention split, one card of several
_SPLIT_OTHER = re.compile(r"(-sm\s+(graph|attn|none)|split[- ]mode:?\s+(graph|attn|none))", re.I)
_SPECULATIVE = re.compile(r"(speculative|draft model|\bdraft\b|-md\b|--model-draft)", re.I)
_CARDS = re.compile(r"^\s*(?P<n>\d+)\s*x\s*(?P<card>[^+(;,]+)")


@dataclass(frozen=True)
class Check:
    """A measured multi-GPU run set against the engine's whole estimate (placement, then speed): not fitted."""

    row_id: str
    phrase: str
    model_id: str
    mode: str  # layer | tensor (row split is read, not estimated)
    measured_tps: float
    low: float
    typical: float
    high: float
    source: str = ""  # the publication (calibrate.runs.source_key)
    card: str = ""  # the catalog id of the first card
    backend: str = ""
    cards: int = 0

    @property
    def abs_log_err(self) -> float:
        return abs(math.log(self.typical / self.measured_tps))

    @property
    def inside(self) -> bool:
        return self.low <= self.measured_tps <= self.high


def multi_gpu_checks(catalog: Catalog, directory: Path | None = None) -> tuple[list[Check], list[str]]:
    """Decode runs on 2-8 cards from the measured rows: layer split (llama.cpp's default) against the engine's
    decode range, tensor parallel (vLLM, llama.cpp -sm tensor) against its tensor-parallel range."""
    rows = [r for r in measured_rows(directory) if r["phase"] == "decode" and 2 <= (gpu_count(r) or 0) <= 8]
    return collect(rows, lambda row: _check(row, catalog))


def split_mode(setup: str, *, llama_cpp: bool = True) -> str:
    """How a setup splits the model across the cards: tensor, row, layer (named, or llama.cpp's default when a
    llama.cpp setup names none), other (ik_llama.cpp's graph split, -sm none), or empty (another engine, none named)."""
    for mode, pattern in (("tensor", _SPLIT_TENSOR), ("row", _SPLIT_ROW), ("layer", _SPLIT_LAYER)):
        if pattern.search(setup):
            return mode
    if _SPLIT_OTHER.search(setup):
        return "other"
    return "layer" if llama_cpp else ""


def _check(row: dict[str, str], catalog: Catalog) -> tuple[Check | None, str]:
    notes = row["offload_or_setup_notes"]
    mode = split_mode(f"{notes}; {row.get('test_as_published', '')}", llama_cpp=not outside_scope(row))
    if tensors_in_ram(notes) or "experts" in notes.lower():
        return None, "part of the model in system RAM: not a whole-model split"
    if mode in ("other", ""):
        return None, "a split other than layer, row or tensor split, or none named outside llama.cpp"
    if _SPECULATIVE.search(notes):
        return None, "speculative decoding may be on"
    if BEFORE_CUDA_GRAPHS.search(row.get("build", "") + row["engine"]):
        # vLLM before v0.2.5 launched every kernel of a decode step from Python (no CUDA graphs): 2, 4 and 8 A100s
        # measured the same 14-18 tok/s on Llama 2 70B, a per-layer cost no current build pays, which the server fit
        # leaves out for the same reason
        return None, "a build before decode ran in CUDA graphs"
    outside = outside_scope(row) if mode != "tensor" else ""
    if outside:
        return None, f"{mode} split measured outside mainline llama.cpp: {outside}"
    one_sequence = row["batch_size"] == "1" or (row["batch_size"] == "" and "llama" in row["engine"].lower())
    if not one_sequence or "concurrency" in notes.lower() or "throughput" in row["test_as_published"].lower():
        return None, "not one sequence (or concurrency not stated)"
    if mode == "row":
        # row split reads every card's slice of each matrix at once, with the KV cache and the other operations on the
        # main card (`llama-server --help`): neither the engine's layer split (cards one after another) nor its
        # tensor parallelism (KV split too, all-reduces per layer), and the engine prints no -sm row command
        return None, "llama.cpp row split (-sm row): the engine has no estimate for it"
    cards = _CARDS.match(row["hardware"])
    if cards is None:
        return None, "cards not named as N x CARD"
    phrase = f"{cards.group('n')}x {cards.group('card').strip()}"
    try:
        model = parse_model(model_name(row["model"]), catalog)
        rig = parse_hardware(phrase, catalog)[0].rig
    except RigfitError as exc:
        return None, str(exc)[:80]
    if layers_on_cpu(notes, model.layers):
        return None, f"part of the model in system RAM: -ngl {gpu_layers(notes)} of {model.layers} layers + output"
    weights = weights_bytes(row, model) if not model.adhoc else None
    if weights is None or not rig.gpus or any(g.bandwidth_gb_s is None for g in rig.gpus):
        return None, "model size or card bandwidth not known"
    depth = int(row["depth_tokens"] or 0)
    kv_type: memory.KvType = "q8_0" if "q8" in notes.lower() and "kv" in notes.lower() else "f16"
    placement = place(model, rig, weights, memory.kv_cache_bytes(model, depth + 1024, kv_type))
    if placement.kind != "multi-gpu":
        return None, f"the engine places it as {placement.kind}"
    kv_read = memory.kv_cache_bytes(model, depth + int(row["n_tokens"] or 128) // 2, kv_type)
    if mode == "tensor":
        engine: speed.TpEngine = "llama.cpp" if "llama" in row["engine"].lower() else "vllm"
        tp = speed.tensor_parallel(model, placement, kv_read, nvlink=rig.nvlink, engine=engine)
        estimate = tp.decode_tps if tp else None
    else:
        estimate = speed.decode_range(model, placement, kv_read)[0]
    if estimate is None or estimate.typical is None:
        return None, "no estimate for this split"
    measured = float(row["tokens_per_s"])
    low, typical, high = estimate.low, estimate.typical, estimate.high
    where = (source_key(row.get("source", "")), rig.gpus[0].hardware_id or "", row["backend"].lower(), len(rig.gpus))
    return Check(row["row_id"], phrase, model.id, mode, measured, low, typical, high, *where), ""


def split_own_errors(checks: list[Check], runs: list[Run], fitted: Fitted | None = None) -> dict[int, list[float]]:
    """What a layer split adds to the engine's error, by hops between cards: each layer-split check's
    ln(typical/measured) less the median of the same publication's one-card decode runs on the same card and backend
    under the same fit (checks with no such runs are left out). A cost per hop the engine lacked would grow with the
    hops; the card's own error (its efficiency, its kernels, the build) cancels."""
    own: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for r in runs:
        if r.phase == "decode" and r.device_kind == "gpu":
            own[(r.source, r.hardware, r.backend)].append(math.log(engine_range(r, fitted)[1] / r.measured_tps))
    by_hops: dict[int, list[float]] = defaultdict(list)
    for c in checks:
        card = own.get((c.source, c.card, c.backend))
        if c.mode == "layer" and card:
            by_hops[c.cards - 1].append(math.log(c.typical / c.measured_tps) - statistics.median(card))
    return dict(sorted(by_hops.items()))


def split_share_lines(checks: list[Check], runs: list[Run]) -> list[str]:
    """`rigfit calibrate`'s line on split_own_errors."""
    by_hops = split_own_errors(checks, runs)
    errors = [e for v in by_hops.values() for e in v]
    if not errors:
        return []
    hops = ", ".join(f"{h} {statistics.median(v):+.2f} ({len(v)})" for h, v in by_hops.items())
    return [
        f"  (several GPUs, layer split, less the same publication's one-card error on the card: {len(errors)} rows, "
        f"median {statistics.median(errors):+.2f}; by hops between cards: {hops})"
    ]


def checks_report(checks: list[Check]) -> list[str]:
    lines = []
    for mode in ("layer", "tensor"):
        rows = [c for c in checks if c.mode == mode]
        if not rows:
            continue
        lines.append(
            f"\nseveral GPUs, {mode} split (end to end, not fitted): {len(rows)} rows, median |ln(typical/measured)| "
            f"{statistics.median(c.abs_log_err for c in rows):.3f}, inside [low, high] "
            f"{sum(c.inside for c in rows) / len(rows):.0%}"
        )
        for c in sorted(rows, key=lambda c: -c.abs_log_err)[:4]:
            lines.append(
                f"  row {c.row_id} {c.model_id} on {c.phrase}: measured {c.measured_tps:.1f}, typical {c.typical:.1f}, "
                f"range {c.low:.1f}-{c.high:.1f}"
            )
    return lines
