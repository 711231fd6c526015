"""Every serve plan of every option, over a matrix of models and rigs people ask about (1-16 GPUs, mixed cards,
Pascal to Blackwell, MI300X, Apple, DGX Spark, clusters), checked against each engine's rules. Each rule below names
the documentation it comes from (the rules live in bench/command_audit.py, which also audits a wider set of cards);
a plan that breaks one would be a command that does not start as printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.command_audit import RULES, Rule
from bot.cards import serve_command, to_text
from bot.commands import fit_answer
from bot.report_json import fit_json
from catalog.catalog import Catalog
from catalog.types import Model
from engine import flags
from engine.fit import QuantOption, fit
from engine.parse import parse_hardware
from engine.rig import Rig
from engine.serve import Engine

MODELS = ("llama-3.1-8b", "qwen3-32b", "llama-3.3-70b", "qwen3-30b-a3b", "gpt-oss-120b", "deepseek-r1", "glm-5.2")
RIGS = (
    "GTX 1080 Ti",  # Pascal, CC 6.1
    "2x Tesla P40",  # Pascal, CC 6.1
    "RTX 2080 Ti",  # Turing, CC 7.5
    "RTX 3090",
    "3x RTX 3090",  # a tensor-parallel size the heads may not divide
    "RTX 4090 + RTX 3090",  # mixed cards
    "RTX 4090 + 64GB DDR5",  # expert offload
    "2x RTX 5090",  # Blackwell
    "8x H100",
    "16x H200",  # two nodes
    "8x MI300X",
    "RX 7900 XTX + RTX 3090",  # AMD and NVIDIA
    "M3 Ultra 512GB",
    "DGX Spark",
    "2x M3 Ultra 512GB",  # a cluster of Macs
)
# pairs beyond the matrix: an MLX checkpoint too large for one Mac (exo over two); MoE models with their experts in
# RAM from a file the catalog names (ik_llama.cpp: a 4090 with 128 GB of DDR5, a 768 GB EPYC on its own)
EXTRA = (
    ("deepseek-v3.1", "2x M3 Ultra 512GB"),
    ("qwen3-235b-a22b", "RTX 4090 + 128GB DDR5"),
    ("deepseek-r1", "EPYC 9654 768GB"),
    # from the round-2 audit of cards for questions nobody here wrote: hybrid MoE models with experts in RAM (Jamba,
    # Granite 4.0 H, Nemotron 3), Gemma on Turing cards (no bfloat16), an AMD and an NVIDIA card in one box
    ("jamba-mini-1.7", "RTX 3060 12GB + 32GB DDR4"),
    ("granite-4.0-h-small", "Ryzen 9 7950X 64GB DDR5"),
    ("nemotron-3-nano-30b-a3b", "RTX 3060 12GB + 32GB DDR4"),
    ("gemma-3-4b", "T4"),
    ("gemma-2-9b", "RTX 2080 Ti"),
    ("qwen3-32b", "RX 7900 XTX + RTX 3090"),
    ("gpt-oss-120b", "8x T4"),  # gpt-oss's own MXFP4 release needs compute capability 8.0 in vLLM and SGLang
)


def _options(cat: Catalog) -> Iterator[tuple[str, str, Model, Rig, QuantOption]]:
    pairs = [(m, h) for m in MODELS for h in RIGS] + list(EXTRA)
    for model_id, hardware in pairs:
        model = cat.models[model_id]
        reading = parse_hardware(hardware, cat)
        for option in fit(model, reading).readings[0].options:
            yield model_id, hardware, model, reading[0].rig, option


@pytest.fixture(scope="module")
def matrix(real_catalog: Catalog) -> list[tuple[str, str, Model, Rig, QuantOption]]:
    return list(_options(real_catalog))


@pytest.mark.parametrize(("rule", "source", "check"), RULES, ids=[r[0] for r in RULES])
def test_every_plan_keeps_the_rule(
    matrix: list[tuple[str, str, Model, Rig, QuantOption]], rule: str, source: str, check: Rule
) -> None:
    broken = [
        f"{model_id} {o.quant} on {hardware}, {p.engine}: {problem}"
        for model_id, hardware, model, rig, o in matrix
        for p in o.serve.plans
        if (problem := check(model, rig, o, p)) is not None
    ]
    assert not broken, f"{rule} ({source}):\n" + "\n".join(broken[:10])


def test_the_matrix_has_plans_of_every_engine(matrix: list[tuple[str, str, Model, Rig, QuantOption]]) -> None:
    engines = {p.engine for *_, o in matrix for p in o.serve.plans}
    assert engines == set(Engine)


def test_the_matrix_has_plans_made_without_a_repo_of_the_format(
    matrix: list[tuple[str, str, Model, Rig, QuantOption]],
) -> None:
    """The new rules above see plans to check: vLLM's online FP8 and mlx_lm.convert's MLX folders."""
    steps = [s for *_, o in matrix for p in o.serve.plans for s in p.steps]
    assert any(a.flag == "--quantization" for s in steps for a in s.args)
    assert any(s.words == ("mlx_lm.convert",) for s in steps)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("hardware", ["8x H100", "RTX 4090 + 64GB DDR5", "2x M3 Ultra 512GB", "Tesla P40"])
@pytest.mark.parametrize("model", ["deepseek-r1", "glm-5.2", "llama-3.3-70b"])
def test_no_placeholder_reaches_a_card_or_json(real_catalog: Catalog, model: str, hardware: str) -> None:
    answer = fit_answer(real_catalog, model, hardware)
    text = to_text(answer.card)
    assert "<" not in text and ">" not in text.replace("->", ""), text
    report = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog))
    found = [s for s in _strings(fit_json(report)) if "<" in s and "->" not in s]
    assert not found, found[:3]


# The Ollama library's own tag where the catalog lists one for the quant (one download, Ollama's build), else the
# Hugging Face GGUF (https://huggingface.co/docs/hub/ollama).
OLLAMA_REFS = [
    ("llama-3.3-70b", "2x RTX 3090", "llama3.3:70b-instruct-q4_K_M"),
    ("qwen2.5-coder-32b", "RTX 3090", "qwen2.5-coder:32b-instruct-q4_K_M"),
    # Q8_0 fits two 3090s; no catalog repo lists its GGUF, the library's tag serves it
    ("qwen2.5-coder-32b", "2x RTX 3090", "qwen2.5-coder:32b-instruct-q8_0"),
    ("llama-3.1-8b", "RTX 3090", "hf.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q8_0"),
    # gpt-oss ships MXFP4; the library's tag is one blob where the GGUF repos split the 120b in parts
    ("gpt-oss-120b", "strix halo 128", "gpt-oss:120b"),
    ("gpt-oss-120b", "H100", "gpt-oss:120b"),
]


@pytest.mark.parametrize(("model", "hardware", "ref"), OLLAMA_REFS)
def test_ollama_pulls_the_library_tag_where_there_is_one(
    real_catalog: Catalog, model: str, hardware: str, ref: str
) -> None:
    best = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog)).readings[0].best_option
    assert best is not None
    plan = best.serve.plan(Engine.OLLAMA)
    assert plan is not None and plan.checkpoint == ref
    assert flags.check_command(serve_command(plan)) == []
