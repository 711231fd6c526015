"""Enums and figures -> sentences: the one place rigfit's answers are put into words (cards, terminal, JSON notes).

The engine returns numbers and enums (engine/fit.py, speed.py, placement.py, cost.py ...); each function here says
one of them the way the cards always have. Nothing here decides anything: control flow reads the typed values.
"""

from __future__ import annotations

from catalog.types import Model
from engine import memory
from engine.calibration import HeldOutScore, MeasuredAccuracy
from engine.cost import CostCaveat, CostCaveatKind
from engine.fit import FitReport, QuantOption
from engine.placement import Placement, PlacementKind, Verdict
from engine.prices import PriceBasis, PricePart, PricePartKind
from engine.rig import Assumption, AssumptionKind, GpuLimitBasis, Rig
from engine.speed import Caveat, CaveatKind
from engine.units import fmt_gb, fmt_tokens

VERDICT_WORDS: dict[Verdict, str] = {
    "fits": "fits",
    "fits-offload": "runs with offload",
    "does-not-fit": "does not fit",
}
PLACEMENT_WORDS: dict[PlacementKind, str] = {
    "gpu": "all on the GPU",
    "multi-gpu": "split across GPUs (whole layers per card)",
    "unified": "unified memory (GPU)",
    "unified-partial": "unified memory, part on the CPU cores",
    "expert-offload": "MoE expert offload: routed experts in RAM, the rest on the GPU",
    "partial-offload": "partial offload: some layers on the GPU, the rest in RAM",
    "cpu": "CPU only, system RAM",
    "disk": "mmap from disk",
    "none": "nowhere",
}

# ----------------------------------------------------------------------------------------------- fit


def context_note(report: FitReport) -> str:
    """How the context was chosen: "32k as asked", "32k by default (the model reads up to 1M)"."""
    if report.context_asked:
        return f"{fmt_tokens(report.context)} as asked"
    return (
        f"{fmt_tokens(report.context)} by default (the model reads up to {fmt_tokens(report.model.context_max_tokens)})"
    )


def placement_detail(p: Placement, model: Model) -> str:
    """What the placement does beyond its kind: layers on each side, the sysctl it needs; empty when nothing."""
    if p.kind == "unified" and p.wired_limit_mb:
        return f"needs the GPU wired limit raised: sudo sysctl iogpu.wired_limit_mb={p.wired_limit_mb}"
    if p.kind == "unified-partial":
        return f"{p.n_gpu_layers} of {model.layers} layers on the GPU, the rest on the CPU cores"
    if p.kind == "expert-offload":
        return f"routed experts of {p.n_cpu_moe} of {memory.moe_layers(model)} MoE layers in system RAM"
    if p.kind == "partial-offload":
        return f"{p.n_gpu_layers} of {model.layers} layers on the GPU, the rest in system RAM"
    if p.kind == "cpu":
        return "CPU only"
    if p.kind == "disk":
        return "llama.cpp would start with mmap and read the weights that fit nowhere from disk every token"
    return ""


def why(o: QuantOption, context: int, rig: Rig, model: Model) -> str:
    """The memory sum behind the verdict: weights + KV against what the placement had to hold them."""
    p = o.placement
    need = f"{fmt_gb(o.weights_bytes)} of weights + {fmt_gb(o.kv_cache_bytes)} of KV at {fmt_tokens(context)}"
    if p.kind == "unified" and rig.unified:
        how = "the raised GPU limit" if p.wired_limit_mb else "the GPU may wire by default"
        return f"{need} + buffers ≤ {fmt_gb(p.pools[0].capacity_bytes)} {how}"
    if p.kind in ("gpu", "multi-gpu"):
        return f"{need} + buffers ≤ {fmt_gb(rig.vram_bytes)} of VRAM"
    if p.kind == "expert-offload":
        ram = next(x for x in p.pools if x.kind == "ram")
        return f"{need}: {fmt_gb(ram.expert_bytes)} of routed experts in RAM, the rest on the GPU"
    if p.kind in ("partial-offload", "unified-partial"):
        return f"{need}: {placement_detail(p, model)}"
    if p.kind == "cpu":
        return f"{need} ≤ {fmt_gb(p.pools[0].capacity_bytes)} of RAM left after the OS"
    return f"{need}: {fmt_gb(p.shortfall_bytes)} more than this hardware holds"


def weights_detail(o: QuantOption, model: Model) -> str:
    """Where an estimated size comes from (published sizes need no words)."""
    return f"estimated: {model.total_params_b:g}B params x {o.bits_per_weight:g} bits ({o.bits_basis})"


# MLA attention (DeepSeek-style latent KV) at depth, GLM-4.7-Flash decode at 32k as a share of its empty-context
# speed, measured against what the KV read alone predicts (shared/calibration and bench/measured_runs.csv):
#   RTX 4090, CUDA: 14% (modelled 50%; github:jiegec/kb docs/software/llm_local_serving.md @3cb023cc, build 8396)
#   M2 Ultra, Metal: 37% (modelled 64%; ggml-org/llama.cpp benches/mac-m2-ultra/mac-m2-ultra.md @3795cc1e)
#   DGX Spark, CUDA: 67% (modelled 64%); Strix Halo, ROCm and Vulkan: 55-84% (modelled 67-77%)
# Builds and kernels differ that much, so the slowdown is shown as a caveat, not fitted.
MLA_DEPTH_NOTE = (
    "MLA attention may slow with context far more than modelled: at 32k GLM-4.7-Flash kept 14% of its "
    "empty-context speed on an RTX 4090 and 37% on an M2 Ultra (modelled 50-64%)"
)
# CPU-only decode with context in the cache: Qwen3-235B-A22B Q6_K on an EPYC 9355 (12x DDR5-6000), llama.cpp build
# 5269: 14.1 tok/s empty, 3.4 at 4096, 2.1 at 8192 (github:ikawrakow/ik_llama.cpp discussion #357, AesSedai
# 2025-05-03; bench/measured_runs.csv x517-x519). Attention on the CPU, not the KV read, sets that fall.
CPU_DEPTH_NOTE = (
    "CPU-only decode can fall steeply with context: Qwen3-235B on an EPYC 9355 went from 14 tok/s empty to 2.1 at 8k"
)
_FIXED_CAVEATS: dict[CaveatKind, str] = {
    CaveatKind.RAM_EFFICIENCY_POOLED: (
        "system-RAM speed uses the efficiency pooled over GPUs and unified memory: too few CPU-only runs to fit "
        "their own"
    ),
    CaveatKind.MLA_DEEP_CONTEXT: MLA_DEPTH_NOTE,
    CaveatKind.CPU_DEEP_CONTEXT: CPU_DEPTH_NOTE,
    CaveatKind.CPU_ONLY_PREFILL: "CPU-only prefill: no FLOPS figure for CPUs in the catalog yet",
    CaveatKind.NO_FP16: "no FP16 throughput known for this device",
    CaveatKind.PCIE_BOUND_PREFILL: "bounded by PCIe: weights in system RAM are streamed to the GPU for every batch",
}


def caveat(c: Caveat) -> str:
    if c.kind is CaveatKind.DISK_BOUND:
        return (
            f"at most {c.max_decode_tps or 0:.2g} tok/s: {c.disk_gb_per_token or 0:.1f} GB read from disk per token "
            f"at a PCIe 4.0 NVMe drive's {c.disk_read_gb_s or 0:g} GB/s"
        )
    if c.kind is CaveatKind.NO_BANDWIDTH:
        return f"no bandwidth known for {c.device}: name the exact device for a speed estimate"
    return _FIXED_CAVEATS[c.kind]


def speed_note(o: QuantOption, model: Model) -> str:
    """The placement's detail and every speed caveat, in one line."""
    return "; ".join(n for n in (placement_detail(o.placement, model), *(caveat(c) for c in o.caveats)) if n)


# ------------------------------------------------------------------------------------------ readings

_GPU_LIMIT_BASIS: dict[GpuLimitBasis, str] = {
    "metal-default": "macOS default GPU wired limit",
    "all-memory": "GPU may address all memory (BIOS carve-out / GTT set to the maximum)",
}
_FIXED_ASSUMPTIONS: dict[AssumptionKind, str] = {
    AssumptionKind.WIRED_LIMIT_RAISABLE: (
        "`sudo sysctl iogpu.wired_limit_mb=N` raises the GPU limit; answers say when they need it"
    ),
    AssumptionKind.RAM_NO_GPU: "read as system RAM with no GPU",
}


def _gpu_limit_basis(a: Assumption) -> str:
    if a.gpu_limit_basis == "catalog":
        return a.gpu_limit_source or ""
    return _GPU_LIMIT_BASIS[a.gpu_limit_basis or "all-memory"]


def assumption(a: Assumption) -> str:
    """What was assumed to read the hardware phrase so, in words."""
    k, size, other = a.kind, a.size_gib or 0.0, a.other_size_gib or 0.0
    if k in _FIXED_ASSUMPTIONS:
        return _FIXED_ASSUMPTIONS[k]
    if k is AssumptionKind.TYPICAL_GPU:
        return f"a {size:g} GB GPU read as an {a.device} ({a.bandwidth_gb_s or 0:g} GB/s)"
    if k is AssumptionKind.UNKNOWN_GPU_SIZE:
        return f"no {size:g} GB card in the catalog: memory only, no speed estimate"
    if k is AssumptionKind.RAM_SPEC:
        what = ", ".join(a.assumed)
        return f"system RAM read as {a.device}, {a.bandwidth_gb_s or 0:.0f} GB/s ({what} assumed; say e.g. `DDR4-3200`)"
    if k is AssumptionKind.GPU_LIMIT:
        basis = (
            a.gpu_limit_source or ""
            if a.gpu_limit_basis == "catalog"
            else _GPU_LIMIT_BASIS[a.gpu_limit_basis or "all-memory"]
        )
        return f"{basis}: {a.limit_gib or 0:.0f} of {size:g} GB for the GPU"
    if k is AssumptionKind.SIZES_SHOWN:
        return f"no memory size given: showing the {a.device}'s sizes, largest first"
    if k is AssumptionKind.READ_AS_UNIFIED:
        return f"read as unified memory: {a.device} {size:g}GB"
    if k is AssumptionKind.RAM_BESIDE_GPU:
        return f"read as system RAM beside {assumption(a.beside) if a.beside else 'a GPU'}"
    if k is AssumptionKind.UNIFIED_MACHINES:
        return f"{size:g} GB unified memory: showing each machine sold with it, fastest memory first"
    if k is AssumptionKind.POOLED_VRAM:
        return f"read as {a.count}x {a.device} ({size:g} GB each), layer split"
    if k is AssumptionKind.NO_NVLINK:
        return f"{', '.join(a.devices)}: no NVLink in the catalog for this card, so the GPUs are read as linked by PCIe"
    return f"{size:g} GB read as VRAM and {other:g} GB as system RAM"  # SPLIT_SIZES


def adhoc_basis(model: Model) -> str:
    """Where an ad-hoc model's architecture came from."""
    if model.architecture_from is None:
        return "no catalog model to borrow an architecture from: KV cache assumes 80 layers of 8x128 GQA"
    return (
        f"architecture unknown: KV cache and layers borrowed from {model.architecture_from}, the nearest catalog model"
    )


# --------------------------------------------------------------------------------------------- about


def held_out_score(what: str, s: HeldOutScore) -> str:
    return f"{what} median error x{s.median_error_factor:.2f}, {s.coverage:.0%} inside the range ({s.rows} runs)"


def accuracy_line(accuracy: MeasuredAccuracy) -> str:
    """/about's accuracy sentence: each figure named for what it measures."""
    decode = held_out_score("decode speed", accuracy.decode)
    prefill = held_out_score("prefill speed", accuracy.prefill)
    return f"Measured on held-out runs: {decode}; {prefill}."


# ------------------------------------------------------------------------------------------ prices, cost


def price_part(p: PricePart) -> str:
    """One part of a price: "NVIDIA GeForce RTX 3090 used $700 (2026-11-22)", or why the part has none."""
    o = p.offer
    if p.kind in (PricePartKind.GPU, PricePartKind.MACHINE) and o is not None:
        return f"{p.device} {o.condition} ${o.usd:,.0f} ({o.as_of})"
    if p.kind is PricePartKind.RAM and o is not None:
        return (
            f"{p.ram_gib or 0:.0f} GB {p.memory_type} at ${p.usd_per_gib or 0:.2f}/GB "
            f"({o.condition} {o.memory_gib} GB for ${o.usd:,.0f}, {o.as_of})"
        )
    if p.kind is PricePartKind.NO_OFFER:
        size = f" {p.memory_gib} GB" if p.memory_gib else ""
        return f"no price in the catalog for {p.device}{size}"
    if p.kind is PricePartKind.NO_RAM_OFFER:
        return f"no price in the catalog for {p.memory_type or 'this'} system RAM"
    return "a device without a catalog entry has no price"  # NO_ENTRY


def price_basis(b: PriceBasis) -> str:
    """What /cost priced the hardware as: each card, the machine or the RAM in turn; RAM without a price beside
    priced parts is not counted."""
    if b.given:
        return "as given"
    words = [
        price_part(p) + (": not counted" if p.kind is PricePartKind.NO_RAM_OFFER and len(b.parts) > 1 else "")
        for p in b.parts
    ]
    return "; ".join([*words, *(["board, CPU and the rest of the PC not priced"] if b.rest_unpriced else [])])


def candidate_price(b: PriceBasis) -> str:
    """What /recommend priced a machine as: "2 x <card offer>", the machine, the RAM."""
    gpus = [p for p in b.parts if p.kind is PricePartKind.GPU]
    words = [f"{len(gpus)} x {price_part(gpus[0])}"] if gpus else []
    words += [price_part(p) for p in b.parts if p.kind is not PricePartKind.GPU]
    return "; ".join([*words, *(["board and CPU not priced"] if b.rest_unpriced else [])])


_FIXED_COST_CAVEATS: dict[CostCaveatKind, str] = {
    CostCaveatKind.NO_POWER: "no power figure for this hardware: electricity not counted",
    CostCaveatKind.NO_PREFILL: "no prefill figure: only output time is counted for power",
    CostCaveatKind.NO_LOCAL_RUN: "the model does not run on this hardware, so there is no local cost",
    CostCaveatKind.NO_API_PRICE: "no API price in the catalog for this model",
}


def cost_caveat(c: CostCaveat) -> str:
    """One of /cost's assumptions in words."""
    if c.kind is CostCaveatKind.NO_HARDWARE_PRICE:
        return f"{price_basis(c.basis or PriceBasis())}: pass the price to compare"
    if c.kind is CostCaveatKind.PRICED_FROM_CATALOG:
        return f"hardware priced as {price_basis(c.basis or PriceBasis())}"
    if c.kind is CostCaveatKind.OVER_CAPACITY:
        return (
            f"at this speed the machine processes at most {(c.max_tokens_per_day or 0) / 1e6:.2f}M tokens a day, "
            f"less than the {(c.tokens_per_day or 0) / 1e6:g}M asked"
        )
    if c.kind is CostCaveatKind.LOCAL_QUANT:
        return f"local runs {c.quant}; the API serves the full-precision model"
    return _FIXED_COST_CAVEATS[c.kind]
