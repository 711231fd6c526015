"""Serve plans against each engine's rules, as a table of (model, rig) cases from questions people ask.

Every printed command must parse under its engine's flag table (engine/flags.py), name a repo the catalog lists
for the model, and fit the memory it claims; where an engine cannot serve, the rule that stops it is the one the
engine's documentation gives (sources in engine/serve.py).
"""

from __future__ import annotations

import pytest

from bot.cards import serve_command
from catalog.catalog import Catalog
from catalog.loader import load
from engine import flags, formats, serve
from engine.fit import FitOptions, QuantOption, fit
from engine.parse.hardware import parse_hardware
from engine.serve import Engine, Refusal


@pytest.fixture(scope="module")
def real() -> Catalog:
    """The shipped catalog: the plans name its repos."""
    return load()


def _best(cat: Catalog, model: str, hardware: str) -> QuantOption:
    r = fit(cat.models[model], parse_hardware(hardware, cat)).readings[0]
    option = r.best_option if hasattr(r, "best_option") else r.option(r.best)
    assert option is not None, f"{model} on {hardware}: nothing runs"
    return option


# (model, hardware as asked, engines that must have a plan, (engine, refusal) that must be named)
CASES = [
    # "vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size 2" on 2x 3090 cannot hold 141 GB of BF16;
    # the 38.6 GB AWQ INT4 checkpoint (casperhansen/llama-3.3-70b-instruct-awq) does
    ("llama-3.3-70b", "2x RTX 3090", (Engine.VLLM, Engine.SGLANG), ()),
    # DeepSeek-R1 on 8x H100: the FP8 checkpoint (689 GB) does not fit 8 x 72 GB; the W4A16 one does
    ("deepseek-r1", "8x H100", (Engine.VLLM, Engine.SGLANG), ()),
    # 16x H200 are two nodes of 8: tensor parallel 8, pipeline parallel 2
    ("deepseek-r1", "16x H200", (Engine.VLLM,), ()),
    # Tesla P40 is compute capability 6.1: no vLLM, no SGLang (llama.cpp and Ollama run it)
    ("llama-3.1-8b", "Tesla P40", (Engine.LLAMA_CPP, Engine.OLLAMA), ((Engine.VLLM, Refusal.COMPUTE_CAPABILITY),)),
    # 8x MI300X: the native FP8 checkpoint on ROCm (gfx942) with vLLM and SGLang
    ("deepseek-r1", "8x MI300X", (Engine.VLLM, Engine.SGLANG), ()),
    # a 241 GB GGUF in shards: llama.cpp yes, Ollama cannot pull it
    ("glm-5.2", "M3 Ultra 256GB", (Engine.LLAMA_CPP,), ((Engine.OLLAMA, Refusal.SHARDED_GGUF),)),
    ("qwen3-30b-a3b", "RTX 4090", (Engine.LLAMA_CPP, Engine.OLLAMA), ()),
    ("llama-3.3-70b", "6x RTX 3090", (Engine.LLAMA_CPP,), ()),
    # Gemma 2 and 3 on Turing cards (no bfloat16): vLLM refuses float16 for them ("The model type 'gemma3' does not
    # support float16. Reason: Numerical instability.", vllm/config/model.py); SGLang keeps no such list
    ("gemma-3-4b", "T4", (Engine.LLAMA_CPP, Engine.SGLANG), ((Engine.VLLM, Refusal.FLOAT16),)),
    ("gemma-2-9b", "RTX 2080 Ti", (Engine.LLAMA_CPP,), ((Engine.VLLM, Refusal.FLOAT16),)),
    ("gemma-3-12b", "2x RTX 2080 Ti", (Engine.LLAMA_CPP,), ((Engine.VLLM, Refusal.FLOAT16),)),
    # an AMD and an NVIDIA card in one box: Ollama places a model on one library's cards only (server/sched.go
    # pickBestFullFitByLibrary), so the split over both is llama.cpp's alone
    ("qwen3-32b", "RX 7900 XTX + RTX 3090", (Engine.LLAMA_CPP,), ((Engine.OLLAMA, Refusal.MIXED_GPUS),)),
    ("llama-3.3-70b", "RX 7900 XTX + RTX 3090", (Engine.LLAMA_CPP,), ((Engine.OLLAMA, Refusal.MIXED_GPUS),)),
    # gpt-oss ships MXFP4, which vLLM and SGLang run from compute capability 8.0 (Mxfp4Config.get_min_capability 80):
    # 'gpt-oss-120b on 8x T4' had printed `vllm serve openai/gpt-oss-120b ... --dtype half`
    ("gpt-oss-120b", "8x T4", (Engine.LLAMA_CPP,), ((Engine.VLLM, Refusal.FORMAT_CAPABILITY),)),
    ("gpt-oss-120b", "8x RTX 2080 Ti", (Engine.LLAMA_CPP,), ((Engine.SGLANG, Refusal.FORMAT_CAPABILITY),)),
    ("gpt-oss-120b", "4x RTX 3090", (Engine.LLAMA_CPP, Engine.VLLM, Engine.SGLANG), ()),
]


@pytest.mark.parametrize(("model", "hardware", "served", "refused"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_plans_follow_the_engines_rules(
    real: Catalog,
    model: str,
    hardware: str,
    served: tuple[Engine, ...],
    refused: tuple[tuple[Engine, Refusal], ...],
) -> None:
    option = _best(real, model, hardware)
    engines = {p.engine for p in option.serve.plans}
    assert set(served) <= engines, f"{model} on {hardware}: plans for {engines}"
    reasons = {(r.engine, r.reason) for r in option.serve.refused}
    assert set(refused) <= reasons, f"{model} on {hardware}: refused {reasons}"
    entry = real.models[model]
    known = {q.repo for q in entry.quants if q.repo} | {entry.hf_repo} | {g.repo for g in entry.gguf_repos}
    for plan in option.serve.plans:
        command = serve_command(plan)
        assert flags.check_command(command) == [], command
        repo = plan.checkpoint.removeprefix("hf.co/").split(":")[0]
        tags = {t.tag for t in entry.ollama_tags}
        assert repo in known or plan.checkpoint in tags, f"{repo} is not a repo the catalog lists for {model}"
        if plan.gpu_bytes_each is not None:
            gpus = option.placement.pools  # the rig's cards as placed; the smallest bounds a server plan
            assert plan.gpu_bytes_each <= serve.GPU_MEMORY_FRACTION * max(
                p.capacity_bytes for p in gpus if p.kind == "gpu"
            )


def test_sixteen_gpus_are_two_nodes_of_eight(real: Catalog) -> None:
    plan = _best(real, "deepseek-r1", "16x H200").serve.plan(Engine.VLLM)
    assert plan and (plan.tensor_parallel, plan.pipeline_parallel, plan.nodes) == (8, 2, 2)
    assert "$HEAD_NODE_IP:6379" in serve_command(plan)


# vLLM: "Total number of attention heads (64) must be divisible by tensor parallel size (3)" (vllm issues #4232,
# #414): 64 heads and 8 KV heads on 3, 6 and 12 cards take tensor parallel 1, 2 and 4 and pipeline stages for the rest
@pytest.mark.parametrize(
    ("gpus", "tp", "pp", "nodes"),
    [(2, 2, 1, 1), (3, 1, 3, 1), (6, 2, 3, 1), (8, 8, 1, 1), (12, 2, 6, 2), (16, 8, 2, 2)],
)
def test_tensor_parallel_divides_the_heads(real: Catalog, gpus: int, tp: int, pp: int, nodes: int) -> None:
    lay = serve.layout(real.models["llama-3.3-70b"], gpus)
    assert lay is not None and (lay.tensor_parallel, lay.pipeline_parallel, lay.nodes) == (tp, pp, nodes)


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("llama-server -hf unsloth/GLM-5.2-GGUF:UD-IQ2_XXS -c 32768 -ngl 79 -fa on", True),
        ("llama-server -m <gguf of GLM-5.2> -c 32768", False),  # a placeholder
        ("llama-server -hf a/b:Q4_K_M -fa yes", False),  # -fa takes on|off|auto
        ("llama-server -hf a/b:Q4_K_M -ctk q8", False),  # not a cache type
        ("OLLAMA_CONTEXT_LENGTH=32768 ollama serve", True),
        ("ollama run hf.co/a/b:Q4_K_M --n-cpu-moe 20", False),  # Ollama has no --n-cpu-moe
        ("OLLAMA_CONTEXT_LENGTH=32k ollama serve", False),
        ("vllm serve a/b --tensor-parallel-size 2 --max-model-len 32768", True),
        ("vllm serve a/b --kv-cache-dtype q8_0", False),
        ("vllm serve --tensor-parallel-size 2", False),  # no model
        ("python3 -m sglang.launch_server --model-path a/b --tp-size 8 --context-length 32768", True),
        ("python3 -m sglang.launch_server --model-path a/b --max-model-len 32768", False),  # vLLM's flag
        ("mlx_lm.server --model mlx-community/x-4bit", True),
        ("ray start --address $HEAD_NODE_IP:6379", True),
        # ik_llama.cpp @8337e4cd: the line ubergarm's model cards print, on a file downloaded first
        ("ik_llama.cpp/build/bin/llama-server -m K/IQ2_KL/K-00001-of-00008.gguf -c 32768 -ngl 99 -cmoe -mla 3", True),
        ("ik_llama.cpp/build/bin/llama-server -m a.gguf -ngl 99 --n-cpu-moe 40 -fa on -ctk q8_0", True),
        ("ik_llama.cpp/build/bin/llama-server -m a.gguf -fmoe", False),  # fused MoE is the default; -fmoe is unknown
        ("ik_llama.cpp/build/bin/llama-server -hf a/b:Q4_K_M", False),  # no -hf (-hfr needs a LLAMA_CURL build)
        ("ik_llama.cpp/build/bin/llama-server -m a.gguf -mla 4", False),  # -mla 0|1|2|3
        ("llama-server -hf a/b:Q4_K_M -mla 3", False),  # mainline llama.cpp has no -mla
        # NVIDIA's DGX Spark playbook: vllm serve inside nvcr.io/nvidia/vllm; the command inside is checked too
        (
            "docker run -it --gpus all -p 8000:8000 nvcr.io/nvidia/vllm:26.05.post1-py3 vllm serve openai/gpt-oss-20b",
            True,
        ),
        ("docker run -it --gpus all nvcr.io/nvidia/vllm:26.05.post1-py3 vllm serve a/b --kv-cache-dtype q8_0", False),
        ("docker run -it --gpus all nvcr.io/nvidia/vllm:26.05.post1-py3 vllm serve", False),  # no model
    ],
)
def test_flag_tables_accept_and_reject(line: str, ok: bool) -> None:
    assert (flags.check_line(line) == []) is ok, flags.check_line(line)


# ik_llama.cpp beside llama.cpp where a MoE model's experts sit in RAM, as people ask it ("235B on a 4090 and 128 GB",
# "R1 on an EPYC with 768 GB and no GPU"); refused with the rule that stops it, never offered where the weights sit
# on the GPUs (vLLM/SGLang and llama.cpp serve those).
IK_CASES = [
    (
        "qwen3-235b-a22b-instruct-2507",
        "RTX 4090 + 128GB DDR5",
        None,
        "Qwen3-235B-A22B-Instruct-2507-GGUF/Q4_K_M/Qwen3-235B-A22B-Instruct-2507-Q4_K_M-00001-of-00003.gguf",
        None,
    ),
    (
        "deepseek-r1",
        "EPYC 9654 768GB",
        "Q8_0",  # the pick there is Q4_K_M (offloaded, 4 bits before 8), whose file the catalog does not name
        "DeepSeek-R1-GGUF/DeepSeek-R1-Q8_0/DeepSeek-R1.Q8_0-00001-of-00015.gguf",
        None,
    ),
    # no repo publishes IQ3_XXS: the file llama.cpp's plan makes from the BF16 GGUF, run by ik_llama.cpp
    ("glm-5.2", "24GB VRAM + 256GB RAM", None, "GLM-5.2-IQ3_XXS.gguf", None),
    ("gpt-oss-120b", "RX 7900 XTX + 64GB DDR5", None, None, Refusal.BACKEND),  # README: CPU and CUDA only
    # "gpt-oss-120b on a 4090 and 64 GB": ggml-org's MXFP4 file, experts of 24 layers in RAM
    ("gpt-oss-120b", "RTX 4090 + 64GB DDR5", None, "gpt-oss-120b-GGUF/gpt-oss-120b-mxfp4-00001-of-00003.gguf", None),
    ("qwen3-30b-a3b", "RTX 3060 12GB + 32GB DDR4", "Q4_K_M", None, Refusal.NO_GGUF_FILE),  # Qwen's repo: no file named
    # README: not Unsloth _XL
    ("qwen3-30b-a3b-instruct-2507", "RTX 3060 12GB + 32GB DDR4", "UD-Q6_K_XL", None, Refusal.F16_TENSORS),
    ("qwen3-30b-a3b", "RTX 4090", None, None, None),  # all on the card: not an offload
    # architectures ik_llama.cpp's loader lacks (src/llama-arch.cpp @8337e4cd): "unknown model architecture"
    ("jamba-mini-1.7", "RTX 3060 12GB + 32GB DDR4", None, None, Refusal.ARCHITECTURE),
    ("granite-4.0-h-small", "Ryzen 9 7950X 64GB DDR5", None, None, Refusal.ARCHITECTURE),
    ("granite-4.0-h-small", "RTX 3060 12GB + 32GB DDR4", None, None, Refusal.ARCHITECTURE),
    ("nemotron-3-nano-30b-a3b", "RTX 3060 12GB + 32GB DDR4", None, None, Refusal.ARCHITECTURE),
    ("deepseek-r1", "8x H100", None, None, None),
]


@pytest.mark.parametrize(
    ("model", "hardware", "quant", "path", "refusal"), IK_CASES, ids=[f"{c[0]}@{c[1]}:{c[2]}" for c in IK_CASES]
)
def test_ik_llama_where_experts_sit_in_ram(
    real: Catalog, model: str, hardware: str, quant: str | None, path: str | None, refusal: Refusal | None
) -> None:
    reading = fit(real.models[model], parse_hardware(hardware, real)).readings[0]
    option = reading.best_option if quant is None else next(o for o in reading.options if o.quant == quant)
    assert option is not None
    plan = option.serve.plan(Engine.IK_LLAMA)
    stops = {r.reason for r in option.serve.refused if r.engine == Engine.IK_LLAMA}
    assert (plan is not None) == (path is not None), f"{model} on {hardware}: {plan}"
    assert stops == ({refusal} if refusal else set())
    if plan is not None:
        command = serve_command(plan)
        assert flags.check_command(command) == [], command
        server = command.splitlines()[-1]
        assert server.startswith(f"ik_llama.cpp/build/bin/llama-server -m {path} "), server
        assert "hf download" in command  # the file (every part of it) is downloaded first
        assert ("-mla 3" in server) == (real.models[model].attention.kind == "mla")


# vLLM on a DGX Spark, as NVIDIA's playbook runs it (github:NVIDIA/dgx-spark-playbooks nvidia/vllm/README.md):
# `docker run -it --gpus all -p 8000:8000 nvcr.io/nvidia/vllm:<tag> vllm serve <repo>`, leaving the OS room in the
# unified pool. One user's figure against what people measured with that image: gpt-oss-120b MXFP4 "steady-states
# 33-34 tok/s" (dgx-spark-playbooks issue #79, nvcr.io/nvidia/vllm:26.02-py3).
SPARK_CASES = [
    # inside since session 16's refit (26-64 tok/s): the GB10's decode group, refitted with llmfit's GB10 runs, reaches
    # lower; the MoE layer cost below still reads 139 us a layer where gpt-oss-120b's A100 runs imply 276
    ("gpt-oss-120b", "DGX Spark", "openai/gpt-oss-120b", 33.0),
    ("llama-3.1-8b", "DGX Spark", "meta-llama/Llama-3.1-8B-Instruct", None),
]


@pytest.mark.parametrize(("model", "hardware", "repo", "measured_tps"), SPARK_CASES)
def test_vllm_on_a_dgx_spark_runs_in_nvidias_container(
    real: Catalog, model: str, hardware: str, repo: str, measured_tps: float | None
) -> None:
    option = _best(real, model, hardware)
    plan = option.serve.plan(Engine.VLLM)
    assert plan is not None, [r.reason for r in option.serve.refused]
    command = serve_command(plan)
    assert flags.check_command(command) == [], command
    assert command.startswith(
        f"docker run -it --gpus all -p 8000:8000 -e HF_TOKEN {serve.SPARK_VLLM_IMAGE} vllm serve {repo} "
    )
    assert "--gpu-memory-utilization 0.80" in command
    assert plan.gpu_bytes_each is not None and plan.gpu_bytes_each <= 0.80 * 128 * 2**30
    if measured_tps is not None:
        assert plan.speed is not None
        assert plan.speed.one_user_tps.low <= measured_tps <= plan.speed.one_user_tps.high


# SGLang on a DGX Spark, as NVIDIA's playbook runs it (github:NVIDIA/dgx-spark-playbooks nvidia/sglang/README.md):
# `docker run --gpus all -it --rm -p 30000:30000 -v /tmp:/tmp lmsysorg/sglang:latest-cu130`, then `python3 -m
# sglang.launch_server ... --tp 1 --attention-backend flashinfer --mem-fraction-static 0.75`; its matrix lists BF16,
# MXFP4, FP8 and NVFP4 checkpoints (NVFP4 with --quantization modelopt_fp4), not AWQ/GPTQ.
# (model, quant asked, SGLang's checkpoint or None, why it is refused)
SPARK_SGLANG = [
    ("gpt-oss-120b", None, "openai/gpt-oss-120b", None),  # the playbook's GPT-OSS-120B MXFP4 row
    ("llama-3.1-8b", None, "meta-llama/Llama-3.1-8B-Instruct", None),  # BF16 as released
    ("qwen3-32b", "AWQ", None, Refusal.SPARK_NOT_PLANNED),  # "qwen3 32b awq on my spark with sglang?"
    ("llama-3.3-70b", "AWQ", None, Refusal.SPARK_NOT_PLANNED),
    ("qwen3-32b", "FP8", None, Refusal.SPARK_NOT_PLANNED),  # FP8 made from BF16 as it loads: not in the matrix
    # a GGUF pick: BF16 does not fit and the AWQ that would is not in the matrix, which is the reason given
    ("llama-3.3-70b", None, None, Refusal.SPARK_NOT_PLANNED),
]


@pytest.mark.parametrize(("model", "quant", "checkpoint", "refusal"), SPARK_SGLANG)
def test_sglang_on_a_dgx_spark_follows_nvidias_playbook(
    real: Catalog, model: str, quant: str | None, checkpoint: str | None, refusal: Refusal | None
) -> None:
    reading = fit(real.models[model], parse_hardware("DGX Spark", real)[:1]).readings[0]
    option = reading.option(quant) if quant else reading.best_option
    assert option is not None
    plan = option.serve.plan(Engine.SGLANG)
    if checkpoint is None:
        assert plan is None
        assert [r.reason for r in option.serve.refused if r.engine is Engine.SGLANG] == [refusal]
        return
    assert plan is not None, [r.reason for r in option.serve.refused]
    command = serve_command(plan)
    assert flags.check_command(command) == [], command
    assert command.startswith(
        "docker run --gpus all -it --rm -p 30000:30000 -v /tmp:/tmp -e HF_TOKEN lmsysorg/sglang:latest-cu130 "
        f"python3 -m sglang.launch_server --model-path {checkpoint} --host 0.0.0.0 --port 30000 "
        "--trust-remote-code --tp 1 --attention-backend flashinfer --mem-fraction-static 0.75 "
    ), command
    assert plan.gpu_bytes_each is not None and plan.gpu_bytes_each <= 0.75 * 128 * 2**30


def test_nvfp4_on_a_spark_gets_the_playbooks_quantization_flag(real: Catalog) -> None:
    """A published NVFP4 checkpoint (the playbook's nvidia/Llama-3.3-70B-Instruct-FP4 row) starts with
    `--quantization modelopt_fp4`."""
    m = real.models["llama-3.3-70b"]
    size, _ = formats.weights_bytes(m, formats.FORMATS["NVFP4"])
    ckpt = serve.Checkpoint(
        repo="nvidia/Llama-3.3-70B-Instruct-FP4", format="nvfp4", weights_bytes=size, basis="estimated", name="NVFP4"
    )
    rig = parse_hardware("DGX Spark", real)[0].rig
    got = serve.servers(m, rig, 8192, "f16", only=ckpt).plan(Engine.SGLANG)
    assert got is not None
    assert serve_command(got).endswith("--context-length 8192 --quantization modelopt_fp4")


def test_no_vllm_plan_over_two_sparks(real: Catalog) -> None:
    """Two Sparks need Ray over their ConnectX-7 link (the playbook's 'Run on two Sparks'): not planned; llama.cpp
    RPC serves the pair."""
    option = _best(real, "gpt-oss-120b", "2x DGX Spark")
    assert option.serve.plan(Engine.VLLM) is None and option.serve.plan(Engine.LLAMA_CPP) is not None


# On a Mac, MLX is the engine people reach for first: under a GGUF pick the card names the MLX build of about the
# same bits (within a bit per weight) that fits, right after llama.cpp, with its own repo and size.
MLX_SIBLINGS = [
    ("qwen3-30b-a3b", "M4 Max 64GB", "mlx-community/Qwen3-30B-A3B-8bit"),
    ("llama-3.1-8b", "M4 Pro 24GB", "mlx-community/Meta-Llama-3.1-8B-Instruct-8bit"),
    # no MLX build near the pick's bits (GLM-5.2 Q5_K_M at 5.7 bits, MLX 4-bit at 4.5): none named
    ("glm-5.2", "M3 Ultra 512GB", None),
    # not a Mac: no MLX
    ("qwen3-30b-a3b", "RTX 4090", None),
]


@pytest.mark.parametrize(("model", "hardware", "mlx_repo"), MLX_SIBLINGS)
def test_a_mac_gets_the_mlx_build_of_its_gguf_pick(
    real: Catalog, model: str, hardware: str, mlx_repo: str | None
) -> None:
    option = _best(real, model, hardware)
    mlx = option.serve.plan(Engine.MLX)
    if mlx_repo is None:
        assert mlx is None or option.format == "mlx"
        return
    assert option.format == "gguf" and mlx is not None and mlx.checkpoint == mlx_repo
    assert [p.engine for p in option.serve.plans][:2] == [Engine.LLAMA_CPP, Engine.MLX]
    assert flags.check_command(serve_command(mlx)) == []


# And the other way: under an MLX pick, llama.cpp right after MLX on the GGUF of about the same bits that fits (most
# Mac users run llama.cpp, LM Studio or Ollama): gpt-oss-120b's MLX MXFP4-Q8 and ggml-org's MXFP4 GGUF.
GGUF_SIBLINGS = [
    ("gpt-oss-120b", "M4 Max 128GB", "ggml-org/gpt-oss-120b-GGUF"),
]


@pytest.mark.parametrize(("model", "hardware", "gguf_repo"), GGUF_SIBLINGS)
def test_an_mlx_pick_names_the_gguf_for_llama_cpp(real: Catalog, model: str, hardware: str, gguf_repo: str) -> None:
    option = _best(real, model, hardware)
    llama = option.serve.plan(Engine.LLAMA_CPP)
    assert option.format == "mlx" and llama is not None and gguf_repo in llama.checkpoint
    assert [p.engine for p in option.serve.plans][:2] == [Engine.MLX, Engine.LLAMA_CPP]
    assert flags.check_command(serve_command(llama)) == []
    assert not any(r.engine == Engine.LLAMA_CPP for r in option.serve.refused)


# (model, MoE layers whose experts stay in RAM, ik_llama.cpp, the flag): llama.cpp's --n-cpu-moe N takes the first N
# blocks, the leading dense ones included (common/arg.cpp: an override of blk.i.ffn_*_exps for each i below N)
N_CPU_MOE = [
    ("deepseek-v3", 20, False, ("--n-cpu-moe", "23")),  # blocks 0-2 dense: 20 MoE layers are the first 23 blocks
    ("glm-4.5-air", 30, False, ("--n-cpu-moe", "31")),  # one dense block first
    ("qwen3-30b-a3b", 20, False, ("--n-cpu-moe", "20")),  # every block has experts
    ("deepseek-v3", 58, False, ("--cpu-moe", None)),  # every MoE layer: the flag that says so
    ("deepseek-v3", 20, True, ("--n-cpu-moe", "20")),  # ik_llama.cpp counts the last N, past the dense ones
]


@pytest.mark.parametrize(("model_id", "in_ram", "ik", "flag"), N_CPU_MOE)
def test_n_cpu_moe_counts_llama_cpp_blocks(
    real: Catalog, model_id: str, in_ram: int, ik: bool, flag: tuple[str, str | None]
) -> None:
    arg = serve.n_cpu_moe_arg(real.models[model_id], in_ram, ik=ik)
    assert (arg.flag, arg.value) == flag


# (file type as published, whether only ik_llama.cpp loads it): ik's own IQ*_K family and its row-interleaved
# repacks; mainline's i-quants and k-quants, and publishers' mixes of them, load everywhere
IK_TYPES = [
    ("IQ4_KSS", True),  # AesSedai's GLM-4.5 IQ4_KSS, "requires ik_llama.cpp"
    ("IQ2_KS", True),
    ("IQ3_KT", True),
    ("IQ5_K", True),
    ("IQ4_K_R4", True),
    ("Q4_0_R8", True),
    ("IQ4_XS", False),
    ("IQ2_XXS", False),
    ("Q4_K_M", False),
    ("UD-Q4_K_XL", False),
    ("Q6_K-Q2_K-Q2_K-Q3_K", False),
    ("MXFP4", False),
]


@pytest.mark.parametrize(("quant_name", "ik"), IK_TYPES)
def test_a_block_type_only_ik_llama_has_is_refused_by_llama_cpp_and_ollama(
    real: Catalog, quant_name: str, ik: bool
) -> None:
    assert serve.ik_only(quant_name) == ik
    model = real.models["glm-4.5"]
    option = _best(real, "glm-4.5", "M3 Ultra 512GB")
    for plan in (
        serve.llama_cpp(model, None, quant_name, option.placement, 32768, "f16", weights_bytes=option.weights_bytes),
        serve.ollama(model, None, quant_name, option.placement, 32768, "f16", weights_bytes=option.weights_bytes),
    ):
        refused = isinstance(plan, serve.Refused) and plan.reason is Refusal.IK_TYPE
        assert refused == ik, (quant_name, plan)


def test_the_m3_ultra_card_prints_no_llama_server_line_for_an_ik_type(real: Catalog) -> None:
    """GLM-4.5 on an M3 Ultra 512 GB with AesSedai's IQ4_KSS: no llama-server or Ollama command may name it."""
    reading = fit(real.models["glm-4.5"], parse_hardware("M3 Ultra 512GB", real)).readings[0]
    option = reading.option("IQ4_KSS")
    assert option is not None and option.verdict != "does-not-fit"
    assert option.serve.plan(Engine.LLAMA_CPP) is None and option.serve.plan(Engine.OLLAMA) is None


# SGLang's FP8 needs compute capability 8.0 (python/sglang/srt/layers/quantization/fp8.py: get_min_capability() -> 80;
# model_loader/loader.py raises "The quantization method fp8 is not supported for the current GPU. Minimum capability:
# 80. Current capability: 75."): `--quant FP8` on a Turing card gets no SGLang FP8 line; on Ampere it does.
SGLANG_FP8_CASES = [
    ("qwen3-1.7b", "T4", False),
    ("llama-3.2-3b", "RTX 2080 Ti", False),
    ("qwen3-4b", "Tesla T4 16GB", False),
    ("llama-3.2-3b", "RTX 3090", True),
    ("qwen3-4b", "A10G", True),
]


@pytest.mark.parametrize(("model", "hardware", "fp8"), SGLANG_FP8_CASES)
def test_sglang_runs_fp8_from_ampere_on(real: Catalog, model: str, hardware: str, fp8: bool) -> None:
    reading = fit(real.models[model], parse_hardware(hardware, real), FitOptions(quant="FP8")).readings[0]
    option = reading.option("FP8")
    assert option is not None
    plan = option.serve.plan(Engine.SGLANG)
    printed = plan is not None and plan.checkpoint_format == "fp8"
    assert printed == fp8, (model, hardware, plan and serve_command(plan))
    if not fp8:
        assert plan is None or "--quantization fp8" not in serve_command(plan)
