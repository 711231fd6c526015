"""The commands cards print, audited on questions nobody here wrote: models of every kind (dense, MoE, MLA, hybrid
linear/state-space, vision) on rigs people name (one card to 16, Pascal to Blackwell, mixed vendors, experts in RAM,
CPU only, Macs, a DGX Spark, clusters), at the default context, 128k (or the model's limit) and its longest with a
q8_0 cache. Every printed line is read back against its engine's flag table (engine/flags.py) and checked against the
rules below, each with the engine source that proves it; a rule a plan breaks is a command that would not start as
printed (or would start another model, or not the placement the card describes).

`python -m bench.command_audit` prints each command a rule rejects; `make bench` reports `commands_audited`,
`commands_wrong` and both by engine. tests/test_serve_matrix.py checks every plan of its matrix against RULES.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.cards import serve_command
from catalog.catalog import Catalog
from catalog.types import Model
from engine import architectures, flags, serve
from engine.fit import FitOptions, QuantOption, fit
from engine.parse import parse_hardware
from engine.rig import Rig
from engine.serve import Engine, ServePlan

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


def _mxfp4_floor(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    # vllm .../quantization/mxfp4.py and sglang .../quantization/mxfp4.py: Mxfp4Config.get_min_capability() -> 80
    if p.engine not in _GPU_ENGINES or model.native_dtype != "mxfp4" or p.checkpoint != model.hf_repo:
        return None
    low = [g.name for g in rig.gpus if g.backend == "cuda" and (_cc(g.compute_capability) or (9, 9)) < (8, 0)]
    return f"an MXFP4 release on {low}" if low else None


# The config key each server's YaRN override must name: vLLM's `rope_parameters` (docs.vllm.ai features/
# context_extension, --hf-overrides), SGLang's `rope_scaling`, the key its models read (github:QwenLM/Qwen2.5
# docs/source/deployment/sglang.md: --json-model-override-args '{"rope_scaling":{"rope_type":"yarn",...}}')
ROPE_KEYS = {"--hf-overrides": "rope_parameters", "--json-model-override-args": "rope_scaling"}


def _rope_key(model: Model, rig: Rig, o: QuantOption, p: ServePlan) -> str | None:
    for step in p.steps:
        for a in (step.inside or step).args:
            if a.flag in ROPE_KEYS and a.value is not None and ROPE_KEYS[a.flag] not in json.loads(a.value):
                return f"{a.flag} {a.value} does not set {ROPE_KEYS[a.flag]}"
    return None


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
        "YaRN key",
        "docs.vllm.ai context_extension (rope_parameters); Qwen's SGLang guide (rope_scaling, the key SGLang reads)",
        _rope_key,
    ),
    (
        "MXFP4 floor",
        "vLLM and SGLang Mxfp4Config.get_min_capability() -> 80 (model_executor/layers/quantization/mxfp4.py)",
        _mxfp4_floor,
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

# Models of every kind people ask about, well beyond the matrix test's seven: dense (Llama, Qwen, Gemma 2/3,
# Mistral, Phi, Command A), MoE (Qwen3, gpt-oss, GLM-4.x, Mixtral, MiniMax, Llama 4), MLA (DeepSeek, Kimi,
# GLM-4.7-Flash, GLM-5), hybrid linear or state-space (Qwen3-Next, Jamba, Granite 4.0 H, Nemotron 3, Kimi Linear),
# vision (Gemma 3, Mistral Small 3.2), and checkpoints published as FP8 (Devstral Small 2, MiniMax M2.7), AWQ
# (Llama 3.3, Qwen3-32B, GLM-4.6), NVFP4 (Qwen3.8-Flash-Next), MXFP4 (gpt-oss) and GGUF.
AUDIT_MODELS: tuple[str, ...] = (
    "llama-3.1-8b", "llama-3.3-70b", "llama-3.1-405b", "qwen3-32b", "qwen2.5-7b", "gemma-2-9b", "gemma-3-4b",
    "gemma-3-27b", "mistral-small-3.2-24b", "phi-4", "command-a", "qwen3-30b-a3b", "qwen3-235b-a22b-instruct-2507",
    "gpt-oss-20b", "gpt-oss-120b", "glm-4.5-air", "glm-4.6", "mixtral-8x7b", "minimax-m2.7", "llama-4-scout",
    "deepseek-r1", "deepseek-coder-v2-lite", "kimi-k2", "glm-4.7-flash", "glm-5.1", "qwen3-next-80b-a3b",
    "jamba-mini-1.7", "granite-4.0-h-small", "nemotron-3-nano-30b-a3b", "kimi-linear-48b-a3b", "devstral-small-2",
    "qwen3.8-flash-next",
)  # fmt: skip
# Rigs as people write them: one card of each generation (Pascal P40 and 1080 Ti, Volta V100, Turing T4 and 2080 Ti,
# Ampere, Ada, Hopper, Blackwell), several cards (divisible and not by the heads), mixed cards and vendors, AMD, Intel,
# experts in RAM, CPU only, Macs, a Strix Halo, a DGX Spark, and clusters of machines.
AUDIT_RIGS: tuple[str, ...] = (
    "GTX 1080 Ti", "2x Tesla P40", "4x V100", "T4", "8x T4", "RTX 2080 Ti", "RTX 3060 12GB + 32GB DDR4", "RTX 3090",
    "3x RTX 3090", "6x RTX 3090", "RTX 4090 + 128GB DDR5", "RTX 4090 + RTX 3090", "2x RTX 5090", "L40S",
    "8x A100 40GB", "H100", "8x H100", "16x H200", "8x B200", "MI300X", "8x MI300X", "RX 7900 XTX",
    "RX 7900 XTX + RTX 3090", "Arc A770", "EPYC 9654 768GB", "Ryzen 9 7950X 64GB DDR5", "M4 Max 128GB",
    "M3 Ultra 512GB", "2x M3 Ultra 512GB", "strix halo 128", "DGX Spark", "2x DGX Spark",
)  # fmt: skip
LONG_CONTEXT = 131072


def audit_options(model: Model) -> tuple[FitOptions, ...]:
    """The default context, 128k (or the model's limit where shorter), and the longest it reads with a q8_0 cache."""
    limit = model.context_limit_tokens
    return (FitOptions(), FitOptions(context=min(LONG_CONTEXT, limit)), FitOptions(context=limit, kv_type="q8_0"))


@dataclass(frozen=True)
class Audited:
    model: str
    hardware: str
    context: int
    quant: str
    card: bool  # the option the card recommends (its commands are on the card; the others are in the JSON)
    engine: Engine
    command: str
    problems: tuple[str, ...]


def audit(
    catalog: Catalog, models: tuple[str, ...] = AUDIT_MODELS, rigs: tuple[str, ...] = AUDIT_RIGS
) -> list[Audited]:
    """Every plan of every option of every (model, rig, context) answer, each with what the rules find wrong in it."""
    out: list[Audited] = []
    for model_id in models:
        model = catalog.models[model_id]
        for hardware in rigs:
            readings = parse_hardware(hardware, catalog)
            rig = readings[0].rig
            for opts in audit_options(model):
                report = fit(model, readings[:1], opts)
                best = report.readings[0].best_option
                for o in report.readings[0].options:
                    for p in o.serve.plans:
                        problems = tuple(f"{name}: {why}" for name, _, rule in RULES if (why := rule(model, rig, o, p)))
                        command = serve_command(p)
                        out.append(Audited(model_id, hardware, report.context, o.quant, o is best, p.engine, command,
                                           problems))  # fmt: skip
    return out


def cards(rows: list[Audited]) -> int:
    return len({(r.model, r.hardware, r.context) for r in rows})


def figures(catalog: Catalog) -> dict[str, float]:
    rows = audit(catalog)
    results: dict[str, float] = {
        "command_audit_cards": cards(rows),
        "commands_audited": len(rows),
        "commands_wrong": sum(1 for r in rows if r.problems),
        "card_commands_audited": sum(1 for r in rows if r.card),
        "card_commands_wrong": sum(1 for r in rows if r.card and r.problems),
    }
    audited = Counter(r.engine.value for r in rows)
    wrong = Counter(r.engine.value for r in rows if r.problems)
    for engine in sorted(audited):
        results[f"commands_audited_{engine}"] = audited[engine]
        results[f"commands_wrong_{engine}"] = wrong[engine]
    return results


def main() -> None:
    from catalog.loader import load

    rows = audit(load())
    wrong = [r for r in rows if r.problems]
    for r in wrong:
        print(f"{r.model} on {r.hardware} at {r.context}, {r.quant}, {r.engine.value}: {'; '.join(r.problems)}")
        print("   " + r.command.replace("\n", "\n   "))
    by_engine = Counter(r.engine.value for r in rows)
    bad = Counter(r.engine.value for r in wrong)
    print(f"{cards(rows)} cards, {len(rows)} commands, {len(wrong)} wrong")
    on_cards = [r for r in rows if r.card]
    card_wrong = sum(1 for r in on_cards if r.problems)
    print(f"  on the cards (the recommended option): {len(on_cards)} audited, {card_wrong} wrong")
    for engine, n in sorted(by_engine.items()):
        print(f"  {engine}: {n} audited, {bad[engine]} wrong")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
