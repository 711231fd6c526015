"""llama-quantize's fallback types for tensors whose rows are not whole 256-weight super-blocks (engine/mixes.py
FALLBACK): the estimate of a file follows them, so a model whose hidden size is not a multiple of 256 is not sized
at its file type's nominal bits."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import mixes


@pytest.mark.parametrize(
    ("block_type", "row", "stored"),
    [
        ("IQ2_XXS", 2688, "IQ4_NL"),  # Nemotron 3 Nano's hidden size: 10.5 super-blocks
        ("Q3_K", 1152, "IQ4_NL"),  # Gemma 3 1B
        ("Q4_K", 2880, "Q5_0"),  # gpt-oss
        ("Q5_K", 2880, "Q5_1"),
        ("Q6_K", 640, "Q8_0"),  # Gemma 3 270M
        ("Q4_K", 4096, "Q4_K"),  # whole super-blocks: as asked
        ("Q8_0", 2880, "Q8_0"),  # a 32-weight block type: never falls back
        ("Q4_K", 2884, "F16"),  # not whole 32-weight blocks either
    ],
)
def test_the_quantizer_falls_back_where_rows_are_not_whole_super_blocks(block_type: str, row: int, stored: str) -> None:
    assert mixes._fallback_type(block_type, row) == stored


# Published files of models whose hidden size is not a multiple of 256 (catalog file sizes): the estimate from the
# parameter split lands within 6% of each (metadata and tokenizer are a few MB of a 1B model's file). Before the
# fallback, Gemma 3 1B's Q2_K was estimated at 3.94 bits a weight against the published 5.52.
@pytest.mark.parametrize(
    ("model", "quant"),
    [
        ("gemma-3-1b", "Q2_K"),
        ("gemma-3-1b", "Q4_K_M"),
        ("gemma-3-1b", "Q6_K"),
        ("gpt-oss-20b", "Q2_K"),
        ("gpt-oss-20b", "Q4_K_M"),
        ("nemotron-nano-9b-v2", "Q4_K_M"),
    ],
)
def test_files_of_odd_hidden_sizes_are_sized_at_their_fallback_types(
    real_catalog: Catalog, model: str, quant: str
) -> None:
    m = real_catalog.models[model]
    published = next(q for q in m.quants if q.name == quant and q.file_bytes)
    assert published.file_bytes is not None
    published_bits = published.file_bytes * 8 / (m.total_params_b * 1e9)
    estimated = mixes.bits_per_weight(m, quant)
    assert estimated is not None
    assert estimated == pytest.approx(published_bits, rel=0.06), (estimated, published_bits)
