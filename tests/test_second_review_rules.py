"""Rules found by the second expert review (tests/data/expert_review.yaml, session 9), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- a fine-tune or merge read as its base model gets no command pointing at the base's files (`magistral small` had
  printed Mistral Small 3.2's GGUF, another model's weights);
- vLLM and SGLang on an Intel Arc are refused for what they are (a separate XPU build), not as a ROCm target;
- wholly on a bandwidth-bound accelerator, a quant above 4 bits that decodes under 5 tok/s yields to the usual 4-bit
  one (Llama 3.3 70B's Q8 on a Strix Halo at 2.5 tok/s);
- where no quant holds the default context beside its weights in GPU and RAM together, the pick runs offloaded at the
  longest context that does (the card had said nothing fits)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import wording
from bot.cards import to_text
from bot.commands import run_request
from bot.requests import Frontend
from catalog.catalog import Catalog
from engine import fit, quants
from engine.serve import Refusal, vision_language


def _ask(catalog: Catalog, model: str, hardware: str, context: str | None = None) -> Any:
    args = {"model": model, "hardware": hardware} | ({"context": context} if context else {})
    answer = run_request(catalog, "fit", args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


def _command(answer: Any) -> str:
    return answer.data["readings"][0]["pick"]["option"]["llama_cpp"] or ""


# (model as asked, hardware): fine-tunes and merges named by their own name, sized as their base
FINE_TUNES = [
    ("magistral small", "rtx 3090"),  # Magistral Small is a Mistral Small 3.2 fine-tune with its own GGUFs
    ("qwen2.5 vl 72b", "2x rtx 3090"),  # the vision model: Qwen2.5-72B-Instruct's GGUF has no vision tower
    ("NousResearch/Hermes-3-Llama-3.1-70B", "2x rtx 3090 + 64gb ddr4"),
    ("hermes 4 70b", "m3 max 128gb"),
]


@pytest.mark.parametrize(("model", "hardware"), FINE_TUNES)
def test_a_fine_tune_gets_no_command_for_its_base_files(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _ask(real_catalog, model, hardware)
    pick = answer.report.readings[0].pick
    assert pick is not None and answer.report.model.asked_as, answer.report.model.id
    assert not pick.option.serve.plans, [p.checkpoint for p in pick.option.serve.plans]
    assert pick.option.serve.refused and {r.reason for r in pick.option.serve.refused} == {Refusal.BASE_FILES}
    assert not _command(answer)
    said = "without the vision encoder" if vision_language(model) else "not the fine-tune asked for"
    assert said in to_text(answer.card)


# (model as asked, hardware): the catalog's own model, or llama.cpp's label of a file the user has
OWN_FILES = [
    ("mistral small 3.2", "rtx 3090"),
    ("qwen3moe 30B.A3B Q4_K - Medium", "rtx 3090"),
    ("qwen2.5 72b", "2x rtx 3090"),
]


@pytest.mark.parametrize(("model", "hardware"), OWN_FILES)
def test_the_model_itself_keeps_its_command(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _ask(real_catalog, model, hardware)
    assert _command(answer).startswith("llama-server -hf "), model


INTEL_ARC = [
    ("qwen3 14b", "arc a770 16gb"),
    ("qwen3 14b", "intel arc b580"),
    ("qwen3 32b", "2x arc pro b60 24gb"),
    ("llama 3.1 8b", "arc b580 + 32gb ddr5"),
]


@pytest.mark.parametrize(("model", "hardware"), INTEL_ARC)
def test_servers_on_an_intel_arc_are_refused_as_intel(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _ask(real_catalog, model, hardware)
    pick = answer.report.readings[0].pick
    assert pick is not None
    reasons = {r.engine.value: r.reason for r in pick.option.serve.refused}
    assert reasons.get("vllm") == Refusal.GPU_BACKEND and reasons.get("sglang") == Refusal.GPU_BACKEND, reasons
    lines = [line for line in to_text(answer.card).splitlines() if line.startswith(("✖ vLLM", "✖ SGLang"))]
    assert len(lines) == 2 and all("XPU build" in line and "ROCm" not in line for line in lines), lines


# (model, unified-memory machine): the best quant that fits reads too many bytes a token to reach 5 tok/s
SLOW_ABOVE_FOUR_BITS = [
    ("llama 3.3 70b", "strix halo 128gb"),  # Q8 ~2.5 tok/s, Q4_K_M ~4.5 (kyuz0's Strix Halo tables: 70B Q4 ~5)
    ("qwen2.5 72b", "ryzen ai max+ 395 128gb"),
    ("llama 3.3 70b", "dgx spark"),  # 75 GB of Q8 over 273 GB/s cannot pass 3.7 tok/s
    ("mistral large 2", "m3 ultra 256gb"),  # 130 GB of Q8 over 819 GB/s: under 5 tok/s in practice
]


@pytest.mark.parametrize(("model", "hardware"), SLOW_ABOVE_FOUR_BITS)
def test_a_slow_high_bit_quant_yields_to_the_usual_four_bit(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _ask(real_catalog, model, hardware)
    pick = answer.report.readings[0].pick
    assert pick is not None and pick.tier is quants.Tier.GOOD and pick.option.verdict == "fits", pick.quant
    assert pick.slow_higher is not None and pick.slow_higher_tps is not None
    assert pick.slow_higher_tps < fit.USEFUL_OFFLOAD_TPS
    assert pick.option.decode_tps is not None and pick.option.decode_tps.centre > pick.slow_higher_tps
    assert f"`{pick.slow_higher}` fits too" in to_text(answer.card)


# (model, machine): a quant above 4 bits that decodes at a useful speed stays the pick
USEFUL_HIGH_BITS = [
    ("qwen3 32b", "m4 max 128gb"),  # Q8_0 ~11 tok/s
    ("qwen3 30b a3b", "strix halo 128gb"),  # a 3B-active MoE: 8 bits still decode fast
    ("llama 3.1 8b", "rtx 3090"),
]


@pytest.mark.parametrize(("model", "hardware"), USEFUL_HIGH_BITS)
def test_a_useful_high_bit_quant_stays(real_catalog: Catalog, model: str, hardware: str) -> None:
    pick = _ask(real_catalog, model, hardware).report.readings[0].pick
    assert pick is not None and pick.tier in (quants.Tier.NEAR_LOSSLESS, quants.Tier.HIGH), pick.quant
    assert pick.slow_higher is None


# (model, small GPU + little RAM): nothing holds the default 32k of cache beside the weights, a shorter one does
SHORTER_OFFLOAD = [
    ("mistral 7b", "gt 1030 2gb + 8gb ram"),
    ("llama 3.1 8b", "2gb vram + 8gb ram"),
    ("qwen3 8b", "gtx 1050 2gb + 8gb ddr4"),
    ("gemma 3 12b", "4gb vram + 8gb ram"),
    ("qwen3 30b a3b", "gtx 1650 4gb + 16gb ram"),
]


@pytest.mark.parametrize(("model", "hardware"), SHORTER_OFFLOAD)
def test_an_offload_runs_at_the_longest_context_that_fits(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _ask(real_catalog, model, hardware)
    pick = answer.report.readings[0].pick
    assert pick is not None, "nothing picked"
    assert pick.trade is fit.Trade.SHORTER_CONTEXT and fit.SHORT_CONTEXT <= pick.context < fit.DEFAULT_CONTEXT
    assert pick.option.verdict == "fits-offload" and pick.option.placement.kind in ("partial-offload", "expert-offload")
    assert f"-c {pick.context} " in _command(answer)


@pytest.mark.parametrize(("model", "hardware"), SHORTER_OFFLOAD[:3])
def test_an_asked_context_is_never_shortened(real_catalog: Catalog, model: str, hardware: str) -> None:
    pick = _ask(real_catalog, model, hardware, "32k").report.readings[0].pick
    assert pick is None or pick.context == fit.DEFAULT_CONTEXT


# /recommend questions whose list has builds at fewer bits below dearer 4-bit ones (`recommend._shown`)
RECOMMEND_ASKS = [
    {"model": "deepseek v3", "min_tps": "10"},  # "cheapest way to run deepseek v3 at 10 tok/s"
    {"model": "qwen3 30b a3b", "budget": "1000"},  # "best gpu under $1000 for qwen3 30b a3b"
    {"model": "llama 3.3 70b", "min_tps": "20"},  # "what to buy for llama 3.3 70b at 20 tok/s"
]


def _usd(line: str) -> float:
    return float(line.split(" $", 1)[1].split(" ", 1)[0].replace(",", ""))


@pytest.mark.parametrize("args", RECOMMEND_ASKS, ids=[a["model"] for a in RECOMMEND_ASKS])
def test_a_cheaper_build_listed_lower_says_why(real_catalog: Catalog, args: dict[str, str]) -> None:
    answer = run_request(real_catalog, "recommend", args, Frontend.CLI)
    assert answer.error is None, answer.error
    text = to_text(answer.card)
    lines = [line for line in text.split("\n\n", 1)[0].splitlines() if " $" in line and " · " in line]
    assert lines, text
    dearer = 0.0
    for line in lines:
        if _usd(line) < dearer:  # out of price order: it must be a lower tier, and say so
            assert "(3-bit" in line or "(below 3 bits" in line, line
        dearer = max(dearer, _usd(line))
    assert "4-bit and up first" in text


# /compare as people ask it: (first, second, against); the card had set the two cards side by side with no answer
COMPARE_ASKS = [
    ("strix halo 128gb", "dgx spark", "gpt-oss 120b"),  # "what's faster for gpt-oss-120b: strix halo or dgx spark"
    ("rtx pro 6000", "2x rtx 5090", "qwen3 235b"),  # "rtx pro 6000 vs 2x5090 for qwen3 235b"
    ("m4 max 128gb", "strix halo 128gb", "llama 3.3 70b"),
    ("m3 ultra 512gb", "8x rtx 3090", "deepseek v3"),
    ("qwen3 32b", "gemma 3 27b", "rtx 3090"),  # two models on one card
]


@pytest.mark.parametrize(("first", "second", "against"), COMPARE_ASKS)
def test_a_comparison_says_which_is_faster(real_catalog: Catalog, first: str, second: str, against: str) -> None:
    answer = run_request(real_catalog, "compare", {"first": first, "second": second, "against": against}, Frontend.CLI)
    assert answer.error is None, answer.error
    sides = answer.data["compared"]
    same_model = sides[0]["model"]["id"] == sides[1]["model"]["id"]
    names = [s["readings"][0]["label"] if same_model else s["model"]["name"] for s in sides]
    decode = [s["readings"][0]["pick"]["option"]["decode_tps"]["typical"] for s in sides]
    verdict = to_text(answer.card).split("\n")[2]
    fast, slow = max(decode), min(decode)
    # session 16 (ninth review): a side whose pick no engine loads (an estimated size) does not run the model, so no
    # speed is compared: 2x 5090 for Qwen3-235B and 8x 3090 for DeepSeek-V3 pick an IQ2_XXS no repo publishes
    loadable = [r.readings[0].pick is not None and r.readings[0].pick.option.loadable for r in answer.chart.reports]
    if not all(loadable):
        assert verdict == f"Only {names[loadable.index(True)]} runs it with a file an engine loads.", verdict
        return
    if fast >= wording.COMPARE_MARGIN * slow:
        assert f"{names[decode.index(fast)]} is faster at decode" in verdict, verdict
        assert f"{names[decode.index(slow)]} is faster at decode" not in verdict, verdict
    else:
        assert verdict.startswith("About as fast at decode"), verdict
    tiers = [s["readings"][0]["pick"]["tier"] for s in sides]
    assert ("runs a better quant" in verdict) is (tiers[0] != tiers[1]), (tiers, verdict)


# (model, hardware, quant): a server checkpoint asked for where its f16 cache does not fit at the default context
SERVER_CHECKPOINTS = [
    ("qwen3 32b", "rtx 3090", "AWQ"),
    ("llama 3.3 70b", "2x rtx 3090", "AWQ"),
    ("qwen2.5 72b", "2x rtx 3090", "AWQ"),
]


@pytest.mark.parametrize(("model", "hardware", "quant"), SERVER_CHECKPOINTS)
def test_a_server_checkpoint_is_not_given_llama_cpps_cache(
    real_catalog: Catalog, model: str, hardware: str, quant: str
) -> None:
    """llama.cpp's q8_0 cache is no setting of vLLM or SGLang (their plans choose an fp8 cache): a server checkpoint
    trades context, never that cache type. /recommend had listed 2x 3090 Ti for Llama 3.3 70B at 20 tok/s as 'AWQ with
    a q8_0 KV cache, split across GPUs (whole layers per card)'."""
    answer = run_request(real_catalog, "fit", {"model": model, "hardware": hardware, "quant": quant}, Frontend.CLI)
    assert answer.error is None, answer.error
    pick = answer.report.readings[0].pick
    assert pick is None or pick.kv_type == "f16", (pick.quant, pick.kv_type)


@pytest.mark.parametrize(
    "args",
    [{"model": "llama 3.3 70b", "min_tps": "20"}, {"model": "qwen2.5 72b", "min_tps": "15"}, {"model": "qwen3 32b"}],
    ids=["llama-70b-20", "qwen2.5-72b-15", "qwen3-32b"],
)
def test_recommended_server_checkpoints_read_as_servers_run_them(real_catalog: Catalog, args: dict[str, str]) -> None:
    answer = run_request(real_catalog, "recommend", args, Frontend.CLI)
    assert answer.error is None, answer.error
    for line in to_text(answer.card).splitlines():
        if any(f" · {q}" in line for q in ("AWQ", "GPTQ", "FP8", "NVFP4")):
            assert "q8_0" not in line and "whole layers" not in line, line


# /whatfits on rigs where a coder runs at 4 bits: "laptop 4070 8gb 32gb ram coding model" had been answered with
# Qwen3-Coder-Next at Q2_K (degraded), which also marked the Q4_K_M of Qwen3-Coder-30B-A3B as superseded
CODING_RIGS = [
    "laptop rtx 4070 8gb + 32gb ddr5",
    "rtx 3060 12gb + 32gb ddr4",
    "rtx 4060 8gb + 32gb ram",
    "rx 7600 8gb + 16gb ram",
]


@pytest.mark.parametrize("hardware", CODING_RIGS)
def test_the_coding_pick_is_not_a_degraded_quant(real_catalog: Catalog, hardware: str) -> None:
    answer = run_request(real_catalog, "whatfits", {"hardware": hardware}, Frontend.CLI)
    assert answer.error is None, answer.error
    coding = [line for line in to_text(answer.card).splitlines() if line.startswith("*coding*")]
    assert len(coding) == 1 and "below 3 bits" not in coding[0], coding
