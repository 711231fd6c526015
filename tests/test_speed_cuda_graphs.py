"""llama.cpp runs a CUDA decode step as one CUDA graph only from compute capability 7.0: on Pascal and older cards the
CPU launches every kernel of every layer, a fixed cost per layer the fitted layer costs (measured with graphs) leave
out. Each card of a layer split pays it for its own layers."""

from __future__ import annotations

import pytest

from bot.wording import caveat
from calibrate.fit import engine_range, fit
from calibrate.runs import Run
from catalog.catalog import Catalog
from engine import calibration, memory, speed
from engine.parse import parse_hardware, parse_model
from engine.placement import Placement, place
from engine.units import GIB
from tests.fixtures import placed


@pytest.mark.parametrize(
    ("hardware", "graphs"),
    [
        ("tesla p40", False),  # Pascal, 6.1: the cheap 24 GB card of r/LocalLLaMA builds
        ("2x tesla p100 16gb", False),  # Pascal, 6.0
        ("gtx 1080 ti", False),
        ("tesla m40 24gb", False),  # Maxwell, 5.2
        ("tesla k80", False),  # Kepler, 3.7
        ("v100", True),  # Volta: graphs since llama.cpp PR #25749 lowered the gate from Ampere
        ("rtx 2080 ti", True),  # Turing, 7.5
        ("rtx 3090", True),
        ("mi50 32gb", True),  # ROCm: no CUDA graphs question (its launch cost is in the ROCm layer cost)
    ],
)
def test_which_cards_run_without_cuda_graphs(real_catalog: Catalog, hardware: str, graphs: bool) -> None:
    gpu = parse_hardware(hardware, real_catalog)[0].rig.gpus[0]
    assert calibration.cuda_graphs_run(gpu.backend, gpu.compute_capability) is graphs


def test_a_pascal_card_run_on_vulkan_is_not_a_cuda_graphs_question() -> None:
    assert calibration.cuda_graphs_run("vulkan", "6.1")


def _with_graphs(placement: Placement) -> Placement:
    """The same placement on cards that run CUDA graphs (compute capability 7.0)."""
    pools = tuple(
        p.model_copy(update={"matrix_spec": p.matrix_spec.model_copy(update={"compute_capability": "7.0"})})
        if p.matrix_spec
        else p
        for p in placement.pools
    )
    return placement.model_copy(update={"pools": pools})


@pytest.mark.parametrize(
    ("hardware", "model_id", "quant", "kind"),
    [
        ("tesla p40", "llama-3.1-8b", "Q4_K_M", "dense"),
        ("2x tesla p100 16gb", "qwen3.6-35b-a3b", "Q4_K_M", "moe"),  # a layer split: each card its own layers
        ("2x tesla p40", "qwen2.5-coder-32b", "Q4_K_M", "dense"),
    ],
)
def test_every_layer_pays_the_launches_graphs_would_save(
    real_catalog: Catalog, hardware: str, model_id: str, quant: str, kind: str
) -> None:
    model, rig, placement = placed(real_catalog, model_id, quant, hardware)
    assert len([p for p in placement.pools if p.kind == "gpu"]) == len(rig.gpus)
    kv = memory.kv_cache_bytes(model, 512)
    without, _ = speed.decode_range(model, placement, kv)
    with_graphs, _ = speed.decode_range(model, _with_graphs(placement), kv)
    assert without is not None and with_graphs is not None
    assert without.typical is not None and with_graphs.typical is not None
    launch = calibration.NO_GRAPHS_LAYER_S[kind]
    layers = memory.fixed_cost_layers(model)  # a recurrent mixer launches kernels of its own: a layer again
    assert 1 / without.typical - 1 / with_graphs.typical == pytest.approx(layers * launch.typical)
    assert 1 / without.low - 1 / with_graphs.low == pytest.approx(layers * launch.slow)
    assert 1 / without.high - 1 / with_graphs.high == pytest.approx(layers * launch.fast)


def test_launch_cost_is_the_graphs_off_minus_on_time_of_the_ab_runs() -> None:
    # llama.cpp PR #27721, GTX 1080 llama-bench tg64: OLMoE-1B-7B (16 layers) 150.5 -> 169.5 tok/s is the cheapest
    # MoE per layer, Ling-3.0-tiny (24 layers) 52.7 -> 79.8 the dearest; the dense 9B (32 layers) 28.5 -> 30.1 the
    # cheapest dense
    moe, dense = calibration.NO_GRAPHS_LAYER_S["moe"], calibration.NO_GRAPHS_LAYER_S["dense"]
    assert moe.slow == pytest.approx((1 / 52.7 - 1 / 79.8) / 24)
    assert moe.fast == pytest.approx((1 / 116.2 - 1 / 128.5) / 24)
    assert dense.fast == pytest.approx((1 / 28.5 - 1 / 30.1) / 32)
    assert moe.fast < moe.typical < moe.slow and dense.fast < dense.typical < dense.slow


def _runs(cat: Catalog, factor: float, layer_s: float, *, graphs: bool) -> list[Run]:
    """24 dense runs from 24 sources whose time per token is factor x bytes time + layer_s x layers, plus, outside
    CUDA graphs, the typical launches."""
    launch = 0.0 if graphs else calibration.NO_GRAPHS_LAYER_S["dense"].typical
    out = []
    for i, model_id in enumerate(["llama-3.1-8b", "gemma-3-27b"] * 12):
        model = cat.models[model_id]
        bytes_s = (1 + i) * 0.5e-3
        measured = 1 / (factor * bytes_s + (layer_s + launch) * model.layers)
        run = Run(str(i), f"gpu{i}", "gpu", "cuda", model, "decode", measured, 1 / bytes_s, f"s{i}", cuda_graphs=graphs)
        out.append(run)
    return out


def test_the_fit_sees_runs_without_graphs_less_their_launches(cat: Catalog) -> None:
    """Runs on such cards fit the same bytes factor and layer cost as runs with graphs, and the engine's figure for
    them (the fit plus the launches) lies on what they measured."""
    with_graphs, without = _runs(cat, 1.25, 60e-6, graphs=True), _runs(cat, 1.25, 60e-6, graphs=False)
    assert fit(without).layer_cost == fit(with_graphs).layer_cost
    fitted = fit(without)
    for r in without:
        low, typical, high = engine_range(r, fitted)
        assert typical == pytest.approx(r.measured_tps, rel=1e-2) and low <= typical <= high


@pytest.mark.parametrize(
    ("hardware", "model_id", "weights_gib", "measured_tps", "source"),
    [
        # llama-bench tg128 -sm layer (its default), ngl 99, fa 1; the MoE decode hardly moves with the file size
        ("2x tesla p100 16gb", "qwen3.5-35b-a3b", 20.70, 53.78, "github:kyuz0/nvidia-p100-ai-toolboxes, UD-Q4_K_XL"),
        # inside since a CUDA card's decode counts its shaders' intake (engine/speed.py DECODE_BYTES_PER_LANE_CLOCK);
        # a strict xfail before (56.2 against 52.6 measured)
        ("2x tesla p100 16gb", "gemma-4-26b-a4b", 15.90, 52.58, "github:kyuz0/nvidia-p100-ai-toolboxes, UD-Q4_K_XL"),
        ("3x tesla p100 16gb", "qwen3.6-35b-a3b", 35.80, 54.16, "github:kyuz0/nvidia-p100-ai-toolboxes, UD-Q8_K_XL"),
    ],
)
def test_moe_layer_splits_on_p100s_fall_inside_the_range(
    real_catalog: Catalog, hardware: str, model_id: str, weights_gib: float, measured_tps: float, source: str
) -> None:
    model = parse_model(model_id, real_catalog)
    rig = parse_hardware(hardware, real_catalog)[0].rig
    placement = place(model, rig, int(weights_gib * GIB), memory.kv_cache_bytes(model, 1024))
    assert placement.kind == "multi-gpu"
    decode, _ = speed.decode_range(model, placement, memory.kv_cache_bytes(model, 64))
    assert decode is not None
    assert decode.low <= measured_tps <= decode.high, source


@pytest.mark.parametrize(
    ("hardware", "devices"),
    [
        ("tesla p40", ["NVIDIA Tesla P40 24GB"]),
        ("2x tesla p100 16gb", ["NVIDIA Tesla P100 DGXS"]),  # one caveat for two cards of one kind
        ("rtx 3090", []),
        ("v100", []),
    ],
)
def test_the_card_says_which_cards_run_without_graphs(real_catalog: Catalog, hardware: str, devices: list[str]) -> None:
    model = parse_model("qwen3-30b-a3b", real_catalog)
    rig = parse_hardware(hardware, real_catalog)[0].rig
    placement = place(model, rig, 13 * GIB, memory.kv_cache_bytes(model, 4096))
    _, caveats = speed.decode_range(model, placement, memory.kv_cache_bytes(model, 512))
    named = [c.device for c in caveats if c.kind is speed.CaveatKind.NO_CUDA_GRAPHS]
    assert named == devices
    for c in caveats:
        if c.kind is speed.CaveatKind.NO_CUDA_GRAPHS:
            words = caveat(c)
            assert str(c.device) in words and "without CUDA graphs" in words
