"""/whatfits, /recommend and /cost against what an expert would accept, on the packaged catalog.

Each row is an ask as people write it in r/LocalLLaMA and Discord ("what should I run on my 3090?", "cheapest box
for GLM at usable speed?") with the answer an expert would sign: the model kinds that must lead, what must never
be offered. Checks are about kinds of answer (a sparse MoE near the top, no Maxwell card, no 1-bit file, no
unpriced board), not about the exact list, so a catalog update does not rewrite the table."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import pytest

from catalog.loader import Catalog, load
from catalog.types import Gpu
from engine.cost import Usage, cost_report
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware
from engine.prices import PricePartKind
from engine.quants import nominal_bits
from engine.recommend import (
    Candidate,
    ModelFit,
    QualityBasis,
    UpgradeKind,
    Use,
    best_builds,
    model_quality,
    quant_cost,
    recommend,
    score_scale,
    supported,
    upgrade_path,
    what_fits,
)

TOP = 5  # an answer an expert accepts shows what they would name within the first five lines


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load()


def _sparse(f: ModelFit, most_active_b: float) -> bool:
    return f.active_params_b is not None and f.active_params_b <= most_active_b


# (rig as asked, what must be among the first TOP picks, why an expert says so)
WHATFITS = [
    # "best model for a single 3090?": a ~30B sparse MoE (3-4B active) at 4 bits or more at interactive speed,
    # e.g. Qwen3-30B-A3B Q4_K_M or its successors, next to the best dense 27-32B
    ("RTX 3090", lambda f: _sparse(f, 4.5) and f.bits_per_weight >= 4 and f.decode_typical >= 20, "A3B-class MoE"),
    # "4090 + 64GB DDR5, what's worth running?": a big MoE offloaded to RAM at a useful speed is listed
    ("RTX 4090 + 64GB DDR5", lambda f: _sparse(f, 13) and f.total_params_b >= 100, "100B+ MoE with offload"),
    # Strix Halo / DGX Spark / M4 Max 128GB: MoE models first, not a 70B dense at 4 tok/s
    ("framework desktop 128gb", lambda f: _sparse(f, 13) and f.total_params_b >= 100, "100B+ MoE"),
    ("dgx spark", lambda f: _sparse(f, 13) and f.total_params_b >= 100, "100B+ MoE"),
    ("M4 Max 128GB", lambda f: _sparse(f, 13) and f.total_params_b >= 100, "100B+ MoE"),
    # "only a CPU and 64GB DDR5": a sparse MoE is what runs at reading speed
    ("64GB DDR5 no gpu", lambda f: _sparse(f, 13), "sparse MoE on CPU"),
    # "2x 3090": something that uses 48 GB: a 27B+ at 8 bits or a 100B+ MoE
    ("2x RTX 3090", lambda f: f.total_params_b >= 27 and f.bits_per_weight >= 4, "27B+ at 4+ bits"),
    # "M3 Ultra 512GB": the big open MoE models (GLM, DeepSeek, Kimi, Qwen 397B)
    ("M3 Ultra 512GB", lambda f: f.total_params_b >= 300, "300B+ MoE"),
    # "8 GB card": a current 8-9B at 4 bits, not Llama 2
    ("RTX 3070", lambda f: 7 <= f.total_params_b <= 15 and f.bits_per_weight >= 4, "current 8B-class at 4 bits"),
    ("RTX 3060 12GB", lambda f: f.bits_per_weight >= 3.5 or _sparse(f, 4.5), "12B-14B at 4 bits or an A3B MoE"),
]


def _whatfits_accepted(fits: list[ModelFit]) -> tuple[bool, str]:
    """The row's own check plus what no expert lists near the top: Llama 2/3.0-era models, 1-bit files, anything
    under the asked speed."""
    top = fits[:TOP]
    old = [f.model_id for f in top if f.model_id.startswith(("llama-2", "llama-3-"))]
    tiny = [f.quant for f in top if nominal_bits(f.quant, f.bits_per_weight) < 2]
    if old or tiny:
        return False, f"old {old} or 1-bit {tiny}"
    return True, ""


@pytest.mark.parametrize(("phrase", "wanted", "why"), WHATFITS, ids=[w[0] for w in WHATFITS])
def test_whatfits_leads_with_what_an_expert_would_run(
    real: Catalog, phrase: str, wanted: Callable[[ModelFit], bool], why: str
) -> None:
    fits = what_fits(parse_hardware(phrase, real)[0], real)
    top = fits[:TOP]
    assert any(wanted(f) for f in top), f"{phrase}: no {why} in {[(f.model_id, f.quant) for f in top]}"
    ok, why_not = _whatfits_accepted(fits)
    assert ok, f"{phrase}: {why_not}"
    assert all(f.decode_typical >= 5 for f in fits)


# "best coding model for my <rig>?": the coding pick is a current coding model (Qwen3-Coder, Devstral), never an old
# one left because a newer general model of the family "superseded" the coders
CODING_PICKS = [
    ("M4 Max 128GB", ("qwen3-coder", "devstral")),
    ("RTX 3090", ("qwen3-coder", "devstral")),
    ("2x RTX 3090", ("qwen3-coder", "devstral")),
]


@pytest.mark.parametrize(("phrase", "current"), CODING_PICKS)
def test_the_coding_pick_is_a_current_coder(real: Catalog, phrase: str, current: tuple[str, ...]) -> None:
    fits = what_fits(parse_hardware(phrase, real)[0], real)
    coding = [f for f in fits if f.use is Use.CODING]
    assert coding and coding[0].model_id.startswith(current), [(f.model_id, f.use) for f in fits[:5]]


def test_llama_2_is_superseded_where_llama_3_runs(real: Catalog) -> None:
    fits = what_fits(parse_hardware("2x RTX 3090", real)[0], real, limit=200)
    by_id = {f.model_id: f for f in fits}
    assert by_id["llama-2-70b"].use is Use.SUPERSEDED and by_id["llama-2-70b"].superseded_by
    assert fits.index(by_id["llama-2-70b"]) > fits.index(by_id["llama-3.3-70b"])


@pytest.mark.parametrize(
    ("model", "effective_b"),
    [("gpt-oss-120b", 24.4), ("qwen3-30b-a3b", 10.0), ("glm-5.2", 172.5), ("qwen3-32b", 32.76)],
)
def test_moe_quality_counts_total_and_active(real: Catalog, model: str, effective_b: float) -> None:
    """sqrt(total x active) for MoE (gpt-oss-120b: 116.83B total, 5.1B active), the total for dense."""
    assert model_quality(real.models[model], real.models).effective_params_b == pytest.approx(effective_b, rel=0.01)


def test_a_newer_model_of_the_same_size_scores_higher(real: Catalog) -> None:
    """Llama 3.3 70B (Dec 2024) over Llama 2 70B (Jul 2023): 17 months is about five density doublings."""
    new, old = (model_quality(real.models[m], real.models).score for m in ("llama-3.3-70b", "llama-2-70b"))
    assert new - old == pytest.approx(5.0, abs=0.3)


# "which is better?" as people settle it on the LMArena leaderboard: (better, worse) by the published score
BETTER = [
    ("glm-4.6", "glm-4.5-air"),  # the full GLM over the Air
    ("deepseek-v3.1", "deepseek-v3"),  # the update over the release
    ("gemma-3-27b", "gemma-2-27b"),  # the generation after, same size
    ("gpt-oss-120b", "gpt-oss-20b"),
    ("mistral-small-3.2-24b", "mixtral-8x22b"),  # a 2025 24B over a 2024 141B MoE
    ("qwen3-30b-a3b", "llama-3.1-8b"),  # "Qwen3-30B-A3B or Llama 3.1 8B on my 3090?"
    ("llama-3.3-70b", "llama-2-70b"),
]


@pytest.mark.parametrize(("better", "worse"), BETTER, ids=[f"{b}>{w}" for b, w in BETTER])
def test_published_scores_rank_where_a_model_has_one(real: Catalog, better: str, worse: str) -> None:
    scale = score_scale(real.models)
    assert scale is not None and scale.slope > 0
    a, b = (model_quality(real.models[m], real.models, scale) for m in (better, worse))
    assert a.basis is QualityBasis.PUBLISHED and b.basis is QualityBasis.PUBLISHED
    assert a.score > b.score
    for q in (a, b):
        assert q.published is not None and q.published.source.startswith("https://") and q.published.as_of


def test_the_estimate_agrees_with_the_published_scores(real: Catalog) -> None:
    """The fallback is worth keeping: over the models with both, the estimate orders them as LMArena does (rank
    correlation 0.94 on the 2025-11-25 snapshot, 46 models)."""
    pairs = [
        (q.published.score, q.estimate)
        for m in real.models.values()
        if (q := model_quality(m, real.models, score_scale(real.models))).published is not None
    ]
    assert len(pairs) >= 40
    xs, ys = zip(*pairs, strict=True)
    rank_x = [sorted(xs).index(x) for x in xs]
    rank_y = [sorted(ys).index(y) for y in ys]
    assert statistics.correlation(rank_x, rank_y) >= 0.9


@pytest.mark.parametrize("model", ["muse-glimmer-30b", "qwen3.5-122b-a10b", "gemma-4-31b"])
def test_models_released_after_the_snapshot_fall_back_to_the_estimate(real: Catalog, model: str) -> None:
    q = model_quality(real.models[model], real.models, score_scale(real.models))
    assert q.basis is QualityBasis.ESTIMATE and q.published is None
    assert q.score == model_quality(real.models[model], real.models).score


@pytest.mark.parametrize(
    ("bits", "low", "high"),
    [(8.5, 0.0, 0.0), (4.84, 0.0, 0.1), (3.9, 0.1, 0.2), (2.95, 0.7, 0.8), (2.17, 3.3, 3.5), (1.8, 3.3, 3.5)],
)
def test_quant_cost_follows_the_gemma_table(bits: float, low: float, high: float) -> None:
    assert low <= quant_cost(bits) <= high


# (model, budget, target tok/s): asks as written, and what the answer must not contain
RECOMMEND = [
    ("glm-5.2", None, 5.0),  # "cheapest box that runs GLM 5.2 at a usable speed?"
    ("gpt-oss-120b", 3000.0, 5.0),  # "best rig for gpt-oss-120b under $3k?"
    ("qwen3-30b-a3b", None, 20.0),  # "cheapest way to run Qwen3-30B-A3B at 20 tok/s?"
    ("llama-3.3-70b", None, 10.0),  # "what do I need for Llama 3.3 70B at 10 tok/s?"
]


def _recommend_accepted(found: list[Candidate], real: Catalog, budget: float | None) -> tuple[bool, str]:
    for c in found:
        gpus = [real.hardware[h] for h in real.hardware if real.hardware[h].name in c.label]
        dropped = [g.name for g in gpus if isinstance(g, Gpu) and not supported(g)]
        kinds = [p.kind for p in c.price_basis.parts]
        if dropped:
            return False, f"{c.label}: {dropped} dropped by current CUDA builds"
        if nominal_bits(c.quant, c.bits_per_weight) < 2:
            return False, f"{c.label}: {c.quant} under 2 bits"
        if c.price_basis.rest_unpriced or (PricePartKind.GPU in kinds and PricePartKind.PLATFORM not in kinds):
            return False, f"{c.label}: board, CPU or power supply priced at $0"
        if budget is not None and c.price_usd > budget:
            return False, f"{c.label}: over budget"
    return bool(found), "nothing found"


@pytest.mark.parametrize(("model", "budget", "tps"), RECOMMEND, ids=[r[0] for r in RECOMMEND])
def test_recommend_builds_real_machines(real: Catalog, model: str, budget: float | None, tps: float) -> None:
    found = recommend(real.models[model], real, budget_usd=budget, min_decode_tps=tps)
    ok, why = _recommend_accepted(found, real, budget)
    assert ok, why
    assert all(c.decode_typical >= tps for c in found)


def _bits(c: Candidate) -> int:
    return nominal_bits(c.quant, c.bits_per_weight)


# "cheapest hardware for X?" where 2-bit boxes are far cheaper than any 4-bit build: the answer leads with the
# cheapest builds at 4 bits and up (what an expert would buy), then at most a few cheaper ones at fewer bits (the way
# in for a smaller budget), never a page of 2-bit files with no 4-bit build at all
CHEAPEST_LEADS_WITH_FOUR_BITS = ["qwen3-235b-a22b", "llama-3.3-70b", "gpt-oss-120b"]


@pytest.mark.parametrize("model", CHEAPEST_LEADS_WITH_FOUR_BITS)
def test_recommend_leads_with_four_bit_builds(real: Catalog, model: str) -> None:
    found = recommend(real.models[model], real, min_decode_tps=5)
    fours = [c for c in found if _bits(c) >= 4]
    assert fours and found[: len(fours)] == fours, [(c.label, c.quant) for c in found]
    assert [c.price_usd for c in fours] == sorted(c.price_usd for c in fours)
    fewer = found[len(fours) :]
    assert all(c.price_usd < fours[0].price_usd for c in fewer)
    assert len(found) <= 10 and len(fewer) <= 10 - len(fours) and len(fours) >= 4


# "best rig for X under $N?": (model, budget, target tok/s, what the first build must be, why an expert says so)
BEST = [
    # gpt-oss-120b's own MXFP4 file (61 GB) wholly in fast memory at 20+ tok/s fits in $3k (two 32 GB cards, a
    # 64 GB Mac), so nobody would take a 2-bit quant on two 16 GB cards
    ("gpt-oss-120b", 3000.0, 20.0, lambda c: _bits(c) >= 4 and c.decode_typical >= 20, "4-bit+ at 20 tok/s"),
    # "best GPU under $1,500 for Qwen3-30B-A3B": a 24 GB card at Q4_K_M or better, far over 30 tok/s
    ("qwen3-30b-a3b", 1500.0, 30.0, lambda c: _bits(c) >= 4 and c.decode_typical >= 60, "24 GB card at 4+ bits"),
    # "70B under $3k at 10 tok/s": 48 GB or more of fast memory (two 24 GB cards at Q3/Q4, or a 64 GB Mac at
    # bartowski's 37.9 GB IQ4_XS), not two 16 GB cards at 2 bits
    (
        "llama-3.3-70b",
        3000.0,
        10.0,
        lambda c: _bits(c) >= 3 and ("2x" in c.label or "64GB" in c.label),
        "48 GB+ at 3+ bits",
    ),
    # "GLM 5.2 under $20k": a 512 GB Mac or big-memory build at 4 bits or more, not the cheapest 2-bit box
    ("glm-5.2", 20_000.0, 5.0, lambda c: _bits(c) >= 4, "4-bit+ GLM"),
    # "Qwen3.5 397B at 10 tok/s for under $7k?": a 256 GB Mac Studio or a 4-card EPYC box with RAM, at 4 bits
    ("qwen3.5-397b-a17b", 7000.0, 10.0, lambda c: _bits(c) >= 4, "4-bit+ 397B"),
]


def test_big_moe_builds_include_an_epyc_server_with_its_board_priced(real: Catalog) -> None:
    """ "GLM 5.2 on GPUs + lots of RAM": the 8-channel DDR4 EPYC box people build (cards, board, CPU, power, RAM)
    is offered, each platform part dated and sourced, and priced used where the source says so."""
    best = best_builds(real.models["glm-5.2"], real, budget_usd=20_000, min_decode_tps=5, limit=10)
    servers = [
        p.platform
        for c in best
        for p in c.price_basis.parts
        if p.platform is not None and p.platform.memory_type == "DDR4" and p.platform.channels == 8
    ]
    assert servers, [c.label for c in best]
    assert all(x.source.startswith("https://") and x.as_of for x in servers[0].parts)
    assert {x.condition for x in servers[0].parts} == {"used"}


@pytest.mark.parametrize(("model", "budget", "tps", "wanted", "why"), BEST, ids=[b[0] for b in BEST])
def test_best_build_within_the_budget(
    real: Catalog, model: str, budget: float, tps: float, wanted: Callable[[Candidate], bool], why: str
) -> None:
    best = best_builds(real.models[model], real, budget_usd=budget, min_decode_tps=tps)
    ok, why_not = _recommend_accepted(best, real, budget)
    assert ok, why_not
    assert wanted(best[0]), f"{model} under ${budget:,.0f}: want {why}, got {best[0].label} {best[0].quant}"
    cheapest = recommend(real.models[model], real, budget_usd=budget, min_decode_tps=tps)[0]
    assert (_bits(best[0]) >= 4) >= (_bits(cheapest) >= 4) and best[0].price_usd >= cheapest.price_usd


# "I have X, what do I add for Y?": (model, rig as written, target, the upgrade an expert names)
UPGRADES = [
    # a 3090 owner who wants Llama 3.3 70B at 10 tok/s is told "get a second 3090" (48 GB: 3-4 bits on GPUs)
    (
        "llama-3.3-70b", "RTX 3090 + 64GB DDR4", 10.0,
        lambda u: u.kind is UpgradeKind.ADD_SAME_CARD and u.count == 1 and u.candidate.price_usd < 1000,
        "a second 3090",
    ),
    # "4090 + 32GB, can I run gpt-oss-120b?": more RAM lets the MXFP4 file run with its experts in RAM
    (
        "gpt-oss-120b", "RTX 4090 + 32GB DDR5", 20.0,
        lambda u: u.kind is UpgradeKind.ADD_RAM and _bits(u.candidate) >= 4 and u.candidate.price_usd < 800,
        "more DDR5 for the MXFP4 file",
    ),
    # a 3060 12GB running Qwen3-30B-A3B at 3 bits: a 16-24 GB card (or a second card) gets it to 4 bits
    (
        "qwen3-30b-a3b", "RTX 3060 12GB + 32GB DDR4", 30.0,
        lambda u: _bits(u.candidate) >= 4 and u.candidate.decode_typical >= 30,
        "4 bits at 30 tok/s",
    ),
    # GLM-5.2 on 24 GB + 192 GB at 2 bits: more RAM, a bigger card or more cards lift it to 3 bits or more (with
    # 256 GB it already runs IQ3_XXS at about 5 tok/s)
    (
        "glm-5.2", "24GB VRAM + 192GB RAM", 5.0,
        lambda u: _bits(u.candidate) >= 3,
        "3 bits or more",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("model", "phrase", "tps", "wanted", "why"), UPGRADES, ids=[u[1] for u in UPGRADES])
def test_upgrade_path_names_what_an_expert_would_add(
    real: Catalog, model: str, phrase: str, tps: float, wanted: Callable[..., bool], why: str
) -> None:
    reading = parse_hardware(phrase, real)[0]
    path = upgrade_path(real.models[model], reading.rig, real, min_decode_tps=tps, label=reading.label)
    named = [(u.kind.value, u.device, u.candidate.quant, round(u.candidate.price_usd)) for u in path.upgrades]
    assert any(wanted(u) for u in path.upgrades), f"{phrase}: no {why} in {named}"
    for u in path.upgrades:
        assert u.candidate.decode_typical >= tps and _bits(u.candidate) >= 2
        assert path.current is None or _bits(u.candidate) > _bits(path.current), f"{u}: no better than now"
        if u.kind is UpgradeKind.ADD_OTHER_CARD:  # no CUDA card beside a ROCm one
            added = real.hardware[u.device_id or ""]
            assert isinstance(added, Gpu) and {g.backend for g in reading.rig.gpus} == {added.backend}
    prices = [u.candidate.price_usd for u in path.upgrades]
    assert prices == sorted(prices)


@pytest.mark.parametrize(
    ("model", "phrase"),
    [
        ("qwen3-8b", "RTX 4090"),  # "will my 4090 run Qwen3 8B?": it already runs it at 8 bits; nothing to buy
        ("llama-3.3-70b", "M4 Max 64GB"),  # a Mac's memory cannot be added to
    ],
)
def test_no_upgrade_where_none_is_needed_or_possible(real: Catalog, model: str, phrase: str) -> None:
    reading = parse_hardware(phrase, real)[0]
    path = upgrade_path(real.models[model], reading.rig, real, min_decode_tps=10, label=reading.label)
    assert path.runs and path.upgrades == ()


def test_cost_break_even_beyond_the_machines_life_says_never(real: Catalog) -> None:
    """/cost glm-5.2 "24GB VRAM + 256GB RAM" hardware_price:12000: the machine processes ~1-2M tokens a day, so
    the break-even counts those, and it does not come within three years."""
    m = real.models["glm-5.2"]
    readings = parse_hardware("24GB VRAM + 256GB RAM", real)
    report = fit(m, readings)
    option = report.readings[0].best_option
    c = cost_report(
        m, readings[0], option, real.api_prices_for(m.id), real.rental_prices, real.hardware, Usage(),
        FitOptions(), report.context, 12_000, platforms=real.platform_prices,
    )  # fmt: skip
    assert c.local is not None and c.local.max_tokens_per_day is not None and c.breakeven_months is not None
    per_day = min(Usage().tokens_per_day, c.local.max_tokens_per_day)
    assert c.breakeven_months == pytest.approx(c.breakeven_tokens / per_day / (365.25 / 12))  # type: ignore[operator]
    assert c.within_life is False
    if c.rental is not None:  # the rental runs the same file as the local run
        assert option is not None and c.rental.quant == option.quant


def test_cost_power_counts_every_card_and_the_host(real: Catalog) -> None:
    """Eight 700 W H100 SXM cards draw 5.6 kW before the host; the host's CPU is added where a platform takes them."""
    m = real.models["llama-3.1-8b"]
    readings = parse_hardware("2x RTX 3090", real)
    report = fit(m, readings)
    c = cost_report(
        m, readings[0], report.readings[0].best_option, (), (), real.hardware, Usage(), FitOptions(),
        report.context, platforms=real.platform_prices,
    )  # fmt: skip
    assert c.local is not None and c.local.platform_watts == 65 and c.local.watts == 2 * 350 + 65
    assert c.local.duty_cycle is not None and 0 < c.local.duty_cycle <= 1
