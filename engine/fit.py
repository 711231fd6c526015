"""fit(): for each reading of the hardware, every quant's memory, placement, speed, context and flags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from catalog.types import Model, Quant
from engine import memory, serve, speed
from engine.errors import ErrorCode, RigfitError
from engine.placement import Placement, Verdict, place
from engine.rig import Assumption, Frozen, Reading, Rig
from engine.serve import Serve
from engine.speed import Range

DEFAULT_CONTEXT = 32_768  # a working chat/coding session; the model's maximum is rarely what people run
DEFAULT_PROMPT_TOKENS = 4_096
USEFUL_DECODE_TPS = 2.0  # below this an offload option is shown but not recommended
CONCURRENT_USERS = 4  # the card's "several people at once" line
SHORT_CONTEXT = 8192  # the least context worth running a better quant at (a short chat session)
SHORTER_CONTEXT_SHOWN = 2  # better quants that fit with less context, named on the card


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
    decode_tps: Range | None
    prefill_tps: Range | None
    caveats: tuple[speed.Caveat, ...] = ()  # what the speed figures leave out or rest on (shown on cards)
    max_context: int
    tensor_parallel: speed.TensorParallel | None = None  # the same cards split by tensor parallelism (vLLM)
    serve: Serve = Serve()  # engines that start this option (engine/serve.py), and those that cannot
    concurrency: speed.Concurrency | None = None  # CONCURRENT_USERS at once: the recommended option, accelerators only
    ttft_s: Range | None = None  # time to first token for FitOptions.prompt_tokens: prompt / prefill rate

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes


class ReadingReport(Frozen):
    label: str
    rig: Rig
    devices: tuple[str, ...]
    assumptions: tuple[Assumption, ...]
    options: tuple[QuantOption, ...]
    best: str | None
    # better quants than `best` that fit wholly on the accelerator with less context: (quant, longest context)
    shorter_context: tuple[tuple[str, int], ...] = ()

    def option(self, quant: str | None) -> QuantOption | None:
        return next((o for o in self.options if o.quant == quant), None)


class FitReport(Frozen):
    model: Model
    context: int
    context_asked: bool  # the context was asked for; else the default (DEFAULT_CONTEXT, or the model's maximum)
    kv_type: str
    prompt_tokens: int
    readings: tuple[ReadingReport, ...]


def _candidates(model: Model, rig: Rig, quant: str | None) -> list[tuple[str, Quant | None]]:
    if quant is not None:
        published = [q for q in model.quants if q.name == quant]
        return [(quant, published[0] if published else None)]
    usable = [q for q in model.quants if _format_runs(q.format, rig)]
    if usable:
        return [(q.name, q) for q in usable]
    from engine.quants import DEFAULT_LADDER

    return [(name, None) for name in DEFAULT_LADDER]


def _format_runs(fmt: str, rig: Rig) -> bool:
    if fmt == "gguf":
        return True
    if fmt == "mlx":
        return rig.unified is not None and rig.unified.backend == "metal"
    return bool(rig.gpus) and all(g.backend == "cuda" for g in rig.gpus)


def _weights(model: Model, name: str, published: Quant | None) -> memory.Weights:
    if published is not None:
        return memory.weights_from_quant(model, published)
    w = memory.weights_estimate(model, name)
    if w is None:
        raise RigfitError(f"`{name}` is not a quant I can size.", field="quant", code=ErrorCode.QUANT_NOT_SIZABLE)
    return w


def _max_context(model: Model, placement: Placement, context: int, kv: memory.KvProfile) -> int:
    if placement.verdict == "does-not-fit":
        return 0
    kv_pools = [p for p in placement.pools if p.kv_bytes > 0] or list(placement.pools)
    free = sum(max(p.free_bytes, 0) for p in kv_pools)
    growth = kv.growth_per_token(context)
    extra = int(free / growth) if growth > 0 else model.context_max_tokens
    return min(context + extra, model.context_max_tokens)


def _option(
    model: Model,
    rig: Rig,
    name: str,
    published: Quant | None,
    context: int,
    opts: FitOptions,
    profile: memory.KvProfile,
) -> QuantOption:
    w = _weights(model, name, published)
    kv = profile.bytes_at(context)
    placement = place(model, rig, w.n_bytes, kv)
    est = speed.estimate(model, placement, context, profile, opts.prompt_tokens, nvlink=rig.nvlink)
    overhead = sum(p.overhead_bytes for p in placement.pools)
    fmt = published.format if published else "gguf"
    return QuantOption(
        quant=w.quant,
        format=fmt,
        bits_per_weight=w.bits_per_weight,
        weights_bytes=w.n_bytes,
        weights_basis=w.basis,
        bits_basis=w.bits_basis,
        kv_cache_bytes=kv,
        overhead_bytes=overhead,
        verdict=placement.verdict,
        placement=placement,
        decode_tps=est.decode_tps,
        prefill_tps=est.prefill_tps,
        tensor_parallel=est.tensor_parallel,
        caveats=est.caveats,
        max_context=_max_context(model, placement, context, profile),
        serve=serve.for_option(model, rig, published, w.quant, fmt, placement, context, opts.kv_type),
        ttft_s=None
        if est.prefill_tps is None
        else Range(
            low=opts.prompt_tokens / est.prefill_tps.high,
            high=opts.prompt_tokens / est.prefill_tps.low,
            typical=opts.prompt_tokens / est.prefill_tps.centre,
        ),
    )


def choose_best(options: tuple[QuantOption, ...]) -> str | None:
    """Highest quality that fits; else the highest quality offload that is still useful; else any offload."""
    fits = [o for o in options if o.verdict == "fits"]
    useful = [
        o for o in options if o.verdict == "fits-offload" and o.decode_tps and o.decode_tps.high >= USEFUL_DECODE_TPS
    ]
    offload = [o for o in options if o.verdict == "fits-offload"]
    for group in (fits, useful, offload):
        if group:
            return max(group, key=lambda o: o.bits_per_weight).quant
    return None


def options_by_quality(
    model: Model, rig: Rig, context: int, opts: FitOptions, *, max_weights_bytes: int | None = None
) -> Iterator[QuantOption]:
    """The options `fit_reading` lists, highest bits per weight first, each made only when asked for (without the
    concurrency figures): a search that stops at the first good quant sizes no more than it needs. Quants whose
    weights alone exceed `max_weights_bytes` (all the rig's memory) are passed over."""
    weighed = [
        (name, published, _weights(model, name, published)) for name, published in _candidates(model, rig, opts.quant)
    ]
    profile = kv_profile(model, opts)
    for name, published, w in sorted(weighed, key=lambda c: -c[2].bits_per_weight):
        if max_weights_bytes is None or w.n_bytes <= max_weights_bytes:
            yield _option(model, rig, name, published, context, opts, profile)


def kv_profile(model: Model, opts: FitOptions) -> memory.KvProfile:
    """The model's KV cache at the asked type and sequences: made once per reading, used by every option."""
    return memory.kv_profile(model, opts.kv_type, opts.n_seq)


def fit_reading(model: Model, reading: Reading, context: int, opts: FitOptions) -> ReadingReport:
    rig = reading.rig
    profile = kv_profile(model, opts)
    options = tuple(
        sorted(
            (_option(model, rig, name, q, context, opts, profile) for name, q in _candidates(model, rig, opts.quant)),
            key=lambda o: -o.bits_per_weight,
        )
    )
    best = choose_best(options)
    options = tuple(_with_concurrency(model, o, context, profile) if o.quant == best else o for o in options)
    options = tuple(_with_servers(model, rig, o, context, opts.kv_type) if o.quant == best else o for o in options)
    shorter = () if opts.quant else _with_less_context(model, rig, options, best, context, profile)
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
    )


def _with_less_context(
    model: Model,
    rig: Rig,
    options: tuple[QuantOption, ...],
    best: str | None,
    context: int,
    profile: memory.KvProfile,
) -> tuple[tuple[str, int], ...]:
    """Quants of more bits than the recommended one that do not fit wholly in accelerator or unified memory at the
    asked context but do at SHORT_CONTEXT: each with the longest context it fits at (less than the asked one)."""
    if context <= SHORT_CONTEXT:
        return ()
    best_bits = next((o.bits_per_weight for o in options if o.quant == best), 0.0)
    kv = profile.bytes_at(SHORT_CONTEXT)
    found: list[tuple[str, int]] = []
    for o in options:  # highest bits first
        if o.bits_per_weight <= best_bits or len(found) == SHORTER_CONTEXT_SHOWN:
            break
        if o.verdict == "fits":
            continue
        placement = place(model, rig, o.weights_bytes, kv)
        if placement.verdict == "fits":
            longest = _max_context(model, placement, SHORT_CONTEXT, profile)
            if longest < context:
                found.append((o.quant, longest))
    return tuple(found)


def _with_servers(model: Model, rig: Rig, option: QuantOption, context: int, kv_type: memory.KvType) -> QuantOption:
    """vLLM and SGLang with the most precise server checkpoint of the model that fits the rig's GPUs (a file other
    than a GGUF option's own, with its own size), or why none does."""
    return option.model_copy(update={"serve": option.serve + serve.servers(model, rig, context, kv_type)})


def _with_concurrency(model: Model, option: QuantOption, context: int, profile: memory.KvProfile) -> QuantOption:
    """Several users at once, worked out for the recommended option only (it is the one the card shows)."""
    c = speed.concurrency(model, option.placement, context, profile, CONCURRENT_USERS)
    return option.model_copy(update={"concurrency": c})


def fit(model: Model, readings: list[Reading], opts: FitOptions | None = None) -> FitReport:
    opts = opts or FitOptions()
    asked = opts.context is not None
    context = opts.context if opts.context is not None else min(DEFAULT_CONTEXT, model.context_max_tokens)
    reports = tuple(fit_reading(model, r, context, opts) for r in readings)
    return FitReport(
        model=model,
        context=context,
        context_asked=asked,
        kv_type=opts.kv_type,
        prompt_tokens=opts.prompt_tokens,
        readings=reports,
    )
