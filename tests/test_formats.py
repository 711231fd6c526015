"""Non-GGUF formats for every model (issue 15): AWQ and GPTQ int4, FP8, NVFP4 and MLX 4/6/8-bit sized from the
parameter split (engine/formats.py), offered on the rigs whose engines run them, with a command that starts or the
rule that stops it. Published sizes below are the repos' own, each with where it was read."""

from __future__ import annotations

import pytest

from bot.cards import quants_card, serve_command, to_text
from bot.report_json import quants_json
from catalog.catalog import Catalog
from catalog.types import Model, QuantFormat
from engine import flags, formats, mixes, quants, serve
from engine.fit import QuantOption, fit
from engine.parse import parse_hardware
from engine.serve import Engine, Refusal

# (model, format, published GB, tolerance, the published repo and where its size was read)
PUBLISHED = [
    ("qwen3-32b", "AWQ", 19.33, 0.05, "Qwen/Qwen3-32B-AWQ: vLLM 0.28.0 load log, model weights 18.0 GiB"),
    ("llama-3.3-70b", "AWQ", 38.6, 0.05, "casperhansen/llama-3.3-70b-instruct-awq: 38.6 GB on disk (deploy survey)"),
    ("glm-4.6", "AWQ", 176.0, 0.08, "bullpoint/GLM-4.6-AWQ model card: 176 GB"),
    ("deepseek-r1", "GPTQ", 371.5, 0.08, "RedHatAI/DeepSeek-R1-0528-quantized.w4a16 (model survey for LUMI)"),
    ("kimi-k2", "FP8", 1030.0, 0.03, "moonshotai/Kimi-K2-Instruct: its own FP8 release, ~1.03 TB"),
    ("minimax-m2.7", "FP8", 230.2, 0.03, "MiniMaxAI/MiniMax-M2.7 FP8 safetensors (README of an exl3 re-quant)"),
    # mlx-community repos, storage_size of exo's model cards (github:exo-explore/exo resources/inference_model_cards)
    ("llama-3.3-70b", "MLX-4BIT", 40.65, 0.05, "mlx-community/Llama-3.3-70B-Instruct-4bit"),
    ("llama-3.3-70b", "MLX-8BIT", 76.80, 0.05, "mlx-community/Llama-3.3-70B-Instruct-8bit"),
    ("llama-3.1-8b", "MLX-4BIT", 4.64, 0.05, "mlx-community/Meta-Llama-3.1-8B-Instruct-4bit"),
    ("qwen3-30b-a3b", "MLX-4BIT", 17.61, 0.05, "mlx-community/Qwen3-30B-A3B-4bit"),
    ("qwen3.5-397b-a17b", "MLX-6BIT", 322.9, 0.03, "mlx-community/Qwen3.5-397B-A17B-6bit"),
    ("glm-4.7", "MLX-4BIT", 198.6, 0.03, "mlx-community/GLM-4.7-4bit"),
    ("qwen3.5-122b-a10b", "MLX-8BIT", 130.6, 0.03, "mlx-community/Qwen3.5-122B-A10B-8bit"),
]


@pytest.mark.parametrize(("model", "name", "published_gb", "tolerance", "repo"), PUBLISHED)
def test_estimated_size_is_near_the_published_repo(
    real_catalog: Catalog, model: str, name: str, published_gb: float, tolerance: float, repo: str
) -> None:
    fmt = formats.lookup(name)
    assert fmt is not None
    size, how = formats.weights_bytes(real_catalog.models[model], fmt)
    assert abs(size / 1e9 - published_gb) / published_gb <= tolerance, f"{name} of {model}: {size / 1e9:.1f} GB"
    assert how == fmt.recipe  # sized from the split, not the flat fallback


# What each tool leaves at 16 bits shows in the sizes: AWQ keeps Llama 3.1 8B's 1.05B embedding + lm_head
# parameters at 16 bits, MLX quantizes them, so AWQ's 4-bit file is larger than MLX's 4-bit one by about that.
def test_awq_keeps_embeddings_at_16_bits_where_mlx_quantizes_them(real_catalog: Catalog) -> None:
    m = real_catalog.models["llama-3.1-8b"]
    s = mixes.split(m)
    assert s is not None
    awq, _ = formats.weights_bytes(m, formats.FORMATS["AWQ"])
    mlx, _ = formats.weights_bytes(m, formats.FORMATS["MLX-4BIT"])
    embeddings = s.token_embd + s.output
    expected = embeddings * (16 - 4.5) / 8 - (m.total_params_b * 1e9 - embeddings) * (4.5 - formats._INT4_G128) / 8
    assert awq - mlx == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(
    ("name", "bits"),
    [("AWQ", 4.15625), ("GPTQ", 4.15625), ("FP8", 8.0), ("NVFP4", 4.5), ("MLX-4BIT", 4.5), ("MLX-8BIT", 8.5),
     ("mlx-6bit", 6.5), ("awq", 4.15625), ("fp8", 8.0), ("4bit", 4.5)],
)  # fmt: skip
def test_stored_bits_of_each_format(name: str, bits: float) -> None:
    fmt = formats.lookup(name)
    assert fmt is not None and fmt.bits_per_weight == bits


# (GPU as people write it, a dense or a MoE model, format, whether vLLM serves it there) — docs.vllm.ai
# features/quantization supported hardware (AWQ Turing+, no AWQ/GPTQ on AMD), quantization/fp8 (W8A8 on 8.9+,
# weight-only FP8 Marlin from 7.5; FP8 MoE 8.9+), NVFP4 Blackwell only, vLLM's 7.5 floor.
RULES: list[tuple[str, str, QuantFormat, bool]] = [
    ("GTX 1080 Ti", "qwen3-32b", "awq", False),  # Pascal: below vLLM's floor
    ("RTX 2080 Ti", "qwen3-32b", "awq", True),
    ("RTX 2080 Ti", "qwen3-32b", "fp8", True),  # weight-only through FP8 Marlin
    ("RTX 3090", "qwen3-32b", "fp8", True),
    ("RTX 3090", "qwen3-30b-a3b", "fp8", False),  # FP8 MoE needs 8.9
    ("RTX 4090", "qwen3-30b-a3b", "fp8", True),
    ("RTX 4090", "qwen3-32b", "nvfp4", False),
    ("H100", "qwen3-32b", "nvfp4", False),
    ("B200", "qwen3-32b", "nvfp4", True),
    ("RTX 5090", "qwen3-30b-a3b", "nvfp4", True),
    ("MI300X", "qwen3-32b", "fp8", True),
    ("MI300X", "qwen3-32b", "awq", False),
    ("MI300X", "qwen3-32b", "gptq", False),
    ("MI300X", "qwen3-32b", "nvfp4", False),
    ("RX 7900 XTX", "qwen3-32b", "fp8", False),
    ("M3 Ultra 512GB", "qwen3-32b", "fp8", False),  # no GPU: vLLM/SGLang formats are not offered
]


@pytest.mark.parametrize(("hardware", "model", "fmt", "runs"), RULES)
def test_format_runs_by_compute_capability(
    real_catalog: Catalog, hardware: str, model: str, fmt: QuantFormat, runs: bool
) -> None:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    assert serve.format_runs(real_catalog.models[model], rig, fmt) is runs


# A catalog repo's checkpoint is offered by the same rule as an estimated one (serve.format_runs), as people ask:
# (rig, model, published row's name, offered). Rules as in RULES above; a BF16 release runs wherever vLLM's ROCm
# build does (serve.VLLM_ROCM_TARGETS), AWQ/GPTQ do not run on AMD (vLLM's quantization hardware table).
PUBLISHED_ROWS: list[tuple[str, str, str, bool]] = [
    ("Tesla P40", "qwen3-32b", "AWQ", False),  # Qwen/Qwen3-32B-AWQ on a P40 (6.1): below vLLM's 7.5 floor
    ("V100", "qwen3-32b", "AWQ", False),  # Volta 7.0: vLLM's wheels start at 7.5
    ("GTX 1080 Ti", "llama-3.3-70b", "AWQ", False),
    ("RTX 2080 Ti", "qwen3-32b", "AWQ", True),
    ("RTX 4090", "llama-3.3-70b", "AWQ", True),
    ("RTX 3090", "deepseek-r1", "FP8", False),  # deepseek-ai's FP8 MoE release needs 8.9
    ("8x H100", "deepseek-r1", "FP8", True),
    ("8x MI300X", "deepseek-r1", "FP8", True),  # FP8 W8A8 on MI300 (gfx942)
    ("8x MI300X", "deepseek-r1", "W4A16", False),  # RedHatAI's GPTQ-format w4a16: no GPTQ on AMD
    ("MI300X", "qwen3-32b", "AWQ", False),
    ("8x MI300X", "glm-4.7", "BF16", True),  # zai-org/GLM-4.7 as released
    ("RX 7900 XTX", "devstral-small-2", "FP8", False),  # gfx1100: FP8 W8A8 is MI300 and later
    ("DGX Spark", "qwen3-32b", "AWQ", True),  # one GB10 (12.1) in NVIDIA's vLLM container
]


@pytest.mark.parametrize(("hardware", "model", "quant", "offered"), PUBLISHED_ROWS)
def test_published_server_rows_follow_the_format_rule(
    real_catalog: Catalog, hardware: str, model: str, quant: str, offered: bool
) -> None:
    m = real_catalog.models[model]
    assert any(q.name == quant and q.repo for q in m.quants), f"{model} has no published {quant}"
    reading = fit(m, parse_hardware(hardware, real_catalog)[:1]).readings[0]
    assert (reading.option(quant) is not None) is offered, [o.quant for o in reading.options]


def test_every_model_with_a_split_is_offered_every_format(real_catalog: Catalog) -> None:
    """On an RTX 5090 (Blackwell: every server format runs) and on a Mac, each catalog model with a parameter split
    lists AWQ, GPTQ, NVFP4 and (released at 8 bits or more) FP8, and MLX at 4, 6 and 8 bits (up to its release)."""
    gpu = parse_hardware("RTX 5090", real_catalog)[:1]
    mac = parse_hardware("M3 Ultra 512GB", real_catalog)[:1]
    missing = []
    for m in real_catalog.models.values():
        if mixes.split(m) is None:
            continue
        wide = m.native_dtype in ("bf16", "fp16", "fp8")
        want = {"awq", "gptq", "nvfp4"} | ({"fp8"} if wide else set())
        have = {o.format for o in fit(m, gpu).readings[0].options}
        mlx_bits = {quants.nominal_bits(o.quant, 0.0) for o in fit(m, mac).readings[0].options if o.format == "mlx"}
        if not want <= have:
            missing.append(f"{m.id}: {sorted(want - have)}")
        if m.native_dtype in ("bf16", "fp16") and not {4, 6, 8} <= mlx_bits:
            missing.append(f"{m.id}: MLX bits {sorted(mlx_bits)}")
    assert not missing, missing[:10]


def _option(real_catalog: Catalog, model: str, hardware: str, quant: str) -> QuantOption:
    r = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog)[:1]).readings[0]
    found = r.option(quant)
    assert found is not None, [o.quant for o in r.options]
    return found


def test_fp8_without_a_repo_is_quantized_by_vllm_as_it_loads(real_catalog: Catalog) -> None:
    o = _option(real_catalog, "qwen3-32b", "H100", "FP8")
    assert o.weights_basis == "estimated" and o.loadable and o.bits_basis
    plan = o.serve.plan(Engine.VLLM)
    assert plan is not None and plan.checkpoint == "Qwen/Qwen3-32B" and plan.converted_to == "FP8"
    line = serve_command(plan)
    assert "--quantization fp8" in line and flags.check_command(line) == []
    sglang = o.serve.plan(Engine.SGLANG)
    assert sglang is not None and "--quantization fp8" in serve_command(sglang)


# vLLM's FP8 docs: "we load the model at original precision before quantizing down to 8-bits, so you need enough
# memory to load the whole model" -- each GPU's share of the 16-bit weights must fit before the FP8 copy exists.
ONLINE_FP8_LOAD = [
    # 70B in BF16 is 141 GB: one 80 GB H100 cannot load it to quantize it, two can (70.5 GB each)
    ("llama-3.3-70b", "H100", False),
    ("llama-3.3-70b", "2x H100", True),
    # 32B in BF16 (65.5 GB) loads on one H100
    ("qwen3-32b", "H100", True),
    # on 24 GB cards a 32B model's 16-bit copy needs 4 of them
    ("qwen3-32b", "2x RTX 4090", False),
]


@pytest.mark.parametrize(("model", "hardware", "starts"), ONLINE_FP8_LOAD)
def test_online_fp8_needs_the_16_bit_weights_to_fit_first(
    real_catalog: Catalog, model: str, hardware: str, starts: bool
) -> None:
    o = _option(real_catalog, model, hardware, "FP8")
    plan = o.serve.plan(Engine.VLLM)
    online = plan is not None and plan.converted_to == "FP8"
    assert online is starts, (plan and serve_command(plan), [r.reason for r in o.serve.refused])


def test_a_model_released_in_fp8_is_served_from_its_own_repo(real_catalog: Catalog) -> None:
    o = _option(real_catalog, "deepseek-v3.1", "8x H200", "FP8")
    plan = o.serve.plan(Engine.VLLM)
    assert plan is not None and plan.checkpoint == "deepseek-ai/DeepSeek-V3.1"
    assert "--quantization" not in serve_command(plan)


@pytest.mark.parametrize(
    ("model", "hardware", "quant"),
    [("qwen3-30b-a3b", "H100", "AWQ"), ("qwen3-32b", "B200", "NVFP4"), ("qwen3-32b", "H100", "GPTQ")],
)
def test_awq_gptq_nvfp4_without_a_repo_print_no_command(
    real_catalog: Catalog, model: str, hardware: str, quant: str
) -> None:
    o = _option(real_catalog, model, hardware, quant)
    assert o.weights_basis == "estimated" and not o.loadable and o.serve.plans == ()
    assert {(r.engine, r.reason) for r in o.serve.refused} == {
        (Engine.VLLM, Refusal.NO_SERVER_CHECKPOINT),
        (Engine.SGLANG, Refusal.NO_SERVER_CHECKPOINT),
    }


def test_a_published_repo_wins_over_the_estimate(real_catalog: Catalog) -> None:
    o = _option(real_catalog, "qwen3-32b", "H100", "AWQ")
    assert o.weights_basis == "published" and o.weights_bytes == 19_327_352_832
    plan = o.serve.plan(Engine.VLLM)
    assert plan is not None and plan.checkpoint == "Qwen/Qwen3-32B-AWQ"


def test_mlx_without_a_repo_is_converted_from_the_16_bit_repo(real_catalog: Catalog) -> None:
    o = _option(real_catalog, "qwen3-32b", "M3 Max 64GB", "MLX-6BIT")
    plan = o.serve.plan(Engine.MLX)
    assert plan is not None and plan.converted_to == "MLX-6BIT"
    lines = serve_command(plan)
    assert "mlx_lm.convert --hf-path Qwen/Qwen3-32B -q --q-bits 6 --mlx-path Qwen3-32B-6bit" in lines
    assert "mlx_lm.server --model Qwen3-32B-6bit" in lines
    assert flags.check_command(lines) == []


def test_server_formats_are_not_offloaded(real_catalog: Catalog) -> None:
    """vLLM holds the checkpoint on the GPUs: an FP8 70B on a 24 GB card with 128 GB of RAM does not fit, where a
    GGUF of the same size would offload."""
    o = _option(real_catalog, "llama-3.3-70b", "RTX 4090 + 128GB DDR5", "FP8")
    assert o.verdict == "does-not-fit"


def test_quants_card_and_json_show_the_formats(real_catalog: Catalog) -> None:
    report = fit(real_catalog.models["qwen3-32b"], parse_hardware("H100", real_catalog)[:1])
    listed = quants_json(report)["quants"]
    assert isinstance(listed, list)
    rows = {r["quant"]: r for r in listed}
    assert rows["FP8"]["weights_basis"] == "estimated" and rows["FP8"]["bits_basis"]
    assert rows["FP8"]["engines"] == ["vllm", "sglang"] and rows["GPTQ"]["engines"] == []
    text = "\n".join(to_text(quants_card(report, page)) for page in range(len(report.readings[0].options) // 10 + 1))
    assert "GPTQ 19.3 GB (est.)" in text and "· no published checkpoint" in text
    assert "FP8 34.3 GB (est.)" in text and "· vLLM and SGLang" in text


def _without_gguf(model: Model) -> Model:
    """The model as the catalog would hold it with no GGUF published (a new release, a fine-tune)."""
    return model.model_copy(
        update={"quants": tuple(q for q in model.quants if q.format != "gguf"), "gguf_repos": (), "ollama_tags": ()}
    )


# (model, rig, GGUF files published?, the pick's format, engine of its command): one pick policy — the file llama.cpp
# loads stays the pick where one is published; where none is, vLLM's online FP8 or an mlx_lm.convert folder is a
# command that starts, not an unpublished GGUF.
PICKS = [
    ("qwen3-32b", "H100", True, "gguf", Engine.LLAMA_CPP),
    ("qwen3-32b", "H100", False, "awq", Engine.VLLM),  # Qwen/Qwen3-32B-AWQ, published, before an FP8 made on load
    ("llama-3.1-8b", "H100", False, "fp8", Engine.VLLM),
    ("qwen3-32b", "M3 Max 64GB", True, "gguf", Engine.LLAMA_CPP),
    ("qwen3-32b", "M3 Max 64GB", False, "mlx", Engine.MLX),
    ("llama-3.1-8b", "RTX 3090", True, "gguf", Engine.LLAMA_CPP),
    ("llama-2-7b", "RTX 4090", True, "gguf", Engine.LLAMA_CPP),  # its published GGUF, not an FP8 made on load
    ("llama-3.1-8b", "RTX 3090", False, "fp8", Engine.VLLM),
]


@pytest.mark.parametrize(("model", "hardware", "gguf", "fmt", "engine"), PICKS)
def test_the_pick_keeps_the_gguf_where_one_is_published(
    real_catalog: Catalog, model: str, hardware: str, gguf: bool, fmt: str, engine: Engine
) -> None:
    m = real_catalog.models[model]
    r = fit(m if gguf else _without_gguf(m), parse_hardware(hardware, real_catalog)[:1]).readings[0]
    assert r.pick is not None and r.pick.option.format == fmt, r.pick
    plan = r.pick.option.serve.plan(engine)
    assert plan is not None and flags.check_command(serve_command(plan)) == []


def test_a_dgx_spark_is_offered_the_server_formats(real_catalog: Catalog) -> None:
    """vLLM runs on a DGX Spark (GB10, compute capability 12.1: NVFP4 and FP8 MoE): the formats come with it, the
    published AWQ repo included."""
    r = fit(real_catalog.models["qwen3-32b"], parse_hardware("DGX Spark", real_catalog)[:1]).readings[0]
    assert {"fp8", "nvfp4", "awq", "gptq"} <= {o.format for o in r.options}
    fp8 = r.option("FP8")
    assert fp8 is not None and fp8.serve.plan(Engine.VLLM) is not None
    awq = r.option("AWQ")
    assert awq is not None and awq.weights_basis == "published"
