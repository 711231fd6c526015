"""Contexts beyond a model's native length with the YaRN rope scaling its card documents (catalog Model.yarn): asked
as people ask in chats and forums ("qwen3 30b a3b 128k context on a 3090", "qwq 32b 64k", "qwen2.5 72b 128k on
4x3090"). Within the extension the answer is sized at that context, says it needs YaRN and what that may cost, and
every command carries its engine's flags; above it, the refusal names both limits; a model without an extension is
refused as before."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from catalog.catalog import Catalog
from catalog.types import Yarn
from engine import flags
from engine.errors import ErrorCode, RigfitError
from engine.fit import ContextCaveat, FitOptions, FitReport, fit
from engine.parse import parse_hardware, parse_model
from engine.parse.options import parse_context
from engine.serve import Engine, Refusal, ServePlan
from tests.fixtures import catalog as fixture_catalog

LLAMA_YARN = ["--rope-scaling", "yarn", "--rope-scale", "4", "--yarn-orig-ctx", "32768"]


def fit_at(cat: Catalog, model: str, hardware: str, context: str) -> FitReport:
    m = parse_model(model, cat)
    return fit(m, parse_hardware(hardware, cat)[:1], FitOptions(context=parse_context(context, m)))


def plan_tokens(plan: ServePlan) -> list[str]:
    out: list[str] = []
    for step in plan.steps:
        for a in (step.inside or step).args:
            out += [a.flag] if a.value is None else [a.flag, a.value]
    return out


def _has_run(tokens: list[str], run: list[str]) -> bool:
    return any(tokens[i : i + len(run)] == run for i in range(len(tokens)))


# (model as typed, context as typed, tokens read)
WITHIN = [
    ("qwen3 30b a3b", "128k", 131072),
    ("Qwen/Qwen3-30B-A3B", "131072", 131072),
    ("qwq 32b", "64k", 65536),
    ("qwen2.5 72b instruct", "128k", 131072),
    ("qwen3:8b", "100k", 102400),
    ("qwen2.5-coder:32b", "64k", 65536),
    ("smollm3 3b", "128k", 131072),
]


@pytest.mark.parametrize(("model", "context", "tokens"), WITHIN)
def test_a_context_within_the_yarn_extension_is_read(
    real_catalog: Catalog, model: str, context: str, tokens: int
) -> None:
    m = parse_model(model, real_catalog)
    assert m.yarn is not None and parse_context(context, m) == tokens


# (model, context, the words the refusal must hold)
ABOVE = [
    ("qwen3 30b a3b", "256k", ("32,768 tokens natively", "131,072 with YaRN", "262,144")),
    ("qwen2.5 72b instruct", "1M", ("32,768 tokens natively", "131,072 with YaRN", "1,048,576")),
    ("qwq 32b", "200k", ("32,768 tokens natively", "131,072 with YaRN", "204,800")),
]


@pytest.mark.parametrize(("model", "context", "words"), ABOVE)
def test_above_the_extension_the_refusal_names_both_limits(
    real_catalog: Catalog, model: str, context: str, words: tuple[str, ...]
) -> None:
    m = parse_model(model, real_catalog)
    with pytest.raises(RigfitError) as e:
        parse_context(context, m)
    assert e.value.code is ErrorCode.CONTEXT_OVER_MAX and e.value.limit == 131072
    assert all(w in e.value.message for w in words), e.value.message


# models whose cards document no YaRN: refused at their native length, as before, and YaRN is not mentioned
NO_EXTENSION = [("qwen3:0.6b", "64k", "32,768"), ("llama 3.1 8b", "256k", "131,072")]


@pytest.mark.parametrize(("model", "context", "limit"), NO_EXTENSION)
def test_a_model_without_an_extension_is_refused_as_before(
    real_catalog: Catalog, model: str, context: str, limit: str
) -> None:
    m = parse_model(model, real_catalog)
    assert m.yarn is None
    with pytest.raises(RigfitError) as e:
        parse_context(context, m)
    assert f"reads at most {limit} tokens;" in e.value.message and "YaRN" not in e.value.message


# (model, hardware, context as asked): the pick runs at the asked context, with YaRN said and llama.cpp's flags
ASKED_LONG = [
    ("qwen3 30b a3b", "rtx 5090", "128k"),
    ("qwen2.5 72b instruct", "4x 3090", "128k"),
    ("qwq 32b", "2x rtx 3090", "64k"),
    ("qwen3:14b", "rtx 4090", "64k"),
]


@pytest.mark.parametrize(("model", "hardware", "context"), ASKED_LONG)
def test_within_the_extension_the_answer_says_yarn_and_llama_cpp_sets_it(
    real_catalog: Catalog, model: str, hardware: str, context: str
) -> None:
    report = fit_at(real_catalog, model, hardware, context)
    assert report.context_caveats == (ContextCaveat.YARN,)
    pick = report.readings[0].pick
    assert pick is not None and pick.context == report.context > report.model.context_max_tokens
    option = pick.option
    assert option.verdict == "fits" and option.max_context >= report.context
    assert option.kv_cache_bytes > 0 and option.decode_tps is not None
    plan = option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None and plan.context_tokens == report.context
    assert _has_run(plan_tokens(plan), LLAMA_YARN), plan_tokens(plan)
    assert all(not flags.check_line(line) for line in _lines(plan))
    ollama = [r for r in option.serve.refused if r.engine == Engine.OLLAMA]
    assert [r.reason for r in ollama] == [Refusal.ROPE_SCALING]


def _lines(plan: ServePlan) -> list[str]:
    from bot.cards import serve_command

    return serve_command(plan).splitlines()


def test_the_kv_cache_is_sized_at_the_yarn_context(real_catalog: Catalog) -> None:
    """Qwen3-30B-A3B: 48 layers x 4 KV heads x 128 x 2 (K and V) x 2 bytes = 96 KiB a token, 12 GiB at 128k."""
    report = fit_at(real_catalog, "qwen3 30b a3b", "rtx 5090", "128k")
    pick = report.readings[0].pick
    assert pick is not None and pick.option.kv_cache_bytes == 48 * 4 * 128 * 2 * 2 * 131072


def test_vllm_and_sglang_set_yarn_as_their_docs_say(real_catalog: Catalog) -> None:
    """'qwen3 32b 128k on 2x h100': vLLM's --hf-overrides with rope_parameters (docs.vllm.ai context_extension),
    SGLang's --json-model-override-args with rope_scaling (Qwen's SGLang guide, github:QwenLM/Qwen2.5
    docs/source/deployment/sglang.md: SGLang's models read config.rope_scaling; a rope_parameters key is read only
    under transformers 5) and the variable that lets --context-length pass the config's."""
    report = fit_at(real_catalog, "qwen3:32b", "2x h100", "128k")
    pick = report.readings[0].pick
    assert pick is not None
    expected = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768, "rope_theta": 1000000}
    vllm = pick.option.serve.plan(Engine.VLLM)
    assert vllm is not None and vllm.context_tokens == 131072
    tokens = plan_tokens(vllm)
    assert json.loads(tokens[tokens.index("--hf-overrides") + 1]) == {"rope_parameters": expected}
    sglang = pick.option.serve.plan(Engine.SGLANG)
    assert sglang is not None
    tokens = plan_tokens(sglang)
    assert json.loads(tokens[tokens.index("--json-model-override-args") + 1]) == {"rope_scaling": expected}
    assert ("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "1") in sglang.steps[0].env
    assert all(not flags.check_line(line) for plan in (vllm, sglang) for line in _lines(plan))


# SGLang's override names `rope_scaling` (its models read config.rope_scaling; Qwen's SGLang guide), in its own
# container on a DGX Spark too; vLLM's names `rope_parameters` (docs.vllm.ai context_extension)
ROPE_KEYS = [
    ("qwen3 30b a3b", "2x h100", "128k"),
    ("qwen2.5 72b instruct", "4x h100", "128k"),
    ("qwen3 14b", "h100", "64k"),
    ("qwen3 8b", "dgx spark", "128k"),
]


@pytest.mark.parametrize(("model", "hardware", "context"), ROPE_KEYS)
def test_each_server_gets_the_rope_key_it_reads(real_catalog: Catalog, model: str, hardware: str, context: str) -> None:
    pick = fit_at(real_catalog, model, hardware, context).readings[0].pick
    assert pick is not None
    for engine, flag, key in (
        (Engine.SGLANG, "--json-model-override-args", "rope_scaling"),
        (Engine.VLLM, "--hf-overrides", "rope_parameters"),
    ):
        plan = pick.option.serve.plan(engine)
        assert plan is not None, (model, hardware, engine)
        tokens = plan_tokens(plan)
        assert list(json.loads(tokens[tokens.index(flag) + 1])) == [key], (engine, tokens)


# within the native length nothing changes: no caveat, no flags (the card: static YaRN costs short prompts)
NATIVE = [("qwen3 30b a3b", "rtx 3090", "32k"), ("qwen2.5 72b instruct", "4x 3090", "16k")]


@pytest.mark.parametrize(("model", "hardware", "context"), NATIVE)
def test_within_the_native_length_no_yarn(real_catalog: Catalog, model: str, hardware: str, context: str) -> None:
    report = fit_at(real_catalog, model, hardware, context)
    assert report.context_caveats == ()
    option = report.readings[0].best_option
    assert option is not None and option.max_context <= report.model.context_max_tokens
    for plan in option.serve.plans:
        assert "--rope-scaling" not in plan_tokens(plan) and "--hf-overrides" not in plan_tokens(plan)


def test_a_model_whose_native_length_covers_the_context_needs_none(real_catalog: Catalog) -> None:
    """Qwen3-Coder-30B-A3B reads 262,144 tokens natively (the 2507 generation's length): 128k needs no YaRN."""
    report = fit_at(real_catalog, "qwen3-coder-30b-a3b", "rtx 5090", "128k")
    assert report.context_caveats == ()
    plan = report.readings[0].best_option.serve.plan(Engine.LLAMA_CPP)  # type: ignore[union-attr]
    assert plan is not None and "--rope-scaling" not in plan_tokens(plan)


def test_every_extension_lists_the_release_it_is_for(real_catalog: Catalog) -> None:
    with_yarn = [m for m in real_catalog.models.values() if m.yarn is not None]
    assert len(with_yarn) >= 14
    for m in with_yarn:
        assert m.yarn is not None and m.hf_repo in m.yarn.repos, m.id


YARN_FIELDS = {"factor": 4.0, "original_context_tokens": 32768, "rope_theta": 1e6, "repos": ("Qwen/Qwen3-8B",)}


def test_the_extension_must_be_the_original_length_times_the_factor() -> None:
    with pytest.raises(
        ValueError, match=r"extended_context_tokens \(120000\) is not original_context_tokens \(32768\)"
    ):
        Yarn(**YARN_FIELDS, extended_context_tokens=120000, source="card", as_of=dt.date(2026, 12, 6))


def test_the_extension_starts_at_the_native_length() -> None:
    cat = fixture_catalog()
    model = next(iter(cat.models.values()))
    yarn = Yarn(**YARN_FIELDS, extended_context_tokens=131072, source="card", as_of=dt.date(2026, 12, 6))
    with pytest.raises(
        ValueError, match=r"yarn.original_context_tokens \(32768\) is not the native context_max_tokens \(8192\)"
    ):
        type(model).model_validate(model.model_dump() | {"context_max_tokens": 8192, "yarn": yarn.model_dump()})


def test_the_json_answer_says_yarn(real_catalog: Catalog) -> None:
    from bot.report_json import fit_json

    long, short = (fit_at(real_catalog, "qwen3 30b a3b", "rtx 5090", c) for c in ("128k", "32k"))
    assert fit_json(long)["context_caveats"] == ["yarn"] and "YaRN" in str(fit_json(long)["context_note"])
    assert fit_json(short)["context_caveats"] == [] and "YaRN" not in str(fit_json(short)["context_note"])


def test_qwq_asks_for_yarn_above_8192_tokens(real_catalog: Catalog) -> None:
    """QwQ-32B's card: 'For prompts exceeding 8,192 tokens in length, you must enable YaRN' (factor 4 over 32,768):
    a 16k session and the 32k default carry the flags, an 8k one does not."""
    for context, yarn in (("16k", True), ("8k", False)):
        report = fit_at(real_catalog, "qwq 32b", "2x rtx 3090", context)
        assert (report.context_caveats == (ContextCaveat.YARN,)) is yarn, context
        plan = report.readings[0].best_option.serve.plan(Engine.LLAMA_CPP)  # type: ignore[union-attr]
        assert plan is not None and _has_run(plan_tokens(plan), LLAMA_YARN) is yarn, context
    m = parse_model("qwq 32b", real_catalog)
    default = fit(m, parse_hardware("2x rtx 3090", real_catalog)[:1])
    assert default.context == 32768 and default.context_caveats == (ContextCaveat.YARN,)
    assert "8k its card asks for YaRN" in wording_note(default)


def wording_note(report: FitReport) -> str:
    from bot.wording import context_note

    return context_note(report)


@pytest.mark.parametrize(("context", "yarn"), [("128k", True), ("32k", False)])
def test_recommend_says_which_machines_run_it_with_yarn(real_catalog: Catalog, context: str, yarn: bool) -> None:
    """'cheapest hardware for qwen3 30b a3b at 128k': every machine runs it past the native 32k, so each line says
    YaRN; at 32k none does."""
    from bot.wording import quant_as_run
    from engine.recommend import recommend

    m = parse_model("qwen3 30b a3b", real_catalog)
    found = recommend(m, real_catalog, context=parse_context(context, m) or 0, limit=3)
    assert found
    for c in found:
        assert c.yarn is yarn and ("YaRN" in quant_as_run(c)) is yarn, (c.label, quant_as_run(c))


def test_the_pick_is_a_file_the_yarn_flags_are_for(real_catalog: Catalog) -> None:
    """'qwen3 30b a3b 100k on an m4 max 128gb': the pick is a file of the original release (Qwen's own GGUF), which
    llama.cpp starts with the YaRN flags, not a 2507 file whose rope settings are not the card's."""
    report = fit_at(real_catalog, "qwen3 30b a3b", "m4 max 128gb", "100k")
    pick = report.readings[0].pick
    assert pick is not None and pick.yarn
    plan = pick.option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None and plan.checkpoint.startswith("Qwen/Qwen3-30B-A3B-GGUF:")
    assert _has_run(plan_tokens(plan), LLAMA_YARN)


@pytest.mark.parametrize(
    ("model", "context"),
    [("qwen3 30b a3b", "32k (128k with YaRN)"), ("smollm3", "64k (128k with YaRN)"), ("qwen3:0.6b", "32k")],
)
def test_the_model_card_gives_both_lengths(real_catalog: Catalog, model: str, context: str) -> None:
    from bot.cards import model_card

    card = model_card(parse_model(model, real_catalog))
    assert next(f.value for f in card.fields if f.name == "Context") == context
