"""Rules found by the fourth expert review (tests/data/expert_review.yaml, session 11), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- a quant asked for that runs nowhere here, or only with layers in system RAM, comes with the quant that runs at the
  same settings instead (`qwen3 14b at q8 on 4060 ti 16gb` had said "nothing fits" where Q4_K_M runs on the card
  at 32k);
- llama.cpp's draft model (`-hfd`) is offered only where its file and its own f16 cache at the pick's context fit
  beside the pick without changing its placement (Llama 3.3 70B's Q4_K_M on 2x 3090 is traded to 16k to fit the
  cards, and the card had offered the 1B draft's 1.9 GB beside it);
- a server checkpoint (AWQ, GPTQ, FP8, NVFP4) runs at the context its vLLM/SGLang plan holds, traded like a GGUF's:
  GLM-4.6's AWQ on 2x RTX PRO 6000 had read '32k fits, longest context 68k' above a vLLM command with
  --max-model-len 15360; now 'AWQ at 15k of context, not 32k; UD-Q3_K_XL runs at 32k';
- /whatfits' 'best here' and 'fast' picks are a file of 3 bits or more where one qualifies, as its coding pick and
  /fit's pick already were: a 3060 12GB with 32 GB of RAM had 'best here' Qwen3.8-27B at UD-Q2_K_XL (degraded) and
  12k of context."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cards import to_text
from bot.commands import run_request
from bot.requests import Frontend
from catalog.catalog import Catalog
from engine import speculative
from engine.fit import SERVER_ONLY, FitOptions, Trade, fit
from engine.placement import place
from engine.quants import Tier
from engine.recommend import Use, fast_floor


def _run(catalog: Catalog, command: str, **args: Any) -> Any:
    answer = run_request(catalog, command, args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


# --- a quant asked for that does not run as asked: the quant that does ----------------------------------------------

# (model, hardware, quant asked, where the asked quant runs (None: nowhere), where the quant named instead runs)
QUANT_ASKED = [
    ("qwen3 14b", "rtx 4060 ti 16gb", "Q8_0", None, "gpu"),  # "qwen3 14b at q8 on 4060 ti 16gb"
    ("qwen3 32b", "rtx 3090 + 64gb ddr5", "Q8_0", "partial-offload", "gpu"),  # Q8_0 at ~3 tok/s, Q4_K_M on the card
    ("llama 3.3 70b", "rtx 4090", "Q4_K_M", None, "gpu"),  # "70b q4 on a 4090?": only a 2-bit file fits 24 GB
    ("llama 3.1 8b", "macbook air m2 8gb", "Q8_0", None, "unified"),
    ("mistral small 3.2", "rtx 4070 ti super", "Q6_K", None, "gpu"),
    ("glm 4.5 air", "rtx 3090 + 64gb ddr4", "Q8_0", None, "expert-offload"),  # 113 GB of Q8_0 in 88 GB
    # "vllm qwen3 30b a3b awq on 2x 3090": no AWQ checkpoint in the catalog, so no engine starts it; the GGUF does
    ("qwen3 30b a3b", "2x rtx 3090", "AWQ", "multi-gpu", "multi-gpu"),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "asked_runs", "instead_runs"), QUANT_ASKED)
def test_a_quant_that_does_not_run_as_asked_names_the_one_that_does(
    real_catalog: Catalog, model: str, hardware: str, quant: str, asked_runs: str | None, instead_runs: str
) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware, quant=quant)
    reading = answer.report.readings[0]
    asked = reading.pick
    assert (asked.option.placement.kind if asked is not None else None) == asked_runs
    instead = reading.unasked
    assert instead is not None and instead.quant != quant
    assert instead.option.placement.kind == instead_runs and instead.option.verdict != "does-not-fit"
    unasked = _run(real_catalog, "fit", model=model, hardware=hardware).report.readings[0].pick
    assert (instead.quant, instead.context, instead.kv_type) == (unasked.quant, unasked.context, unasked.kv_type)
    assert answer.data["readings"][0]["unasked"]["quant"] == instead.quant
    assert f"`{instead.quant}`" in to_text(answer.card)


# (model, hardware, quant asked): it runs as asked (wholly on the card or in RAM), or nothing runs better: no other
AS_ASKED = [
    ("qwen3 14b", "rtx 3090", "Q8_0"),
    ("qwen3 30b a3b", "rtx 3060 12gb + 32gb ddr4", "Q8_0"),  # experts in RAM either way
    ("gemma 3 27b", "rtx 3060 12gb + 32gb ddr4", "Q8_0"),  # the pick without a quant is offloaded too
    ("qwen3 8b", "raspberry pi 5 16gb", "Q4_K_M"),  # in RAM as asked
]


@pytest.mark.parametrize(("model", "hardware", "quant"), AS_ASKED)
def test_a_quant_that_runs_as_asked_names_no_other(
    real_catalog: Catalog, model: str, hardware: str, quant: str
) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware, quant=quant)
    reading = answer.report.readings[0]
    assert reading.pick is not None and reading.pick.quant == quant
    assert reading.unasked is None and answer.data["readings"][0]["unasked"] is None


def test_without_a_quant_asked_nothing_is_named_instead(real_catalog: Catalog) -> None:
    answer = _run(real_catalog, "fit", model="llama 3.3 70b", hardware="rtx 4090")
    assert all(r.unasked is None for r in answer.report.readings)


# --- a draft model only where it fits beside the pick ------------------------------------------------------------

# (draft model, the quant -hfd names, KV cache bytes a token at f16 from its config, context): llama-server gives the
# draft the target's context and an f16 cache unless -cd / -ctkd say otherwise
DRAFTS = [
    ("llama-3.2-1b", "Q8_0", 16 * 8 * 64 * 2 * 2, 16_384),  # 16 layers, 8 KV heads of 64
    ("llama-3.2-1b", "Q8_0", 16 * 8 * 64 * 2 * 2, 32_768),
    ("qwen3-0.6b", "Q8_0", 28 * 8 * 128 * 2 * 2, 32_768),  # 28 layers, 8 KV heads of 128: 3.7 GB at 32k
]


@pytest.mark.parametrize(("draft", "quant", "per_token", "context"), DRAFTS)
def test_a_draft_adds_its_file_and_its_cache(
    real_catalog: Catalog, draft: str, quant: str, per_token: int, context: int
) -> None:
    entry = next(s for m in real_catalog.models.values() for s in m.speculative if s.draft_model == draft)
    file_bytes = next(q.file_bytes for q in real_catalog.models[draft].quants if q.name == quant)
    assert entry.draft_gguf is not None and entry.draft_gguf.endswith(f":{quant}")
    assert speculative.draft_bytes(entry, context) == file_bytes + per_token * context


# (model, hardware, whether the draft fits beside the pick)
DRAFT_ROOM = [
    ("llama 3.3 70b", "2x rtx 3090", False),  # Q4_K_M traded to 16k to fit the cards
    ("qwen3 14b", "rtx 4060 ti 16gb", False),  # Q4_K_M at 32k fills the card; the draft's cache is 3.7 GB more
    ("qwen3 32b", "rtx 4070 + 32gb ddr5", False),  # layers in RAM: the card is full
    ("qwen3 32b", "rtx 3090", False),
    ("llama 3.3 70b", "2x rtx 5090", True),  # Q5_K_S at 32k leaves room to 48k
    ("llama 3.3 70b", "rtx pro 6000", True),
    ("qwen3 8b", "rtx 3090", True),
]


@pytest.mark.parametrize(("model", "hardware", "room"), DRAFT_ROOM)
def test_a_draft_is_offered_only_where_it_fits(real_catalog: Catalog, model: str, hardware: str, room: bool) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    pick = answer.report.readings[0].pick
    spec = pick.option.speculation
    assert spec is not None and spec.method == "draft" and spec.draft_bytes, spec
    assert spec.draft_room is room
    assert ("-hfd " in to_text(answer.card)) is room
    assert answer.data["readings"][0]["pick"]["option"]["speculation"]["draft_room"] is room
    rig = answer.report.readings[0].rig
    o = pick.option  # the draft's bytes on top of the pick: the same verdict only where it has room
    with_draft = place(answer.report.model, rig, o.weights_bytes + spec.draft_bytes, o.kv_cache_bytes, o.quant)
    if room:
        assert with_draft.verdict == o.verdict, with_draft.verdict


def test_the_engine_says_the_same_without_the_bot(real_catalog: Catalog) -> None:
    """The draft's room is the engine's: fit() on the parsed rig gives it, the card only says it."""
    from engine.parse import parse_hardware

    model = real_catalog.models["llama-3.3-70b"]
    report = fit(model, parse_hardware("2x rtx 3090", real_catalog), FitOptions())
    spec = report.readings[0].pick.option.speculation
    assert spec is not None and spec.draft_room is False


# --- a server checkpoint at the context its engines hold -------------------------------------------------------------

# (model, hardware, quant asked, whether the pick gave up context for it, the GGUF that runs at the asked context)
SERVER_CONTEXT = [
    ("glm 4.6", "2x rtx pro 6000", None, True, "UD-Q3_K_XL"),  # AWQ: vLLM keeps 15k beside 176 GB
    ("llama 3.3 70b", "2x rtx 3090", "AWQ", True, None),  # "vllm 70b awq on two 3090s": 12k, not the split's 27k
    ("qwen3 32b", "rtx 4090", "AWQ", True, None),  # asked by name: vLLM's 7k, under the 8k an unasked pick keeps
    ("kimi k2", "8x h200", None, False, None),  # the FP8 release at the asked 32k
    ("qwen3 30b a3b", "2x h100", "FP8", False, None),
    ("qwen3 32b", "4x rtx 3090", "AWQ", False, None),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "traded", "instead"), SERVER_CONTEXT)
def test_a_server_checkpoint_runs_at_the_context_its_engines_hold(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None, traded: bool, instead: str | None
) -> None:
    args = {"model": model, "hardware": hardware} | ({"quant": quant} if quant else {})
    answer = _run(real_catalog, "fit", **args)
    pick = answer.report.readings[0].pick
    option = pick.option
    assert option.format in SERVER_ONLY and option.serve.plans, (pick.quant, option.format)
    held = max(p.context_tokens for p in option.serve.plans)
    assert held >= pick.context, (held, pick.context)  # the printed --max-model-len holds the pick's context
    if traded:  # the longest context said is the one the engines hold, not llama.cpp's whole-layer split's
        assert option.max_context == held == pick.context, (option.max_context, held, pick.context)
    else:
        assert option.max_context >= pick.context, option.max_context
    assert (pick.trade is Trade.SHORTER_CONTEXT) is traded and (pick.context < answer.report.context) is traded
    assert pick.instead == instead


# --- /whatfits' headline picks at 3 bits or more --------------------------------------------------------------------

# (hardware as people write it, target tok/s): rigs whose best- or fast-scored model runs only below 3 bits here
WHATFITS = [
    ("rtx 3060 12gb + 32gb ddr4", 5),  # best had been Qwen3.8-27B UD-Q2_K_XL at 12k
    ("rtx 3060 12gb + 32gb ddr4", 10),
    ("dgx spark", 5),  # fast had been Qwen3.8-Flash-Next UD-Q2_K_XL
    ("rtx 4060 ti 16gb", 5),
    ("rtx 3090", 5),
    ("macbook air m2 16gb", 5),
]


@pytest.mark.parametrize(("hardware", "min_tps"), WHATFITS)
def test_whatfits_headline_picks_keep_three_bits(real_catalog: Catalog, hardware: str, min_tps: int) -> None:
    from engine.parse import parse_hardware
    from engine.recommend import what_fits

    fits = what_fits(parse_hardware(hardware, real_catalog)[0], real_catalog, min_decode_tps=min_tps, limit=500)
    ok = [f for f in fits if f.use is not Use.SUPERSEDED and f.tier is not Tier.DEGRADED]
    best = next(f for f in fits if f.use is Use.BEST)
    assert best.tier is not Tier.DEGRADED or not ok, (best.name, best.quant)
    fast = next((f for f in fits if f.use is Use.FAST), None)
    quick = [f for f in ok if f.decode_typical >= fast_floor([best], min_tps)]
    assert fast is None or fast.tier is not Tier.DEGRADED or not quick, (fast.name, fast.quant)
    assert best.score >= max(f.score for f in ok if f.model_id != best.model_id) or best.tier is Tier.DEGRADED
