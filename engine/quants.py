"""Quantisation types: bits per weight, so that a model/quant pair with no published size can be estimated.

Two kinds of figure:
- GGML block types (the storage of one tensor), exact, from the block layout in llama.cpp's gguf-py
  (`gguf/constants.py`, GGML_QUANT_SIZES: bits = 8 x type size / block size), collected in shared/SIZING.md §1.
- llama.cpp *file types* (Q4_K_M and friends) mix block types per tensor, so their effective bits per weight is
  measured: published file size x 8 / parameters, on models with small embeddings. Rows used (shared/calibration/
  gguf_sizes.csv): TheBloke/Llama-2-7B-GGUF (6.74B params) where it has the type, else
  bartowski/Meta-Llama-3.1-8B-Instruct-GGUF (8.03B params).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

# Exact block types: bits per weight from GGML_QUANT_SIZES (block size, type size).
BLOCK_TYPE_BITS: dict[str, float] = {
    "F32": 32.0,
    "F16": 16.0,
    "BF16": 16.0,
    "Q8_0": 8.5,
    "Q6_K": 6.5625,
    "Q5_K": 5.5,
    "Q5_0": 5.5,
    "Q5_1": 6.0,
    "Q4_K": 4.5,
    "Q4_0": 4.5,
    "Q4_1": 5.0,
    "IQ4_XS": 4.25,
    "IQ4_NL": 4.5,
    "MXFP4": 4.25,
    "Q3_K": 3.4375,
    "IQ3_S": 3.4375,
    "IQ3_XXS": 3.0625,
    "Q2_K": 2.625,
    "IQ2_S": 2.5625,
    "IQ2_XS": 2.3125,
    "IQ2_XXS": 2.0625,
    "IQ1_M": 1.75,
    "IQ1_S": 1.5625,
    "TQ1_0": 1.6875,
    "TQ2_0": 2.0625,
}

# File types: effective bits per weight measured on published files (see module docstring).
# value = file bytes x 8 / params; the comment gives the published size.
FILE_TYPE_BITS: dict[str, float] = {
    "Q2_K": 3.36,  # Llama-2-7B 2.83 GB
    "Q3_K_S": 3.50,  # Llama-2-7B 2.95 GB
    "Q3_K_M": 3.92,  # Llama-2-7B 3.30 GB
    "Q3_K_L": 4.27,  # Llama-2-7B 3.60 GB
    "Q4_0": 4.55,  # Llama-2-7B 3.83 GB
    "Q4_K_S": 4.58,  # Llama-2-7B 3.86 GB
    "Q4_K_M": 4.84,  # Llama-2-7B 4.08 GB
    "Q5_0": 5.52,  # Llama-2-7B 4.65 GB
    # i-quants below 4 bits, on Llama-3.1-405B (405B params; embeddings ~0.5% of it, so close to the mix's own bits):
    # etemiz/Llama-3.1-405B-Inst-GGUF README (catalog/data/models/llama.yaml)
    "IQ1_S": 1.71,  # 86.8 GB
    "IQ2_XXS": 2.15,  # 109.0 GB
    "IQ3_XXS": 3.12,  # 157.7 GB
    "IQ2_M": 2.94,  # Llama-3.1-8B 2.95 GB
    "IQ3_XS": 3.51,  # Llama-3.1-8B 3.52 GB
    "IQ3_M": 3.77,  # Llama-3.1-8B 3.78 GB
    "IQ4_XS": 4.43,  # Llama-3.1-8B 4.45 GB
    "Q5_K_S": 5.58,  # Llama-3.1-8B 5.60 GB
    "Q5_K_M": 5.71,  # Llama-3.1-8B 5.73 GB
    "Q6_K": 6.58,  # Llama-3.1-8B 6.60 GB
    "Q8_0": 8.51,  # Llama-3.1-8B 8.54 GB
    "BF16": 16.04,  # Llama-3.1-8B 16.1 GB
}

# What people call the same thing.
_SYNONYMS = {
    "FP16": "F16",
    "FP32": "F32",
    "Q8": "Q8_0",
    "Q6": "Q6_K",
    "Q5": "Q5_K_M",
    "Q4": "Q4_K_M",
    "Q3": "Q3_K_M",
    "Q2": "Q2_K",
    "Q4_K": "Q4_K_M",
    "Q5_K": "Q5_K_M",
    "Q3_K": "Q3_K_M",
    "INT4": "Q4_0",
    "Q2_K_S": "Q2_K",  # llama.cpp's small Q2_K mix: taken at the Q2_K measurement (slightly larger than it is)
    "MXFP4_MOE": "MXFP4",  # llama.cpp's file type for gpt-oss: experts MXFP4, the rest higher
    "Q8_K": "Q8_0",  # Unsloth's Q8_K_XL: Q8_0 with some tensors kept at BF16
    "INT8": "Q8_0",
    "FP8": "FP8",
    "8BIT": "MLX-8BIT",
    "4BIT": "MLX-4BIT",
}

# Formats that are not GGUF: bits per weight of the stored weights (FP8 1 byte; MLX affine quantisation with
# group size 64 stores an fp16 scale and bias per group: +0.5 bit, mlx.core.quantize documentation).
OTHER_FORMAT_BITS: dict[str, float] = {
    "FP8": 8.0,
    "MLX-8BIT": 8.5,
    "MLX-6BIT": 6.5,
    "MLX-4BIT": 4.5,
    "MLX-3BIT": 3.5,
    "AWQ": 4.25,  # 4-bit weights, group 128 with an fp16 scale and zero (AutoAWQ)
    "GPTQ": 4.25,
    "NVFP4": 4.5,  # 4-bit values with an fp8 scale per 16 (NVIDIA NVFP4)
}

_DYNAMIC_PREFIX = re.compile(r"^(UD[-_]|DYNAMIC[-_])", re.IGNORECASE)
_XL_SUFFIX = re.compile(r"_(XL|L)$")


@dataclass(frozen=True)
class QuantType:
    """A quant name understood: its canonical name and effective bits per weight."""

    name: str  # canonical, as published where possible
    bits_per_weight: float
    basis: str  # how bits_per_weight was obtained, for the "assumptions" line
    dynamic: bool = False


@functools.lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    n = name.strip().upper().replace("-", "_").replace(" ", "")
    n = n.removesuffix(".GGUF")
    return _SYNONYMS.get(n, n)


def known_names() -> list[str]:
    return sorted(set(FILE_TYPE_BITS) | set(BLOCK_TYPE_BITS) | set(OTHER_FORMAT_BITS))


def lookup(name: str) -> QuantType | None:
    """Bits per weight for any real GGUF file type (plain, _L/_XL variants, Unsloth UD-*), MLX, FP8, AWQ..."""
    raw = name.strip()
    dynamic = bool(_DYNAMIC_PREFIX.match(raw))
    base = canonical(_DYNAMIC_PREFIX.sub("", raw))
    if base.replace("_", "-") in OTHER_FORMAT_BITS:
        key = base.replace("_", "-")
        return QuantType(key, OTHER_FORMAT_BITS[key], "stored bits of the format")
    variant = _XL_SUFFIX.search(base)
    if variant and base not in FILE_TYPE_BITS:
        # bartowski's _L/_XL and Unsloth's _XL keep embeddings/output at Q8_0: at least the base mix.
        base = _XL_SUFFIX.sub("", base)
        base = _SYNONYMS.get(base, base)
        if base.endswith("_K") and base + "_M" in FILE_TYPE_BITS:
            base += "_M"
    if base in FILE_TYPE_BITS:
        bits, basis = FILE_TYPE_BITS[base], "measured on a published file of that type"
    elif base in BLOCK_TYPE_BITS:
        bits, basis = BLOCK_TYPE_BITS[base], "the block type's bits (mixes run a little higher)"
    else:
        return None
    shown = raw.upper().replace("-", "_").replace("UD_", "UD-") if dynamic else canonical(raw)
    if dynamic:
        basis += "; dynamic quants keep sensitive tensors higher, so the real file is larger"
    return QuantType(shown, bits, basis, dynamic=dynamic)


# The standard GGUF file types people run, highest quality first: every model is offered each of them, at its
# published size where the catalog has that file, else estimated (engine/memory.weights_estimate).
DEFAULT_LADDER: tuple[str, ...] = (
    "BF16",
    "Q8_0",
    "Q6_K",
    "Q5_K_M",
    "Q4_K_M",
    "IQ4_XS",
    "Q3_K_M",
    "IQ3_XXS",
    "Q2_K",
    "IQ2_XXS",
    "IQ1_M",
    "IQ1_S",
)
# MLX quantisations offered (estimated) on Apple silicon, where mlx_lm runs them.
MLX_LADDER: tuple[str, ...] = ("MLX-8BIT", "MLX-6BIT", "MLX-4BIT")


class Tier(StrEnum):
    """How much of the model's quality a quant keeps, by its nominal bits (the digit in its name), as people who
    run them sort them: 8 bits and up near-lossless; 5-6 high; 4 good (the usual pick); 3 fair; 2 and below degraded.
    The perplexity each type adds (catalog/data/quants/quality.yaml) falls the same way."""

    NEAR_LOSSLESS = "near-lossless"
    HIGH = "high"
    GOOD = "good"
    FAIR = "fair"
    DEGRADED = "degraded"


_TIER_BY_BITS = ((8, Tier.NEAR_LOSSLESS), (5, Tier.HIGH), (4, Tier.GOOD), (3, Tier.FAIR))
_FOUR_BIT_FORMATS = re.compile(r"MXFP4|NVFP4|AWQ|GPTQ|W4A16|INT4")
_EIGHT_BIT_FORMATS = re.compile(r"FP8|INT8|W8A8|W8A16")
_SIXTEEN_BIT = re.compile(r"^(UD[-_])?(BF16|F16|FP16|F32)$")
_GGUF_DIGIT = re.compile(r"(?<![A-Z0-9])(?:UD[-_])?(?:I?Q|TQ)(\d)(?:[_.]|$)")
_MLX_BITS = re.compile(r"(\d+(?:\.\d+)?)[-_]?BIT")


def nominal_bits(name: str, bits_per_weight: float) -> int:
    """The bits a quant is named for: Q4_K_M 4, UD-IQ2_XXS 2, MXFP4 4, FP8 8, MLX 6bit 6, BF16 16. A MoE mix named
    by its types ([default]-[FFN_UP]-[FFN_GATE]-[FFN_DOWN], AesSedai's convention): its routed experts' types, the
    mean of their digits rounded down (`_expert_mix_bits`). Another custom mix or an unknown name: its measured bits,
    rounded down."""
    n = name.strip().upper()
    mix = _expert_mix_bits(n)
    if mix is not None:
        return mix
    if _SIXTEEN_BIT.match(n.replace("-", "_")):
        return 16
    if _FOUR_BIT_FORMATS.search(n):
        return 4
    if _EIGHT_BIT_FORMATS.search(n):
        return 8
    digits = _GGUF_DIGIT.findall(n)
    if len(digits) == 1:
        return int(digits[0])
    mlx = _MLX_BITS.search(n)
    if mlx and not digits:
        return int(float(mlx.group(1)))
    return max(int(bits_per_weight), 1)


def _expert_mix_bits(name: str) -> int | None:
    """A mix named [default]-[FFN_UP]-[FFN_GATE]-[FFN_DOWN] (catalog/data/models/glm.yaml): the experts hold nearly all
    of a MoE model's weights, up, gate and down a third each, so the mix is named for the mean of their types'
    digits, rounded down; the default type (Q8_0 attention, a few percent of the weights) is left out. AesSedai's
    GLM-4.7 Q8_0-Q4_K-Q4_K-Q5_K (5.03 bits a weight with its Q8_0 attention, which he lists as Q4_K_M) is a 4-bit
    file, not a 5-bit one beside a 4-bit Q4_K_M; his Q8_0-IQ3_S-IQ3_S-IQ4_XS has 3-bit gate and up experts."""
    fields = name.split("-")
    if len(fields) != 4:
        return None
    digits = [_GGUF_DIGIT.findall(f) for f in fields]
    if not all(len(d) == 1 for d in digits):
        return None
    experts = [int(d[0]) for d in digits[1:]]
    return sum(experts) // len(experts)


def tier(name: str, bits_per_weight: float) -> Tier:
    bits = nominal_bits(name, bits_per_weight)
    return next((t for least, t in _TIER_BY_BITS if bits >= least), Tier.DEGRADED)
