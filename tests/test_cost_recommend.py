"""Cost against the API and rental, recommendations, what fits: on the fixture catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import wording
from bot.cards import to_text
from bot.commands import compare_answer, cost_answer, fit_answer, recommend_answer, run_request, whatfits_answer
from bot.requests import Frontend
from catalog.loader import Catalog
from catalog.types import Price, SystemMemory
from engine.cost import CostCaveat, CostCaveatKind, Usage, api_costs, breakeven, cost_report, rig_price
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware
from engine.prices import GIVEN, PriceBasis, PricePart, PricePartKind
from engine.quants import Tier
from engine.recommend import recommend, what_fits


def glm_offload_cost(cat: Catalog, usage: Usage, hardware_usd: float | None = 12_000):
    m = cat.models["glm-5.2"]
    readings = parse_hardware("24GB VRAM + 256GB RAM", cat)
    report = fit(m, readings)
    r = report.readings[0]
    return cost_report(
        m,
        readings[0],
        r.option(r.best),
        cat.api_prices_for(m.id),
        cat.rental_prices,
        cat.hardware,
        usage,
        FitOptions(),
        report.context,
        hardware_usd,
    )


@pytest.mark.parametrize(("input_share", "blended"), [(0.0, 4.4), (1.0, 1.4), (0.75, 2.15), (0.5, 2.9)])
def test_api_blended_price(cat: Catalog, input_share: float, blended: float) -> None:
    api = api_costs(cat.api_prices_for("glm-5.2"), Usage(input_share=input_share))
    assert api[0].usd_per_m_blended == pytest.approx(blended)


def test_glm_breakeven_is_over_two_billion_tokens(cat: Catalog) -> None:
    """Public GLM-5.2 comparison: $1.40/$4.40 per M, and > 2 billion tokens before a ~$12k build pays off."""
    for share in (0.0, 0.5, 0.75):
        c = glm_offload_cost(cat, Usage(input_share=share))
        assert c.breakeven_tokens is not None and c.breakeven_tokens > 2e9
        assert c.breakeven_months is not None and c.breakeven_months > 12


def test_local_cost_amortises_hardware_over_years(cat: Catalog) -> None:
    three = glm_offload_cost(cat, Usage(years=3))
    six = glm_offload_cost(cat, Usage(years=6))
    assert three.local and six.local and three.local.usd_per_m_tokens and six.local.usd_per_m_tokens
    assert six.local.usd_per_m_tokens == pytest.approx(three.local.usd_per_m_tokens / 2, rel=0.01)


def test_unpriced_hardware_says_so(cat: Catalog) -> None:
    c = glm_offload_cost(cat, Usage(), hardware_usd=None)
    assert c.local is not None and c.local.hardware_usd is not None  # the fixture prices a used 3090
    basis = c.local.hardware_basis
    assert [p.kind for p in basis.parts] == [PricePartKind.GPU, PricePartKind.NO_RAM_OFFER] and basis.rest_unpriced
    assert CostCaveat(kind=CostCaveatKind.PRICED_FROM_CATALOG, basis=basis) in c.caveats
    assert breakeven(None, c.api, Usage()) == (None, None)


def test_a_price_given_is_taken_as_given(cat: Catalog) -> None:
    c = glm_offload_cost(cat, Usage(), hardware_usd=12_000)
    assert c.local is not None and c.local.hardware_usd == 12_000 and c.local.hardware_basis == GIVEN
    assert not any(k.kind is CostCaveatKind.PRICED_FROM_CATALOG for k in c.caveats)


def _ram_platform(memory_type: str, channels: int, usd: float, memory_gib: int, day: int) -> SystemMemory:
    return SystemMemory(
        id=f"{memory_type.lower()}-{channels}ch-{day}",
        name=f"{memory_type} {channels}ch",
        vendor="jedec",
        memory_type=memory_type,  # type: ignore[arg-type]
        mt_s=5600,
        channels=channels,
        bandwidth_gb_s=89.6,
        prices=(Price(condition="new", usd=usd, memory_gib=memory_gib, source="test", as_of=dt.date(2026, 11, day)),),
        source="test",
        as_of=dt.date(2026, 11, 1),
    )


@pytest.mark.parametrize(
    ("phrase", "platforms", "expected_usd", "usd_per_gib", "words"),
    [
        # desktop DDR5 priced from the latest desktop (2-channel) kit: 256 GB at $400 / 64 GB
        ("RTX 3090 + 256GB DDR5", [("DDR5", 2, 400, 64, 1), ("DDR5", 2, 320, 64, 20)], 700 + 256 * 5, 5.0, "$5.00/GB"),
        # a server kit's price is not used for desktop memory, nor DDR4 for DDR5
        ("RTX 3090 + 256GB DDR5", [("DDR5", 12, 900, 64, 1), ("DDR4", 2, 100, 64, 1)], 700, None, "not counted"),
        # 12-channel server memory takes the registered-DIMM price
        ("RTX 3090 + 768GB DDR5 12-channel", [("DDR5", 12, 640, 64, 1)], 700 + 768 * 10, 10.0, "$10.00/GB"),
        # a CPU-only machine with no memory price has no price at all
        ("256GB DDR5 no gpu", [], None, None, "no price in the catalog for DDR5 system RAM"),
    ],
)
def test_system_ram_is_priced_per_gb_by_memory_class(
    cat: Catalog,
    phrase: str,
    platforms: list[tuple[str, int, float, int, int]],
    expected_usd: float | None,
    usd_per_gib: float | None,
    words: str,
) -> None:
    hardware = dict(cat.hardware) | {h.id: h for h in (_ram_platform(*p) for p in platforms)}
    rig = parse_hardware(phrase, cat)[0].rig
    usd, basis = rig_price(rig, hardware)
    assert usd == (pytest.approx(expected_usd) if expected_usd is not None else None)
    ram = basis.parts[-1]
    assert ram.memory_type == "DDR5" and ram.usd_per_gib == usd_per_gib
    assert ram.kind is (PricePartKind.RAM if usd_per_gib else PricePartKind.NO_RAM_OFFER)
    assert words in wording.price_basis(basis)


def test_a_device_missing_from_the_catalog_leaves_the_rig_unpriced(cat: Catalog) -> None:
    rig = parse_hardware("RTX 3090 + 64GB DDR5", cat)[0].rig
    assert rig_price(rig, {}) == (None, PriceBasis(parts=(PricePart(kind=PricePartKind.NO_ENTRY),)))


def test_slow_machine_capacity_is_reported(cat: Catalog) -> None:
    c = glm_offload_cost(cat, Usage(tokens_per_day=50e6))
    over = [k for k in c.caveats if k.kind is CostCaveatKind.OVER_CAPACITY]
    assert len(over) == 1 and over[0].tokens_per_day == 50e6
    assert over[0].max_tokens_per_day is not None and over[0].max_tokens_per_day < 50e6


def test_rental_picks_a_machine_that_fits(cat: Catalog) -> None:
    m = cat.models["llama-3.1-8b"]
    readings = parse_hardware("RTX 3090", cat)
    report = fit(m, readings)
    r = report.readings[0]
    c = cost_report(
        m, readings[0], r.option(r.best), (), cat.rental_prices, cat.hardware, Usage(), FitOptions(), report.context
    )
    assert c.rental is not None and c.rental.hardware_id == "rtx-4090"
    assert c.rental.usd_per_m_tokens > 0


def test_recommend_is_cheapest_first_and_meets_target(cat: Catalog) -> None:
    found = recommend(cat.models["llama-3.1-8b"], cat, min_decode_tps=20)
    assert found and found[0].label == "NVIDIA GeForce RTX 3090"
    assert all(c.decode_low <= c.decode_typical <= c.decode_high and c.decode_typical >= 20 for c in found)
    assert [c.price_usd for c in found] == sorted(c.price_usd for c in found)


def test_recommend_prices_gpu_plus_ram_builds_for_a_big_moe() -> None:
    """With desktop DDR5 priced, a 3090 with enough RAM for expert offload is a machine recommend can offer:
    priced as the card, the desktop platform it sits on and the RAM at the smallest size that holds the model. It
    runs a 2-bit (degraded) file, the best the catalog publishes (its 3-bit files are estimates no engine loads), so
    the builds are ranked by price within the degraded tier. A build is priced for a file some engine loads: with
    192 GB only an IQ2_XXS no one publishes (202 GB est.) would run, so the 3090's build is the 256 GB one that
    holds Unsloth's UD-IQ2_XXS (241 GB)."""
    from fixtures import catalog

    priced = catalog((_ram_platform("DDR5", 2, 400, 64, 1),))
    found = recommend(priced.models["glm-5.2"], priced, min_decode_tps=1)
    builds = [c for c in found if c.label.startswith("NVIDIA GeForce RTX 3090 + ")]
    assert builds, [c.label for c in found]
    best = builds[0]
    assert best.placement == "expert-offload" and best.label.startswith("NVIDIA GeForce RTX 3090 + 256 GB")
    assert best.price_usd == pytest.approx(700 + 400 + 256 * 400 / 64)
    assert [p.kind for p in best.price_basis.parts] == [PricePartKind.GPU, PricePartKind.PLATFORM, PricePartKind.RAM]
    assert not best.price_basis.rest_unpriced and best.price_basis.parts[2].ram_gib == 256
    assert best.quant == "UD-IQ2_XXS"  # published: the 192 GB build's IQ2_XXS is a size no repo publishes
    degraded = [c.tier is Tier.DEGRADED for c in found]
    assert best.tier is Tier.DEGRADED and degraded == sorted(degraded)
    assert [c.price_usd for c in found if c.tier is Tier.DEGRADED] == sorted(
        c.price_usd for c in found if c.tier is Tier.DEGRADED
    )
    # without a RAM price there is nothing to price such a build with
    assert not any(" GB DDR5" in c.label for c in recommend(catalog().models["glm-5.2"], catalog(), min_decode_tps=1))


def test_recommend_respects_budget(cat: Catalog) -> None:
    assert recommend(cat.models["llama-3.1-8b"], cat, budget_usd=100) == []


def test_what_fits_lists_models_that_run(cat: Catalog) -> None:
    names = [f.model_id for f in what_fits(parse_hardware("RTX 3090", cat)[0], cat)]
    assert "llama-3.1-8b" in names and "glm-5.2" not in names


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda c: cost_answer(c, "glm-5.2", "24GB VRAM + 256GB RAM", hardware_price=12_000), "Break-even"),
        (lambda c: recommend_answer(c, "llama-3.1-8b", min_tps=20), "RTX 3090"),
        (lambda c: whatfits_answer(c, "RTX 3090"), "Llama-3.1-8B"),
        (lambda c: compare_answer(c, "llama-3.1-8b", "gemma-3-27b", "RTX 3090"), "Gemma-3-27B"),
        (lambda c: compare_answer(c, "RTX 3090", "M3 Ultra 256GB", "llama-3.1-8b"), "M3 Ultra"),
    ],
)
def test_answers_render(cat: Catalog, build, expected: str) -> None:  # type: ignore[no-untyped-def]
    answer = build(cat)
    assert answer.error is None, answer.error
    assert expected in to_text(answer.card)


@pytest.mark.parametrize(
    "build",
    [
        lambda c: run_request(c, "cost", {"model": "glm-5.2", "hardware": "256GB", "input_share": 200}, Frontend.CLI),
        lambda c: run_request(c, "recommend", {"model": "glm-5.2", "budget": -1}, Frontend.CLI),
        lambda c: run_request(c, "recommend", {"model": "glm-5.2", "min_tps": 0}, Frontend.CLI),
        lambda c: whatfits_answer(c, "a toaster"),
    ],
)
def test_bad_usage_is_a_clear_error(cat: Catalog, build) -> None:  # type: ignore[no-untyped-def]
    answer = build(cat)
    assert answer.error and "internal" not in str(answer.log_fields.get("error"))


@pytest.mark.parametrize(
    ("prices", "options", "gib", "expected"),
    [
        ([(3999, 96), (5599, 256)], (96, 256), 256, 5599),  # the configuration asked
        ([(3999, 96), (1800, None)], (96, 256), 256, None),  # a size-less price does not stand for 256 GB
        ([(1800, None)], (128,), 128, 1800),  # ... unless the machine is sold at one size
    ],
)
def test_unified_machines_are_priced_per_configuration(
    prices: list[tuple[float, int | None]], options: tuple[int, ...], gib: int, expected: float | None
) -> None:
    from catalog.types import Unified
    from engine.cost import device_price

    machine = Unified(
        id="mac",
        name="Mac",
        vendor="apple",
        memory_gib_options=options,
        bandwidth_gb_s=800,
        backend="metal",
        prices=tuple(
            Price(condition="new", usd=usd, memory_gib=size, source="test", as_of=dt.date(2026, 1, i + 1))
            for i, (usd, size) in enumerate(prices)
        ),
        source="test",
        as_of=dt.date(2026, 1, 1),
    )
    usd, part = device_price(machine, gib)
    assert usd == expected
    assert part.kind is (PricePartKind.MACHINE if expected else PricePartKind.NO_OFFER) and part.memory_gib == gib
    if expected is None:
        assert wording.price_part(part) == f"no price in the catalog for Mac {gib} GB"


@pytest.mark.parametrize(
    ("offers", "expected"),
    [
        # (usd, condition, days before the latest price): the cheapest offer still current wins
        ([(1499, "new", 2200), (700, "used", 0), (750, "used", 190)], 700),
        ([(900, "used", 0), (800, "new", 100)], 800),  # within half a year: still current
        ([(900, "used", 0), (500, "used", 400)], 900),  # a year-old bargain is gone
    ],
)
def test_device_price_is_the_cheapest_current_offer(offers: list[tuple[float, str, int]], expected: float) -> None:
    from fixtures import gpu

    from engine.cost import device_price

    latest = dt.date(2026, 11, 1)
    prices = tuple(
        Price(condition=c, usd=usd, source="test", as_of=latest - dt.timedelta(days=d))  # type: ignore[arg-type]
        for usd, c, d in offers
    )
    card = gpu("card", "Card", 24, 936, 71).model_copy(update={"prices": prices})
    assert device_price(card)[0] == expected


@pytest.mark.parametrize(("channels", "smallest", "largest"), [(2, 32, 256), (8, 128, 1536), (12, 192, 1536)])
def test_ram_builds_fill_every_channel(channels: int, smallest: int, largest: int) -> None:
    from engine.recommend import _ram_sizes

    sizes = _ram_sizes(_ram_platform("DDR5", channels, 400, 64, 1))
    assert (min(sizes), max(sizes)) == (smallest, largest)


_USED_3090 = PricePart(
    kind=PricePartKind.GPU,
    device="NVIDIA GeForce RTX 3090",
    offer=Price(condition="used", usd=700, source="test", as_of=dt.date(2026, 11, 22)),
)
_DDR5 = PricePart(
    kind=PricePartKind.RAM,
    memory_type="DDR5",
    ram_gib=192,
    offer=Price(condition="new", usd=516, memory_gib=32, source="test", as_of=dt.date(2026, 9, 10)),
)
_NO_DDR4 = PricePart(kind=PricePartKind.NO_RAM_OFFER, memory_type="DDR4")


@pytest.mark.parametrize(
    ("basis", "on_cost", "on_recommend"),
    [
        (
            PriceBasis(parts=(_USED_3090, _USED_3090)),
            "2 x NVIDIA GeForce RTX 3090 used $700 (2026-11-22)",
            "2 x NVIDIA GeForce RTX 3090 used $700 (2026-11-22)",
        ),
        (
            PriceBasis(parts=(_USED_3090, _DDR5), rest_unpriced=True),
            "NVIDIA GeForce RTX 3090 used $700 (2026-11-22); 192 GB DDR5 at $16.12/GB (new 32 GB for $516, 2026-09-10);"
            " board, CPU and the rest of the PC not priced",
            "1 x NVIDIA GeForce RTX 3090 used $700 (2026-11-22); 192 GB DDR5 at $16.12/GB (new 32 GB for $516, "
            "2026-09-10); board and CPU not priced",
        ),
        (
            PriceBasis(parts=(_USED_3090, _NO_DDR4), rest_unpriced=True),
            "NVIDIA GeForce RTX 3090 used $700 (2026-11-22); no price in the catalog for DDR4 system RAM: not counted;"
            " board, CPU and the rest of the PC not priced",
            None,
        ),
        (
            PriceBasis(parts=(PricePart(kind=PricePartKind.NO_OFFER, device="Apple M2 Ultra", memory_gib=192),)),
            "no price in the catalog for Apple M2 Ultra 192 GB",
            None,
        ),
        (PriceBasis(parts=(_NO_DDR4,)), "no price in the catalog for DDR4 system RAM", None),
        (
            PriceBasis(parts=(PricePart(kind=PricePartKind.NO_ENTRY),)),
            "a device without a catalog entry has no price",
            None,
        ),
        (GIVEN, "as given", None),
    ],
)
def test_prices_in_words(basis: PriceBasis, on_cost: str, on_recommend: str | None) -> None:
    """What /cost's JSON `hardware_note` and /recommend's `price_note` have always said for each kind of basis."""
    assert wording.price_basis(basis) == on_cost
    if on_recommend is not None:
        assert wording.candidate_price(basis) == on_recommend


@pytest.mark.parametrize(
    ("caveat", "words"),
    [
        (
            CostCaveat(kind=CostCaveatKind.NO_HARDWARE_PRICE, basis=PriceBasis(parts=(_NO_DDR4,))),
            "no price in the catalog for DDR4 system RAM: pass the price to compare",
        ),
        (
            CostCaveat(kind=CostCaveatKind.PRICED_FROM_CATALOG, basis=PriceBasis(parts=(_USED_3090,))),
            "hardware priced as NVIDIA GeForce RTX 3090 used $700 (2026-11-22)",
        ),
        (
            CostCaveat(kind=CostCaveatKind.OVER_CAPACITY, max_tokens_per_day=1.264e6, tokens_per_day=2e6),
            "at this speed the machine processes at most 1.26M tokens a day, less than the 2M asked",
        ),
        (
            CostCaveat(kind=CostCaveatKind.LOCAL_QUANT, quant="UD-Q2_K_XL"),
            "local runs UD-Q2_K_XL; the API serves the full-precision model",
        ),
        (
            CostCaveat(kind=CostCaveatKind.LOCAL_QUANT, quant="Q4_K_S", kv_type="q8_0", context=32768),
            "local runs Q4_K_S with a q8_0 KV cache at 32k of context; the API serves the full-precision model",
        ),
        (CostCaveat(kind=CostCaveatKind.NO_POWER), "no power figure for this hardware: electricity not counted"),
        (CostCaveat(kind=CostCaveatKind.NO_PREFILL), "no prefill figure: only output time is counted for power"),
        (
            CostCaveat(kind=CostCaveatKind.NO_LOCAL_RUN),
            "the model does not run on this hardware, so there is no local cost",
        ),
        (CostCaveat(kind=CostCaveatKind.NO_API_PRICE), "no API price in the catalog for this model"),
    ],
)
def test_cost_caveats_in_words(caveat: CostCaveat, words: str) -> None:
    assert wording.cost_caveat(caveat) == words


def test_every_cost_caveat_kind_has_words() -> None:
    for kind in CostCaveatKind:
        assert wording.cost_caveat(CostCaveat(kind=kind, quant="Q4_K_M", max_tokens_per_day=1, tokens_per_day=2))


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quant", "context_words"),
    [
        # "what does it cost me to run 70B at 8k on my two 3090s": the asked context is the one priced
        ("llama-3.3-70b", "2x3090", "8k", "Q4_K_M", "at 8k of context"),
        # no context asked: the pick's own (16k keeps Q4_K_M on 48 GB, as /fit says)
        ("llama-3.3-70b", "2x3090", None, "Q4_K_M", "at 16k of context"),
        # a long context asked for costs bits: the local quant is the one that holds 128k
        ("llama-3.3-70b", "2x3090", "128k", None, "at 128k of context"),
        ("qwen3-30b-a3b", "rtx 4090", "32768", "Q4_K_M", "at 32k of context"),
    ],
)
def test_cost_prices_the_context_asked(
    real_catalog: Catalog, model: str, hardware: str, context: str | None, quant: str | None, context_words: str
) -> None:
    cat = real_catalog
    answer = cost_answer(cat, model, hardware, context)
    assert answer.ok, answer.error
    local = next(n for n in answer.data["notes"] if n.startswith("local runs"))
    assert context_words in local
    assert quant is None or f"local runs {quant}" in local
    fitted = fit_answer(cat, model, hardware, context)
    pick = fitted.data["readings"][0]["pick"]
    assert f"local runs {pick['quant']}" in local  # the /fit card's pick, at the same context
    assert f"at {pick['context'] // 1024}k of context" in local


def test_cost_says_a_context_it_cannot_read(real_catalog: Catalog) -> None:
    answer = cost_answer(real_catalog, "llama-3.3-70b", "2x3090", "lots")
    assert not answer.ok and answer.error is not None and "lots" in answer.error and "context" in answer.error.lower()
