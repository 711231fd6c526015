"""Serve plans: for one option (a quant on a rig), the engines that can start it and how, as typed plans the bot
renders into a command to paste; and where an engine cannot serve it, which rule stops it.

- llama.cpp (`llama-server -hf <repo>:<quant>`) with the placement's flags, for every GGUF a catalog repo publishes
  (a quant row's repo, or a repo whose listing shows the quant); where none does but an F16/BF16 GGUF is listed,
  the route through `hf download` and `llama-quantize` to a local file. Across machines: `rpc-server` on every
  machine but the first and `llama-server --rpc` on the first, the other machines' addresses read from NODE<n>_IP.
- ik_llama.cpp beside llama.cpp where a MoE model's experts sit in system RAM: its own `llama-server`, built in a
  clone, on the quant's published file downloaded first (`hf download`, then `-m` its first part), `-mla 3` for MLA
  models; refused where the catalog does not name the file, on Unsloth's `_XL` quants, and off CUDA (Turing+)/CPU.
- Ollama (the library's tag of the quant where the catalog lists one, else `ollama run hf.co/<repo>:<quant>`;
  settings on `ollama serve`), where it can make the placement.
- MLX (`mlx_lm.server --model <mlx repo>`) for an MLX checkpoint on Apple silicon; across Macs, exo (`uv run exo`
  on every Mac, then its API places the MLX repo over them).
- vLLM and SGLang on the rig's GPUs with a checkpoint that fits: the option's own (FP8/AWQ/GPTQ/BF16) or, beside a
  GGUF, the best server checkpoint of the model that fits; tensor parallel dividing the heads, pipeline parallel
  for the rest and across nodes of GPUS_PER_NODE.

Every Step is checked against engine/flags.py when it is made: a plan cannot carry a flag its engine rejects.
"""

from __future__ import annotations

import json
import math
import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import model_validator

from catalog.types import GgufFile, GgufRepo, Model, Quant, QuantFormat, Yarn
from engine import architectures, flags, formats, memory, server_speed
from engine.placement import LLAMA_CUDA_MIN_CAPABILITY, Placement, below_llama_cuda, below_rocm
from engine.rig import Frozen, GpuDevice, Rig, UnifiedPool
from engine.server_speed import ServerSpeed
from engine.speed import Range, numa_sockets

# --------------------------------------------------------------------------------------------- rules

# vLLM's CUDA wheels: "GPU: compute capability 7.5 or higher (e.g., T4, RTX20xx, A100, L4, H100, B200)"
# (https://docs.vllm.ai/en/latest/getting_started/installation/gpu/; 7.0 up to v0.14). SGLang's CUDA kernels
# (sgl-kernel) are built for the same range; the same floor is applied to it.
MIN_CUDA_CAPABILITY = (7, 5)
# BF16 needs compute capability 8.0; below it vLLM runs a BF16 checkpoint as FP16 with `--dtype half`
# (vLLM's error: "Bfloat16 is only supported on GPUs with compute capability of at least 8.0").
BF16_CAPABILITY = (8, 0)
# vLLM refuses float16 for some model types: "The model type 'gemma3' does not support float16. Reason: Numerical
# instability. Please use bfloat16 or float32 instead." (vllm/config/model.py _FLOAT16_NOT_SUPPORTED_MODELS: gemma2,
# gemma3, gemma3_text, plamo2, glm4; model_type names that are also the GGUF architectures of those networks). Below
# BF16_CAPABILITY that leaves float32 only, twice the 16-bit weights and refused by the quantized formats' kernels, so
# vLLM is not planned for them there (SGLang keeps no such list).
VLLM_NO_FLOAT16 = frozenset({"gemma2", "gemma3", "plamo2", "glm4"})
# FP8 W8A8 needs 8.9 (Ada, Hopper, Blackwell); dense FP8 checkpoints run on 7.5+ as weight-only W8A16 through
# FP8 Marlin (https://docs.vllm.ai/en/latest/features/quantization/fp8/); FP8 MoE checkpoints need 8.9 ("vLLM
# supports FP8 MoE models only on Ada Lovelace or Hopper GPUs (>= SM 89)",
# https://huggingface.co/neuralmagic/DeepSeek-Coder-V2-Instruct-FP8/discussions/1). The same 8.9 floor is used
# for an FP8 KV cache.
FP8_CAPABILITY = (8, 9)
# SGLang's FP8 (a published FP8 checkpoint or --quantization fp8) needs 8.0: Fp8Config.get_min_capability() returns 80
# (python/sglang/srt/layers/quantization/fp8.py @00563d36), and its loader raises "The quantization method fp8 is not
# supported for the current GPU. Minimum capability: 80. Current capability: 75." below it
# (python/sglang/srt/model_loader/loader.py _get_quantization_config @005cbe0e).
SGLANG_FP8_CAPABILITY = (8, 0)
# A model released in MXFP4 (gpt-oss) is served from its own repo as MXFP4: both engines'
# Mxfp4Config.get_min_capability() returns 80 (vllm/model_executor/layers/quantization/mxfp4.py;
# python/sglang/srt/layers/quantization/mxfp4.py), and their loaders raise "The quantization method mxfp4 is not
# supported for the current GPU" below it; vLLM's runs in bfloat16 only (get_supported_act_dtypes), which Turing lacks.
MXFP4_CAPABILITY = (8, 0)
# NVFP4 is Blackwell's 4-bit float (compute capability 10.0 and 12.0).
NVFP4_CAPABILITY = (10, 0)
# vLLM on ROCm: "MI200s (gfx90a), MI300 (gfx942), MI350 (gfx950), Radeon RX 7900 series (gfx1100/1101), Radeon RX
# 9000 series (gfx1200/1201), Ryzen AI MAX / AI 300 Series (gfx1151/1150)"
# (https://raw.githubusercontent.com/vllm-project/vllm/main/docs/getting_started/installation/gpu.rocm.inc.md).
VLLM_ROCM_TARGETS = frozenset(
    {"gfx90a", "gfx942", "gfx950", "gfx1100", "gfx1101", "gfx1200", "gfx1201", "gfx1150", "gfx1151"}
)
# SGLang on AMD: Instinct MI300X/MI325X/MI35X (https://docs.sglang.io/platforms/amd_gpu.html).
SGLANG_ROCM_TARGETS = frozenset({"gfx942", "gfx950"})
# vLLM's quantization table: AWQ and GPTQ are not supported on AMD GPUs, FP8 W8A8 is (MI300 and later)
# (https://docs.vllm.ai/en/v0.14.0/features/quantization/).
ROCM_FP8_TARGETS = frozenset({"gfx942", "gfx950"})
# An HGX/DGX box holds 8 GPUs; more GPUs than that are read as several nodes of equal size.
GPUS_PER_NODE = 8
# vLLM's --gpu-memory-utilization and SGLang's --mem-fraction-static default to 0.9 of each GPU's memory
# (engine docs above); the plan states the figure it sized with.
GPU_MEMORY_FRACTION = 0.90
MIN_SERVER_CONTEXT = 4096  # below this a server plan is not worth printing: a short chat turn does not fit
CONTEXT_STEP = 1024  # --max-model-len is lowered in steps of this many tokens until the KV cache fits
# Ollama cannot pull a GGUF published in shards (ollama/ollama#5245; "The specified repository contains sharded
# GGUF. Ollama does not support this yet", unslothai/unsloth#3594). Hugging Face keeps files under 50 GB
# (https://huggingface.co/docs/hub/storage-limits), so a GGUF this large is always sharded.
HF_SINGLE_FILE_MAX_BYTES = 50 * 10**9
RAY_PORT = 6379  # `ray start --head` default port (vLLM multi-node docs)
SGLANG_DIST_PORT = 50000  # the port SGLang's multi-node example uses for --dist-init-addr
HEAD_NODE_VAR = "$HEAD_NODE_IP"  # the first node's address: the user's own; the plan says to set it
# llama.cpp RPC: `rpc-server -H 0.0.0.0 -p 50052` on each remote host, `--rpc host:port,...` on the main host
# (https://github.com/ggml-org/llama.cpp/blob/master/tools/rpc/README.md). Machine n's address is the user's own:
# the head's line reads it from NODE<n>_IP, which the card says to set.
RPC_PORT = 50052
NODE_IP_VAR = "NODE{n}_IP"
# exo: `uv run exo` on every device (they find each other), API on port 52415; POST /place_instance places a model
# (github:exo-explore/exo README.md and src/exo/api/main.py @b5375f8c). Pipeline sharding splits layers by machine
# as the placement does; MlxRing is the default transport (MlxJaccl needs RDMA over Thunderbolt 5 on macOS 26.2+).
EXO_PLACE_URL = "http://localhost:52415/place_instance"
EXO_SHARDING = "Pipeline"
EXO_INSTANCE = "MlxRing"
# What a GGUF conversion starts from, best first: llama-quantize reads 16-bit GGUFs (tools/quantize/README.md).
CONVERT_FROM = ("BF16", "F16")
UNQUANTIZED = frozenset({"BF16", "F16", "F32", "COPY"})  # llama-quantize types that are not a quant to make
_SPLIT_PART = re.compile(r"-0*1-of-\d+\.gguf$")

SERVER_FORMATS: tuple[QuantFormat, ...] = ("fp8", "awq", "gptq", "nvfp4", "safetensors")


class Engine(StrEnum):
    LLAMA_CPP = "llama.cpp"
    IK_LLAMA = "ik_llama.cpp"
    OLLAMA = "ollama"
    MLX = "mlx"
    VLLM = "vllm"
    SGLANG = "sglang"
    EXO = "exo"


class Refusal(StrEnum):
    """Why an engine cannot serve an option (bot/wording.py says each in words)."""

    NO_GGUF_REPO = "no-gguf-repo"  # the quant has no published file in the catalog
    SHARDED_GGUF = "sharded-gguf"  # Ollama cannot pull a GGUF in shards
    EXPERT_OFFLOAD = "expert-offload"  # Ollama has no --n-cpu-moe: it cannot keep experts in RAM
    COMPUTE_CAPABILITY = "compute-capability"  # a card below the engine's CUDA floor
    FORMAT_CAPABILITY = "format-capability"  # the checkpoint's format needs a newer card
    ROCM_TARGET = "rocm-target"  # an AMD card the engine's ROCm build does not support
    ROCM_FORMAT = "rocm-format"  # a checkpoint format the engine does not run on AMD
    MIXED_GPUS = "mixed-gpus"  # NVIDIA and AMD cards in one tensor-parallel group
    NO_SERVER_CHECKPOINT = "no-server-checkpoint"  # no FP8/AWQ/GPTQ/BF16 repo of the model in the catalog
    DOES_NOT_FIT = "does-not-fit"  # no checkpoint fits the GPUs with MIN_SERVER_CONTEXT of KV
    NO_PARALLEL_LAYOUT = "no-parallel-layout"  # no tensor x pipeline split the model's heads and layers allow
    CLUSTER = "cluster"  # Ollama runs on one machine; the placement splits the model across `nodes` machines
    NO_MLX_REPO = "no-mlx-repo"  # exo: no published MLX repo of the quant in the catalog
    NOT_APPLE = "not-apple"  # exo runs MLX on Apple silicon (on Linux it runs on the CPU); `device` is not a Mac
    NEEDS_IMATRIX = "needs-imatrix"  # no repo publishes the quant, and llama-quantize makes it only with an imatrix
    NO_GGUF_FILE = "no-gguf-file"  # ik_llama.cpp loads a local file: the catalog does not name the quant's file
    SEVERAL_MODELS = "several-models"  # Ollama: the repo holds several models' files, and a quant tag names no one
    F16_TENSORS = "f16-tensors"  # ik_llama.cpp's README: Unsloth's `_XL` quants (f16 tensors) are likely not to work
    BACKEND = "backend"  # ik_llama.cpp works on CPUs and CUDA cards of Turing or newer only; `device` is not one
    SPARK_NOT_PLANNED = "spark-not-planned"  # SGLang on a DGX Spark: a format NVIDIA's SGLang playbook does not list
    # above the native context: the engine has no setting for the YaRN rope scaling the context needs
    ROPE_SCALING = "rope-scaling"
    # above the native context: `quant`'s checkpoint is not one the card's YaRN block is for (a later release)
    ROPE_CHECKPOINT = "rope-checkpoint"
    IK_TYPE = "ik-type"  # a block type only ik_llama.cpp has (IQ4_KSS, IQ2_KT, Q4_0_R8): llama.cpp and Ollama reject it
    # a fine-tune or merge read as its base model (Model.asked_as): the catalog's files are the base's weights, which
    # would start another model than the one asked for (`magistral small` is not Mistral Small 3.2's GGUF)
    BASE_FILES = "base-files"
    # a GPU whose backend the engine's planned builds (CUDA, ROCm) do not run: an Intel Arc needs vLLM's separate XPU
    # build, which rigfit does not plan; `device` is the card
    GPU_BACKEND = "gpu-backend"
    # the engine's model loader has no such network: the GGUF's `architecture` (ik_llama.cpp has no Jamba, no Granite
    # 4.0 hybrid, no Nemotron-H) stops it at load with "unknown model architecture"
    ARCHITECTURE = "architecture"
    # vLLM refuses float16 for this model type (numerical instability), and `device` has no bfloat16 (below 8.0)
    FLOAT16 = "float16"


# Where a step runs: one machine (`run`), a server then its client, a cluster's first machine (`head`) or machine
# `node_rank` (`worker`, `node`), every machine but the first (`workers`), every machine (`every`), or before the
# server on the machine that runs it (`prepare`: downloading and converting a file; `download`: a published file).
StepRole = Literal["run", "server", "client", "head", "worker", "node", "workers", "every", "prepare", "download"]


class Arg(Frozen):
    flag: str
    value: str | None = None


class Step(Frozen):
    """One command: the program's words, positional arguments, flags and the environment it is started with.
    `role` and `node_rank` say where it runs (the bot says it in words)."""

    words: tuple[str, ...]
    positional: tuple[str, ...] = ()
    args: tuple[Arg, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    role: StepRole = "run"
    node_rank: int | None = None
    reads: tuple[str, ...] = ()  # shell variables the line reads that the user sets first (other machines' addresses)
    inside: Step | None = None  # a container's command (`docker run ... IMAGE` then this step's line)

    @model_validator(mode="after")
    def _engine_accepts(self) -> Step:
        program = flags.program_for(self.words)
        if program is None or program.words != self.words:
            raise ValueError(f"no flag table for {' '.join(self.words)}")
        if program.nested != (self.inside is not None):
            raise ValueError(f"{' '.join(self.words)}: a launcher and the command it runs go together")
        tokens = [] if program.nested else [*self.positional]  # a launcher's flags come before its image
        for a in self.args:
            tokens += [a.flag] if a.value is None else [a.flag, a.value]
        tokens += [*self.positional] if program.nested else []
        problems = flags.check_args(program, tokens) + flags.check_env(program, list(self.env))
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ForkSpeed(Frozen):
    """A llama.cpp fork's speed on the option: llama.cpp's own range times the fork/mainline ratio measured on
    `sources` sources (the ratio's spread widens the range)."""

    decode_tps: Range
    prefill_tps: Range | None
    sources: int


# CUDA 13.0 removed offline compilation for compute capability below 7.5 (Maxwell, Pascal, Volta: CUDA 12.9 release
# notes, "Deprecated Architectures"), and llama.cpp adds its 5.0/6.1/7.0 targets only to builds with a CUDA toolkit
# older than 13 (ggml/src/ggml-cuda/CMakeLists.txt: `if (CUDAToolkit_VERSION VERSION_LESS "13")`): such a card needs a
# llama.cpp built with a CUDA 12 toolkit (engine/recommend.py MIN_CUDA_CAPABILITY is the same floor).
CUDA_13_MIN_CAPABILITY = (7, 5)


class LlamaBuild(Frozen):
    """The llama.cpp build the plan's GPUs need, where it is not the usual one: Vulkan for cards of several vendors
    (`why` "vendors") or for `device`, a CUDA card of `compute_capability` below LLAMA_CUDA_MIN_CAPABILITY
    ("capability"); CUDA from a CUDA 12 toolkit for a card below CUDA_13_MIN_CAPABILITY ("cuda-12")."""

    why: Literal["vendors", "capability", "rocm", "cuda-12"]
    device: str | None = None
    compute_capability: str | None = None


class ServePlan(Frozen):
    engine: Engine
    checkpoint: str  # what the engine loads: a repo id, repo:quant or an Ollama reference
    checkpoint_format: QuantFormat
    weights_bytes: int
    weights_basis: Literal["published", "estimated"]
    context_tokens: int  # the context the plan starts with (--max-model-len, -c, OLLAMA_CONTEXT_LENGTH)
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    nodes: int = 1
    gpu_bytes_each: int | None = None  # servers: weights + KV + buffers on each GPU, within GPU_MEMORY_FRACTION
    node_bytes: tuple[int, ...] = ()  # across machines: weights + KV + buffers each machine holds, first machine first
    converted_to: str | None = None  # a local file made with llama-quantize from `checkpoint` (an F16/BF16 GGUF)
    source_bytes: int | None = None  # what that conversion downloads first (estimated from the parameter count)
    steps: tuple[Step, ...]
    speed: ServerSpeed | None = None  # vLLM/SGLang on one node: decode of this checkpoint as split (server_speed.py)
    fork_speed: ForkSpeed | None = None  # ik_llama.cpp: llama.cpp's figure times the measured ratio (IK_RATIO)
    build: LlamaBuild | None = None  # llama.cpp: the build its GPUs need where it is not the usual one, and why


class Refused(Frozen):
    engine: Engine
    reason: Refusal
    quant: str | None = None
    device: str | None = None  # the card that stops it
    compute_capability: str | None = None
    needed_capability: str | None = None
    gfx_target: str | None = None
    checkpoint_format: QuantFormat | None = None
    needed_bytes: int | None = None  # per GPU
    have_bytes: int | None = None  # per GPU, at GPU_MEMORY_FRACTION
    nodes: int | None = None  # CLUSTER: the machines the placement uses
    backend: str | None = None  # GPU_BACKEND: the card's backend (`sycl` for an Intel Arc)
    architecture: str | None = None  # ARCHITECTURE, FLOAT16: the model's GGUF architecture (llama.cpp's name)
    vision_language: bool = False  # BASE_FILES: the name asked is a vision-language model's (vision_language)


class Serve(Frozen):
    plans: tuple[ServePlan, ...] = ()
    refused: tuple[Refused, ...] = ()

    def plan(self, engine: Engine) -> ServePlan | None:
        return next((p for p in self.plans if p.engine == engine), None)

    def __add__(self, other: Serve) -> Serve:
        seen = {(p.engine, p.checkpoint) for p in self.plans}
        plans = self.plans + tuple(p for p in other.plans if (p.engine, p.checkpoint) not in seen)
        served = {p.engine for p in plans}
        refused = tuple(r for r in self.refused + other.refused if r.engine not in served)
        unique = tuple(dict.fromkeys(refused))
        return Serve(plans=plans, refused=unique)


class Checkpoint(Frozen):
    """A server checkpoint of the model: a published FP8/AWQ/GPTQ/NVFP4/BF16 repo, or the model's own repo at its
    native type (sized from the parameter count)."""

    repo: str
    format: QuantFormat
    weights_bytes: int
    basis: Literal["published", "estimated"]
    name: str
    # the engine quantizes the 16-bit repo as it loads it (`--quantization fp8`): no FP8 repo is needed
    quantization: Literal["fp8"] | None = None


# ------------------------------------------------------------------------------------------- YaRN

# A context above the model's native length runs with the YaRN rope scaling its card documents (catalog Model.yarn),
# set on each engine's command line, and only then (the card: static YaRN may cost quality on shorter texts):
# - llama.cpp, ik_llama.cpp: --rope-scaling yarn --rope-scale F --yarn-orig-ctx N (engine/flags.py; Qwen3's card gives
#   `-c 131072 --rope-scaling yarn --rope-scale 4 --yarn-orig-ctx 32768`);
# - vLLM: --hf-overrides with rope_parameters {rope_type yarn, factor, original_max_position_embeddings, rope_theta}
#   (https://docs.vllm.ai/en/stable/features/context_extension/; the override replaces the block, so rope_theta is in);
# - SGLang: --json-model-override-args with the same block under `rope_scaling`, as Qwen's SGLang guide prints it
#   (github:QwenLM/Qwen2.5 docs/source/deployment/sglang.md: '{"rope_scaling":{"rope_type":"yarn","factor":4.0,
#   "original_max_position_embeddings":32768}}'): SGLang sets the override's keys on the config one by one, and its
#   models read `rope_scaling`; under transformers 5 that key is an alias of rope_parameters (sglang's config tests
#   override both), under 4.x `rope_parameters` is an attribute nothing reads, so YaRN would be silently off. With
#   SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1 for a --context-length above the one it derives from the config
#   (python/sglang/srt/configs/model_config.py);
# - Ollama has no setting for it: it takes rope scaling from the GGUF's own metadata, so a longer context needs a
#   re-converted model (ollama/ollama#8493); mlx_lm.server and exo have no flag either (the config.json would have to
#   be edited). Those refuse (Refusal.ROPE_SCALING).
# A checkpoint the card's block is not for (an aliased later release with other rope settings) refuses too.
YARN_ENV = ("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "1")
SGLANG_ROPE_OVERRIDE = ("rope_scaling", "--json-model-override-args")  # the config key SGLang's models read, its flag


def yarn_needed(model: Model, context: int) -> bool:
    """Whether `context` needs the YaRN the card documents: above the native length (or the length above which the
    card asks for it) and within the extension."""
    y = model.yarn
    if y is None:
        return False
    threshold = y.needed_above_tokens or model.context_max_tokens
    return threshold < context <= y.extended_context_tokens


def yarn_serves(model: Model, quant: Quant | None, quant_name: str, fmt: QuantFormat, context: int) -> bool:
    """Whether some engine can set the YaRN a context needs on this file: a GGUF (llama.cpp) or server checkpoint of
    a repo the card's YaRN is for; never MLX (mlx_lm.server has no setting). True where the context needs none."""
    if model.yarn is None or not yarn_needed(model, context):
        return True
    if fmt == "mlx":
        return False
    if fmt == "gguf":
        route = _conversion(model, quant_name) if gguf_repo(model, quant, quant_name) is None else None
        repo = route.source.partition(":")[0] if isinstance(route, _Conversion) else gguf_repo(model, quant, quant_name)
    else:
        repo = quant.repo if quant is not None else model.hf_repo  # an unpublished FP8 is made from the model's repo
    return repo in model.yarn.repos


def _yarn_stop(engine: Engine, model: Model, context: int, repo: str | None, quant: str | None) -> Refused | None:
    """Above the native length: the engine that cannot set YaRN, or a checkpoint the card's YaRN is not for."""
    if not yarn_needed(model, context) or model.yarn is None:
        return None
    if engine in (Engine.OLLAMA, Engine.MLX, Engine.EXO):
        return Refused(engine=engine, reason=Refusal.ROPE_SCALING, quant=quant)
    if repo is None or repo not in model.yarn.repos:
        return Refused(engine=engine, reason=Refusal.ROPE_CHECKPOINT, quant=quant)
    return None


def _llama_yarn_args(model: Model, context: int) -> list[Arg]:
    """llama.cpp's and ik_llama.cpp's YaRN flags where the context needs them."""
    y = model.yarn
    if y is None or not yarn_needed(model, context):
        return []
    return [
        Arg(flag="--rope-scaling", value="yarn"),
        Arg(flag="--rope-scale", value=f"{y.factor:g}"),
        Arg(flag="--yarn-orig-ctx", value=str(y.original_context_tokens)),
    ]


def _rope_parameters(y: Yarn) -> dict[str, object]:
    theta = int(y.rope_theta) if y.rope_theta.is_integer() else y.rope_theta
    return {
        "rope_type": "yarn",
        "factor": y.factor,
        "original_max_position_embeddings": y.original_context_tokens,
        "rope_theta": theta,
    }


def _server_yarn_arg(engine: Engine, model: Model, context: int) -> list[Arg]:
    """vLLM's --hf-overrides or SGLang's --json-model-override-args where the context needs YaRN."""
    if model.yarn is None or not yarn_needed(model, context):
        return []
    key, flag = ("rope_parameters", "--hf-overrides") if engine == Engine.VLLM else SGLANG_ROPE_OVERRIDE
    body = json.dumps({key: _rope_parameters(model.yarn)}, separators=(",", ":"))
    return [Arg(flag=flag, value=body)]


# ------------------------------------------------------------------------------------------ llama.cpp


def _cc(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    major, _, minor = text.partition(".")
    return int(major), int(minor)


def _fmt_cc(cc: tuple[int, int]) -> str:
    return f"{cc[0]}.{cc[1]}"


def _listing(model: Model, quant_name: str) -> GgufRepo | None:
    """A catalog repo whose file list shows this quant (names compared without regard to case: `f16` is F16)."""
    key = quant_name.upper()
    return next((r for r in model.gguf_repos if key in {q.upper() for q in r.quants}), None)


def gguf_repo(model: Model, quant: Quant | None, quant_name: str) -> str | None:
    """The repo to point llama.cpp or Ollama at: the quant row's own, else a repo whose listing shows the quant."""
    if quant is not None and quant.format != "gguf":
        return None
    if quant is not None and quant.repo:
        return quant.repo
    listed = _listing(model, quant_name)
    return listed.repo if listed else None


def _sixteen_bit_file(model: Model) -> tuple[GgufRepo, GgufFile] | None:
    """A BF16 (else F16) GGUF of the model a catalog listing names the file of."""
    for kind in CONVERT_FROM:
        for r in model.gguf_repos:
            found = next((f for f in r.files if f.quant.upper() == kind), None)
            if found is not None:
                return r, found
    return None


def _download_pattern(path: str) -> str:
    """What `hf download --include` takes for every part of the file at `path`: its folder, else its split parts."""
    if "/" in path:
        return path.rsplit("/", 1)[0] + "/*"
    split = _SPLIT_PART.search(path)
    return path[: split.start()] + "-*.gguf" if split else path


def _local_name(repo: str, quant_name: str) -> str:
    """The file llama-quantize writes: the repo's name without its -GGUF suffix, then the quant."""
    stem = re.sub(r"[-_.]gguf$", "", repo.split("/")[1], flags=re.IGNORECASE)
    return f"{stem}-{quant_name}.gguf"


class _Conversion(Frozen):
    source: str  # repo:quant of the 16-bit GGUF
    source_bytes: int
    local_file: str
    steps: tuple[Step, ...]


def _conversion(model: Model, quant_name: str) -> _Conversion | Refusal:
    """The route to a quant no catalog repo publishes: download a listed BF16/F16 GGUF, llama-quantize it."""
    found = _sixteen_bit_file(model)
    quantized = quant_name.upper() in flags.QUANTIZE_TYPES and quant_name.upper() not in UNQUANTIZED
    if found is None or not quantized:
        return Refusal.NO_GGUF_REPO
    if quant_name.upper() in flags.QUANTIZE_NEEDS_IMATRIX:
        return Refusal.NEEDS_IMATRIX
    repo, file = found
    folder = repo.repo.split("/")[1]
    local = _local_name(repo.repo, quant_name)
    download = Step(
        words=("hf", "download"),
        positional=(repo.repo,),
        args=(Arg(flag="--include", value=_download_pattern(file.path)), Arg(flag="--local-dir", value=folder)),
        role="prepare",
    )
    quantize = Step(words=("llama-quantize",), positional=(f"{folder}/{file.path}", local, quant_name), role="prepare")
    return _Conversion(
        source=f"{repo.repo}:{file.quant}",
        source_bytes=int(model.total_params_b * 1e9 * 2),
        local_file=local,
        steps=(download, quantize),
    )


def n_cpu_moe_arg(model: Model, moe_layers_in_ram: int, *, ik: bool = False) -> Arg:
    """The flag that keeps the experts of `moe_layers_in_ram` MoE layers in RAM; every MoE layer is `--cpu-moe`.
    llama.cpp's `--n-cpu-moe N` takes the first N blocks, the leading dense ones included (common/arg.cpp pushes
    an override of `blk.i.ffn_*_exps` for every i below N, and a dense block has none), so N is the MoE layers plus
    the leading dense ones (3 of DeepSeek V3's, 1 of GLM-4.5's); ik_llama.cpp's takes the last N (engine/flags.py),
    past the dense ones."""
    if moe_layers_in_ram >= memory.moe_layers(model):
        return Arg(flag="--cpu-moe")
    dense = 0 if ik else model.layers - memory.moe_layers(model)
    return Arg(flag="--n-cpu-moe", value=str(moe_layers_in_ram + dense))


def _placement_args(model: Model, placement: Placement, context: int, kv_type: str, *, ik: bool = False) -> list[Arg]:
    args = [Arg(flag="-c", value=str(context))]
    if placement.n_gpu_layers is not None:
        args.append(Arg(flag="-ngl", value=str(placement.n_gpu_layers)))
    if placement.n_cpu_moe:
        args.append(n_cpu_moe_arg(model, placement.n_cpu_moe, ik=ik))
    # Across machines llama.cpp splits by each device's free memory (tools/rpc/README.md), as the placement does;
    # a -ts list would have to follow llama.cpp's device order, so it is left out there.
    if placement.tensor_split and len(placement.tensor_split) > 1 and placement.nodes == 1:
        args.append(Arg(flag="-ts", value=",".join(str(n) for n in placement.tensor_split)))
    args.append(Arg(flag="-fa", value="on"))
    if placement.ubatch_tokens != memory.N_UBATCH:
        args.append(Arg(flag="-ub", value=str(placement.ubatch_tokens)))
    if kv_type != "f16":
        args += [Arg(flag="-ctk", value=kv_type), Arg(flag="-ctv", value=kv_type)]
    if _numa(placement):  # the weights paged in by the threads of every socket (speed.NUMA_SOCKETS)
        args.append(Arg(flag="--numa", value="distribute"))
    elif placement.kind == "cpu":
        args.append(Arg(flag="--no-mmap"))
    return args


def _numa(placement: Placement) -> bool:
    """System RAM on several sockets holds weights: llama.cpp's --numa distribute, with the file memory-mapped (the
    page cache the threads of each socket fill; --no-mmap would load every page from one thread)."""
    return any(numa_sockets(p) > 1 and p.weights_bytes for p in placement.pools)


def _rpc_steps(server_args: list[Arg], nodes: int) -> tuple[Step, ...]:
    """llama.cpp over `nodes` machines: rpc-server on machines 2..n, llama-server --rpc on the first."""
    names = [NODE_IP_VAR.format(n=n) for n in range(2, nodes + 1)]
    hosts = ",".join(f"${name}:{RPC_PORT}" for name in names)
    workers = Step(
        words=("rpc-server",),
        args=(Arg(flag="-H", value="0.0.0.0"), Arg(flag="-p", value=str(RPC_PORT))),
        role="workers",
    )
    head = Step(
        words=("llama-server",),
        args=(*server_args, Arg(flag="--rpc", value=hosts)),
        role="head",
        node_rank=0,
        reads=tuple(names),
    )
    return workers, head


def node_bytes(rig: Rig, placement: Placement) -> tuple[int, ...]:
    """What each machine holds of a placement across machines: its devices' pools, in the machines' order
    (engine/placement.py lists every machine's devices in turn and leaves out a device given no layers)."""
    if placement.nodes <= 1:
        return ()
    names = [[*(g.name for g in m.gpus), *((m.unified.name,) if m.unified else ())] for m in rig.node_rigs]
    held = [0] * len(names)
    machine = 0
    for pool in placement.pools:
        if pool.kind == "ram":
            held[0] += pool.used_bytes  # system RAM is the first machine's
            continue
        while machine < len(names) - 1 and pool.name not in names[machine]:
            machine += 1
        if pool.name in names[machine]:
            names[machine].remove(pool.name)
        held[machine] += pool.used_bytes
    return tuple(held)


# ik_llama.cpp's own block types: its non-linear IQ*_K family (IQ2_K .. IQ6_K and their KS, KSS, KL and trellis KT
# variants: github:ikawrakow/ik_llama.cpp PRs #85 IQ2_KS and #422 IQ5_KS) and the row-interleaved repacks (_R4, _R8,
# _R16) of its run-time repacking. Mainline llama.cpp's ggml has none of them (its i-quants are IQ1_S .. IQ4_XS,
# IQ4_NL), so its llama-server, and Ollama built on it, fail to load such a file.
_IK_TYPE = re.compile(r"^(?:IQ[1-6]_K[A-Z]*|[A-Z0-9_]+_R(?:4|8|16))$")


def ik_only(quant_name: str) -> bool:
    """Whether a GGUF's file type is one only ik_llama.cpp loads (`IQ4_KSS`, `IQ2_KT`, `IQ4_K_R4`, `Q4_0_R8`)."""
    return bool(_IK_TYPE.match(quant_name.strip().upper()))


def llama_cpp(
    model: Model,
    quant: Quant | None,
    quant_name: str,
    placement: Placement,
    context: int,
    kv_type: str,
    rig: Rig | None = None,
    weights_bytes: int | None = None,
) -> ServePlan | Refused:
    """llama-server on the placement: from a repo that publishes the quant, else from a local file converted from a
    listed 16-bit GGUF; across machines, with rpc-server on the others."""
    if ik_only(quant_name):
        return Refused(engine=Engine.LLAMA_CPP, reason=Refusal.IK_TYPE, quant=quant_name)
    repo = gguf_repo(model, quant, quant_name)
    size = quant.file_bytes if quant is not None else weights_bytes
    converted: _Conversion | None = None
    if repo is not None:
        hf = _hf_args(model, repo, quant_name)
        if isinstance(hf, Refusal):
            return Refused(engine=Engine.LLAMA_CPP, reason=hf, quant=quant_name)
        checkpoint, load = f"{repo}:{quant_name}", hf
    else:
        route = _conversion(model, quant_name)
        if not isinstance(route, _Conversion):
            return Refused(engine=Engine.LLAMA_CPP, reason=route, quant=quant_name)
        converted, checkpoint, load = route, route.source, (Arg(flag="-m", value=route.local_file),)
    stop = _yarn_stop(Engine.LLAMA_CPP, model, context, checkpoint.partition(":")[0], quant_name)
    if stop is not None:
        return stop
    build = _llama_build(rig, placement)
    args = [*load, *_placement_args(model, placement, context, kv_type), *_llama_yarn_args(model, context)]
    if build is not None and build.why == "vendors":  # Vulkan numbers the cards in its own order: split by memory
        args = [a for a in args if a.flag != "-ts"]
    nodes = placement.nodes
    steps = _rpc_steps(args, nodes) if nodes > 1 else (Step(words=("llama-server",), args=tuple(args)),)
    if converted is not None:
        steps = converted.steps + steps
    return ServePlan(
        engine=Engine.LLAMA_CPP,
        checkpoint=checkpoint,
        checkpoint_format="gguf",
        weights_bytes=size or 0,
        weights_basis="published" if quant is not None and converted is None else "estimated",
        context_tokens=context,
        nodes=nodes,
        node_bytes=node_bytes(rig, placement) if rig is not None else (),
        converted_to=quant_name if converted else None,
        source_bytes=converted.source_bytes if converted else None,
        steps=steps,
        build=build,
    )


def _llama_build(rig: Rig | None, placement: Placement) -> LlamaBuild | None:
    """The build the placement's GPUs need: Vulkan (placement.vulkan_build), with the card too old for CUDA; else a
    CUDA 12 toolkit's for a card CUDA 13 no longer builds for; None for the usual build."""
    cards = _used_cards(rig, placement)
    if placement.vulkan_build == "vendors":
        return LlamaBuild(why="vendors")
    if placement.vulkan_build == "rocm":
        return LlamaBuild(why="rocm", device=next((g.name for g in cards if below_rocm(g)), None))
    old = next((g for g in cards if below_llama_cuda(g)), None)
    if placement.vulkan_build is not None:
        return LlamaBuild(
            why="capability", device=old.name if old else None, compute_capability=old and old.compute_capability
        )
    pre = next(
        (
            g
            for g in cards
            if g.backend == "cuda" and (_cc(g.compute_capability) or CUDA_13_MIN_CAPABILITY) < CUDA_13_MIN_CAPABILITY
        ),
        None,
    )
    if pre is None or placement.nodes > 1:
        return None
    return LlamaBuild(why="cuda-12", device=pre.name, compute_capability=pre.compute_capability)


# ik_llama.cpp (github:ikawrakow/ik_llama.cpp @8337e4cd): a llama.cpp fork with its own CPU kernels, fused MoE and
# MLA attention. Its README: "The only fully functional and performant compute backends are CPU (AVX2 or better,
# ARM_NEON or better) and CUDA (Turing or newer)"; "Do not use quantized models from Unsloth that have `_XL` in their
# name" (those with f16 tensors). It is offered beside llama.cpp where it is the better offload engine: a MoE model
# with its routed experts in system RAM (experts offloaded, layers offloaded, or on the CPU alone). Measured against
# llama.cpp on the same rig: with `-ot exps=CPU`, prompts 35-40% faster at the same generation speed on
# Qwen3-Coder-Next (RTX 5070 Ti + DDR4; r/LocalLLaMA post 1ruew2g, 2026-03-16, snapshot at
# https://reddit.sentinel-team.org/posts/1ruew2g/snapshots/2026-03-16T20%3A46%3A16.316967Z, where Qwen3.5-35B-A3B
# with --n-cpu-moe 24 went the other way); on a CPU alone 5x the prompt and 1.7x the generation speed (post 1rlvn8m,
# https://reddit.sentinel-team.org/posts/1rlvn8m/snapshots/2026-03-06T19%3A04%3A08.896785Z). MLA models (DeepSeek,
# Kimi, GLM-5) run with `-mla 3`.
IK_MIN_CUDA_CAPABILITY = (7, 5)
IK_EXPERTS_IN_RAM = frozenset({"expert-offload", "partial-offload", "cpu"})
IK_SERVER = ("ik_llama.cpp/build/bin/llama-server",)  # the README's build, run from the folder it was cloned into
IK_MLA_MODE = "3"  # docs/parameters.md: -mla 3 for MLA models (the default at 8337e4cd; older builds need it said)
# ik_llama.cpp / llama.cpp by phase, (low, typical, high): per source the median ratio of its runs on one machine and
# file, then the smallest, median and largest over the sources of bench/ik_runs.csv (expert offload: r/LocalLLaMA
# 1ruew2g, ik_llama.cpp PR #1593; CPU alone: r/LocalLLaMA 1rlvn8m, ik_llama.cpp PR #518). `python -m calibrate.ik`
# prints them and their leave-one-source-out score; tests/test_ik_ratio.py checks these are its current figures.
IK_RATIO: dict[str, tuple[float, float, float]] = {
    "decode": (0.963, 1.115, 1.744),
    "prefill": (1.378, 4.003, 10.534),
}
IK_RATIO_SOURCES = 4
_UNSLOTH_XL = re.compile(r"^UD-.*_XL$", re.IGNORECASE)
# The networks ik_llama.cpp's loader knows (src/llama-arch.cpp LLM_ARCH_NAMES @8337e4cd); a GGUF of any other
# architecture stops at load with "unknown model architecture" (src/llama.cpp:2628). Mainline llama.cpp's list is
# longer: jamba, granitehybrid, nemotron_h, nemotron_h_moe, lfm2, lfm2moe, kimi-linear, falcon-h1, phimoe are not here.
IK_ARCHITECTURES = frozenset(
    {
        "llama", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder",
        "refact", "bloom", "stablelm", "qwen", "qwen2", "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3next",
        "qwen3vl", "qwen3vlmoe", "qwen35moe", "qwen35", "mellum", "phi2", "phi3", "plamo", "codeshell", "orion",
        "internlm2", "minicpm", "gemma", "gemma2", "gemma3", "starcoder2", "mamba", "xverse", "command-r", "dbrx",
        "olmo", "openelm", "arctic", "deepseek2", "deepseek4", "chatglm", "glm4", "glm4moe", "bitnet", "jais",
        "granite", "granitemoe", "cohere2", "cohere2_moe", "dots1", "ernie4_5", "ernie4_5-moe", "hunyuan-moe",
        "gpt-oss", "bailingmoe2", "bailingmoe3", "minimax-m2", "minimax-m3", "smollm3", "mistral3", "mimo2",
        "seed_oss", "step35", "laguna", "glm-dsa", "mistral4", "gemma4", "openpangu", "muse-glimmer",
    }
)  # fmt: skip


def ik_suits(model: Model, placement: Placement) -> bool:
    """Whether ik_llama.cpp is the better offload engine for this placement: a MoE model's experts in RAM, on one
    machine."""
    return placement.nodes == 1 and model.is_moe and placement.kind in IK_EXPERTS_IN_RAM


def _ik_backend_stop(rig: Rig | None) -> GpuDevice | None:
    """The first card ik_llama.cpp does not run well on: not CUDA, or below Turing."""
    for g in rig.gpus if rig is not None else ():
        cc = _cc(g.compute_capability)
        if g.backend != "cuda" or (cc is not None and cc < IK_MIN_CUDA_CAPABILITY):
            return g
    return None


def _several_models(model: Model, repo: str) -> bool:
    """The repo holds other models' files beside this one's (GgufRepo.several_models): a quant tag names no one file."""
    return any(r.repo == repo and r.several_models for r in model.gguf_repos)


def _hf_args(model: Model, repo: str, quant_name: str) -> tuple[Arg, ...] | Refusal:
    """How llama-server loads the quant from the repo: `-hf repo:quant`; from a repo holding several models' files,
    `--hf-repo repo --hf-file path` (the tag alone would load whichever model's file it matches first), or a refusal
    where the catalog does not name this model's file."""
    if not _several_models(model, repo):
        return (Arg(flag="-hf", value=f"{repo}:{quant_name}"),)
    found = _gguf_file(model, repo, quant_name)
    if found is None:
        return Refusal.NO_GGUF_FILE
    return Arg(flag="--hf-repo", value=repo), Arg(flag="--hf-file", value=found.path)


def _gguf_file(model: Model, repo: str, quant_name: str) -> GgufFile | None:
    listing = next((r for r in model.gguf_repos if r.repo == repo), None)
    key = quant_name.upper()
    return next((f for f in listing.files if f.quant.upper() == key), None) if listing else None


def _times(r: Range, ratio: tuple[float, float, float]) -> Range:
    low, typical, high = ratio
    return Range(low=r.low * low, high=r.high * high, typical=r.centre * typical)


def ik_speed(decode_tps: Range | None, prefill_tps: Range | None) -> ForkSpeed | None:
    """ik_llama.cpp's speed: llama.cpp's range times the measured ratio by phase; None without llama.cpp's figure."""
    if decode_tps is None:
        return None
    prefill = _times(prefill_tps, IK_RATIO["prefill"]) if prefill_tps is not None else None
    return ForkSpeed(decode_tps=_times(decode_tps, IK_RATIO["decode"]), prefill_tps=prefill, sources=IK_RATIO_SOURCES)


def ik_llama(
    model: Model,
    quant: Quant | None,
    quant_name: str,
    placement: Placement,
    context: int,
    kv_type: str,
    rig: Rig | None = None,
    weights_bytes: int | None = None,
    speeds: tuple[Range | None, Range | None] = (None, None),
) -> ServePlan | Refused | None:
    """ik_llama.cpp's llama-server on the placement, from the published file downloaded first; None where it is not
    the better engine for the placement (mainline llama.cpp serves it)."""
    if not ik_suits(model, placement):
        return None
    arch = architectures.gguf_architecture(model)
    if arch is not None and arch not in IK_ARCHITECTURES:
        return Refused(engine=Engine.IK_LLAMA, reason=Refusal.ARCHITECTURE, quant=quant_name, architecture=arch)
    stop = _ik_backend_stop(rig)
    if stop is not None:
        return _capability_refusal(
            Engine.IK_LLAMA, stop, IK_MIN_CUDA_CAPABILITY, reason=Refusal.BACKEND, quant=quant_name
        )
    if _UNSLOTH_XL.match(quant_name):
        return Refused(engine=Engine.IK_LLAMA, reason=Refusal.F16_TENSORS, quant=quant_name)
    repo = gguf_repo(model, quant, quant_name)
    found = _gguf_file(model, repo, quant_name) if repo else None
    converted = _conversion(model, quant_name) if repo is None else None
    if found is not None and repo is not None:
        folder = repo.split("/")[1]
        download = Step(
            words=("hf", "download"),
            positional=(repo,),
            args=(Arg(flag="--include", value=_download_pattern(found.path)), Arg(flag="--local-dir", value=folder)),
            role="download",
        )
        checkpoint, local = f"{repo}:{quant_name}", f"{folder}/{found.path}"
        prepare: tuple[Step, ...] = (download,)
    elif isinstance(converted, _Conversion):  # the file llama.cpp's plan makes from a 16-bit GGUF loads here too
        checkpoint, local, prepare = converted.source, converted.local_file, converted.steps
    else:
        return Refused(engine=Engine.IK_LLAMA, reason=Refusal.NO_GGUF_FILE, quant=quant_name)
    no_yarn = _yarn_stop(Engine.IK_LLAMA, model, context, checkpoint.partition(":")[0], quant_name)
    if no_yarn is not None:
        return no_yarn
    args = [Arg(flag="-m", value=local), *_placement_args(model, placement, context, kv_type, ik=True)]
    args += _llama_yarn_args(model, context)
    if model.attention.kind == "mla":
        args.append(Arg(flag="-mla", value=IK_MLA_MODE))
    size = quant.file_bytes if quant is not None else weights_bytes
    return ServePlan(
        engine=Engine.IK_LLAMA,
        checkpoint=checkpoint,
        checkpoint_format="gguf",
        weights_bytes=size or 0,
        weights_basis="published" if quant is not None and converted is None else "estimated",
        context_tokens=context,
        converted_to=quant_name if isinstance(converted, _Conversion) else None,
        source_bytes=converted.source_bytes if isinstance(converted, _Conversion) else None,
        steps=(*prepare, Step(words=IK_SERVER, args=tuple(args))),
        fork_speed=ik_speed(*speeds),
    )


# Ollama's CUDA builds: "Ollama supports Nvidia GPUs with compute capability 5.0+" (github:ollama/ollama docs/gpu.md,
# as its maintainers answer a Tesla K80 owner, ollama/ollama issue #9124); the same floor as llama.cpp's CUDA build.
OLLAMA_MIN_CUDA_CAPABILITY = LLAMA_CUDA_MIN_CAPABILITY


def _used_cards(rig: Rig | None, placement: Placement) -> list[GpuDevice]:
    """The rig's cards the placement puts layers on."""
    used = {p.name for p in placement.pools if p.kind == "gpu"}
    return [g for g in (rig.gpus if rig is not None else ()) if g.name in used]


def _below_ollama_cuda(rig: Rig | None, placement: Placement) -> GpuDevice | None:
    """The first card the placement uses that Ollama's CUDA build does not run (below OLLAMA_MIN_CUDA_CAPABILITY)."""
    return next((g for g in _used_cards(rig, placement) if below_llama_cuda(g)), None)


def _rocm_dropped(rig: Rig | None, placement: Placement) -> GpuDevice | None:
    """The first card the placement uses that Ollama's ROCm build does not run (placement.ROCM_DROPPED_TARGETS)."""
    return next((g for g in _used_cards(rig, placement) if below_rocm(g)), None)


def _target(g: GpuDevice) -> str | None:
    """The card's gfx target, else its architecture's name."""
    return g.gfx_target or (g.matrix_spec.architecture if g.matrix_spec else None)


def _gpu_backends(rig: Rig | None, placement: Placement) -> set[str]:
    """The backends of the cards the placement puts layers on."""
    return {g.backend for g in _used_cards(rig, placement)}


def ollama(
    model: Model,
    quant: Quant | None,
    quant_name: str,
    placement: Placement,
    context: int,
    kv_type: str,
    weights_bytes: int | None = None,
    rig: Rig | None = None,
) -> ServePlan | Refused:
    """Ollama on the placement; refused where it cannot make it. Its scheduler places a model on the cards of one
    library only ("The list of GPUs returned will always be the same brand (library)", server/sched.go
    pickBestFullFitByLibrary; llm/server.go lays layers out per gpus.ByLibrary()), so layers split over an NVIDIA and
    an AMD card are not an Ollama placement."""
    if ik_only(quant_name):
        return Refused(engine=Engine.OLLAMA, reason=Refusal.IK_TYPE, quant=quant_name)
    if len(_gpu_backends(rig, placement)) > 1:
        return Refused(engine=Engine.OLLAMA, reason=Refusal.MIXED_GPUS, quant=quant_name)
    dropped = _rocm_dropped(rig, placement)
    if dropped is not None:
        target = _target(dropped)
        return Refused(engine=Engine.OLLAMA, reason=Refusal.ROCM_TARGET, device=dropped.name, gfx_target=target)
    old = _below_ollama_cuda(rig, placement)
    if old is not None:
        why = {"reason": Refusal.COMPUTE_CAPABILITY, "quant": quant_name}
        return _capability_refusal(Engine.OLLAMA, old, OLLAMA_MIN_CUDA_CAPABILITY, **why)
    repo = gguf_repo(model, quant, quant_name)
    tag = library_tag(model, quant_name)
    if repo is None and tag is None:
        return Refused(engine=Engine.OLLAMA, reason=Refusal.NO_GGUF_REPO, quant=quant_name)
    if tag is None and repo is not None and _several_models(model, repo):  # hf.co/<repo>:<quant> names no one file
        return Refused(engine=Engine.OLLAMA, reason=Refusal.SEVERAL_MODELS, quant=quant_name)
    size = quant.file_bytes if quant is not None else (weights_bytes or 0)
    if tag is None and size > HF_SINGLE_FILE_MAX_BYTES:
        return Refused(engine=Engine.OLLAMA, reason=Refusal.SHARDED_GGUF, quant=quant_name, needed_bytes=size)
    if placement.nodes > 1:
        return Refused(engine=Engine.OLLAMA, reason=Refusal.CLUSTER, quant=quant_name, nodes=placement.nodes)
    if placement.kind == "expert-offload":
        return Refused(engine=Engine.OLLAMA, reason=Refusal.EXPERT_OFFLOAD, quant=quant_name)
    stop = _yarn_stop(Engine.OLLAMA, model, context, repo, quant_name)
    if stop is not None:
        return stop
    env = [("OLLAMA_CONTEXT_LENGTH", str(context)), ("OLLAMA_FLASH_ATTENTION", "1")]
    if kv_type != "f16":
        env.append(("OLLAMA_KV_CACHE_TYPE", kv_type))
    if placement.kind == "multi-gpu":
        env.append(("OLLAMA_SCHED_SPREAD", "1"))
    ref = tag or f"hf.co/{repo}:{quant_name}"
    return ServePlan(
        engine=Engine.OLLAMA,
        checkpoint=ref,
        checkpoint_format="gguf",
        weights_bytes=size,
        weights_basis="published" if quant is not None else "estimated",
        context_tokens=context,
        steps=(
            Step(words=("ollama", "serve"), env=tuple(env), role="server"),
            Step(words=("ollama", "run"), positional=(ref,), role="client"),
        ),
    )


def library_tag(model: Model, quant_name: str) -> str | None:
    """The Ollama library's tag of this quant where the catalog lists one (`ollama run llama3.3:70b-instruct-q4_K_M`):
    Ollama's own build of the model, one download, before a Hugging Face GGUF."""
    key = quant_name.upper()
    return next((t.tag for t in model.ollama_tags if t.quant.upper() == key), None)


def mlx(quant: Quant | None, placement: Placement, context: int) -> ServePlan | None:
    if quant is None or quant.format != "mlx" or quant.repo is None or placement.kind != "unified":
        return None
    return ServePlan(
        engine=Engine.MLX,
        checkpoint=quant.repo,
        checkpoint_format="mlx",
        weights_bytes=quant.file_bytes,
        weights_basis="published",
        context_tokens=context,
        steps=(Step(words=("mlx_lm.server",), args=(Arg(flag="--model", value=quant.repo),)),),
    )


# mlx_lm.convert makes an MLX checkpoint from the model's own 16-bit repo (github:ml-explore/mlx-lm
# mlx_lm/convert.py: --hf-path, -q, --q-bits, --mlx-path; affine groups of 64 by default), which mlx_lm.server then
# loads from the folder. Only from BF16/FP16 weights: an FP8 or MXFP4 release is not what it quantizes from.
MLX_CONVERT_FROM = frozenset({"bf16", "fp16"})
_MLX_NAME_BITS = re.compile(r"^MLX-(\d)BIT$")


def _mlx_source(model: Model) -> str | None:
    return model.hf_repo if model.native_dtype in MLX_CONVERT_FROM else None


def mlx_converted(
    model: Model, quant_name: str, placement: Placement, context: int, weights_bytes: int | None
) -> ServePlan | None:
    """An MLX quant no catalog repo publishes, made with mlx_lm.convert from the model's 16-bit repo into a local
    folder and served from it; None off unified memory or without a 16-bit repo."""
    bits = _MLX_NAME_BITS.match(quant_name.upper())
    source = _mlx_source(model)
    if bits is None or source is None or placement.kind != "unified":
        return None
    folder = f"{source.split('/')[1]}-{bits.group(1)}bit"
    convert = Step(
        words=("mlx_lm.convert",),
        args=(
            Arg(flag="--hf-path", value=source),
            Arg(flag="-q"),
            Arg(flag="--q-bits", value=bits.group(1)),
            Arg(flag="--mlx-path", value=folder),
        ),
        role="prepare",
    )
    return ServePlan(
        engine=Engine.MLX,
        checkpoint=source,
        checkpoint_format="mlx",
        weights_bytes=weights_bytes or 0,
        weights_basis="estimated",
        context_tokens=context,
        converted_to=quant_name,
        source_bytes=int(model.total_params_b * 1e9 * 2),
        steps=(convert, Step(words=("mlx_lm.server",), args=(Arg(flag="--model", value=folder),))),
    )


def _is_mac(machine: Rig) -> bool:
    u: UnifiedPool | None = machine.unified
    return not machine.gpus and u is not None and u.backend == "metal"


def exo(rig: Rig, quant: Quant | None, quant_name: str, placement: Placement, context: int) -> ServePlan | Refused:
    """An MLX repo over the cluster's Macs with exo: `uv run exo` on every Mac, then one request places it."""
    machines = rig.node_rigs
    other = next((m for m in machines if not _is_mac(m)), None)
    if other is not None:
        return Refused(engine=Engine.EXO, reason=Refusal.NOT_APPLE, quant=quant_name, device=other.describe())
    if quant is None or quant.format != "mlx" or not quant.repo:
        return Refused(engine=Engine.EXO, reason=Refusal.NO_MLX_REPO, quant=quant_name)
    body = {
        "model_id": quant.repo,
        "sharding": EXO_SHARDING,
        "instance_meta": EXO_INSTANCE,
        "min_nodes": placement.nodes,
    }
    place = Step(
        words=("curl",),
        positional=(EXO_PLACE_URL,),
        args=(
            Arg(flag="-X", value="POST"),
            Arg(flag="-H", value="Content-Type: application/json"),
            Arg(flag="-d", value=json.dumps(body, separators=(",", ":"))),
        ),
        role="client",
    )
    return ServePlan(
        engine=Engine.EXO,
        checkpoint=quant.repo,
        checkpoint_format="mlx",
        weights_bytes=quant.file_bytes,
        weights_basis="published",
        context_tokens=context,
        nodes=placement.nodes,
        node_bytes=node_bytes(rig, placement),
        steps=(Step(words=("uv", "run", "exo"), role="every"), place),
    )


# ------------------------------------------------------------------------------------- vLLM, SGLang


def checkpoints(model: Model) -> tuple[Checkpoint, ...]:
    """The model's server checkpoints with a repo, largest (most precise) first."""
    found = [
        Checkpoint(repo=q.repo, format=q.format, weights_bytes=q.file_bytes, basis="published", name=q.name)
        for q in model.quants
        if q.format in SERVER_FORMATS and q.repo
    ]
    native_bytes = {"bf16": 2, "fp16": 2, "fp8": 1}.get(model.native_dtype)
    if model.hf_repo and native_bytes and all(c.repo != model.hf_repo for c in found):
        fmt: QuantFormat = "fp8" if model.native_dtype == "fp8" else "safetensors"
        size = int(model.total_params_b * 1e9 * native_bytes)
        found.append(
            Checkpoint(
                repo=model.hf_repo, format=fmt, weights_bytes=size, basis="estimated", name=model.native_dtype.upper()
            )
        )
    online = online_fp8(model)
    if online is not None and all(c.format != "fp8" for c in found):
        found.append(online)
    return tuple(sorted(found, key=lambda c: -c.weights_bytes))


# vLLM quantizes a BF16/FP16 checkpoint to FP8 as it loads it ("Dynamic quantization of an original precision
# BF16/FP16 model to FP8 can be achieved with vLLM without any calibration data required ... --quantization="fp8"",
# https://docs.vllm.ai/en/v0.5.4/quantization/fp8.html); SGLang takes the same flag (server_arguments: --quantization
# fp8). The card's size is the FP8 weights (engine/formats.py); the download is the 16-bit repo.
ONLINE_FP8_FROM = frozenset({"bf16", "fp16"})
BF16_BYTES_PER_PARAM = 2


def online_fp8(model: Model) -> Checkpoint | None:
    """The model's own 16-bit repo served as FP8, quantized as the engine loads it; None without a 16-bit repo."""
    if model.hf_repo is None or model.native_dtype not in ONLINE_FP8_FROM:
        return None
    size, _ = formats.weights_bytes(model, formats.FORMATS["FP8"])
    return Checkpoint(
        repo=model.hf_repo, format="fp8", weights_bytes=size, basis="estimated", name="FP8", quantization="fp8"
    )


def format_runs(model: Model, rig: Rig, fmt: QuantFormat) -> bool:
    """Whether vLLM serves checkpoints of `fmt` on every GPU of the rig: its hardware floor and the format's rules
    (`_format_gate`: FP8 on CUDA 7.5+ weight-only and 8.9+ for MoE, NVFP4 on Blackwell, on AMD only FP8 on MI300+);
    a DGX Spark as vLLM sees it (`spark_rig`: one GB10 of compute capability 12.1)."""
    gpus = spark_rig(rig) or rig
    if not gpus.gpus:
        return False
    return _gpu_gate(Engine.VLLM, gpus) is None and _format_gate(Engine.VLLM, model, gpus, fmt) is None


def _gpu_gate(engine: Engine, rig: Rig) -> Refused | None:
    """The engine's hardware floor: every card NVIDIA at MIN_CUDA_CAPABILITY or more, or every card AMD on a
    supported ROCm target."""
    backends = {g.backend for g in rig.gpus}
    if len(backends) > 1:
        return Refused(engine=engine, reason=Refusal.MIXED_GPUS)
    for g in rig.gpus:
        if g.backend == "cuda":
            cc = _cc(g.compute_capability)
            if cc is not None and cc < MIN_CUDA_CAPABILITY:
                return _capability_refusal(engine, g, MIN_CUDA_CAPABILITY, reason=Refusal.COMPUTE_CAPABILITY)
        elif g.backend == "rocm":
            targets = VLLM_ROCM_TARGETS if engine == Engine.VLLM else SGLANG_ROCM_TARGETS
            if g.gfx_target not in targets:
                return Refused(engine=engine, reason=Refusal.ROCM_TARGET, device=g.name, gfx_target=g.gfx_target)
        else:
            return Refused(engine=engine, reason=Refusal.GPU_BACKEND, device=g.name, backend=g.backend)
    return None


def _float16_gate(engine: Engine, model: Model, rig: Rig) -> Refused | None:
    """vLLM on a card without bfloat16 for a model type it will not run in float16 (VLLM_NO_FLOAT16)."""
    arch = architectures.gguf_architecture(model)
    if engine != Engine.VLLM or arch not in VLLM_NO_FLOAT16:
        return None
    return _below_capability(engine, rig, BF16_CAPABILITY, reason=Refusal.FLOAT16, architecture=arch)


def _mxfp4_gate(engine: Engine, model: Model, rig: Rig, ckpt: Checkpoint) -> Refused | None:
    """The model's own MXFP4 release (gpt-oss) on a card below MXFP4_CAPABILITY."""
    if model.native_dtype != "mxfp4" or ckpt.repo != model.hf_repo:
        return None
    return _below_capability(engine, rig, MXFP4_CAPABILITY, reason=Refusal.FORMAT_CAPABILITY, quant="MXFP4")


def _below_capability(engine: Engine, rig: Rig, needed: tuple[int, int], **why: Any) -> Refused | None:
    """The refusal for the first CUDA card below compute capability `needed` (its reason and details in `why`),
    None where every CUDA card reaches it or its capability is unknown."""
    for g in rig.gpus:
        cc = _cc(g.compute_capability)
        if g.backend == "cuda" and cc is not None and cc < needed:
            return _capability_refusal(engine, g, needed, **why)
    return None


def _capability_refusal(engine: Engine, card: GpuDevice, needed: tuple[int, int], **why: Any) -> Refused:
    """`engine` refused on `card`, whose compute capability is below `needed` (the reason and details in `why`)."""
    return Refused(
        engine=engine,
        device=card.name,
        compute_capability=card.compute_capability,
        needed_capability=_fmt_cc(needed),
        **why,
    )


def _format_gate(engine: Engine, model: Model, rig: Rig, fmt: QuantFormat) -> Refused | None:
    for g in rig.gpus:
        if g.backend == "rocm":
            ok = fmt == "safetensors" or (fmt == "fp8" and g.gfx_target in ROCM_FP8_TARGETS)
            if not ok:
                return Refused(
                    engine=engine,
                    reason=Refusal.ROCM_FORMAT,
                    device=g.name,
                    gfx_target=g.gfx_target,
                    checkpoint_format=fmt,
                )
            continue
        dense_fp8 = SGLANG_FP8_CAPABILITY if engine == Engine.SGLANG else MIN_CUDA_CAPABILITY
        need = {"fp8": FP8_CAPABILITY if model.is_moe else dense_fp8, "nvfp4": NVFP4_CAPABILITY}.get(fmt)
        cc = _cc(g.compute_capability)
        if need is not None and cc is not None and cc < need:
            why = {"reason": Refusal.FORMAT_CAPABILITY, "checkpoint_format": fmt}
            return _capability_refusal(engine, g, need, **why)
    return None


def tp_allowed(model: Model, tp: int) -> bool:
    """vLLM's and SGLang's rule: the attention heads divide by the tensor-parallel size ("Total number of attention
    heads (64) must be divisible by tensor parallel size (3)", vllm/config; vllm issues #4232, #414), and the KV
    heads either divide by it or divide it (replicated; vllm/model_executor/models/llama.py)."""
    a = model.attention
    if a.n_heads is None or a.n_heads % tp:
        return tp == 1
    kv = a.n_kv_heads if a.kind == "gqa" else None
    if kv is None:
        return True
    return kv % tp == 0 if kv >= tp else tp % kv == 0


class Layout(Frozen):
    tensor_parallel: int
    pipeline_parallel: int
    nodes: int


def layout(model: Model, n_gpus: int, nodes: int | None = None) -> Layout | None:
    """All the GPUs in use: `nodes` machines (else nodes of up to GPUS_PER_NODE), the largest tensor-parallel size
    within a node that the heads allow, pipeline stages for the rest (within and across nodes)."""
    nodes = nodes or math.ceil(n_gpus / GPUS_PER_NODE)
    per_node = n_gpus // nodes
    for tp in range(per_node, 0, -1):
        if per_node % tp == 0 and tp_allowed(model, tp):
            pp = nodes * per_node // tp
            if pp <= model.layers:
                return Layout(tensor_parallel=tp, pipeline_parallel=pp, nodes=nodes)
    return None


def _kv_split(model: Model, tp: int) -> int:
    """How many ways a tensor-parallel group splits the KV cache: by KV head (GQA, up to the KV heads); MLA's
    latent cache is kept whole on every rank."""
    a = model.attention
    if a.kind == "gqa" and a.n_kv_heads:
        return min(tp, a.n_kv_heads)
    return 1


def _stage_share(model: Model, lay: Layout) -> float:
    """The share of the model's layers the largest pipeline stage holds."""
    return math.ceil(model.layers / lay.pipeline_parallel) / model.layers


def _per_gpu(model: Model, ckpt: Checkpoint, lay: Layout, kv: memory.KvProfile, context: int, backend: str) -> int:
    stage = _stage_share(model, lay)
    weights = ckpt.weights_bytes * stage / lay.tensor_parallel
    cache = kv.bytes_at(context) * stage / _kv_split(model, lay.tensor_parallel)
    return int(weights + cache) + memory.device_overhead_bytes(model, backend)  # type: ignore[arg-type]


def _online_load_bytes(model: Model, ckpt: Checkpoint, lay: Layout, backend: str) -> int | None:
    """What a GPU holds while the engine quantizes a 16-bit repo as it loads it (`--quantization fp8`): vLLM's FP8
    docs, "we load the model at original precision before quantizing down to 8-bits, so you need enough memory to
    load the whole model" (https://docs.vllm.ai/en/v0.5.4/quantization/fp8.html): the GPU's share of the 16-bit
    weights. None for a checkpoint stored as it runs."""
    if ckpt.quantization is None:
        return None
    share = model.total_params_b * 1e9 * BF16_BYTES_PER_PARAM * _stage_share(model, lay) / lay.tensor_parallel
    return int(share) + memory.device_overhead_bytes(model, backend)  # type: ignore[arg-type]


def _longest_context(
    model: Model, ckpt: Checkpoint, lay: Layout, kv: memory.KvProfile, context: int, cap: int, backend: str
) -> int | None:
    ctx = context
    while ctx >= MIN_SERVER_CONTEXT:
        if _per_gpu(model, ckpt, lay, kv, ctx, backend) <= cap:
            return ctx
        ctx = (ctx - 1) // CONTEXT_STEP * CONTEXT_STEP
    return None


def _fp8_kv(rig: Rig) -> bool:
    return all(
        (g.backend == "cuda" and (_cc(g.compute_capability) or (0, 0)) >= FP8_CAPABILITY)
        or (g.backend == "rocm" and g.gfx_target in ROCM_FP8_TARGETS)
        for g in rig.gpus
    )


def _needs_half(rig: Rig, ckpt: Checkpoint) -> bool:
    sixteen_bit = ckpt.format == "safetensors" or ckpt.quantization is not None  # online FP8 loads the BF16 weights
    return sixteen_bit and any(
        g.backend == "cuda" and (_cc(g.compute_capability) or BF16_CAPABILITY) < BF16_CAPABILITY for g in rig.gpus
    )


# vLLM on DGX Spark (GB10: compute capability 12.1, aarch64, one 128 GB LPDDR5X pool the CPU shares): NVIDIA's
# playbook (github:NVIDIA/dgx-spark-playbooks nvidia/vllm/README.md @0db7c141, 2026-07-24; build.nvidia.com/spark/vllm)
# runs it in NVIDIA's container (its example tag 26.05.post1-py3) and lists BF16, FP8, NVFP4 and MXFP4 checkpoints as
# supported; GPTQ-Int4 runs there through gptq_marlin (bench/measured_runs.csv x213: vLLM 0.19.0 in NGC 26.04). Its
# commands leave the OS room in the shared pool with --gpu-memory-utilization 0.8.
SPARK_ID = "dgx-spark"
SPARK_VLLM_IMAGE = "nvcr.io/nvidia/vllm:26.05.post1-py3"
SPARK_MEMORY_FRACTION = 0.80
SPARK_PORT = "8000:8000"
# SGLang on DGX Spark: NVIDIA's playbook (github:NVIDIA/dgx-spark-playbooks nvidia/sglang/README.md @0db7c141, last
# updated 2026-04-28; build.nvidia.com/spark/sglang) starts `docker run --gpus all -it --rm -p 30000:30000 -v /tmp:/tmp
# lmsysorg/sglang:latest-cu130`, then in it `python3 -m sglang.launch_server --model-path M --host 0.0.0.0 --port 30000
# --trust-remote-code --tp 1 --attention-backend flashinfer --mem-fraction-static 0.75`. Its support matrix lists BF16,
# MXFP4 (gpt-oss, served from its own repo), FP8 and NVFP4 checkpoints ("for NVFP4 models, add the `--quantization
# modelopt_fp4` flag"); AWQ, GPTQ and FP8 made on load are not listed, and are refused there (SPARK_NOT_PLANNED).
SPARK_SGLANG_IMAGE = "lmsysorg/sglang:latest-cu130"
SPARK_SGLANG_MEMORY_FRACTION = 0.75
SPARK_SGLANG_PORT = 30000
SPARK_SGLANG_FORMATS: frozenset[QuantFormat] = frozenset({"safetensors", "fp8", "nvfp4"})
SPARK_SGLANG_QUANTIZATION: dict[QuantFormat, str] = {"nvfp4": "modelopt_fp4"}


def spark_rig(rig: Rig) -> Rig | None:
    """One DGX Spark as vLLM sees it: a single CUDA device of the whole unified pool, at the GB10's capability."""
    u = rig.unified
    if rig.gpus or rig.nodes != 1 or u is None or u.hardware_id != SPARK_ID:
        return None
    gb10 = GpuDevice(
        name=u.name,
        hardware_id=u.hardware_id,
        memory_bytes=u.memory_bytes,
        bandwidth_gb_s=u.bandwidth_gb_s,
        backend="cuda",
        compute_capability=u.matrix_spec.compute_capability if u.matrix_spec else None,
    )
    return Rig(gpus=(gb10,))


def _on_spark(rig: Rig) -> bool:
    return any(g.hardware_id == SPARK_ID for g in rig.gpus)


def memory_fraction(rig: Rig, engine: Engine = Engine.VLLM) -> float:
    """What a server plan may take of each GPU's memory: the engines' default, less on a Spark's shared pool (the
    figure each engine's playbook starts it with)."""
    if not _on_spark(rig):
        return GPU_MEMORY_FRACTION
    return SPARK_SGLANG_MEMORY_FRACTION if engine == Engine.SGLANG else SPARK_MEMORY_FRACTION


def _in_spark_container(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """The playbook's line: `vllm serve` in NVIDIA's container, at the Spark's memory fraction."""
    (serve,) = steps
    fraction = Arg(flag="--gpu-memory-utilization", value=f"{SPARK_MEMORY_FRACTION:.2f}")
    args = tuple(fraction if a.flag == fraction.flag else a for a in serve.args)
    inner = Step(words=serve.words, positional=serve.positional, args=args)
    launcher = (
        Arg(flag="-it"),
        Arg(flag="--gpus", value="all"),
        Arg(flag="-p", value=SPARK_PORT),
        Arg(flag="-e", value="HF_TOKEN"),  # the host's token, for a gated repo (docker run -e VAR passes its value)
    )
    return (Step(words=("docker", "run"), args=launcher, positional=(SPARK_VLLM_IMAGE,), inside=inner),)


def _vllm_steps(model: Model, ckpt: Checkpoint, lay: Layout, ctx: int, kv_fp8: bool, half: bool) -> tuple[Step, ...]:
    args = [
        Arg(flag="--max-model-len", value=str(ctx)),
        Arg(flag="--gpu-memory-utilization", value=f"{GPU_MEMORY_FRACTION:.2f}"),
        *_server_yarn_arg(Engine.VLLM, model, ctx),
    ]
    if lay.tensor_parallel > 1:
        args.append(Arg(flag="--tensor-parallel-size", value=str(lay.tensor_parallel)))
    if lay.pipeline_parallel > 1:
        args.append(Arg(flag="--pipeline-parallel-size", value=str(lay.pipeline_parallel)))
    if model.is_moe and lay.tensor_parallel > 1:
        args.append(Arg(flag="--enable-expert-parallel"))
    if kv_fp8:
        args.append(Arg(flag="--kv-cache-dtype", value="fp8"))
    if ckpt.quantization is not None:
        args.append(Arg(flag="--quantization", value=ckpt.quantization))
    if half:
        args.append(Arg(flag="--dtype", value="half"))
    if lay.nodes == 1:
        return (Step(words=("vllm", "serve"), positional=(ckpt.repo,), args=tuple(args)),)
    args.append(Arg(flag="--distributed-executor-backend", value="ray"))
    head = Step(
        words=("ray", "start"),
        args=(Arg(flag="--head"), Arg(flag="--port", value=str(RAY_PORT))),
        role="head",
        node_rank=0,
    )
    workers = tuple(
        Step(
            words=("ray", "start"),
            args=(Arg(flag="--address", value=f"{HEAD_NODE_VAR}:{RAY_PORT}"),),
            role="worker",
            node_rank=r,
        )
        for r in range(1, lay.nodes)
    )
    serve = Step(words=("vllm", "serve"), positional=(ckpt.repo,), args=tuple(args), role="head", node_rank=0)
    return (head, *workers, serve)


def _sglang_on_spark(model: Model, ckpt: Checkpoint, ctx: int) -> tuple[Step, ...]:
    """The SGLang playbook's line: launch_server in the lmsysorg container, on the Spark's one GPU."""
    yarn = _server_yarn_arg(Engine.SGLANG, model, ctx)
    args = [
        Arg(flag="--model-path", value=ckpt.repo),
        Arg(flag="--host", value="0.0.0.0"),
        Arg(flag="--port", value=str(SPARK_SGLANG_PORT)),
        Arg(flag="--trust-remote-code"),
        Arg(flag="--tp", value="1"),
        Arg(flag="--attention-backend", value="flashinfer"),
        Arg(flag="--mem-fraction-static", value=f"{SPARK_SGLANG_MEMORY_FRACTION:.2f}"),
        Arg(flag="--context-length", value=str(ctx)),
        *yarn,
    ]
    if ckpt.format in SPARK_SGLANG_QUANTIZATION:
        args.append(Arg(flag="--quantization", value=SPARK_SGLANG_QUANTIZATION[ckpt.format]))
    inner = Step(words=("python3", "-m", "sglang.launch_server"), args=tuple(args))
    port = f"{SPARK_SGLANG_PORT}:{SPARK_SGLANG_PORT}"
    launcher = (
        Arg(flag="--gpus", value="all"),
        Arg(flag="-it"),
        Arg(flag="--rm"),
        Arg(flag="-p", value=port),
        Arg(flag="-v", value="/tmp:/tmp"),
        Arg(flag="-e", value="HF_TOKEN"),  # the host's token, for a gated repo
        *([Arg(flag="-e", value="=".join(YARN_ENV))] if yarn else []),  # the container's environment
    )
    return (Step(words=("docker", "run"), args=launcher, positional=(SPARK_SGLANG_IMAGE,), inside=inner),)


def _spark_sglang_gate(rig: Rig, ckpt: Checkpoint) -> Refused | None:
    """SGLang on a Spark serves the checkpoint formats NVIDIA's playbook lists, as published (no FP8 made on load)."""
    if not _on_spark(rig) or (ckpt.format in SPARK_SGLANG_FORMATS and ckpt.quantization is None):
        return None
    return Refused(
        engine=Engine.SGLANG, reason=Refusal.SPARK_NOT_PLANNED, quant=ckpt.name, checkpoint_format=ckpt.format
    )


def _sglang_steps(model: Model, ckpt: Checkpoint, lay: Layout, ctx: int, kv_fp8: bool) -> tuple[Step, ...]:
    yarn = _server_yarn_arg(Engine.SGLANG, model, ctx)
    args = [
        Arg(flag="--model-path", value=ckpt.repo),
        Arg(flag="--context-length", value=str(ctx)),
        Arg(flag="--mem-fraction-static", value=f"{GPU_MEMORY_FRACTION:.2f}"),
        *yarn,
    ]
    env = (YARN_ENV,) if yarn else ()
    if lay.tensor_parallel > 1:
        args.append(Arg(flag="--tp-size", value=str(lay.tensor_parallel)))
    if lay.pipeline_parallel > 1:
        args.append(Arg(flag="--pp-size", value=str(lay.pipeline_parallel)))
    if model.is_moe and lay.tensor_parallel > 1:
        args.append(Arg(flag="--ep-size", value=str(lay.tensor_parallel)))
    if kv_fp8:
        args.append(Arg(flag="--kv-cache-dtype", value="fp8_e4m3"))
    if ckpt.quantization is not None:
        args.append(Arg(flag="--quantization", value=ckpt.quantization))
    words = ("python3", "-m", "sglang.launch_server")
    if lay.nodes == 1:
        return (Step(words=words, args=tuple(args), env=env),)
    return tuple(
        Step(
            words=words,
            args=(
                *args,
                Arg(flag="--nnodes", value=str(lay.nodes)),
                Arg(flag="--node-rank", value=str(r)),
                Arg(flag="--dist-init-addr", value=f"{HEAD_NODE_VAR}:{SGLANG_DIST_PORT}"),
            ),
            env=env,
            role="node",
            node_rank=r,
        )
        for r in range(lay.nodes)
    )


def _does_not_fit(engine: Engine, ckpt: Checkpoint, needed_bytes: int, have_bytes: int) -> Refused:
    return Refused(
        engine=engine,
        reason=Refusal.DOES_NOT_FIT,
        quant=ckpt.name,
        checkpoint_format=ckpt.format,
        needed_bytes=needed_bytes,
        have_bytes=have_bytes,
    )


def server_plan(
    engine: Engine, model: Model, rig: Rig, ckpt: Checkpoint, context: int, kv_type: str
) -> ServePlan | Refused:
    """One checkpoint on all the rig's GPUs with `engine`, or the rule that stops it."""
    gate = _gpu_gate(engine, rig) or _format_gate(engine, model, rig, ckpt.format) or _float16_gate(engine, model, rig)
    gate = gate or _mxfp4_gate(engine, model, rig, ckpt)
    gate = gate or (_spark_sglang_gate(rig, ckpt) if engine == Engine.SGLANG else None)
    if gate is not None:
        return gate
    nodes = getattr(rig, "nodes", 1)  # a cluster rig lists one node's GPUs (engine/rig.py Rig.nodes)
    lay = layout(model, len(rig.gpus) * nodes, nodes if nodes > 1 else None)
    if lay is None:
        return Refused(engine=engine, reason=Refusal.NO_PARALLEL_LAYOUT)
    kv_fp8 = kv_type != "f16" and _fp8_kv(rig)
    kv = memory.kv_profile(model, "q8_0" if kv_fp8 else "f16")
    smallest: GpuDevice = min(rig.gpus, key=lambda g: g.memory_bytes)
    cap = int(smallest.memory_bytes * memory_fraction(rig, engine))
    ctx = _longest_context(model, ckpt, lay, kv, context, cap, smallest.backend)
    if ctx is None:
        return _does_not_fit(engine, ckpt, _per_gpu(model, ckpt, lay, kv, MIN_SERVER_CONTEXT, smallest.backend), cap)
    load = _online_load_bytes(model, ckpt, lay, smallest.backend)
    if load is not None and load > cap:  # online FP8 first loads every 16-bit weight of the GPU's share
        return _does_not_fit(engine, ckpt, load, cap)
    stop = _yarn_stop(engine, model, ctx, ckpt.repo, ckpt.name)
    if stop is not None:
        return stop
    if engine == Engine.VLLM:
        steps = _vllm_steps(model, ckpt, lay, ctx, kv_fp8, _needs_half(rig, ckpt))
        steps = _in_spark_container(steps) if _on_spark(rig) else steps
    elif _on_spark(rig):
        steps = _sglang_on_spark(model, ckpt, ctx)
    else:
        steps = _sglang_steps(model, ckpt, lay, ctx, kv_fp8)
    speed = _server_speed(model, rig, ckpt, lay, kv, ctx)
    return ServePlan(
        engine=engine,
        checkpoint=ckpt.repo,
        checkpoint_format=ckpt.format,
        weights_bytes=ckpt.weights_bytes,
        weights_basis=ckpt.basis,
        context_tokens=ctx,
        tensor_parallel=lay.tensor_parallel,
        pipeline_parallel=lay.pipeline_parallel,
        nodes=lay.nodes,
        gpu_bytes_each=_per_gpu(model, ckpt, lay, kv, ctx, smallest.backend),
        converted_to=ckpt.name if ckpt.quantization else None,  # quantized online, from the 16-bit repo
        source_bytes=int(model.total_params_b * 1e9 * 2) if ckpt.quantization else None,
        steps=steps,
        speed=speed,
    )


def _server_speed(
    model: Model, rig: Rig, ckpt: Checkpoint, lay: Layout, kv: memory.KvProfile, context: int
) -> ServerSpeed | None:
    """Decode of the checkpoint as the plan splits it, one user reading its cache at half the context (the average
    depth, as the option's figure does); on one node only (hops between nodes are not modelled), at the slowest
    card's bandwidth (a tensor-parallel step waits for the slowest rank)."""
    bandwidths = [g.bandwidth_gb_s for g in rig.gpus]
    if lay.nodes > 1 or any(b is None for b in bandwidths):
        return None
    link: server_speed.Link = "nvlink" if rig.nvlink else "pcie"
    split = server_speed.Split(lay.tensor_parallel, lay.pipeline_parallel, link)
    slowest = min(b for b in bandwidths if b is not None)
    pool = "unified" if _on_spark(rig) else "gpu"  # a Spark's LPDDR5X reads at the unified pools' efficiency
    return server_speed.server_speed(
        model, ckpt.weights_bytes, split, slowest, rig.gpus[0].backend, kv.one_sequence_bytes(context // 2), pool=pool
    )


def servers(model: Model, rig: Rig, context: int, kv_type: str, only: Checkpoint | None = None) -> Serve:
    """vLLM and SGLang on the rig's GPUs: the most precise checkpoint that fits (or `only` that one); where none
    does, the rule that stopped the most precise one."""
    spark = spark_rig(rig)  # a DGX Spark: vLLM and SGLang on its unified pool, each in its playbook's container
    if not rig.gpus and spark is None:
        return Serve()
    if base_files_only(model):
        return _base_files_refused((Engine.VLLM, Engine.SGLANG), None)
    candidates = (only,) if only is not None else checkpoints(model)
    plans: list[ServePlan] = []
    refused: list[Refused] = []
    for engine in (Engine.VLLM, Engine.SGLANG):
        if not candidates:
            refused.append(Refused(engine=engine, reason=Refusal.NO_SERVER_CHECKPOINT))
            continue
        results = [server_plan(engine, model, spark or rig, c, context, kv_type) for c in candidates]
        fitting = [r for r in results if isinstance(r, ServePlan)]
        if fitting:
            plans.append(fitting[0])
        else:
            stops = [r for r in results if isinstance(r, Refused)]
            # on a Spark, a smaller checkpoint SGLang's playbook does not list says more than a larger one's size
            unlisted = [r for r in stops if r.reason == Refusal.SPARK_NOT_PLANNED]
            fit_refusals = [r for r in stops if r.reason == Refusal.DOES_NOT_FIT]
            if unlisted:
                refused.append(unlisted[-1])
            else:
                refused.append(min(fit_refusals, key=lambda r: r.needed_bytes or 0) if fit_refusals else stops[0])
    return Serve(plans=tuple(plans), refused=tuple(refused))


# ------------------------------------------------------------------------------------------ per option


def loadable(model: Model, quant: Quant | None, quant_name: str, fmt: QuantFormat) -> bool:
    """Whether some engine can load this quant at all, whatever the rig: a GGUF a catalog repo or the Ollama library
    publishes or llama-quantize can make from a listed 16-bit GGUF, or an MLX or server checkpoint with a repo."""
    if fmt == "gguf":
        published = gguf_repo(model, quant, quant_name) is not None or library_tag(model, quant_name) is not None
        return published or isinstance(_conversion(model, quant_name), _Conversion)
    if quant is not None and quant.repo:
        return fmt == "mlx" or fmt in SERVER_FORMATS
    if fmt == "mlx":
        return _mlx_source(model) is not None  # mlx_lm.convert from the model's 16-bit repo
    return fmt == "fp8" and (online_fp8(model) is not None or _own_fp8(model) is not None)


def for_option(
    model: Model,
    rig: Rig,
    quant: Quant | None,
    quant_name: str,
    fmt: QuantFormat,
    placement: Placement,
    context: int,
    kv_type: str,
    weights_bytes: int | None = None,
    speeds: tuple[Range | None, Range | None] = (None, None),
) -> Serve:
    """The engines that start this option as placed, best first, and the engines that cannot (with why).
    `weights_bytes`: the option's size where no quant row gives one (a quant from a repo listing or a conversion);
    `speeds`: llama.cpp's decode and prefill of the option, which a fork's plan scales."""
    if placement.verdict == "does-not-fit" and placement.kind != "disk":
        return Serve()
    if base_files_only(model):
        by_format = {"gguf": ((Engine.LLAMA_CPP, Engine.OLLAMA), quant_name), "mlx": ((Engine.MLX,), quant_name)}
        engines, named = by_format.get(fmt, ((Engine.VLLM, Engine.SGLANG), None))
        return _base_files_refused(engines, named, vision=read_as_text_model(model))
    if fmt == "gguf":
        plans: list[ServePlan] = []
        refused: list[Refused] = []
        results = [llama_cpp(model, quant, quant_name, placement, context, kv_type, rig, weights_bytes)]
        if placement.kind != "disk":
            results.append(ollama(model, quant, quant_name, placement, context, kv_type, weights_bytes, rig))
        ik = ik_llama(model, quant, quant_name, placement, context, kv_type, rig, weights_bytes, speeds)
        results += [ik] if ik is not None else []
        for r in results:
            (plans if isinstance(r, ServePlan) else refused).append(r)  # type: ignore[arg-type]
        return Serve(plans=tuple(plans), refused=tuple(refused))
    if fmt == "mlx":
        engine = Engine.EXO if placement.nodes > 1 else Engine.MLX
        stop = _yarn_stop(engine, model, context, None, quant_name)
        if stop is not None:
            return Serve(refused=(stop,))
        if placement.nodes > 1:
            found = exo(rig, quant, quant_name, placement, context)
            return Serve(plans=(found,)) if isinstance(found, ServePlan) else Serve(refused=(found,))
        plan = mlx(quant, placement, context) or mlx_converted(model, quant_name, placement, context, weights_bytes)
        return Serve(plans=(plan,) if plan else ())
    if quant is not None and quant.repo and fmt in SERVER_FORMATS:
        own = Checkpoint(
            repo=quant.repo, format=fmt, weights_bytes=quant.file_bytes, basis="published", name=quant.name
        )
        return servers(model, rig, context, kv_type, only=own)
    if fmt in SERVER_FORMATS:
        return unpublished_server(model, rig, quant_name, fmt, context, kv_type, weights_bytes)
    return Serve()


def base_files_only(model: Model) -> bool:
    """A fine-tune or merge the user named, read as its base model (`asked_as`; not llama.cpp's label of a file the
    user has): the catalog's files and repos are the base's weights, so no engine is pointed at them."""
    return model.asked_as is not None and not model.from_label


# A name that says it is a vision-language model (`qwen3 vl 8b`, `Qwen3VL-8B`, `llama3.2-vision`) read as a catalog
# text model: it is sized as its language model, and the catalog's files are the text model's, without the vision
# encoder (llama.cpp loads it from a separate mmproj file beside the model's own GGUF).
_VISION_LANGUAGE = re.compile(r"(?:^|[^a-z])(?:vl|vision)(?:[^a-z]|$)", re.IGNORECASE)


def vision_language(name: str | None) -> bool:
    """Whether a model name as asked names a vision-language model (`-VL-`, `vision`)."""
    return bool(_VISION_LANGUAGE.search(name or ""))


def read_as_text_model(model: Model) -> bool:
    """A vision-language model asked for and read as a catalog text model's shape (`qwen2.5 vl 72b` -> Qwen2.5-72B),
    not as a catalog vision-language model's release (`qwen3-vl:8b-thinking` -> Qwen3-VL-8B-Instruct)."""
    return vision_language(model.asked_as) and not vision_language(model.name)


def _base_files_refused(engines: tuple[Engine, ...], quant_name: str | None, *, vision: bool = False) -> Serve:
    return Serve(
        refused=tuple(
            Refused(engine=e, reason=Refusal.BASE_FILES, quant=quant_name, vision_language=vision) for e in engines
        )
    )


def _own_fp8(model: Model) -> Checkpoint | None:
    """A model released in FP8 (DeepSeek V3, Kimi K2, MiniMax M2): its own repo is the FP8 checkpoint."""
    if model.hf_repo is None or model.native_dtype != "fp8":
        return None
    return next((c for c in checkpoints(model) if c.repo == model.hf_repo and c.format == "fp8"), None)


def unpublished_server(
    model: Model,
    rig: Rig,
    quant_name: str,
    fmt: QuantFormat,
    context: int,
    kv_type: str,
    weights_bytes: int | None,
) -> Serve:
    """A server format the catalog lists no repo of: FP8 from the model's own repo (its FP8 release, or its 16-bit
    weights quantized as vLLM/SGLang load them); AWQ, GPTQ and NVFP4 need a published checkpoint, so both engines
    refuse (never a placeholder repo)."""
    ckpt = (_own_fp8(model) or online_fp8(model)) if fmt == "fp8" else None
    if ckpt is not None:
        sized = ckpt.model_copy(update={"weights_bytes": weights_bytes or ckpt.weights_bytes})
        return servers(model, rig, context, kv_type, only=sized)
    return Serve(
        refused=tuple(
            Refused(engine=e, reason=Refusal.NO_SERVER_CHECKPOINT, quant=quant_name, checkpoint_format=fmt)
            for e in (Engine.VLLM, Engine.SGLANG)
        )
    )
