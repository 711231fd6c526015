"""The pick climbs the quant ladder where a publisher's file exists: questions as owners of big-memory rigs ask them
("qwen3 235b on my strix halo 128?", "minimax m2 on a 256gb mac studio", "kimi k2 on a 512gb m3 ultra"). Before these
files were in the catalog each pick fell a tier to the file that was listed (UD-Q2_K_XL, Q2_K_L) while a 3- or 4-bit
quant fitted with an estimated size and no command. Each case names the tier an owner runs and the file's repo."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.fit import fit
from engine.parse import parse_hardware, parse_model
from engine.serve import Engine

# (model as typed, hardware as typed, tier the pick must have, quants an owner links, the repo they come from)
LADDER = [
    # Strix Halo / DGX Spark / 128 GB Mac owners benchmark Unsloth's UD-Q3_K_XL of Qwen3-235B (lhl, visorcraft)
    ("qwen3 235b", "strix halo 128", "fair", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    ("Qwen3-235B-A22B", "dgx spark", "fair", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    ("qwen3 235b a22b", "mac studio m4 max 128gb", "fair", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    ("qwen 3 235b", "rtx 5090 + 96gb ddr5", "fair", {"UD-Q3_K_XL"}, "unsloth/Qwen3-235B-A22B-GGUF"),
    # MiniMax-M2 at 4 bits where it fits, not the 2-bit Q2_K_L
    ("minimax m2", "m3 ultra 256gb", "good", {"Q4_K_M"}, "unsloth/MiniMax-M2-GGUF"),
    ("minimax-m2", "4x rtx 3090 + 256gb ddr5", "good", {"Q4_K_M"}, "unsloth/MiniMax-M2-GGUF"),
    # MiniMax-M2.7 on 128 GB: Unsloth's UD-IQ4_XS (108 GB), which a Strix Halo owner ran at ~28 tok/s
    ("minimax m2.7", "strix halo 128gb", "good", {"UD-IQ4_XS"}, "unsloth/MiniMax-M2.7-GGUF"),
    ("MiniMax-M2.7", "dgx spark", "good", {"UD-IQ4_XS"}, "unsloth/MiniMax-M2.7-GGUF"),
    # Llama 4 Scout on 48 GB: Unsloth's single-file Q3_K_S (46.7 GB) on the cards, not the UD-Q2_K_XL
    ("llama 4 scout", "rtx a6000", "fair", {"Q3_K_S"}, "unsloth/Llama-4-Scout-17B-16E-Instruct-GGUF"),
    ("llama-4-scout", "2x rtx 3090", "fair", {"Q3_K_S"}, "unsloth/Llama-4-Scout-17B-16E-Instruct-GGUF"),
    # "Qwen3.6 35B on a 4060 Ti 16GB": Unsloth's UD-IQ3_XXS (13.2 GB) on the card, which an owner benchmarks at 81 tok/s
    ("qwen3.6 35b a3b", "rtx 4060 ti 16gb", "fair", {"UD-IQ3_XXS"}, "unsloth/Qwen3.6-35B-A3B-GGUF"),
    # Kimi K2 on a 512 GB Mac Studio: a 3-bit dynamic file, not the 2-bit one
    ("kimi k2", "mac studio m3 ultra 512gb", "fair", {"UD-IQ3_XXS"}, "unsloth/Kimi-K2-Instruct-GGUF"),
]


@pytest.mark.parametrize(
    ("model", "hardware", "tier", "quants", "repo"), LADDER, ids=[f"{c[0]}@{c[1]}" for c in LADDER]
)
def test_the_pick_is_the_higher_tier_file_with_a_command(
    real_catalog: Catalog, model: str, hardware: str, tier: str, quants: set[str], repo: str
) -> None:
    pick = fit(parse_model(model, real_catalog), parse_hardware(hardware, real_catalog)[:1]).readings[0].pick
    assert pick is not None
    assert pick.tier.value == tier and pick.quant in quants, (pick.quant, pick.tier)
    plan = pick.option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None, pick.option.serve.refused
    assert plan.weights_basis == "published"
    assert plan.checkpoint == f"{repo}:{pick.quant}", plan.checkpoint
