"""Efficiency figures for the speed model: the share of peak bandwidth (decode) and of dense FP16 throughput
(prefill) that llama.cpp reaches, as a (low, high) range per kind of device, backend and model kind.

Fitted by `rigfit calibrate` (bot/calibrate.py) on the measured runs in shared/calibration/tokens_per_second.csv:
low and high are the 10th and 90th percentiles of measured/ideal on the fitting half of the rows (devices split
by a hash of their id, never by result); the held-out half is scored. Groups with no measured rows fall back to
the nearest fitted group (each figure's comment names the group it came from).
"""

from __future__ import annotations

Key = tuple[str, str, str]  # (pool kind: gpu | unified | ram, backend, dense | moe)

# (low, high) share of peak memory bandwidth reached while decoding at batch 1. Fitted by `rigfit calibrate` on
# 2026-11-22 (206 fitting rows); the comment names the fitted group and its row count. A group with fewer than 5
# rows takes the pooled figure of its device kind (gpu/*/..., unified/*/...).
DECODE_EFFICIENCY: dict[Key, tuple[float, float]] = {
    ("gpu", "cuda", "dense"): (0.308, 0.783),  # gpu/cuda/dense (10)
    ("gpu", "rocm", "dense"): (0.346, 0.690),  # gpu/rocm/dense (5)
    ("gpu", "vulkan", "dense"): (0.676, 0.846),  # gpu/vulkan/dense (6)
    ("gpu", "sycl", "dense"): (0.509, 0.783),  # gpu/*/dense (21)
    ("gpu", "metal", "dense"): (0.509, 0.783),  # gpu/*/dense (21)
    ("gpu", "cuda", "moe"): (0.297, 0.477),  # gpu/cuda/moe (5)
    ("gpu", "rocm", "moe"): (0.244, 0.477),  # gpu/*/moe (6)
    ("gpu", "vulkan", "moe"): (0.244, 0.477),  # gpu/*/moe (6)
    ("gpu", "sycl", "moe"): (0.244, 0.477),  # gpu/*/moe (6)
    ("unified", "metal", "dense"): (0.501, 0.851),  # unified/metal/dense (50)
    ("unified", "rocm", "dense"): (0.460, 0.914),  # unified/rocm/dense (10)
    ("unified", "vulkan", "dense"): (0.695, 0.889),  # unified/vulkan/dense (10)
    ("unified", "cuda", "dense"): (0.528, 0.882),  # unified/*/dense (70)
    ("unified", "metal", "moe"): (0.270, 0.733),  # unified/*/moe (44)
    ("unified", "rocm", "moe"): (0.454, 0.764),  # unified/rocm/moe (20)
    ("unified", "vulkan", "moe"): (0.242, 0.748),  # unified/vulkan/moe (20)
    ("unified", "cuda", "moe"): (0.270, 0.733),  # unified/*/moe (44)
}
# System RAM on the CPU: no CPU-only runs in shared/calibration yet, so this is the pooled dense figure of all
# devices (*/*/dense, 91 rows), not fitted on CPUs.
CPU_DECODE_EFFICIENCY = (0.528, 0.861)
DECODE_FIXED_S_PER_TOKEN = 0.0

# (low, high) share of dense FP16 throughput reached in prefill, per backend. Fitted by `rigfit calibrate` on
# 2026-11-22: only the Strix Halo runs (ROCm, Vulkan) had a device with a sourced FP16 figure in the fitting half,
# so CUDA and Metal take the pooled prefill/* figure (65 rows). The range is wide because prefill speed falls
# with the depth of the context; the held-out score is reported by `rigfit calibrate` and README.md.
PREFILL_EFFICIENCY: dict[str, tuple[float, float]] = {
    "cuda": (0.088, 0.668),  # prefill/* (65)
    "rocm": (0.107, 0.676),  # prefill/rocm (31)
    "vulkan": (0.088, 0.563),  # prefill/vulkan (31)
    "metal": (0.088, 0.668),  # prefill/* (65)
}
# PCIe 4.0 x16 moves 16 GT/s x 16 lanes x 128/130 / 8 = 31.5 GB/s each way (PCI-SIG); used when a card's link is
# not in the catalog. Weights streamed for prefill reach a share of it; the low end below is an assumption, not
# fitted (no offloaded prefill runs in shared/calibration), and the high end is the full link.
PCIE_DEFAULT_GB_S = 31.5
PCIE_EFFICIENCY_LOW = 0.6

# What `rigfit calibrate` measured on the held-out rows with the figures above (shown by /about).
MEASURED_ACCURACY: dict[str, float] = {
    "calibration_median_abs_log_err": 0.261,  # decode, 131 held-out rows, 2026-11-22
    "calibration_coverage": 0.79,
    "calibration_median_width": 1.99,
}


def decode_efficiency(pool_kind: str, backend: str, *, moe: bool) -> tuple[float, float]:
    kind = "moe" if moe else "dense"
    if pool_kind == "ram":
        return CPU_DECODE_EFFICIENCY
    for key in (
        (pool_kind, backend, kind),
        (pool_kind, backend, "dense"),
        ("gpu", backend, kind),
        ("gpu", "cuda", kind),
    ):
        if key in DECODE_EFFICIENCY:
            return DECODE_EFFICIENCY[key]
    return DECODE_EFFICIENCY[("gpu", "cuda", "dense")]


def prefill_efficiency(backend: str) -> tuple[float, float]:
    return PREFILL_EFFICIENCY.get(backend, PREFILL_EFFICIENCY["vulkan"])
