"""Efficiency figures for the speed model: the share of peak bandwidth (decode) and of the matrix kernels' peak
(prefill, engine/kernels.py) that llama.cpp reaches, as (low, typical, high) per kind of device, backend and model kind.

The figures are fitted by `rigfit calibrate --write` (calibrate/) on measured runs
(shared/calibration/tokens_per_second.csv and bench/measured_runs.csv) and stored in engine/calibration_fitted.py:
low and high are the 10th and 90th percentiles of measured/ideal for a run of a publication the fit never saw, typical
the median, read from the runs by the spread method a proper score chose on folds of sources (calibrate/spread.py);
the same fit is scored across sources (each publication's runs predicted by a fit on the others). A group with too
few rows is not fitted: the lookup falls back to its pooled groups (GroupKey.pooled).
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from engine.calibration_fitted import FITTED, FITTED_ON, HELD_OUT, LAYER_COST

Table = dict[tuple[str, ...], tuple[float, float, float, int]]  # group key -> (low, typical, high, rows)
# decode group key -> (bytes factor, seconds per layer per token): see decode_cost
CostTable = dict[tuple[str, ...], tuple[float, float]]
NO_LAYER_COST = (1.0, 0.0)
Phase = Literal["decode", "prefill"]
ANY = "*"  # a group field pooled over every value


@dataclass(frozen=True)
class GroupKey:
    """A group of measured runs the efficiency table is fitted on and looked up by: decode by device kind,
    backend and dense/MoE; prefill by device kind, backend, matrix kernels' path (engine/kernels.py) and
    dense/MoE (a unified chip shares its power and memory with a CPU: the same kernels reach a smaller share of its
    peak than on a card). Built by `group_key` only; `as_tuple` is its key in the table."""

    phase: Phase
    device_kind: str  # gpu | unified | ram, or ANY
    backend: str
    moe: bool
    path: str = ANY  # prefill only: the MatrixPath of the device's kernels

    def as_tuple(self) -> tuple[str, ...]:
        kind = "moe" if self.moe else "dense"
        if self.phase == "prefill":
            return ("prefill", self.device_kind, self.backend, self.path, kind)
        return ("decode", self.device_kind, self.backend, kind)

    def pooled(self) -> tuple[GroupKey, ...]:
        """This group, then the pools it falls back to in the lookup and adds its runs to in the fit: decode, its
        backend over every device kind, its device kind over every backend, then every device; prefill, its device
        kind and backend over every path, its backend over every device kind, then every backend."""
        if self.phase == "prefill":
            anywhere = replace(self, path=ANY, device_kind=ANY)
            return (self, replace(self, path=ANY), anywhere, replace(anywhere, backend=ANY))
        # A backend's kernels before a device kind's memory: the fixed cost per token is kernel launches and
        # synchronisation, which a GB10 running CUDA shares with CUDA cards rather than with Metal on a Mac.
        chain = (
            self,
            replace(self, device_kind=ANY),
            replace(self, backend=ANY),
            replace(self, backend=ANY, device_kind=ANY),
        )
        return tuple(dict.fromkeys(chain))


def group_key(phase: Phase, device_kind: str, backend: str, *, moe: bool, path: str = ANY) -> GroupKey:
    """The one place a group is built: prefill groups by device kind, backend, kernels' path and dense/MoE."""
    if phase == "prefill":
        return GroupKey("prefill", device_kind, backend, moe, path)
    return GroupKey("decode", device_kind, backend, moe)


class Efficiency(NamedTuple):
    low: float
    typical: float
    high: float


def _efficiency(group: GroupKey, fitted: Table) -> Efficiency:
    low, typical, high, _rows = fitted[group.as_tuple()]
    return Efficiency(low, typical, high)


def _first_fitted(phase: Phase, kind: str, backend: str, moe: bool, path: str, fitted: Table) -> GroupKey:
    """The fitted group whose figures a pool uses: its own, else its pools (GroupKey.pooled); a MoE model with no
    MoE group at all takes the dense one."""
    for kind_moe in (True, False) if moe else (False,):
        for group in group_key(phase, kind, backend, moe=kind_moe, path=path).pooled():
            if group.as_tuple() in fitted:
                return group
    raise LookupError(f"no fitted {phase} efficiency at all (calibration fitted on {FITTED_ON})")


def decode_group(pool_kind: str, backend: str, *, moe: bool, fitted: Table = FITTED) -> GroupKey:
    return _first_fitted("decode", pool_kind, backend, moe, ANY, fitted)


class LayerSeconds(NamedTuple):
    """Fixed seconds per layer per token at the slow, typical and fast end."""

    slow: float
    typical: float
    fast: float


ModelKind = Literal["dense", "moe"]

# Seconds per layer per decode step that vLLM and SGLang spend beyond reading memory, (fast, typical, slow): the
# per-source medians' smallest, median and largest over the measured runs calibrate/servers.py fits on
# (bench/measured_runs.csv and bench/server_runs.csv; `python -m calibrate.servers` prints the fit and its
# cross-source score; tests/test_server_speed.py checks these are the current fit within 15%: the residuals move a
# little with the GPU decode efficiency engine/calibration_fitted.py ships, which other runs refit).
SERVER_LAYER_S: dict[ModelKind, tuple[float, float, float]] = {
    "dense": (6.4e-05, 8.9e-05, 9.8e-05),
    "moe": (3.4e-05, 0.00026, 0.00051),  # one cost for every MoE layer: the flat form the per-billion one replaced
}
# A MoE layer's fixed seconds per billion routed expert parameters one token reads in it (engine/server_speed.py
# layer_seconds), (fast, typical, slow), fitted as SERVER_LAYER_S on the same runs (`python -m calibrate.servers`).
SERVER_MOE_LAYER_S_PER_B: tuple[float, float, float] = (0.00069, 0.0014, 0.0034)


class DecodeCost(NamedTuple):
    """What one token of decode costs a pool: its bytes at a share of peak bandwidth, plus a fixed time per layer
    (kernel launches and synchronisation, the router and expert gather of MoE layers, small-matrix inefficiency)
    that no bandwidth explains. Without it small dense and sparse MoE models on fast GPUs come out far too slow:
    Qwen3-30B-A3B reads about 2 GB a token, 2 ms at an RTX 4090's 1008 GB/s, yet measures 5-6 ms.

    The fit (calibrate/fit.py) finds, per group, the bytes factor a and seconds per layer t that best explain the
    measured time per token as a x bytes/bandwidth + t x layers, then the spread of measured speed around that
    (the group's (p10, median, p90) in FITTED). A group without a layer cost (too few runs, or none needed) has
    a = 1, t = 0: FITTED is then the plain share of peak bandwidth."""

    efficiency: Efficiency
    layer_s: LayerSeconds


# Intel Arc cards decode at a smaller share of their bandwidth than AMD and NVIDIA cards on the same backend, on
# Vulkan as on SYCL (the same memory controllers and drivers under both): their decode groups are keyed by the vendor,
# INTEL, not the backend, so Arc on Vulkan is fitted with Arc on SYCL rather than with Radeon and GeForce cards.
INTEL = "intel"
INTEL_BACKENDS = ("sycl", "vulkan")


def decode_backend(backend: str, *, intel_arc: bool) -> str:
    """The backend a decode group is keyed by: INTEL for an Intel Arc card on SYCL or Vulkan, else the backend."""
    return INTEL if intel_arc and backend in INTEL_BACKENDS else backend


def decode_cost(
    pool_kind: str,
    backend: str,
    *,
    moe: bool,
    fitted: Table = FITTED,
    costs: CostTable = LAYER_COST,
    cuda_graphs: bool = True,
) -> DecodeCost:
    """A pool's decode cost; `cuda_graphs` False (cuda_graphs_run) adds the kernel launches graphs would save."""
    group = decode_group(pool_kind, backend, moe=moe, fitted=fitted)
    spread = _efficiency(group, fitted)
    factor, layer_s = costs.get(group.as_tuple(), NO_LAYER_COST)
    launch = NO_LAYER_LAUNCH if cuda_graphs else NO_GRAPHS_LAYER_S["moe" if moe else "dense"]
    return DecodeCost(
        Efficiency(*(s / factor for s in spread)),
        LayerSeconds(
            layer_s / spread.low + launch.slow,
            layer_s / spread.typical + launch.typical,
            layer_s / spread.high + launch.fast,
        ),
    )


# llama.cpp runs a CUDA decode step as one CUDA graph only on cards of compute capability 7.0 (Volta) and up: below it
# ggml-cuda.cu's ggml_cuda_graph_set_enabled sets disable_due_to_gpu_arch ("disabling CUDA graphs due to GPU
# architecture"; the gate is GGML_CUDA_CC_VOLTA since github:ggml-org/llama.cpp PR #25749, GGML_CUDA_CC_AMPERE before
# it), so the CPU launches every kernel of every layer one by one. The fitted layer costs are measured with graphs.
CUDA_GRAPHS_MIN_COMPUTE_CAPABILITY = 7.0


def cuda_graphs_run(backend: str, compute_capability: str | None) -> bool:
    """Whether llama.cpp decodes on the device inside CUDA graphs: every backend but CUDA below compute capability
    7.0 (a CUDA card whose capability the catalog lacks is taken as running them)."""
    if backend != "cuda" or compute_capability is None:
        return True
    return float(compute_capability) >= CUDA_GRAPHS_MIN_COMPUTE_CAPABILITY


# (layers, tok/s with graphs off, tok/s with graphs on) of llama-bench tg64 on one GTX 1080 (compute capability 6.1,
# Windows, CUDA 12.4, build b10549), the same build with the gate lifted to Pascal and without, alternated A-B-A-B
# with -r 3: github:ggml-org/llama.cpp PR #27721 (its 2026-08-26 table). The dense model is a Qwen-based 9B Q5_K_M;
# the PR's description adds two llama-server runs of it (26.3 -> 28.0 and 25.3 -> 27.2 tok/s).
_GRAPHS_AB_RUNS: dict[str, tuple[tuple[int, float, float], ...]] = {
    "moe": (
        (32, 81.2, 124.5),  # granite-3.1-3b-a800m Q4_K_M
        (24, 52.7, 79.8),  # Ling-3.0-tiny Q6_K
        (40, 57.4, 79.5),  # granite-4.0-h-tiny Q4_K_M (36 mamba + 4 attention layers)
        (16, 150.5, 169.5),  # OLMoE-1B-7B Q4_K_M
        (24, 116.2, 128.5),  # LFM2.5-8B-A1B Q4_K_M
    ),
    "dense": ((32, 28.5, 30.1), (32, 26.3, 28.0), (32, 25.3, 27.2)),
}


def _launch_seconds(runs: tuple[tuple[int, float, float], ...]) -> LayerSeconds:
    """Seconds per layer per token graphs save, (1/off - 1/on) / layers, at the largest (slow), median and smallest
    (fast) of the runs: MoE layers launch more kernels (router, top-k, expert products, their weighted sum)."""
    per_layer = sorted((1 / off - 1 / on) / layers for layers, off, on in runs)
    return LayerSeconds(slow=per_layer[-1], typical=statistics.median(per_layer), fast=per_layer[0])


# By model kind, fast / typical / slow: MoE 34 / 121 / 268 us per layer, dense 58 / 72 / 86 us. One host's figures:
# launching a kernel costs the CPU's time, so a slower host pays more (measured runs say nothing of their hosts).
NO_GRAPHS_LAYER_S: dict[str, LayerSeconds] = {kind: _launch_seconds(runs) for kind, runs in _GRAPHS_AB_RUNS.items()}
NO_LAYER_LAUNCH = LayerSeconds(0.0, 0.0, 0.0)


def decode_efficiency(
    pool_kind: str, backend: str, *, moe: bool, fitted: Table = FITTED, costs: CostTable = LAYER_COST
) -> Efficiency:
    return decode_cost(pool_kind, backend, moe=moe, fitted=fitted, costs=costs).efficiency


def prefill_group(device_kind: str, backend: str, path: str, *, moe: bool, fitted: Table = FITTED) -> GroupKey:
    return _first_fitted("prefill", device_kind, backend, moe, path, fitted)


def cpu_prefill_group(path: str, *, moe: bool, fitted: Table = FITTED) -> GroupKey | None:
    """A CPU's prefill group: its kernels' path, else every CPU path, of its model kind, else of the other kind; None
    where no CPU prefill run was fitted (a GPU's share of its peak says nothing of a CPU's)."""
    for kind_moe in (moe, not moe):
        for group in group_key("prefill", "ram", "cpu", moe=kind_moe, path=path).pooled()[:3]:
            if group.as_tuple() in fitted:
                return group
    return None


def cpu_prefill_efficiency(path: str, *, moe: bool, fitted: Table = FITTED) -> Efficiency | None:
    group = cpu_prefill_group(path, moe=moe, fitted=fitted)
    return _efficiency(group, fitted) if group is not None else None


def prefill_efficiency(device_kind: str, backend: str, path: str, *, moe: bool, fitted: Table = FITTED) -> Efficiency:
    """MoE prefill is fitted apart from dense: each expert's matmul sees only the tokens routed to it (a 512-token
    batch with 8 of 128 experts active gives each about 32 rows), far from the shapes the kernels run fastest."""
    if fitted is _SHIPPED:
        return _shipped_prefill(device_kind, backend, path, moe)
    return _efficiency(prefill_group(device_kind, backend, path, moe=moe, fitted=fitted), fitted)


_SHIPPED = FITTED  # the table as imported: its lookups are cached


@functools.cache
def _shipped_prefill(device_kind: str, backend: str, path: str, moe: bool) -> Efficiency:
    """The shipped table's lookup, once per group (a /fit asks it for every quant of the ladder)."""
    return _efficiency(prefill_group(device_kind, backend, path, moe=moe, fitted=_SHIPPED), _SHIPPED)


# Decode reads the KV cache with attention kernels (softmax, a reduction over the sequence, a row of K and V per
# position), which reach a smaller share of the memory's bandwidth than the matrix-vector kernels reading the weights:
# each byte of cache a token reads costs KV_READ_COST bytes of weights' time. The figure is chosen by the fit's own
# inner folds of sources (calibrate/fit.py inner_scores, decode, best spread) among 1, 1.25, 1.5, 1.75 and 2: on the
# 1,929 runs of 2026-12-07 1.244, 1.229, 1.227, 1.235, 1.249; on 2,015 runs 1.225, 1.198, 1.184, 1.191, 1.211 (1.5
# was taken); on the 2,221 runs of 2026-12-08, with the shaders' intake limiting Vulkan and SYCL cards as CUDA ones
# (engine/speed.py DECODE_BYTES_PER_LANE_CLOCK), 1.1149, 1.1214, 1.1300, 1.1445, 1.1621: the cache read at the
# weights' own share of the bandwidth, which the shader limit now also bounds on those cards. vLLM's attention
# kernels (engine/server_speed.py) are not llama.cpp's: its reads stay at 1.
KV_READ_COST = 1.0

# PCIe 4.0 x16 moves 16 GT/s x 16 lanes x 128/130 / 8 = 31.5 GB/s each way (PCI-SIG); used when a card's link is
# not in the catalog. Weights streamed for prefill reach a share of it; the low end below is an assumption, not
# fitted (no offloaded prefill runs in shared/calibration), and the high end is the full link.
PCIE_DEFAULT_GB_S = 31.5
PCIE_EFFICIENCY_LOW = 0.6

# Tensor parallelism (vLLM/SGLang --tensor-parallel-size): each card reads 1/N of the weights and KV cache, then
# the cards all-reduce the activations twice per transformer layer, after attention and after the MLP (Megatron-LM,
# Shoeybi et al. 2019, arXiv:1909.08053 section 3). At batch 1 the message is one hidden vector (a few to tens of
# KB), so the all-reduce costs its latency. Measured small-message all-reduce times, (fast, slow) in seconds:
ALLREDUCES_PER_LAYER = 2
ALLREDUCE_S: dict[str, tuple[float, float]] = {
    # PCIe: 4x V100 behind one PCIe switch, NCCL inside a CUDA graph, 4 KB: 19.4 us (github:haohervchb/sglang-V100
    # PR #2); nccl-tests all_reduce at 8 B on 8x RTX 3090 over PCIe: 54.2 us (github:NVIDIA/nccl issue #1439).
    "pcie": (19.4e-6, 54.2e-6),
    # NVLink: 2x H100 with NVLS and CUDA graphs, about 6 us (github:NVIDIA/nccl issue #1259); 2x RTX 2080 Ti on an
    # NVLink bridge, 32 KB: 13.4 us (github:NVIDIA/nccl-tests issue #44).
    "nvlink": (6e-6, 13.4e-6),
}

# Weights that fit in no memory are read from disk through mmap every token. A PCIe 4.0 NVMe drive reads at most
# 7.45 GB/s sequentially (Samsung 990 PRO: slashcam.com news 17407, 2022-08-28), so that bounds decode from above.
NVME_READ_GB_S = 7.45


class HeldOutScore(NamedTuple):
    """How one speed figure scored on the held-out runs: median |ln(typical/measured)|, the share of runs inside
    [low, high], the median high/low ratio, and how many runs were scored."""

    median_abs_log_err: float
    coverage: float
    median_width: float
    rows: int

    @property
    def median_error_factor(self) -> float:
        """The median error as a factor: exp(median |ln(typical/measured)|), e.g. 1.12 for 12 % off."""
        return math.exp(self.median_abs_log_err)


class MeasuredAccuracy(NamedTuple):
    """What `rigfit calibrate` measured on the held-out rows with the figures above (shown by /about), each
    figure named for what it scores: decode speed, prefill speed, and both pooled."""

    decode: HeldOutScore
    prefill: HeldOutScore
    decode_and_prefill: HeldOutScore


def _held_out(phase: str, held_out: dict[str, float]) -> HeldOutScore:
    return HeldOutScore(
        median_abs_log_err=held_out[f"calibration_{phase}_median_abs_log_err"],
        coverage=held_out[f"calibration_{phase}_coverage"],
        median_width=held_out[f"calibration_{phase}_median_width"],
        rows=int(held_out[f"calibration_{phase}_rows"]),
    )


def measured_accuracy(held_out: dict[str, float] = HELD_OUT) -> MeasuredAccuracy:
    decode, prefill = _held_out("decode", held_out), _held_out("prefill", held_out)
    both = HeldOutScore(
        median_abs_log_err=held_out["calibration_median_abs_log_err"],
        coverage=held_out["calibration_coverage"],
        median_width=held_out["calibration_median_width"],
        rows=decode.rows + prefill.rows,
    )
    return MeasuredAccuracy(decode=decode, prefill=prefill, decode_and_prefill=both)


MEASURED_ACCURACY = measured_accuracy()
