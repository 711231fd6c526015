"""Decode reads the KV cache with attention kernels, at a smaller share of the bandwidth than the weights' matrix-vector
kernels: each cache byte costs calibration.KV_READ_COST bytes of weights' time (chosen by the fit's inner folds of
sources). The engine's one-user decode, its llama.cpp tensor-parallel line and its concurrency table, and the fit's
ideal speed for a measured run at depth, all count the cache at that cost; vLLM's line does not."""

from __future__ import annotations

import pytest

from calibrate.runs import load_runs
from catalog.catalog import Catalog
from engine import calibration, memory, speed
from tests.fixtures import placed

# The cost set for these tests, against 1 (a cache byte at a weight byte's time, the value the inner folds chose on
# 2026-12-08): the cache's time must scale with it wherever llama.cpp reads the cache, and not for vLLM.
RAISED = 2.0


def _seconds(real_catalog: Catalog, model_id: str, quant: str, hardware: str, depth: int) -> float:
    model, _rig, placement = placed(real_catalog, model_id, quant, hardware, kv_tokens=depth + 1024)
    rate, _ = speed.decode_range(model, placement, memory.kv_cache_bytes(model, depth))
    assert rate is not None and rate.typical is not None
    return 1 / rate.typical


@pytest.mark.parametrize(
    ("model_id", "quant", "hardware", "depth"),
    [
        ("llama-3.1-8b", "Q4_K_M", "rtx 4090", 32768),
        ("qwen3-30b-a3b", "Q4_K_M", "m3 ultra 256gb", 16384),
        ("gpt-oss-120b", "MXFP4", "strix halo 128gb", 8192),
        ("llama-3.3-70b", "Q4_K_M", "3x rtx 3090", 16384),  # several cards, each its share of the cache
    ],
)
def test_a_cache_byte_costs_the_read_cost_in_weights_time(
    real_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, model_id: str, quant: str, hardware: str, depth: int
) -> None:
    """The time a token's cache adds at depth scales with KV_READ_COST; an empty cache adds none."""
    monkeypatch.setattr(calibration, "KV_READ_COST", RAISED)
    at_cost = _seconds(real_catalog, model_id, quant, hardware, depth) - _seconds(
        real_catalog, model_id, quant, hardware, 0
    )
    monkeypatch.setattr(calibration, "KV_READ_COST", 1.0)
    plain = _seconds(real_catalog, model_id, quant, hardware, depth) - _seconds(
        real_catalog, model_id, quant, hardware, 0
    )
    assert plain > 0
    assert at_cost / plain == pytest.approx(RAISED, rel=0.01)


def test_the_fit_counts_a_runs_cache_at_the_same_cost(real_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same decode runs deep in the context: their ideal speeds fall by the extra cost of their cache reads."""
    monkeypatch.setattr(calibration, "KV_READ_COST", RAISED)
    deep = {r.row_id: r.ideal_tps for r in load_runs(real_catalog)[0] if r.phase == "decode"}
    monkeypatch.setattr(calibration, "KV_READ_COST", 1.0)
    plain = {r.row_id: r.ideal_tps for r in load_runs(real_catalog)[0] if r.phase == "decode"}
    slower = [row for row in deep if deep[row] < plain[row] * 0.99]
    assert len(slower) >= 50  # the depth sweeps
    assert all(deep[row] <= plain[row] for row in deep)


@pytest.mark.parametrize(("engine", "cost"), [("llama.cpp", RAISED), ("vllm", 1.0)])
def test_tensor_parallel_counts_the_cache_at_its_engines_cost(
    real_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, engine: speed.TpEngine, cost: float
) -> None:
    model, _rig, placement = placed(real_catalog, "llama-3.3-70b", "Q4_K_M", "4x rtx 3090", kv_tokens=33000)
    kv = memory.kv_cache_bytes(model, 32768)

    def seconds() -> float:
        tp = speed.tensor_parallel(model, placement, kv, nvlink=False, engine=engine)
        empty = speed.tensor_parallel(model, placement, 0, nvlink=False, engine=engine)
        assert tp is not None and empty is not None and tp.decode_tps.typical and empty.decode_tps.typical
        return 1 / tp.decode_tps.typical - 1 / empty.decode_tps.typical

    monkeypatch.setattr(calibration, "KV_READ_COST", RAISED)
    at_cost = seconds()
    monkeypatch.setattr(calibration, "KV_READ_COST", 1.0)
    assert at_cost / seconds() == pytest.approx(cost, rel=0.01)
