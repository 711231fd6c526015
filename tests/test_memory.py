"""KV cache and weights, worked out by hand from each architecture's config."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.types import Attention, Experts, Model
from engine import memory

D = dt.date(2026, 11, 1)


def model(layers: int, attention: Attention, **kw: object) -> Model:
    base: dict[str, object] = dict(
        id="m",
        name="m",
        family="t",
        total_params_b=10,
        layers=layers,
        context_max_tokens=1 << 20,
        attention=attention,
        source="test",
        as_of=D,
    )
    base.update(kw)
    return Model(**base)  # type: ignore[arg-type]


GQA = lambda kv, hd, **kw: Attention(kind="gqa", n_kv_heads=kv, head_dim=hd, **kw)  # noqa: E731
V4 = Attention(
    kind="compressed",
    n_heads=64,
    head_dim=512,
    compressed_kv_bytes_per_token=6880,
    sliding_window_tokens=128,
    sliding_window_layers=43,
)

# (architecture, model, context, kv type, sequences, expected bytes): each figure by hand in the comment.
KV_CASES = [
    # Llama-3.1-8B: 32 layers x 8 kv heads x 128 x (K+V) x 2 bytes = 131072 B/token
    ("gqa llama-3.1-8b", model(32, GQA(8, 128)), 32768, "f16", 1, 131072 * 32768),
    # Llama-2-7B MHA: 32 x 32 x 128 x 2 x 2 = 524288 B/token
    ("mha llama-2-7b", model(32, GQA(32, 128)), 4096, "f16", 1, 524288 * 4096),
    # q8_0: 34 bytes per 32 values: 32 x 8 x 256 x 34/32 = 69632 B/token
    ("gqa q8_0", model(32, GQA(8, 128)), 1000, "q8_0", 1, 69632 * 1000),
    # q4_0: 18 bytes per 32 values: 32 x 8 x 256 x 18/32 = 36864 B/token
    ("gqa q4_0", model(32, GQA(8, 128)), 1000, "q4_0", 1, 36864 * 1000),
    # DeepSeek-V3 MLA: 61 layers x (512 + 64) x 2 bytes = 70272 B/token
    (
        "mla deepseek-v3",
        model(61, Attention(kind="mla", kv_lora_rank=512, qk_rope_head_dim=64)),
        8192,
        "f16",
        1,
        70272 * 8192,
    ),
    # DeepSeek-V3.2 adds a 128-dim indexer key: 61 x (576 + 128) x 2 = 85888 B/token
    (
        "mla + indexer deepseek-v3.2",
        model(61, Attention(kind="mla", kv_lora_rank=512, qk_rope_head_dim=64, indexer_head_dim=128)),
        8192,
        "f16",
        1,
        85888 * 8192,
    ),
    # gpt-oss-20b: 24 layers, 12 with a 128-token window; 8 x 64 x 2 x 2 = 2048 B/token/layer
    # 2048 x (12 x 32768 + 12 x 128) = 808452096
    (
        "sliding gpt-oss-20b",
        model(24, GQA(8, 64, sliding_window_tokens=128, sliding_window_layers=12)),
        32768,
        "f16",
        1,
        808452096,
    ),
    # Gemma-3-27B: 62 layers, 52 local (1024 window), 16 kv x 128: 8192 B/token/layer
    # 8192 x (10 x 32768 + 52 x 1024) = 3120562176
    (
        "sliding gemma-3-27b",
        model(62, GQA(16, 128, sliding_window_tokens=1024, sliding_window_layers=52)),
        32768,
        "f16",
        1,
        3120562176,
    ),
    # Qwen3-Next-style hybrid: 12 full layers of 2 kv heads x (256 + 256) x 2 bytes = 2048 B/token/layer,
    # the 36 linear layers hold a fixed 1 MB state each
    # 12 x 2048 x 1000 + 36 x 1e6 = 60576000
    (
        "hybrid linear qwen3-next",
        model(48, GQA(2, 256, linear_attention_layers=36, recurrent_state_bytes_per_layer=1_000_000)),
        1000,
        "f16",
        1,
        60_576_000,
    ),
    # Nemotron-H style: 52 layers, 6 attention (2 kv heads x 128), 23 Mamba (fixed 2 MB state), 23 MoE-only
    # 6 x 2 x 256 x 2 = 6144 B/token, + 23 x 2 MB
    (
        "hybrid mamba + moe-only layers",
        model(
            52,
            GQA(2, 128, linear_attention_layers=23, recurrent_state_bytes_per_layer=2_000_000, non_attention_layers=23),
        ),
        1000,
        "f16",
        1,
        6144 * 1000 + 23 * 2_000_000,
    ),
    # Falcon-H1-34B, a parallel hybrid: all 72 layers run attention (4 kv heads x 128: 2048 B/token/layer) and a
    # Mamba-2 mixer beside it (32 heads x 128 x 256 + 3 x (4096 + 2 x 2 x 256) = 1,063,936 F32 values: 4,255,744 B)
    # 72 x 2048 x 1000 + 72 x 4,255,744 = 453869568 (counting only the KV, as for a plain transformer: 147456000)
    (
        "parallel hybrid falcon-h1-34b",
        model(72, GQA(4, 128, parallel_state_layers=72, recurrent_state_bytes_per_layer=4_255_744)),
        1000,
        "f16",
        1,
        453_869_568,
    ),
    # Gemma 3n E4B: 35 layers, 28 sliding (512) and 7 full, 2 kv heads x 256: 2048 B/token/layer; the last 15 layers
    # (12 sliding, 3 full) reuse earlier layers' KV, so 4 full and 16 sliding layers hold a cache
    # 2048 x (4 x 32768 + 16 x 512) = 285212672 (without the sharing 2048 x (7 x 32768 + 28 x 512) = 499122176)
    (
        "kv-shared gemma-3n-e4b",
        model(
            35,
            GQA(
                2,
                256,
                sliding_window_tokens=512,
                sliding_window_layers=28,
                kv_shared_sliding_layers=12,
                kv_shared_full_layers=3,
            ),
        ),
        32768,
        "f16",
        1,
        285_212_672,
    ),
    # Four parallel sequences multiply everything
    ("4 sequences", model(32, GQA(8, 128)), 8192, "f16", 4, 4 * 131072 * 8192),
    # v_head_dim differing from head_dim (K 192, V 128): 8 x 320 x 2 = 5120 B/token/layer
    (
        "k/v dims differ",
        model(10, Attention(kind="gqa", n_kv_heads=8, head_dim=192, v_head_dim=128)),
        100,
        "f16",
        1,
        5120 * 10 * 100,
    ),
    # DeepSeek V4 compressed attention: 6,880 B/token over all layers + a 128-token raw window of 512 values a layer
    ("compressed, deep", model(43, V4), 32768, "f16", 1, 6880 * 32768 + 43 * 128 * 512 * 2),
    ("compressed, inside the window", model(43, V4), 100, "f16", 1, 6880 * 100 + 43 * 100 * 512 * 2),
    ("compressed, q8_0", model(43, V4), 32768, "q8_0", 1, 6880 * 34 / 64 * 32768 + 43 * 128 * 512 * 34 / 32),
    ("compressed, 2 sequences", model(43, V4), 1000, "f16", 2, 2 * (6880 * 1000 + 43 * 128 * 512 * 2)),
]


@pytest.mark.parametrize(
    ("name", "m", "context", "kv_type", "n_seq", "expected"), KV_CASES, ids=[c[0] for c in KV_CASES]
)
def test_kv_cache_bytes(name: str, m: Model, context: int, kv_type: memory.KvType, n_seq: int, expected: int) -> None:
    assert memory.kv_cache_bytes(m, context, kv_type, n_seq) == pytest.approx(expected, rel=1e-9, abs=1)


@pytest.mark.parametrize(
    ("name", "m", "context", "kv_type", "n_seq", "expected"), KV_CASES, ids=[c[0] for c in KV_CASES]
)
def test_kv_profile_one_sequence_is_the_total_over_n_seq(
    name: str, m: Model, context: int, kv_type: memory.KvType, n_seq: int, expected: int
) -> None:
    profile = memory.kv_profile(m, kv_type, n_seq)
    assert profile.bytes_at(context) == memory.kv_cache_bytes(m, context, kv_type, n_seq)
    assert profile.one_sequence_bytes(context) == pytest.approx(expected / n_seq, rel=1e-9, abs=1)


def test_one_fit_reading_builds_one_kv_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every quant, its placement, speed, longest context, concurrency and shorter-context check share one
    profile: the KV cache is worked out once per (model, KV type, sequences), not per question asked of it."""
    from engine.fit import FitOptions, fit_reading
    from engine.parse import parse_hardware
    from tests.fixtures import BIG_MOE, catalog

    calls: list[memory.KvType] = []
    real = memory.kv_profile

    def counted(m: Model, kv_type: memory.KvType = "f16", n_seq: int = 1) -> memory.KvProfile:
        calls.append(kv_type)
        return real(m, kv_type, n_seq)

    monkeypatch.setattr(memory, "kv_profile", counted)
    reading = parse_hardware("M3 Ultra 512GB", catalog())[0]
    report = fit_reading(BIG_MOE, reading, 131_072, FitOptions(kv_type="q8_0"))
    assert len(report.options) > 1 and calls == ["q8_0"]


def test_compressed_attention_grows_by_its_bytes_per_token() -> None:
    m = model(43, V4)
    assert memory.kv_growth_per_token(m, 64) == 6880 + 43 * 512 * 2  # the raw window still filling
    assert memory.kv_growth_per_token(m, 4096) == 6880


def test_compressed_attention_needs_its_bytes_per_token() -> None:
    with pytest.raises(ValueError, match="compressed_kv_bytes_per_token"):
        Attention(kind="compressed", n_heads=64, head_dim=512)


def test_kv_shared_layers_cannot_outnumber_their_kind() -> None:
    with pytest.raises(ValueError, match=r"kv_shared_sliding_layers \(13\) exceeds sliding_window_layers \(12\)"):
        GQA(2, 256, sliding_window_tokens=512, sliding_window_layers=12, kv_shared_sliding_layers=13)
    with pytest.raises(ValueError, match=r"kv_shared_full_layers \(8\) exceeds the 7 full layers"):
        model(35, GQA(2, 256, sliding_window_tokens=512, sliding_window_layers=28, kv_shared_full_layers=8))


def test_sliding_layers_stop_growing_past_the_window() -> None:
    m = model(24, GQA(8, 64, sliding_window_tokens=128, sliding_window_layers=12))
    assert memory.kv_growth_per_token(m, 64) == 24 * 2048
    assert memory.kv_growth_per_token(m, 4096) == 12 * 2048


def test_expert_fraction_from_total_active_and_routing() -> None:
    # total = D + E = 100, active = D + E x 8/64 = 30  =>  E = 70 / (7/8) = 80
    m = model(10, GQA(8, 128), total_params_b=100, active_params_b=30, experts=Experts(n_routed=64, n_active=8))
    assert memory.expert_fraction(m) == pytest.approx(0.8)
    assert memory.active_fraction(m) == pytest.approx(0.3)


def test_dense_model_has_no_experts() -> None:
    assert memory.expert_fraction(model(32, GQA(8, 128))) == 0


@pytest.mark.parametrize(
    ("quant", "bits"),
    [
        ("Q4_K_M", 4.84),
        ("q8_0", 8.51),
        ("UD-IQ2_XXS", 2.15),  # measured on Llama-3.1-405B IQ2_XXS (109.0 GB), engine/quants.py
        ("IQ1_S", 1.71),  # Llama-3.1-405B IQ1_S (86.8 GB)
        ("MXFP4", 4.25),
        ("Q6_K_L", 6.58),
        ("F16", 16.0),
    ],
)
def test_weights_estimate_uses_the_quant_bits(quant: str, bits: float) -> None:
    w = memory.weights_estimate(model(32, GQA(8, 128), total_params_b=70), quant)
    assert w is not None and w.basis == "estimated"
    assert w.n_bytes == int(70e9 * bits / 8)


def test_unknown_quant_has_no_estimate() -> None:
    assert memory.weights_estimate(model(32, GQA(8, 128)), "Q9_Z") is None


# Every file type llama.cpp's llama-quantize writes (LLAMA_FTYPE_*), plus the suffixed names publishers use.
LLAMA_FILE_TYPES = [
    "F32",
    "F16",
    "BF16",
    "Q4_0",
    "Q4_1",
    "Q5_0",
    "Q5_1",
    "Q8_0",
    "Q2_K",
    "Q2_K_S",
    "Q3_K_S",
    "Q3_K_M",
    "Q3_K_L",
    "Q4_K_S",
    "Q4_K_M",
    "Q5_K_S",
    "Q5_K_M",
    "Q6_K",
    "IQ1_S",
    "IQ1_M",
    "IQ2_XXS",
    "IQ2_XS",
    "IQ2_S",
    "IQ2_M",
    "IQ3_XXS",
    "IQ3_XS",
    "IQ3_S",
    "IQ3_M",
    "IQ4_NL",
    "IQ4_XS",
    "TQ1_0",
    "TQ2_0",
    "MXFP4_MOE",
    "Q4_K_L",
    "Q6_K_L",
    "Q3_K_XL",
    "UD-Q2_K_XL",
    "UD-Q4_K_XL",
    "UD-Q6_K_XL",
    "UD-Q8_K_XL",
    "UD-IQ1_S",
    "UD-IQ2_XXS",
    "UD-IQ2_M",
    "UD-TQ1_0",
]


@pytest.mark.parametrize("name", LLAMA_FILE_TYPES)
def test_every_gguf_file_type_has_bits(name: str) -> None:
    from engine import quants

    qt = quants.lookup(name)
    assert qt is not None and 1.5 <= qt.bits_per_weight <= 32


@pytest.mark.parametrize("prompt_tokens", [512, 32768])
def test_prefill_counts_no_attention_flops_for_compressed_attention(prompt_tokens: int) -> None:
    """DeepSeek V4 attends to a top-k of compressed entries: the FLOPs per token do not grow with the prompt."""
    from engine.speed import prefill_flops_per_token

    compressed, dense = model(43, V4), model(43, GQA(8, 128, n_heads=32))
    assert prefill_flops_per_token(compressed, prompt_tokens) == 2 * compressed.total_params_b * 1e9
    assert prefill_flops_per_token(dense, prompt_tokens) > 2 * dense.total_params_b * 1e9
