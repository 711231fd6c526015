"""Rules found by the ninth expert review (tests/data/expert_review_9.yaml, session 16), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- a model whose card documents YaRN names every checkpoint repo it lists in the YaRN block (the catalog audit holds
  it to that, engine/audit.py yarn_repos): 'what's the max context i can get for qwen3 30b a3b on a single 3090?'
  at 128k had picked Unsloth's IQ4_XS of the same release, refused its YaRN flags as 'a later release', and given
  no command at all;
- /recommend's best builds within a budget rank a build that runs at the context asked (or the default) above one
  whose pick shortened it, within a group of quants: '$2500, qwen3 coder 30b at 50 tok/s' had put two 3080s at
  IQ4_XS and 13k first, above a 4090 at Q4_K_M and 32k, for 119 tok/s against 117;
- /fit's cost section on data-center cards (an H100, a B200, an RTX PRO 6000) prices renting those cards, as /cost
  does since the eighth review: 'rented an h100, serving qwen3 coder 30b to 8 devs' had read only the $25,000
  purchase;
- /compare counts a side whose pick no engine loads (an estimated size no repo publishes) as not running the model:
  '3060 12gb to 5060 ti 16gb, worth it for gemma 3 27b?' had called the 3060 faster (30 tok/s against 25) at an
  IQ2_XXS no one publishes;
- (data) zai-org/GLM-5-FP8: 'glm 5 on 8x h200, vllm fp8?' had refused vLLM as if it quantized the BF16 repo.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from bot.cards import to_text
from catalog.catalog import Catalog
from engine.audit import yarn_repos
from engine.fit import Trade
from engine.prices import PriceBasis
from engine.quants import Tier
from engine.recommend import Candidate, _build_rank, _group
from engine.serve import Engine, Refusal
from tests.fixtures import assert_review_judged, load_review, run_ok

REVIEW = load_review("expert_review_9.yaml")


def test_every_row_is_judged() -> None:
    assert_review_judged(REVIEW, 60)


# --- every repo of a YaRN model's release gets the YaRN flags --------------------------------------------------------

# (model, rig, context asked, whether the context needs YaRN)
YARN = [
    ("qwen3 30b a3b", "rtx 3090", "128k", True),  # had picked Unsloth's IQ4_XS and given no command
    ("qwen3 30b a3b", "rtx 4090 laptop + 64gb ddr5", "64k", True),
    ("qwen3 14b", "rtx 4060 ti 16gb", "64k", True),
    ("qwen3 32b", "rtx 5090", "64k", True),
    ("qwen3 32b", "2x rtx 3090", "128k", True),
    ("qwen2.5 coder 32b", "rtx 4090", "64k", True),
    ("qwen3 235b", "m3 ultra 256gb", "64k", True),
    ("qwen3 8b", "rtx 3060 12gb", "64k", True),
    ("qwen3 30b a3b", "rtx 3090", "16k", False),  # within the native 32k: no YaRN flags
    ("qwen3 32b", "rtx 5090", "32k", False),
]


@pytest.mark.parametrize(("model", "hardware", "context", "yarn"), YARN)
def test_a_yarn_context_runs_on_every_repo_of_the_release(
    real_catalog: Catalog, model: str, hardware: str, context: str, yarn: bool
) -> None:
    answer = run_ok(real_catalog, "fit", model=model, hardware=hardware, context=context)
    pick = answer.report.readings[0].pick
    assert pick is not None and pick.option.loadable, pick
    command = answer.data["readings"][0]["pick"]["option"]["llama_cpp"] or ""
    lines = [line for line in command.splitlines() if not line.startswith("#")]
    assert lines and lines[0].startswith("llama-server"), (pick.quant, command)
    assert ("--rope-scaling yarn" in command) is yarn, command
    stops = [r for r in pick.option.serve.refused if r.engine is Engine.LLAMA_CPP]
    assert not any(r.reason is Refusal.ROPE_CHECKPOINT for r in stops), stops


def test_the_audit_holds_a_yarn_block_to_name_every_repo(real_catalog: Catalog) -> None:
    assert yarn_repos(real_catalog) == []
    model = real_catalog.models["qwen3-30b-a3b"]
    assert model.yarn is not None
    left_out = tuple(r for r in model.yarn.repos if r != "unsloth/Qwen3-30B-A3B-GGUF")
    changed = model.model_copy(update={"yarn": model.yarn.model_copy(update={"repos": left_out})})
    catalog = dataclasses.replace(real_catalog, models=real_catalog.models | {model.id: changed})
    assert yarn_repos(catalog) == ["qwen3-30b-a3b: unsloth/Qwen3-30B-A3B-GGUF is not named in its YaRN block's repos"]


# --- best builds within a budget: the asked context before speed ----------------------------------------------------


def _candidate(tier: Tier, trade: Trade, tps: float, usd: float) -> Candidate:
    return Candidate(
        label="x",
        price_usd=usd,
        price_basis=PriceBasis(),
        quant="Q4_K_M",
        bits_per_weight=4.8,
        verdict="fits",
        placement="gpu",
        decode_low=tps / 2,
        decode_high=tps * 2,
        decode_typical=tps,
        max_context=32768,
        tier=tier,
        trade=trade,
    )


# (first build, second build, whether the first ranks higher), at a 50 tok/s target
RANKS = [
    ((Tier.GOOD, Trade.NONE, 117, 2080), (Tier.GOOD, Trade.SHORTER_CONTEXT, 119, 1226), True),  # the 3080 pair
    ((Tier.GOOD, Trade.KV_Q8, 60, 900), (Tier.GOOD, Trade.SHORTER_CONTEXT_KV_Q8, 150, 900), True),
    ((Tier.GOOD, Trade.NONE, 60, 900), (Tier.GOOD, Trade.NONE, 90, 900), False),  # as before: speed
    ((Tier.GOOD, Trade.SHORTER_CONTEXT, 60, 900), (Tier.FAIR, Trade.NONE, 90, 900), True),  # the group first
    ((Tier.HIGH, Trade.SHORTER_CONTEXT, 60, 900), (Tier.GOOD, Trade.SHORTER_CONTEXT, 90, 900), False),
]


@pytest.mark.parametrize(("first", "second", "higher"), RANKS)
def test_a_build_at_the_asked_context_ranks_first(
    first: tuple[Tier, Trade, float, float], second: tuple[Tier, Trade, float, float], higher: bool
) -> None:
    assert (_build_rank(_candidate(*first), 50) > _build_rank(_candidate(*second), 50)) is higher


# (model, budget, min tok/s): within a group, no shortened build above one at the full context
BUDGETS = [
    ("qwen3 coder 30b", 2500, 50),  # had put 2x 3080 at IQ4_XS and 13k first
    ("qwen3 32b", 2000, 20),
    ("gemma 3 27b", 1500, 15),
    ("llama 3.3 70b", 3000, 10),
    ("glm 4.5 air", 4000, 15),
]


@pytest.mark.parametrize(("model", "budget", "min_tps"), BUDGETS)
def test_best_builds_keep_the_context_within_a_group(
    real_catalog: Catalog, model: str, budget: int, min_tps: float
) -> None:
    answer = run_ok(real_catalog, "recommend", model=model, budget=budget, min_tps=min_tps)
    best = answer.data["best_within_budget"]
    assert best, answer.data
    shortened = {t.value for t in (Trade.SHORTER_CONTEXT, Trade.SHORTER_CONTEXT_KV_Q8)}
    ranks = [(_group(Tier(b["tier"])), b["pick_trade"] in shortened) for b in best]
    for (group_a, short_a), (group_b, short_b) in itertools.pairwise(ranks):
        assert not (group_a == group_b and short_a and not short_b), best


# --- /fit's cost section rents data-center cards ---------------------------------------------------------------------

# (model, the rig as people write it, the GPUs the cost section rents: None where it rents none)
RENTED = [
    ("qwen3 coder 30b", "h100", "1x h100-sxm"),  # had read only the $25,000 purchase
    ("gpt-oss 120b", "b200", "1x b200"),
    ("gpt-oss 120b", "rtx pro 6000", "1x rtx-pro-6000"),
    ("llama 3.3 70b", "2x h100", "2x h100-sxm"),
    ("llama 3.3 70b", "2x rtx 3090", None),  # consumer cards: bought, as before
    ("qwen3 32b", "rtx 5090", None),
    ("gpt-oss 120b", "dgx spark", None),  # a unified machine
]


@pytest.mark.parametrize(("model", "hardware", "rented"), RENTED)
def test_the_fit_card_rents_data_center_cards(
    real_catalog: Catalog, model: str, hardware: str, rented: str | None
) -> None:
    text = to_text(run_ok(real_catalog, "fit", model=model, hardware=hardware).card)
    section = text.split("[Cost vs API]")[-1]
    if rented is None:
        assert "\nrent " not in section, section
        return
    assert f"\nrent {rented} (" in section, section
    cost = run_ok(real_catalog, "cost", model=model, hardware=hardware).data["rental"]
    assert cost["asked"] and f"{cost['gpu_count']}x {cost['hardware_id']}" == rented, cost


# --- /compare: a pick no engine loads does not run the model --------------------------------------------------------

# (first, second, against, the side named as the only one that runs it: None where both run it)
COMPARES = [
    (
        "rtx 3060 12gb",
        "rtx 5060 ti 16gb",
        "gemma 3 27b",
        "NVIDIA GeForce RTX 5060 Ti 16GB",
    ),  # had called the 3060 faster
    ("rtx 4060", "rtx 4060 ti 16gb", "gemma 3 27b", "NVIDIA GeForce RTX 4060 Ti 16GB"),
    ("gpt-oss 120b", "gpt-oss 20b", "dgx spark 64gb", "gpt-oss-20b"),  # the 120B fits 64 GB only at an estimated size
    ("rtx 3060 12gb", "rtx 3090", "llama 3.3 70b", "NVIDIA GeForce RTX 3090"),  # nothing fits the 3060 alone, as before
    ("rtx 5090", "rtx 4090", "qwen3 32b", None),
    ("qwen3 30b a3b", "qwen3 14b", "rtx 3060 12gb + 32gb ddr4", None),
]


@pytest.mark.parametrize(("first", "second", "against", "only"), COMPARES)
def test_compare_counts_only_files_an_engine_loads(
    real_catalog: Catalog, first: str, second: str, against: str, only: str | None
) -> None:
    answer = run_ok(real_catalog, "compare", first=first, second=second, against=against)
    text = to_text(answer.card).replace("**", "")
    if only is None:
        assert "Only " not in text and "faster at decode" in text, text
        return
    assert f"Only {only} runs it with a file an engine loads." in text, text
    assert "faster at decode" not in text, text


# --- (data) GLM-5's FP8 checkpoint ----------------------------------------------------------------------------------

# (model, rig, the quant /fit picks, the engine whose plan starts it, the checkpoint that plan loads)
FP8 = [
    ("glm 5", "8x h200", "FP8", Engine.VLLM, "zai-org/GLM-5-FP8"),  # had refused vLLM (188 GB a GPU)
    ("glm 5", "8x b200", "FP8", Engine.VLLM, "zai-org/GLM-5-FP8"),
    ("glm 5", "8x h100", "Q4_K_M", Engine.LLAMA_CPP, "unsloth/GLM-5-GGUF:Q4_K_M"),  # 91 GB a GPU: not on 80 GB cards
]


@pytest.mark.parametrize(("model", "hardware", "quant", "engine", "checkpoint"), FP8)
def test_glm5_fp8_serves_where_it_fits(
    real_catalog: Catalog, model: str, hardware: str, quant: str, engine: Engine, checkpoint: str
) -> None:
    answer = run_ok(real_catalog, "fit", model=model, hardware=hardware)
    option = answer.report.readings[0].best_option
    assert option is not None and option.quant == quant, option
    plans = [p for p in option.serve.plans if p.engine is engine]
    assert plans and plans[0].checkpoint == checkpoint, [(p.engine.value, p.checkpoint) for p in option.serve.plans]
