"""The Qwen3 2507 updates asked about as people ask in chats and forums ("qwen3 30b a3b instruct 2507 at 128k on a
3090", "can the 2507 do 256k?"): each release is its own model with 262,144 tokens natively, so a long context is
read without YaRN, its flags or its caveat, and above 262,144 the refusal names that limit. The April originals
(no "2507" in the name) keep their 32,768 native tokens and need YaRN at 128k, with the flags on their own files."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import ErrorCode, RigfitError
from engine.fit import ContextCaveat
from engine.parse import parse_model
from engine.parse.message import read_message
from engine.parse.options import parse_context
from engine.serve import Engine
from tests.test_yarn import LLAMA_YARN, fit_at, plan_tokens

ROPE_FLAGS = {"--rope-scaling", "--rope-scale", "--yarn-orig-ctx", "--hf-overrides", "--json-model-override-args"}


# (message as written, the model it means)
ASKED = [
    ("qwen3 30b a3b instruct 2507 at 128k on a 3090", "qwen3-30b-a3b-instruct-2507"),
    ("can qwen3-30b-a3b-instruct-2507 do 128k context on my rtx 3090?", "qwen3-30b-a3b-instruct-2507"),
    ("Qwen3-30B-A3B-Thinking-2507 on a 3090 with 128k context", "qwen3-30b-a3b-thinking-2507"),
    ("qwen3 30b a3b 2507 128k on a 3090", "qwen3-30b-a3b-instruct-2507"),
]


@pytest.mark.parametrize(("text", "model_id"), ASKED)
def test_a_2507_release_at_128k_needs_no_yarn(real_catalog: Catalog, text: str, model_id: str) -> None:
    ask = read_message(text, real_catalog)
    assert ask.model is not None and ask.hardware is not None
    report = fit_at(real_catalog, ask.model, ask.hardware, "128k")
    assert report.model.id == model_id and report.model.yarn is None
    assert report.context == 131072 <= report.model.context_max_tokens == 262144
    assert ContextCaveat.YARN not in report.context_caveats
    pick = report.readings[0].pick
    assert pick is not None and not pick.yarn and pick.context == 131072
    assert pick.option.serve.plans, "no engine runs the pick"
    for plan in pick.option.serve.plans:
        assert not ROPE_FLAGS & set(plan_tokens(plan)), plan_tokens(plan)


def test_the_original_still_needs_yarn_at_128k(real_catalog: Catalog) -> None:
    """'qwen3 30b a3b at 128k on a 5090': the April release reads 32,768 tokens natively; 128k is its YaRN extension,
    said on the answer and set by llama.cpp on the original's own GGUF."""
    report = fit_at(real_catalog, "qwen3 30b a3b", "rtx 5090", "128k")
    assert report.model.id == "qwen3-30b-a3b" and report.model.context_max_tokens == 32768
    assert report.context_caveats == (ContextCaveat.YARN,)
    plan = report.readings[0].pick.option.serve.plan(Engine.LLAMA_CPP)  # type: ignore[union-attr]
    assert plan is not None and plan.checkpoint.startswith("Qwen/Qwen3-30B-A3B-GGUF:")
    tokens = plan_tokens(plan)
    assert any(tokens[i : i + len(LLAMA_YARN)] == LLAMA_YARN for i in range(len(tokens))), tokens


def test_the_original_235b_runs_yarn_on_qwens_own_gguf(real_catalog: Catalog) -> None:
    """'qwen3 235b at 128k on 8x h100': Qwen's GGUF of the April release is a file the card's YaRN flags are for, so
    llama.cpp starts it with them (the 2507 GGUFs are the 2507 entries' files now)."""
    report = fit_at(real_catalog, "qwen3 235b", "8x h100", "128k")
    assert report.model.id == "qwen3-235b-a22b" and report.context_caveats == (ContextCaveat.YARN,)
    option = report.readings[0].option("Q4_K_M")
    assert option is not None
    plan = option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None and plan.checkpoint.startswith("Qwen/Qwen3-235B-A22B-GGUF:")
    tokens = plan_tokens(plan)
    assert any(tokens[i : i + len(LLAMA_YARN)] == LLAMA_YARN for i in range(len(tokens))), tokens


# (model as typed, context as typed, tokens read)
WITHIN_NATIVE = [
    ("qwen3 30b a3b 2507", "256k", 262144),
    ("Qwen/Qwen3-235B-A22B-Instruct-2507", "262144", 262144),
    ("qwen3-4b-2507", "200k", 204800),
    ("qwen3:4b-thinking-2507-q4_K_M", "256k", 262144),
]


@pytest.mark.parametrize(("model", "context", "tokens"), WITHIN_NATIVE)
def test_up_to_262144_tokens_is_native(real_catalog: Catalog, model: str, context: str, tokens: int) -> None:
    m = parse_model(model, real_catalog)
    assert m.yarn is None and parse_context(context, m) == tokens


# The card's 1M tokens come from swapping in config_1m.json (Dual Chunk Attention and sparse attention on vLLM /
# SGLang), not a rope scaling an engine flag sets: above 262,144 the answer refuses and names the native limit.
ABOVE_NATIVE = [
    ("qwen3 30b a3b instruct 2507", "512k"),
    ("Qwen3-235B-A22B-Thinking-2507", "1M"),
    ("qwen3-4b-2507", "300000"),
]


@pytest.mark.parametrize(("model", "context"), ABOVE_NATIVE)
def test_above_262144_tokens_is_refused_naming_the_limit(real_catalog: Catalog, model: str, context: str) -> None:
    m = parse_model(model, real_catalog)
    with pytest.raises(RigfitError) as e:
        parse_context(context, m)
    assert e.value.code is ErrorCode.CONTEXT_OVER_MAX and e.value.limit == 262144
    assert "262,144" in e.value.message and "YaRN" not in e.value.message, e.value.message


# The 2507 files are the 2507 entries' own: a pick on them is a published file of that release with a command.
FILES = [
    ("qwen3 30b a3b 2507", "m4 max 64gb", "unsloth/Qwen3-30B-A3B-Instruct-2507-GGUF"),
    ("qwen3 235b 2507", "8x h100", "unsloth/Qwen3-235B-A22B-Instruct-2507-GGUF"),
]


@pytest.mark.parametrize(("model", "hardware", "repo"), FILES)
def test_the_2507_files_belong_to_the_2507_entry(real_catalog: Catalog, model: str, hardware: str, repo: str) -> None:
    m = parse_model(model, real_catalog)
    assert repo in {q.repo for q in m.quants}
    original = real_catalog.models[m.id.removesuffix("-instruct-2507")]
    assert repo not in {q.repo for q in original.quants} | {r.repo for r in original.gguf_repos}
