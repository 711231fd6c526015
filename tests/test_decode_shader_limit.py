"""A card on CUDA, Vulkan or SYCL decodes at its bandwidth limited by how fast its shaders take weights in
(engine/speed.py DECODE_BYTES_PER_LANE_CLOCK): a data-centre card with HBM reads a smaller share of its bandwidth than
a GeForce card, the engine and the fit see the same effective bandwidth, and ROCm and Metal keep theirs."""

from __future__ import annotations

import pytest

from calibrate.runs import load_runs
from catalog.catalog import Catalog
from catalog.types import Gpu, Unified
from engine import speed
from engine.kernels import MatrixSpec
from tests.fixtures import placed


def _effective(real_catalog: Catalog, device_id: str, backend: str | None = None) -> tuple[float, float]:
    entry = real_catalog.hardware[device_id]
    assert isinstance(entry, Gpu | Unified)
    assert entry.bandwidth_gb_s is not None
    spec = MatrixSpec.of(entry, backend) if backend else MatrixSpec.of(entry)
    return entry.bandwidth_gb_s, speed.decode_bandwidth_gb_s(entry.bandwidth_gb_s, spec)


@pytest.mark.parametrize(
    ("device_id", "low_share", "high_share"),
    [
        ("a100-80gb-sxm", 0.35, 0.5),  # HBM2e on 6,912 lanes at 1.41 GHz
        ("h100-sxm", 0.5, 0.7),
        ("rtx-3090", 0.65, 0.85),
        ("rtx-4090", 0.8, 0.95),  # 16,384 lanes at 2.52 GHz
        ("dgx-spark", 0.8, 0.95),  # GB10: 6,144 lanes, 273 GB/s
    ],
)
def test_a_cuda_card_reads_a_share_of_its_bandwidth_its_shaders_allow(
    real_catalog: Catalog, device_id: str, low_share: float, high_share: float
) -> None:
    bandwidth, effective = _effective(real_catalog, device_id)
    assert low_share * bandwidth < effective < high_share * bandwidth


@pytest.mark.parametrize(
    ("device_id", "backend", "low_share", "high_share"),
    [
        ("arc-b580", "sycl", 0.5, 0.7),  # 2,560 lanes at 2.67 GHz for 456 GB/s
        ("arc-b580", "vulkan", 0.5, 0.7),  # the same shaders under either backend
        ("arc-a770", "sycl", 0.55, 0.75),
        ("rtx-3060-12gb", "vulkan", 0.55, 0.75),  # a GeForce on Vulkan: 3,584 lanes at 1.78 GHz for 360 GB/s
        ("rx-9070-xt", "vulkan", 0.55, 0.75),  # 4,096 lanes at 2.97 GHz for 640 GB/s
    ],
)
def test_a_vulkan_or_sycl_card_reads_a_share_its_shaders_allow(
    real_catalog: Catalog, device_id: str, backend: str, low_share: float, high_share: float
) -> None:
    bandwidth, effective = _effective(real_catalog, device_id, backend)
    assert low_share * bandwidth < effective < high_share * bandwidth


@pytest.mark.parametrize(
    ("device_id", "backend"),
    [
        ("rx-7900-xtx", None),  # ROCm: its inner folds scored worse with the term
        ("rx-9070-xt", "rocm"),
        ("m3-ultra", None),  # Metal: no shader counts in the catalog
        ("strix-halo-395", None),  # Vulkan, but no shader count or clock for the chip
    ],
)
def test_other_devices_keep_their_bandwidth(real_catalog: Catalog, device_id: str, backend: str | None) -> None:
    bandwidth, effective = _effective(real_catalog, device_id, backend)
    assert effective == bandwidth


def test_a_card_without_shader_figures_keeps_its_bandwidth() -> None:
    spec = MatrixSpec(name="NVIDIA test card", backend="cuda", shading_units=None, boost_clock_mhz=1500)
    assert speed.decode_bandwidth_gb_s(1000.0, spec) == 1000.0
    assert speed.decode_bandwidth_gb_s(1000.0, None) == 1000.0


def test_the_hbm_card_decodes_slower_than_its_bandwidth_alone_says(real_catalog: Catalog) -> None:
    """An A100 has 2.2x an RTX 3090's bandwidth; an 8B model decodes well under 2.2x as fast on it."""
    assert _decode(real_catalog, "a100 80gb sxm") / _decode(real_catalog, "rtx 3090") < 1.6


def _decode(real_catalog: Catalog, phrase: str) -> float:
    model, _rig, placement = placed(real_catalog, "llama-3.1-8b", "Q4_K_M", phrase)
    rate, _ = speed.decode_range(model, placement, 0)
    assert rate is not None
    return rate.typical


def test_the_fit_sees_the_bandwidth_the_engine_uses(real_catalog: Catalog) -> None:
    """One file read on two CUDA cards (llama.cpp's CUDA scoreboard, Llama 2 7B Q4_0): the runs' ideal speeds stand
    in the ratio of the cards' effective bandwidths, not of their nominal ones."""
    runs, _ = load_runs(real_catalog)
    ideal = {
        r.hardware: r.ideal_tps
        for r in runs
        if r.phase == "decode" and r.backend == "cuda" and r.model.id == "llama-2-7b" and r.source.endswith("#15013")
    }
    _, a100 = _effective(real_catalog, "a100-80gb-sxm")
    _, rtx3090 = _effective(real_catalog, "rtx-3090")
    assert ideal["a100-80gb-sxm"] / ideal["rtx-3090"] == pytest.approx(a100 / rtx3090, rel=0.01)
