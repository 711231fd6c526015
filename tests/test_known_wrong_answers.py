"""Known wrong answers from session 10's closing note, as questions people ask (round 2, session 11):

- a Kepler card (compute capability 3.x: Tesla K80) gets no CUDA command: llama.cpp's Vulkan build, Ollama refused;
  Maxwell and Pascal keep llama.cpp's CUDA build and are refused by vLLM (7.5);
- system RAM on two sockets: llama.cpp's --numa distribute, and the card says the speed reads one pooled bandwidth;
- NVIDIA with AMD or Intel cards in one llama-server: the Vulkan build, without a -ts list in CUDA's device order;
- a vision-language name read as its language model says so, not "a fine-tune or merge".
"""

from __future__ import annotations

import pytest

from bot import cards, wording
from catalog.catalog import Catalog
from engine import speed
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware, parse_model
from engine.serve import Engine, Refusal, ServePlan
from engine.speed import CaveatKind
from tests.fixtures import assert_pick, placed


def _option(catalog: Catalog, model: str, hardware: str):  # type: ignore[no-untyped-def]
    report = fit(parse_model(model, catalog), parse_hardware(hardware, catalog)[:1], FitOptions())
    option = report.readings[0].best_option
    assert option is not None
    return option


def _llama_plan(option) -> ServePlan:  # type: ignore[no-untyped-def]
    plan = option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None
    return plan


# (model, rig as typed, the build llama.cpp's command asks for: None for the usual one, "vendors"/"capability" for
# Vulkan, "cuda-12" for a CUDA 12 toolkit's; whether Ollama is refused for the card's compute capability)
BUILDS = [
    ("llama 3.1 8b", "tesla k80", "capability", True),  # Kepler 3.7
    ("qwen3 8b", "2x tesla k80", "capability", True),
    (
        "llama 3.1 8b",
        "tesla p40",
        "cuda-12",
        False,
    ),  # Pascal 6.1: CUDA 13 dropped it, llama.cpp's CUDA 12 build runs it
    ("llama 3.1 8b", "gtx 1080 ti", "cuda-12", False),
    ("llama 3.1 8b", "tesla m40", "cuda-12", False),  # Maxwell 5.2
    ("llama 3.1 8b", "titan v", "cuda-12", False),  # Volta 7.0
    ("llama 3.1 8b", "rtx 2080 ti", None, False),  # Turing 7.5: every current toolkit
    ("llama 3.1 8b", "rtx 3090", None, False),
    ("llama 3.3 70b", "rtx 3090 + rx 7900 xtx + 64gb ddr5", "vendors", False),  # Ollama refuses the mix itself
    ("qwen3 30b a3b", "rtx 3060 12gb + arc a770", "vendors", False),
    ("llama 3.3 70b", "2x rtx 3090", None, False),
    # AMD GCN before Vega (Polaris RX 470-590, Hawaii R9 390): ROCm dropped them, llama.cpp runs its Vulkan build and
    # Ollama's ROCm build refuses the card (by its gfx target, not a compute capability)
    ("llama 3.1 8b", "rx 580 8gb", "rocm", False),
    ("qwen3 8b", "2x rx 570 8gb", "rocm", False),
    ("llama 3.1 8b", "r9 390 8gb", "rocm", False),
    ("llama 3.1 8b", "rx 6800 xt", None, False),  # RDNA 2: ROCm's HIP build runs it
    ("llama 3.1 8b", "radeon vii", None, False),  # GCN 5.1 (gfx906)
]


@pytest.mark.parametrize(("model", "hardware", "build", "ollama_capability"), BUILDS)
def test_llama_cpp_runs_each_card_from_a_build_that_targets_it(
    real_catalog: Catalog, model: str, hardware: str, build: str | None, ollama_capability: bool
) -> None:
    option = _option(real_catalog, model, hardware)
    plan = _llama_plan(option)
    assert (plan.build.why if plan.build else None) == build
    command = cards.serve_command(plan)
    vulkan = build in ("vendors", "capability", "rocm")
    assert ("-DGGML_VULKAN=ON" in command) == vulkan
    assert ("CUDA 12 toolkit" in command) == (build == "cuda-12")
    assert all((p.backend == "vulkan") == vulkan for p in option.placement.pools if p.kind == "gpu")
    assert (CaveatKind.VULKAN_BUILD in {c.kind for c in option.caveats}) == vulkan
    assert build != "vendors" or "-ts " not in command  # Vulkan numbers the cards in its own order
    refused = {r.engine: r for r in option.serve.refused}
    ollama = refused.get(Engine.OLLAMA)
    assert (ollama is not None and ollama.reason == Refusal.COMPUTE_CAPABILITY) == ollama_capability
    assert (ollama is not None and ollama.reason == Refusal.ROCM_TARGET) == (build == "rocm")
    assert option.prefill_tps is not None  # the Vulkan build's kernels have a rate: derived from the card's shaders


# vLLM's CUDA floor (7.5) refuses Kepler, Maxwell and Pascal with the card's capability.
VLLM_FLOOR = [("tesla k80", "3.7"), ("tesla m40", "5.2"), ("tesla p40", "6.1"), ("gtx 1080 ti", "6.1")]


@pytest.mark.parametrize(("hardware", "capability"), VLLM_FLOOR)
def test_vllm_refuses_cards_below_its_cuda_floor(real_catalog: Catalog, hardware: str, capability: str) -> None:
    option = _option(real_catalog, "llama 3.1 8b", hardware)
    vllm = next(r for r in option.serve.refused if r.engine == Engine.VLLM)
    assert (vllm.reason, vllm.compute_capability, vllm.needed_capability) == (
        Refusal.COMPUTE_CAPABILITY,
        capability,
        "7.5",
    )


# (rig as typed, sockets, whether llama.cpp's command carries --numa distribute)
SOCKETS = [
    ("2x epyc 9654 + 768gb ddr5", 2, True),
    ("dual xeon gold 6138 + 384gb ddr4", 2, True),
    ("epyc 9654 384gb", 1, False),
    ("ryzen 9 7950x 192gb", 1, False),
]


@pytest.mark.parametrize(("hardware", "sockets", "numa"), SOCKETS)
def test_two_sockets_get_numa_distribute_and_say_the_bandwidth_is_pooled(
    real_catalog: Catalog, hardware: str, sockets: int, numa: bool
) -> None:
    option = _option(real_catalog, "llama 3.3 70b", hardware)
    command = cards.serve_command(_llama_plan(option))
    assert ("--numa distribute" in command) == numa
    assert ("--no-mmap" in command) == (not numa)  # a CPU-only placement; mapped where the sockets page it in
    said = [c for c in option.caveats if c.kind is CaveatKind.NUMA_SOCKETS]
    assert [c.sockets for c in said] == ([sockets] if numa else [])


def test_the_published_dual_socket_runs_fall_in_the_range(real_catalog: Catalog) -> None:
    """llama.cpp issue #11744: a dual EPYC 9175F (16 x DDR5-6400) decoded Llama-3.1-70B F16 at 2.4 tok/s as run and
    4.31 with --numa distribute and the page cache filled by a generation run."""
    model, _, placement = placed(real_catalog, "llama-3.1-70b", "F16", "2x epyc 9175f + 512gb ddr5-6400 16 channels")
    decode, _ = speed.decode_range(model, placement, 0)
    assert decode is not None
    assert decode.low <= 2.4 and decode.high >= 4.31


# (name as typed, the catalog model it reads as, how: "own" the catalog's entry of that very model, "vision" a
# vision-language model sized as a catalog text model's language part, "fine-tune" a release on the model's weights)
VISION = [
    ("qwen3 vl 8b", "qwen3-vl-8b", "own"),
    ("qwen3-vl:8b", "qwen3-vl-8b", "own"),
    ("Qwen/Qwen3-VL-8B-Instruct", "qwen3-vl-8b", "own"),
    ("qwen3-vl:8b-thinking", "qwen3-vl-8b", "fine-tune"),  # the Thinking release: Qwen3-VL-8B's network, other weights
    ("Qwen/Qwen3-VL-32B-Instruct", "qwen3-32b", "vision"),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "qwen2.5-7b", "vision"),
    ("NousResearch/Hermes-3-Llama-3.1-70B", "llama-3.1-70b", "fine-tune"),
]


@pytest.mark.parametrize(("name", "model_id", "how"), VISION)
def test_a_vision_language_name_is_its_own_model_or_says_what_it_is_sized_as(
    real_catalog: Catalog, name: str, model_id: str, how: str
) -> None:
    m = parse_model(name, real_catalog)
    assert m.id == model_id
    assert (m.asked_as is None) == (how == "own")
    if how != "own":
        basis = wording.base_model_basis(m)
        assert ("vision-language" in basis) == (how == "vision")
        assert ("fine-tune or merge" in basis) == (how == "fine-tune")


def test_qwen3_vl_8b_runs_its_own_gguf_at_its_own_context(real_catalog: Catalog) -> None:
    """ "qwen3 vl 8b on a 3060 12gb?": Qwen's own Q4_K_M GGUF (llama-server -hf fetches its mmproj beside it), with
    the 256K the VL model reads (Qwen3-8B reads 32K)."""
    assert_pick(real_catalog, "qwen3 vl 8b", "rtx 3060 12gb", None, {"Q4_K_M"}, "Qwen/Qwen3-VL-8B-Instruct-GGUF:Q4_K_M")
    assert parse_model("qwen3 vl 8b", real_catalog).context_max_tokens == 262_144


# (name as typed, whether the refusal points at the vision-language model's own file and mmproj)
VISION_REFUSED = [
    ("Qwen/Qwen3-VL-32B-Instruct", True),
    ("qwen2.5 vl 72b", True),
    ("qwen3-vl:8b-thinking", False),  # read as Qwen3-VL-8B: its files hold the vision encoder already
    ("NousResearch/Hermes-3-Llama-3.1-70B", False),
]


@pytest.mark.parametrize(("name", "vision"), VISION_REFUSED)
def test_a_vision_language_name_is_pointed_at_its_own_file_and_mmproj(
    real_catalog: Catalog, name: str, vision: bool
) -> None:
    option = _option(real_catalog, name, "2x rtx 3090")
    llama = next(r for r in option.serve.refused if r.engine == Engine.LLAMA_CPP)
    assert llama.reason == Refusal.BASE_FILES
    assert llama.vision_language == vision
    assert ("mmproj" in wording.refused(llama)) == vision
