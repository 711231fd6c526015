"""Enums and figures -> sentences: the one place rigfit's answers are put into words (cards, terminal, JSON notes).

The engine returns numbers and enums (engine/fit.py, speed.py, placement.py, cost.py ...); each function here says
one of them the way the cards always have. Nothing here decides anything: control flow reads the typed values.
"""

from __future__ import annotations

import math
import shlex
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalog.types import Model
from engine import formats, memory, speculative
from engine.calibration import HeldOutScore, MeasuredAccuracy
from engine.concurrency import ConcurrentUsers, kv_cap
from engine.cost import CostCaveat, CostCaveatKind
from engine.evidence import Agreement, Cited, Judgement
from engine.fit import SERVER_ONLY, SHORTENED, ContextCaveat, FitReport, Pick, QuantOption, RamHint, Trade
from engine.placement import Placement, PlacementKind, Verdict
from engine.prices import PriceBasis, PricePart, PricePartKind
from engine.quants import Tier
from engine.recommend import Candidate, ModelFit, Quality, QualityBasis, Upgrade, UpgradeKind, UpgradePath, Use
from engine.reports import Refusal as ReportRefusal
from engine.reports import RefusalKind
from engine.rig import Assumption, AssumptionKind, GpuLimitBasis, Rig
from engine.serve import (
    IK_SERVER,
    Engine,
    ForkSpeed,
    LlamaBuild,
    Refusal,
    Refused,
    ServePlan,
    Step,
    read_as_text_model,
)
from engine.server_speed import ServerSpeed
from engine.speed import Caveat, CaveatKind, Range
from engine.units import GIB, fmt_gb, fmt_rate, fmt_tokens

if TYPE_CHECKING:
    from bot.member_reports import AcceptedReport
    from engine.serve import Arg  # speculative decoding's flags

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
    """How the context was chosen: "32k as asked", "32k by default (the model reads up to 1M)"; with what it needs
    beyond the native length (YaRN rope scaling)."""
    caveats = "".join(f"; {context_caveat(c, report.model)}" for c in report.context_caveats)
    if report.context_asked:
        return f"{fmt_tokens(report.context)} as asked{caveats}"
    return (
        f"{fmt_tokens(report.context)} by default (the model reads up to {fmt_tokens(report.model.context_max_tokens)})"
        f"{caveats}"
    )


def context_lengths(model: Model) -> str:
    """The model's context on its spec card: "32k", or with the YaRN its card documents "32k (128k with YaRN)"."""
    native = fmt_tokens(model.context_max_tokens)
    return f"{native} ({fmt_tokens(model.yarn.extended_context_tokens)} with YaRN)" if model.yarn else native


def context_caveat(c: ContextCaveat, model: Model) -> str:
    """What the asked context rests on, in words (the figures from the model's card)."""
    match c:
        case ContextCaveat.YARN if model.yarn is not None:
            y = model.yarn
            above = fmt_tokens(y.needed_above_tokens) if y.needed_above_tokens else None
            where = (
                f"above {above} its card asks for"
                if above
                else (f"above the model's native {fmt_tokens(model.context_max_tokens)}, it needs")
            )
            return (
                f"{where} YaRN rope scaling "
                f"(factor {y.factor:g} over {y.original_context_tokens:,}, up to {y.extended_context_tokens:,} tokens; "
                "the commands set it). Engines apply YaRN statically, to every prompt, which may cost quality on "
                "short ones: enable it only when long contexts are needed"
            )
        case ContextCaveat.YARN:
            return f"above the model's native {fmt_tokens(model.context_max_tokens)}: it needs rope scaling"


def placement_detail(p: Placement, model: Model) -> str:
    """What the placement does beyond its kind: layers on each side, the sysctl it needs; empty when nothing."""
    if p.kind == "unified" and p.wired_limit_mb:
        return f"needs the GPU wired limit raised: sudo sysctl iogpu.wired_limit_mb={p.wired_limit_mb}"
    if p.kind == "unified-partial":
        return f"{p.n_gpu_layers} of {model.layers} layers on the GPU, the rest on the CPU cores"
    if p.kind == "expert-offload":
        experts = f"routed experts of {p.n_cpu_moe} of {memory.moe_layers(model)} MoE layers in system RAM"
        return experts + _whole_layers_in_ram(p, model)
    if p.kind == "partial-offload":
        return f"{p.n_gpu_layers} of {model.layers} layers on the GPU, the rest in system RAM"
    if p.kind == "cpu":
        return "CPU only"
    if p.kind == "disk":
        return "llama.cpp would start with mmap and read the weights that fit nowhere from disk every token"
    return ""


def _whole_layers_in_ram(p: Placement, model: Model) -> str:
    """An expert offload that also keeps the first layers' attention and KV cache in RAM (-ngl under the layers)."""
    if p.n_gpu_layers is None or p.n_gpu_layers > model.layers:
        return ""
    return f", with the attention and KV cache of {model.layers - p.n_gpu_layers} of {model.layers} layers"


def placement_words(p: Placement) -> str:
    """How the bytes are placed, in a few words (a split across machines says so)."""
    if p.nodes > 1:
        return f"split across {p.nodes} machines (whole layers per machine, llama.cpp RPC or exo)"
    return PLACEMENT_WORDS[p.kind]


def server_run(o: QuantOption) -> ServePlan | None:
    """Where the option is a server checkpoint (AWQ, GPTQ, FP8, NVFP4), which llama.cpp does not load: its first vLLM
    or SGLang plan with a decode figure, which the card's headline and speed are then about; else None."""
    if o.format not in SERVER_ONLY:
        return None
    return next((plan for plan in o.serve.plans if plan.speed is not None), None)


def option_placement_words(o: QuantOption) -> str:
    """The headline's placement: a server checkpoint's as its engine splits it (Kimi K2's FP8 on 8x H200 is vLLM's
    tensor parallel 8, not llama.cpp's whole layers per card, which cannot load it); else `placement_words`."""
    plan = server_run(o)
    if plan is None and o.format in SERVER_ONLY and not o.serve.plans:  # sized, but no engine here starts it
        return (
            f"{placement_words(o.placement)} as llama.cpp would place it, but only vLLM or SGLang load "
            f"{o.format.upper()} and neither starts it here"
        )
    if plan is None:
        return placement_words(o.placement)
    engine = ENGINE_NAMES[plan.engine]
    if plan.tensor_parallel > 1 or plan.pipeline_parallel > 1:
        pipeline = f" x pipeline parallel {plan.pipeline_parallel}" if plan.pipeline_parallel > 1 else ""
        return f"tensor parallel {plan.tensor_parallel}{pipeline} on {engine}"
    return f"on the GPU, in {engine}"


# System RAM sizes people buy and write (GiB), for the example phrase of a RAM hint
RAM_SIZES_GIB = (8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)


def ram_hint(hint: RamHint, label: str, gpus: int = 1) -> str:
    """GPUs read without system RAM, on which nothing fits: what RAM beside them would run, and how to say it."""
    need_gib = math.ceil(hint.ram_bytes / memory.GIB)
    size = next((n for n in RAM_SIZES_GIB if n >= need_gib), RAM_SIZES_GIB[-1])
    where = "the GPU" if gpus == 1 else "the GPUs"
    least = ""
    least_gib = math.ceil(hint.least_ram_bytes / memory.GIB) if hint.least_ram_bytes else need_gib
    # said only where it fits a smaller size of RAM people buy than the hint's own (not 43 GB beside 44)
    if hint.least_quant and next((n for n in RAM_SIZES_GIB if n >= least_gib), size) < size:
        least = f" With less, `{hint.least_quant}` runs in {least_gib} GB, the least of any file an engine loads."
    return (
        f"With system RAM beside {where}, `{hint.quant}` runs ({PLACEMENT_WORDS[hint.kind]}) in {need_gib} GB of RAM "
        f"or more, the OS's share included.{least} Add yours to the hardware, e.g. `{label} + {size}gb ddr5`."
    )


def why(o: QuantOption, context: int, rig: Rig, model: Model) -> str:
    """The memory sum behind the verdict: weights + KV against what the placement had to hold them."""
    p = o.placement
    need = f"{fmt_gb(o.weights_bytes)} of weights + {fmt_gb(o.kv_cache_bytes)} of KV at {fmt_tokens(context)}"
    if p.kind == "unified" and rig.unified:
        how = "the raised GPU limit" if p.wired_limit_mb else "the GPU may wire by default"
        how = "the GPU's share you stated" if rig.unified.gpu_limit_basis == "stated" else how
        return f"{need} + buffers ≤ {fmt_gb(p.pools[0].capacity_bytes)} {how}"
    if p.nodes > 1:  # a cluster: each machine's GPU memory (or unified memory at its GPU limit) holds its layers
        held = sum(pool.capacity_bytes for pool in p.pools)
        return f"{need} + buffers ≤ {fmt_gb(held)} over {p.nodes} machines"
    if p.kind in ("gpu", "multi-gpu"):
        return f"{need} + buffers ≤ {fmt_gb(rig.vram_bytes)} of VRAM"
    if p.kind == "expert-offload":
        ram = next(x for x in p.pools if x.kind == "ram")
        in_ram = f"{fmt_gb(ram.expert_bytes)} of routed experts in RAM{_whole_layers_in_ram(p, model)}"
        return f"{need}: {in_ram}, the rest on the GPU"
    if p.kind in ("partial-offload", "unified-partial"):
        return f"{need}: {placement_detail(p, model)}"
    if p.kind == "cpu":
        return f"{need} ≤ {fmt_gb(p.pools[0].capacity_bytes)} of RAM left after the OS"
    return f"{need}: {fmt_gb(p.shortfall_bytes)} more than this hardware holds"


TIER_WORDS: dict[Tier, str] = {
    Tier.NEAR_LOSSLESS: "near-lossless",
    Tier.HIGH: "high quality",
    Tier.GOOD: "good quality",
    Tier.FAIR: "3-bit: some quality lost",
    Tier.DEGRADED: "below 3 bits: degraded",
}


# /compare calls one figure faster than the other only past this ratio: the speed ranges are wider than that
COMPARE_MARGIN = 1.15


def compare_verdict(a: FitReport, b: FitReport) -> str:
    """/compare's answer in one line: which side runs the model (or which model runs) faster, at a better quant, with
    more context: "Faster: **NVIDIA DGX Spark** — decode typically 42 vs 34 tok/s; prefill 568 vs 389 tok/s". One
    model on two machines names the machines; two models on one machine name the models."""
    same_model = a.model.id == b.model.id
    names = [r.readings[0].label if same_model else r.model.name for r in (a, b)]
    # a Mac on which only MLX's tight fit runs the model counts as running it (fit.ReadingReport.mlx_tight); a pick
    # no engine loads (an estimated size of a file no repo publishes) does not: it is no answer to compare speeds with
    pa, pb = (_loadable(r.readings[0].pick or r.readings[0].mlx_tight) for r in (a, b))
    if pa is None or pb is None:
        runs = [n for n, p in zip(names, (pa, pb), strict=True) if p is not None]
        return f"Only **{runs[0]}** runs it with a file an engine loads." if runs else "Neither runs here."
    parts = [_faster(names, pa.option.decode_tps, pb.option.decode_tps, "decode")]
    prefill = _faster(names, pa.option.prefill_tps, pb.option.prefill_tps, "prefill")
    parts += [prefill] if prefill and not prefill.startswith("about as fast") else []
    if pa.tier is not pb.tier:
        better, worse = (pa, pb) if list(Tier).index(pa.tier) < list(Tier).index(pb.tier) else (pb, pa)
        name = names[0] if better is pa else names[1]
        parts.append(
            f"**{name}** runs a better quant: `{better.quant}` ({TIER_WORDS[better.tier]}) against `{worse.quant}` "
            f"({TIER_WORDS[worse.tier]})"
        )
    if pa.context != pb.context:
        longer = names[0] if pa.context > pb.context else names[1]
        most, least = max(pa.context, pb.context), min(pa.context, pb.context)
        parts.append(f"**{longer}** holds more context: {fmt_tokens(most)} against {fmt_tokens(least)}")
    said = "; ".join(p for p in parts if p)
    return said[:1].upper() + said[1:] + "."


def _loadable(pick: Pick | None) -> Pick | None:
    """The pick where some engine loads its file (fit.QuantOption.loadable), else None."""
    return pick if pick is not None and pick.option.loadable else None


def _faster(names: list[str], a: Range | None, b: Range | None, what: str) -> str | None:
    if a is None or b is None:
        return None
    fast, slow = max(a.centre, b.centre), min(a.centre, b.centre)
    if fast < COMPARE_MARGIN * slow:
        return f"about as fast at {what} (typically {fmt_rate(a.centre)} and {fmt_rate(b.centre)} tok/s)"
    faster = names[0] if a.centre > b.centre else names[1]
    return f"**{faster}** is faster at {what}: typically {fmt_rate(fast)} tok/s against {fmt_rate(slow)}"


def pick_trade(pick: Pick, report: FitReport) -> str | None:
    """What the pick gave up to keep its bits, and what runs without that trade: "with a q8_0 KV cache (at f16 only
    Q3_K_M fits 32k)", "at 16k context, not 32k (Q3_K_M runs at 32k)". None when it runs as asked."""
    asked = fmt_tokens(report.context)
    instead = f"; `{pick.instead}` runs at {asked} with the {report.kv_type} cache" if pick.instead else ""
    instead += f"; `{pick.slower}` runs only with layers in system RAM, under half as fast" if pick.slower else ""
    if pick.slow_higher and pick.slow_higher_tps is not None:
        instead += (
            f"; `{pick.slow_higher}` fits too but decodes at about {fmt_rate(pick.slow_higher_tps)} tok/s: "
            "every bit is read each token, for little quality above 4 bits"
        )
    match pick.trade:
        case Trade.NONE:
            return (
                f"`{pick.quant}` wholly on the GPU{instead}"
                if pick.slower
                else (f"`{pick.quant}`{instead}" if instead else None)
            )
        case Trade.KV_Q8:
            return f"`{pick.quant}` with a {pick.kv_type} KV cache (about half of {report.kv_type}){instead}"
        case Trade.SHORTER_CONTEXT:
            q8 = f" (or {fmt_tokens(pick.q8_context)} with a q8_0 KV cache)" if pick.q8_context else ""
            return f"`{pick.quant}` at {fmt_tokens(pick.context)} of context{q8}, not {asked}{instead}"
        case Trade.SHORTER_CONTEXT_KV_Q8:
            return (
                f"`{pick.quant}` at {fmt_tokens(pick.context)} of context with a {pick.kv_type} KV cache, not {asked}"
                f"{instead}"
            )


def mlx_tight(pick: Pick, rig: Rig) -> str:
    """A Mac on which nothing fits llama.cpp's budget: the MLX build that runs with the GPU limit raised to all but
    the OS's share (`fit.ReadingReport.mlx_tight`), said before its own lines and command."""
    u = rig.unified
    left = u.memory_bytes - pick.option.placement.pools[0].used_bytes if u is not None else 0
    return (
        f"MLX runs it where llama.cpp's budget does not: `{pick.quant}` up to {fmt_tokens(pick.context)} of context "
        f"with the GPU limit raised, leaving macOS {fmt_gb(left)} (MLX keeps no compute buffer and no 1 GiB margin "
        "as llama.cpp does; close other apps). LM Studio's MLX engine runs the same build."
    )


def smaller_kv(kv_type: str, quant: str, context: int) -> str:
    """Nothing runs at the asked context: the quant llama.cpp's smallest KV cache type holds there
    (`fit.ReadingReport.smaller_kv`)."""
    return (
        f"With a {kv_type} KV cache (`-ctk {kv_type} -ctv {kv_type}`, with flash attention; the cache loses some "
        f"precision), `{quant}` fits wholly at {fmt_tokens(context)}: set `kv_cache` to `{kv_type}`."
    )


def unasked(pick: Pick, report: FitReport) -> str:
    """A quant asked for that runs nowhere here, or only with layers in system RAM: the quant an expert would run at
    the same settings instead, where it runs and how fast (`fit.ReadingReport.unasked`)."""
    o = pick.option
    at = f"at {fmt_tokens(pick.context)}" + (
        f" of context, not {fmt_tokens(report.context)}" if pick.context < report.context else ""
    )
    at += f" with a {pick.kv_type} KV cache" if pick.kv_type != report.kv_type else ""
    speed = f", typically {fmt_rate(o.decode_tps.centre)} tok/s" if o.decode_tps is not None else ""
    return (
        f"Without the quant asked, `{pick.quant}` runs here ({option_placement_words(o)}) {at}{speed}: "
        "leave `quant` out for its card."
    )


def candidate_placement(c: Candidate) -> str:
    """Where a /recommend build runs its pick: a server checkpoint (AWQ, GPTQ, FP8, NVFP4) is vLLM's or SGLang's,
    split over several cards tensor-parallel, never llama.cpp's whole layers per card."""
    known = formats.lookup(c.quant)
    if known is None or known.format == "gguf" or known.format == "mlx":
        return PLACEMENT_WORDS[c.placement]
    return "tensor parallel on vLLM or SGLang" if c.placement == "multi-gpu" else "on the GPU, in vLLM or SGLang"


def quant_as_run(c: Candidate | ModelFit) -> str:
    """A /recommend or /whatfits line's quant as /fit's pick runs it: "Q4_K_S with a q8_0 KV cache", "Q4_K_M at 16k
    of context", "Q3_K_M (3-bit: some quality lost)", "IQ2_XXS (below 3 bits: degraded)"."""
    quant, tier, kv_type, context, trade = c.quant, c.tier, c.kv_type, c.context, c.trade
    words = quant
    if trade in SHORTENED:
        words += f" at {fmt_tokens(context)} of context"
    if kv_type != "f16":
        words += f" with a {kv_type} KV cache"
    if c.yarn:
        words += (" and" if kv_type != "f16" else " with") + " YaRN rope scaling (past its native context)"
    if tier in (Tier.FAIR, Tier.DEGRADED):  # why a cheaper build is listed below the 4-bit ones
        words += f" ({TIER_WORDS[tier]})"
    return words


def quality_note(o: QuantOption, model: Model) -> str | None:
    """Quants below 4 bits: their tier, with the model's published quality figure for that quant where the catalog
    has one ("below 3 bits: degraded; top-1 agreement with BF16 (Unsloth) 82 for UD-IQ2_M")."""
    if o.tier not in (Tier.FAIR, Tier.DEGRADED):
        return None
    figures = [f"{q.benchmark} {q.score:g}" for q in model.quality if q.quant == o.quant]
    return TIER_WORDS[o.tier] + (f" ({'; '.join(figures)})" if figures else "")


def format_engines(o: QuantOption) -> str | None:
    """A non-GGUF quant on the quants card: the engines with a command for it here, else that no checkpoint of it
    is published (None: it has none here for another reason, such as not fitting)."""
    names = list(dict.fromkeys(ENGINE_NAMES[p.engine] for p in o.serve.plans))
    if names:
        return " and ".join(names)
    if not o.loadable or any(r.reason is Refusal.NO_SERVER_CHECKPOINT for r in o.serve.refused):
        return "no published checkpoint"
    return None


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
    CaveatKind.CPU_ONLY_PREFILL: "CPU-only prefill: no figure without the CPU's model (its cores and clock)",
    CaveatKind.NO_FP16: "no prefill figure: neither a compute figure nor the shader counts and clock to derive one",
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
    if c.kind is CaveatKind.PREFILL_FROM_CPU_CORES:
        cpu = c.device
        return f"prefill derived from the {cpu}'s cores, clock and int8 instructions (scaled to measured CPU runs)"
    if c.kind is CaveatKind.PREFILL_FROM_DERIVED_FLOPS:
        device = c.device
        return f"prefill from the rate of the kernels llama.cpp runs on the {device}, derived from its cores and clock"
    if c.kind is CaveatKind.LINK_LATENCY_UNMODELLED:
        link = _NODE_LINKS.get(c.link or "", c.link or "the network")
        return (
            f"each hop between machines over {link} counts its bandwidth only: no published latency for that link, "
            "so decode may be slower than shown"
        )
    if c.kind is CaveatKind.NUMA_SOCKETS:
        return (
            f"system RAM on {c.sockets} sockets, read here as one pool: llama.cpp gets near it only with --numa "
            "distribute and the page cache dropped first, then filled by a generation run; a dual EPYC 9175F decoded "
            "Llama 3.1 70B F16 at 2.4 tok/s as run, 4.31 so tuned (llama.cpp issue #11744)"
        )
    if c.kind is CaveatKind.VULKAN_BUILD and c.why == "vendors":
        return (
            "llama.cpp runs cards of several vendors together only from its Vulkan build: the speed is fitted on "
            "single-vendor Vulkan runs, none of them a mixed rig"
        )
    if c.kind is CaveatKind.VULKAN_BUILD and c.why == "rocm":
        return (
            f"llama.cpp runs the {c.device} from its Vulkan build (ROCm no longer supports its GCN generation): the "
            "speed is fitted on newer cards' Vulkan runs, none of them a card this old"
        )
    if c.kind is CaveatKind.VULKAN_BUILD:
        return (
            f"llama.cpp runs the {c.device} from its Vulkan build (no current CUDA toolkit builds for its compute "
            "capability): the speed is fitted on newer cards' Vulkan runs, none of them a card this old"
        )
    if c.kind is CaveatKind.NO_CUDA_GRAPHS:
        return (
            f"llama.cpp runs the {c.device} without CUDA graphs (compute capability below 7.0): the CPU launches "
            "every kernel of every layer, a cost per token included here"
        )
    return _FIXED_CAVEATS[c.kind]


def speed_note(o: QuantOption, model: Model) -> str:
    """The placement's detail and every speed caveat, in one line."""
    return "; ".join(n for n in (placement_detail(o.placement, model), *(caveat(c) for c in o.caveats)) if n)


# ------------------------------------------------------------------------------------------ readings

_GPU_LIMIT_BASIS: dict[GpuLimitBasis, str] = {
    "metal-default": "macOS default GPU wired limit",
    "all-memory": "GPU may address all memory (BIOS carve-out / GTT set to the maximum)",
    "stated": "the GPU's share as you stated it (a BIOS carve-out of the machine's memory)",
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


_NODE_LINKS = {
    "thunderbolt5": "Thunderbolt 5",
    "thunderbolt4": "Thunderbolt 4",
    "connectx7": "ConnectX-7 200 Gb/s",
    "infiniband": "InfiniBand 400 Gb/s",
    "ethernet-100g": "100 Gb Ethernet",
    "ethernet-10g": "10 Gb Ethernet",
}


def _cpu_platform(a: Assumption) -> str:
    sockets = f"{a.count} sockets of " if (a.count or 1) > 1 else ""
    assumed = f" ({', '.join(a.assumed)} assumed; say e.g. `DDR5-6000 12-channel`)" if a.assumed else ""
    return f"system RAM on {sockets}{a.device}: {a.bandwidth_gb_s or 0:.0f} GB/s{assumed}"


def _cluster(a: Assumption) -> str:
    how = "as stated" if a.link_stated else "assumed"
    link = _NODE_LINKS.get(a.link or "", a.link or "a network")
    return (
        f"{a.count} machines, each with its own memory, linked by {link} ({a.bandwidth_gb_s or 0:g} GB/s, {how}); "
        "split by layers across machines (llama.cpp RPC, exo, pipeline parallel), each hop costs time per token"
    )


_ISSUE14_ASSUMPTIONS = {
    AssumptionKind.CPU_PLATFORM: _cpu_platform,
    AssumptionKind.PRODUCT_CHIP: lambda a: f"no chip named: read the {a.device} as its {', '.join(a.devices)}",
    AssumptionKind.CLUSTER: _cluster,
    AssumptionKind.SERVERS_OF_EIGHT: lambda a: f"{a.count} SXM/OAM GPUs read as servers of 8",
    AssumptionKind.CPU_NOT_KNOWN: lambda a: f"CPU `{a.device}` not in the catalog: left out (name the RAM to use it)",
    AssumptionKind.CPU_RAM_UNSTATED: lambda a: (
        f"no RAM size given for the {a.device}: its system RAM is left out (add it, e.g. `+ 256GB`, to offload to it)"
    ),
    AssumptionKind.OTHER_MEMORY: lambda a: (
        f"{a.device} read with {a.size_gib or 0:g} GB as written (the catalog's card has {a.other_size_gib or 0:g} GB:"
        " a variant or memory mod), at the catalog card's bandwidth"
    ),
    AssumptionKind.DESCRIBED: lambda a: (
        f"{a.device} is not in the catalog: read as {a.size_gib or 0:g} GB"
        + (
            f" at {a.bandwidth_gb_s:g} GB/s as stated"
            if a.bandwidth_gb_s
            else ", no bandwidth given: no speed estimate"
        )
    ),
}


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
        limit = a.limit_gib or 0.0
        # memory as sold counts 2^30 bytes a GB, the sizes on the card 10^9: both, so that a 130 GB file under a
        # "124 of 128 GB" limit does not read as more than the machine holds
        decimal = f"{fmt_gb(int(limit * GIB))} of {fmt_gb(int(size * GIB))} in the 10^9-byte GB of the sizes above"
        return f"{basis}: {limit:.0f} of {size:g} GB for the GPU ({decimal})"
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
    if k in _ISSUE14_ASSUMPTIONS:
        return _ISSUE14_ASSUMPTIONS[k](a)
    return f"{size:g} GB read as VRAM and {other:g} GB as system RAM"  # SPLIT_SIZES


def base_model_basis(model: Model) -> str:
    """A fine-tune or merge the user named, sized as its base model (`NousResearch/Hermes-3-Llama-3.1-70B`); a
    vision-language model, sized as its language model (`qwen3 vl 8b`: Qwen3-8B's shape); or llama.cpp's description
    of a file, read as the catalog model of its architecture and size."""
    if model.from_label:
        return label_basis(model)
    if read_as_text_model(model):
        return (
            f"{model.asked_as} is a vision-language model, not in the catalog: sized as its language model with "
            f"{model.name}'s architecture and context; its vision encoder, its image tokens and the mmproj file "
            "llama.cpp loads beside it are not counted"
        )
    return f"{model.asked_as} read as a fine-tune or merge of {model.name}: sized with the base model's architecture"


def label_basis(model: Model) -> str:
    """`qwen3moe 30B.A3B` read as Qwen3-30B-A3B, and the other catalog models the description fits."""
    said = f"llama.cpp's label `{model.asked_as}` read as {model.name}, by its architecture and size"
    if not model.label_alike:
        return said
    return f"{said}; it fits {_listed(model.label_alike)} as well: name one for its own context and files"


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def model_title(model: Model) -> str:
    """The model as asked: a fine-tune or size-named repo by its own name, with what it is sized as."""
    return model.name if model.asked_as is None else f"{model.asked_as} (as {model.name})"


def adhoc_basis(model: Model) -> str:
    """Where an ad-hoc model's architecture came from."""
    if model.from_label and model.architecture_from is not None:
        active = f" ({model.active_params_b:g}B active)" if model.active_params_b else ""
        return (
            f"llama.cpp's label `{model.asked_as}` names no catalog model of its architecture and size: sized as a "
            f"{model.total_params_b:g}B model{active} with the architecture of {model.architecture_from}"
        )
    if model.asked_as is not None and model.architecture_from is not None:
        return (
            f"{model.asked_as} names no catalog base model: sized as a {model.total_params_b:g}B model with the "
            f"architecture of {model.architecture_from}, the nearest catalog model"
        )
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
    if p.kind is PricePartKind.PLATFORM and p.platform is not None:
        latest = max(part.as_of for part in p.platform.parts)
        used = all(part.condition == "used" for part in p.platform.parts)
        return f"{p.platform.name} ${p.platform.usd:,.0f}{' used' if used else ''} ({latest})"
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
    counted = [f"{n} x {w}" if n > 1 else w for w, n in Counter(words).items()]  # "2 x RTX 3090 used $700"
    return "; ".join([*counted, *(["board, CPU and the rest of the PC not priced"] if b.rest_unpriced else [])])


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
    if c.kind is CostCaveatKind.BATCHED:
        return (
            f"one request at a time the machine processes {(c.max_tokens_per_day or 0) / 1e6:.2f}M tokens a day: the "
            f"{(c.tokens_per_day or 0) / 1e6:g}M asked needs requests batched (up to "
            f"{(c.batched_tokens_per_day or 0) / 1e6:.2f}M a day), as counted here"
        )
    if c.kind is CostCaveatKind.LOCAL_QUANT:
        kv = f" with a {c.kv_type} KV cache" if c.kv_type and c.kv_type != "f16" else ""
        at = f" at {fmt_tokens(c.context)} of context" if c.context else ""
        return f"local runs {c.quant}{kv}{at}; the API serves the full-precision model"
    return _FIXED_COST_CAVEATS[c.kind]


# ------------------------------------------------------------------------------------------- serve plans

ENGINE_NAMES: dict[Engine, str] = {
    Engine.LLAMA_CPP: "llama.cpp",
    Engine.IK_LLAMA: "ik_llama.cpp",
    Engine.OLLAMA: "Ollama",
    Engine.MLX: "MLX",
    Engine.VLLM: "vLLM",
    Engine.SGLANG: "SGLang",
    Engine.EXO: "exo",
}


def build_comment(build: LlamaBuild) -> str:
    """The shell comment above a llama.cpp plan whose GPUs need another build than the usual: how to build it, why."""
    if build.why == "cuda-12":
        return (
            "# with llama.cpp built with a CUDA 12 toolkit (cmake -B build -DGGML_CUDA=ON): CUDA 13 no longer builds "
            f"for compute capability {build.compute_capability}, so CUDA 13 builds of llama.cpp skip the card:"
        )
    how = "# with llama.cpp built for Vulkan (cmake -B build -DGGML_VULKAN=ON)"
    if build.why == "vendors":
        return how + ": it runs NVIDIA, AMD and Intel cards in one server, where a CUDA or HIP build runs one vendor's:"
    if build.why == "rocm":
        return how + f": ROCm dropped the {build.device}'s GCN generation (gfx8 and older), so no HIP build runs it:"
    cc = build.compute_capability or "?"
    # sm_35/sm_37 went with CUDA 12.0, sm_30/sm_32 already with 11.0 (engine/placement.py LLAMA_CUDA_MIN_CAPABILITY)
    cuda_11 = f" (else CUDA 11.4, driver 470, -DCMAKE_CUDA_ARCHITECTURES={cc.replace('.', '')})" if cc >= "3.5" else ""
    return (
        f"{how}: CUDA 12 and later cannot build for compute capability {cc}; llama.cpp's CUDA starts at 5.0{cuda_11}:"
    )


def step_comment(step: Step, nodes: int) -> str | None:
    """The shell comment above a step of a plan of several steps: where (and in which order) it runs."""
    if step.role == "server":
        return "# start the server with these settings (or set them on the ollama service), then:"
    if step.role == "download":
        return "# download the GGUF (every part of a split file) into a folder here:"
    if step.words == IK_SERVER:
        return (
            "# then, here, with github.com/ikawrakow/ik_llama.cpp cloned and built beside it as its README says "
            "(cmake -B build, with -DGGML_CUDA=ON for NVIDIA cards; cmake --build build --config Release):"
        )
    if step.role == "prepare":
        if step.words == ("hf", "download"):
            where = " (on machine 1)" if nodes > 1 else ""
            return f"# no repo publishes this quant: download the 16-bit GGUF and make it with llama-quantize{where}:"
        if step.words == ("mlx_lm.convert",):
            return "# no MLX repo of this quant in the catalog: convert the model's 16-bit repo into a folder here:"
        return None
    if step.role == "workers":
        where = "machine 2" if nodes == 2 else f"machines 2 to {nodes}"
        return f"# on {where} (a trusted network only: rpc-server has no authentication):"
    if step.role == "every":
        return f"# on each of the {nodes} Macs, in a clone of github.com/exo-explore/exo:"
    if step.role == "client" and step.words == ("curl",):
        return f"# then, on any one of them, place the model over the {nodes} Macs:"
    if step.role == "head" and step.reads:
        if len(step.reads) == 1:
            return f"# on machine 1, after setting {step.reads[0]} to machine 2's address:"
        names = f"{', '.join(step.reads[:-1])} and {step.reads[-1]}"
        return f"# on machine 1, after setting {names} to the addresses of machines 2 to {nodes}:"
    if step.role == "head":
        return "# on the first node (set HEAD_NODE_IP to its address on every node):"
    if step.role == "worker":
        return f"# on node {(step.node_rank or 0) + 1} of {nodes}:"
    if step.role == "node":
        return f"# on node {(step.node_rank or 0) + 1} of {nodes} (HEAD_NODE_IP: the first node's address):"
    return None


def serve_why(plan: ServePlan) -> str:
    """What a plan runs and how it splits the model, in words (cards and JSON)."""
    what = f"{plan.checkpoint} ({plan.checkpoint_format}, {fmt_gb(plan.weights_bytes)}"
    what += " est.)" if plan.weights_basis == "estimated" else ")"
    if plan.converted_to is not None:
        what = (
            f"{plan.converted_to} made from {plan.checkpoint} (a {fmt_gb(plan.source_bytes or 0)} download est.), "
            f"{fmt_gb(plan.weights_bytes)} est."
        )
    parts = [what, f"context {fmt_tokens(plan.context_tokens)}"]
    if plan.node_bytes:
        each = " + ".join(fmt_gb(b) for b in plan.node_bytes)
        parts.append(f"over {plan.nodes} machines ({each}, machine 1 first)")
    if plan.tensor_parallel > 1 or plan.pipeline_parallel > 1:
        split = f"tensor parallel {plan.tensor_parallel} x pipeline parallel {plan.pipeline_parallel}"
        parts.append(split + (f" over {plan.nodes} nodes" if plan.nodes > 1 else ""))
    if plan.gpu_bytes_each is not None:
        parts.append(f"{fmt_gb(plan.gpu_bytes_each)} on each GPU")
    if plan.speed is not None:
        parts.append(server_speed_words(plan.speed))
    if plan.fork_speed is not None:
        parts.append(fork_speed_words(plan.fork_speed))
    return ", ".join(parts)


def fork_speed_words(f: ForkSpeed) -> str:
    """ik_llama.cpp's speed: llama.cpp's figure times what the fork measured against it, with the sources' count."""
    d = f.decode_tps
    words = f"decode {fmt_rate(d.low)}–{fmt_rate(d.high)} tok/s (typically {fmt_rate(d.centre)})"
    if f.prefill_tps is not None:
        p = f.prefill_tps
        words += f", prompt {fmt_rate(p.low)}–{fmt_rate(p.high)} tok/s (typically {fmt_rate(p.centre)})"
    return words + f": llama.cpp's figure scaled by ik_llama.cpp's measured gain over it ({f.sources} sources)"


def server_speed_words(s: ServerSpeed) -> str:
    """A server plan's decode: one user, then several at once (calibrated on measured vLLM/SGLang runs)."""
    one, many = s.one_user_tps, s.batched_tps
    return (
        f"one user {fmt_rate(one.low)}–{fmt_rate(one.high)} tok/s (typically {fmt_rate(one.centre)}), "
        f"{s.users} at once {fmt_rate(many.low)}–{fmt_rate(many.high)} tok/s in total"
    )


def refused(r: Refused) -> str:
    """Why an engine cannot serve the option, in words."""
    name = ENGINE_NAMES[r.engine]
    match r.reason:
        case Refusal.NO_GGUF_REPO:
            return f"{name}: no published GGUF of {r.quant} in the catalog to point it at"
        case Refusal.SHARDED_GGUF:
            shards = f"{r.quant} is published in shards ({fmt_gb(r.needed_bytes or 0)})"
            return f"{name}: {shards}, which Ollama cannot pull"
        case Refusal.EXPERT_OFFLOAD:
            return (
                f"{name}: it cannot keep the experts in system RAM (no --n-cpu-moe), so it cannot make this placement"
            )
        case Refusal.COMPUTE_CAPABILITY:
            return (
                f"{name}: the {r.device} (compute capability {r.compute_capability}) is below the "
                f"{r.needed_capability} it needs"
            )
        case Refusal.FORMAT_CAPABILITY if r.checkpoint_format is None:  # a model's own release (gpt-oss's MXFP4)
            return (
                f"{name}: runs {r.quant} from compute capability {r.needed_capability}; the {r.device} has "
                f"{r.compute_capability}"
            )
        case Refusal.FORMAT_CAPABILITY:
            return (
                f"{name}: its {r.checkpoint_format} checkpoints need compute capability {r.needed_capability}; "
                f"the {r.device} has {r.compute_capability}"
            )
        case Refusal.ROCM_TARGET:
            return f"{name}: its ROCm build does not support the {r.device} ({r.gfx_target or 'unknown target'})"
        case Refusal.GPU_BACKEND if r.backend == "sycl":
            return (
                f"{name}: runs Intel GPUs only from its separate XPU build, which is not planned here; llama.cpp's "
                f"SYCL or Vulkan build runs the {r.device}"
            )
        case Refusal.GPU_BACKEND:
            return f"{name}: its CUDA and ROCm builds do not run the {r.device} ({r.backend or 'unknown'} backend)"
        case Refusal.BASE_FILES if r.vision_language:
            return (
                f"{name}: the catalog's files are the text model's weights, without the vision encoder; point it at "
                "the vision-language model's own " + (f"{r.quant} file and its mmproj" if r.quant else "checkpoint")
            )
        case Refusal.BASE_FILES:
            return (
                f"{name}: the catalog's files are the base model's weights, not the fine-tune asked for; point it at "
                "the fine-tune's own " + (f"{r.quant} file" if r.quant else "checkpoint")
            )
        case Refusal.ROCM_FORMAT:
            return f"{name}: does not run {r.checkpoint_format} checkpoints on the {r.device}"
        case Refusal.MIXED_GPUS:
            return f"{name}: cannot split one model over NVIDIA and AMD cards"
        case Refusal.NO_SERVER_CHECKPOINT if r.checkpoint_format is not None:
            return f"{name}: no published {r.checkpoint_format.upper()} checkpoint of this model in the catalog"
        case Refusal.NO_SERVER_CHECKPOINT:
            return f"{name}: no FP8, AWQ, GPTQ or BF16 repo of this model in the catalog"
        case Refusal.DOES_NOT_FIT:
            return (
                f"{name}: the smallest checkpoint ({r.quant}) needs {fmt_gb(r.needed_bytes or 0)} a GPU with a "
                f"short context, more than the {fmt_gb(r.have_bytes or 0)} it may use"
            )
        case Refusal.NO_PARALLEL_LAYOUT:
            return f"{name}: the model's attention heads do not split over these GPUs"
        case Refusal.CLUSTER:
            return f"{name}: runs on one machine; this placement splits the model over {r.nodes} machines"
        case Refusal.NO_MLX_REPO:
            return f"{name}: no published MLX repo of {r.quant} in the catalog to place"
        case Refusal.NOT_APPLE:
            return f"{name}: runs MLX on Macs only (on Linux it runs on the CPU), and {r.device} is not a Mac"
        case Refusal.SPARK_NOT_PLANNED:
            return (
                f"{name}: NVIDIA's DGX Spark playbook runs published BF16, MXFP4, FP8 and NVFP4 checkpoints, not "
                + (f"{r.quant}" if r.checkpoint_format in ("awq", "gptq") else f"{r.quant} made as it loads")
            )
        case Refusal.NO_GGUF_FILE if r.engine is Engine.LLAMA_CPP:
            return f"{name}: the repo holds several models' files, and the catalog does not name this one's {r.quant}"
        case Refusal.NO_GGUF_FILE:
            return f"{name}: loads a local file, and the catalog does not name {r.quant}'s file to download"
        case Refusal.SEVERAL_MODELS:
            return (
                f"{name}: the repo holds several models' {r.quant} files, and `hf.co/<repo>:{r.quant}` names no one "
                "of them; llama.cpp's command names the file"
            )
        case Refusal.F16_TENSORS:
            return f"{name}: its README warns that Unsloth's _XL quants such as {r.quant} (f16 tensors) may not work"
        case Refusal.BACKEND:
            return (
                f"{name}: its README lists CPUs and NVIDIA cards from Turing (7.5) on as its working backends, "
                f"not the {r.device}"
            )
        case Refusal.NEEDS_IMATRIX:
            return (
                f"{name}: no published GGUF of {r.quant} in the catalog, and llama-quantize makes {r.quant} only "
                "with an importance matrix"
            )
        case Refusal.IK_TYPE:
            return f"{name}: cannot load {r.quant}, a block type only ik_llama.cpp has"
        case Refusal.ROPE_SCALING:
            return f"{name}: has no setting for the YaRN rope scaling this context needs"
        case Refusal.ROPE_CHECKPOINT:
            return (
                f"{name}: {r.quant}'s checkpoint is not one the card's YaRN settings are for (a later release with "
                "its own rope settings), so no YaRN flags are given for it"
            )
        case Refusal.ARCHITECTURE:
            return f"{name}: its model loader has no {r.architecture} architecture, so the file would not load"
        case Refusal.FLOAT16:
            return (
                f"{name}: refuses float16 for {r.architecture} models (numerical instability), and the {r.device} "
                f"(compute capability {r.compute_capability}) has no bfloat16"
            )


# ------------------------------------------------------------------------------------- measured runs

SOURCE_SHOWN_MAX = 70  # characters of a published run's source on a card (the JSON carries it whole)


def _source(text: str) -> str:
    return text if len(text) <= SOURCE_SHOWN_MAX else text[: SOURCE_SHOWN_MAX - 1] + "…"


def measured(c: Cited) -> str:
    """The line under an estimate: "measured: 4.8 tok/s on RTX 3090 + DDR5-6000, UD-IQ2_XXS (source)"."""
    p = c.point
    phase = " prefill" if p.phase == "prefill" else ""
    depth = f" at {fmt_tokens(p.depth_tokens)} context" if p.depth_tokens else ""
    origin = _source(p.source or "") if p.kind == "published" else f"member report #{p.report_id}, {p.reported_at}"
    return f"measured: {fmt_rate(p.tokens_per_s)} tok/s{phase} on {p.hardware}, {p.quant}{depth} ({origin})"


def members_measured(cited: tuple[Cited, ...]) -> str:
    """The member reports nearest the option, "2 members measured 61 tok/s ..." (empty when there are none)."""
    members = [c for c in cited if c.point.kind == "member"]
    if not members:
        return ""
    nearest = min(members, key=lambda c: (c.point.phase != "decode", c.key))  # decode speed first: what people ask
    group = [c for c in members if c.key[:3] == nearest.key[:3] and c.point.phase == nearest.point.phase]
    reports = len({c.point.report_id for c in group})
    median = statistics.median(c.point.tokens_per_s for c in group)
    who = "1 member" if reports == 1 else f"{reports} members"
    phase = " prefill" if nearest.point.phase == "prefill" else ""
    ids = ", ".join(f"#{i}" for i in sorted({c.point.report_id for c in group if c.point.report_id is not None}))
    shown = f" (reports {ids})" if ids else ""
    return f"{who} measured {fmt_rate(median)} tok/s{phase} on {nearest.point.hardware}, {nearest.point.quant}{shown}"


def judgement(j: Judgement) -> str:
    """What the closest runs say about the estimate, when they disagree with it."""
    runs = "1 measured run" if j.runs == 1 else f"{j.runs} measured runs (median)"
    estimate = f"{fmt_rate(j.estimate_low_tps)}–{fmt_rate(j.estimate_high_tps)} tok/s"
    phase = "prefill" if j.phase == "prefill" else "decode"
    if j.agreement is Agreement.FASTER:
        return f"{runs} on this hardware beat the {phase} estimate: {fmt_rate(j.measured_tps)} tok/s against {estimate}"
    if j.agreement is Agreement.SLOWER:
        return (
            f"{runs} on this hardware fell short of the {phase} estimate: {fmt_rate(j.measured_tps)} tok/s against "
            f"{estimate}"
        )
    return f"{runs} on this hardware agree with the {phase} estimate ({fmt_rate(j.measured_tps)} tok/s)"


def _figures(label: str, values: Sequence[float]) -> str:
    return f"{label} {', '.join(fmt_rate(v) for v in values)} tok/s" if values else ""


def report_line(
    report_id: int,
    reported_at: str,
    hardware: str,
    models: Sequence[str],
    decode_tps: Sequence[float],
    prefill_tps: Sequence[float],
) -> str:
    """One of a member's reports, as /report list and `rigfit report list` show it."""
    figures = "; ".join(f for f in (_figures("decode", decode_tps), _figures("prefill", prefill_tps)) if f)
    return f"#{report_id} {reported_at[:10]}: {', '.join(models)} on {hardware}: {figures}"


def report_accepted(report_id: int, report: AcceptedReport, delete_with: str = "/report delete") -> str:
    """What a member reads once a report is stored: what was read, and how to take it back."""
    rows = report.rows
    decode = [r.point.tokens_per_s for r in rows if r.point.phase == "decode"]
    prefill = [r.point.tokens_per_s for r in rows if r.point.phase == "prefill"]
    skipped = f" ({report.skipped} rows left out: combined or without a quant)" if report.skipped else ""
    line = report_line(report_id, "", report.hardware_label, report.models, decode, prefill).split(": ", 1)[1]
    return f"Stored as report #{report_id}: {len(rows)} rows, {line}{skipped}. `{delete_with} {report_id}` removes it."


def report_refusal(r: ReportRefusal) -> str:
    """Why a member's report was not stored, naming the figures."""
    match r.kind:
        case RefusalKind.TOO_LARGE:
            return f"that paste is {(r.paste_bytes or 0) / 1024:.0f} KB; keep it under {(r.limit or 0) // 1024} KB"
        case RefusalKind.NO_ROWS:
            return (
                "no llama-bench rows (a `| model | ... | test | t/s |` table, `-o json`, `-o jsonl`, `-o csv`) or "
                "llama-server timings (`prompt eval time = ...`) in it"
            )
        case RefusalKind.TOO_MANY_ROWS:
            return f"{r.rows} rows is more than one report holds ({r.limit}); split it"
        case RefusalKind.MODEL_UNRESOLVED:
            return f"the model `{r.model_text}` is not one I know: {r.detail or 'give it with `model:`'}"
        case RefusalKind.HARDWARE_UNREAD:
            return f"the hardware: {r.detail}"
        case RefusalKind.DECODE_OVER_BANDWIDTH:
            return (
                f"{r.test} at {fmt_rate(r.measured_tps or 0)} tok/s is faster than {r.bandwidth_gb_s:g} GB/s of "
                f"memory bandwidth can feed this model (at most about {fmt_rate(r.limit_tps or 0)} tok/s); check the "
                "hardware"
            )
        case RefusalKind.PREFILL_OVER_COMPUTE:
            return (
                f"{r.test} at {fmt_rate(r.measured_tps or 0)} tok/s is more than {r.tflops:g} FP16 TFLOPS can "
                f"compute for this model (at most about {fmt_rate(r.limit_tps or 0)} tok/s); check the hardware"
            )
        case RefusalKind.NO_QUANT:
            return (
                "it does not say which quant ran (no GGUF file name, no llama.cpp file type like `Q4_K - Medium`); "
                "paste the output with the model line"
            )
        case RefusalKind.MODELS_MIXED:
            return f"it holds {r.rows} models but one model was given; report each model on its own"
        case RefusalKind.DEVICES_DIFFER:
            shown = ", ".join(r.devices)
            return f"llama.cpp ran on {shown}, which the stated rig ({r.detail}) does not have; state the rig it ran on"
        case RefusalKind.DUPLICATE:
            return f"you reported this already, as report #{r.report_id}"
        case RefusalKind.TOO_MANY_REPORTS:
            return f"you keep {r.limit} reports already; `/report delete` one to add another"


WHATFITS_USE_WORDS: dict[Use, str] = {
    Use.BEST: "best here",
    Use.FAST: "fast",
    Use.CODING: "coding",
    Use.LONG_CONTEXT: "long context",
    Use.MORE: "",
    Use.SUPERSEDED: "superseded",
}


# What /whatfits ranks by, on its card (engine/recommend.py, model_quality): a published score where the model has
# one, else the estimate.
WHATFITS_BASIS = (
    "quality: the LMArena text score (2025-11-25) where a model has one, else estimated from size (MoE as "
    "sqrt(total x active)) and release date; then speed and quant"
)


def quality_words(q: Quality) -> str:
    """The figure a model's quality rests on: "LMArena text score 1352 (2025-11-25)", or "estimated"."""
    if q.basis is QualityBasis.PUBLISHED and q.published is not None:
        return f"{q.published.benchmark} {q.published.score:g} ({q.published.as_of})"
    return "quality estimated"


def upgrade_words(u: Upgrade) -> str:
    """What an upgrade of a stated rig buys, in words: "add 1x RTX 3090", "add 64 GB of RAM", "swap for 2x ..."."""
    if u.kind is UpgradeKind.ADD_RAM:
        return f"add {u.added_gib or 0:g} GB of RAM"
    if u.kind is UpgradeKind.SWAP_CARDS:
        return f"swap the cards for {u.count}x {u.device}"
    board = next((p.platform for p in u.candidate.price_basis.parts if p.platform is not None), None)
    return f"add {u.count}x {u.device}" + (f" on a {board.name} (priced in)" if board else "")


def faster_upgrades(path: UpgradePath) -> str:
    """The line above upgrades of a rig that already reaches the target with weights in system RAM."""
    faster = f"{path.faster_than_tps or 0:.0f} tok/s"
    return f"It already reaches the target; these take weights off system RAM, at {faster} or more:"


def no_upgrade(path: UpgradePath) -> str:
    """Why the upgrade field lists nothing: a unified machine, a rig without a GPU, a rig that already reaches the
    target that nothing improves on, or none found."""
    if path.unified:
        return "A unified machine's memory cannot be added to: a new machine is the upgrade (the builds above)."
    if not path.upgradable:
        return "Upgrades are sized for a rig with a GPU: without one, the builds above are the answer."
    if path.current is not None:
        return "It already reaches the target, and no added RAM, added card or swap of the cards does better."
    return "No added RAM, added card or swap of the cards reaches the target."


def whatfits_reason(f: ModelFit, min_decode_tps: float) -> str:
    """Why a /whatfits pick is listed where it is: its use, then the figures the score rests on."""
    released = f"released {f.quality.release_date}" if f.quality.release_date else "release date unknown"
    if f.quality.release_date_estimated:
        released = f"generation released {f.quality.release_date}"
    size = f"{f.quality.effective_params_b:.0f}B effective" + (" (MoE)" if f.active_params_b else "")
    speed = f"{f.decode_typical:.0f} tok/s"
    basis = quality_words(f.quality)
    if f.use is Use.SUPERSEDED:
        return f"{f.superseded_by} is newer and scores higher here"
    if f.use is Use.FAST:
        return f"the best at {4 * min_decode_tps:g}+ tok/s: {speed}, {basis}, {size}, {released}"
    if f.use is Use.LONG_CONTEXT:
        return f"the best that holds {f.max_context:,} tokens here: {basis}, {size}, {released}"
    if f.use is Use.CODING:
        return f"the best coder that runs here: {basis}, {size}, {released}, {speed}"
    return f"{basis}, {size}, {released}, {speed} at {f.quant}"


# ------------------------------------------------------------------------------- concurrency, speculation

CONCURRENCY_SHOWN = (1, 4, 8, 16, 32)  # the card's one line; `--json` has every row (engine.concurrency.USER_COUNTS)


def concurrency_line(rows: tuple[ConcurrentUsers, ...], context: int) -> str | None:
    """Aggregate decode at several user counts in one line, where the KV room at the context allows them, and
    what caps the rest."""
    fitting = [r for r in rows if r.fits_kv and r.users in CONCURRENCY_SHOWN]
    if not rows or not fitting:
        return None
    parts = [
        f"{r.users} → {fmt_rate(r.aggregate_tps.centre)}"
        + (f" ({fmt_rate(r.per_user_tps.centre)} each)" if r.users > 1 else "")
        for r in fitting
    ]
    line = f"users at once, {fmt_tokens(context)} each (tok/s in total): " + " · ".join(parts)
    cap = kv_cap(rows)
    if cap is not None:
        line += f"; KV room caps it at {cap} user{'s' if cap != 1 else ''} at this context"
        line += (
            f" (llama.cpp `-np {cap} -c {cap * context}`)" if cap > 1 else " (less context or a q8_0 cache for more)"
        )
    bound = next((r.users for r in fitting if r.compute_bound), None)
    if bound is not None:
        line += f"; compute-bound from {bound} users"
    return line


_SPEC_METHOD = {"mtp": "MTP (the model's own prediction layers)", "draft": "a draft model"}
_BACKEND_WORDS = {"cuda": "CUDA", "rocm": "ROCm", "vulkan": "Vulkan", "metal": "Metal", "sycl": "SYCL", "cpu": "CPU"}
_SPEC_ENGINE = {Engine.LLAMA_CPP: "llama.cpp", Engine.VLLM: "vLLM", Engine.SGLANG: "SGLang"}
_SPEC_BASIS = {
    speculative.Basis.SAME_BACKEND: "on this backend",
    speculative.Basis.OTHER_BACKENDS: "on other backends",
    speculative.Basis.NOT_MEASURED: "",
}


def spec_args(args: tuple[Arg, ...]) -> str:
    words: list[str] = []
    for a in args:
        words += [a.flag] if a.value is None else [a.flag, a.value]
    return " ".join(shlex.quote(w) for w in words)


def _speedup_words(s: speculative.Speedup, backend: str | None) -> str:
    f = s.factor
    spread = f"{f.low:.2f}x" if f.low == f.high else f"{f.low:.2f}–{f.high:.2f}x (typically {f.typical or f.low:.2f}x)"
    where = _SPEC_BASIS[s.basis]
    if s.basis is speculative.Basis.SAME_BACKEND and backend is not None:
        where = f"on {_BACKEND_WORDS.get(backend, backend)}"
    text = f"{spread} in {s.runs} run{'s' if s.runs != 1 else ''} {where}"
    if s.acceptance_low is not None and s.acceptance_high is not None:
        accept = f"{s.acceptance_low:.2f}"
        accept += f"–{s.acceptance_high:.2f}" if s.acceptance_high != s.acceptance_low else ""
        text += f", accepted {accept}"
    if s.tasks and s.tasks != ("mixed",):
        text += f" ({', '.join(s.tasks)} prompts)"
    if "mixed" in s.tasks:
        text += "".join(f"; {t.task} {t.factor.low:.2f}–{t.factor.high:.2f}x" for t in s.by_task)
    if s.many_users_factor is not None:
        text += f"; {s.many_users_factor:.2f}x at {s.many_users} users"
    return text


def _method_words(spec: speculative.Speculation) -> str:
    method = _SPEC_METHOD.get(spec.method, spec.method)
    return method + (f" ({spec.draft_model})" if spec.draft_model else "")


def speculation_line(spec: speculative.Speculation, engines: tuple[Engine, ...], backend: str | None) -> str | None:
    """One line for the reading: per engine the card offers (`engines`), the speed-up measured in public runs and,
    for llama.cpp, one user's decode with it; that llama.cpp cannot run it where its code says so. The flags go
    with the commands (`speculation_flag_lines`)."""
    parts: list[str] = []
    for e in spec.engines:
        name = _SPEC_ENGINE[e.engine]
        if e.support is speculative.Support.UNSUPPORTED and e.engine is Engine.LLAMA_CPP:
            parts.append("llama.cpp does not run it yet")
            continue
        if e.support is not speculative.Support.SUPPORTED or e.engine not in engines or not e.args:
            continue
        part = f"{name} {_speedup_words(e.speedup, backend)}" if e.speedup else f"{name} not measured"
        if e.engine is Engine.LLAMA_CPP and not spec.draft_room:
            part += " (no room for the draft beside this pick)"
        elif e.decode_tps is not None:
            d = e.decode_tps
            part += f" → {fmt_rate(d.low)}–{fmt_rate(d.high)} tok/s for one user (typically {fmt_rate(d.centre)})"
        parts.append(part)
    if not parts:
        return None
    return f"speculative decoding, {_method_words(spec)}: " + " · ".join(parts)


def speculation_flag_lines(spec: speculative.Speculation, engines: tuple[Engine, ...]) -> list[str]:
    """The flags that turn speculation on, for each engine in `engines` that runs it (added to its command). MTP in
    llama.cpp reads the layers from the model's own GGUF, which not every quantizer keeps."""
    short = "MTP" if spec.method == "mtp" else f"draft model {spec.draft_model}"
    lines: list[str] = []
    for e in spec.engines:
        if e.engine in engines and e.support is speculative.Support.SUPPORTED and e.args:
            if e.engine is Engine.LLAMA_CPP and not spec.draft_room and spec.draft_bytes is not None:
                lines.append(
                    f"speculative decoding ({short}) on llama.cpp: the draft's file and its own f16 cache at this "
                    f"context take {fmt_gb(spec.draft_bytes)}, which this pick leaves no room for (less context or "
                    "a smaller quant first)"
                )
                continue
            line = f"speculative decoding ({short}) on {_SPEC_ENGINE[e.engine]}: add `{spec_args(e.args)}`"
            if spec.method == "mtp" and e.engine is Engine.LLAMA_CPP:
                line += " (the GGUF must keep the model's MTP layers, blk.*.nextn.*)"
            lines.append(line)
    return lines
