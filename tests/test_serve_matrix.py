"""Every serve plan of every option, over a matrix of models and rigs people ask about (1-16 GPUs, mixed cards,
Pascal to Blackwell, MI300X, Apple, DGX Spark, clusters), checked against each engine's rules. Each rule below names
the documentation it comes from; a plan that breaks one would be a command that does not start as printed."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest

from bot.cards import serve_command, to_text
from bot.commands import fit_answer
from bot.report_json import fit_json
from catalog.catalog import Catalog
from catalog.types import Model
from engine import architectures, flags, serve
from engine.fit import QuantOption, fit
from engine.parse import parse_hardware
from engine.rig import Rig
from engine.serve import Engine, ServePlan

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
)
_GPU_ENGINES = {Engine.VLLM, Engine.SGLANG}


def _cc(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    major, _, minor = text.partition(".")
    return int(major), int(minor)


# (rule, its source, check(model, rig, option, plan) -> problem or None)
Rule = Callable[[Model, Rig, QuantOption, ServePlan], str | None]


def _flags_accept(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    problems = flags.check_command(serve_command(p))
    return "; ".join(problems) or None


def _heads_divide(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in _GPU_ENGINES or serve.tp_allowed(model, p.tensor_parallel):
        return None
    return f"tensor parallel {p.tensor_parallel} does not divide {model.attention.n_heads} heads"


def _every_gpu_used_once(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in _GPU_ENGINES:
        return None
    rig = serve.spark_rig(rig) or rig  # a DGX Spark: one CUDA device, its unified pool
    gpus = len(rig.gpus) * rig.nodes
    if p.tensor_parallel * p.pipeline_parallel != gpus:
        return f"tp {p.tensor_parallel} x pp {p.pipeline_parallel} is not the {gpus} GPUs"
    if p.tensor_parallel > serve.GPUS_PER_NODE or p.nodes != max(rig.nodes, math.ceil(gpus / serve.GPUS_PER_NODE)):
        return f"tensor parallel {p.tensor_parallel} over {p.nodes} nodes"
    return None


def _cuda_floor(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in _GPU_ENGINES:
        return None
    for g in rig.gpus:
        cc = _cc(g.compute_capability)
        if g.backend == "cuda" and cc is not None and cc < serve.MIN_CUDA_CAPABILITY:
            return f"{g.name} is compute capability {g.compute_capability}"
        if g.backend == "cuda" and p.checkpoint_format == "nvfp4" and cc is not None and cc < serve.NVFP4_CAPABILITY:
            return f"NVFP4 on {g.name}"
        if g.backend == "cuda" and p.checkpoint_format == "fp8" and model.is_moe and cc and cc < serve.FP8_CAPABILITY:
            return f"an FP8 MoE checkpoint on {g.name}"
    return None


def _rocm_targets(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in _GPU_ENGINES:
        return None
    targets = serve.VLLM_ROCM_TARGETS if p.engine == Engine.VLLM else serve.SGLANG_ROCM_TARGETS
    backends = {g.backend for g in rig.gpus}
    if len(backends) > 1:
        return "one tensor-parallel group over NVIDIA and AMD cards"
    bad = [g.name for g in rig.gpus if g.backend == "rocm" and g.gfx_target not in targets]
    awq_on_amd = p.checkpoint_format in ("awq", "gptq") and "rocm" in backends
    return f"unsupported ROCm target on {bad}" if bad else "AWQ/GPTQ on ROCm" if awq_on_amd else None


def _fits_its_gpus(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.gpu_bytes_each is None:
        return None
    rig = serve.spark_rig(rig) or rig
    cap = serve.memory_fraction(rig, p.engine) * min(g.memory_bytes for g in rig.gpus)
    return None if p.gpu_bytes_each <= cap else f"{p.gpu_bytes_each} bytes a GPU over {cap:.0f}"


def _gguf_engines_load_gguf(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine in (Engine.LLAMA_CPP, Engine.IK_LLAMA, Engine.OLLAMA) and p.checkpoint_format != "gguf":
        return f"{p.engine} given a {p.checkpoint_format} checkpoint"
    return None


def _ollama_places_it(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine != Engine.OLLAMA:
        return None
    if o.placement.kind == "expert-offload":
        return "Ollama has no expert offload"
    if o.placement.nodes > 1:
        return "Ollama across machines"
    # a Hugging Face GGUF over 50 GB is split in parts Ollama cannot pull; a library tag is one blob of any size
    if p.checkpoint.startswith("hf.co/") and p.weights_bytes > serve.HF_SINGLE_FILE_MAX_BYTES:
        return "a sharded GGUF through Ollama"
    server = [s for s in p.steps if s.words == ("ollama", "serve")]
    client = [s for s in p.steps if s.words == ("ollama", "run")]
    if not server or not client or client[0].env:
        return "settings not on `ollama serve`"
    return None


def _mlx_on_apple(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in (Engine.MLX, Engine.EXO):
        return None
    machines = rig.node_rigs
    macs = all(not m.gpus and m.unified is not None and m.unified.backend == "metal" for m in machines)
    return None if macs else "MLX off Apple silicon"


def _ik_llama_where_it_works(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine != Engine.IK_LLAMA:
        return None
    not_cuda = [g.name for g in rig.gpus if g.backend != "cuda" or (_cc(g.compute_capability) or (9, 9)) < (7, 5)]
    if not_cuda:
        return f"ik_llama.cpp on {not_cuda}"
    if "_XL" in o.quant.upper():
        return f"ik_llama.cpp given Unsloth's {o.quant}"
    server = p.steps[-1]
    model_path = next((a.value or "" for a in server.args if a.flag == "-m"), "")
    made = {s.positional[1] for s in p.steps if s.words == ("llama-quantize",)}
    downloads = [s for s in p.steps if s.words == ("hf", "download")]
    folders = {a.value or "" for s in downloads for a in s.args if a.flag == "--local-dir"}
    if model_path not in made and not any(model_path.startswith(f"{d}/") for d in folders):
        return f"-m {model_path} is neither downloaded nor made by an earlier step"
    if "-fmoe" in {a.flag for a in server.args} or (model.attention.kind == "mla") != ("-mla" in serve_command(p)):
        return "-fmoe (no longer parsed), or -mla 3 missing on an MLA model"
    return None


def _repo_is_listed(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    known = {q.repo for q in model.quants if q.repo} | {model.hf_repo} | {g.repo for g in model.gguf_repos}
    repo = p.checkpoint.removeprefix("hf.co/").split(":")[0]
    tags = {t.tag for t in model.ollama_tags}
    return None if repo in known or p.checkpoint in tags else f"{p.checkpoint} is not a repo or tag the catalog lists"


def _online_fp8_from_16_bits(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if not any(a.flag == "--quantization" for s in p.steps for a in s.args):
        return None
    if p.checkpoint_format != "fp8" or p.checkpoint != model.hf_repo or model.native_dtype not in ("bf16", "fp16"):
        return f"--quantization on {p.checkpoint} ({p.checkpoint_format}, released as {model.native_dtype})"
    return None


def _mlx_convert_feeds_the_server(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    convert = next((s for s in p.steps if s.words == ("mlx_lm.convert",)), None)
    if convert is None:
        return None
    given = {a.flag: a.value for a in convert.args}
    served = next(
        (a.value for s in p.steps if s.words == ("mlx_lm.server",) for a in s.args if a.flag == "--model"), None
    )
    if given.get("--hf-path") != model.hf_repo or model.native_dtype not in ("bf16", "fp16"):
        return f"mlx_lm.convert from {given.get('--hf-path')} (released as {model.native_dtype})"
    if "-q" not in given or served != given.get("--mlx-path"):
        return f"mlx_lm.server loads {served}, convert wrote {given.get('--mlx-path')}"
    return None


def _quantized_repo_of_its_format(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine not in _GPU_ENGINES or p.checkpoint_format not in ("awq", "gptq", "nvfp4"):
        return None
    listed = {q.repo for q in model.quants if q.format == p.checkpoint_format}
    return None if p.checkpoint in listed else f"{p.checkpoint} is not a published {p.checkpoint_format} repo"


# vllm/config/model.py _FLOAT16_NOT_SUPPORTED_MODELS: "The model type 'gemma3' does not support float16. Reason:
# Numerical instability." (model types gemma2, gemma3, gemma3_text, plamo2, glm4; the same names as their GGUF
# architectures)
VLLM_NO_HALF = frozenset({"gemma2", "gemma3", "gemma3_text", "plamo2", "glm4"})


def _vllm_half_allowed(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine != Engine.VLLM or "--dtype half" not in serve_command(p):
        return None
    arch = architectures.gguf_architecture(model)
    return f"--dtype half on a {arch} model" if arch in VLLM_NO_HALF else None


def _sglang_fp8_floor(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    # python/sglang/srt/layers/quantization/fp8.py Fp8Config.get_min_capability() -> 80, enforced by
    # model_loader/loader.py _get_quantization_config ("The quantization method fp8 is not supported for the current
    # GPU. Minimum capability: 80.")
    if p.engine != Engine.SGLANG or p.checkpoint_format != "fp8":
        return None
    rig = serve.spark_rig(rig) or rig
    low = [g.name for g in rig.gpus if g.backend == "cuda" and (_cc(g.compute_capability) or (9, 9)) < (8, 0)]
    return f"SGLang FP8 on {low}" if low else None


def _ollama_one_library(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    if p.engine != Engine.OLLAMA:
        return None
    used = {pool.name for pool in o.placement.pools if pool.kind == "gpu"}
    backends = {g.backend for g in rig.gpus if g.name in used}
    return f"Ollama over {sorted(backends)} cards" if len(backends) > 1 else None


# Architectures mainline llama.cpp loads and ik_llama.cpp @8337e4cd does not (its src/llama-arch.cpp LLM_ARCH_NAMES
# lacks them; src/llama.cpp throws "unknown model architecture")
IK_UNKNOWN = frozenset(
    {"jamba", "granitehybrid", "nemotron_h", "nemotron_h_moe", "lfm2", "lfm2moe", "kimi-linear", "falcon-h1", "phimoe"}
)


def _ik_knows_the_architecture(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    arch = architectures.gguf_architecture(model)
    return f"ik_llama.cpp given a {arch} GGUF" if p.engine == Engine.IK_LLAMA and arch in IK_UNKNOWN else None


RULES: list[tuple[str, str, Rule]] = [
    ("flags", "engine/flags.py: each program's documented flags, values and environment", _flags_accept),
    (
        "heads divide",
        "vLLM: 'Total number of attention heads must be divisible by tensor parallel size' (vllm #4232, #414)",
        _heads_divide,
    ),
    (
        "nodes",
        "vLLM distributed serving docs: tensor parallel inside a node, pipeline parallel across nodes",
        _every_gpu_used_once,
    ),
    (
        "CUDA floor",
        "docs.vllm.ai installation/gpu (compute capability 7.5+); quantization/fp8 (FP8 MoE 8.9+); NVFP4 Blackwell",
        _cuda_floor,
    ),
    (
        "ROCm",
        "vLLM gpu.rocm.inc.md targets, docs.sglang.io amd_gpu; vLLM quantization table (no AWQ/GPTQ)",
        _rocm_targets,
    ),
    ("memory", "--gpu-memory-utilization / --mem-fraction-static default 0.9 (engine args docs)", _fits_its_gpus),
    (
        "GGUF only",
        "llama.cpp and Ollama load GGUF files (llama.cpp tools/server README; Ollama import docs)",
        _gguf_engines_load_gguf,
    ),
    (
        "Ollama",
        "Ollama faq.md (settings on `ollama serve`), no per-tensor offload flag, no sharded GGUF (ollama #5245)",
        _ollama_places_it,
    ),
    ("MLX", "mlx-lm SERVER.md and exo README: Apple silicon", _mlx_on_apple),
    (
        "ik_llama.cpp",
        "github:ikawrakow/ik_llama.cpp @8337e4cd README (CPU and CUDA Turing+ only; no Unsloth _XL; run a local file) "
        "and common/common.cpp (no -fmoe; -mla for MLA)",
        _ik_llama_where_it_works,
    ),
    ("real repo", "the catalog's listed repos (each with its source)", _repo_is_listed),
    (
        "online FP8",
        "docs.vllm.ai quantization/fp8: --quantization fp8 quantizes an original-precision BF16/FP16 model as it loads",
        _online_fp8_from_16_bits,
    ),
    (
        "MLX conversion",
        "github:ml-explore/mlx-lm mlx_lm/convert.py (--hf-path, -q, --q-bits, --mlx-path), SERVER.md (--model path)",
        _mlx_convert_feeds_the_server,
    ),
    (
        "vLLM float16",
        "vllm/config/model.py _FLOAT16_NOT_SUPPORTED_MODELS (gemma2, gemma3, gemma3_text, plamo2, glm4)",
        _vllm_half_allowed,
    ),
    (
        "SGLang FP8",
        "sglang fp8.py Fp8Config.get_min_capability 80; model_loader/loader.py _get_quantization_config",
        _sglang_fp8_floor,
    ),
    (
        "Ollama one library",
        "ollama server/sched.go pickBestFullFitByLibrary: 'The list of GPUs returned will always be the same brand'",
        _ollama_one_library,
    ),
    (
        "ik_llama.cpp architectures",
        "github:ikawrakow/ik_llama.cpp @8337e4cd src/llama-arch.cpp LLM_ARCH_NAMES, src/llama.cpp 'unknown model "
        "architecture'",
        _ik_knows_the_architecture,
    ),
    (
        "AWQ/GPTQ/NVFP4 repo",
        "vLLM loads a quantized checkpoint as published (quantization docs): no repo of the format, no command",
        _quantized_repo_of_its_format,
    ),
]


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
