"""Decode pays a fixed time per layer on top of its bytes: small dense and sparse MoE models on fast GPUs are no
longer shown at a fraction of what llama-bench measures."""

from __future__ import annotations

import pytest

from calibrate.fit import engine_range, fit, layer_cost
from calibrate.runs import Run
from catalog.catalog import Catalog
from engine import memory, speed
from tests.fixtures import placed


def _runs(cat: Catalog, factor: float, layer_s: float, sources: int = 24) -> list[Run]:
    """24 runs of models of different depth and size whose time per token is factor x bytes time + layer_s x
    layers, spread over `sources` publications."""
    out = []
    for i, model_id in enumerate(["llama-3.1-8b", "gemma-3-27b"] * 12):
        model = cat.models[model_id]
        bytes_s = (1 + i) * 0.5e-3  # 0.5 to 12 ms of bytes per token
        measured = 1 / (factor * bytes_s + layer_s * model.layers)
        source = f"s{i % sources}"
        out.append(Run(str(i), f"gpu{i}", "gpu", "cuda", model, "decode", measured, 1 / bytes_s, source))
    return out


@pytest.mark.parametrize(("factor", "layer_s"), [(1.25, 60e-6), (1.1, 150e-6), (1.6, 20e-6)])
def test_layer_cost_recovers_bytes_factor_and_seconds_per_layer(cat: Catalog, factor: float, layer_s: float) -> None:
    a, t = layer_cost(_runs(cat, factor, layer_s))
    assert a == pytest.approx(factor, rel=1e-3) and t == pytest.approx(layer_s, rel=1e-3)


def test_no_layer_cost_when_the_runs_cannot_tell_it_from_bandwidth(cat: Catalog) -> None:
    # one model at one size on 24 cards: layers per byte never change, so a fixed cost is not identifiable
    model = cat.models["llama-3.1-8b"]
    runs = [Run(str(i), f"g{i}", "gpu", "cuda", model, "decode", 50.0 + i, 100.0, f"s{i}") for i in range(24)]
    assert fit(runs).layer_cost == {}
    assert fit(_runs(cat, 1.2, 50e-6)[:12]).layer_cost == {}  # too few runs
    assert fit(_runs(cat, 1.2, 50e-6, sources=2)).layer_cost == {}  # one benchmark's quirk is not a backend's cost


def test_fitted_runs_lie_on_the_fitted_cost(cat: Catalog) -> None:
    runs = _runs(cat, 1.25, 60e-6)
    fitted = fit(runs)
    assert fitted.layer_cost[("decode", "gpu", "cuda", "dense")] == pytest.approx((1.25, 60e-6), rel=1e-3)
    for r in runs:
        low, typical, high = engine_range(r, fitted)
        assert typical == pytest.approx(r.measured_tps, rel=1e-2) and low <= typical <= high


@pytest.mark.parametrize(
    ("model_id", "quant", "hardware", "measured_tps", "source"),
    [
        # llama-bench tg128, build of PR #16834's description (am17an, 2025-10-29)
        ("qwen3-30b-a3b", "Q4_0", "RTX 4090", 161.55, "github:ggml-org/llama.cpp PR #16834"),
        # llama.cpp CUDA scoreboard, Llama-2-7B Q4_0 tg128
        ("llama-2-7b", "Q4_0", "RTX 4090", 186.21, "github discussion ggml-org/llama.cpp#15013"),
    ],
)
def test_small_and_moe_models_on_a_fast_gpu_are_not_under_predicted(
    real_catalog: Catalog, model_id: str, quant: str, hardware: str, measured_tps: float, source: str
) -> None:
    model, _, placement = placed(real_catalog, model_id, quant, hardware)
    decode, _ = speed.decode_range(model, placement, memory.kv_cache_bytes(model, 64))
    assert decode is not None and decode.typical is not None
    assert decode.low <= measured_tps <= decode.high, source
    assert 0.8 < decode.typical / measured_tps < 1.25, source
