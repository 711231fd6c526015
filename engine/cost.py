"""Cost: local (amortised hardware + power) against the API and against renting (shared/SIZING.md §7).

All money in US dollars; token volumes in tokens. The caller supplies prices from the catalog and the usage.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from catalog.types import ApiPrice, Gpu, Hardware, Model, PlatformPrice, RentalPrice
from engine import concurrency
from engine.fit import FitOptions, Pick, QuantOption, fit_reading
from engine.prices import GIVEN, PriceBasis, platform_for, rig_price
from engine.prices import device_price as device_price  # re-exported for callers of engine.cost
from engine.prices import ram_price as ram_price
from engine.rig import Frozen, Reading, Rig, gpu_device

DAYS_PER_MONTH = 365.25 / 12


class Usage(Frozen):
    tokens_per_day: Annotated[float, Field(gt=0, le=1e12)] = 2_000_000
    input_share: Annotated[float, Field(ge=0, le=1)] = 0.75  # chat and coding are input-heavy
    kwh_usd: Annotated[float, Field(ge=0, le=10)] = 0.15
    years: Annotated[float, Field(gt=0, le=20)] = 3.0


class LocalCost(Frozen):
    hardware_usd: float | None
    hardware_basis: PriceBasis  # what the price rests on, or the part without one (hardware_usd None)
    watts: float | None
    hours_per_day: float | None
    power_usd_per_day: float | None
    usd_per_m_tokens: float | None  # amortised hardware + power at the user's volume
    running_usd_per_m_tokens: float | None  # power only
    max_tokens_per_day: float | None  # what the machine can process running 24 hours a day at this mix
    batched_tokens_per_day: float | None = None  # the same with several requests at once (the option's concurrency)
    platform_watts: float | None = None  # the host's CPU, counted in `watts` with the cards' board power
    duty_cycle: float | None = None  # the share of the day the machine is busy at the asked volume

    @property
    def day_capacity(self) -> float | None:
        """The most the machine processes in a day: one request at a time, or batched where that does more (a day's
        volume above the first is served by batching requests, as any server taking it would)."""
        if self.max_tokens_per_day is None:
            return None
        return max(self.max_tokens_per_day, self.batched_tokens_per_day or 0.0)


class ApiCost(Frozen):
    provider: str
    usd_per_m_input: float
    usd_per_m_output: float
    usd_per_m_blended: float
    source: str
    as_of: str


class RentalCost(Frozen):
    hardware_id: str
    gpu_count: int
    provider: str
    usd_per_hour: float
    quant: str
    decode_tps_mid: float
    usd_per_m_tokens: float
    interruptible: bool
    asked: bool = False  # the GPUs asked about, rented (a data-center card: see SERVING_CARD_MIN_BYTES)


class CostCaveatKind(StrEnum):
    """What a cost comparison leaves out or rests on (bot/wording.py says each in words)."""

    NO_HARDWARE_PRICE = "no-hardware-price"  # `basis` holds the part without a price: pass the price to compare
    PRICED_FROM_CATALOG = "priced-from-catalog"  # the hardware priced from the catalog as `basis`
    NO_POWER = "no-power"  # no power figure for the hardware: electricity not counted
    OVER_CAPACITY = "over-capacity"  # at most `max_tokens_per_day`, less than the `tokens_per_day` asked
    BATCHED = "batched"  # `tokens_per_day` is more than one request at a time does (`max_tokens_per_day`): batched
    NO_PREFILL = "no-prefill"  # no prefill figure: only output time counted for power
    LOCAL_QUANT = "local-quant"  # local runs `quant`; the API serves the full-precision model
    NO_LOCAL_RUN = "no-local-run"  # the model does not run on this hardware: no local cost
    NO_API_PRICE = "no-api-price"  # no API price in the catalog for the model


class CostCaveat(Frozen):
    kind: CostCaveatKind
    basis: PriceBasis | None = None  # NO_HARDWARE_PRICE, PRICED_FROM_CATALOG
    max_tokens_per_day: float | None = None  # OVER_CAPACITY (batched where that does more), BATCHED (one at a time)
    tokens_per_day: float | None = None  # OVER_CAPACITY, BATCHED
    batched_tokens_per_day: float | None = None  # BATCHED: the most it does with requests batched
    quant: str | None = None  # LOCAL_QUANT
    kv_type: str | None = None  # LOCAL_QUANT: the KV cache type /fit's pick runs the quant with
    context: int | None = None  # LOCAL_QUANT: ... and the context (the pick's own)


class CostReport(Frozen):
    model_id: str
    usage: Usage
    local: LocalCost | None
    api: tuple[ApiCost, ...]
    rental: RentalCost | None
    breakeven_tokens: float | None
    breakeven_months: float | None
    caveats: tuple[CostCaveat, ...]
    within_life: bool | None = None  # break-even comes within `usage.years` (None: it never comes)


def hours_per_million(option: QuantOption, input_share: float, *, tensor_parallel: bool = False) -> float | None:
    """Machine hours to process one million tokens at the user's input/output mix (with `tensor_parallel`, at the
    tensor-parallel decode speed where the placement has one: how a rented multi-GPU machine runs vLLM)."""
    if option.decode_tps is None:
        return None
    decode = decode_centre(option, tensor_parallel=tensor_parallel)
    prefill = option.prefill_tps.centre if option.prefill_tps else None
    seconds = (1 - input_share) * 1e6 / decode
    if prefill:  # without a prefill figure only output time is counted (the report says so)
        seconds += input_share * 1e6 / prefill
    return seconds / 3600


def decode_centre(option: QuantOption, *, tensor_parallel: bool = False) -> float:
    """The option's typical decode speed; with `tensor_parallel`, the faster of it and the tensor-parallel one."""
    assert option.decode_tps is not None
    decode = option.decode_tps.centre
    if tensor_parallel and option.tensor_parallel is not None:
        decode = max(decode, option.tensor_parallel.decode_tps.centre)
    return decode


def api_costs(prices: tuple[ApiPrice, ...], usage: Usage) -> tuple[ApiCost, ...]:
    out = [
        ApiCost(
            provider=p.provider,
            usd_per_m_input=p.usd_per_m_input,
            usd_per_m_output=p.usd_per_m_output,
            usd_per_m_blended=usage.input_share * p.usd_per_m_input + (1 - usage.input_share) * p.usd_per_m_output,
            source=p.source,
            as_of=p.as_of.isoformat(),
        )
        for p in prices
    ]
    return tuple(sorted(out, key=lambda a: a.usd_per_m_blended))


def rig_watts(rig: Rig, hardware: dict[str, Hardware], platform_watts: float = 0.0) -> float | None:
    """Each card's board power (or the unified machine's package power) plus the host's CPU."""
    ids = [g.hardware_id for g in rig.gpus] + ([rig.unified.hardware_id] if rig.unified else [])
    watts = [hardware[i].watts if i in hardware else None for i in ids if i]
    if not watts or any(w is None for w in watts):
        return None
    return float(sum(w for w in watts if w is not None)) + platform_watts


def host_watts(rig: Rig, platforms: tuple[PlatformPrice, ...]) -> float | None:
    """The CPU power of the platform a GPU rig is built on (the class /recommend prices it as); None for a unified
    machine (its package power counts it) or where no priced platform takes the rig."""
    if not rig.gpus:
        return None
    platform = platform_for(platforms, len(rig.gpus))
    return platform.cpu_watts if platform is not None else None


def local_cost(
    option: QuantOption,
    rig: Rig,
    hardware: dict[str, Hardware],
    usage: Usage,
    hardware_usd: float | None = None,
    platforms: tuple[PlatformPrice, ...] = (),
) -> LocalCost:
    price, basis = (hardware_usd, GIVEN) if hardware_usd is not None else rig_price(rig, hardware)
    host = host_watts(rig, platforms)
    watts = rig_watts(rig, hardware, host or 0.0)
    hours_m = hours_per_million(option, usage.input_share)
    capacity = 24 / hours_m * 1e6 if hours_m else None
    batched = _batched_capacity(option, capacity)
    most = max(capacity, batched or 0.0) if capacity else None  # LocalCost.day_capacity
    processed = processed_tokens_per_day(usage.tokens_per_day, most)
    hours_day = _busy_hours(hours_m, processed, capacity, most)
    power_day = watts / 1000 * hours_day * usage.kwh_usd if watts is not None and hours_day is not None else None
    processed_m = processed / 1e6
    running_m = power_day / processed_m if power_day is not None else None
    total_m = None
    if price is not None:
        per_day = price / (usage.years * 365.25) + (power_day or 0.0)
        total_m = per_day / processed_m
    return LocalCost(
        hardware_usd=price,
        hardware_basis=basis,
        watts=watts,
        hours_per_day=hours_day,
        power_usd_per_day=power_day,
        usd_per_m_tokens=total_m,
        running_usd_per_m_tokens=running_m,
        max_tokens_per_day=capacity,
        batched_tokens_per_day=batched,
        platform_watts=host,
        duty_cycle=hours_day / 24 if hours_day is not None else None,
    )


def processed_tokens_per_day(asked: float, capacity: float | None) -> float:
    """The tokens a machine processes a day: the asked volume, or its capacity (`LocalCost.day_capacity`: batched
    where that does more) where that is less. A day's price and power are spread over what it processes: a machine
    asked for more than it does in a day costs the day's share over what it reaches, not over the volume asked. Four
    RTX PRO 6000 asked for 50M tokens of DeepSeek-V4-Flash a day do 25M one request at a time and 57M batched: the
    day is spread over the 50M (it had been over 25M, $1.54/M for $0.77)."""
    return min(asked, capacity) if capacity else asked


def _busy_hours(hours_m: float | None, processed: float, single: float | None, most: float | None) -> float | None:
    """The hours a day the machine works for `processed` tokens: one request at a time up to what that does in a day,
    then all day batched (the share of the day the batched rate needs)."""
    if hours_m is None:
        return None
    if single is None or most is None or processed <= single:
        return min(hours_m * processed / 1e6, 24.0)
    return 24.0 * processed / most


def _batched_capacity(option: QuantOption, single: float | None) -> float | None:
    """The day's capacity with the option's concurrent users: single-stream capacity scaled by the aggregate
    decode speed over the single-stream one (None where the fit sized no concurrency)."""
    several = concurrency.at(option.concurrency, concurrency.CARD_USERS)
    if single is None or several is None or option.decode_tps is None:
        return None
    return single * several.aggregate_tps.centre / option.decode_tps.centre


# A card holding more than the largest consumer card (the RTX 5090's 32 GB) is one people rent to serve rather than
# own: an H100, H200, B200, MI300X, A100, L40S. A /cost question naming one ('renting an h100 vs the api') asks what
# renting it costs, so the rental line prices those GPUs rather than the cheapest machine that runs the model.
SERVING_CARD_MIN_BYTES = 32 * 2**30


def asked_rental(rig: Rig | None) -> tuple[str, int] | None:
    """(catalog id, count) of the GPUs asked when they are data-center cards of one kind in one machine, else None."""
    if rig is None or not rig.gpus or rig.unified is not None or rig.nodes != 1:
        return None
    hardware_id = rig.gpus[0].hardware_id
    if hardware_id is None or any(g.hardware_id != hardware_id for g in rig.gpus):
        return None
    if any(g.memory_bytes <= SERVING_CARD_MIN_BYTES for g in rig.gpus):
        return None
    return hardware_id, len(rig.gpus)


def _asked_prices(prices: tuple[RentalPrice, ...], asked: tuple[str, int]) -> tuple[RentalPrice, ...]:
    """Each offer of the asked card, priced for the asked count (providers quote per GPU: rental.yaml)."""
    hardware_id, count = asked
    return tuple(
        p.model_copy(update={"gpu_count": count, "usd_per_hour": p.usd_per_hour / p.gpu_count * count})
        for p in prices
        if p.hardware == hardware_id
    )


def rental_cost(
    model: Model,
    prices: tuple[RentalPrice, ...],
    hardware: dict[str, Hardware],
    usage: Usage,
    opts: FitOptions,
    context: int,
    *,
    tensor_parallel: bool = True,
    asked: Rig | None = None,
) -> RentalCost | None:
    """The cheapest rented machine, per million tokens at the user's mix, that runs the model on its GPUs; where the
    rig asked is data-center cards (asked_rental), the cheapest offer of those cards that runs it, if any does."""
    wanted = asked_rental(asked)
    if wanted is not None:
        own = _cheapest_rental(model, _asked_prices(prices, wanted), hardware, usage, opts, context, tensor_parallel)
        if own is not None:
            return own.model_copy(update={"asked": True})
    return _cheapest_rental(model, prices, hardware, usage, opts, context, tensor_parallel)


def _cheapest_rental(
    model: Model,
    prices: tuple[RentalPrice, ...],
    hardware: dict[str, Hardware],
    usage: Usage,
    opts: FitOptions,
    context: int,
    tensor_parallel: bool,
) -> RentalCost | None:
    best: RentalCost | None = None
    for p in prices:
        gpu = hardware.get(p.hardware)
        if not isinstance(gpu, Gpu):
            continue
        rig = Rig(gpus=(gpu_device(gpu),) * p.gpu_count)
        report = fit_reading(model, Reading(label=gpu.name, rig=rig), context, opts)
        option = report.best_option
        if option is None or option.verdict != "fits" or option.decode_tps is None:
            continue
        hours = hours_per_million(option, usage.input_share, tensor_parallel=tensor_parallel)
        if hours is None:
            continue
        cost = RentalCost(
            hardware_id=gpu.id,
            gpu_count=p.gpu_count,
            provider=p.provider,
            usd_per_hour=p.usd_per_hour,
            quant=option.quant,
            decode_tps_mid=decode_centre(option, tensor_parallel=tensor_parallel),
            usd_per_m_tokens=p.usd_per_hour * hours,
            interruptible=p.interruptible,
        )
        if best is None or cost.usd_per_m_tokens < best.usd_per_m_tokens:
            best = cost
    return best


def breakeven(local: LocalCost | None, api: tuple[ApiCost, ...], usage: Usage) -> tuple[float | None, float | None]:
    """Tokens (and months at the volume the machine can actually process: the asked one, or its capacity if that is
    less) before the hardware's price is repaid by not paying the API."""
    if local is None or local.hardware_usd is None or not api:
        return None, None
    saving_per_token = (api[0].usd_per_m_blended - (local.running_usd_per_m_tokens or 0.0)) / 1e6
    if saving_per_token <= 0:
        return None, None
    tokens = local.hardware_usd / saving_per_token
    per_day = processed_tokens_per_day(usage.tokens_per_day, local.day_capacity)
    return tokens, tokens / per_day / DAYS_PER_MONTH


def cost_report(
    model: Model,
    reading: Reading,
    option: QuantOption | None,
    api_prices: tuple[ApiPrice, ...],
    rental_prices: tuple[RentalPrice, ...],
    hardware: dict[str, Hardware],
    usage: Usage,
    opts: FitOptions,
    context: int,
    hardware_usd: float | None = None,
    platforms: tuple[PlatformPrice, ...] = (),
    *,
    pick: Pick | None = None,
) -> CostReport:
    """Local against the API and a rental. The rental runs the local option's quant on the same engine (llama.cpp,
    layer split), so the two figures compare the same model file. `pick`: /fit's pick the option is (its KV cache
    type and context are named with the quant)."""
    caveats: list[CostCaveat] = []
    local = None
    if option is not None and option.verdict != "does-not-fit":
        local = local_cost(option, reading.rig, hardware, usage, hardware_usd, platforms)
        opts = opts.model_copy(update={"quant": option.quant})
        caveats += _local_caveats(local, option, usage, pick)
    else:
        caveats.append(CostCaveat(kind=CostCaveatKind.NO_LOCAL_RUN))
    api = api_costs(api_prices, usage)
    if not api:
        caveats.append(CostCaveat(kind=CostCaveatKind.NO_API_PRICE))
    rental = rental_cost(
        model, rental_prices, hardware, usage, opts, context, tensor_parallel=opts.quant is None, asked=reading.rig
    )
    tokens, months = breakeven(local, api, usage)
    return CostReport(
        within_life=months <= usage.years * 12 if months is not None else None,
        model_id=model.id,
        usage=usage,
        local=local,
        api=api,
        rental=rental,
        breakeven_tokens=tokens,
        breakeven_months=months,
        caveats=tuple(caveats),
    )


def _local_caveats(local: LocalCost, option: QuantOption, usage: Usage, pick: Pick | None) -> list[CostCaveat]:
    """What the local figure leaves out or rests on, in the order the card lists them."""
    out = []
    if local.hardware_usd is None:
        out.append(CostCaveat(kind=CostCaveatKind.NO_HARDWARE_PRICE, basis=local.hardware_basis))
    elif not local.hardware_basis.given:
        out.append(CostCaveat(kind=CostCaveatKind.PRICED_FROM_CATALOG, basis=local.hardware_basis))
    if local.watts is None:
        out.append(CostCaveat(kind=CostCaveatKind.NO_POWER))
    most = local.day_capacity
    if most is not None and most < usage.tokens_per_day:
        out.append(
            CostCaveat(kind=CostCaveatKind.OVER_CAPACITY, max_tokens_per_day=most, tokens_per_day=usage.tokens_per_day)
        )
    elif local.max_tokens_per_day is not None and local.max_tokens_per_day < usage.tokens_per_day:
        out.append(
            CostCaveat(
                kind=CostCaveatKind.BATCHED,
                max_tokens_per_day=local.max_tokens_per_day,
                tokens_per_day=usage.tokens_per_day,
                batched_tokens_per_day=local.batched_tokens_per_day,
            )
        )
    if option.prefill_tps is None:
        out.append(CostCaveat(kind=CostCaveatKind.NO_PREFILL))
    kv, context = (pick.kv_type, pick.context) if pick is not None and pick.quant == option.quant else (None, None)
    out.append(CostCaveat(kind=CostCaveatKind.LOCAL_QUANT, quant=option.quant, kv_type=kv, context=context))
    return out
