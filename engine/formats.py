"""Sizes of the non-GGUF formats people serve (AWQ and GPTQ int4, FP8, NVFP4, MLX 4/6/8-bit), from a model's
parameter split (engine/mixes.split): the weights each tool quantizes at the format's stored bits, and the tensors it
leaves alone at 16 bits. A published repo's size always wins over these (engine/fit.py).

What each tool quantizes, read from its source:
- AutoAWQ (github:casper-hansen/AutoAWQ awq/quantize/quantizer.py): only the nn.Linear layers inside the decoder
  blocks (`get_named_linears` of each block), less `modules_to_not_convert` (MoE routers: ["gate"]); the token
  embeddings, the output matrix (lm_head, outside the blocks) and norms stay at fp16. GEMM packing: 4-bit weights,
  per group of 128 inputs an fp16 scale and a 4-bit zero point (qzeros packed eight to an int32).
- GPTQ (AutoGPTQ / GPTQModel, and llm-compressor's W4A16): the same linear layers, lm_head off by default; per group
  of 128 an fp16 scale and a packed 4-bit zero (the g_idx row index, 32 bits per input row, adds under 0.01 bit).
- FP8 W8A8 (llm-compressor `QuantizationModifier(targets="Linear", scheme="FP8_DYNAMIC", ignore=["lm_head",
  "re:.*mlp.gate$"])`; vLLM's online `--quantization fp8`: "all Linear modules (except for the final lm_head)",
  https://docs.vllm.ai/en/v0.5.4/quantization/fp8.html): one byte a weight, one fp32 scale per output channel
  (32 bits per row of thousands of weights: under 0.01 bit, left out); embeddings, lm_head and routers 16-bit.
- NVFP4 (github:vllm-project/llm-compressor examples/quantization_w4a4_fp4/qwen_30b_a3b.py: targets="Linear",
  scheme="NVFP4", ignore=["lm_head", "re:.*mlp.gate$"]): 4-bit E2M1 values with an FP8 E4M3 scale per 16, and one
  fp32 global scale per tensor (left out).
- MLX (github:ml-explore/mlx-lm mlx_lm/utils.py quantize_model): every module with `to_quantized` whose rows divide
  by the group size, which takes in the token embeddings and the output matrix; "affine" mode defaults to groups of
  64 with a scale and a bias per group in the model's 16-bit type (mlx.core.quantize). MoE routers are kept at 8
  bits (mlx_lm/models/qwen3_moe.py quant_predicate: `mlp.gate` -> bits 8, group 64).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.types import Model, QuantFormat
from engine import mixes, quants

SIXTEEN_BITS = 16.0  # what the tools leave unquantized is kept at the checkpoint's fp16/bf16


@dataclass(frozen=True)
class Format:
    """One non-GGUF format: its ladder name, checkpoint format, the bits a quantized weight is stored in, and the
    bits of the tensors the tool treats apart (token embeddings with the output matrix; MoE routers)."""

    name: str
    format: QuantFormat
    bits_per_weight: float
    embeddings_bits: float
    router_bits: float
    recipe: str  # what the estimate assumes, for the option's `bits_basis`


_INT4_G128 = 4 + (16 + 4) / 128  # 4-bit weights; per group of 128: an fp16 scale and a 4-bit zero point
_MLX_GROUP = 64  # mlx_lm's affine default group size
_MLX_EXTRA = 2 * 16 / _MLX_GROUP  # a 16-bit scale and a 16-bit bias per group of 64


def _mlx(bits: int) -> Format:
    stored = bits + _MLX_EXTRA
    return Format(
        f"MLX-{bits}BIT",
        "mlx",
        stored,
        embeddings_bits=stored,
        router_bits=8 + _MLX_EXTRA,
        recipe=f"mlx_lm.convert -q --q-bits {bits}: every linear layer and the embeddings at {bits} bits, a 16-bit "
        f"scale and bias per {_MLX_GROUP} weights; routers at 8 bits",
    )


FORMATS: dict[str, Format] = {
    "AWQ": Format(
        "AWQ",
        "awq",
        _INT4_G128,
        SIXTEEN_BITS,
        SIXTEEN_BITS,
        "AutoAWQ int4, group 128 (fp16 scale + 4-bit zero): the decoder's linear layers; embeddings, lm_head and "
        "routers kept at 16 bits",
    ),
    "GPTQ": Format(
        "GPTQ",
        "gptq",
        _INT4_G128,
        SIXTEEN_BITS,
        SIXTEEN_BITS,
        "GPTQ int4, group 128 (fp16 scale + 4-bit zero): the decoder's linear layers; embeddings, lm_head and "
        "routers kept at 16 bits",
    ),
    "FP8": Format(
        "FP8",
        "fp8",
        8.0,  # E4M3, one byte; the per-channel fp32 scale adds under 0.01 bit
        SIXTEEN_BITS,
        SIXTEEN_BITS,
        "FP8 W8A8, per-channel scales: the linear layers at one byte; embeddings, lm_head and routers at 16 bits",
    ),
    "NVFP4": Format(
        "NVFP4",
        "nvfp4",
        4 + 8 / 16,  # 4-bit E2M1 values, an FP8 E4M3 scale per 16
        SIXTEEN_BITS,
        SIXTEEN_BITS,
        "NVFP4: the linear layers at 4 bits with an FP8 scale per 16; embeddings, lm_head and routers at 16 bits",
    ),
    "MLX-8BIT": _mlx(8),
    "MLX-6BIT": _mlx(6),
    "MLX-4BIT": _mlx(4),
}

# The server formats offered to every model on GPUs that run them (engine/serve.format_runs), best first.
SERVER_LADDER: tuple[str, ...] = ("FP8", "NVFP4", "AWQ", "GPTQ")
FLAT_BASIS = "the catalog has no parameter split for this model: every weight at the format's stored bits"


def lookup(name: str) -> Format | None:
    """The format of a name as people write it (AWQ, gptq, fp8, NVFP4, MLX-4BIT, 4bit ...): quants.lookup's name."""
    qt = quants.lookup(name)
    return FORMATS.get(qt.name) if qt is not None else None


def weights_bytes(model: Model, fmt: Format) -> tuple[int, str]:
    """The checkpoint's bytes and how they were estimated: the split's embeddings, output matrix and routers at the
    format's own bits for them, the rest (attention, FFN, experts, MLA and linear-attention projections) at its
    stored bits; without a split, every weight at the stored bits."""
    total = model.total_params_b * 1e9
    s = mixes.split(model)
    if s is None:
        return int(total * fmt.bits_per_weight / 8), FLAT_BASIS
    embeddings = s.token_embd + s.output
    quantized = max(total - embeddings - s.router, 0.0)
    bits = quantized * fmt.bits_per_weight + embeddings * fmt.embeddings_bits + s.router * fmt.router_bits
    return int(bits / 8), fmt.recipe
