"""A card llama.cpp runs on Vulkan without an FP16 figure still gets a prefill rate, derived from its shaders as a
card with a figure is counted: packed FP16 where the generation has it (GCN 5, RDNA 1-2), FP32 FMAs before (GCN 1-4);
a card with a figure keeps it."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.kernels import MatrixPath, MatrixSpec, matrix_rate
from engine.parse import parse_hardware

# (card as typed, path on Vulkan, TOPS at the boost clock, derived?)
VULKAN = [
    ("RX 580 8GB", MatrixPath.VULKAN_FP32, 2304 * 1.340 * 2 / 1e3, True),  # GCN 4: FP32 FMAs
    ("R9 390", MatrixPath.VULKAN_FP32, 2560 * 1.000 * 2 / 1e3, True),  # GCN 2
    ("RX 5700 XT", MatrixPath.VULKAN_FP16, 2560 * 1.905 * 4 / 1e3, True),  # RDNA 1: packed FP16
    ("RX 6600", MatrixPath.VULKAN_FP16, 1792 * 2.491 * 4 / 1e3, True),  # RDNA 2
    ("7900 XTX", MatrixPath.VULKAN_COOPMAT, 122.8, False),  # a published figure wins
]


@pytest.mark.parametrize(("hardware", "path", "tops", "derived"), VULKAN)
def test_a_vulkan_card_without_a_figure_gets_its_shaders_rate(
    real_catalog: Catalog, hardware: str, path: MatrixPath, tops: float, derived: bool
) -> None:
    gpu = parse_hardware(hardware, real_catalog)[0].rig.gpus[0]
    assert gpu.matrix_spec is not None
    rate = matrix_rate(gpu.matrix_spec.model_copy(update={"backend": "vulkan"}))
    assert rate is not None
    assert rate.path is path
    assert rate.tops == pytest.approx(tops, rel=0.01)
    assert (rate.basis == "derived") is derived


def test_a_card_with_no_shader_counts_still_has_no_rate() -> None:
    assert matrix_rate(MatrixSpec(name="unknown card", backend="vulkan")) is None
