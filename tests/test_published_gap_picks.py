"""Picks that had no command until the publishers' lower-bit files were in the catalog: the rigs and models people
ask about ("qwen3 14b on my 4060 8gb?", "can 4x3090 + 256gb run deepseek v3?", "mixtral on an m1 max 32gb?") each
printed "no published GGUF of IQ3_XXS in the catalog to point it at". Each case names the files a regular would
link for that rig and the repo that publishes them; the pick must be one of them, with a llama.cpp command on it."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.fit import fit
from engine.parse import parse_hardware, parse_model
from engine.serve import Engine

R1_DISTILL = "bartowski/DeepSeek-R1-Distill-Qwen-32B-GGUF"
CODER = "bartowski/Qwen2.5-Coder-32B-Instruct-GGUF"
QWEN35_122B = "unsloth/Qwen3.5-122B-A10B-GGUF"

# (model as typed, hardware as typed, files a regular would link, the repo they come from)
GAPS = [
    # 8 GB: a 14B at 2-3 bits, Unsloth's files (the exact byte counts from the Hub)
    ("qwen3 14b", "rtx 4060 8gb", {"Q2_K", "UD-IQ2_M", "UD-IQ3_XXS", "Q3_K_S"}, "unsloth/Qwen3-14B-GGUF"),
    ("Qwen3-14B", "4060 laptop 8gb", {"Q2_K", "UD-IQ2_M", "UD-IQ3_XXS", "Q3_K_S"}, "unsloth/Qwen3-14B-GGUF"),
    # a dense 31B on 12 and 16 GB: Unsloth's dynamic 2- and 3-bit files
    ("gemma 4 31b", "3060 12gb", {"UD-IQ2_XXS", "UD-IQ3_XXS"}, "unsloth/gemma-4-31B-it-GGUF"),
    ("gemma-4-31b-it", "4060 ti 16gb", {"UD-IQ3_XXS", "IQ4_XS"}, "unsloth/gemma-4-31B-it-GGUF"),
    # with RAM beside it, the 3-bit K-quant whose offload reaches a useful speed too
    ("gemma 4 31b", "rtx 3060 12gb + 32gb ddr4", {"UD-IQ3_XXS", "IQ4_XS", "Q3_K_M"}, "unsloth/gemma-4-31B-it-GGUF"),
    # the 30B MoE on 12 GB
    ("glm 4.7 flash", "3060 12gb", {"UD-IQ2_XXS", "Q2_K_L", "UD-IQ3_XXS"}, "unsloth/GLM-4.7-Flash-GGUF"),
    # "R1 distill 32B on a 12 GB card": bartowski's IQ2 files
    ("deepseek r1 distill qwen 32b", "3060 12gb", {"IQ2_XXS", "IQ2_XS", "IQ2_M"}, R1_DISTILL),
    ("r1 distill 32b", "rtx 4070 12gb", {"IQ2_XXS", "IQ2_XS", "IQ2_M"}, R1_DISTILL),
    # the 671B on a 4x3090 server with 256 GB of DDR4: a 2-3 bit file from Unsloth, experts in RAM
    ("deepseek v3", "4x3090 + 256gb ddr4", {"Q3_K_M", "Q2_K_XS"}, "unsloth/DeepSeek-V3-GGUF"),
    ("deepseek v3 0324", "4x 3090, 256GB DDR4", {"Q3_K_M", "Q2_K_XS"}, "unsloth/DeepSeek-V3-GGUF"),
    # "Qwen2.5 Coder 32B on my 12 GB card": bartowski's IQ2 files (Qwen's own repo stops at Q2_K, 12.3 GB)
    ("qwen2.5 coder 32b", "rtx 3060 12gb", {"IQ2_XXS", "IQ2_XS", "IQ2_M"}, CODER),
    ("qwen 2.5 coder 32b instruct", "4070 super 12gb", {"IQ2_XXS", "IQ2_XS", "IQ2_M"}, CODER),
    # Mistral Nemo on an 8 GB card: bartowski's IQ3_M
    ("mistral nemo", "rtx 4060 8gb", {"IQ3_M"}, "bartowski/Mistral-Nemo-Instruct-2407-GGUF"),
    # "Qwen3 235B on 128 GB": Unsloth's UD-Q3_K_XL (96.6 GiB, what Strix Halo owners benchmark), on a Mac, a Strix
    # Halo or in a CPU box's RAM; the UD-Q2_K_XL (88 GB) had been the pick while the 3-bit file was not in the catalog
    ("qwen3 235b", "m4 max 128gb", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    ("qwen3-235b-a22b", "strix halo 128gb", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    ("qwen3 235b a22b", "128gb ddr5 cpu only", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    # Mixtral on a 32 GB Mac and on one 3090: TheBloke's 2-3 bit files
    ("mixtral 8x7b", "m1 max 32gb", {"Q3_K_M", "Q2_K"}, "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF"),
    ("mixtral", "rtx 3090", {"Q3_K_M", "Q2_K"}, "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF"),
    # "Qwen3.5 122B on 48 GB / two 3090s / a 12 GB card with 32 GB of RAM": Unsloth's 2-3 bit dynamic files
    ("qwen3.5 122b", "rtx a6000", {"UD-IQ3_S", "UD-IQ3_XXS"}, QWEN35_122B),
    ("Qwen3.5-122B-A10B", "2x rtx 3090", {"UD-IQ3_XXS", "UD-IQ3_S", "UD-Q2_K_XL"}, QWEN35_122B),
    ("qwen3.5-122b-a10b", "rtx 3060 12gb + 32gb ddr4", {"UD-IQ2_M", "UD-IQ2_XXS"}, QWEN35_122B),
    # "Nemotron 3 Nano on a 3090": a 4-bit i-quant on the card
    ("nemotron 3 nano", "rtx 3090", {"IQ4_XS"}, "unsloth/Nemotron-3-Nano-30B-A3B-GGUF"),
    # "GLM-4.6 on a 96 GB Mac": Unsloth's 1-bit dynamic files (TQ1_0 84 GB, IQ1_S 96 GB)
    ("glm 4.6", "mac studio m2 max 96gb", {"UD-TQ1_0", "UD-IQ1_S"}, "unsloth/GLM-4.6-GGUF"),
]


@pytest.mark.parametrize(("model", "hardware", "quants", "repo"), GAPS, ids=[f"{g[0]}@{g[1]}" for g in GAPS])
def test_the_pick_is_a_published_file_with_a_command(
    real_catalog: Catalog, model: str, hardware: str, quants: set[str], repo: str
) -> None:
    pick = fit(parse_model(model, real_catalog), parse_hardware(hardware, real_catalog)[:1]).readings[0].pick
    assert pick is not None
    assert pick.quant in quants, pick.quant
    plan = pick.option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None, pick.option.serve.refused
    assert plan.weights_basis == "published"
    assert plan.checkpoint == f"{repo}:{pick.quant}", plan.checkpoint
