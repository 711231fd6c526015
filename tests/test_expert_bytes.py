"""What a token reads of a MoE file, by the block types its file type gives each tensor (engine/mixes.py shares,
engine/memory.py expert_bytes and active_bytes) rather than by parameters. gpt-oss is released with MXFP4 experts
(4.25 bits) and every GGUF keeps them so, beside Q8_0 or 16-bit attention, embeddings and output: the experts are
less of the file's bytes than of its parameters, and the dense part every token reads is more. Measured on a DGX
Spark (273 GB/s), gpt-oss-20b's MXFP4 file decodes at 84 tok/s (bench/measured_runs.csv, github:ggml-org/llama.cpp
benches/dgx-spark.md): 2.1 GB a token at the parameter share would be 0.64 of the bandwidth where
Qwen3-Coder-30B-A3B Q8_0, one type throughout, reaches 0.78; 2.6 GB by the file's shares is 0.79."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory, mixes

# (model, file type as people name it, a file's bytes (the shares are the file type's: the size only scales
# them), why)
OWN_TYPE = [
    ("gpt-oss-20b", "MXFP4", 12_101_000_000, "ggml-org's MXFP4_MOE file: experts MXFP4, the rest Q8_0"),
    ("gpt-oss-20b", "F16", 13_800_000_000, "unsloth's 'F16' keeps the experts MXFP4 and the rest 16-bit"),
    ("gpt-oss-20b", "Q4_K_M", 11_600_000_000, "a k-quant name, MXFP4 experts all the same"),
    ("gpt-oss-120b", "MXFP4", 63_372_000_000, "the 120b: 128 experts, 4 active"),
    ("gpt-oss-120b", "UD-Q8_K_XL", 64_000_000_000, "a dynamic quant of a model released with MXFP4 experts"),
    ("qwen3.5-35b-a3b", "MXFP4_MOE", 21_600_000_000, "unsloth's MXFP4_MOE of a model released in BF16"),
]


@pytest.mark.parametrize(("model_id", "quant", "file_bytes", "why"), OWN_TYPE)
def test_experts_of_their_own_type_are_less_of_the_file_than_of_the_parameters(
    real_catalog: Catalog, model_id: str, quant: str, file_bytes: int, why: str
) -> None:
    model = real_catalog.models[model_id]
    shares = mixes.shares(model, quant)
    assert shares is not None, why
    assert shares.experts < memory.expert_fraction(model), why
    assert memory.expert_bytes(model, file_bytes, quant) == pytest.approx(file_bytes * shares.experts), why
    assert memory.active_bytes(model, file_bytes, quant) > file_bytes * memory.active_fraction(model), why
    assert memory.active_bytes(model, file_bytes, quant) < file_bytes * (1 - shares.experts * 0.5), why


@pytest.mark.parametrize(
    ("quant", "file_bytes", "gb_read"),
    [
        ("MXFP4", 12_101_000_000, 2.58),  # 12.1 GB less 28/32 of the experts' 84% and the 5% token table
        ("F16", 13_800_000_000, 3.72),  # the rest at 16 bits: more of every token's bytes
    ],
)
def test_gpt_oss_20b_reads_its_dense_part_and_four_experts_of_32(
    real_catalog: Catalog, quant: str, file_bytes: int, gb_read: float
) -> None:
    """19.8B of its 20.9B parameters are experts (from total and active, 4 of 32 routed), 84% of an MXFP4_MOE
    file's bits; the token embeddings (201,088 x 2,880, not tied to the output) are looked up a row at a time."""
    model = real_catalog.models["gpt-oss-20b"]
    assert memory.active_bytes(model, file_bytes, quant) / 1e9 == pytest.approx(gb_read, abs=0.02)


# (model, k-quant file type, why): the experts take the FFN's types, attention and output are kept at more bits
K_QUANTS = [
    ("qwen3-30b-a3b", "Q4_K_M", "Q4_K experts, Q6_K output and half the attention values"),
    ("qwen3-coder-30b-a3b", "Q8_0", "one type almost throughout: the shares stay near the parameters'"),
    ("glm-4.7-flash", "Q4_K_M", "64 experts, 4 active, MLA attention"),
]


@pytest.mark.parametrize(("model_id", "quant", "why"), K_QUANTS)
def test_a_k_quant_reads_by_its_mix_too(real_catalog: Catalog, model_id: str, quant: str, why: str) -> None:
    model = real_catalog.models[model_id]
    shares = mixes.shares(model, quant)
    assert shares is not None, why
    assert shares.experts <= memory.expert_fraction(model), why
    file_bytes = 18_000_000_000
    read = memory.active_bytes(model, file_bytes, quant)
    e = model.experts
    assert e is not None
    routed = file_bytes * shares.experts * e.n_active / e.n_routed
    dense = file_bytes * (1 - shares.experts - shares.token_embd)
    assert read == pytest.approx(routed + dense, rel=1e-3), why  # and one row of the token table, nothing more


# (model, file type, why the parameter share stands)
PARAMETER_SHARE = [
    ("qwen3-30b-a3b", "UD-Q4_K_XL", "a publisher's own recipe: its split is not known"),
    ("llama-3.1-8b", "Q4_K_M", "dense: no experts"),
    ("gemma-4-e4b", "Q4_K_M", "dense, with a per-layer table looked up"),
    ("qwen3-30b-a3b", None, "no file type named"),
]


@pytest.mark.parametrize(("model_id", "quant", "why"), PARAMETER_SHARE)
def test_otherwise_a_token_reads_the_parameter_share(
    real_catalog: Catalog, model_id: str, quant: str | None, why: str
) -> None:
    model = real_catalog.models[model_id]
    file_bytes = 18_000_000_000
    assert mixes.shares(model, quant) is None, why
    assert memory.expert_bytes(model, file_bytes, quant) == pytest.approx(file_bytes * memory.expert_fraction(model))
    assert memory.active_bytes(model, file_bytes, quant) == pytest.approx(file_bytes * memory.active_fraction(model))


def test_a_model_released_with_mxfp4_experts_reads_so_with_no_file_type_named(real_catalog: Catalog) -> None:
    """Placement sizes files it was given only bytes for: gpt-oss keeps its experts MXFP4 in every file."""
    model = real_catalog.models["gpt-oss-120b"]
    assert mixes.shares(model, None) == mixes.shares(model, "MXFP4")
