"""Rules found by the fifth expert review (tests/data/expert_review_5.yaml, session 12), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- /whatfits' 'long context' pick is a file of 3 bits or more where one qualifies, as its best, fast and coding picks
  already were: an RTX PRO 6000 had 'long context' Qwen3.8-Flash-Next at UD-Q2_K_XL (degraded) where Nemotron 3
  Super's UD-Q4_K_XL holds 1M;
- on a rig of several cards where vLLM or SGLang starts the model split over them (tensor parallel), the /fit card
  shows that server's command second, before Ollama's ('qwen3 30b a3b for 10 users on 2x 3090, vllm?' had shown
  llama.cpp and Ollama only, vLLM's GPTQ-Int4 over both cards hidden in the JSON);
- a unified machine's GPU limit is said in both units the card uses: memory as sold (GiB, '124 of 128 GB') and the
  10^9-byte GB of its sizes, so that '130 GB of weights ... ≤ 133 GB the GPU may wire' on a 128 GB Strix Halo does
  not read as more than the machine holds;
- /recommend's upgrades for a rig drop one a cheaper (or equally priced) upgrade matches on quality, speed and
  context: an RTX 3090 + 64 GB DDR4 owner asking about Qwen3-235B was offered 'add an A100 80GB ($6,000) -> Q4_K_M,
  8.6 tok/s' and 'swap the cards for an A100 80GB ($6,000) -> Q4_K_M at 31k, 6.0 tok/s';
- a draft model with no room beside the pick gives no decode speed with it: 'llama 3.1 8b on my old gtx 1060 6gb'
  had read 'speculative decoding ... -> 5.6-16 tok/s for one user (typically 12)' above 'the draft's file and its
  own f16 cache ... take 2.4 GB, which this pick leaves no room for';
- a MoE mix named by its types ([default]-[FFN_UP]-[FFN_GATE]-[FFN_DOWN]) is tiered by its experts' types: GLM-4.7
  on 4x 3090 + 256 GB DDR4 had taken AesSedai's Q8_0-IQ3_S-IQ3_S-IQ4_XS (3-bit gate and up experts) as 'the usual
  4-bit' over his Q8_0-Q4_K-Q4_K-Q5_K, which its Q8_0 attention put at 5.03 bits a weight and so 'high'."""

from __future__ import annotations

import pytest

from bot import wording
from bot.cards import shown_plans, to_text
from catalog.catalog import Catalog
from engine import quants
from engine.parse import parse_hardware
from engine.quants import Tier
from engine.recommend import LONG_CONTEXT_TOKENS, Candidate, Use, upgrade_path, what_fits
from engine.rig import AssumptionKind
from engine.serve import Engine
from engine.units import fmt_gb
from tests.fixtures import assert_review_judged, fit_shown_second, load_review, run_ok

REVIEW = load_review("expert_review_5.yaml")
_run = run_ok


def test_every_row_is_judged() -> None:
    assert_review_judged(REVIEW, 60)


# --- /whatfits' long-context pick at 3 bits or more ----------------------------------------------------------------

# (hardware as people write it, target tok/s)
LONG_CONTEXT = [
    ("rtx pro 6000", 5),  # had been Qwen3.8-Flash-Next UD-Q2_K_XL
    ("rtx 5070 ti + 64gb ddr5", 5),
    ("2x mi50 32gb", 5),
    ("mac studio m4 max 64gb", 5),
    ("16gb ddr4", 5),
    ("raspberry pi 5 16gb", 5),
]


@pytest.mark.parametrize(("hardware", "min_tps"), LONG_CONTEXT)
def test_whatfits_long_context_pick_keeps_three_bits(real_catalog: Catalog, hardware: str, min_tps: int) -> None:
    fits = what_fits(parse_hardware(hardware, real_catalog)[0], real_catalog, min_decode_tps=min_tps, limit=500)
    taken = {f.model_id for f in fits if f.use in (Use.BEST, Use.FAST, Use.CODING)}
    long = next(f for f in fits if f.use is Use.LONG_CONTEXT)
    assert long.max_context >= LONG_CONTEXT_TOKENS, (long.name, long.max_context)
    eligible = [
        f
        for f in fits
        if f.use is not Use.SUPERSEDED
        and f.model_id not in taken
        and f.tier is not Tier.DEGRADED
        and f.max_context >= LONG_CONTEXT_TOKENS
    ]
    assert long.tier is not Tier.DEGRADED or not eligible, (long.name, long.quant, [f.name for f in eligible])
    if long.tier is not Tier.DEGRADED:  # the best scored of those that qualify
        assert long.score >= max(f.score for f in eligible), (long.name, long.score)


# --- a batching server over several cards: its command on the card --------------------------------------------------

# (model, hardware, the engine of the second command on the /fit card)
SECOND_COMMAND = [
    ("qwen3 30b a3b", "2x rtx 3090", Engine.VLLM),  # vLLM's GPTQ-Int4 tensor parallel 2 had been hidden behind Ollama
    ("llama 3.3 70b", "2x rtx 3090", Engine.VLLM),
    ("gpt-oss 120b", "2x rtx pro 6000", Engine.VLLM),
    ("llama 3.3 70b", "4x rtx 3090", Engine.VLLM),  # no Ollama plan: vLLM was second already
    ("qwen3 30b a3b", "rtx 3090", Engine.OLLAMA),  # one card: vLLM runs it whole on the card, no split to batch over
    ("gemma 3 27b", "2x rtx 3090", Engine.OLLAMA),  # no server plan here
    ("mistral small 3.2", "2x rtx 3060 12gb", Engine.OLLAMA),
]

COMMAND_WORDS = {Engine.VLLM: "vllm serve", Engine.OLLAMA: "ollama run", Engine.SGLANG: "sglang.launch_server"}


@pytest.mark.parametrize(("model", "hardware", "second"), SECOND_COMMAND)
def test_a_server_splitting_the_model_over_the_cards_is_shown_second(
    real_catalog: Catalog, model: str, hardware: str, second: Engine
) -> None:
    answer = fit_shown_second(real_catalog, model, hardware, second)
    plans = answer.report.readings[0].best_option.serve.plans
    shown = shown_plans(answer.report.readings[0].best_option)
    if second in (Engine.VLLM, Engine.SGLANG):
        assert shown[1].tensor_parallel > 1, shown[1]
    text = to_text(answer.card)
    assert COMMAND_WORDS[second] in text.split("[All quants")[0]
    engines = [p["engine"] for p in answer.data["readings"][0]["pick"]["option"]["serve"]]
    assert engines == [p.engine.value for p in plans]  # the JSON keeps the engines' own order


# --- a unified machine's GPU limit in both units ---------------------------------------------------------------------

# (hardware, model): the GPU limit's assumption names it in the card's 10^9-byte GB too, the bound its fits line shows
UNIFIED_LIMIT = [
    ("framework desktop 128gb", "qwen3.5 122b"),  # 130 GB of weights under '124 of 128 GB' had read as impossible
    ("dgx spark", "nemotron 3 super"),
    ("m3 ultra 256gb", "deepseek v4 flash"),
    ("mac mini m4 16gb", "gpt-oss 20b"),  # nothing fits: the limit still says both
    ("strix halo 128gb", "gpt-oss 120b"),
]


@pytest.mark.parametrize(("hardware", "model"), UNIFIED_LIMIT)
def test_a_unified_gpu_limit_is_said_in_the_cards_units(real_catalog: Catalog, hardware: str, model: str) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    reading = answer.report.readings[0]
    pool = reading.rig.unified
    assert pool is not None
    limit = next(a for a in reading.assumptions if a.kind is AssumptionKind.GPU_LIMIT)
    said = wording.assumption(limit)
    assert fmt_gb(pool.gpu_limit_bytes) in said and fmt_gb(pool.memory_bytes) in said, said
    option = reading.best_option
    if option is not None and option.placement.kind == "unified" and option.placement.wired_limit_mb is None:
        bound = fmt_gb(option.placement.pools[0].capacity_bytes)
        assert bound == fmt_gb(pool.gpu_limit_bytes) and f"≤ {bound} the GPU may wire" in to_text(answer.card)


# --- upgrades another upgrade matches for less ---------------------------------------------------------------------

# (model, the rig as people write it): no upgrade listed that a cheaper or equally priced one matches on every count
UPGRADES = [
    ("qwen3 235b 2507", "rtx 3090 + 64gb ddr4"),  # had listed 'swap for an A100 80GB' beside 'add an A100 80GB'
    ("llama 3.3 70b", "rtx 4090 + 64gb ddr5"),
    ("gpt-oss 120b", "rtx 3060 12gb + 32gb ddr4"),
    ("glm 4.5 air", "rtx 3060 12gb + 32gb ddr4"),
    ("qwen3 32b", "rtx 3060 12gb + 32gb ddr4"),
    ("deepseek v3.1", "rtx 3090 + 128gb ddr4"),
]


def _counts(c: Candidate) -> tuple[float, ...]:
    """What the card shows of an upgrade's answer: the quant's quality, typical decode, context, longest context."""
    return (c.quality, c.decode_typical, c.context, c.max_context)


def _as_good(a: Candidate, b: Candidate) -> bool:
    return all(x >= y for x, y in zip(_counts(a), _counts(b), strict=True))


@pytest.mark.parametrize(("model", "hardware"), UPGRADES)
def test_no_upgrade_is_matched_by_a_cheaper_one(real_catalog: Catalog, model: str, hardware: str) -> None:
    from engine.parse import parse_model

    m = parse_model(model, real_catalog)
    reading = parse_hardware(hardware, real_catalog)[0]
    path = upgrade_path(m, reading.rig, real_catalog, context_asked=False, label=reading.label)
    found = [u.candidate for u in path.upgrades]
    assert [c.price_usd for c in found] == sorted(c.price_usd for c in found)
    for i, later in enumerate(found):
        assert not any(_as_good(earlier, later) for earlier in found[:i]), later.label
    answer = _run(real_catalog, "recommend", model=model, hardware=hardware)
    assert [o["price_usd"] for o in answer.data["upgrades"]["options"]] == [c.price_usd for c in found]


# --- a draft without room: no speed with it ---------------------------------------------------------------------

# (model, the rig as people write it, whether the draft fits beside the pick)
DRAFT_SPEED = [
    ("llama 3.1 8b", "gtx 1060 6gb + 16gb ddr4", False),  # had read '-> typically 12 tok/s' with no room for the draft
    ("llama 3.3 70b", "3x rtx 3060 12gb", False),
    ("qwen3 32b", "rtx 4070 + 32gb ddr5", False),
    ("llama 3.3 70b", "2x rtx 5090", True),
    ("qwen3 8b", "rtx 3090", True),
    ("llama 3.1 8b", "rtx 3090", True),  # measured and with room: one user's decode with the draft is given
    ("llama 3.1 8b", "rtx 4060 ti 16gb", True),
    ("llama 3.1 8b", "rtx 3060 12gb + 32gb ddr4", False),
]


@pytest.mark.parametrize(("model", "hardware", "room"), DRAFT_SPEED)
def test_a_draft_without_room_gives_no_speed_with_it(
    real_catalog: Catalog, model: str, hardware: str, room: bool
) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    spec = answer.report.readings[0].pick.option.speculation
    assert spec is not None and spec.method == "draft" and spec.draft_room is room, spec
    llama = spec.engine(Engine.LLAMA_CPP)
    assert llama is not None
    measured = llama.speedup is not None
    assert (llama.decode_tps is not None) is (room and measured), llama.decode_tps
    line = next(x for x in to_text(answer.card).splitlines() if x.startswith("speculative decoding, "))
    assert ("for one user" in line) is (room and measured), line
    said = answer.data["readings"][0]["pick"]["option"]["speculation"]["engines"][0]
    assert said["engine"] == "llama.cpp" and (said["decode_tps"] is not None) is (room and measured), said


# --- a MoE mix named by its types: tiered by its experts ---------------------------------------------------------

# (name, measured bits a weight, the bits it is named for, its tier)
MIXES = [
    ("Q8_0-Q4_K-Q4_K-Q5_K", 5.08, 4, Tier.GOOD),  # AesSedai lists it as Q4_K_M; had been 5 bits, 'high'
    ("Q8_0-IQ3_S-IQ3_S-IQ4_XS", 4.0, 3, Tier.FAIR),  # 3-bit gate and up experts; had been 4 bits
    ("Q8_0-Q5_K-Q5_K-Q6_K", 6.05, 5, Tier.HIGH),
    ("Q5_K-IQ2_XXS-IQ2_XXS-IQ3_XXS", 2.6, 2, Tier.DEGRADED),
    ("Q6_K-IQ2_S-IQ2_S-IQ3_S", 3.07, 2, Tier.DEGRADED),  # 2-bit experts under Q6_K attention
    ("Q4_K_M", 4.89, 4, Tier.GOOD),  # one type: named by it, as before
    ("UD-Q4_K_XL", 4.6, 4, Tier.GOOD),
    ("IQ4_KSS", 4.0, 4, Tier.GOOD),
]


@pytest.mark.parametrize(("name", "bits_per_weight", "bits", "tier"), MIXES)
def test_a_moe_mix_is_named_for_its_experts(name: str, bits_per_weight: float, bits: int, tier: Tier) -> None:
    assert quants.nominal_bits(name, bits_per_weight) == bits
    assert quants.tier(name, bits_per_weight) is tier


# (model, the rig as people write it, the pick): the 4-bit expert mix with its experts in RAM, at a useful speed
MIX_PICKS = [
    ("glm 4.7", "4x rtx 3090 + 256gb ddr4 8 channel", "Q8_0-Q4_K-Q4_K-Q5_K"),  # had been the IQ3_S-expert mix
]


@pytest.mark.parametrize(("model", "hardware", "pick"), MIX_PICKS)
def test_the_usual_four_bit_mix_is_picked(real_catalog: Catalog, model: str, hardware: str, pick: str) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    chosen = answer.report.readings[0].pick
    assert chosen is not None and chosen.quant == pick, chosen.quant if chosen else None
    assert chosen.tier is Tier.GOOD and chosen.option.placement.kind == "expert-offload"
    assert chosen.option.decode_tps is not None and chosen.option.decode_tps.centre >= 5.0
