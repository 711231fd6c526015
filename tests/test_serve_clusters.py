"""Serve plans across machines and for quants no repo publishes, as a table of (model, cluster) cases written the
way people describe their clusters (the phrases of tests/data/hardware_phrases.yaml and forum threads).

Rules, each with its source:
- llama.cpp RPC: `rpc-server -H 0.0.0.0 -p 50052` on every remote host and `llama-server --rpc host:port,...` on the
  main host, which splits weights and KV cache over local and remote devices in proportion to their memory
  (https://github.com/ggml-org/llama.cpp/blob/master/tools/rpc/README.md).
- exo: `uv run exo` on every device (they discover each other), then POST /place_instance with the model id
  (github:exo-explore/exo README.md, src/exo/api/main.py); it runs MLX on Macs, and on the CPU on Linux.
- Ollama runs one model on one machine.
- llama-quantize makes a quant from a 16-bit GGUF, reading a split file from its first part, and refuses IQ1_S,
  IQ1_M, IQ2_S, IQ2_XXS, IQ2_XS and Q2_K_S without an importance matrix (tools/quantize/quantize.cpp).
"""

from __future__ import annotations

import fnmatch
import shlex

import pytest

from bot.cards import serve_command
from catalog.catalog import Catalog
from catalog.loader import load
from engine import flags
from engine.fit import QuantOption, fit
from engine.parse.hardware import parse_hardware
from engine.rig import Rig
from engine.serve import Engine, Refusal, ServePlan


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load()


def _reading(cat: Catalog, model: str, hardware: str) -> tuple[Rig, tuple[QuantOption, ...]]:
    r = fit(cat.models[model], parse_hardware(hardware, cat)).readings[0]
    return r.rig, r.options


def _machine_limit(machine: Rig) -> int:
    """What one machine's accelerators may hold: its cards' memory, or its unified memory at the GPU limit."""
    unified = machine.unified.gpu_limit_bytes if machine.unified else 0
    return sum(g.memory_bytes for g in machine.gpus) + unified


# (model, cluster as asked, engines with a plan over several machines, (engine, refusal) named for some option)
CLUSTERS = [
    # "two Mac Studios M3 Ultra 512GB, can I run full R1?": Q8_0 (unsloth's 15 parts) over both with llama.cpp RPC;
    # no MLX repo of R1 at 8 bits in the catalog for exo
    ("deepseek-r1", "2x M3 Ultra 512GB", {Engine.LLAMA_CPP}, {(Engine.EXO, Refusal.NO_MLX_REPO)}),
    # two DGX Sparks over their ConnectX-7 link: Qwen3-235B Q8_0 (250 GB) does not fit one 128 GB box
    ("qwen3-235b-a22b", "2x DGX Spark", {Engine.LLAMA_CPP}, set()),
    ("qwen3-235b-a22b", "3x dgx spark", {Engine.LLAMA_CPP}, set()),
    # the 2507 release's 4-bit MLX repo (142 GB) over two 128 GB Macs with exo, its Q4_K_M GGUF with llama.cpp RPC
    (
        "qwen3-235b-a22b-instruct-2507",
        "exo cluster: 2x macbook pro m4 max 128gb",
        {Engine.LLAMA_CPP, Engine.EXO},
        set(),
    ),
    ("llama-3.3-70b", "4 mac minis", {Engine.LLAMA_CPP, Engine.EXO}, {(Engine.OLLAMA, Refusal.CLUSTER)}),
    ("llama-3.3-70b", "3 pcs each with a 3090, llama.cpp rpc", {Engine.LLAMA_CPP}, {(Engine.OLLAMA, Refusal.CLUSTER)}),
    # different machines: each holds what its own card can
    ("llama-3.3-70b", "4090 pc + 3090 pc over rpc", {Engine.LLAMA_CPP}, set()),
]


@pytest.mark.parametrize(
    ("model", "hardware", "engines", "refused"), CLUSTERS, ids=[f"{c[0]}@{c[1]}" for c in CLUSTERS]
)
def test_cluster_plans_start_and_fit_every_machine(
    real: Catalog, model: str, hardware: str, engines: set[Engine], refused: set[tuple[Engine, Refusal]]
) -> None:
    rig, options = _reading(real, model, hardware)
    split = [o for o in options if o.placement.nodes > 1]
    assert split, f"{model} on {hardware}: no option is split across machines"
    plans: list[ServePlan] = [p for o in split for p in o.serve.plans if p.nodes > 1]
    assert engines <= {p.engine for p in plans}, f"{model} on {hardware}: plans for { ({p.engine for p in plans}) }"
    reasons = {(r.engine, r.reason) for o in split for r in o.serve.refused}
    assert refused <= reasons, f"{model} on {hardware}: refused {reasons}"
    limits = [_machine_limit(m) for m in rig.node_rigs]
    for plan in plans:
        command = serve_command(plan)
        assert flags.check_command(command) == [], command
        if plan.engine in (Engine.VLLM, Engine.SGLANG):  # sized per GPU (tests/test_serve.py)
            continue
        assert len(plan.node_bytes) == plan.nodes == len(limits)
        for held, limit in zip(plan.node_bytes, limits, strict=True):
            assert 0 < held <= limit, f"{plan.engine}: {held} bytes on a machine that holds {limit}"


@pytest.mark.parametrize("hardware", ["4 mac minis", "3x dgx spark", "3 pcs each with a 3090, llama.cpp rpc"])
def test_rpc_reads_every_other_machines_address(real: Catalog, hardware: str) -> None:
    """`--rpc` lists machines 2..n as shell variables the card says to set, unquoted so the shell expands them."""
    model = "qwen3-235b-a22b" if "spark" in hardware else "llama-3.3-70b"
    _, options = _reading(real, model, hardware)
    plan = next(p for o in options if o.placement.nodes > 1 for p in o.serve.plans if p.engine == Engine.LLAMA_CPP)
    command = serve_command(plan)
    hosts = ",".join(f"$NODE{n}_IP:50052" for n in range(2, plan.nodes + 1))
    assert f"--rpc {hosts}" in command
    assert "rpc-server -H 0.0.0.0 -p 50052" in command
    assert " -ts " not in command  # llama.cpp splits by each device's memory; a -ts list would need its device order
    assert all(f"NODE{n}_IP" in command.split("llama-server")[0] for n in range(2, plan.nodes + 1))  # said first


def test_exo_is_for_macs_only(real: Catalog) -> None:
    """exo runs MLX on Apple silicon; a cluster with a Linux PC gets llama.cpp RPC, never an exo command."""
    _, options = _reading(real, "llama-3.3-70b", "4090 pc + 3090 pc over rpc")
    assert all(p.engine != Engine.EXO for o in options for p in o.serve.plans)


def test_a_quant_from_a_repo_listing(real: Catalog) -> None:
    """Llama 3.3 70B Q4_K_M on 2x 3090: the catalog's size comes from a benchmark, the repo from bartowski's
    listing, so both llama.cpp and Ollama get a command; Ollama pulls the library's own tag of that quant."""
    q4 = fit(real.models["llama-3.3-70b"], parse_hardware("2x RTX 3090", real)).readings[0].best_option
    assert q4 is not None and q4.quant == "Q4_K_M"
    served = {p.engine: serve_command(p) for p in q4.serve.plans}
    assert "-hf bartowski/Llama-3.3-70B-Instruct-GGUF:Q4_K_M" in served[Engine.LLAMA_CPP]
    assert "ollama run llama3.3:70b-instruct-q4_K_M" in served[Engine.OLLAMA]


UNPUBLISHED = [
    ("llama-3.3-70b", "M4 Max 128GB", "Q5_K_M", "bartowski/Llama-3.3-70B-Instruct-GGUF"),
    ("glm-5.2", "8x H100", "Q6_K", "unsloth/GLM-5.2-GGUF"),
    ("glm-5.2", "M3 Ultra 512GB", "Q5_K_M", "unsloth/GLM-5.2-GGUF"),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "repo"), UNPUBLISHED)
def test_an_unpublished_quant_is_made_from_the_16_bit_gguf(
    real: Catalog, model: str, hardware: str, quant: str, repo: str
) -> None:
    """No repo lists the model at this quant but one publishes its 16-bit GGUF (bartowski's F16 of Llama 3.3 70B,
    unsloth's BF16 of GLM-5.2): download it, llama-quantize it, serve the file made; every file a step reads is one
    an earlier step wrote."""
    _, options = _reading(real, model, hardware)
    option = next(o for o in options if o.quant == quant)
    plan = option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None and plan.converted_to == quant and plan.weights_basis == "estimated"
    command = serve_command(plan)
    assert flags.check_command(command) == [], command
    lines = [shlex.split(line) for line in command.splitlines() if not line.startswith("#")]
    download, quantize, server = lines
    assert download[:3] == ["hf", "download", repo]
    folder = download[download.index("--local-dir") + 1]
    pattern = download[download.index("--include") + 1]
    source, made, kind = quantize[1:]
    assert source.startswith(folder + "/") and fnmatch.fnmatch(source.removeprefix(folder + "/"), pattern)
    assert kind == quant and server[server.index("-m") + 1] == made


@pytest.mark.parametrize(
    ("model", "hardware", "quant"),
    [("llama-3.3-70b", "2x RTX 3090", "IQ1_S"), ("glm-5.2", "8x H100", "IQ2_XXS"), ("glm-5.2", "8x H100", "IQ1_M")],
)
def test_quants_that_need_an_importance_matrix_are_refused(
    real: Catalog, model: str, hardware: str, quant: str
) -> None:
    """Made from the 16-bit GGUF these need an importance matrix (bartowski's own IQ2_XXS of Llama 3.3 70B is
    published, so it is downloaded, not made)."""
    _, options = _reading(real, model, hardware)
    option = next(o for o in options if o.quant == quant)
    assert option.serve.plan(Engine.LLAMA_CPP) is None
    assert (Engine.LLAMA_CPP, Refusal.NEEDS_IMATRIX) in {(r.engine, r.reason) for r in option.serve.refused}


def test_no_listing_and_no_16_bit_gguf_is_still_refused(real: Catalog) -> None:
    """Qwen3-235B: unsloth lists Q4_K_M and Q8_0 but the catalog names no F16/BF16 file, so Q6_K has no route."""
    _, options = _reading(real, "qwen3-235b-a22b", "3x dgx spark")
    q6 = next(o for o in options if o.quant == "Q6_K")
    assert (Engine.LLAMA_CPP, Refusal.NO_GGUF_REPO) in {(r.engine, r.reason) for r in q6.serve.refused}


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("rpc-server -H 0.0.0.0 -p 50052", True),
        ("rpc-server --host 0.0.0.0 --port 50052 -c", True),
        ("rpc-server -H 0.0.0.0 --rpc 10.0.0.2:50052", False),  # --rpc belongs to the main host
        ("llama-server -hf a/b:Q4_K_M -ngl 99 --rpc $NODE2_IP:50052,$NODE3_IP:50052", True),
        ("llama-server -hf a/b:Q4_K_M --rpc 192.168.88.10:50052,192.168.88.11:50052", True),
        ("llama-server -hf a/b:Q4_K_M --rpc <host1>:50052", False),  # a placeholder
        ("llama-server -hf a/b:Q4_K_M --rpc $NODE2_IP", False),  # no port
        ("hf download bartowski/Llama-3.3-70B-Instruct-GGUF --include 'x-f16/*' --local-dir x", True),
        ("huggingface-cli download a/b --include '*F16*'", False),  # the older name: not in the tables
        ("llama-quantize in/model-f16.gguf model-Q4_K_M.gguf Q4_K_M", True),
        ("llama-quantize in.gguf out.gguf Q4_K_XL", False),  # an Unsloth name, not a llama-quantize type
        ("llama-quantize in.gguf Q4_K_M", False),  # the table asks input, output and type
        ("uv run exo", True),
        ("uv run exo --api-port 52415 --no-worker", True),
        ("uv run exo --model mlx-community/x-4bit", False),  # exo takes the model through its API
        (
            "curl -X POST http://localhost:52415/place_instance -H 'Content-Type: application/json' "
            """-d '{"model_id":"mlx-community/x-4bit","min_nodes":2}'""",
            True,
        ),
        ("curl -X POST http://localhost:52415/place_instance -d 'model_id=x'", False),  # not JSON
    ],
)
def test_cluster_flag_tables_accept_and_reject(line: str, ok: bool) -> None:
    assert (flags.check_line(line) == []) is ok, flags.check_line(line)
