"""Recommend machines for a model, and models for a machine, from the catalog alone."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from catalog.catalog import Catalog
from catalog.types import Gpu, Model, SystemMemory, Unified
from engine import memory
from engine.fit import FitOptions, QuantOption, fit_reading, options_by_quality, quality_key
from engine.placement import PlacementKind, Verdict
from engine.prices import PriceBasis, device_price, priced_platforms, ram_price, ram_usd_per_gib
from engine.quants import DEFAULT_LADDER
from engine.rig import DESKTOP_MAX_GIB, Frozen, Reading, Rig, gpu_device, platform_ram, unified_pool
from engine.units import GIB

GPU_COUNTS = (1, 2, 3, 4, 6, 8)
# GPU + system RAM builds: 1-4 cards with RAM in the sizes DIMMs are sold to fill (GiB); the smallest size that
# runs the model is the cheapest, so larger ones are not tried.
RAM_GPU_COUNTS = (1, 2, 4)
RAM_SIZES_GIB = (32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536)
MIN_DIMM_GIB = 16  # the smallest module a build would fill a channel with
# GPUs whose memory holds the smallest file with this much to spare (KV cache, buffers) are priced as GPU-only
# machines, not again with system RAM. A search bound, not a fact: the fit itself decides what runs.
GPU_ONLY_ROOM = 1.1


class Candidate(Frozen):
    label: str
    price_usd: float
    price_basis: PriceBasis  # one part per card, the machine or RAM priced
    quant: str
    verdict: Verdict
    placement: PlacementKind
    decode_low: float
    decode_high: float
    decode_typical: float
    max_context: int


def _mid(o: QuantOption) -> float:
    return o.decode_tps.centre if o.decode_tps else 0.0


def _rigs(catalog: Catalog) -> list[tuple[str, Rig, float, PriceBasis]]:
    """Every priced machine: 1-8 of each GPU, each unified machine at each priced memory size."""
    out: list[tuple[str, Rig, float, PriceBasis]] = []
    for h in catalog.hardware.values():
        if isinstance(h, Gpu):
            usd, part = device_price(h)
            if usd is None:
                continue
            for n in GPU_COUNTS:
                label = f"{n}x {h.name}" if n > 1 else h.name
                out.append((label, Rig(gpus=(gpu_device(h),) * n), usd * n, PriceBasis(parts=(part,) * n)))
        elif isinstance(h, Unified):
            for gib in h.memory_gib_options:
                usd, part = device_price(h, gib)
                if usd is None or not any(p.memory_gib == gib for p in h.prices):
                    continue
                out.append((f"{h.name} {gib}GB", Rig(unified=unified_pool(h, gib)), usd, PriceBasis(parts=(part,))))
    return out


def _ram_sizes(platform: SystemMemory) -> list[int]:
    """Sizes that fill every channel with at least one MIN_DIMM_GIB module (the bandwidth assumes all channels)."""
    ceiling = platform.memory_gib_max or (DESKTOP_MAX_GIB if platform.channels <= 2 else max(RAM_SIZES_GIB))
    floor = platform.channels * MIN_DIMM_GIB
    return [g for g in RAM_SIZES_GIB if floor <= g <= ceiling]


class _Option(Frozen):
    """A machine to try, at its price: a fixed rig, or a GPU + RAM build at one RAM size of a ladder."""

    usd: float
    label: str
    basis: PriceBasis
    rig: Rig
    key: str  # machines answering for the same device (more cards, more RAM) share a key
    platform: SystemMemory | None = None
    ram_ladder: tuple[int, ...] = ()  # larger RAM sizes to try if this one cannot hold the model


def _ram_build(gpu: Gpu, n: int, platform: SystemMemory, sizes: tuple[int, ...], catalog: Catalog) -> _Option:
    gpu_usd, gpu_part = device_price(gpu)
    ram = platform_ram(platform, sizes[0], named=False)
    ram_usd, ram_part = ram_price(ram, catalog.hardware)
    gpus = f"{n}x {gpu.name}" if n > 1 else gpu.name
    return _Option(
        usd=n * (gpu_usd or 0.0) + (ram_usd or 0.0),
        label=f"{gpus} + {sizes[0]} GB {ram.description}",
        basis=PriceBasis(parts=(*(gpu_part,) * n, ram_part), rest_unpriced=True),
        rig=Rig(gpus=(gpu_device(gpu),) * n, ram=ram),
        key=f"{gpu.id}+{platform.id}",
        platform=platform,
        ram_ladder=sizes[1:],
    )


@dataclass(frozen=True)
class _Build:
    """A GPU + RAM build not yet made into a machine: priced from a per-GB figure, made only if it is reached."""

    gpu: Gpu
    n: int
    platform: SystemMemory
    sizes: tuple[int, ...]


def _options(model: Model, catalog: Catalog) -> list[tuple[float, _Option | _Build]]:
    """Every priced machine with its price: the fixed rigs that could hold the model's smallest file, and GPU +
    RAM builds at the smallest RAM size that could (builds whose GPUs alone hold it with room are left to the
    cheaper GPU-only machine)."""
    smallest = _smallest_file_bytes(model)
    out: list[tuple[float, _Option | _Build]] = [
        (usd, _Option(usd=usd, label=label, basis=basis, rig=rig, key=_key(rig, label)))
        for label, rig, usd, basis in _rigs(catalog)
        if _memory_bytes(rig) >= smallest
    ]
    platforms = priced_platforms(catalog.hardware)
    per_gib = {p.id: ram_usd_per_gib(p, catalog.hardware) for p in platforms}
    for h in catalog.hardware.values():
        gpu_usd = device_price(h)[0] if isinstance(h, Gpu) else None
        if not isinstance(h, Gpu) or gpu_usd is None:
            continue
        for n in RAM_GPU_COUNTS:
            if n * h.memory_gib * GIB >= smallest * GPU_ONLY_ROOM:
                continue
            for platform in platforms:
                sizes = tuple(g for g in _ram_sizes(platform) if (n * h.memory_gib + g) * GIB >= smallest)
                if sizes:
                    out.append((n * gpu_usd + sizes[0] * per_gib[platform.id], _Build(h, n, platform, sizes)))
    return out


def _smallest_file_bytes(model: Model) -> int:
    """The smallest file fit would size: the smallest published quant, else the smallest of the default ladder."""
    if model.quants:
        return min(q.file_bytes for q in model.quants)
    sizes = [w.n_bytes for w in (memory.weights_estimate(model, name) for name in DEFAULT_LADDER) if w is not None]
    return min(sizes, default=0)


def _memory_bytes(rig: Rig) -> int:
    return rig.vram_bytes + (rig.unified.memory_bytes if rig.unified else 0)


def _key(rig: Rig, label: str) -> str:
    return (rig.gpus[0].hardware_id if rig.gpus else None) or label


def recommend(
    model: Model,
    catalog: Catalog,
    *,
    budget_usd: float | None = None,
    min_decode_tps: float = 5.0,
    context: int = 32_768,
    limit: int = 10,
) -> list[Candidate]:
    """The cheapest machines that run the model at `min_decode_tps` (the typical speed), cheapest first: 1-8 of
    one GPU, unified-memory machines at each priced size, and 1-4 GPUs with system RAM where RAM is priced.

    Machines are tried in order of price (a heap), so the search stops at the `limit`-th answer; a GPU + RAM build
    that cannot hold the model goes back on the heap at its next RAM size. More RAM of the same speed only admits
    larger, slower quants, so the first size that runs the model answers for its GPUs and platform."""
    opts = FitOptions(context=context)
    heap: list[tuple[float, int, _Option | _Build]] = [
        (usd, i, item) for i, (usd, item) in enumerate(_options(model, catalog))
    ]
    heapq.heapify(heap)
    seq = len(heap)
    found: list[Candidate] = []
    satisfied: set[str] = set()
    while heap and len(found) < limit:
        usd, _, item = heapq.heappop(heap)
        if budget_usd is not None and usd > budget_usd:
            break
        o = item if isinstance(item, _Option) else _ram_build(item.gpu, item.n, item.platform, item.sizes, catalog)
        usd = o.usd
        if o.key in satisfied:
            continue
        runs, option = _first_good(model, o.rig, context, opts, min_decode_tps)
        if not runs and o.platform is not None and o.ram_ladder:
            gpu = catalog.hardware[o.rig.gpus[0].hardware_id or ""]
            assert isinstance(gpu, Gpu)
            bigger = _ram_build(gpu, len(o.rig.gpus), o.platform, o.ram_ladder, catalog)
            heapq.heappush(heap, (bigger.usd, seq, bigger))
            seq += 1
            continue
        if option is not None or (runs and o.platform is not None):
            satisfied.add(o.key)
        if option is not None:
            found.append(_candidate(o.label, usd, o.basis, option))
    return found


def _first_good(
    model: Model, rig: Rig, context: int, opts: FitOptions, min_decode_tps: float
) -> tuple[bool, QuantOption | None]:
    """Whether any quant runs on the rig, and the highest-quality one that runs at the target speed (the same
    answer as `_fastest_good` over every option, found without sizing the rest)."""
    runs = False
    memory_bytes = _memory_bytes(rig) + (rig.ram.memory_bytes if rig.ram else 0)
    for option in options_by_quality(model, rig, context, opts, max_weights_bytes=memory_bytes):
        if option.verdict == "does-not-fit":
            continue
        runs = True
        if _mid(option) >= min_decode_tps:
            return True, option
    return runs, None


def _candidate(label: str, usd: float, basis: PriceBasis, option: QuantOption) -> Candidate:
    assert option.decode_tps is not None
    return Candidate(
        label=label,
        price_usd=usd,
        price_basis=basis,
        quant=option.quant,
        verdict=option.verdict,
        placement=option.placement.kind,
        decode_low=option.decode_tps.low,
        decode_high=option.decode_tps.high,
        decode_typical=option.decode_tps.centre,
        max_context=option.max_context,
    )


def _fastest_good(options: tuple[QuantOption, ...], min_decode_tps: float) -> QuantOption | None:
    """The highest-quality quant that runs at the target speed."""
    ok = [o for o in options if o.verdict != "does-not-fit" and _mid(o) >= min_decode_tps]
    return max(ok, key=quality_key) if ok else None


# Quants at or above this many bits per weight (Q3_K_M and up: 3.92 measured) are ranked before smaller models'
# 1- and 2-bit files in what-fits lists, which stay listed, after them.
GOOD_QUANT_BITS = 3.9


class ModelFit(Frozen):
    model_id: str
    name: str
    total_params_b: float
    active_params_b: float | None
    quant: str
    bits_per_weight: float
    verdict: Verdict
    decode_low: float
    decode_high: float
    max_context: int


def what_fits(
    reading: Reading, catalog: Catalog, *, min_decode_tps: float = 5.0, context: int = 8192, limit: int = 15
) -> list[ModelFit]:
    """The largest catalog models that run usefully on this hardware, with their best quant and speed."""
    out = []
    for m in catalog.models.values():
        ctx = min(context, m.context_max_tokens)
        report = fit_reading(m, reading, ctx, FitOptions(context=ctx))
        pick = report.best_option  # /fit's pick, where it runs at the target speed: the commands agree
        option = (
            pick if pick is not None and _mid(pick) >= min_decode_tps else _fastest_good(report.options, min_decode_tps)
        )
        if option is None or option.decode_tps is None:
            continue
        out.append(
            ModelFit(
                model_id=m.id,
                name=m.name,
                total_params_b=m.total_params_b,
                active_params_b=m.active_params_b,
                quant=option.quant,
                bits_per_weight=option.bits_per_weight,
                verdict=option.verdict,
                decode_low=option.decode_tps.low,
                decode_high=option.decode_tps.high,
                max_context=option.max_context,
            )
        )
    out.sort(key=lambda f: (f.bits_per_weight < GOOD_QUANT_BITS, -(f.active_params_b or f.total_params_b)))
    return out[:limit]
