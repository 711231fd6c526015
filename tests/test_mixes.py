"""File sizes from a model's parameter split (engine/mixes.py), checked against files people download: the size a
publisher lists for a model and type (the catalog's published rows, each with its source) against the estimate made
from the model's shapes alone, with none of its own files used."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory, mixes

# (model, file type as published, why it is a useful case): sizes are the catalog's published rows
PUBLISHED = [
    ("llama-3.1-8b", "Q4_K_M", "the size everyone quotes for an 8B (bartowski 4.92 GB)"),
    ("llama-3.1-8b", "Q8_0", "a single-type file: only the output and norms differ"),
    ("llama-3.1-8b", "Q3_K_M", "attn_v and ffn_down raised to Q4_K"),
    ("llama-3.1-8b", "Q2_K", "Q2_K keeps ffn_down at Q3_K and attn_v at Q4_K with GQA"),
    ("llama-3.1-8b", "IQ4_XS", "an i-quant with attn_v at Q5_K"),
    ("qwen3-32b", "Q4_K_M", "a 32B on a 24 GB card"),
    ("gemma-3-27b", "Q4_K_M", "a 262k vocabulary, tied embeddings"),
    ("qwen3-30b-a3b", "Q4_K_M", "128 experts, no shared expert"),
    ("qwen3-coder-30b-a3b", "Q6_K", "the same shape at Q6_K"),
    ("deepseek-r1", "Q4_K_M", "671B MLA, 256 experts with a shared one"),
    ("minimax-m2.1", "Q4_K_M", "a 229B MoE"),
    ("kimi-k2", "Q8_0", "a trillion parameters at Q8_0"),
    ("gpt-oss-120b", "MXFP4", "MXFP4_MOE: experts MXFP4, the rest Q8_0"),
    ("gpt-oss-120b", "Q4_K_M", "released in MXFP4: its experts stay MXFP4 in a Q4_K_M file"),
    ("gpt-oss-20b", "F16", "an 'F16' gpt-oss file is 13.8 GB, not 42: the experts stay MXFP4"),
]


@pytest.mark.parametrize(("model", "quant", "why"), PUBLISHED, ids=[f"{m}:{q}" for m, q, _ in PUBLISHED])
def test_split_estimate_matches_the_published_file(real_catalog: Catalog, model: str, quant: str, why: str) -> None:
    m = real_catalog.models[model]
    published = next(q for q in m.quants if q.name == quant and q.format == "gguf")
    bits = mixes.bits_per_weight(m, quant)
    assert bits is not None, why
    estimate = bits * m.total_params_b * 1e9 / 8
    assert estimate == pytest.approx(published.file_bytes, rel=0.02), (why, estimate / 1e9, published.file_bytes / 1e9)


def test_an_estimate_says_it_is_one_and_how(real_catalog: Catalog) -> None:
    m = real_catalog.models["qwen3-32b"]
    w = memory.weights_estimate(m, "Q5_K_M")
    assert w is not None and w.basis == "estimated" and w.bits_basis is not None
    assert w.bits_basis.startswith(memory.SPLIT_BASIS)


def test_q4_k_m_runs_above_its_block_type(real_catalog: Catalog) -> None:
    """shared/SIZING.md §1: Q4_K_M is about 4.8-4.9 bits a weight on Llama-class dense models, not Q4_K's 4.5."""
    for model in ("llama-3.1-8b", "qwen3-32b", "qwen2.5-72b"):
        bits = mixes.bits_per_weight(real_catalog.models[model], "Q4_K_M")
        assert bits is not None and 4.75 <= bits <= 4.95, (model, bits)


def test_the_ladder_descends(real_catalog: Catalog) -> None:
    """Every model the split covers: each step down the k-quants, and down the i-quants, is smaller (across the two
    families the order may swap on a small model with a large vocabulary: IQ3_XXS stores the output at Q5_K, Q2_K at
    Q6_K)."""
    for ladder in (
        ("BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K"),
        ("IQ4_XS", "IQ3_XXS", "IQ2_XXS", "IQ1_S"),
    ):
        for m in real_catalog.models.values():
            bits = [mixes.bits_per_weight(m, q) for q in ladder]
            if None in bits:
                continue
            assert bits == sorted(bits, reverse=True), (m.id, bits)


def test_large_variants_keep_embeddings_at_q8_0(real_catalog: Catalog) -> None:
    m = real_catalog.models["llama-3.1-8b"]
    plain, large = mixes.bits_per_weight(m, "Q4_K_M"), mixes.bits_per_weight(m, "Q4_K_L")
    assert plain is not None and large is not None and large > plain
    assert mixes.bits_per_weight(m, "UD-Q4_K_XL") is None  # a dynamic recipe is the publisher's own


def test_no_split_without_shapes(real_catalog: Catalog) -> None:
    m = real_catalog.models["llama-3.1-8b"].model_copy(update={"hidden_size": None})
    assert mixes.split(m) is None and mixes.bits_per_weight(m, "Q4_K_M") is None
    w = memory.weights_estimate(m, "Q4_K_M")
    assert w is not None and not (w.bits_basis or "").startswith(memory.SPLIT_BASIS)
