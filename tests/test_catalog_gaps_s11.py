"""Catalog facts the fourth expert review (tests/data/expert_review.yaml, session 11) found missing, and the answers
they change: each case asks as the CLI does and asserts the pick, the engine that starts it, or the price offered,
not the wording."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import run_request
from bot.requests import Frontend
from catalog.catalog import Catalog
from engine.kernels import CpuSpec


def _fit(catalog: Catalog, **args: Any) -> Any:
    answer = run_request(catalog, "fit", args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


# (model, hardware, quant asked or None, the pick's quant, its size basis): a published file is now the pick
PICKS = [
    # unsloth's UD-Q4_K_XL (45.1 GB) fits two 24 GB cards at 32k: was Q3_K_S, the only file under 48 GB in the catalog
    ("qwen3 next 80b", "2x rtx 3090", None, "UD-Q4_K_XL", "published"),
    # bartowski's Q8_0 (117.46 GB): was sized by estimate (113 GB)
    ("glm 4.5 air", "macbook pro m4 max 128gb", None, "Q8_0", "published"),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "pick", "basis"), PICKS)
def test_the_published_file_is_the_pick(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None, pick: str, basis: str
) -> None:
    answer = _fit(real_catalog, model=model, hardware=hardware, **({"quant": quant} if quant else {}))
    chosen = answer.report.readings[0].pick
    assert chosen is not None and chosen.quant == pick, chosen
    assert chosen.option.weights_basis == basis, chosen.option.weights_basis
    command = answer.data["readings"][0]["pick"]["option"]["llama_cpp"] or ""
    assert command.startswith("llama-server") and f":{pick}" in command, command


# (model, hardware, quant asked, engine, the checkpoint it loads): Qwen's own server checkpoints, which vLLM refused
# (FP8: sized as BF16 made FP8 on load; AWQ: no server checkpoint) before the catalog had them
SERVED = [
    ("qwen3 30b a3b", "2x rtx 5090", "FP8", "vllm", "Qwen/Qwen3-30B-A3B-FP8"),
    ("qwen3 30b a3b", "2x rtx 5090", "FP8", "sglang", "Qwen/Qwen3-30B-A3B-FP8"),
    ("qwen3 30b a3b", "2x rtx 3090", "AWQ", "vllm", "Qwen/Qwen3-30B-A3B-GPTQ-Int4"),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "engine", "checkpoint"), SERVED)
def test_the_server_starts_the_published_checkpoint(
    real_catalog: Catalog, model: str, hardware: str, quant: str, engine: str, checkpoint: str
) -> None:
    pick = _fit(real_catalog, model=model, hardware=hardware, quant=quant).report.readings[0].pick
    assert pick is not None
    plans = {plan.engine.value: plan for plan in pick.option.serve.plans}
    assert engine in plans, [(r.engine.value, r.reason.value) for r in pick.option.serve.refused]
    assert plans[engine].checkpoint == checkpoint and plans[engine].weights_basis == "published", plans[engine]
    assert engine not in {r.engine.value for r in pick.option.serve.refused}


# (model, hardware, provider): /cost compares with an API price the catalog serves (DeepSeek's own ended 2026-04-24)
PRICED = [("deepseek v3.1", "m3 ultra 512gb", "OpenRouter")]


@pytest.mark.parametrize(("model", "hardware", "provider"), PRICED)
def test_cost_has_an_api_to_compare(real_catalog: Catalog, model: str, hardware: str, provider: str) -> None:
    answer = run_request(real_catalog, "cost", {"model": model, "hardware": hardware}, Frontend.CLI)
    assert answer.error is None and answer.data is not None, answer.error
    providers = [api["provider"] for api in answer.data["api"]]
    assert provider in providers, providers


# (cpu id, cores, base clock MHz): the Raspberry Pi 5's Cortex-A76 cores and clock are in the catalog...
CPUS = [("raspberry-pi-5-bcm2712", 4, 2400)]


@pytest.mark.parametrize(("cpu_id", "cores", "clock_mhz"), CPUS)
def test_arm_board_cores_and_clock(real_catalog: Catalog, cpu_id: str, cores: int, clock_mhz: int) -> None:
    cpu = real_catalog.cpus[cpu_id]
    assert (cpu.cores, cpu.base_clock_mhz) == (cores, clock_mhz)
    assert cpu.avx2 is None and cpu.vnni is None  # x86 instruction sets: not claimed for an Arm core


# ... and CPU prefill is modelled for its Arm int8 path (SDOT on the Cortex-A76: engine/kernels.py ARM_INT8; the
# other Arm parts are in tests/test_prefill_paths_s13.py).
@pytest.mark.parametrize(("cpu_id", "arm_int8"), [("raspberry-pi-5-bcm2712", "dotprod")])
def test_arm_cpu_prefill_is_modelled(real_catalog: Catalog, cpu_id: str, arm_int8: str) -> None:
    spec = CpuSpec.of(real_catalog.cpus[cpu_id])
    assert spec is not None and spec.arm_int8 == arm_int8
