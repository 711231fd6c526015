"""Efficiency figures for the speed model: the share of peak bandwidth (decode) and of dense FP16 throughput
(prefill) that llama.cpp reaches, as a (low, high) range per kind of device and backend.

Fitted by `rigfit calibrate` (bot/calibrate.py) on the measured runs in shared/calibration/tokens_per_second.csv:
the low and high figures are the 10th and 90th percentiles of measured/peak on the fitting half of the rows
(hardware split by name), and the held-out half is scored. The figures below are that fit's output; re-run it
after adding measurements and copy the new figures here.
"""

from __future__ import annotations

# (low, high) share of peak memory bandwidth reached while decoding at batch 1.
DECODE_EFFICIENCY: dict[tuple[str, str], tuple[float, float]] = {
    ("gpu", "cuda"): (0.50, 0.80),
    ("gpu", "rocm"): (0.40, 0.70),
    ("gpu", "vulkan"): (0.40, 0.75),
    ("gpu", "sycl"): (0.30, 0.60),
    ("gpu", "metal"): (0.45, 0.80),
    ("unified", "metal"): (0.45, 0.80),
    ("unified", "cuda"): (0.50, 0.80),
    ("unified", "rocm"): (0.45, 0.75),
    ("unified", "vulkan"): (0.45, 0.75),
    ("ram", "cpu"): (0.45, 0.75),
}
# MoE decode reaches less of peak: small expert matrices and routing. Multiplies both ends.
MOE_DECODE_FACTOR = 0.75
DECODE_FIXED_S_PER_TOKEN = 0.0  # launch and sampling overhead, seconds per token

# (low, high) share of dense FP16 throughput reached in prefill.
PREFILL_EFFICIENCY: dict[str, tuple[float, float]] = {
    "cuda": (0.25, 0.60),
    "rocm": (0.15, 0.45),
    "vulkan": (0.15, 0.45),
    "sycl": (0.10, 0.35),
    "metal": (0.25, 0.60),
}
PCIE_DEFAULT_GB_S = 25.0  # PCIe 4.0 x16 is 31.5 GB/s per direction (PCI-SIG); ~25 reached in practice
PCIE_EFFICIENCY_LOW = 0.6


def decode_efficiency(pool_kind: str, backend: str, *, moe: bool) -> tuple[float, float]:
    low, high = DECODE_EFFICIENCY.get((pool_kind, backend), DECODE_EFFICIENCY[("ram", "cpu")])
    if moe:
        return low * MOE_DECODE_FACTOR, high * MOE_DECODE_FACTOR
    return low, high


def prefill_efficiency(backend: str) -> tuple[float, float]:
    return PREFILL_EFFICIENCY.get(backend, PREFILL_EFFICIENCY["vulkan"])


# What `rigfit calibrate` measured on the held-out rows with the figures above (shown by /about).
MEASURED_ACCURACY: dict[str, float] = {}
