"""Rules found by the seventh expert review (tests/data/expert_review_7.yaml, session 14), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- /recommend's upgrades for a rig that already reaches the target with weights in system RAM are the ones that take
  them off it, at least FASTER_FACTOR x as fast: an RTX 3090 + 64 GB DDR4 owner asking what to upgrade for
  gpt-oss-120b (MXFP4 with the experts in RAM, ~17 tok/s) had been told 'no upgrade of it reaches the target (a
  unified machine's memory cannot be added to)', a reason that was false for a desktop;
- /whatfits' 'fast' pick decodes at least FAST_OVER_BEST x its 'best' pick: on 2x RTX 3090 + 128 GB 'fast' had been
  Qwen3.8-27B Q8_0 at 21-29 tok/s beside 'best' Qwen3.8-Flash-Next at 11-29;
- /fit on a card holding more than any consumer card (a workstation or data-center part, bought or rented to serve)
  shows vLLM's or SGLang's command second, before Ollama's: 'runpod h100 80gb, qwen3 32b fp8 on vllm' had shown
  llama.cpp and Ollama only;
- (data) Kimi K2 Thinking and K2.6 are released as INT4 (compressed-tensors W4A16) checkpoints that vLLM serves:
  'renting 8x h100 for kimi k2 thinking, does it fit with vllm?' had read 'no FP8, AWQ, GPTQ or BF16 repo'."""

from __future__ import annotations

import pytest

from bot import wording
from bot.cards import CONSUMER_CARD_MAX_BYTES, to_text
from catalog.catalog import Catalog
from engine.parse import parse_hardware
from engine.quants import Tier
from engine.recommend import (
    FAST_FACTOR,
    FAST_OVER_BEST,
    FASTER_FACTOR,
    IN_RAM_PLACEMENTS,
    Use,
    fast_floor,
    upgrade_path,
    what_fits,
)
from engine.serve import Engine, Refusal
from tests.fixtures import assert_review_judged, fit_shown_second, load_review, run_ok

REVIEW = load_review("expert_review_7.yaml")
_run = run_ok


def test_every_row_is_judged() -> None:
    assert_review_judged(REVIEW, 60)


# --- /recommend's upgrades for a rig that already reaches the target -------------------------------------------------

# (model, the rig as people write it, whether upgrades that take weights off system RAM are offered)
FASTER = [
    ("gpt-oss 120b", "rtx 3090 + 64gb ddr4", True),  # had read 'a unified machine's memory cannot be added to'
    ("qwen3.6 35b a3b", "rtx 3060 12gb + 32gb ddr4", True),  # the same
    ("qwen3 30b a3b", "rtx 4060 ti 16gb + 32gb ddr5", True),
    ("glm 4.5 air", "rtx 3090 + 128gb ddr5", True),
    ("qwen3 235b 2507", "2x rtx 3090 + 256gb ddr4", True),
    ("qwen3 coder 30b", "rx 7600 + 32gb ddr5", True),
    ("qwen3 8b", "rtx 4090", False),  # wholly in VRAM at 8 bits: nothing to buy
    ("llama 3.3 70b", "m4 max 64gb", False),  # a unified machine
    ("qwen3 30b a3b", "64gb ddr5", False),  # no GPU to add a card beside
    ("llama 3.3 70b", "rtx 3090 + 64gb ddr4", False),  # under 4 bits now: the upgrades lift the quant
]


@pytest.mark.parametrize(("model", "hardware", "offered"), FASTER)
def test_a_rig_that_reaches_the_target_from_ram_is_offered_the_vram_that_speeds_it(
    real_catalog: Catalog, model: str, hardware: str, offered: bool
) -> None:
    answer = _run(real_catalog, "recommend", model=model, hardware=hardware)
    reading = parse_hardware(hardware, real_catalog)[0]
    model_id = answer.log_fields["model_id"]
    path = upgrade_path(real_catalog.models[model_id], reading.rig, real_catalog, label=reading.label)
    data = answer.data["upgrades"]
    text = to_text(answer.card)
    assert (path.faster_than_tps is not None) is offered, (path.current, path.upgrades)
    assert data["faster_than_tps"] == (round(path.faster_than_tps, 1) if offered else None)
    if not offered:
        assert "It already reaches the target; these take" not in text
        assert wording.no_upgrade(path) in text or path.upgrades, text
        if path.upgradable:
            assert "unified machine" not in text, text
        return
    current = path.current
    assert current is not None and current.placement in IN_RAM_PLACEMENTS
    assert path.faster_than_tps == pytest.approx(FASTER_FACTOR * current.decode_typical)
    assert path.upgrades and data["options"]
    for u in path.upgrades:
        c = u.candidate
        assert c.decode_typical >= path.faster_than_tps, (u.kind, u.device, c.decode_typical)
        assert c.bits_per_weight >= 4.0, (u.kind, u.device, c.quant)  # the same group as now: 4 bits and up
    assert wording.faster_upgrades(path) in text
    assert "unified machine" not in text, text


# (model, the rig as people write it, the words the upgrade field ends on where it lists nothing)
NOTHING = [
    ("qwen3 8b", "rtx 4090", "It already reaches the target, and no added RAM"),
    ("llama 3.3 70b", "m4 max 64gb", "A unified machine's memory cannot be added to"),
    ("qwen3 30b a3b", "strix halo 128gb", "A unified machine's memory cannot be added to"),
    ("qwen3 30b a3b", "64gb ddr5", "Upgrades are sized for a rig with a GPU"),
]


@pytest.mark.parametrize(("model", "hardware", "words"), NOTHING)
def test_an_empty_upgrade_field_says_why(real_catalog: Catalog, model: str, hardware: str, words: str) -> None:
    answer = _run(real_catalog, "recommend", model=model, hardware=hardware)
    assert answer.data["upgrades"]["options"] == []
    assert words in to_text(answer.card)


# --- /whatfits' 'fast' pick is faster than its 'best' one ------------------------------------------------------------

# (hardware as people write it, the target speed): 'fast' had been no faster than 'best' on the first two
FAST_PICKS = [
    ("2x rtx 3090 + 128gb ddr4", 5),  # 'fast' Qwen3.8-27B Q8_0 at 21-29 beside 'best' at 11-29
    ("dgx spark", 5),  # 'fast' DeepSeek-V4-Flash at 20-29, typically as fast as 'best' (sixth review)
    ("m4 max 128gb", 5),
    ("mac studio m2 ultra 192gb", 5),
    ("3x tesla p40 + 64gb ddr4", 5),
    ("rtx 3090", 5),
    ("rtx 4060 laptop + 16gb ddr5", 5),
    ("epyc 7532 256gb ddr4 8 channel", 5),
    ("rtx 3060 12gb + 16gb ddr4", 20),
]


@pytest.mark.parametrize(("hardware", "min_tps"), FAST_PICKS)
def test_whatfits_fast_pick_is_half_again_as_fast_as_its_best(
    real_catalog: Catalog, hardware: str, min_tps: int
) -> None:
    fits = what_fits(parse_hardware(hardware, real_catalog)[0], real_catalog, min_decode_tps=min_tps, limit=500)
    best = next(f for f in fits if f.use is Use.BEST)
    fast = next((f for f in fits if f.use is Use.FAST), None)
    floor = max(FAST_FACTOR * min_tps, FAST_OVER_BEST * best.decode_typical)
    assert fast_floor([best], min_tps) == pytest.approx(floor)
    eligible = [f for f in fits if f.use is not Use.SUPERSEDED and f.model_id != best.model_id]
    quick = [f for f in eligible if f.decode_typical >= floor]
    if fast is None:
        assert not quick, [f.name for f in quick]
        return
    assert fast.decode_typical >= floor, (fast.name, fast.decode_typical, best.name, best.decode_typical)
    three_bits = [f for f in quick if f.tier is not Tier.DEGRADED]
    if fast.tier is not Tier.DEGRADED or not three_bits:  # the best scored of those that qualify
        assert fast.score >= max(f.score for f in (three_bits or quick)), fast.name


# --- /fit on a workstation or data-center card names a batching server second ---------------------------------------

# (model, hardware as people write it, the engine of the second command on the /fit card)
SERVING_CARDS = [
    ("qwen3 32b", "runpod h100 80gb", Engine.VLLM),  # had shown llama.cpp and Ollama only
    ("qwen3 30b a3b", "g6e.xlarge", Engine.VLLM),  # one L40S: the same
    ("llama 3.3 70b", "a100 80gb", Engine.VLLM),
    ("qwen3 30b a3b", "rtx pro 6000", Engine.VLLM),
    ("qwen3 14b", "rtx a6000", Engine.VLLM),
    ("qwen3 30b a3b", "rtx 3090", Engine.OLLAMA),  # a consumer card: Ollama's one-line start stays second
    ("qwen3 8b", "rtx 5090", Engine.OLLAMA),  # 32 GB, the largest consumer card
    ("qwen3.6 27b", "mi50 32gb", Engine.OLLAMA),
]


@pytest.mark.parametrize(("model", "hardware", "second"), SERVING_CARDS)
def test_a_serving_card_shows_the_batching_server_second(
    real_catalog: Catalog, model: str, hardware: str, second: Engine
) -> None:
    answer = fit_shown_second(real_catalog, model, hardware, second)
    gpus = answer.report.readings[0].rig.gpus
    assert any(g.memory_bytes > CONSUMER_CARD_MAX_BYTES for g in gpus) is (second is not Engine.OLLAMA)
    words = {Engine.VLLM: "vllm serve", Engine.OLLAMA: "ollama run"}[second]
    assert words in to_text(answer.card).split("[All quants")[0]
    engines = [p["engine"] for p in answer.data["readings"][0]["pick"]["option"]["serve"]]
    plans = answer.report.readings[0].best_option.serve.plans
    assert engines == [p.engine.value for p in plans]  # the JSON keeps the engines' own order


# --- Kimi K2 Thinking and K2.6: Moonshot's own INT4 checkpoint is what vLLM serves -----------------------------------

# (model, hardware as people write it, whether vLLM starts the INT4 checkpoint there): the vLLM question had been
# answered 'no FP8, AWQ, GPTQ or BF16 repo of this model in the catalog' on every rig
KIMI_INT4 = [
    ("kimi k2 thinking", "8x h200", True),  # vLLM's recipe: 8x H200/H20
    ("kimi k2.6", "8x rtx pro 6000", True),  # the sixth review's question
    ("kimi k2 thinking", "8x rtx pro 6000", True),
    ("kimi k2 thinking", "8x h100 80gb", False),  # 594 GiB over 8 x 80 GB: only at 12k with 0.95 (its deployment)
    ("kimi k2.6", "4x h200", False),
]


@pytest.mark.parametrize(("model", "hardware", "starts"), KIMI_INT4)
def test_kimi_native_int4_checkpoint_is_served_or_refused_for_its_size(
    real_catalog: Catalog, model: str, hardware: str, starts: bool
) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    serve = answer.report.readings[0].pick.option.serve
    vllm = [p for p in serve.plans if p.engine is Engine.VLLM]
    refused = [r for r in serve.refused if r.engine is Engine.VLLM]
    repo = real_catalog.models[answer.log_fields["model_id"]].hf_repo
    assert bool(vllm) is starts, (vllm, refused)
    if starts:
        assert vllm[0].checkpoint == repo and vllm[0].tensor_parallel == 8
        assert f"vllm serve {repo}" in to_text(answer.card)
    else:
        assert refused and refused[0].reason is Refusal.DOES_NOT_FIT and refused[0].quant == "W4A16", refused
        assert (refused[0].needed_bytes or 0) > (refused[0].have_bytes or 0)
