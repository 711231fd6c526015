"""Catalog devices that had no prefill rate ('prefill unknown') now carry a dense FP16 matrix figure: published by the
vendor (or TechPowerUp), or derived from sourced core counts and clocks by a rule the catalog already uses; each
within 1% of the figure its source gives or its arithmetic makes."""

from __future__ import annotations

import pytest

from catalog.loader import load
from catalog.types import Gpu, Unified
from engine.kernels import MatrixSpec, matrix_rate

# (catalog id, basis, the sourced or derived dense FP16 TFLOPS the entry's comment and source give)
FIGURES = [
    # Jetson Orin (Ampere GA10B, CC 8.7): SMs x clock x 2048 FLOPs (an A100 SM's rate, round 2 session 13; 1024
    # before), as the AGX Orin 64 GB entry
    ("nvidia-jetson-agx-orin-32gb", "derived", 14 * 930 * 2048 / 1e6),
    ("nvidia-jetson-orin-nano-8gb-super", "derived", 8 * 1020 * 2048 / 1e6),
    # Jetson AGX Thor (T5000): 2070 FP4 TFLOPS with sparsity / 8, as the DGX Spark entry
    ("jetson-agx-thor", "derived", 2070 / 8),
    # RDNA 4 (catalog/gpudb.py's rule): shader units x boost clock x 16 FLOPs
    ("rx-9060-xt-16gb", "derived", 2048 * 3130 * 16 / 1e6),
    ("radeon-ai-pro-r9700s", "derived", 4096 * 2920 * 16 / 1e6),
    # Strix Halo 385's Radeon 8050S: the 8060S's rule (59.4 = 2560 x 2900 MHz x 8) on 2048 shaders at 2800 MHz
    ("amd-ryzen-ai-max-385-radeon-8050s", "derived", 2048 * 2800 * 8 / 1e6),
    # published dense FP16/BF16 tensor figures
    ("b300", "published", 2250.0),
    ("gh200", "published", 989.0),
    ("tpu-h800-sxm5", "published", 989.0),
    ("tpu-h800-pcie-80-gb", "published", 756.0),
    ("tpu-radeon-instinct-mi250", "published", 362.1),
    ("tpu-radeon-instinct-mi250x", "published", 383.0),
    ("tpu-radeon-instinct-mi200", "published", 181.0),
    ("tpu-radeon-instinct-mi300a", "published", 980.6),
    ("tpu-h200-nvl", "published", 836.0),
    # H100 SXM5 rows with other memory: the H100 SXM5 80 GB's 989 for the same 132 SMs at the same clocks
    ("tpu-h100-sxm5-64-gb", "derived", 989.0),
    ("tpu-h100-sxm5-94-gb", "derived", 989.0),
    ("tpu-h100-sxm5-96-gb", "derived", 989.0),
    # MI350X: the MI355X's 1024 matrix cores x 1024 FLOPs a clock at its own 2.2 GHz
    ("mi350x", "derived", 1024 * 1024 * 2200 / 1e6),
]


def _entry(device_id: str) -> Gpu | Unified:
    entry = load().hardware[device_id]
    assert isinstance(entry, Gpu | Unified), f"{device_id} is a {type(entry).__name__}, not a GPU or unified machine"
    return entry


@pytest.mark.parametrize(("device_id", "basis", "tflops"), FIGURES)
def test_figure_is_the_sourced_one(device_id: str, basis: str, tflops: float) -> None:
    entry = _entry(device_id)
    assert entry.fp16_tflops is not None, f"{device_id} has no fp16_tflops"
    assert entry.fp16_tflops == pytest.approx(tflops, rel=0.01), f"{device_id}: {entry.fp16_tflops} vs {tflops}"
    assert entry.fp16_tflops_basis == basis, f"{device_id}: basis {entry.fp16_tflops_basis}, expected {basis}"


@pytest.mark.parametrize(("device_id", "basis", "tflops"), FIGURES)
def test_device_has_a_prefill_rate(device_id: str, basis: str, tflops: float) -> None:
    entry = _entry(device_id)
    rate = matrix_rate(MatrixSpec.of(entry))
    assert rate is not None, f"{device_id}: no prefill rate"
    assert rate.basis == basis, f"{device_id}: rate basis {rate.basis}, expected {basis}"
    # the rate is the figure or a fixed multiple of it (MMQ's int8 rate, the sustained-clock share), never none
    assert rate.attention_tops > 0, f"{device_id}: attention rate {rate.attention_tops}"
