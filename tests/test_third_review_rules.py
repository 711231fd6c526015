"""Rules found by the third expert review (tests/data/expert_review.yaml, session 10), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- a machine with less than 12 GiB keeps a third of its memory for its OS, not a flat 4 GiB: a 4 GB Raspberry Pi
  had been told nothing runs (`gemma 3 1b on raspberry pi 5 4gb`), a Jetson Orin Nano 8GB had 4 GB for its GPU;
- /recommend's upgrades stay within the budget asked, and a step to 3 bits is offered where the rig runs 2 bits or
  nothing (a 3060 owner asking what under $1000 runs a 70B had been offered a $2,300 card and a $3,477 server, and no
  used 3090);
- /cost spreads a day's hardware and power over the tokens the machine processes: asked for more than it can do,
  its cost per million is that of its capacity (8x 3090 asked for 50M tokens of Qwen3-235B a day had read $0.30/M
  where it does 9M a day at $1.70/M)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cards import fmt_range, to_text
from bot.commands import run_request
from bot.requests import Frontend
from bot.wording import RAM_SIZES_GIB
from catalog.catalog import Catalog
from engine import memory, serve
from engine.cost import processed_tokens_per_day
from engine.units import GIB


def _run(catalog: Catalog, command: str, **args: Any) -> Any:
    answer = run_request(catalog, command, args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


# --- the OS's share of a small machine -------------------------------------------------------------------------------

# (total GiB, GiB kept for the OS): a third below 12 GiB, 4 GiB from there up
RESERVES = [(1, 1 / 3), (4, 4 / 3), (8, 8 / 3), (12, 4), (16, 4), (64, 4), (512, 4)]


@pytest.mark.parametrize(("total_gib", "reserve_gib"), RESERVES)
def test_the_os_keeps_a_third_of_a_small_machine(total_gib: int, reserve_gib: float) -> None:
    assert memory.os_reserve_bytes(total_gib * GIB) == pytest.approx(reserve_gib * GIB, abs=1)


# (model, hardware as people name them, what runs there): small boards and their small models
SMALL_MACHINES = [
    ("gemma 3 1b", "raspberry pi 5 4gb", "cpu"),  # Pi 5 4GB runs gemma3:1b at 10-15 tok/s in published posts
    ("qwen3 0.6b", "raspberry pi 4 4gb", "cpu"),
    ("qwen3 1.7b", "raspberry pi 5 4gb", "cpu"),
    ("llama 3.1 8b", "raspberry pi 5 8gb", "cpu"),  # Q4_K_M (4.9 GB) at a shorter context, ~2 tok/s
    ("llama 3.1 8b", "jetson orin nano 8gb", "unified"),  # ~5.2 GB free for its GPU, measured
    ("gemma 3 4b", "jetson orin nano 8gb", "unified"),
]


@pytest.mark.parametrize(("model", "hardware", "placement"), SMALL_MACHINES)
def test_a_small_machine_runs_a_small_model(real_catalog: Catalog, model: str, hardware: str, placement: str) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    pick = answer.report.readings[0].pick
    assert pick is not None and pick.option.verdict != "does-not-fit", model
    assert pick.option.placement.kind == placement, pick.option.placement.kind
    assert answer.data["readings"][0]["pick"]["option"]["llama_cpp"], pick.quant  # a command that starts it


def test_a_small_board_gets_models_in_whatfits(real_catalog: Catalog) -> None:
    """'what runs on a 4gb raspberry pi 5': models, not 'no catalog model runs usefully'."""
    answer = _run(real_catalog, "whatfits", hardware="raspberry pi 5 4gb")
    assert answer.data["models"], answer.data


# --- upgrades within the budget, a step at a time ---------------------------------------------------------------------

# (model, the rig people have, budget): every upgrade offered costs at most the budget
BUDGETED = [
    ("llama 3.3 70b", "rtx 3060 12gb + 32gb ddr4", 1000),  # "what can I upgrade for under $1000 to run 70b"
    ("glm 4.5 air", "rtx 4060 ti 16gb + 32gb ddr5", 600),
    ("qwen3 235b", "rtx 3090 + 64gb ddr4", 5000),  # not the $6,000 A100
    ("gpt-oss 120b", "rtx 3060 12gb + 32gb ddr5", 800),  # RAM or a 3090, not a $3,477 server
]


def _upgrades(answer: Any) -> list[dict[str, Any]]:
    return list(answer.data["upgrades"]["options"])


@pytest.mark.parametrize(("model", "hardware", "budget"), BUDGETED)
def test_upgrades_stay_within_the_budget(real_catalog: Catalog, model: str, hardware: str, budget: int) -> None:
    answer = _run(real_catalog, "recommend", model=model, hardware=hardware, budget=budget)
    upgrades = _upgrades(answer)
    assert upgrades, f"nothing within ${budget} for {model} on {hardware}"
    assert all(u["price_usd"] <= budget for u in upgrades), [u["price_usd"] for u in upgrades]


# (model, the rig, the card a 3-bit step adds): a rig that runs 2 bits or nothing is offered the step to 3 bits
THREE_BIT_STEPS = [
    ("llama 3.3 70b", "rtx 3060 12gb + 32gb ddr4", "RTX 3090"),  # 12 + 24 GB: IQ3_M over both cards
    ("llama 3.3 70b", "rtx 3060 12gb", "RTX 3090"),
]


@pytest.mark.parametrize(("model", "hardware", "card"), THREE_BIT_STEPS)
def test_a_step_to_three_bits_is_offered(real_catalog: Catalog, model: str, hardware: str, card: str) -> None:
    answer = _run(real_catalog, "recommend", model=model, hardware=hardware, budget=1000)
    upgrades = _upgrades(answer)
    steps = [u for u in upgrades if u["kind"] == "add-other-card" and (u["device"] or "").endswith(card)]
    assert steps, [u["device"] for u in upgrades]
    assert steps[0]["tier"] == "fair", steps[0]["quant"]


# --- a day's cost over the tokens the machine processes --------------------------------------------------------------

# (model, hardware, tokens a day asked): more than the machine does in a day, and less
VOLUMES = [
    ("qwen3 235b", "8x rtx 3090", 50_000_000),  # "serving 50M tokens a day"
    ("glm 4.5 air", "rtx 3060 12gb + 64gb ddr4", 20_000_000),
    ("llama 3.3 70b", "2x rtx 3090", 30_000_000),
    ("llama 3.3 70b", "2x rtx 3090", 1_000_000),
    ("qwen3 30b a3b", "rtx 4090", 20_000_000),
]


@pytest.mark.parametrize(("model", "hardware", "per_day"), VOLUMES)
def test_cost_counts_the_tokens_processed(real_catalog: Catalog, model: str, hardware: str, per_day: int) -> None:
    data = _run(real_catalog, "cost", model=model, hardware=hardware, tokens_per_day=per_day).data
    local = data["local"]
    assert local["usd_per_m_tokens"] is not None and local["max_tokens_per_day"], local
    # the day's most: one request at a time, or batched where that does more (session 13's sixth review)
    most = max(local["max_tokens_per_day"], data["capacity_tokens_per_day"]["batched"] or 0)
    processed = processed_tokens_per_day(per_day, most)
    assert processed == min(per_day, most)
    day = local["usd_hardware"] / (3 * 365.25) + (local["usd_power_per_day"] or 0.0)
    assert local["usd_per_m_tokens"] == pytest.approx(day / (processed / 1e6), rel=0.01)


# --- GPUs without RAM whose pick no engine loads: the least RAM that runs a file one does -----------------------------

# (model, GPUs as people list them, with no RAM said): the pick on the cards alone is a size no repo publishes
LEAST_RAM = [
    ("deepseek v3", "8x rtx 3090"),  # Unsloth's smallest files miss the cards by whole-layer packing
    ("gemma 3 27b", "rtx 3060 12gb"),
    ("glm 4.5 air", "2x rtx 3090"),
    ("kimi k2", "8x rtx 3090"),  # nothing fits the cards at all
]


@pytest.mark.parametrize(("model", "hardware"), LEAST_RAM)
def test_the_least_ram_that_runs_a_loadable_file(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    hint = answer.report.readings[0].with_ram
    assert hint is not None and hint.least_quant and hint.least_ram_bytes, hint
    assert hint.least_ram_bytes < hint.ram_bytes and hint.least_quant != hint.quant
    said = next(n for n in RAM_SIZES_GIB if n * GIB >= hint.least_ram_bytes)
    with_ram = _run(real_catalog, "fit", model=model, hardware=f"{hardware} + {said}gb ddr5")
    pick = with_ram.report.readings[0].pick
    assert pick is not None and pick.option.verdict != "does-not-fit" and pick.option.loadable, pick
    assert with_ram.data["readings"][0]["pick"]["option"]["llama_cpp"].startswith("llama-server"), pick.quant


# --- a server checkpoint's headline and speed are its engine's ------------------------------------------------------

# (model, hardware, quant asked): AWQ and FP8 checkpoints, which llama.cpp does not load
SERVER_CHECKPOINTS = [
    ("qwen3 32b", "4x rtx 3090", "AWQ"),  # "vllm on 4x 3090 for qwen3 32b awq how many users"
    ("llama 3.3 70b", "2x rtx 3090", "AWQ"),
    ("qwen3 30b a3b", "2x h100", "FP8"),
    ("kimi k2", "8x h200", None),  # "kimi k2 on 8x h200 vllm": the pick is the FP8 release
    ("qwen3 32b", "rtx 4090", "AWQ"),
]


@pytest.mark.parametrize(("model", "hardware", "quant"), SERVER_CHECKPOINTS)
def test_a_server_checkpoint_reads_as_its_engine_runs_it(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None
) -> None:
    args = {"model": model, "hardware": hardware} | ({"quant": quant} if quant else {})
    answer = _run(real_catalog, "fit", **args)
    option = answer.report.readings[0].pick.option
    plan = next(p for p in option.serve.plans if p.speed is not None)
    text = to_text(answer.card)
    split = f"tensor parallel {plan.tensor_parallel}" if plan.tensor_parallel > 1 else "on the GPU, in"
    assert f"{option.quant} ✅ fits: {split}" in text, text[:400]
    assert "whole layers per card" not in text.split("[Run it")[0]
    assert f"decode {fmt_range(plan.speed.one_user_tps)} for one user" in text.replace("**", "")
    assert "llama.cpp `-np" not in text  # llama.cpp's slots are not this checkpoint's concurrency


# (model, hardware): GGUF picks keep llama.cpp's placement words and speed
GGUF_SPLITS = [("llama 3.3 70b", "2x rtx 3090"), ("qwen3 32b", "4x rtx 3090")]


@pytest.mark.parametrize(("model", "hardware"), GGUF_SPLITS)
def test_a_gguf_split_keeps_llama_cpp_words(real_catalog: Catalog, model: str, hardware: str) -> None:
    text = to_text(_run(real_catalog, "fit", model=model, hardware=hardware).card)
    assert "whole layers per card" in text and "halfway into" in text


# --- /cost on GPUs without RAM on which the model does not run: what RAM would ---------------------------------------

# (model, GPUs as people list them): "gpt-oss 20b on a 3060 12gb vs openai api" had said only 'no local cost'
COST_WITHOUT_RAM = [
    ("gpt-oss 20b", "rtx 3060 12gb"),
    ("gpt-oss 120b", "rtx 4090"),
    ("qwen3 235b", "2x rtx 3090"),
]


@pytest.mark.parametrize(("model", "hardware"), COST_WITHOUT_RAM)
def test_cost_without_ram_says_what_ram_would_run_it(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = _run(real_catalog, "cost", model=model, hardware=hardware)
    assert answer.data["local"] is None
    assert "With system RAM beside" in to_text(answer.card)
    with_ram = _run(real_catalog, "cost", model=model, hardware=f"{hardware} + 128gb ddr5")
    assert with_ram.data["local"] is not None  # with the RAM said, a local cost
    assert "With system RAM beside" not in to_text(with_ram.card)


def test_break_even_is_said_at_the_volume_processed(real_catalog: Catalog) -> None:
    """'qwen3 coder 30b on a 3090 at 100M tokens a day': the card's months are at the ~35M the 3090 does."""
    answer = _run(real_catalog, "cost", model="qwen3 coder 30b", hardware="rtx 3090", tokens_per_day=100_000_000)
    # the day's most: one request at a time, or batched where that does more (session 13's sixth review)
    capacity = max(answer.data["local"]["max_tokens_per_day"], answer.data["capacity_tokens_per_day"]["batched"] or 0)
    assert capacity < 100e6 and answer.data["breakeven_months"] is not None
    assert f"at {capacity / 1e6:.3g}M tokens/day" in to_text(answer.card)


# --- a machine is bought for a file some engine loads --------------------------------------------------------------

# models whose cheapest builds had been priced for a 2-bit size no repo publishes ("cheapest way to run kimi k2")
BIG_MOES = ["kimi k2", "deepseek v3", "glm 4.6", "qwen3 coder 480b"]


@pytest.mark.parametrize("model", BIG_MOES)
def test_builds_are_priced_for_files_an_engine_loads(real_catalog: Catalog, model: str) -> None:
    answer = _run(real_catalog, "recommend", model=model)
    m = real_catalog.models[answer.data["model"]["id"]]
    published = {q.name: q for q in m.quants}
    quants = [c["quant"] for c in answer.data["candidates"]]
    assert quants
    for q in quants:
        found = published.get(q)
        assert serve.loadable(m, found, q, found.format if found else "gguf"), (q, quants)
