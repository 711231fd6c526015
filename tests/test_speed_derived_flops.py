"""Prefill on a device whose FP16 figure is derived from its specifications is estimated, and says it is derived."""

from __future__ import annotations

import pytest

from bot import wording
from catalog.catalog import Catalog
from engine import memory, speed
from engine.parse import parse_hardware, parse_model
from engine.placement import place
from engine.speed import CaveatKind

# (the rig as people write it, the devices whose prefill figure is derived; None: no prefill figure at all)
RIGS = [
    ("RX 9070 XT", ["AMD Radeon RX 9070 XT"]),
    ("my DGX Spark", ["NVIDIA DGX Spark (GB10) 128GB"]),
    ("M5 Max 128GB", ["Apple M5 Max (40-core GPU) 128GB"]),
    ("2x RTX PRO 4000", ["NVIDIA RTX PRO 4000 Blackwell"]),  # one line for the pair
    ("Titan RTX", ["NVIDIA TITAN RTX"]),  # the TechPowerUp row's tensor cores and clock
    ("3090 + 9070 XT", ["AMD Radeon RX 9070 XT"]),  # only the card whose figure is derived
    ("RTX 4090", []),
    ("rtx 4090 with 64gb ddr5", []),
    ("M4 Max 36GB", []),
    ("Tesla P40", ["NVIDIA Tesla P40 24GB"]),  # no tensor cores: llama.cpp's dp4a rate from shaders x clock
    ("Jetson AGX Orin 64GB", ["NVIDIA Jetson AGX Orin 64GB"]),  # 16 SMs x 1.3 GHz at compute capability 8.7
]


@pytest.mark.parametrize(("hardware", "derived"), RIGS)
def test_prefill_says_when_its_compute_figure_is_derived(
    real_catalog: Catalog, hardware: str, derived: list[str] | None
) -> None:
    model = parse_model("qwen3-8b", real_catalog)
    rig = parse_hardware(hardware, real_catalog)[0].rig
    weights = memory.weights_estimate(model, "Q4_K_M")
    assert weights is not None
    placement = place(model, rig, weights.n_bytes, memory.kv_cache_bytes(model, 4096))
    prefill, caveats = speed.prefill_range(model, placement, 512)
    flagged = [c.device for c in caveats if c.kind is CaveatKind.PREFILL_FROM_DERIVED_FLOPS]
    if derived is None:
        assert prefill is None and not flagged
        return
    assert prefill is not None and prefill.low > 0
    assert flagged == derived
    for c in caveats:
        if c.kind is CaveatKind.PREFILL_FROM_DERIVED_FLOPS:
            words = wording.caveat(c)
            assert words.startswith("prefill from the rate of the kernels llama.cpp runs on") and "derived" in words
            assert str(c.device) in words
