"""Intel Arc cards decode at a smaller share of their bandwidth than Radeon and GeForce cards on the same backend, on
Vulkan as on SYCL: their decode is fitted and looked up by vendor (calibration.INTEL), not with the other cards of
the backend."""

from __future__ import annotations

import math

import pytest

from calibrate.fit import MAX_HALF_WIDTH_LN, _scaled
from catalog.catalog import Catalog
from engine import calibration, speed
from tests.fixtures import placed


@pytest.mark.parametrize(
    ("backend", "intel_arc", "keyed"),
    [
        ("sycl", True, "intel"),
        ("vulkan", True, "intel"),  # an Arc card on Vulkan: its memory, not the backend's other cards
        ("vulkan", False, "vulkan"),  # a Radeon or GeForce on Vulkan
        ("cuda", False, "cuda"),
        ("rocm", False, "rocm"),
        ("metal", False, "metal"),
        ("cpu", True, "cpu"),  # never a GPU's question
    ],
)
def test_the_backend_a_decode_group_is_keyed_by(backend: str, intel_arc: bool, keyed: str) -> None:
    assert calibration.decode_backend(backend, intel_arc=intel_arc) == keyed


@pytest.mark.parametrize(
    ("phrase", "intel"),
    [
        ("arc a770 16gb", True),  # Xe-HPG on its own backend (SYCL)
        ("intel arc b580", True),  # Xe2-HPG
        ("arc pro b70", True),
        ("rtx 3060 12gb", False),
        ("rx 7900 xtx", False),
    ],
)
def test_an_arc_pool_is_known_as_one(real_catalog: Catalog, phrase: str, intel: bool) -> None:
    _, _, placement = placed(real_catalog, "llama-3.1-8b", "Q4_K_M", phrase)
    assert speed._intel_arc(placement.pools[0]) is intel


@pytest.mark.parametrize(
    ("spread", "scale", "expected"),
    [
        ((0.5, 1.0, 2.0), 2.0, (0.25, 1.0, 4.0)),  # half-widths in ln doubled
        ((0.5, 1.0, 1.0), 3.0, (0.125, 1.0, 1.0)),  # no width above: none made
        ((0.999, 1.0, 1.001), 1e6, (math.exp(-MAX_HALF_WIDTH_LN), 1.0, math.exp(MAX_HALF_WIDTH_LN))),  # bounded
    ],
)
def test_a_scaled_range_stays_finite(spread: tuple, scale: float, expected: tuple) -> None:
    assert _scaled(spread, scale) == pytest.approx(expected)


def test_an_arc_card_decodes_slower_than_a_geforce_of_the_same_bandwidth(real_catalog: Catalog) -> None:
    """Per GB/s of bandwidth, an Arc card decodes slower than a GeForce card."""
    model, _, arc = placed(real_catalog, "llama-3.1-8b", "Q4_K_M", "arc a770 16gb")
    _, _, other = placed(real_catalog, "llama-3.1-8b", "Q4_K_M", "rtx 4060 ti 16gb")
    arc_tps = speed.decode_range(model, arc, 0)[0]
    other_tps = speed.decode_range(model, other, 0)[0]
    arc_bw, other_bw = arc.pools[0].bandwidth_gb_s, other.pools[0].bandwidth_gb_s
    assert arc_tps is not None and other_tps is not None and arc_bw and other_bw
    assert arc_tps.centre / arc_bw < other_tps.centre / other_bw
