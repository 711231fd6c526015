"""What each serving engine accepts on its command line: a table of flags with their value types, each table with
the documentation it was read from. `engine/serve.py` builds its plans only from these flags (a Step refuses any
other), and `check_line` reads a rendered command back against the same tables, so a printed command that an
engine would reject (an unknown flag, a value of the wrong kind, a placeholder) is caught in tests.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Literal

# What a flag's value must look like. `none`: a switch without a value.
ValueKind = Literal[
    "none", "int", "float", "choice", "str", "csv_num", "repo", "hf_ref", "host_port", "host_ports", "ftype", "url",
    "header", "json", "path",
]  # fmt: skip

# llama-quantize's file types (tools/quantize/quantize.cpp QUANT_OPTIONS; matched without regard to case), and the
# ones it refuses to make without an importance matrix ("Please do not use IQ1_S, IQ1_M, IQ2_S, IQ2_XXS, IQ2_XS or
# Q2_K_S quantization without an importance matrix", same file).
QUANTIZE_TYPES = (
    "Q4_0", "Q4_1", "MXFP4_MOE", "Q5_0", "Q5_1", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ1_S", "IQ1_M", "TQ1_0",
    "TQ2_0", "Q2_K", "Q2_K_S", "IQ3_XXS", "IQ3_S", "IQ3_M", "Q3_K", "IQ3_XS", "Q3_K_S", "Q3_K_M", "Q3_K_L", "IQ4_NL",
    "IQ4_XS", "Q4_K", "Q4_K_S", "Q4_K_M", "Q5_K", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0", "F16", "BF16", "F32", "COPY",
)  # fmt: skip
QUANTIZE_NEEDS_IMATRIX = frozenset({"IQ1_S", "IQ1_M", "IQ2_S", "IQ2_XXS", "IQ2_XS", "Q2_K_S"})

_VALUE_RE: dict[ValueKind, re.Pattern[str]] = {
    "int": re.compile(r"^-?\d+$"),
    "float": re.compile(r"^\d+(\.\d+)?$"),
    "csv_num": re.compile(r"^\d+(\.\d+)?(,\d+(\.\d+)?)+$"),
    "repo": re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$"),  # a Hugging Face repo id: owner/name
    "hf_ref": re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(:[\w.-]+)?$"),  # owner/name[:quant]
    "host_port": re.compile(r"^(\$\{?[A-Z_][A-Z0-9_]*\}?|[\w.-]+):\d{2,5}$"),  # a shell variable stands for a host
    "host_ports": re.compile(
        r"^(\$\{?[A-Z_][A-Z0-9_]*\}?|[\w.-]+):\d{2,5}(,(\$\{?[A-Z_][A-Z0-9_]*\}?|[\w.-]+):\d{2,5})*$"
    ),
    "str": re.compile(r"^[^<>\s]+$"),
    "ftype": re.compile("^(" + "|".join(QUANTIZE_TYPES) + ")$", re.IGNORECASE),
    "url": re.compile(r"^https?://[\w.-]+(:\d{2,5})?(/[\w./-]*)?(\?[\w=&.-]*)?$"),
    "header": re.compile(r"^[A-Za-z][\w-]*: [^<>\n]+$"),
    # a relative folder or a Hugging Face repo id (mlx_lm loads a local path when it exists, else the Hub's repo)
    "path": re.compile(r"^(\./)?[\w.-]+(/[\w.-]+)*$"),
}


def _is_json_object(value: str) -> bool:
    """A JSON object with no placeholder (`<...>`) in it."""
    if "<" in value or ">" in value:
        return False
    try:
        return isinstance(json.loads(value), dict)
    except ValueError:
        return False


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]  # every spelling the engine accepts; the first is the one printed
    kind: ValueKind
    choices: tuple[str, ...] = ()

    def accepts(self, value: str | None) -> bool:
        if self.kind == "none":
            return value is None
        if value is None:
            return False
        return _value_ok(self.kind, value, self.choices)


def _value_ok(kind: ValueKind, value: str, choices: tuple[str, ...] = ()) -> bool:
    if kind == "choice":
        return value in choices
    if kind == "json":
        return _is_json_object(value)
    return bool(_VALUE_RE[kind].match(value))


@dataclass(frozen=True)
class Program:
    """One command: the words that start it, its flags, how many positional arguments it takes and of what kind,
    the environment variables it reads, and where all of that is documented."""

    words: tuple[str, ...]
    flags: tuple[Flag, ...]
    positional: tuple[ValueKind, ...] = ()
    env: tuple[Flag, ...] = ()
    source: str = ""
    nested: bool = False  # a launcher (docker run): after its positional arguments comes the command it runs

    def flag(self, name: str) -> Flag | None:
        return next((f for f in self.flags if name in f.names), None)

    def env_var(self, name: str) -> Flag | None:
        return next((f for f in self.env if name in f.names), None)


def _f(names: str, kind: ValueKind = "none", choices: tuple[str, ...] = ()) -> Flag:
    return Flag(tuple(names.split()), kind, choices)


LLAMA_SPEC_TYPES = (
    "none", "draft-simple", "draft-eagle3", "draft-mtp", "draft-dflash", "draft-dspark", "ngram-simple", "ngram-map-k",
    "ngram-map-k4v", "ngram-mod", "ngram-cache",
)  # fmt: skip
LLAMA_KV_TYPES = ("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1")
ROPE_SCALING_TYPES = ("none", "linear", "yarn")
_LLAMA_COMMON = (
    _f("-m --model", "str"),
    _f("-hf -hfr --hf-repo", "hf_ref"),
    _f("-hff --hf-file", "str"),  # the repo's file to load, overriding a quant tag (common/arg.cpp)
    _f("-c --ctx-size", "int"),
    _f("-ngl --gpu-layers --n-gpu-layers", "int"),
    _f("--n-cpu-moe -ncmoe", "int"),
    _f("--cpu-moe -cmoe"),
    _f("-ot --override-tensor", "str"),
    _f("-fa --flash-attn", "choice", ("on", "off", "auto")),
    _f("-b --batch-size", "int"),
    _f("-ub --ubatch-size", "int"),
    _f("-ctk --cache-type-k", "choice", LLAMA_KV_TYPES),
    _f("-ctv --cache-type-v", "choice", LLAMA_KV_TYPES),
    _f("-ts --tensor-split", "csv_num"),
    _f("-sm --split-mode", "choice", ("none", "layer", "row")),
    _f("-mg --main-gpu", "int"),
    _f("--rpc", "host_ports"),
    _f("--no-mmap"),
    _f("--mlock"),
    # tools/server/README.md: "--numa TYPE  attempt optimizations that help on some NUMA systems" (distribute, isolate,
    # numactl; "if run without this previously, it is recommended to drop the system page cache before using this")
    _f("--numa", "choice", ("distribute", "isolate", "numactl")),
    _f("-np --parallel", "int"),
    _f("-t --threads", "int"),
    _f("--jinja"),
    # YaRN rope scaling past the native context (tools/server/README.md @00dc8057: --rope-scaling {none,linear,yarn},
    # --rope-scale N "expands context by a factor of N", --yarn-orig-ctx N "original context size of model")
    _f("--rope-scaling", "choice", ROPE_SCALING_TYPES),
    _f("--rope-scale", "float"),
    _f("--yarn-orig-ctx", "int"),
    # speculative decoding (llama-server --help at 4df29be4; --draft-max was removed for --spec-draft-n-max)
    _f("--spec-type", "choice", LLAMA_SPEC_TYPES),
    _f("--spec-draft-n-max", "int"),
    _f("-md --spec-draft-model --model-draft", "str"),
    _f("-hfd --spec-draft-hf -hfrd --hf-repo-draft", "hf_ref"),
    _f("-ngld --spec-draft-ngl --gpu-layers-draft --n-gpu-layers-draft", "int"),
)
LLAMA_SOURCE = (
    "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md and common/arg.cpp "
    "(-fa takes on|off|auto; -ctk/-ctv allowed values; -hf <user>/<model>[:quant]; --n-cpu-moe N; --rpc SERVERS)"
)
LLAMA_SERVER = Program(
    words=("llama-server",),
    flags=(*_LLAMA_COMMON, _f("--host", "str"), _f("--port", "int")),
    source=LLAMA_SOURCE,
)
RPC_SERVER = Program(
    words=("rpc-server",),
    flags=(_f("-H --host", "str"), _f("-p --port", "int"), _f("-c --cache"), _f("-d --device", "str")),
    source=(
        "https://github.com/ggml-org/llama.cpp/blob/master/tools/rpc/README.md (rpc-server -H 0.0.0.0 -p 50052 on "
        "each remote host, -c for the local tensor cache; the main host runs llama-server --rpc host:port,host:port "
        "and splits weights and KV cache over local and remote devices in proportion to their memory)"
    ),
)

# ik_llama.cpp's llama-server (github:ikawrakow/ik_llama.cpp @8337e4cd, 2026-08-15): common/common.cpp's
# gpt_params_find_arg is its whole parser, and an argument it does not know stops the server ("error: unknown
# argument"). Its own flags beside llama.cpp's: -mla 0|1|2|3 (MLA; 3 is the default), -amb N (attention's K*Q
# buffer in MB, only without flash attention), -no-fmoe (fused MoE is on by default: the `-fmoe` of older commands
# is no longer parsed), -rtr (repack at load; its README warns against it with experts in RAM), -sm none|layer|
# attn|graph, cache types up to q6_0 and q8_KV. `--n-cpu-moe N` keeps the experts of N layers in RAM (the last N on
# one GPU, src/llama-load-tensors.cpp); no -hf: -hfr/-hff download only in a build with LLAMA_CURL, which its
# CMakeLists.txt leaves off, so a plan downloads the file first and passes -m.
IK_KV_TYPES = (*LLAMA_KV_TYPES, "q6_0", "q8_KV")
IK_LLAMA_SERVER = Program(
    words=("ik_llama.cpp/build/bin/llama-server",),
    flags=(
        _f("-m --model", "str"),
        _f("-c --ctx-size", "int"),
        _f("-ngl --gpu-layers --n-gpu-layers", "int"),
        _f("-ncmoe --n-cpu-moe", "int"),
        _f("-cmoe --cpu-moe"),
        _f("-ot --override-tensor", "str"),
        _f("-fa --flash-attn", "choice", ("on", "off", "auto", "1", "0")),
        _f("-no-fa --no-flash-attn"),
        _f("-b --batch-size", "int"),
        _f("-ub --ubatch-size", "int"),
        _f("-mla --mla-use", "choice", ("0", "1", "2", "3")),
        _f("-amb --attention-max-batch", "int"),
        _f("-no-fmoe --no-fused-moe"),
        _f("-rtr --run-time-repack"),
        _f("-ctk --cache-type-k", "choice", IK_KV_TYPES),
        _f("-ctv --cache-type-v", "choice", IK_KV_TYPES),
        _f("-ts --tensor-split", "csv_num"),
        _f("-sm --split-mode", "choice", ("none", "layer", "attn", "graph")),
        _f("-mg --main-gpu", "int"),
        _f("--rpc", "host_ports"),
        _f("--no-mmap"),
        _f("--mlock"),
        _f("--numa", "choice", ("distribute", "isolate", "numactl")),  # llama.cpp's (bench/measured_runs.csv x18)
        _f("-np --parallel", "int"),
        _f("-t --threads", "int"),
        _f("--jinja"),
        # common/common.cpp @8337e4cd parses --rope-scaling none|linear|yarn, --rope-scale and --yarn-orig-ctx
        _f("--rope-scaling", "choice", ROPE_SCALING_TYPES),
        _f("--rope-scale", "float"),
        _f("--yarn-orig-ctx", "int"),
        _f("--host", "str"),
        _f("--port", "int"),
    ),
    source=(
        "github:ikawrakow/ik_llama.cpp @8337e4cd common/common.cpp (gpt_params_find_arg; 'unknown argument'), "
        "common/common.h (mla_attn = 3, flash_attn = true, fused_moe_up_gate = true by default), docs/parameters.md "
        "and README.md (Quickstart: cmake -B build -DGGML_CUDA=ON, ./build/bin/llama-server --model FILE; backends "
        "that fully work: CPU and CUDA, Turing or newer)"
    ),
)

LLAMA_QUANTIZE = Program(
    words=("llama-quantize",),
    positional=("str", "str", "ftype"),
    flags=(
        _f("--imatrix", "str"),
        _f("--allow-requantize"),
        _f("--leave-output-tensor"),
        _f("--pure"),
        _f("--keep-split"),
    ),
    source=(
        "https://github.com/ggml-org/llama.cpp/blob/master/tools/quantize/README.md (llama-quantize [options] "
        "input-model-f32.gguf [output-model-quant.gguf] type [threads]) and tools/quantize/quantize.cpp "
        "(QUANT_OPTIONS; a split input is read from its first part)"
    ),
)
HF_DOWNLOAD = Program(
    words=("hf", "download"),
    positional=("repo",),
    flags=(_f("--include", "str"), _f("--exclude", "str"), _f("--local-dir", "str"), _f("--revision", "str")),
    source=(
        "https://huggingface.co/docs/huggingface_hub/guides/cli (the huggingface_hub CLI is `hf`: hf download "
        "REPO_ID --include PATTERN --local-dir DIR; `huggingface-cli download` is its older name)"
    ),
)
EXO = Program(
    words=("uv", "run", "exo"),
    flags=(
        _f("-q --quiet"),
        _f("-v --verbose"),
        _f("-m --force-master"),
        _f("--no-api"),
        _f("--api-port", "int"),
        _f("--no-worker"),
        _f("--no-downloads"),
        _f("--offline"),
        _f("--no-batch"),
        _f("--namespace", "str"),
    ),
    source=(
        "github:exo-explore/exo README.md @b5375f8c (Quick Start: `uv run exo` in a clone on every device; devices "
        "discover each other; API and dashboard on http://localhost:52415) and src/exo/main.py (its argparse flags)"
    ),
)
# exo's API: POST /place_instance with {model_id, sharding Pipeline|Tensor, instance_meta MlxRing|MlxJaccl,
# min_nodes} places a model over the cluster (src/exo/api/main.py, src/exo/api/types/api.py PlaceInstanceParams).
EXO_PLACE = Program(
    words=("curl",),
    positional=("url",),
    flags=(
        _f("-X --request", "choice", ("GET", "POST", "DELETE")),
        _f("-H --header", "header"),
        _f("-d --data", "json"),
    ),
    source=(
        "github:exo-explore/exo README.md @b5375f8c (Using the API: curl -X POST http://localhost:52415/instance ...) "
        "and src/exo/api/main.py (POST /place_instance takes PlaceInstanceParams: model_id, sharding, instance_meta, "
        "min_nodes)"
    ),
)

VLLM_KV_TYPES = ("auto", "fp8", "fp8_e4m3", "fp8_e5m2")
VLLM_QUANTIZATION = ("fp8", "awq", "gptq", "awq_marlin", "gptq_marlin", "compressed-tensors", "modelopt_fp4")
VLLM_SERVE = Program(
    words=("vllm", "serve"),
    positional=("repo",),
    flags=(
        _f("--tensor-parallel-size -tp", "int"),
        _f("--pipeline-parallel-size -pp", "int"),
        _f("--data-parallel-size -dp", "int"),
        _f("--enable-expert-parallel"),
        _f("--max-model-len", "int"),
        _f("--gpu-memory-utilization", "float"),
        _f("--kv-cache-dtype", "choice", VLLM_KV_TYPES),
        _f("--dtype", "choice", ("auto", "half", "float16", "bfloat16", "float", "float32")),
        _f("--distributed-executor-backend", "choice", ("ray", "mp", "uni", "external_launcher")),
        _f("--max-num-seqs", "int"),
        _f("--speculative-config", "json"),  # docs/features/speculative_decoding: method mtp / draft_model / eagle
        # online quantization of a 16-bit checkpoint as it loads (docs/features/quantization/fp8: --quantization fp8)
        _f("--quantization -q", "choice", VLLM_QUANTIZATION),
        _f("--trust-remote-code"),
        # a config override as JSON: YaRN past the native context as rope_parameters (docs.vllm.ai
        # features/context_extension: "--rope-scaling ... is no longer supported", removed in 0.11.1 per
        # vllm-project/recipes PR #856)
        _f("--hf-overrides", "json"),
        _f("--host", "str"),
        _f("--port", "int"),
    ),
    source=(
        "https://docs.vllm.ai/en/latest/configuration/engine_args/ (vllm serve [model_tag]; --kv-cache-dtype "
        "{auto,fp8,fp8_e4m3,fp8_e5m2}; --distributed-executor-backend {ray,mp,uni,external_launcher}); "
        "https://docs.vllm.ai/en/v0.8.5/serving/engine_args.html"
    ),
)
RAY_START = Program(
    words=("ray", "start"),
    flags=(_f("--head"), _f("--port", "int"), _f("--address", "host_port"), _f("--block")),
    source="https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html (multi-node: ray start --head / --address)",
)

# NVIDIA's playbook for vLLM on DGX Spark starts it in NVIDIA's container: `docker run -it --gpus all -p 8000:8000
# nvcr.io/nvidia/vllm:${LATEST_VLLM_VERSION} vllm serve ${HF_MODEL_HANDLE}` (github:NVIDIA/dgx-spark-playbooks
# nvidia/vllm/README.md @0db7c141); the flags are docker's (https://docs.docker.com/reference/cli/docker/container/run/).
DOCKER_RUN = Program(
    words=("docker", "run"),
    positional=("str",),  # the image; then the command the container runs, checked against its own table
    nested=True,
    flags=(
        _f("-it"),
        _f("-d --detach"),
        _f("--rm"),
        _f("--gpus", "str"),
        _f("-p --publish", "str"),
        _f("--name", "str"),
        _f("--ipc", "str"),
        _f("--shm-size", "str"),
        _f("-e --env", "str"),
        _f("-v --volume", "str"),
    ),
    source=(
        "github:NVIDIA/dgx-spark-playbooks nvidia/vllm/README.md @0db7c141 (Step 4: docker run -it --gpus all "
        "-p 8000:8000 nvcr.io/nvidia/vllm:${LATEST_VLLM_VERSION} vllm serve ${HF_MODEL_HANDLE}) and "
        "nvidia/sglang/README.md (Step 4: docker run --gpus all -it --rm -p 30000:30000 -v /tmp:/tmp "
        "lmsysorg/sglang:latest-cu130); https://docs.docker.com/reference/cli/docker/container/run/"
    ),
)

SGLANG_KV_TYPES = ("auto", "fp8_e5m2", "fp8_e4m3")
SGLANG_SERVER = Program(
    words=("python3", "-m", "sglang.launch_server"),
    flags=(
        _f("--model-path --model", "repo"),
        _f("--tp-size --tp --tensor-parallel-size", "int"),
        _f("--pp-size --pipeline-parallel-size", "int"),
        _f("--dp-size --dp --data-parallel-size", "int"),
        _f("--ep-size --ep --expert-parallel-size", "int"),
        _f("--context-length", "int"),
        _f("--mem-fraction-static", "float"),
        _f("--kv-cache-dtype", "choice", SGLANG_KV_TYPES),
        _f("--nnodes", "int"),
        _f("--node-rank", "int"),
        _f("--dist-init-addr", "host_port"),
        # advanced_features/speculative_decoding: EAGLE (DeepSeek's NextN/MTP runs as EAGLE), STANDALONE draft model
        _f("--speculative-algorithm", "choice", ("EAGLE", "EAGLE3", "NEXTN", "STANDALONE", "NGRAM")),
        _f("--speculative-num-steps", "int"),
        _f("--speculative-eagle-topk", "int"),
        _f("--speculative-num-draft-tokens", "int"),
        _f("--speculative-draft-model-path", "repo"),
        # server_arguments: --quantization (fp8 quantizes a 16-bit checkpoint online, as vLLM's does)
        _f("--quantization", "choice", ("fp8", "awq", "gptq", "compressed-tensors", "modelopt_fp4")),
        # NVIDIA's DGX Spark playbook (nvidia/sglang/README.md @0db7c141) starts it with --attention-backend flashinfer
        _f("--attention-backend", "choice", ("flashinfer", "triton", "torch_native", "fa3")),
        _f("--trust-remote-code"),
        # the model config overridden as JSON (YaRN past the native context: Qwen3's card, --json-model-override-args)
        _f("--json-model-override-args", "json"),
        _f("--host", "str"),
        _f("--port", "int"),
    ),
    # python/sglang/srt/configs/model_config.py: a --context-length above the config's derived one is refused unless
    # SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1
    env=(_f("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "choice", ("1",)),),
    source=(
        "https://docs.sglang.io/advanced_features/server_arguments.html (--tp, --dp, --context-length, "
        "--mem-fraction-static, --kv-cache-dtype fp8_e5m2|fp8_e4m3, --nnodes/--node-rank/--dist-init-addr); "
        "https://docs.sglang.io/cookbook/base/reference/server_arguments (--tp-size, --dp-size, --ep-size)"
    ),
)

OLLAMA_ENV = (
    _f("OLLAMA_CONTEXT_LENGTH", "int"),
    _f("OLLAMA_FLASH_ATTENTION", "choice", ("0", "1")),
    _f("OLLAMA_KV_CACHE_TYPE", "choice", ("f16", "q8_0", "q4_0")),
    _f("OLLAMA_SCHED_SPREAD", "choice", ("0", "1")),
)
OLLAMA_SOURCE = (
    "https://github.com/ollama/ollama/blob/main/docs/faq.md and envconfig/config.go (OLLAMA_CONTEXT_LENGTH, "
    "OLLAMA_FLASH_ATTENTION, OLLAMA_KV_CACHE_TYPE f16|q8_0|q4_0 are read by `ollama serve`); docs/context-length.mdx "
    "(OLLAMA_CONTEXT_LENGTH=64000 ollama serve); https://huggingface.co/docs/hub/ollama (ollama run "
    "hf.co/{username}/{repository}:{quantization})"
)
OLLAMA_SERVE = Program(words=("ollama", "serve"), flags=(), env=OLLAMA_ENV, source=OLLAMA_SOURCE)
OLLAMA_RUN = Program(words=("ollama", "run"), flags=(_f("--verbose"),), positional=("str",), source=OLLAMA_SOURCE)

MLX_SERVER = Program(
    words=("mlx_lm.server",),
    flags=(_f("--model", "path"), _f("--host", "str"), _f("--port", "int"), _f("--trust-remote-code")),
    source=(
        "https://github.com/ml-explore/mlx-lm/blob/main/mlx_lm/SERVER.md "
        "(mlx_lm.server --model <path_to_model_or_hf_repo>)"
    ),
)

# mlx_lm.convert: a Hugging Face checkpoint to an MLX folder, quantized with -q (github:ml-explore/mlx-lm
# mlx_lm/convert.py configure_parser: --hf-path/--model, --mlx-path, -q/--quantize, --q-bits, --q-group-size,
# --q-mode affine|mxfp4|nvfp4|mxfp8, --dtype; the folder must not exist yet).
MLX_CONVERT = Program(
    words=("mlx_lm.convert",),
    flags=(
        _f("--hf-path --model", "repo"),
        _f("--mlx-path", "path"),
        _f("-q --quantize"),
        _f("--q-bits", "int"),
        _f("--q-group-size", "int"),
        _f("--q-mode", "choice", ("affine", "mxfp4", "nvfp4", "mxfp8")),
        _f("--dtype", "choice", ("float16", "bfloat16", "float32")),
        _f("--trust-remote-code"),
    ),
    source="https://github.com/ml-explore/mlx-lm/blob/main/mlx_lm/convert.py (configure_parser)",
)

PROGRAMS = (
    LLAMA_SERVER,
    IK_LLAMA_SERVER,
    RPC_SERVER,
    LLAMA_QUANTIZE,
    HF_DOWNLOAD,
    VLLM_SERVE,
    RAY_START,
    DOCKER_RUN,
    SGLANG_SERVER,
    OLLAMA_SERVE,
    OLLAMA_RUN,
    MLX_SERVER,
    EXO,
    EXO_PLACE,
    MLX_CONVERT,
)
_ENV_ASSIGN = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$")


def program_for(words: tuple[str, ...]) -> Program | None:
    return next((p for p in PROGRAMS if words[: len(p.words)] == p.words), None)


def check_args(program: Program, tokens: list[str]) -> list[str]:
    """What `program` would reject in `tokens` (its arguments after the starting words): unknown flags, values
    of the wrong kind, missing or extra positional arguments. Empty when the engine accepts them."""
    problems: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("-") or _VALUE_RE["int"].match(token):
            positional.append(token)
            i += 1
            if program.nested and len(positional) == len(program.positional):  # the rest: the command it runs
                problems += check_line(shlex.join(tokens[i:])) if i < len(tokens) else []
                break
            continue
        name, _, inline = token.partition("=")
        flag = program.flag(name)
        if flag is None:
            problems.append(f"{' '.join(program.words)} has no flag {name}")
            i += 1
            continue
        value: str | None = inline or None
        if flag.kind != "none" and value is None:
            value = tokens[i + 1] if i + 1 < len(tokens) else None
            i += 1
        if not flag.accepts(value):
            problems.append(f"{' '.join(program.words)} {name} does not take {value!r} ({flag.kind})")
        i += 1
    if len(positional) != len(program.positional):
        problems.append(f"{' '.join(program.words)} takes {len(program.positional)} positional, got {positional}")
    for value, kind in zip(positional, program.positional, strict=False):
        if not _value_ok(kind, value):
            problems.append(f"{' '.join(program.words)} positional {value!r} is not a {kind}")
    return problems


def check_env(program: Program, env: list[tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    for name, value in env:
        var = program.env_var(name)
        if var is None:
            problems.append(f"{' '.join(program.words)} does not read {name}")
        elif not var.accepts(value):
            problems.append(f"{name}={value!r} is not a {var.kind}")
    return problems


def check_line(line: str) -> list[str]:
    """One shell line (`VAR=value ... program args`; `#` comments and blank lines pass) against the tables."""
    tokens = shlex.split(line, comments=True)
    if not tokens:
        return []
    if any("<" in t or ">" in t for t in tokens):
        return [f"placeholder in {line!r}"]
    env: list[tuple[str, str]] = []
    while tokens and (m := _ENV_ASSIGN.match(tokens[0])):
        env.append((m.group(1), m.group(2)))
        tokens = tokens[1:]
    program = program_for(tuple(tokens))
    if program is None:
        return [f"no engine table for {tokens[:3]}"]
    return check_env(program, env) + check_args(program, tokens[len(program.words) :])


def check_command(command: str) -> list[str]:
    """Every line of a rendered command (several lines: one step each)."""
    return [p for line in command.splitlines() for p in check_line(line)]
