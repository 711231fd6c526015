"""A member's pasted llama.cpp measurements, checked before anything is stored: a typed refusal when the paste is
too big, holds no timed rows or too many, or a figure is faster than the stated hardware can physically go.

The rooflines are upper bounds, deliberately loose so that no real run is refused:
- decode reads every active weight (and the KV cache at its depth) once per token, so tokens/s cannot exceed the
  rig's memory bandwidth, summed over every pool (GPUs, unified memory, system RAM), over those bytes
  (shared/SIZING.md section 5), with DECODE_SLACK for bandwidth figures and caches;
- prefill costs at least 2 x active parameters FLOPs per token (section 6), and llama.cpp's quantized kernels use
  int8 tensor cores (section 9): PREFILL_INT8_OVER_FP16 x the catalog's dense FP16 figure (FP32 accumulate) bounds
  it, with PREFILL_SLACK on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from catalog.types import Model
from engine import memory
from engine.evidence import DeviceClass
from engine.rig import Frozen, Rig

BenchFormat = Literal["markdown", "json", "jsonl", "csv", "server-log", "server-json"]
Phase = Literal["decode", "prefill"]

PASTE_MAX_BYTES = 128 * 1024  # a llama-bench -o json sweep of ROWS_MAX tests is about 80 KB
ROWS_MAX = 64  # e.g. 2 tests x 8 depths x 4 models; more is a dump, not a report
REPORTS_PER_MEMBER_MAX = 200  # reports one member keeps; past it, /report delete makes room
DECODE_SLACK = 1.25
# NVIDIA's int8 dense tensor rate is 4x the dense FP16 rate with FP32 accumulate that the catalog stores (GA102
# whitepaper: RTX 3090 284 int8 TOPS against 71 FP16 TFLOPS); other vendors' ratios are lower.
PREFILL_INT8_OVER_FP16 = 4.0
PREFILL_SLACK = 1.25


class BenchRow(Frozen):
    """One timed test: what ran and how fast."""

    model_type: str = ""  # llama.cpp's description: "qwen3moe 30B.A3B Q4_K - Medium"
    model_file: str = ""  # the GGUF path, where the output names it (json, jsonl, csv, server logs)
    size_bytes: Annotated[int, Field(gt=0)] | None = None
    params: Annotated[int, Field(gt=0)] | None = None
    backend: str = ""
    n_gpu_layers: int | None = None
    test: str  # as printed: "pp512", "tg128 @ d4096", "prompt eval"
    phase: Phase
    n_tokens: Annotated[int, Field(gt=0)]
    depth_tokens: Annotated[int, Field(ge=0)] = 0
    tokens_per_s: Annotated[float, Field(gt=0)]
    quant: str = ""  # the file type, read from the file name, else from llama.cpp's description


class BenchPaste(Frozen):
    format: BenchFormat | None  # None: nothing llama.cpp prints was found
    rows: tuple[BenchRow, ...] = ()
    devices: tuple[str, ...] = ()  # accelerator names llama.cpp printed
    skipped: int = 0  # rows read but not timed tests of one phase (pp+tg combined tests, zero speeds)


class RefusalKind(StrEnum):
    TOO_LARGE = "too-large"  # `paste_bytes` over `limit`
    NO_ROWS = "no-rows"  # no llama-bench row or llama-server timing in the paste
    TOO_MANY_ROWS = "too-many-rows"  # `rows` over `limit`
    MODEL_UNRESOLVED = "model-unresolved"  # `model_text` is not a catalog model (`detail`: the parser's answer)
    HARDWARE_UNREAD = "hardware-unread"  # `detail`: the hardware parser's answer
    DECODE_OVER_BANDWIDTH = "decode-over-bandwidth"  # `test` at `measured_tps` > `limit_tps` from `bandwidth_gb_s`
    PREFILL_OVER_COMPUTE = "prefill-over-compute"  # `test` at `measured_tps` > `limit_tps` from `tflops`
    NO_QUANT = "no-quant"  # no row says its quant (no GGUF file name, no llama.cpp file type)
    MODELS_MIXED = "models-mixed"  # a model was given for a paste of `rows` different models
    DEVICES_DIFFER = "devices-differ"  # llama.cpp printed `devices`; the stated rig (`detail`) has none of them
    DUPLICATE = "duplicate"  # the member reported this paste already, as `report_id`
    TOO_MANY_REPORTS = "too-many-reports"  # the member keeps `limit` reports already


class Refusal(Frozen):
    kind: RefusalKind
    limit: int | None = None
    paste_bytes: int | None = None
    rows: int | None = None
    model_text: str | None = None
    detail: str | None = None
    test: str | None = None
    measured_tps: float | None = None
    limit_tps: float | None = None
    bandwidth_gb_s: float | None = None
    tflops: float | None = None
    devices: tuple[str, ...] = ()
    report_id: int | None = None


class Refused(Exception):
    """Raised by the bot's report reader with the typed refusal (bot/wording.py says it)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.kind.value)
        self.refusal = refusal


def check_size(paste_bytes: int) -> Refusal | None:
    if paste_bytes > PASTE_MAX_BYTES:
        return Refusal(kind=RefusalKind.TOO_LARGE, paste_bytes=paste_bytes, limit=PASTE_MAX_BYTES)
    return None


def check_count(rows: int) -> Refusal | None:
    if rows == 0:
        return Refusal(kind=RefusalKind.NO_ROWS)
    if rows > ROWS_MAX:
        return Refusal(kind=RefusalKind.TOO_MANY_ROWS, rows=rows, limit=ROWS_MAX)
    return None


def rig_bandwidth_gb_s(rig: Rig) -> float | None:
    """Every pool's bandwidth added up (an upper bound: pools of a layer split run one after another); None when a
    pool's bandwidth is unknown."""
    pools = [g.bandwidth_gb_s for g in rig.gpus]
    pools += [rig.unified.bandwidth_gb_s] if rig.unified else []
    pools += [rig.ram.bandwidth_gb_s] if rig.ram else []
    if not pools or any(b is None for b in pools):
        return None
    return float(sum(b for b in pools if b is not None))


def rig_fp16_tflops(rig: Rig) -> float | None:
    """The accelerators' dense FP16 throughput added up; None for a CPU-only rig or a device without the figure."""
    devices = [g.fp16_tflops for g in rig.gpus] + ([rig.unified.fp16_tflops] if rig.unified else [])
    if not devices or any(t is None for t in devices):
        return None
    return float(sum(t for t in devices if t is not None))


def decode_limit_tps(row: BenchRow, model: Model, rig: Rig) -> tuple[float, float] | None:
    """(tokens/s no decode on this rig can beat, the bandwidth it rests on); None when a figure is missing."""
    bandwidth = rig_bandwidth_gb_s(rig)
    weights = row.size_bytes or _weights_estimate(model, row.quant)
    if bandwidth is None or weights is None:
        return None
    read = memory.active_bytes(model, weights, row.quant) + memory.kv_cache_bytes(model, row.depth_tokens)
    return bandwidth * 1e9 / read * DECODE_SLACK, bandwidth


def prefill_limit_tps(row: BenchRow, model: Model, rig: Rig) -> tuple[float, float] | None:
    tflops = rig_fp16_tflops(rig)
    if tflops is None:
        return None
    active = (model.active_params_b or model.total_params_b) * 1e9
    return tflops * 1e12 * PREFILL_INT8_OVER_FP16 / (2 * active) * PREFILL_SLACK, tflops


def _weights_estimate(model: Model, quant: str) -> int | None:
    w = memory.weights_estimate(model, quant) if quant else None
    return w.n_bytes if w is not None else None


def check_row(row: BenchRow, model: Model, rig: Rig) -> Refusal | None:
    """A refusal when the row's speed is more than the rig can physically deliver."""
    if row.phase == "decode":
        limit = decode_limit_tps(row, model, rig)
        kind = RefusalKind.DECODE_OVER_BANDWIDTH
    else:
        limit = prefill_limit_tps(row, model, rig)
        kind = RefusalKind.PREFILL_OVER_COMPUTE
    if limit is None or row.tokens_per_s <= limit[0]:
        return None
    return Refusal(
        kind=kind,
        test=row.test,
        measured_tps=row.tokens_per_s,
        limit_tps=round(limit[0], 1),
        bandwidth_gb_s=limit[1] if kind is RefusalKind.DECODE_OVER_BANDWIDTH else None,
        tflops=limit[1] if kind is RefusalKind.PREFILL_OVER_COMPUTE else None,
    )


def check_rows(rows: Sequence[tuple[BenchRow, Model]], rig: Rig) -> Refusal | None:
    """The first refusal among the rows (count, then each figure against the rig), or None when all may be kept."""
    counted = check_count(len(rows))
    if counted is not None:
        return counted
    for row, model in rows:
        refused = check_row(row, model, rig)
        if refused is not None:
            return refused
    return None


def member_class(rig: Rig, row: BenchRow, model: Model) -> DeviceClass:
    """The class of rig a member's run used: offload when layers or weights were left in system RAM."""
    fewer_layers = row.n_gpu_layers is not None and 0 < row.n_gpu_layers < model.layers
    if rig.unified is not None:
        return "unified"
    if not rig.gpus or row.n_gpu_layers == 0:
        return "cpu"
    too_big = row.size_bytes is not None and row.size_bytes > rig.vram_bytes
    if fewer_layers or (rig.ram is not None and too_big):
        return "offload"
    return "multi-gpu" if len(rig.gpus) > 1 else "gpu"
