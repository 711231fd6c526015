"""Prefill runs at the rate of the kernels llama.cpp picks for the card, not at one FP16 figure; a card with no
published figure gets one from its specifications, and the card says so."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory, speed
from engine.kernels import MatrixPath, MatrixSpec, Weights, matrix_rate, sustained_clock_share, weights_of
from engine.parse import parse_hardware, parse_model
from engine.placement import place
from engine.speed import CaveatKind

# (the card as people name it, the path llama.cpp takes for quantized weights, its peak at the boost clock in TOPS,
# derived?)
# The CUDA figures are the cards' whitepaper dense INT8 rates where the card's SM does 2048 int8 ops a clock
# (RTX 4090 660.6, RTX 3090 284, RTX A6000 309.7, Quadro RTX 6000 261, T4 130); A100 and H100 are counted at that
# per-SM rate too (engine/kernels.py: llama.cpp's MMQ does not use their faster tensor cores).
CARDS = [
    ("RTX 4090", MatrixPath.CUDA_MMQ_MMA, 660.8, False),
    ("rtx 3090", MatrixPath.CUDA_MMQ_MMA, 284.0, False),
    ("A6000", MatrixPath.CUDA_MMQ_MMA, 309.6, False),
    ("Quadro RTX 6000", MatrixPath.CUDA_MMQ_MMA, 261.0, False),
    ("Tesla T4", MatrixPath.CUDA_MMQ_MMA, 130.2, True),  # TechPowerUp row: tensor cores x clock
    ("A100 80GB", MatrixPath.CUDA_MMQ_MMA, 312.0, False),
    ("H100 SXM", MatrixPath.CUDA_MMQ_MMA, 494.5, False),
    ("my DGX Spark", MatrixPath.CUDA_MMQ_MMA, 248.0, True),
    ("V100", MatrixPath.CUDA_CUBLAS_FP16, 125.0, False),  # Volta: no int8 tensor cores, cuBLAS for big batches
    ("Tesla P40", MatrixPath.CUDA_MMQ_DP4A, 47.0, True),  # 3840 shaders x 1.531 GHz x 8 (dp4a)
    ("GTX 1080 Ti", MatrixPath.CUDA_MMQ_DP4A, 45.4, True),
    ("Tesla M40", MatrixPath.CUDA_CUBLAS_FP32, 6.8, True),  # Maxwell: FP32 cuBLAS
    ("7900 XTX", MatrixPath.ROCM_MATRIX, 122.8, False),
    ("MI50", MatrixPath.ROCM_DOT4, 53.0, False),  # GCN 5: no matrix cores, dot4 = 2x packed FP16
    ("RX 6800 XT", MatrixPath.ROCM_DOT4, 82.9, True),
    # Turing without tensor cores (GTX 16, TU116/TU117): llama.cpp's mma kernels on the FP16 units, 4 FLOPs a lane
    # and clock: 1408 x 1.785 GHz x 4 = 10.05 (TechPowerUp's FP16 figure), 896 x 1.665 x 4 = 5.97
    ("GTX 1660 Super", MatrixPath.CUDA_MMQ_MMA, 10.05, True),
    ("GTX 1650", MatrixPath.CUDA_MMQ_MMA, 5.97, True),
    ("Strix Halo 128GB", MatrixPath.VULKAN_COOPMAT, 59.4, False),
    ("M4 Max 128GB", MatrixPath.METAL, 18.4, False),
]


@pytest.mark.parametrize(("hardware", "path", "tops", "derived"), CARDS)
def test_each_card_runs_the_kernels_llama_cpp_picks_for_it(
    real_catalog: Catalog, hardware: str, path: MatrixPath, tops: float, derived: bool
) -> None:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    device = rig.gpus[0] if rig.gpus else rig.unified
    assert device is not None and device.matrix is not None
    assert device.matrix.path is path
    assert device.matrix.tops / _clock_share(real_catalog, hardware) == pytest.approx(tops, abs=0.1)
    assert (device.matrix.basis == "derived") is derived


def _clock_share(catalog: Catalog, hardware: str) -> float:
    rig = parse_hardware(hardware, catalog)[0].rig
    device = rig.gpus[0] if rig.gpus else rig.unified
    assert device is not None
    assert device.matrix_spec is not None
    return sustained_clock_share(device.matrix_spec)


# (the device, its base and boost clocks in MHz as TechPowerUp lists them, or None where the share is 1: not a CUDA
# device). A card whose board power is small for its SMs has a base clock far below its
# boost clock, and prefills at less of its boost-clock peak (engine/kernels.py SUSTAINED_CLOCK).
CLOCKS = [
    ("RTX 4090", (2235, 2520)),
    ("RTX 6000 Ada", (915, 2505)),  # the 4090's chip with more SMs, at 300 W
    ("Tesla T4", (585, 1590)),  # 70 W
    ("rtx 3090", (1395, 1695)),
    ("my DGX Spark", (1665, 2418)),  # the GB10's GPU: 140 W for CPU and GPU
    ("7900 XTX", None),  # ROCm: counted at the figure
    ("M4 Max 128GB", None),
]


@pytest.mark.parametrize(("hardware", "clocks"), CLOCKS)
def test_a_cuda_device_prefills_at_its_base_clock(
    real_catalog: Catalog, hardware: str, clocks: tuple[int, int] | None
) -> None:
    expected = clocks[0] / clocks[1] if clocks else 1.0
    assert _clock_share(real_catalog, hardware) == pytest.approx(expected, rel=1e-3)


def test_a_power_starved_card_is_counted_slower_than_its_gaming_twin(real_catalog: Catalog) -> None:
    """An RTX 6000 Ada has 142 SMs to an RTX 4090's 128 at the same boost clock, yet prefills slower (llama.cpp
    discussion #15013): its rate per SM is counted lower."""
    ada, geforce = (_clock_share(real_catalog, card) for card in ("RTX 6000 Ada", "RTX 4090"))
    assert ada * 142 < geforce * 128


@pytest.mark.parametrize(
    ("hardware", "attention_tops"),
    [
        # CUDA's mma FlashAttention: Q.K^T accumulates in FP32 (the 4090's 165.2 figure), P.V in FP16 (twice it on a
        # GeForce card): 4/3 of the figure, a third of its MMQ rate
        ("RTX 4090", 220.3),
        ("RTX 3090", 94.7),  # its 71.0 figure x 4/3
        ("A6000", 154.8),  # a workstation card accumulates in FP32 at the full figure: half of its MMQ rate
        ("RTX 6000 Ada", 364.2),
        ("V100", 125.0),  # Volta: no mma FlashAttention for prompts, the figure
        ("my DGX Spark", 124.0),
        ("Tesla P40", 11.8),  # Pascal's FP16 is slow: attention on the FP32 shaders (3840 x 1.531 GHz x 2)
        ("7900 XTX", 122.8),
        ("M4 Max 128GB", 18.4),
    ],
)
def test_attention_runs_at_the_fp16_rate_of_its_kernels(
    real_catalog: Catalog, hardware: str, attention_tops: float
) -> None:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    device = rig.gpus[0] if rig.gpus else rig.unified
    assert device is not None and device.matrix is not None
    assert device.matrix.attention_tops / _clock_share(real_catalog, hardware) == pytest.approx(attention_tops, abs=0.1)


def test_a_long_prompt_slows_a_geforce_card_more_than_its_int8_rate_says(real_catalog: Catalog) -> None:
    """At 32k tokens of prompt, attention outweighs Llama 3.1 8B's weights; on an RTX 4090 it runs at a third of
    the rate the weights' int8 products do, so the prompt's average speed falls more than its FLOPs grow."""
    short = _prefill(real_catalog, "llama-3.1-8b", "RTX 4090", 512)
    long = _prefill(real_catalog, "llama-3.1-8b", "RTX 4090", 32768)
    flops_ratio = speed.prefill_flops_per_token(
        real_catalog.models["llama-3.1-8b"], 32768
    ) / speed.prefill_flops_per_token(real_catalog.models["llama-3.1-8b"], 512)
    assert short.centre / long.centre > flops_ratio


@pytest.mark.parametrize(
    ("card", "backend", "tops"),
    [
        ("rtx-4090", "vulkan", 330.4),  # cooperative matrices accumulate in FP16: a GeForce runs it at 2x the figure
        ("rx-7900-xtx", "vulkan", 122.8),
        ("rtx-a6000", "vulkan", 154.8),  # a workstation card's figure is already the full rate
    ],
)
def test_a_card_measured_on_vulkan(real_catalog: Catalog, card: str, backend: str, tops: float) -> None:
    rate = matrix_rate(MatrixSpec.of(real_catalog.hardware[card], backend))  # type: ignore[arg-type]
    assert rate is not None and rate.path is MatrixPath.VULKAN_COOPMAT
    assert rate.tops == pytest.approx(tops)


def test_nothing_to_derive_from_is_unknown() -> None:
    spec = MatrixSpec(name="NVIDIA Tesla K40", backend="cuda", compute_capability="3.5")
    assert matrix_rate(spec) is None


def _prefill(catalog: Catalog, model_name: str, hardware: str, prompt: int, ubatch: int = 512) -> speed.Range:
    model = parse_model(model_name, catalog)
    rig = parse_hardware(hardware, catalog)[0].rig
    weights = memory.weights_estimate(model, "Q4_K_M")
    assert weights is not None
    placement = place(model, rig, weights.n_bytes, memory.kv_cache_bytes(model, 8192))
    prefill, _ = speed.prefill_range(model, placement, prompt, ubatch)
    assert prefill is not None
    return prefill


@pytest.mark.parametrize(
    ("model", "hardware"),
    [
        ("qwen3-30b-a3b", "DGX Spark"),  # 128 experts, 8 routed: 32 tokens per expert in a 512-token micro-batch
        ("gpt-oss-120b", "Strix Halo 128GB"),
    ],
)
def test_sparse_moe_on_unified_memory_gains_from_a_larger_micro_batch(
    real_catalog: Catalog, model: str, hardware: str
) -> None:
    """`-ub 2048` reads the experts once per 2048 prompt tokens instead of once per 512 (the DGX Spark's own
    llama-bench runs use it): on 256-273 GB/s memory that is a visible share of a prompt's time."""
    small = _prefill(real_catalog, model, hardware, 4096, 512)
    large = _prefill(real_catalog, model, hardware, 4096, 2048)
    assert large.centre > small.centre * 1.15


def test_a_dense_model_on_a_card_is_compute_bound(real_catalog: Catalog) -> None:
    small = _prefill(real_catalog, "llama-3.1-8b", "RTX 4090", 4096, 512)
    large = _prefill(real_catalog, "llama-3.1-8b", "RTX 4090", 4096, 2048)
    assert large.centre < small.centre * 1.1


def test_a_short_prompt_is_one_small_batch(real_catalog: Catalog) -> None:
    """A 64-token prompt reads every weight once for 64 tokens, not 512."""
    short = _prefill(real_catalog, "qwen3-30b-a3b", "DGX Spark", 64)
    long = _prefill(real_catalog, "qwen3-30b-a3b", "DGX Spark", 512)
    assert short.centre < long.centre


def test_a_p40_answers_prefill_and_says_its_figure_is_derived(real_catalog: Catalog) -> None:
    model = parse_model("qwen3-8b", real_catalog)
    rig = parse_hardware("Tesla P40", real_catalog)[0].rig
    weights = memory.weights_estimate(model, "Q4_K_M")
    assert weights is not None
    placement = place(model, rig, weights.n_bytes, memory.kv_cache_bytes(model, 4096))
    prefill, caveats = speed.prefill_range(model, placement, 512)
    assert prefill is not None
    assert [c.device for c in caveats if c.kind is CaveatKind.PREFILL_FROM_DERIVED_FLOPS] == ["NVIDIA Tesla P40 24GB"]


@pytest.mark.parametrize(
    ("quant", "weights"),
    [
        ("Q4_K_M", "quantized"),
        ("UD-Q8_K_XL", "quantized"),
        ("MXFP4", "quantized"),
        ("BF16", "bf16"),
        ("bf16", "bf16"),
        ("F16", "f16"),
        ("fp16", "f16"),
        (None, "quantized"),
    ],
)
def test_which_weights_a_quant_gives_the_kernels(quant: str | None, weights: str) -> None:
    assert weights_of(quant) == weights


# (the rig, the file's weights, the path, its peak in TOPS)
FLOAT_WEIGHTS = [
    ("RTX 4090", "bf16", MatrixPath.CUDA_CUBLAS_FP16, 165.2),  # cuBLAS on the tensor cores, FP32 accumulate
    ("RTX 4090", "f16", MatrixPath.CUDA_CUBLAS_FP16, 330.4),  # F16 accumulates in FP16: a GeForce's full rate
    ("A6000", "f16", MatrixPath.CUDA_CUBLAS_FP16, 154.8),  # a workstation card's figure is the full rate already
    ("Strix Halo 128GB", "bf16", MatrixPath.VULKAN_FP32, 29.7),  # Vulkan: BF16 converted for the FP32 shaders
    ("Strix Halo 128GB", "f16", MatrixPath.VULKAN_COOPMAT, 59.4),
    ("7900 XTX", "bf16", MatrixPath.ROCM_MATRIX, 122.8),
    ("M4 Max 128GB", "bf16", MatrixPath.METAL, 18.4),
]


@pytest.mark.parametrize(("hardware", "weights", "path", "tops"), FLOAT_WEIGHTS)
def test_sixteen_bit_files_take_their_own_kernels(
    real_catalog: Catalog, hardware: str, weights: Weights, path: MatrixPath, tops: float
) -> None:
    rig = parse_hardware(hardware, real_catalog)[0].rig
    device = rig.gpus[0] if rig.gpus else rig.unified
    assert device is not None and device.matrix_spec is not None
    rate = matrix_rate(device.matrix_spec, weights)
    assert rate is not None and rate.path is path
    assert rate.tops / sustained_clock_share(device.matrix_spec) == pytest.approx(tops, abs=0.1)


def test_a_bf16_file_on_strix_halo_vulkan_prefills_slower_than_its_q8_0(real_catalog: Catalog) -> None:
    """kyuz0's Strix Halo toolboxes: Ministral 3 14B BF16 on Vulkan measures about a third of its Q8-class speed."""
    model = parse_model("ministral-3-14b", real_catalog)
    rig = parse_hardware("Strix Halo 128GB", real_catalog)[0].rig
    placement = place(model, rig, int(28e9), memory.kv_cache_bytes(model, 8192))
    bf16, _ = speed.prefill_range(model, placement, 512, weights="bf16")
    q8, _ = speed.prefill_range(model, placement, 512)
    assert bf16 is not None and q8 is not None
    assert bf16.centre < q8.centre * 0.6


@pytest.mark.parametrize(
    ("model", "prompt", "flops"),
    [
        # GQA: 4 x 48 layers x 16384 (average depth) x 32 heads x 128
        ("qwen3-30b-a3b", 32768, 4 * 48 * 16384 * 32 * 128),
        # MLA over the compressed cache: 2 x 47 layers x 16384 x 20 heads x (512 + 64 keys + 512 values)
        ("glm-4.7-flash", 32768, 2 * 47 * 16384 * 20 * (512 + 64 + 512)),
        ("deepseek-v3", 8192, 2 * 61 * 4096 * 128 * (512 + 64 + 512)),
    ],
)
def test_attention_flops_of_a_prompt_token(real_catalog: Catalog, model: str, prompt: int, flops: int) -> None:
    assert speed.prefill_attention_flops_per_token(real_catalog.models[model], prompt) == pytest.approx(flops)
