"""Recommend machines for a model, and models for a machine, from the catalog alone."""

from __future__ import annotations

from catalog.loader import Catalog
from catalog.types import Gpu, Model, Unified
from engine.cost import device_price
from engine.fit import FitOptions, QuantOption, fit_reading
from engine.parse import gpu_device, unified_pool
from engine.rig import Frozen, Reading, Rig

GPU_COUNTS = (1, 2, 3, 4, 6, 8)


class Candidate(Frozen):
    label: str
    price_usd: float
    price_note: str
    quant: str
    verdict: str
    placement: str
    decode_low: float
    decode_high: float
    max_context: int


def _mid(o: QuantOption) -> float:
    return (o.decode_tps.low * o.decode_tps.high) ** 0.5 if o.decode_tps else 0.0


def _rigs(catalog: Catalog) -> list[tuple[str, Rig, float, str]]:
    """Every priced machine: 1-8 of each GPU, each unified machine at each priced memory size."""
    out: list[tuple[str, Rig, float, str]] = []
    for h in catalog.hardware.values():
        if isinstance(h, Gpu):
            usd, note = device_price(h)
            if usd is None:
                continue
            for n in GPU_COUNTS:
                label = f"{n}x {h.name}" if n > 1 else h.name
                out.append((label, Rig(gpus=(gpu_device(h),) * n), usd * n, f"{n} x {note}"))
        elif isinstance(h, Unified):
            for gib in h.memory_gib_options:
                usd, note = device_price(h, gib)
                if usd is None or not any(p.memory_gib == gib for p in h.prices):
                    continue
                out.append((f"{h.name} {gib}GB", Rig(unified=unified_pool(h, gib)), usd, note))
    return out


def recommend(
    model: Model,
    catalog: Catalog,
    *,
    budget_usd: float | None = None,
    min_decode_tps: float = 5.0,
    context: int = 32_768,
    limit: int = 10,
) -> list[Candidate]:
    """The cheapest machines that run the model at `min_decode_tps` (the range's midpoint), cheapest first."""
    opts = FitOptions(context=context)
    found: list[Candidate] = []
    satisfied: set[str] = set()  # device ids already answered by fewer cards
    for label, rig, usd, note in sorted(_rigs(catalog), key=lambda r: r[2]):
        if budget_usd is not None and usd > budget_usd:
            continue
        key = (rig.gpus[0].hardware_id if rig.gpus else None) or label
        if key in satisfied:
            continue
        report = fit_reading(model, Reading(label=label, rig=rig), context, opts)
        option = _fastest_good(report.options, min_decode_tps)
        if option is None:
            continue
        satisfied.add(key)
        assert option.decode_tps is not None
        found.append(
            Candidate(
                label=label,
                price_usd=usd,
                price_note=note,
                quant=option.quant,
                verdict=option.verdict,
                placement=option.placement.kind,
                decode_low=option.decode_tps.low,
                decode_high=option.decode_tps.high,
                max_context=option.max_context,
            )
        )
        if len(found) >= limit:
            break
    return found


def _fastest_good(options: tuple[QuantOption, ...], min_decode_tps: float) -> QuantOption | None:
    """The highest-quality quant that runs at the target speed."""
    ok = [o for o in options if o.verdict != "does-not-fit" and _mid(o) >= min_decode_tps]
    return max(ok, key=lambda o: o.bits_per_weight) if ok else None


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
    verdict: str
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
        option = _fastest_good(report.options, min_decode_tps)
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
