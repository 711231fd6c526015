"""fit(): for each reading of the hardware, every quant's memory, placement, speed, context and flags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from catalog.types import Model, Quant, QuantFormat
from engine import concurrency, formats, memory, quants, serve, speculative, speed
from engine.concurrency import ConcurrentUsers
from engine.errors import ErrorCode, RigfitError
from engine.kernels import weights_of
from engine.placement import Placement, PlacementKind, Verdict, mlx_mac, mlx_tight, place
from engine.rig import DESKTOP_DEFAULT_CHANNELS, Assumption, Frozen, Reading, Rig, spec_ram
from engine.serve import Engine, Serve
from engine.speed import Range

DEFAULT_CONTEXT = 32_768  # a working chat/coding session; the model's maximum is rarely what people run
DEFAULT_PROMPT_TOKENS = 4_096
USEFUL_DECODE_TPS = 2.0  # below this an offload option is shown but not recommended
CONCURRENT_USERS = concurrency.CARD_USERS  # the cost view's "several people at once" figure
SHORT_CONTEXT = 8192  # the least context worth running a better quant at (a short chat session)
SHORTER_CONTEXT_SHOWN = 2  # better quants that fit with less context, named on the card
# Offload "runs usefully" for the pick when its decode range reaches this: /recommend's and /whatfits' default
# target, so the commands agree on what runs.
USEFUL_OFFLOAD_TPS = 5.0
TRADE_KV: memory.KvType = "q8_0"  # the KV cache type tried before dropping bits (about half of f16's bytes)
# llama.cpp's smallest cache type (-ctk/-ctv q4_0, 4.5 bits an element; a quantized V cache needs flash attention):
# never picked for the user, since it costs quality, but named where nothing else runs at the context asked
SMALLEST_KV: memory.KvType = "q4_0"
CONTEXT_STEP = 1024  # traded contexts are whole multiples of this (what `-c` is usually given in)


class FitOptions(Frozen):
    context: int | None = None
    quant: str | None = None
    kv_type: memory.KvType = "f16"
    n_seq: int = 1
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS


class QuantOption(Frozen):
    quant: str
    format: str
    bits_per_weight: float
    weights_bytes: int
    weights_basis: Literal["published", "estimated", "exact"]
    bits_basis: str | None = None  # estimated sizes: how the bits per weight were obtained (engine/quants.py)
    kv_cache_bytes: int
    overhead_bytes: int
    verdict: Verdict
    placement: Placement
    decode_tps: Range | None  # halfway into the context
    prefill_tps: Range | None
    caveats: tuple[speed.Caveat, ...] = ()  # what the speed figures leave out or rest on (shown on cards)
    decode_start_tps: Range | None = None  # on an empty context (llama-bench's tg128)
    max_context: int
    tensor_parallel: speed.TensorParallel | None = None  # this file split over the same cards by llama.cpp -sm tensor
    serve: Serve = Serve()  # engines that start this option (engine/serve.py), and those that cannot
    loadable: bool = True  # some engine can load this file (published, or made with llama-quantize), fit or not
    # 1-32 users at once (concurrency.USER_COUNTS): the recommended option on accelerators only, else empty
    concurrency: tuple[ConcurrentUsers, ...] = ()
    speculation: speculative.Speculation | None = None  # MTP or a draft model: the recommended option only
    ttft_s: Range | None = None  # time to first token for FitOptions.prompt_tokens: prompt / prefill rate
    tier: quants.Tier = quants.Tier.GOOD  # how much quality the quant keeps (engine/quants.py)
    context: int = 0  # the context it is sized at

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes


class Trade(StrEnum):
    """What the pick gave up to keep its bits (tried in this order before a lower tier of quant)."""

    NONE = "none"  # runs at the asked context and KV cache type
    KV_Q8 = "kv-q8_0"  # a q8_0 KV cache at the asked context
    SHORTER_CONTEXT = "shorter-context"  # the asked KV type, less context (not under SHORT_CONTEXT)
    SHORTER_CONTEXT_KV_Q8 = "shorter-context-kv-q8_0"  # both


# The trades that run at less than the context asked
SHORTENED = frozenset({Trade.SHORTER_CONTEXT, Trade.SHORTER_CONTEXT_KV_Q8})


class Pick(Frozen):
    """The quant an expert would run: the highest tier that fits on the accelerator (or offloads at a useful
    speed), trading KV cache type and then context before dropping to a lower tier. `option` is sized at the
    pick's own context and KV type; `instead` is what runs without the trade (a lower tier), if anything does."""

    quant: str
    tier: quants.Tier
    trade: Trade
    context: int
    kv_type: memory.KvType
    option: QuantOption
    instead: str | None = None
    # a shorter context at the asked KV type: the longest the pick reaches with a q8_0 cache instead (None: no longer)
    q8_context: int | None = None
    yarn: bool = False  # `context` needs the YaRN rope scaling the model's card documents (serve.yarn_needed)
    # a higher tier that runs at the asked settings only with layers in system RAM, at under 1/WHOLE_SPEEDUP of the
    # pick's speed (`_whole_instead`): what the pick gave up for speed
    slower: str | None = None
    # a quant above the usual 4 bits that fits as asked but decodes under USEFUL_OFFLOAD_TPS, and its typical decode
    # (`_usual_when_slow`): what the pick gave up for speed on a rig where every bit is read each token
    slow_higher: str | None = None
    slow_higher_tps: float | None = None


class ReadingReport(Frozen):
    label: str
    rig: Rig
    devices: tuple[str, ...]
    assumptions: tuple[Assumption, ...]
    options: tuple[QuantOption, ...]
    best: str | None
    # better quants than `best` that fit wholly on the accelerator with less context: (quant, longest context)
    shorter_context: tuple[tuple[str, int], ...] = ()
    # every option that does not fit wholly on the accelerator at the asked context but does with less (not under
    # SHORT_CONTEXT): (quant, longest context), so the ladder can say "fits up to 12k" beside a pick that traded context
    fits_with_less_context: tuple[tuple[str, int], ...] = ()
    pick: Pick | None = None  # `best` with the context and KV type it runs at (None when nothing runs)
    with_ram: RamHint | None = None  # GPUs read without system RAM, on which nothing fits: what RAM would run
    # a quant asked that runs nowhere, or only with layers in system RAM: the pick among every quant at the same
    # settings, where it is another quant and runs (wholly on the accelerator, where the asked one is offloaded)
    unasked: Pick | None = None
    # a Mac on which nothing fits llama.cpp's budget: the best MLX build that runs with the GPU limit raised to all but
    # the OS's share, at the longest context it reaches there (`_mlx_tight`)
    mlx_tight: Pick | None = None
    # nothing runs at the asked context with the cache type asked (or q8_0, traded), or only below 3 bits: the best
    # quant of 3 bits or more that fits wholly on the accelerator there with SMALLEST_KV, as (kv type, quant)
    smaller_kv: tuple[str, str] | None = None

    def option(self, quant: str | None) -> QuantOption | None:
        return next((o for o in self.options if o.quant == quant), None)

    @property
    def best_option(self) -> QuantOption | None:
        """The recommended quant as it runs: at the pick's context and KV type (the asked ones unless traded)."""
        return self.pick.option if self.pick is not None else self.option(self.best)


class RamHint(Frozen):
    """A rig read as its GPUs alone, on which nothing fits: the quant the pick would take with system RAM beside the
    cards, where its weights and cache would sit, and the RAM it needs (its share plus OS_RESERVE_BYTES)."""

    quant: str
    kind: PlacementKind
    ram_bytes: int
    loadable: bool = True  # some engine loads the quant's file (QuantOption.loadable)
    # where the pick on the GPUs alone is a file no engine loads: the loadable file that runs with the least RAM, when
    # that is less than `quant` needs (DeepSeek-V3 on 8x RTX 3090: Unsloth's UD-IQ1_S misses the cards by whole-layer
    # packing and runs with two layers' experts in RAM, where the pick with RAM is the UD-Q4_K_XL in 250 GB)
    least_quant: str | None = None
    least_kind: PlacementKind | None = None
    least_ram_bytes: int | None = None


# The RAM a rig read without any is probed with: more than any desktop holds, at a desktop's channels and the default
# DDR generation's speed (engine.rig.spec_ram), so the pick is the one a desktop's RAM would give and only its size
# is open.
RAM_PROBE_GIB = 2048


def ram_hint(model: Model, reading: Reading, context: int, opts: FitOptions) -> RamHint | None:
    """For GPUs read without system RAM: the pick with RAM beside them, and the least RAM it needs; None where the rig
    has RAM or a unified pool, or where nothing would run even so."""
    rig = reading.rig
    if rig.ram is not None or rig.unified is not None or not rig.gpus:
        return None
    ram, _assumed = spec_ram(RAM_PROBE_GIB, None, None, DESKTOP_DEFAULT_CHANNELS)
    probed = fit_reading(model, reading.model_copy(update={"rig": rig.model_copy(update={"ram": ram})}), context, opts)
    option = probed.best_option
    if option is None:
        return None
    hint = RamHint(
        quant=option.quant,
        kind=option.placement.kind,
        ram_bytes=_ram_needed(option),
        loadable=option.loadable,
    )
    least = _least_ram(probed.options, hint)
    if least is None:
        return hint
    update = {"least_quant": least.quant, "least_kind": least.placement.kind, "least_ram_bytes": _ram_needed(least)}
    return hint.model_copy(update=update)


def _ram_needed(option: QuantOption) -> int:
    """The system RAM an option placed with RAM needs: its share in RAM plus OS_RESERVE_BYTES."""
    pools = option.placement.pools
    return (
        sum(p.weights_bytes + p.kv_bytes + p.overhead_bytes for p in pools if p.kind == "ram") + memory.OS_RESERVE_BYTES
    )


def _least_ram(options: tuple[QuantOption, ...], hint: RamHint) -> QuantOption | None:
    """Of the options sized with RAM beside the GPUs, the loadable one at a useful speed that needs the least RAM,
    where that is less than the hint's quant needs; None otherwise."""
    runs = [o for o in options if o.loadable and _served(o) and (o.verdict == "fits" or _useful_offload(o))]
    least = min(runs, key=_ram_needed, default=None)
    if least is None or least.quant == hint.quant or _ram_needed(least) >= hint.ram_bytes:
        return None
    return least


class ContextCaveat(StrEnum):
    """What the asked context rests on besides memory (bot/wording.py says each in words)."""

    # above the model's native length: the YaRN rope scaling its card documents (model.yarn), static, so it applies
    # to every prompt and may cost quality on short ones; the serve plans carry each engine's flags for it
    YARN = "yarn"


def context_cap(model: Model, context: int) -> int:
    """The longest context an option is said to run at: the native length, or the YaRN one where the asked context
    already needs YaRN (the card advises enabling it only when long contexts are needed)."""
    return model.context_limit_tokens if serve.yarn_needed(model, context) else model.context_max_tokens


class FitReport(Frozen):
    model: Model
    context: int
    context_asked: bool  # the context was asked for; else the default (DEFAULT_CONTEXT, or the model's maximum)
    context_caveats: tuple[ContextCaveat, ...] = ()  # YARN: the context is above the native length
    kv_type: str
    prompt_tokens: int
    readings: tuple[ReadingReport, ...]


def _candidates(model: Model, rig: Rig, quant: str | None) -> list[tuple[str, Quant | None]]:
    """The published files whose format runs on the rig (one per name), then every standard type of the ladder
    the catalog has no file of, estimated: GGUF always, MLX on Apple silicon. No estimate above the precision
    the model was released in (an FP8 model is not offered a BF16 estimate, gpt-oss nothing above MXFP4)."""
    if quant is not None:
        published = [q for q in model.quants if q.name == quant]
        return [(quant, published[0] if published else None)]
    out: dict[str, Quant | None] = {}
    for q in model.quants:
        if _format_runs(model, q.format, rig) and q.name not in out:
            out[q.name] = q
    ladder = quants.DEFAULT_LADDER + (quants.MLX_LADDER if _format_runs(model, "mlx", rig) else ())
    ladder += tuple(n for n in formats.SERVER_LADDER if serve.format_runs(model, rig, formats.FORMATS[n].format))
    have = {_ladder_key(q.name, q.format) for q in model.quants}
    ceiling = NATIVE_BITS[model.native_dtype]
    for name in ladder:
        fmt = _ladder_format(name)
        if _ladder_key(name, fmt) not in have and quants.nominal_bits(name, 0.0) <= ceiling:
            out.setdefault(name, None)
    return list(out.items())


# Checkpoint formats only vLLM/SGLang serve (engine/serve.py SERVER_FORMATS less the 16-bit safetensors).
SERVER_ONLY: frozenset[str] = frozenset({"fp8", "awq", "gptq", "nvfp4"})

# The bits a model was released in: estimates stop there (quantising up adds bytes, not quality).
NATIVE_BITS: dict[str, int] = {"bf16": 16, "fp16": 16, "fp8": 8, "mxfp4": 4, "int4": 4}


def _ladder_format(name: str) -> QuantFormat:
    """The checkpoint format of a ladder entry: MLX-nBIT, a server format (engine/formats.py), else GGUF."""
    known = formats.lookup(name)
    return known.format if known is not None else "gguf"


def _ladder_key(name: str, fmt: str) -> str:
    """What makes a published file stand for a ladder entry: the same type (F16 and BF16 alike), for MLX the
    same bits in any MLX flavour, for a server format (AWQ, GPTQ, FP8, NVFP4) any checkpoint of that format."""
    if fmt in SERVER_ONLY:
        return fmt
    if fmt == "mlx":
        return f"mlx-{quants.nominal_bits(name, 0.0)}"
    if quants.nominal_bits(name, 0.0) == 16:
        return "16-bit"
    return quants.canonical(name)


def _format_runs(model: Model, fmt: QuantFormat, rig: Rig) -> bool:
    """Whether an engine loads `fmt` on the rig: GGUF anywhere, MLX on Apple silicon, a server checkpoint
    (published or estimated alike) where vLLM runs it (`serve.format_runs`: compute capability and ROCm target per
    format; a DGX Spark as one GB10)."""
    if fmt == "gguf":
        return True
    if fmt == "mlx":
        return rig.unified is not None and rig.unified.backend == "metal"
    return serve.format_runs(model, rig, fmt)


def _weights(model: Model, name: str, published: Quant | None) -> memory.Weights:
    if published is not None:
        return memory.weights_from_quant(model, published)
    w = memory.weights_estimate(model, name)
    if w is None:
        raise RigfitError(f"`{name}` is not a quant I can size.", field="quant", code=ErrorCode.QUANT_NOT_SIZABLE)
    return w


# Placements that can give the KV cache room by moving more of the weights to system RAM (more experts, more layers)
_REFLOWING: frozenset[PlacementKind] = frozenset({"expert-offload", "partial-offload"})


def _max_context(
    model: Model,
    placement: Placement,
    context: int,
    kv: memory.KvProfile,
    reflow: tuple[Rig, int] | None = None,
    limit: int | None = None,
) -> int:
    """The longest context the option runs at. Wholly on an accelerator, the asked context plus what the free memory
    holds; offloaded (with `reflow`: the rig and the weights' bytes), the longest at which the weights and cache
    still fit the GPU and RAM together, more of the weights moving to RAM as the cache grows (gpt-oss-120b on a
    5090 + 96 GB runs 128k with more layers' experts in RAM, not the 47k the asked split leaves room for)."""
    if placement.verdict == "does-not-fit":
        return 0
    if reflow is not None and placement.kind in _REFLOWING:
        return _longest_reflowed(model, *reflow, context, kv)
    kv_pools = [p for p in placement.pools if p.kv_bytes > 0] or list(placement.pools)
    free = sum(max(p.free_bytes, 0) for p in kv_pools)
    growth = kv.growth_per_token(context)
    cap = limit if limit is not None else context_cap(model, context)
    extra = int(free / growth) if growth > 0 else cap
    longest = min(context + extra, cap)
    if reflow is None or placement.kind != "multi-gpu":
        return longest
    # whole layers per card: the cards' free memory adds up, but a layer grown by its cache may no longer fit the
    # card it sat on (Llama 3.3 70B's IQ3_XXS on three 12 GB cards holds 14k of cache, not the 17k the sum gives)
    rig, weights_bytes = reflow
    return _bisect_context(
        lambda n: place(model, rig, weights_bytes, kv.bytes_at(n)).verdict == "fits", context, longest
    )


def _longest_reflowed(model: Model, rig: Rig, weights_bytes: int, context: int, kv: memory.KvProfile) -> int:
    """The longest context, in CONTEXT_STEPs from the asked one up to the model's, at which `place` still finds room."""

    def fits(tokens: int) -> bool:
        return place(model, rig, weights_bytes, kv.bytes_at(tokens)).verdict != "does-not-fit"

    return _bisect_context(fits, context, context_cap(model, context))


def _bisect_context(fits: Callable[[int], bool], low: int, high: int) -> int:
    """The longest context from `low` (which fits) up to `high` at which `fits` holds: `high` itself, else whole
    CONTEXT_STEPs in between (never under `low`)."""
    if fits(high):
        return high
    steps_low, steps_high = low // CONTEXT_STEP, high // CONTEXT_STEP  # fits at the low end, not at the high one
    while steps_high - steps_low > 1:
        mid = (steps_low + steps_high) // 2
        steps_low, steps_high = (mid, steps_high) if fits(mid * CONTEXT_STEP) else (steps_low, mid)
    return max(steps_low * CONTEXT_STEP, low)


def _option(
    model: Model,
    rig: Rig,
    name: str,
    published: Quant | None,
    context: int,
    opts: FitOptions,
    profile: memory.KvProfile,
    *,
    plans: bool = True,
    weights: memory.Weights | None = None,
    placer: Placer | None = None,
) -> QuantOption:
    """One file at one context and KV type: placed, its speed estimated, and (with `plans`) the engines that start
    it (a search over many rigs leaves them out: `pick_on_rig`). `weights`: the file's, where already sized;
    `placer`: where the bytes live, `place` unless another budget is asked (`_mlx_tight`)."""
    w = weights or _weights(model, name, published)
    kv = profile.bytes_at(context)
    fmt = published.format if published else _ladder_format(w.quant)
    # vLLM and SGLang hold a server checkpoint on the GPUs alone: no layers or experts in system RAM
    on = rig.model_copy(update={"ram": None}) if fmt in SERVER_ONLY else rig
    placement = speed.with_prefill_ubatch(
        model, (placer or place)(model, on, w.n_bytes, kv, w.quant), opts.prompt_tokens, weights_of(w.quant)
    )
    est = speed.estimate(model, placement, context, profile, opts.prompt_tokens, nvlink=rig.nvlink, quant=w.quant)
    overhead = sum(p.overhead_bytes for p in placement.pools)

    def served(tokens: int) -> Serve:
        return serve.for_option(
            model,
            rig,
            published,
            w.quant,
            fmt,
            placement,
            tokens,
            opts.kv_type,
            weights_bytes=w.n_bytes,
            speeds=(est.decode_tps, est.prefill_tps),  # ik_llama.cpp's plan scales llama.cpp's figures
        )

    # a server checkpoint: whether vLLM/SGLang start it decides the pick
    engines = served(context) if plans or fmt in SERVER_ONLY else Serve()
    max_context = _max_context(model, placement, context, profile, (rig, w.n_bytes))
    if fmt in SERVER_ONLY and engines.plans:  # the longest its engines hold, not llama.cpp's whole-layer split
        at = max(p.context_tokens for p in engines.plans)
        longest = served(model.context_max_tokens).plans if at >= context else ()
        max_context = max((p.context_tokens for p in longest), default=at)
    return QuantOption(
        quant=w.quant,
        format=fmt,
        tier=quants.tier(w.quant, w.bits_per_weight),
        bits_per_weight=w.bits_per_weight,
        weights_bytes=w.n_bytes,
        weights_basis=w.basis,
        bits_basis=w.bits_basis,
        kv_cache_bytes=kv,
        overhead_bytes=overhead,
        verdict=placement.verdict,
        placement=placement,
        decode_tps=est.decode_tps,
        decode_start_tps=est.decode_start_tps,
        prefill_tps=est.prefill_tps,
        tensor_parallel=est.tensor_parallel,
        caveats=est.caveats,
        max_context=max_context,
        serve=engines,
        context=context,
        loadable=serve.loadable(model, published, w.quant, fmt),
        ttft_s=None
        if est.prefill_tps is None
        else Range(
            low=opts.prompt_tokens / est.prefill_tps.high,
            high=opts.prompt_tokens / est.prefill_tps.low,
            typical=opts.prompt_tokens / est.prefill_tps.centre,
        ),
    )


def choose_best(options: tuple[QuantOption, ...]) -> str | None:
    """At the asked context and KV type: the best quant that fits (on the accelerator, or in unified memory); else
    the best offload that is still useful; else any offload. "Best" is `quality_key`."""
    fits = [o for o in options if o.verdict == "fits"]
    useful = [
        o for o in options if o.verdict == "fits-offload" and o.decode_tps and o.decode_tps.high >= USEFUL_DECODE_TPS
    ]
    offload = [o for o in options if o.verdict == "fits-offload"]
    for group in (fits, useful, offload):
        if group:
            return max(group, key=quality_key).quant
    return None


_TIER_RANK = {t: len(quants.Tier) - i for i, t in enumerate(quants.Tier)}


def quality_key(o: QuantOption) -> tuple[bool, bool, int, int, bool, float]:
    """Higher is better: one some engine can load (a published file, or one llama-quantize makes) over one none
    can, since an answer the user cannot run is no answer (DeepSeek-R1 on 8x H100: a published Q4_K_M, not a Q6_K
    no one publishes); then a GGUF or a published checkpoint over another format made for the answer (an FP8
    quantized by vLLM as it loads, an MLX folder from mlx_lm.convert): the file llama.cpp loads stays the pick on
    the rigs people run it on, and those come in where no loadable GGUF does; then the tier; then the quant's
    nominal bits (8 and 16 alike: Q8_0 is as good as BF16 and reads half the bytes); then a published file over an
    estimate of one; then more bits per weight, except among near-lossless quants, where fewer (faster) win."""
    nominal = quants.nominal_bits(o.quant, o.bits_per_weight)
    lossless = o.tier is quants.Tier.NEAR_LOSSLESS
    bits = -o.bits_per_weight if lossless else o.bits_per_weight
    published = o.weights_basis != "estimated"
    return (o.loadable, published or o.format == "gguf", _TIER_RANK[o.tier], min(nominal, 8), published, bits)


# The pick takes the tiers in these groups, best first: any quant of 4 bits and up before trading down to 3 bits.
# Each group names the bits worth trading context or KV type for: the group's usual quant (Q4_K_M, not Q6_K at 8k
# when Q4_K_M runs at 32k).
# A group holds its tiers' quants of at least its bits: a 1-bit file (IQ1_M) is taken only after the 2-bit ones
# were tried with a q8_0 KV cache and less context, as a 3-bit one only after 4 bits.
PICK_GROUPS: tuple[tuple[frozenset[quants.Tier], int], ...] = (
    (frozenset({quants.Tier.NEAR_LOSSLESS, quants.Tier.HIGH, quants.Tier.GOOD}), 4),
    (frozenset({quants.Tier.FAIR}), 3),
    (frozenset({quants.Tier.DEGRADED}), 2),
    (frozenset({quants.Tier.DEGRADED}), 1),
)


def in_group(tier: quants.Tier, name: str, bits_per_weight: float, group: tuple[frozenset[quants.Tier], int]) -> bool:
    tiers, least_bits = group
    return tier in tiers and quants.nominal_bits(name, bits_per_weight) >= least_bits


@dataclass(frozen=True)
class _PickContext:
    """What the pick's search needs besides the options: the model, rig, asked settings and the sized files."""

    model: Model
    rig: Rig
    context: int
    opts: FitOptions
    may_shorten: bool  # the context was not asked for
    files: dict[str, tuple[str, Quant | None]]  # option quant -> (candidate name, published file)
    plans: bool = True  # options carry their engines' serve plans (`_option`)
    weights: dict[str, memory.Weights] = field(default_factory=dict)  # option quant -> its sized weights, if known


Placer = Callable[[Model, Rig, int, int, str | None], Placement]
Accept = Callable[[QuantOption], bool]  # a further condition on the pick (/recommend's and /whatfits' target speed)


def _always(_: QuantOption) -> bool:
    return True


def choose_pick(
    ctx: _PickContext, options: tuple[QuantOption, ...], profile: memory.KvProfile, accept: Accept = _always
) -> Pick | None:
    """For each group of tiers (4 bits and up, 3, 2 and below): the best quant of the group that fits on the
    accelerator at the asked settings; else the best of the group's usual bits (4, 3, 2) that does with a q8_0 KV
    cache, or with less context (the asked KV type, then q8_0; never under SHORT_CONTEXT); else the best that
    offloads at USEFUL_OFFLOAD_TPS. The first group with an answer gives the pick, among files some engine loads
    first; where no group has a loadable answer but a loadable file runs, slower, that file (`_fallback_pick`)
    before any file no engine loads, since a pick without a command is no answer (GLM-4.5-Air on a 3060 12GB with
    64 GB of DDR4 at 64k: the published UD-Q3_K_XL with its experts in RAM, typically 4.0 tok/s, not an IQ3_XXS no
    catalog repo publishes at 4.4). None: `choose_best` at the asked settings (an offload slower than that), if
    anything runs. Only options `accept` takes are picked (as sized at the pick's own context and KV type)."""
    ranked = sorted(options, key=quality_key, reverse=True)
    loadable = _and_loadable(accept, ctx)
    for taken in (loadable, accept):  # a file some engine loads before one none can (Kimi on a CPU)
        if taken is accept and any(loadable(o) and o.verdict in RUNS for o in options):  # slow, but it runs
            return _fallback_pick(ctx, tuple(o for o in options if loadable(o)))
        for i, group in enumerate(PICK_GROUPS):
            trade_bits = group[1]
            members = [o for o in ranked if in_group(o.tier, o.quant, o.bits_per_weight, group)]
            offload = _may_offload(group, options, taken)
            pick = _pick_in_group(ctx, members, trade_bits, profile, taken, offload) if members else None
            if pick is not None and _fair_after(i):
                fair = [o for o in ranked if in_group(o.tier, o.quant, o.bits_per_weight, PICK_GROUPS[i + 1])]
                pick = _whole_instead(ctx, pick, fair, profile, taken) or pick
            if pick is not None and i > 0:
                pick = _higher_tier_offload(ctx, pick, options, PICK_GROUPS[:i], taken) or pick
            if pick is not None:
                return pick.model_copy(update={"instead": _instead(pick, options)})
    return _fallback_pick(ctx, tuple(o for o in options if accept(o)))


# Offloaded, a lower tier is taken over a higher tier's file only for a real gain in speed: every quant then reads its
# experts or layers from system RAM, so fewer bits buy speed only in proportion to their bytes, and a decode within
# this factor of the higher tier's is no faster in use (a judgement, as recommend.FASTER_FACTOR).
LOWER_TIER_FASTER = 1.5


def _higher_tier_offload(
    ctx: _PickContext,
    pick: Pick,
    options: tuple[QuantOption, ...],
    higher: tuple[tuple[frozenset[quants.Tier], int], ...],
    taken: Accept,
) -> Pick | None:
    """Where a lower group's pick is itself an offload, the higher groups' offload that decodes within
    LOWER_TIER_FASTER of it (the usual 4-bit quant first, `_offload_order`), at the asked settings: Llama 4 Scout at
    128k on an 8 GB card with 128 GB of RAM runs UD-Q4_K_XL at typically 4.0 tok/s, which an expert takes over
    UD-Q3_K_XL at 4.5, though only the second's range reaches USEFUL_OFFLOAD_TPS. None: keep the pick."""
    if pick.option.verdict != "fits-offload" or pick.option.decode_tps is None:
        return None
    floor = pick.option.decode_tps.centre / LOWER_TIER_FASTER
    close = [
        o
        for o in sorted(options, key=quality_key, reverse=True)
        if any(in_group(o.tier, o.quant, o.bits_per_weight, g) for g in higher)
        and o.verdict == "fits-offload"
        and taken(o)
        and o.decode_tps is not None
        and o.decode_tps.centre >= floor
    ]
    return _as_asked(ctx, sorted(close, key=_offload_order)[0]) if close else None


# Verdicts of an option that runs as sized (on the accelerator, or with weights in system RAM).
RUNS = frozenset({"fits", "fits-offload"})


def _and_loadable(accept: Accept, ctx: _PickContext) -> Accept:
    """`accept`, and only files some engine can load (at a context that needs YaRN, a file of the release the card's
    YaRN is for: `serve.yarn_serves`): an unpublished quant, or a later release's file, is picked only when no group
    has one. A server checkpoint (AWQ, GPTQ, FP8, NVFP4) only where vLLM or SGLang starts it on the rig: GLM-4.6's
    AWQ split by whole layers fits 8x 3090, but vLLM needs 24.1 GB a card of the 23.2 it may use, so it starts
    nowhere, where the GGUF below it runs in llama.cpp."""
    return lambda o: o.loadable and _served(o) and _yarn_serves(ctx, o) and accept(o)


def _served(o: QuantOption) -> bool:
    """A file llama.cpp loads, or a server checkpoint vLLM or SGLang starts at the context it is sized at: their plans
    lower --max-model-len until the KV cache fits, and a plan at less context does not run the option as sized."""
    return o.format not in SERVER_ONLY or any(p.context_tokens >= o.context for p in o.serve.plans)


def _server_context(o: QuantOption) -> int:
    """The longest context a vLLM or SGLang plan of the option holds (0: none starts it)."""
    return max((p.context_tokens for p in o.serve.plans), default=0)


def _yarn_serves(ctx: _PickContext, o: QuantOption) -> bool:
    name, published = ctx.files.get(o.quant, (o.quant, None))
    return serve.yarn_serves(ctx.model, published, name, o.format, ctx.context)  # type: ignore[arg-type]


def _fallback_pick(ctx: _PickContext, options: tuple[QuantOption, ...]) -> Pick | None:
    """No group answers: what fits on the accelerator at the asked settings (`choose_best`), else the offload an
    expert would still run, slower than USEFUL_OFFLOAD_TPS: a file some engine loads, in `_offload_order` (the usual
    4-bit quant first: offloaded, every bit costs speed in proportion, and fewer bits than 3 cost the answer's
    quality for a speed that is still not useful). Llama 3.1 405B in 384 GB of DDR3 runs its Q4_K_M at a fraction
    of a token a second; the Q6_K, which only a higher tier put first, reads 1.4x the bytes, and Qwen2.5-72B in 96 GB
    of DDR5 is not worth an IQ2_M for 1.7 tok/s instead of 1.2."""
    fits = [o for o in options if o.verdict == "fits"]
    if fits:
        return _as_asked(ctx, next(o for o in options if o.quant == choose_best(tuple(fits))))
    runs = [o for o in options if o.verdict == "fits-offload"]
    ordered = sorted(sorted(runs, key=quality_key, reverse=True), key=_offload_order)  # stable: quality within
    ordered = sorted(ordered, key=lambda o: o.loadable, reverse=True)
    return _as_asked(ctx, ordered[0]) if ordered else None


def _as_asked(ctx: _PickContext, option: QuantOption) -> Pick:
    return Pick(
        quant=option.quant,
        tier=option.tier,
        trade=Trade.NONE,
        context=ctx.context,
        kv_type=ctx.opts.kv_type,
        option=option,
        yarn=serve.yarn_needed(ctx.model, ctx.context),
    )


def _may_offload(group: tuple[frozenset[quants.Tier], int], options: Iterable[QuantOption], taken: Accept) -> bool:
    """Whether the group's quants may be picked offloaded: 3 bits and up always; below 3 bits only where no quant of
    3 bits or more that `taken` takes runs at all. Offloaded, every quant reads system RAM each token, so fewer bits
    buy speed only in proportion to their bytes (IQ1_M reads about 0.4x Q4_K_M's) for most of the quality: Mixtral
    8x22B on a 12 GB card with 128 GB of RAM runs its Q4_K_M slowly, where an expert would not take the IQ1_M that
    reaches 5 tok/s. Wholly on the accelerator a 2-bit quant is still taken for its speed (a 70B model on one 24 GB
    card)."""
    if quants.Tier.DEGRADED not in group[0]:
        return True
    return not any(o.verdict == "fits-offload" and o.tier is not quants.Tier.DEGRADED and taken(o) for o in options)


def _pick_in_group(
    ctx: _PickContext,
    members: list[QuantOption],
    trade_bits: int,
    profile: memory.KvProfile,
    accept: Accept,
    offload: bool = True,
) -> Pick | None:
    """The group's pick (`choose_pick`); `offload` False: only a quant wholly on the accelerator (`_may_offload`)."""
    asked = next((o for o in members if o.verdict == "fits" and accept(o)), None)
    if asked is not None:
        return _usual_when_slow(ctx, asked, members, accept)
    if not offload and not _has_accelerator(ctx.rig):
        return None  # in system RAM every quant is "offloaded": nothing of this group beats what runs above it
    offloaded = sorted(members, key=_offload_order) if offload else []
    useful = next((o for o in offloaded if _useful_offload(o) and accept(o)), None)
    if not _has_accelerator(ctx.rig):  # in RAM as asked: nothing to trade for, and a slow 4-bit file is kept
        in_ram = useful or next((o for o in offloaded if _whole(o.placement) and accept(o)), None)
        if in_ram is not None:
            return _pick(ctx, in_ram, Trade.NONE, ctx.context, ctx.opts.kv_type)
    for o in (o for o in members if quants.nominal_bits(o.quant, o.bits_per_weight) == trade_bits):
        traded = _traded(ctx, o, profile)
        if traded is not None and accept(traded.option):
            return traded
    if useful is not None:
        return _pick(ctx, useful, Trade.NONE, ctx.context, ctx.opts.kv_type)
    return _offload_shortened(ctx, offloaded, profile, accept)


def _slow_above_usual(o: QuantOption) -> bool:
    """A quant above the usual 4-bit tier that fits as asked but decodes under USEFUL_OFFLOAD_TPS (typically)."""
    return o.tier in _ABOVE_USUAL and o.decode_tps is not None and o.decode_tps.centre < USEFUL_OFFLOAD_TPS


_ABOVE_USUAL = frozenset({quants.Tier.NEAR_LOSSLESS, quants.Tier.HIGH})


def _usual_when_slow(ctx: _PickContext, asked: QuantOption, members: list[QuantOption], accept: Accept) -> Pick:
    """The best quant of the group that fits as asked; where it is above the usual 4 bits and decodes under
    USEFUL_OFFLOAD_TPS, the best 4-bit (good tier) one that fits as asked and decodes faster. Decode reads every
    weight each token, so a Q8_0 reads about 1.7x a Q4_K_M's bytes for a few hundredths of perplexity
    (catalog/data/quants/quality.yaml): Llama 3.3 70B on a 128 GB Strix Halo fits its Q8_0 at about 2.5 tok/s, where
    an expert runs the Q4_K_M at nearly twice that. At a useful speed the higher tier stays (the 8-bit MLX build on
    an M4 Max at 5.5 tok/s)."""
    pick = _pick(ctx, asked, Trade.NONE, ctx.context, ctx.opts.kv_type)
    if not _slow_above_usual(asked):
        return pick
    ran = asked.decode_tps
    assert ran is not None
    usual = next(
        (
            o
            for o in members
            if o.tier is quants.Tier.GOOD
            and o.verdict == "fits"
            and accept(o)
            and o.decode_tps is not None
            and o.decode_tps.centre > ran.centre
        ),
        None,
    )
    if usual is None:
        return pick
    faster = _pick(ctx, usual, Trade.NONE, ctx.context, ctx.opts.kv_type)
    return faster.model_copy(update={"slow_higher": asked.quant, "slow_higher_tps": ran.centre})


def _offload_shortened(
    ctx: _PickContext, offloaded: list[QuantOption], profile: memory.KvProfile, accept: Accept
) -> Pick | None:
    """Where the context was left to us and a quant of the group runs nowhere at it (its cache does not fit beside
    the weights in the GPU and system RAM together), the first in `_offload_order` that runs offloaded at a useful
    speed at the longest context it fits (never under SHORT_CONTEXT). Mistral 7B on a 2 GB GT 1030 with 8 GB of RAM:
    no quant holds the default 32k of f16 cache beside it, and its Q4_K_M runs at 8k with most layers in RAM, where
    the card had said nothing fits."""
    if not ctx.may_shorten or ctx.context <= SHORT_CONTEXT or not _has_accelerator(ctx.rig) or ctx.rig.ram is None:
        return None
    for o in offloaded:
        if o.verdict != "does-not-fit":
            continue
        longest = _longest_running(ctx.model, ctx.rig, o.weights_bytes, ctx.context, profile)
        if longest is None:
            continue
        option = _sized(ctx, o, longest, ctx.opts.kv_type, profile)
        if _useful_offload(option) and _typically_useful(option) and accept(option):
            return _pick(ctx, option, Trade.SHORTER_CONTEXT, longest, ctx.opts.kv_type)
    return None


def _typically_useful(o: QuantOption) -> bool:
    """An offload whose typical decode reaches USEFUL_OFFLOAD_TPS. A pick that already gives up context must also
    be typically useful, not only at the top of its range: Qwen3-235B on an 8 GB card with 96 GB of RAM took
    UD-Q3_K_XL at 8k with 6 layers on the card (1.3-6.5 tok/s, typically 4.4) before the 2-bit group's UD-Q2_K_XL
    with every expert in RAM at the asked 32k (typically 5.5), which an expert runs."""
    return o.decode_tps is not None and o.decode_tps.centre >= USEFUL_OFFLOAD_TPS


def _longest_running(model: Model, rig: Rig, weights_bytes: int, context: int, profile: memory.KvProfile) -> int | None:
    """The longest context under `context`, in whole CONTEXT_STEPs and at least SHORT_CONTEXT, at which these weights
    and their cache find room anywhere (the GPU and system RAM together); None if not even SHORT_CONTEXT does."""

    def runs(tokens: int) -> bool:
        return place(model, rig, weights_bytes, profile.bytes_at(tokens)).verdict != "does-not-fit"

    if not runs(SHORT_CONTEXT):
        return None
    return _bisect_context(runs, SHORT_CONTEXT, max(context - CONTEXT_STEP, SHORT_CONTEXT))


# A dense partial offload keeps its bits only where it runs at more than 1/WHOLE_SPEEDUP of the speed of a 3-bit
# quant wholly on the accelerator: every layer left in system RAM is read from it each token, so decode falls toward
# RAM's speed, where a quant one tier down on the card runs at the card's.
WHOLE_SPEEDUP = 2.0


_FAIR = frozenset({quants.Tier.FAIR})
_FAIR_BITS = next(bits for tiers, bits in PICK_GROUPS if tiers == _FAIR)


def _fair_after(group_index: int) -> bool:
    """Whether the group after this one is the 3-bit (fair) one: a partial offload yields only one tier down."""
    later = PICK_GROUPS[group_index + 1 : group_index + 2]
    return bool(later) and later[0][0] == _FAIR


def _whole_instead(
    ctx: _PickContext, pick: Pick, fair: list[QuantOption], profile: memory.KvProfile, accept: Accept
) -> Pick | None:
    """Where `pick` is a dense partial offload: a 3-bit quant wholly on the accelerator at the asked context (with the
    asked or a q8_0 KV cache, never less context) that decodes at least WHOLE_SPEEDUP times as fast, else None. Gemma
    3 27B on a 16 GB card with 32 GB of RAM: the QAT Q4_0 with 16 of 62 layers in RAM decodes at about 7 tok/s, an
    IQ3_XXS wholly on the card at about 21; an expert runs the 3-bit file, or says the 4-bit one costs two thirds of
    the speed."""
    ran = pick.option.decode_tps
    if pick.option.placement.kind != "partial-offload" or ran is None or not fair:
        return None
    whole = _pick_in_group(replace(ctx, may_shorten=False), fair, _FAIR_BITS, profile, accept, offload=False)
    if whole is None or whole.option.decode_tps is None or whole.option.decode_tps.centre < WHOLE_SPEEDUP * ran.centre:
        return None
    return whole.model_copy(update={"slower": pick.quant})


def _has_accelerator(rig: Rig) -> bool:
    return bool(rig.gpus) or rig.unified is not None


def _whole(placement: Placement) -> bool:
    """What a trade of KV type or context aims for: the weights and cache wholly on the accelerator, or, on a rig
    with none, wholly in system RAM (a Raspberry Pi runs Qwen3-8B's Q4_K_M at a shorter context than the asked
    32k, whose f16 cache alone is 4.8 GB)."""
    return placement.verdict == "fits" or placement.kind == "cpu"


def _traded(ctx: _PickContext, o: QuantOption, profile: memory.KvProfile) -> Pick | None:
    """This quant wholly on the accelerator with a q8_0 KV cache at the asked context; else with less context at
    the asked KV type; else with less context and q8_0. Only KV types and contexts the user left to us. None where
    the quant is already whole as asked (in system RAM on a rig without an accelerator, only slower than
    USEFUL_OFFLOAD_TPS): a q8_0 cache or less context would buy nothing there."""
    if o.format in SERVER_ONLY:
        return _server_shortened(ctx, o, profile)
    if _whole(o.placement):
        return None
    # llama.cpp's -ctk/-ctv q8_0: a server checkpoint's cache type is vLLM's or SGLang's own (their plans set fp8)
    q8_ok = ctx.opts.kv_type == "f16" and o.format not in SERVER_ONLY
    q8 = memory.kv_profile(ctx.model, TRADE_KV, ctx.opts.n_seq) if q8_ok else None
    if q8 is not None and _fits(ctx, o.weights_bytes, q8.bytes_at(ctx.context)):
        option = _sized(ctx, o, ctx.context, TRADE_KV, q8)
        if _whole(option.placement):
            return _pick(ctx, option, Trade.KV_Q8, ctx.context, TRADE_KV)
    if not ctx.may_shorten or ctx.context <= SHORT_CONTEXT:
        return None
    ways = [(ctx.opts.kv_type, profile, Trade.SHORTER_CONTEXT)]
    ways += [(TRADE_KV, q8, Trade.SHORTER_CONTEXT_KV_Q8)] if q8 is not None else []
    for kv_type, kv, trade in ways:
        longest = _longest_fitting(ctx.model, ctx.rig, o.weights_bytes, ctx.context, kv)
        if longest is not None:
            pick = _pick(ctx, _sized(ctx, o, longest, kv_type, kv), trade, longest, kv_type)
            with_q8 = _longest_fitting(ctx.model, ctx.rig, o.weights_bytes, ctx.context, q8) if q8 else None
            if trade is Trade.SHORTER_CONTEXT and with_q8 is not None and with_q8 > longest:
                pick = pick.model_copy(update={"q8_context": with_q8})
            return pick
    return None


def _server_shortened(ctx: _PickContext, o: QuantOption, profile: memory.KvProfile) -> Pick | None:
    """A server checkpoint whose vLLM/SGLang plan holds less than the asked context: the checkpoint at the context
    its plan holds, where the context was left to us (never under SHORT_CONTEXT), as llama.cpp's files trade context
    before bits. GLM-4.6's AWQ (176 GB) on 2x RTX PRO 6000 fits llama.cpp's whole-layer split at 32k, but vLLM at
    --gpu-memory-utilization 0.90 keeps 15k of cache beside it: the card had said 32k fits, longest 68k. Where not even
    the whole-layer split holds the asked context, no plan was made: the plans at the longest context it does. A
    checkpoint asked for by name runs at whatever its plan holds (Qwen3-32B-AWQ on a 4090: vLLM's 7k), where the pick
    among all quants keeps SHORT_CONTEXT or more."""
    floor = CONTEXT_STEP if ctx.opts.quant else SHORT_CONTEXT
    if not ctx.may_shorten or ctx.context <= floor:
        return None
    at = o
    if not o.serve.plans:
        split = _longest_fitting(ctx.model, ctx.rig, o.weights_bytes, ctx.context, profile)
        if split is None:
            return None
        at = _sized(ctx, o, split, ctx.opts.kv_type, profile)
    longest = min(_server_context(at), at.context) // CONTEXT_STEP * CONTEXT_STEP
    if longest < floor or longest >= ctx.context:
        return None
    option = at if longest == at.context else _sized(ctx, o, longest, ctx.opts.kv_type, profile)
    return _pick(ctx, option, Trade.SHORTER_CONTEXT, longest, ctx.opts.kv_type)


def _fits(ctx: _PickContext, weights_bytes: int, kv_bytes: int) -> bool:
    """Whether the weights and KV cache fit wholly on the accelerator, or in RAM on a rig without one (`_whole`;
    placed only: sized in full once it does)."""
    return _whole(place(ctx.model, ctx.rig, weights_bytes, kv_bytes))


def _offload_order(o: QuantOption) -> bool:
    """Offloaded, the usual 4-bit quant before a 5-8 bit one of the same group (a stable sort keeps quality order
    within each): decode then reads the experts from system RAM, so every bit above 4 costs speed in proportion
    (Q8_0 reads 1.7x Q4_K_M's bytes) and fills RAM the context and the system need, for a few hundredths of
    perplexity (catalog/data/quants/quality.yaml). Wholly on the accelerator the best tier that fits still wins."""
    return o.tier is not quants.Tier.GOOD


def _useful_offload(o: QuantOption) -> bool:
    """An offload whose decode range reaches USEFUL_OFFLOAD_TPS (the public GLM-5.2 figure for UD-IQ2_XXS with
    expert offload, 3-9 tok/s, is one people run)."""
    return o.verdict == "fits-offload" and o.decode_tps is not None and o.decode_tps.high >= USEFUL_OFFLOAD_TPS


def _pick(ctx: _PickContext, option: QuantOption, trade: Trade, context: int, kv_type: memory.KvType) -> Pick:
    yarn = serve.yarn_needed(ctx.model, context)
    return Pick(
        quant=option.quant, tier=option.tier, trade=trade, context=context, kv_type=kv_type, option=option, yarn=yarn
    )


def _sized(
    ctx: _PickContext, o: QuantOption, context: int, kv_type: memory.KvType, profile: memory.KvProfile
) -> QuantOption:
    """The same quant at another context or KV type."""
    name, published = ctx.files[o.quant]
    opts = ctx.opts.model_copy(update={"kv_type": kv_type})
    weights = ctx.weights.get(o.quant)
    return _option(ctx.model, ctx.rig, name, published, context, opts, profile, plans=ctx.plans, weights=weights)


def _longest_fitting(model: Model, rig: Rig, weights_bytes: int, context: int, profile: memory.KvProfile) -> int | None:
    """The longest context under `context`, in whole CONTEXT_STEPs and at least SHORT_CONTEXT, at which these
    weights fit wholly on the accelerator (or in unified memory); None if not even SHORT_CONTEXT does."""
    placement = place(model, rig, weights_bytes, profile.bytes_at(SHORT_CONTEXT))
    if not _whole(placement):
        return None
    cap = context_cap(model, context)  # the asked context's: with YaRN where it needs it
    reflow = (rig, weights_bytes)
    longest = min(_max_context(model, placement, SHORT_CONTEXT, profile, reflow, limit=cap), context - 1)
    return max(longest // CONTEXT_STEP * CONTEXT_STEP, SHORT_CONTEXT)


def _instead(pick: Pick, options: tuple[QuantOption, ...]) -> str | None:
    """What runs at the asked settings without the pick's trade (a lower tier), if anything does."""
    if pick.trade is Trade.NONE:
        return None
    best = choose_best(tuple(o for o in options if _served(o)))  # a server checkpoint only where a plan runs it
    return best if best != pick.quant else None


SizedFile = tuple[str, Quant | None, memory.Weights]  # candidate name, published file, its weights


def sized_files(model: Model, rig: Rig, opts: FitOptions) -> tuple[SizedFile, ...]:
    """The files `fit_reading` would size on this rig, best first by `quality_key`'s order (from name and size
    alone). They depend on the rig only through the formats it runs (`files_key`), so a search over many rigs
    sizes them once per key."""
    weighed = [
        (name, published, _weights(model, name, published)) for name, published in _candidates(model, rig, opts.quant)
    ]
    return tuple(sorted(weighed, key=lambda c: _weights_key(c[2], c[1]), reverse=True))


FilesKey = tuple[bool, bool, frozenset[tuple[str, str | None, str | None]]]


def files_key(rig: Rig) -> FilesKey:
    """What `sized_files` depends on in a rig: whether it runs MLX files, whether vLLM sees GPUs on it, and their
    kinds (which server formats run on them: `serve.format_runs`)."""
    gpus = serve.spark_rig(rig) or rig  # a DGX Spark: its GB10, as vLLM sees it
    cards = frozenset((g.backend, g.compute_capability, g.gfx_target) for g in gpus.gpus)
    return rig.unified is not None and rig.unified.backend == "metal", bool(gpus.gpus), cards


def options_by_quality(
    model: Model,
    rig: Rig,
    context: int,
    opts: FitOptions,
    *,
    max_weights_bytes: int | None = None,
    files: tuple[SizedFile, ...] | None = None,
    profile: memory.KvProfile | None = None,
) -> Iterator[QuantOption]:
    """The options `fit_reading` lists, highest bits per weight first, each made only when asked for (without the
    concurrency figures): a search that stops at the first good quant sizes no more than it needs. Quants whose
    weights alone exceed `max_weights_bytes` (all the rig's memory) are passed over. `files` (`sized_files` for a
    rig of the same `files_key`) and `profile` (`kv_profile`) may be given by a search that already made them."""
    profile = profile or kv_profile(model, opts)
    for name, published, w in files if files is not None else sized_files(model, rig, opts):
        if max_weights_bytes is None or w.n_bytes <= max_weights_bytes:
            yield _option(model, rig, name, published, context, opts, profile, weights=w)


class RigPick(Frozen):
    """`pick_on_rig`'s answer: /fit's pick (None: nothing `accept` takes runs), and the options it sized at the
    asked settings (every one within `max_weights_bytes` when there is no pick), without serve plans."""

    pick: Pick | None
    options: tuple[QuantOption, ...]


def pick_on_rig(
    model: Model,
    rig: Rig,
    context: int,
    opts: FitOptions,
    *,
    may_shorten: bool,
    files: tuple[SizedFile, ...] | None = None,
    profile: memory.KvProfile | None = None,
    max_weights_bytes: int | None = None,
    accept: Accept = _always,
) -> RigPick:
    """The pick `fit_reading` makes on this rig (`choose_pick`: the same quant, KV cache type and context), made
    for searches over many rigs (/recommend, /whatfits): each group of tiers sizes its quants best first only until
    one fits as asked, so a rig sizes only what the answer needs. `accept` narrows what may be picked (a target
    speed, a least number of bits); quants whose weights alone exceed `max_weights_bytes` are passed over."""
    profile = profile or kv_profile(model, opts)
    files = files if files is not None else sized_files(model, rig, opts)
    ctx = _PickContext(model=model, rig=rig, context=context, opts=opts, may_shorten=may_shorten, files={}, plans=False)
    sized: dict[str, QuantOption] = {}
    tiered = [(f, quants.tier(f[2].quant, f[2].bits_per_weight)) for f in files]
    for taken in (_and_loadable(accept, ctx), accept):  # as choose_pick: a file some engine loads first
        for i, group in enumerate(PICK_GROUPS):
            trade_bits = group[1]
            grouped = [f for f, t in tiered if in_group(t, f[2].quant, f[2].bits_per_weight, group)]
            members = _sized_group(ctx, grouped, profile, max_weights_bytes, accept)
            sized |= {o.quant: o for o in members}
            offload = _may_offload(group, tuple(sized.values()), taken)
            ranked = sorted(members, key=quality_key, reverse=True)
            pick = _pick_in_group(ctx, ranked, trade_bits, profile, taken, offload)
            if pick is not None and _fair_after(i) and pick.option.placement.kind == "partial-offload":
                fair_files = [f for f, t in tiered if in_group(t, f[2].quant, f[2].bits_per_weight, PICK_GROUPS[i + 1])]
                fair = _sized_group(ctx, fair_files, profile, max_weights_bytes, accept)
                sized |= {o.quant: o for o in fair}
                pick = _whole_instead(ctx, pick, sorted(fair, key=quality_key, reverse=True), profile, taken) or pick
            if pick is not None:
                return RigPick(pick=pick, options=tuple(sized.values()))
    options = tuple(sized.values())
    return RigPick(pick=_fallback_pick(ctx, tuple(o for o in options if accept(o))), options=options)


def _sized_group(
    ctx: _PickContext,
    files: list[SizedFile],
    profile: memory.KvProfile,
    max_weights_bytes: int | None,
    accept: Accept,
) -> list[QuantOption]:
    """A group's files (best first) sized at the asked settings, up to the first one some engine loads that fits
    as asked (no quant of the group after it can be picked: `quality_key`)."""
    out = []
    for name, published, w in files:
        if max_weights_bytes is not None and w.n_bytes > max_weights_bytes:
            continue
        o = _option(ctx.model, ctx.rig, name, published, ctx.context, ctx.opts, profile, plans=False, weights=w)
        ctx.files[o.quant] = (name, published)
        ctx.weights[o.quant] = w
        out.append(o)
        if o.verdict == "fits" and o.loadable and accept(o) and not _slow_above_usual(o):
            break
    return out


def _weights_key(w: memory.Weights, published: Quant | None) -> tuple[bool, int, int, bool, float]:
    """`quality_key` of a file before it is placed (the same order, from its name and size alone)."""
    t = quants.tier(w.quant, w.bits_per_weight)
    nominal = quants.nominal_bits(w.quant, w.bits_per_weight)
    lossless = t is quants.Tier.NEAR_LOSSLESS
    return (
        published is not None or _ladder_format(w.quant) == "gguf",
        _TIER_RANK[t],
        min(nominal, 8),
        published is not None,
        -w.bits_per_weight if lossless else w.bits_per_weight,
    )


def kv_profile(model: Model, opts: FitOptions) -> memory.KvProfile:
    """The model's KV cache at the asked type and sequences: made once per reading, used by every option."""
    return memory.kv_profile(model, opts.kv_type, opts.n_seq)


def fit_reading(model: Model, reading: Reading, context: int, opts: FitOptions) -> ReadingReport:
    rig = reading.rig
    profile = kv_profile(model, opts)
    made = [
        (name, q, _option(model, rig, name, q, context, opts, profile))
        for name, q in _candidates(model, rig, opts.quant)
    ]
    options = tuple(sorted((o for _, _, o in made), key=lambda o: -o.bits_per_weight))
    files = {o.quant: (name, q) for name, q, o in made}
    ctx = _PickContext(model=model, rig=rig, context=context, opts=opts, may_shorten=opts.context is None, files=files)
    pick = choose_pick(ctx, options, profile)
    best = pick.quant if pick else None
    if pick is not None and pick.trade is Trade.NONE:
        options = tuple(_with_concurrency(model, o, context, profile) if o.quant == best else o for o in options)
        pick = pick.model_copy(update={"option": options[[o.quant for o in options].index(pick.quant)]})
    elif pick is not None:
        kv = memory.kv_profile(model, pick.kv_type, opts.n_seq)
        pick = pick.model_copy(update={"option": _with_concurrency(model, pick.option, pick.context, kv)})
    if pick is not None:  # a draft model's -hfd only where the draft and its cache fit beside the pick
        pick = pick.model_copy(update={"option": _with_draft_room(model, rig, pick.option, pick.context)})
    if pick is not None:  # the pick also names the best vLLM/SGLang checkpoint for the rig's GPUs
        pick = pick.model_copy(update={"option": _with_servers(model, rig, pick.option, pick.context, pick.kv_type)})
        pick = pick.model_copy(update={"option": _with_mlx_sibling(pick.option, options)})
        pick = pick.model_copy(update={"option": _with_gguf_sibling(pick.option, options)})
        options = tuple(pick.option if o.quant == best and pick.trade is Trade.NONE else o for o in options)
    with_less = _fits_with_less_context(model, rig, options, context, profile)
    # an asked quant that does not fit says how much context it fits with instead
    shorter = with_less if opts.quant else _with_less_context(options, pick, with_less)
    tight = _mlx_tight(ctx, options, profile) if pick is None else None
    below_3_bits = pick is not None and pick.tier is quants.Tier.DEGRADED
    smaller_kv = _smaller_kv(ctx, options) if (pick is None and tight is None) or below_3_bits else None
    devices = tuple(g.name for g in rig.gpus)
    devices += (rig.unified.name,) if rig.unified else ()
    devices += (f"{rig.ram.memory_bytes / (1 << 30):.0f} GB {rig.ram.description}",) if rig.ram else ()
    return ReadingReport(
        label=reading.label,
        rig=rig,
        devices=devices,
        assumptions=reading.assumptions,
        options=options,
        best=best,
        shorter_context=shorter,
        fits_with_less_context=with_less,
        pick=pick,
        mlx_tight=tight,
        smaller_kv=smaller_kv,
    )


def _smaller_kv(ctx: _PickContext, options: tuple[QuantOption, ...]) -> tuple[str, str] | None:
    """Where nothing runs at the asked context, or only below 3 bits, the best loadable GGUF of 3 bits or more that
    fits wholly on the accelerator there with SMALLEST_KV, as (kv type, quant); None on a rig without one, or where
    the cache asked is already the smallest. Qwen3-8B at 128k with the q8_0 cache asked on a 12 GB RTX 3060: the
    cache alone is 10.3 GB and nothing fits, where a q4_0 cache (5.4 GB) holds its Q4_K_M; Qwen3-14B there on a 16 GB
    card had only UD-IQ1_S."""
    if ctx.opts.kv_type == SMALLEST_KV or not _has_accelerator(ctx.rig):
        return None
    kv = memory.kv_profile(ctx.model, SMALLEST_KV, ctx.opts.n_seq)
    good = (o for o in options if o.format == "gguf" and o.loadable and o.tier is not quants.Tier.DEGRADED)
    for o in sorted(good, key=quality_key, reverse=True):
        if _fits(ctx, o.weights_bytes, kv.bytes_at(ctx.context)):
            return SMALLEST_KV, o.quant
    return None


def _tight_place(model: Model, rig: Rig, weights_bytes: int, kv_bytes: int, quant: str | None) -> Placement:
    return mlx_tight(model, rig, weights_bytes, kv_bytes, quant) or place(model, rig, weights_bytes, kv_bytes, quant)


def _mlx_tight(ctx: _PickContext, options: tuple[QuantOption, ...], profile: memory.KvProfile) -> Pick | None:
    """On a Mac where no file fits llama.cpp's budget, the best MLX build (`quality_key`) that runs under MLX with
    the GPU limit raised to all but the OS's share (placement.mlx_tight) from SHORT_CONTEXT up, at the longest
    context it reaches there up to the asked one, with the engine that starts it. gpt-oss-20b on a 16 GB Mac had read
    'nothing fits' where LM Studio and mlx_lm run it."""
    model, rig = ctx.model, ctx.rig
    if mlx_mac(rig) is None:
        return None
    for o in sorted((o for o in options if o.format == "mlx"), key=quality_key, reverse=True):

        def fits(tokens: int, o: QuantOption = o) -> bool:
            return mlx_tight(model, rig, o.weights_bytes, profile.bytes_at(tokens), o.quant) is not None

        low = min(SHORT_CONTEXT, ctx.context)
        if not fits(low):
            continue
        context = _bisect_context(fits, low, ctx.context)
        name, published = ctx.files[o.quant]
        option = _option(model, rig, name, published, context, ctx.opts, profile, placer=_tight_place)
        if option.verdict == "fits" and option.serve.plans:
            return Pick(
                quant=o.quant,
                tier=option.tier,
                trade=Trade.NONE if context == ctx.context else Trade.SHORTER_CONTEXT,
                context=context,
                kv_type=ctx.opts.kv_type,
                option=option,
            )
    return None


def _fits_with_less_context(
    model: Model, rig: Rig, options: tuple[QuantOption, ...], context: int, profile: memory.KvProfile
) -> tuple[tuple[str, int], ...]:
    """Options that do not fit wholly in accelerator or unified memory (on a rig with neither, in system RAM: `_whole`)
    at the asked context and KV type but do with less (not under SHORT_CONTEXT), each with the longest context it fits
    at, in the ladder's order."""
    if context <= SHORT_CONTEXT:
        return ()
    found: list[tuple[str, int]] = []
    for o in options:
        if _whole(o.placement):
            continue
        longest = _longest_fitting(model, rig, o.weights_bytes, context, profile)
        if longest is not None:
            found.append((o.quant, longest))
    return tuple(found)


def _with_less_context(
    options: tuple[QuantOption, ...], pick: Pick | None, with_less: tuple[tuple[str, int], ...]
) -> tuple[tuple[str, int], ...]:
    """Up to SHORTER_CONTEXT_SHOWN quants better than the pick (`quality_key`) that fit only with less context,
    best first, each with the longest context it fits at."""
    floor = quality_key(pick.option) if pick is not None else None
    longest = dict(with_less)
    found: list[tuple[str, int]] = []
    for o in sorted(options, key=quality_key, reverse=True):
        if (floor is not None and quality_key(o) <= floor) or len(found) == SHORTER_CONTEXT_SHOWN:
            break
        if o.quant in longest and _served(o) and not (pick is not None and o.quant == pick.quant):
            found.append((o.quant, longest[o.quant]))
    return tuple(found)


def _with_servers(model: Model, rig: Rig, option: QuantOption, context: int, kv_type: memory.KvType) -> QuantOption:
    """vLLM and SGLang with the most precise server checkpoint of the model that fits the rig's GPUs (a file other
    than a GGUF option's own, with its own size), or why none does."""
    return option.model_copy(update={"serve": option.serve + serve.servers(model, rig, context, kv_type)})


MLX_SIBLING_BITS = 1.0  # an MLX build within a bit per weight of a GGUF pick keeps about its quality


def _with_mlx_sibling(option: QuantOption, options: tuple[QuantOption, ...]) -> QuantOption:
    """On a Mac, MLX right after llama.cpp under a GGUF pick: the MLX build of about the same bits that fits (the
    nearest, the larger on a tie), with its own plan (`mlx_lm.server` on a published repo, or `mlx_lm.convert`
    from the 16-bit one) and its own size."""
    return _with_sibling(option, options, "gguf", "mlx", (Engine.MLX,))


def _with_gguf_sibling(option: QuantOption, options: tuple[QuantOption, ...]) -> QuantOption:
    """Under an MLX pick, llama.cpp and Ollama right after MLX on the GGUF of about the same bits that fits (most
    Mac users run llama.cpp, LM Studio or Ollama): gpt-oss-120b's MLX MXFP4-Q8 build and ggml-org's MXFP4 GGUF."""
    return _with_sibling(option, options, "mlx", "gguf", (Engine.LLAMA_CPP, Engine.OLLAMA))


def _with_sibling(
    option: QuantOption, options: tuple[QuantOption, ...], own: str, other: str, engines: tuple[Engine, ...]
) -> QuantOption:
    """The pick's own first plan, then `engines`' plans on the nearest option of the `other` format within
    MLX_SIBLING_BITS bits per weight that fits (each plan with its own checkpoint and size), then the pick's other
    plans; unchanged where the pick is not of format `own`, already has such a plan, or nothing is near."""
    if option.format != own or any(option.serve.plan(e) is not None for e in engines):
        return option
    near = [
        o
        for o in options
        if o.format == other
        and o.verdict == "fits"
        and o.serve.plan(engines[0]) is not None
        and abs(o.bits_per_weight - option.bits_per_weight) <= MLX_SIBLING_BITS
    ]
    if not near:
        return option
    sibling = min(near, key=lambda o: (abs(o.bits_per_weight - option.bits_per_weight), -o.bits_per_weight))
    added = tuple(p for e in engines if (p := sibling.serve.plan(e)) is not None)
    plans = option.serve.plans
    served = Serve(
        plans=(*plans[:1], *added, *plans[1:]),
        refused=tuple(r for r in option.serve.refused if r.engine not in {p.engine for p in added}),
    )
    return option.model_copy(update={"serve": served})


def _with_concurrency(model: Model, option: QuantOption, context: int, profile: memory.KvProfile) -> QuantOption:
    """Several users at once and speculative decoding, worked out for the recommended option only (it is the one
    the card shows)."""
    rows = concurrency.table(model, option.placement, context, profile)
    spec = speculative.speculation(model, _accelerator_backend(option.placement), option.decode_tps)
    return option.model_copy(update={"concurrency": rows, "speculation": spec})


def _with_draft_room(model: Model, rig: Rig, option: QuantOption, context: int) -> QuantOption:
    """A draft model's speculation with what its `-hfd` adds (`speculative.draft_bytes`) and whether that fits
    beside the option without changing its placement: the same verdict, and the same layers and experts on the
    GPUs, so the printed command still starts. Llama 3.3 70B's Q4_K_M on 2x 3090 is traded to 16k to fit the cards;
    the 1B draft's 1.3 GB file and 0.5 GB cache at 16k do not fit beside it, and the card had offered `-hfd`."""
    spec = option.speculation
    if spec is None or spec.method != "draft":
        return option
    entry = next((s for s in model.speculative if s.id == spec.entry), None)
    extra = speculative.draft_bytes(entry, context) if entry is not None else None
    if extra is None:
        return option
    kv = option.kv_cache_bytes
    before = place(model, rig, option.weights_bytes, kv, option.quant)
    after = place(model, rig, option.weights_bytes + extra, kv, option.quant)
    same = (after.verdict, after.kind, after.n_gpu_layers, after.n_cpu_moe) == (
        before.verdict,
        before.kind,
        before.n_gpu_layers,
        before.n_cpu_moe,
    )
    room = same and after.verdict != "does-not-fit"
    # without room for the draft, llama.cpp's decode with it is no speed this pick reaches: none is given (the 1B
    # draft for Llama 3.1 8B on a GTX 1060 6GB had read '-> typically 12 tok/s' beside 'no room for the draft')
    engines = spec.engines if room else tuple(_without_decode(e) for e in spec.engines)
    update = {"draft_bytes": extra, "draft_room": room, "engines": engines}
    return option.model_copy(update={"speculation": spec.model_copy(update=update)})


def _without_decode(e: speculative.EngineSpeculation) -> speculative.EngineSpeculation:
    return e.model_copy(update={"decode_tps": None}) if e.engine is Engine.LLAMA_CPP else e


def _accelerator_backend(placement: Placement) -> str | None:
    """The backend of the placement's first GPU or unified pool (speculative speed-ups are measured per backend)."""
    return next((p.backend for p in placement.pools if p.kind in ("gpu", "unified")), None)


def _with_ram_hint(model: Model, r: Reading, report: ReadingReport, context: int, opts: FitOptions) -> ReadingReport:
    """GPUs read without system RAM on which nothing runs, or only a file no engine loads (GLM-4.5-Air on 2x 3090:
    an IQ3_XXS no one publishes): what RAM beside them would run, where that is a file some engine loads."""
    if report.pick is not None and report.pick.option.loadable:
        return report
    hint = ram_hint(model, r, context, opts)
    unloadable = report.pick is not None and hint is not None and not hint.loadable
    return report.model_copy(update={"with_ram": None if unloadable else hint})


def _with_unasked(model: Model, r: Reading, report: ReadingReport, context: int, opts: FitOptions) -> ReadingReport:
    """A quant asked for that runs nowhere here, or only with layers in system RAM: the pick among every quant at the
    same context and KV settings, where that is another quant and runs (wholly on the accelerator, where the asked
    one is offloaded). 'qwen3 14b at q8 on a 4060 ti 16gb': Q8_0's 15.7 GB misses the card at any context, and the
    card had said nothing fits where Q4_K_M runs on it at 32k; an expert names the quant that does. So does a quant
    no engine starts here: an AWQ the catalog has no checkpoint of ('vllm qwen3 30b a3b awq on 2x 3090')."""
    asked = report.pick
    runs = asked is not None and asked.option.loadable and _served(asked.option)  # some engine starts it as sized
    if opts.quant is None or (runs and asked is not None and _whole(asked.option.placement)):
        return report
    other = fit_reading(model, r, context, opts.model_copy(update={"quant": None})).pick
    if other is None or (asked is not None and other.quant == asked.quant):
        return report
    if runs and not _whole(other.option.placement):  # both offloaded: nothing better to name
        return report
    return report.model_copy(update={"unasked": other})


def fit(model: Model, readings: list[Reading], opts: FitOptions | None = None) -> FitReport:
    opts = opts or FitOptions()
    asked = opts.context is not None
    context = opts.context if opts.context is not None else min(DEFAULT_CONTEXT, model.context_max_tokens)
    reports = tuple(_with_ram_hint(model, r, fit_reading(model, r, context, opts), context, opts) for r in readings)
    reports = tuple(_with_unasked(model, r, report, context, opts) for r, report in zip(readings, reports, strict=True))
    return FitReport(
        model=model,
        context=context,
        context_asked=asked,
        context_caveats=(ContextCaveat.YARN,) if serve.yarn_needed(model, context) else (),
        kv_type=opts.kv_type,
        prompt_tokens=opts.prompt_tokens,
        readings=reports,
    )
