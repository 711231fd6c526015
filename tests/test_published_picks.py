"""The pick comes with a command that starts: questions as people ask them ("what quant of qwen3 32b fits my 4060 ti
16gb?", "glm 4.5 air on an a6000?") and the file a regular would link, from the repo that publishes it. Before
these repos' files were in the catalog, each of these cards printed "no published GGUF of IQ3_XXS in the catalog
to point it at" and no command (bench/published_picks.py counts it over 15 rigs x 40 models)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware, parse_model
from engine.serve import Engine

# (model as typed, hardware as typed, context asked, quants a regular would link, the repo they come from, why)
PICKS = [
    # r/LocalLLaMA: "Qwen3-32B on 16 GB: bartowski's IQ3_XXS/IQ3_XS with a short context, or offload"
    ("qwen3 32b", "4060 ti 16gb", None, {"IQ3_XXS", "IQ3_XS", "IQ3_M"}, "bartowski/Qwen_Qwen3-32B-GGUF", "3 bits"),
    # "Mistral Small 3.2 on a 3060 12GB at 16k": a 2-3 bit file someone publishes, not one no repo has
    ("mistral small 3.2", "3060 12gb", 16384, {"Q2_K", "IQ3_XXS", "IQ3_M"}, None, "a file that exists"),
    # the MoE everyone runs on 16 GB: Unsloth's dynamic 3-bit, all on the card
    ("qwen3.5 35b a3b", "4060 ti 16gb", None, {"UD-IQ3_XXS", "UD-Q3_K_XL"}, "unsloth/Qwen3.5-35B-A3B-GGUF", "16 GB"),
    ("qwen3.5 27b", "3060 12gb", None, {"UD-IQ2_XXS", "UD-IQ2_M"}, "unsloth/Qwen3.5-27B-GGUF", "dense on 12 GB"),
    # the Qwen coder everyone asks about on a 3090: Qwen's own Q4_K_M with a shorter context
    ("qwen2.5 coder 32b", "3090", None, {"Q4_K_M"}, "Qwen/Qwen2.5-Coder-32B-Instruct-GGUF", "32B at 4 bits on 24 GB"),
    # 48 GB for a 106B MoE: Unsloth's UD-Q2_K_XL (47 GB), the single-file quant people download
    ("glm 4.5 air", "rtx a6000", None, {"UD-Q2_K_XL"}, "unsloth/GLM-4.5-Air-GGUF", "106B-A12B on 48 GB"),
]


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quants", "repo", "why"), PICKS, ids=[f"{p[0]}@{p[1]}" for p in PICKS]
)
def test_the_pick_has_a_published_file_and_a_command(
    real_catalog: Catalog,
    model: str,
    hardware: str,
    context: int | None,
    quants: set[str],
    repo: str | None,
    why: str,
) -> None:
    m = parse_model(model, real_catalog)
    pick = fit(m, parse_hardware(hardware, real_catalog)[:1], FitOptions(context=context)).readings[0].pick
    assert pick is not None, why
    assert pick.quant in quants, (pick.quant, why)
    plan = pick.option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None, (pick.option.serve.refused, why)
    assert plan.weights_basis == "published" and plan.checkpoint.endswith(f":{pick.quant}"), plan.checkpoint
    assert repo is None or plan.checkpoint == f"{repo}:{pick.quant}", plan.checkpoint


# A Mac whose pick is an MLX build: llama.cpp (LM Studio, Ollama's GGUF path) right after it on the GGUF of about the
# same bits a repo publishes, with its own checkpoint (how most Mac users run these models).
MAC = [
    ("qwen3.5-35b-a3b", "mac studio m4 max 128gb", "unsloth/Qwen3.5-35B-A3B-GGUF:Q8_0"),
    ("nemotron 3 nano", "m4 max 128gb", "ggml-org/Nemotron-Nano-3-30B-A3B-GGUF:Q8_0"),
    ("glm 4.5 air", "m4 pro 64gb", "unsloth/GLM-4.5-Air-GGUF:UD-Q2_K_XL"),
]


@pytest.mark.parametrize(("model", "hardware", "checkpoint"), MAC, ids=[f"{p[0]}@{p[1]}" for p in MAC])
def test_a_mac_pick_has_a_llama_cpp_command(real_catalog: Catalog, model: str, hardware: str, checkpoint: str) -> None:
    m = parse_model(model, real_catalog)
    pick = fit(m, parse_hardware(hardware, real_catalog)[:1]).readings[0].pick
    assert pick is not None
    plan = pick.option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None and plan.checkpoint == checkpoint, (pick.quant, plan and plan.checkpoint)
