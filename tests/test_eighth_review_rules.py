"""Rules found by the eighth expert review (tests/data/expert_review_8.yaml, session 15), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- /cost on data-center cards (more than any consumer card holds: an H100, H200, B200, MI300X, RTX PRO 6000) prices
  renting those cards: 'renting an h100 vs paying an api for llama 3.3 70b' had priced a RunPod MI300X, the cheapest
  machine that runs the model, beside the H100's $25,000 purchase;
- a model whose name says it embeds or reranks (`qwen3 embedding 8b`, `bge-reranker-v2-m3`) is refused with why,
  where it had been sized as an ad-hoc chat model with a decode speed and 4.8 GB of KV at 32k;
- where nothing runs at the asked context, or only below 3 bits, /fit names the file llama.cpp's smallest KV cache
  type (q4_0) holds there: 'rtx 3060 12gb, qwen3 8b at 128k context with q8 kv' had read 'nothing fits' with no word
  of the q4_0 cache that holds its Q4_K_M at 128k;
- a GGUF repo holding several models' files (cortexso/gemma3: Gemma 3 4B and 12B side by side) is loaded by the
  file's path (`--hf-repo R --hf-file F`), and Ollama, whose `hf.co/R:Q8_0` names no one file, is refused: 'new m5
  macbook pro 24gb, gemma 3 12b?' had printed `llama-server -hf cortexso/gemma3:Q8_0`; the catalog audit holds each
  such repo to name its files (engine/audit.py shared_repos);
- (data) GLM-5's Q4_K_M GGUF, Qwen3-VL-8B's Q8_0 GGUF and gpt-oss-20b's own MXFP4 checkpoint: 'glm 5 on 8x h100'
  had picked an estimated Q6_K no engine loads (no command), 'qwen3 vl 8b on a 5090' a 4-bit file on a 32 GB card."""

from __future__ import annotations

import dataclasses

import pytest

from bot.cards import to_text
from catalog.catalog import Catalog
from engine import flags
from engine.audit import shared_repos
from engine.cost import SERVING_CARD_MIN_BYTES, Usage, asked_rental, rental_cost
from engine.errors import ErrorCode, RigfitError
from engine.fit import FitOptions
from engine.parse import parse_hardware, parse_model
from engine.quants import Tier
from engine.serve import Engine, Refusal
from tests.fixtures import assert_review_judged, load_review, run_ok

REVIEW = load_review("expert_review_8.yaml")


def test_every_row_is_judged() -> None:
    assert_review_judged(REVIEW, 60)


# --- /cost on data-center cards prices renting them ------------------------------------------------------------------

# (model, the rig as people write it, the GPU the rental line rents: None for the cheapest machine that runs it)
RENTALS = [
    ("llama 3.3 70b", "h100", "h100-sxm"),  # had rented a MI300X beside the H100 asked about
    ("qwen3 235b", "mi300x", "mi300x"),
    ("deepseek v3.1", "8x h200", "h200"),
    ("kimi k2", "8x h100", "h100-sxm"),
    ("llama 3.3 70b", "rtx pro 6000", "rtx-pro-6000"),
    ("gpt-oss 120b", "h100", "h100-sxm"),
    ("deepseek r1", "h100", None),  # one H100 does not hold it: the cheapest machine that does
    ("qwen3 32b", "rtx 5090", None),  # a consumer card: what renting instead would cost at the least
    ("llama 3.3 70b", "2x rtx 3090", None),
    ("qwen3 30b a3b", "strix halo 128gb", None),  # a unified machine
    ("llama 3.3 70b", "m3 ultra 256gb", None),
]


@pytest.mark.parametrize(("model", "hardware", "rented"), RENTALS)
def test_cost_on_data_center_cards_rents_those_cards(
    real_catalog: Catalog, model: str, hardware: str, rented: str | None
) -> None:
    answer = run_ok(real_catalog, "cost", model=model, hardware=hardware)
    rig = parse_hardware(hardware, real_catalog)[0].rig
    rental = answer.data["rental"]
    assert rental is not None
    assert rental["asked"] is (rented is not None), rental
    serving = bool(rig.gpus) and all(g.memory_bytes > SERVING_CARD_MIN_BYTES for g in rig.gpus)
    assert (asked_rental(rig) is not None) is serving
    if rented is None:
        return
    assert (rental["hardware_id"], rental["gpu_count"]) == (rented, len(rig.gpus)), rental
    assert f"Rent {len(rig.gpus)}x {rented} at" in to_text(answer.card).replace("**", ""), to_text(answer.card)
    per_gpu = {p.usd_per_hour / p.gpu_count for p in real_catalog.rental_prices if p.hardware == rented}
    assert any(rental["usd_per_hour"] == pytest.approx(price * len(rig.gpus)) for price in per_gpu), rental


def test_a_rig_not_rented_whole_prices_the_cheapest_machine(real_catalog: Catalog) -> None:
    """Without an asked rig the rental is the cheapest machine that runs the model, as before."""
    model = parse_model("llama 3.3 70b", real_catalog)
    args = (model, real_catalog.rental_prices, real_catalog.hardware)
    cheapest = rental_cost(*args, Usage(), FitOptions(), 32768)
    rig = parse_hardware("rtx 4090", real_catalog)[0].rig
    assert cheapest is not None and not cheapest.asked
    assert rental_cost(*args, Usage(), FitOptions(), 32768, asked=rig) == cheapest


# --- embedding and reranker models are named as such -----------------------------------------------------------------

# (the model as people write it, whether it is refused as a model that generates no tokens)
ENCODERS = [
    ("qwen3 embedding 8b", True),  # had been sized as an ad-hoc 8B chat model
    ("Qwen/Qwen3-Embedding-0.6B-GGUF", True),
    ("nomic-embed-text", True),
    ("nomic embed text v1.5", True),
    ("mxbai-embed-large", True),
    ("jina-embeddings-v3", True),
    ("bge m3", True),
    ("BAAI/bge-large-en-v1.5", True),
    ("bge reranker v2 m3", True),
    ("Qwen3-Reranker-4B", True),
    ("multilingual-e5-large", True),
    ("gte-Qwen2-7B-instruct", True),
    ("snowflake-arctic-embed-l", True),
    ("gemma 3n e4b", False),  # per-layer embeddings, a chat model
    ("qwen3 vl 8b", False),
    ("qwen3 8b", False),
    ("llama 3.3 70b", False),
    ("deepseek v3.1", False),
    ("32b", False),
]


@pytest.mark.parametrize(("name", "refused"), ENCODERS)
def test_an_embedding_or_reranker_model_is_named_as_such(real_catalog: Catalog, name: str, refused: bool) -> None:
    if not refused:
        assert parse_model(name, real_catalog) is not None
        return
    with pytest.raises(RigfitError) as err:
        parse_model(name, real_catalog)
    assert err.value.code is ErrorCode.MODEL_NOT_GENERATIVE
    kind = "reads as a reranker" if "rerank" in name.lower() else "reads as an embedding model"
    assert kind in str(err.value), str(err.value)
    assert "llama-server --embedding" in str(err.value)


# --- a smaller KV cache type where nothing else runs at the asked context -------------------------------------------

# (model, rig, context, the KV cache type asked (None: left to rigfit), the quant a q4_0 cache holds there, or None)
SMALLER_KV = [
    ("qwen3 8b", "rtx 3060 12gb", "128k", "q8_0", "Q4_K_M"),  # had read 'nothing fits' and no more
    ("qwen3 8b", "rtx 3060 12gb", "128k", None, "Q4_K_M"),
    ("qwen3 14b", "rtx 4060 ti 16gb", "128k", "q8_0", "Q4_K_M"),  # the pick had been UD-IQ1_S
    ("qwen2.5 coder 32b", "rtx 4090", "128k", "q8_0", "IQ3_XS"),
    ("qwen3 8b", "rtx 3060 12gb", "128k", "q4_0", None),  # the smallest cache asked: it runs, nothing to name
    ("mistral small 3.2", "rtx 3090", "128k", None, None),  # a 3-bit pick runs at 128k
    ("gemma 3 27b", "rtx 3090", "128k", "q8_0", None),
    ("llama 3.3 70b", "rtx 4090", "128k", None, None),  # not even a q4_0 cache holds a 3-bit file
    ("qwen3 8b", "32gb ddr5", "128k", "q8_0", None),  # no accelerator: in RAM as asked
]


@pytest.mark.parametrize(("model", "hardware", "context", "kv_cache", "quant"), SMALLER_KV)
def test_a_smaller_kv_cache_is_named_where_nothing_else_runs(
    real_catalog: Catalog, model: str, hardware: str, context: str, kv_cache: str | None, quant: str | None
) -> None:
    args = {"model": model, "hardware": hardware, "context": context} | ({"kv_cache": kv_cache} if kv_cache else {})
    answer = run_ok(real_catalog, "fit", **args)
    reading = answer.report.readings[0]
    text = to_text(answer.card)
    assert answer.data["readings"][0]["smaller_kv"] == (None if quant is None else {"kv_type": "q4_0", "quant": quant})
    if quant is None:
        assert "-ctk q4_0 -ctv q4_0`, with flash" not in text
        return
    assert reading.pick is None or reading.pick.tier is Tier.DEGRADED, reading.pick
    assert f"`{quant}` fits wholly at {context}: set `kv_cache` to `q4_0`" in text, text
    with_q4 = run_ok(real_catalog, "fit", model=model, hardware=hardware, context=context, kv_cache="q4_0")
    option = with_q4.report.readings[0].option(quant)
    assert option is not None and option.verdict == "fits", option  # what it names runs so when asked


# --- a repo holding several models' files is loaded by the file's path ----------------------------------------------

# (model, rig, quant asked, the llama-server arguments that load it, whether Ollama is refused for the shared repo)
SHARED = [
    ("gemma 3 12b", "macbook pro m5 24gb", None, "--hf-repo cortexso/gemma3 --hf-file gemma-3-12b-it-q8_0.gguf", True),
    ("gemma 3 12b", "rtx 3090", "Q6_K", "--hf-repo cortexso/gemma3 --hf-file gemma-3-12b-it-q6_k.gguf", True),
    ("gemma 3 12b", "rtx 3060 12gb", "Q3_K_M", "--hf-repo cortexso/gemma3 --hf-file gemma-3-12b-it-q3_k_m.gguf", True),
    ("gemma 3 4b", "rtx 3060 12gb", "Q2_K", "--hf-repo cortexso/gemma3 --hf-file gemma-3-4b-it-q2_k.gguf", True),
    ("gemma 3 12b", "rtx 3060 12gb", "Q4_K_M", "-hf bartowski/google_gemma-3-12b-it-GGUF:Q4_K_M", False),  # its own
    ("llama 3.1 8b", "rtx 3060 12gb", None, "-hf bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:", False),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "load", "ollama_refused"), SHARED)
def test_a_repo_of_several_models_is_loaded_by_its_file(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None, load: str, ollama_refused: bool
) -> None:
    answer = run_ok(real_catalog, "fit", model=model, hardware=hardware, **({"quant": quant} if quant else {}))
    command = answer.data["readings"][0]["pick"]["option"]["llama_cpp"] or ""
    assert f"llama-server {load}" in command, command
    assert flags.check_command(command.splitlines()[-1]) == [], command
    option = answer.report.readings[0].best_option
    refused = [r for r in option.serve.refused if r.engine is Engine.OLLAMA]
    assert bool(refused and refused[0].reason is Refusal.SEVERAL_MODELS) is ollama_refused, refused


def test_the_audit_holds_a_shared_repo_to_name_its_files(real_catalog: Catalog) -> None:
    assert shared_repos(real_catalog) == []
    gemma = real_catalog.models["gemma-3-12b"]
    unflagged = [r.model_copy(update={"several_models": False}) for r in gemma.gguf_repos]
    models = real_catalog.models | {"gemma-3-12b": gemma.model_copy(update={"gguf_repos": tuple(unflagged)})}
    problems = shared_repos(dataclasses.replace(real_catalog, models=models))
    assert problems == ["gemma-3-12b: cortexso/gemma3 holds 2 models' files; list it with several_models and each path"]
    unnamed = [r.model_copy(update={"files": r.files[1:]}) for r in gemma.gguf_repos]
    models = real_catalog.models | {"gemma-3-12b": gemma.model_copy(update={"gguf_repos": tuple(unnamed)})}
    problems = shared_repos(dataclasses.replace(real_catalog, models=models))
    assert problems == ["gemma-3-12b: cortexso/gemma3 holds several models' files; name Q2_K's path in its listing"]


# --- (data) published files the picks load --------------------------------------------------------------------------

# (model, rig, the quant /fit picks, an engine whose plan starts it, the checkpoint that plan loads)
LOADED = [
    ("glm 5", "8x h100", "Q4_K_M", Engine.LLAMA_CPP, "unsloth/GLM-5-GGUF:Q4_K_M"),  # had been an estimated Q6_K
    ("qwen3 vl 8b", "rtx 5090", "Q8_0", Engine.LLAMA_CPP, "Qwen/Qwen3-VL-8B-Instruct-GGUF:Q8_0"),  # had been Q4_K_M
    ("gpt-oss 20b", "h100", None, Engine.VLLM, "openai/gpt-oss-20b"),  # had been 'no ... repo'
]


@pytest.mark.parametrize(("model", "hardware", "quant", "engine", "checkpoint"), LOADED)
def test_the_picks_load_a_published_file(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None, engine: Engine, checkpoint: str
) -> None:
    answer = run_ok(real_catalog, "fit", model=model, hardware=hardware)
    option = answer.report.readings[0].best_option
    assert option is not None
    if quant is not None:
        assert option.quant == quant
    plans = [p for p in option.serve.plans if p.engine is engine]
    assert plans and plans[0].checkpoint == checkpoint, [(p.engine.value, p.checkpoint) for p in option.serve.plans]
