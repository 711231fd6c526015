"""`rigfit calibrate`: fit and score the speed model on measured llama.cpp runs (shared/calibration/).

Each measured row is mapped to a catalog model and device, the engine predicts the ideal speed (efficiency 1),
and measured/ideal is the efficiency that run reached. Rows are split by device name into a fitting half and a
held-out half (a stable hash, never by result). Per group (device kind, backend, dense or MoE; prefill by backend)
the fit takes the 10th and 90th percentiles as (low, high). The held-out half is scored with the efficiency table
the engine actually uses (engine/calibration.py), so the figures reported are what users get.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from catalog.catalog import Catalog
from catalog.types import Gpu, Model, Unified
from engine import calibration, memory
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model
from engine.speed import DEEP_CONTEXT_TOKENS, prefill_flops_per_token
from engine.units import GIB

T = TypeVar("T")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "calibration"
CSV_NAME = "tokens_per_second.csv"
# The project's own collection of published runs the shared set lacks (CPU only, offload, several GPUs).
EXTRA_CSV = Path(__file__).resolve().parents[1] / "bench" / "measured_runs.csv"
FITTED_PATH = Path(__file__).resolve().parents[1] / "engine" / "calibration_fitted.py"


def calibration_dir() -> Path:
    return Path(os.environ.get("RIGFIT_CALIBRATION_DIR", DEFAULT_DIR))


@dataclass(frozen=True)
class Run:
    row_id: str
    hardware: str
    device_kind: str  # gpu | unified
    backend: str
    model: Model
    phase: str  # decode | prefill
    measured_tps: float
    ideal_tps: float  # at efficiency 1.0

    @property
    def moe(self) -> bool:
        return self.model.is_moe

    @property
    def efficiency(self) -> float:
        return self.measured_tps / self.ideal_tps

    def group(self) -> tuple[str, ...]:
        if self.phase == "decode":
            return ("decode", self.device_kind, self.backend, "moe" if self.moe else "dense")
        return ("prefill", self.backend)

    def held_out(self) -> bool:
        return int(hashlib.sha256(self.hardware.encode()).hexdigest(), 16) % 2 == 1


_BACKENDS = {
    "cuda": "cuda",
    "rocm": "rocm",
    "vulkan": "vulkan",
    "metal": "metal",
    "mtl,blas": "metal",
    "sycl": "sycl",
    "cpu": "cpu",
}
_DDR_SPEC = re.compile(
    r"\b(?P<gen>DDR[45])-(?P<mts>\d{4})\b.*?\b(?P<ch>\d{1,2})[- ]?(?:channels?|ch)\b|"
    r"\b(?P<gen2>DDR[45])-(?P<mts2>\d{4})\b.*?\b(?P<word>dual|quad|octa)[- ]channel",
    re.I,
)
_CHANNEL_WORDS = {"dual": 2, "quad": 4, "octa": 8}


def _ram_bandwidth(row: dict[str, str]) -> float | None:
    """A CPU run's memory bandwidth: as stated, else DDR data rate x 8 bytes x channels when the row states all
    three (shared/SIZING.md section 5)."""
    stated = re.match(r"\s*~?(\d+(?:\.\d+)?)", row["memory_bandwidth_GBps_stated"])
    if stated:
        return float(stated.group(1))
    m = _DDR_SPEC.search(row.get("hardware_memory", "") + " " + row["hardware"])
    if not m:
        return None
    mts = int(m.group("mts") or m.group("mts2"))
    channels = int(m.group("ch")) if m.group("ch") else _CHANNEL_WORDS[m.group("word").lower()]
    return mts * 8 * channels / 1000


# CPU-only decode with a deep context: the measured runs fall far below the KV read's cost (Qwen3-235B on an EPYC
# 9355, bench/measured_runs.csv x517-x519: efficiency 0.44 empty, 0.11 at 4096, 0.07 at 8192) because attention is
# computed on the CPU. The RAM efficiency is fitted on runs below llama-bench's first depth step, where weights
# streaming dominates: it is also the figure for experts offloaded to RAM, whose attention runs on the GPU.
# Cards show the fall as a caveat from the same depth (engine/speed.py).
CPU_DEEP_TOKENS = DEEP_CONTEXT_TOKENS


def _cpu_run(row: dict[str, str], catalog: Catalog) -> tuple[Run | None, str]:
    if row["phase"] != "decode":
        return None, "CPU prefill: no FLOPS figure for CPUs"
    if int(row["depth_tokens"] or 0) >= CPU_DEEP_TOKENS:
        return None, (
            f"CPU decode at {row['depth_tokens']} tokens of context measures attention computed on the CPU, which "
            "the bandwidth model lacks (a caveat on CPU-only cards)"
        )
    bandwidth = _ram_bandwidth(row)
    if bandwidth is None:
        return None, "CPU run without a stated bandwidth or DDR type, speed and channels"
    try:
        model = parse_model(_model_name(row["model"]), catalog)
    except RigfitError as exc:
        return None, str(exc)[:80]
    weights = _weights_bytes(row, model) if not model.adhoc else None
    if weights is None:
        return None, "model or size not known"
    depth = int(row["depth_tokens"] or 0)
    read = weights * memory.active_fraction(model) + memory.kv_cache_bytes(
        model, depth + int(row["n_tokens"] or 128) // 2
    )
    name = _hardware_phrase(row["hardware"]).lower()
    return Run(
        row["row_id"], name, "ram", "cpu", model, "decode", float(row["tokens_per_s"]), bandwidth * 1e9 / read
    ), ""


def _model_name(raw: str) -> str:
    name = raw.split(" (")[0]
    name = re.sub(r"\b(UD-)?(I?Q\d\w*|BF16|F16|MXFP4)\b.*$", "", name).strip()
    name = re.sub(r"(?i)[-\s](it|instruct)\b.*$", "", name).strip()  # "-it QAT", "-Instruct-2507"
    name = re.sub(r"-128K$", "", name)  # unsloth's GGUFs with YaRN set for 128K: the same weights
    return {"LLaMA 7B v2": "llama-2-7b"}.get(name, name)


def _hardware_phrase(raw: str) -> str:
    name = re.sub(r"\(.*?\)", "", raw).split(",")[0].replace("+", " ")
    name = re.sub(r"'[^']*'", "", name)
    name = re.sub(r"\b\d+-core GPU\b|\bAPU\b|\bGrace Blackwell\b|\bWorkstation Edition\b|\b\d+\s*GB\b", "", name)
    return " ".join(name.split())


def _weights_bytes(row: dict[str, str], model: Model) -> int | None:
    size, unit = row["model_size_reported"], row["model_size_unit"]
    if size and unit == "GiB":
        return int(float(size) * GIB)
    if size and unit == "bytes":
        return int(float(size))
    quant = row["quant"].split(" ")[0]
    w = memory.weights_estimate(model, quant)
    return w.n_bytes if w else None


def measured_rows(directory: Path | None = None) -> list[dict[str, str]]:
    """The measured runs: shared/calibration's, plus bench/measured_runs.csv when reading the default data."""
    paths = [(directory or calibration_dir()) / CSV_NAME]
    if directory is None and EXTRA_CSV.exists():
        paths.append(EXTRA_CSV)
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def _collect(
    rows: list[dict[str, str]], build: Callable[[dict[str, str]], tuple[T | None, str]]
) -> tuple[list[T], list[str]]:
    """What `build` makes of each row, and why it made nothing of the others."""
    made: list[T] = []
    skipped: list[str] = []
    for row in rows:
        item, why = build(row)
        if item is None:
            skipped.append(f"row {row['row_id']}: {why}")
        else:
            made.append(item)
    return made, skipped


def load_runs(catalog: Catalog, directory: Path | None = None) -> tuple[list[Run], list[str]]:
    return _collect(measured_rows(directory), lambda row: _run(row, catalog))


# Setups that put part of the model in system RAM: never fitted as one device (most such rows do not state the
# RAM's speed and channels).
_OFFLOAD = re.compile(
    r"(-ot\b|--override-tensor|n-?cpu-?moe|-ncmoe|--cpu-moe|exps=cpu|-ngl [0-9]\b|-ngl [1-5][0-9]\b)", re.I
)


# What the fit speaks for: llama.cpp itself, or a tool that runs it (Ollama, llama-server front ends). Forks with their
# own kernels (ik_llama.cpp), vLLM, KTransformers and exllama reach other speeds and are not fitted or scored.
_MAINLINE = re.compile(r"(?<![\w-])llama\.cpp", re.I)


def _outside_scope(row: dict[str, str]) -> str:
    """Why a row says nothing about mainline llama.cpp's speed (empty when it does)."""
    if not _MAINLINE.search(row.get("engine", "")):
        return f"engine {row.get('engine', '')[:30]!r} is not mainline llama.cpp"
    return ""


def _gpu_count(row: dict[str, str]) -> int | None:
    m = re.match(r"\s*(\d+)", row["num_gpus"])
    return int(m.group(1)) if m else None


def _run(row: dict[str, str], catalog: Catalog) -> tuple[Run | None, str]:
    if row["batch_size"] not in ("1", "") or row["phase"] not in ("decode", "prefill"):
        return None, "batched run"
    outside = _outside_scope(row)
    if outside:
        return None, outside
    backend = _BACKENDS.get(row["backend"].lower())
    gpus = _gpu_count(row)
    if backend == "cpu" and gpus == 0:
        return _cpu_run(row, catalog)
    if backend is None or gpus != 1:
        return None, f"backend {row['backend']} / {row['num_gpus']} GPUs"
    if _OFFLOAD.search(row.get("offload_or_setup_notes", "")):
        return None, "weights partly in system RAM: checked end to end, not fitted"
    try:
        model = parse_model(_model_name(row["model"]), catalog)
    except RigfitError as exc:
        return None, str(exc)[:80]
    if model.adhoc:
        return None, "model not in the catalog"
    weights = _weights_bytes(row, model)
    if weights is None:
        return None, "no size"
    device = _device(row, catalog, backend)
    if device is None:
        return None, f"device {row['hardware'][:40]} not in the catalog and no bandwidth stated"
    device_id, kind, bandwidth, tflops = device
    memory_gib = _device_memory_gib(catalog.hardware.get(device_id))
    if memory_gib is not None and weights > memory_gib * GIB:
        return (
            None,
            f"{weights / GIB:.1f} GiB of weights cannot be resident in {memory_gib:g} GiB: not a GPU-resident run",
        )
    depth = int(row["depth_tokens"] or 0)
    n_tokens = int(row["n_tokens"] or 512)
    if row["phase"] == "decode":
        read = weights * memory.active_fraction(model) + memory.kv_cache_bytes(model, depth + n_tokens // 2)
        ideal = bandwidth * 1e9 / read
    else:
        if tflops is None:
            return None, "no FP16 figure for the device"
        ideal = tflops * 1e12 / prefill_flops_per_token(model, depth * 2 + n_tokens)
    run = Run(row["row_id"], device_id, kind, backend, model, row["phase"], float(row["tokens_per_s"]), ideal)
    return run, ""


def _device_memory_gib(entry: object) -> float | None:
    if isinstance(entry, Gpu):
        return entry.memory_gib
    if isinstance(entry, Unified):
        return float(max(entry.memory_gib_options))
    return None


def _device(row: dict[str, str], catalog: Catalog, backend: str) -> tuple[str, str, float, float | None] | None:
    """(id, kind, bandwidth GB/s, FP16 TFLOPS) of the measured device: the catalog's entry, with the row's own
    stated bandwidth when it gives one; a device missing from the catalog still counts when the row states its
    bandwidth (the Apple table of llama.cpp discussion #4167 does)."""
    stated = float(row["memory_bandwidth_GBps_stated"]) if row["memory_bandwidth_GBps_stated"] else None
    entry = None
    try:
        rig = parse_hardware(_hardware_phrase(row["hardware"]), catalog)[0].rig
        hardware_id = (rig.gpus[0].hardware_id if rig.gpus else rig.unified.hardware_id if rig.unified else None) or ""
        entry = catalog.hardware.get(hardware_id)
    except RigfitError:
        pass
    if isinstance(entry, Gpu | Unified):
        kind = "unified" if isinstance(entry, Unified) else "gpu"
        return entry.id, kind, stated or entry.bandwidth_gb_s, entry.fp16_tflops
    if stated is None:
        return None
    kind = "unified" if backend == "metal" else "gpu"
    return _hardware_phrase(row["hardware"]).lower(), kind, stated, None


@dataclass(frozen=True)
class Score:
    rows: int
    median_abs_log_err: float
    coverage: float
    median_width: float
    worst: list[tuple[float, Run]]


MIN_ROWS = 5  # a group with fewer measured runs is pooled with its kind's other backends, never fitted alone


def fit_table(runs: list[Run]) -> dict[tuple[str, ...], tuple[float, float, float, int]]:
    """(p10, median, p90, rows) of measured/ideal per group, and pooled per phase, device kind and dense/MoE
    across backends (backend "*") and across devices ("*", "*"); groups with fewer than MIN_ROWS rows are left
    out (the engine then uses the pooled figure)."""
    groups: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for r in runs:
        groups[r.group()].append(r.efficiency)
        if r.phase == "decode":
            groups[("decode", r.device_kind, "*", "moe" if r.moe else "dense")].append(r.efficiency)
            groups[("decode", "*", "*", "moe" if r.moe else "dense")].append(r.efficiency)
        else:
            groups[("prefill", "*")].append(r.efficiency)
    table = {}
    for key, effs in groups.items():
        if len(effs) < MIN_ROWS:
            continue
        effs.sort()
        low = effs[int(0.1 * (len(effs) - 1))]
        high = effs[math.ceil(0.9 * (len(effs) - 1))]
        table[key] = (round(low, 3), round(statistics.median(effs), 3), round(high, 3), len(effs))
    return table


def engine_range(run: Run, table: calibration.Table = calibration.FITTED) -> calibration.Efficiency:
    """The engine's (low, typical, high) tokens/s for a measured run, with an efficiency table (by default the
    one the engine ships), looked up exactly as the engine looks it up."""
    if run.phase == "decode":
        eff = calibration.decode_efficiency(run.device_kind, run.backend, moe=run.moe, fitted=table)
    else:
        eff = calibration.prefill_efficiency(run.backend, fitted=table)
    return calibration.Efficiency(*(run.ideal_tps * e for e in eff))


def score(runs: list[Run], table: calibration.Table = calibration.FITTED) -> Score:
    errs, widths, inside, worst = [], [], 0, []
    for r in runs:
        low, typical, high = engine_range(r, table)
        err = abs(math.log(typical / r.measured_tps))
        errs.append(err)
        widths.append(high / low)
        inside += low <= r.measured_tps <= high
        worst.append((err, r))
    worst.sort(key=lambda t: -t[0])
    if not runs:
        return Score(0, math.nan, math.nan, math.nan, [])
    return Score(len(runs), statistics.median(errs), inside / len(runs), statistics.median(widths), worst[:8])


def report(catalog: Catalog, directory: Path | None = None) -> tuple[str, dict[str, float], calibration.Table]:
    """The fit on the fitting half and its score on the held-out half: the text `rigfit calibrate` prints, the
    figures, and the fitted table (what `--write` stores for the engine)."""
    runs, skipped = load_runs(catalog, directory)
    fit_runs = [r for r in runs if not r.held_out()]
    test_runs = [r for r in runs if r.held_out()]
    table = fit_table(fit_runs)
    lines = [
        f"{len(runs)} measured runs mapped ({len(skipped)} skipped); fit on {len(fit_runs)}, held out {len(test_runs)}"
    ]
    if ("decode", "*", "*", "dense") not in table:
        lines.append(f"too few runs to fit: each group needs {MIN_ROWS} on the fitting half")
        return "\n".join(lines), {}, table
    if table != calibration.FITTED:
        lines.append(
            "the engine's table (engine/calibration_fitted.py) differs from this fit: `rigfit calibrate --write`"
        )
    lines.append("\nfitted efficiency (p10, median, p90, rows) per group, from the fitting half:")
    for key, (low, typical, high, n) in sorted(table.items()):
        lines.append(f"  {'/'.join(key):32} {low:.3f} {typical:.3f} {high:.3f}  ({n})")
    figures: dict[str, float] = {}
    for phase in ("decode", "prefill"):
        s = score([r for r in test_runs if r.phase == phase], table)
        lines.append(
            f"\nheld-out {phase}: {s.rows} rows, median |ln(typical/measured)| {s.median_abs_log_err:.3f}, "
            f"inside [low, high] {s.coverage:.0%}, median high/low {s.median_width:.2f}"
        )
        for err, r in s.worst[:5]:
            low, typical, high = engine_range(r, table)
            lines.append(
                f"  worst: row {r.row_id} {r.model.id} on {r.hardware}: measured {r.measured_tps:.1f}, "
                f"typical {typical:.1f}, range {low:.1f}-{high:.1f} (|ln| {err:.2f})"
            )
        figures |= {
            f"calibration_{phase}_rows": s.rows,
            f"calibration_{phase}_median_abs_log_err": round(s.median_abs_log_err, 3),
            f"calibration_{phase}_coverage": round(s.coverage, 3),
            f"calibration_{phase}_median_width": round(s.median_width, 3),
        }
    checks, _ = multi_gpu_checks(catalog, directory)
    lines += checks_report(checks)
    for mode in ("layer", "tensor"):
        rows = [c for c in checks if c.mode == mode]
        if rows:
            figures[f"calibration_multi_gpu_{mode}_rows"] = len(rows)
            figures[f"calibration_multi_gpu_{mode}_median_abs_log_err"] = round(
                statistics.median(c.abs_log_err for c in rows), 3
            )
            figures[f"calibration_multi_gpu_{mode}_coverage"] = round(sum(c.inside for c in rows) / len(rows), 3)
    both = score(test_runs, table)
    figures |= {
        "calibration_median_abs_log_err": round(both.median_abs_log_err, 3),
        "calibration_coverage": round(both.coverage, 3),
        "calibration_median_width": round(both.median_width, 3),
    }
    return "\n".join(lines), figures, table


def held_out_figures(figures: dict[str, float]) -> dict[str, float]:
    """The figures of the held-out half (what the fitted table scores); the end-to-end multi-GPU checks run on the
    engine as shipped and are reported, not stored with the table."""
    return {k: v for k, v in figures.items() if not k.startswith("calibration_multi_gpu")}


def fitted_module(table: calibration.Table, figures: dict[str, float], fitted_on: str, rows: int) -> str:
    """engine/calibration_fitted.py's text: the fitted table and the held-out figures, as plain Python data."""
    out = [
        f'"""Generated by `rigfit calibrate --write` on {fitted_on} from {rows} measured runs: do not edit by hand.',
        "",
        "FITTED: group -> (p10, median, p90, rows) of measured/ideal on the fitting half (bot/calibrate.py).",
        'HELD_OUT: the same fit scored on the held-out half."""',
        "",
        f'FITTED_ON = "{fitted_on}"',
        "FITTED: dict[tuple[str, ...], tuple[float, float, float, int]] = {",
    ]
    out += [f"    {key!r}: {value!r}," for key, value in sorted(table.items())]
    out += ["}", "HELD_OUT: dict[str, float] = {"]
    out += [f"    {key!r}: {value!r}," for key, value in sorted(held_out_figures(figures).items())]
    out += ["}", ""]
    return "\n".join(out).replace("'", '"')


# ------------------------------------------------------------------------------ several GPUs, end to end

_SPLIT_TENSOR = re.compile(r"(-sm tensor|tensor-parallel|\btp\s*=?\s*\d|\btp\d)", re.I)
_SPLIT_LAYER = re.compile(r"(-sm layer|split mode layer|split-mode layer)", re.I)
_CARDS = re.compile(r"^\s*(?P<n>\d+)\s*x\s*(?P<card>[^+(;,]+)")


@dataclass(frozen=True)
class Check:
    """A measured multi-GPU run set against the engine's whole estimate (placement, then speed): not fitted."""

    row_id: str
    phrase: str
    model_id: str
    mode: str  # layer | tensor
    measured_tps: float
    low: float
    typical: float
    high: float

    @property
    def abs_log_err(self) -> float:
        return abs(math.log(self.typical / self.measured_tps))

    @property
    def inside(self) -> bool:
        return self.low <= self.measured_tps <= self.high


def multi_gpu_checks(catalog: Catalog, directory: Path | None = None) -> tuple[list[Check], list[str]]:
    """Decode runs on 2-8 cards from the measured rows: layer split (llama.cpp's default) against the engine's
    decode range, tensor parallel (vLLM, llama.cpp -sm tensor) against its tensor-parallel range."""
    rows = [r for r in measured_rows(directory) if r["phase"] == "decode" and 2 <= (_gpu_count(r) or 0) <= 8]
    return _collect(rows, lambda row: _check(row, catalog))


def _check(row: dict[str, str], catalog: Catalog) -> tuple[Check | None, str]:
    from engine import speed
    from engine.placement import place

    notes = row["offload_or_setup_notes"]
    mode = "tensor" if _SPLIT_TENSOR.search(notes) else "layer" if _SPLIT_LAYER.search(notes) else ""
    if not mode or _OFFLOAD.search(notes) or "experts" in notes.lower():
        return None, "not a whole-model layer or tensor split"
    outside = _outside_scope(row) if mode == "layer" else ""
    if outside:
        return None, f"layer split measured outside mainline llama.cpp: {outside}"
    one_sequence = row["batch_size"] == "1" or (row["batch_size"] == "" and "llama" in row["engine"].lower())
    if not one_sequence or "concurrency" in notes.lower() or "throughput" in row["test_as_published"].lower():
        return None, "not one sequence (or concurrency not stated)"
    cards = _CARDS.match(row["hardware"])
    if cards is None:
        return None, "cards not named as N x CARD"
    phrase = f"{cards.group('n')}x {cards.group('card').strip()}"
    try:
        model = parse_model(_model_name(row["model"]), catalog)
        rig = parse_hardware(phrase, catalog)[0].rig
    except RigfitError as exc:
        return None, str(exc)[:80]
    weights = _weights_bytes(row, model) if not model.adhoc else None
    if weights is None or not rig.gpus or any(g.bandwidth_gb_s is None for g in rig.gpus):
        return None, "model size or card bandwidth not known"
    depth = int(row["depth_tokens"] or 0)
    kv_type: memory.KvType = "q8_0" if "q8" in notes.lower() and "kv" in notes.lower() else "f16"
    placement = place(model, rig, weights, memory.kv_cache_bytes(model, depth + 1024, kv_type))
    if placement.kind != "multi-gpu":
        return None, f"the engine places it as {placement.kind}"
    kv_read = memory.kv_cache_bytes(model, depth + int(row["n_tokens"] or 128) // 2, kv_type)
    if mode == "tensor":
        tp = speed.tensor_parallel(model, placement, kv_read, nvlink=rig.nvlink)
        estimate = tp.decode_tps if tp else None
    else:
        estimate = speed.decode_range(model, placement, kv_read)[0]
    if estimate is None or estimate.typical is None:
        return None, "no estimate for this split"
    measured = float(row["tokens_per_s"])
    return Check(row["row_id"], phrase, model.id, mode, measured, estimate.low, estimate.typical, estimate.high), ""


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
