"""Models people ask about that the catalog lacked (LFM2-24B-A2B, MiMo-V2-Flash, GLM-4.6V-Flash): each entry holds
its config.json's shape, and the memory it needs at a stated context is what that config implies, written out here as
the config's own arithmetic (not read back from the engine). The questions are ones people post: "LFM2-24B-A2B on my
4060 Ti 16GB?", "can a 512 GB Mac run MiMo-V2-Flash at 128k?", "GLM-4.6V-Flash on a 3060?"."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory
from tests.fixtures import assert_pick

# The shape each config gives: layers, global-attention layers, KV heads, K and V dims, window tokens and layers,
# fixed-state layers, experts (routed, per token, dense layers), native context (see each catalog entry's source)
SHAPES = {
    # LFM2-24B-A2B: 40 layers = 10 GQA + 30 short convolutions; 64 experts top-4, first 2 layers dense; 32,768 tokens
    "lfm2-24b-a2b": (40, 10, 8, 64, 64, None, 0, 30, (64, 4, 2), 32_768),
    # MiMo-V2-Flash: 48 layers, layer 0 and every 6th global (9), 39 sliding over 128 tokens; K 192 / V 128;
    # 256 experts top-8, layer 0 dense; 256k
    "mimo-v2-flash": (48, 9, 4, 192, 128, 128, 39, 0, (256, 8, 1), 262_144),
    # GLM-4.6V-Flash's language model (the GLM-V 9B text config): 40 dense layers, 32 heads / 2 KV heads of 128; 128k
    "glm-4.6v-flash": (40, 40, 2, 128, 128, None, 0, 0, None, 131_072),
}


def _shape(real_catalog: Catalog, model_id: str) -> tuple[object, ...]:
    m = real_catalog.models[model_id]
    a, e = m.attention, m.experts
    full = m.layers - a.sliding_window_layers - a.linear_attention_layers - a.non_attention_layers
    k_dim = a.head_dim
    return (
        m.layers,
        full,
        a.n_kv_heads,
        k_dim,
        a.v_head_dim or k_dim,
        a.sliding_window_tokens,
        a.sliding_window_layers,
        a.linear_attention_layers,
        None if e is None else (e.n_routed, e.n_active, e.dense_layers),
        m.context_max_tokens,
    )


@pytest.mark.parametrize("model_id", SHAPES)
def test_the_entry_holds_the_configs_shape(real_catalog: Catalog, model_id: str) -> None:
    assert _shape(real_catalog, model_id) == SHAPES[model_id]


# (model, context, the KV cache in bytes at 16 bits for one sequence as its config implies, tolerance, why)
KV = [
    # 10 attention layers x 2 (K, V) x 8 heads x 64 x 2 bytes x 32,768 + 30 convolution states of 2048 x 2 F32
    ("lfm2-24b-a2b", 32_768, 10 * 2 * 8 * 64 * 2 * 32_768 + 30 * 2048 * 2 * 4, 1e-9, "exact"),
    ("lfm2-24b-a2b", 8_192, 10 * 2 * 8 * 64 * 2 * 8_192 + 30 * 2048 * 2 * 4, 1e-9, "exact"),
    # 9 global layers x 4 heads x (192 + 128) x 2 bytes x context + 39 sliding layers x 8 heads x 320 x 2 x 128 tokens;
    # the engine sizes the sliding layers with the global layers' 4 KV heads: 12.8 MB under, 1.6% at 32k
    ("mimo-v2-flash", 32_768, 9 * 4 * 320 * 2 * 32_768 + 39 * 8 * 320 * 2 * 128, 0.02, "sliding heads"),
    ("mimo-v2-flash", 131_072, 9 * 4 * 320 * 2 * 131_072 + 39 * 8 * 320 * 2 * 128, 0.005, "sliding heads"),
    ("mimo-v2-flash", 262_144, 9 * 4 * 320 * 2 * 262_144 + 39 * 8 * 320 * 2 * 128, 0.003, "sliding heads"),
    # 40 layers x 2 x 2 heads x 128 x 2 bytes: 40 KiB a token, 5 GiB at its 128k
    ("glm-4.6v-flash", 131_072, 40 * 2 * 2 * 128 * 2 * 131_072, 1e-9, "exact"),
]


@pytest.mark.parametrize(("model_id", "context", "expected", "rel", "why"), KV, ids=[f"{k[0]}@{k[1]}" for k in KV])
def test_kv_cache_is_what_the_config_implies(
    real_catalog: Catalog, model_id: str, context: int, expected: int, rel: float, why: str
) -> None:
    assert memory.kv_cache_bytes(real_catalog.models[model_id], context) == pytest.approx(expected, rel=rel), why


def test_sliding_layers_stop_growing_past_128_tokens(real_catalog: Catalog) -> None:
    m = real_catalog.models["mimo-v2-flash"]
    # past the window only the 9 global layers grow: 9 x 4 x 320 x 2 bytes a token
    assert memory.kv_growth_per_token(m, 100_000) == pytest.approx(9 * 4 * 320 * 2)


# (model as typed, hardware as typed, context, quants a regular would name, the checkpoint llama.cpp loads or None)
ASKED = [
    # "LFM2-24B-A2B on a 16 GB card": Liquid's own Q4_K_M (14.4 GB) all on the GPU
    ("lfm2 24b", "rtx 4060 ti 16gb", None, {"Q4_K_M"}, "LiquidAI/LFM2-24B-A2B-GGUF:Q4_K_M"),
    # "fits in 32 GB of RAM" (Liquid's card): a CPU box with 32 GB of DDR5
    ("LFM2-24B-A2B", "32gb ddr5 cpu only", None, {"Q4_K_M"}, "LiquidAI/LFM2-24B-A2B-GGUF:Q4_K_M"),
    # "GLM-4.6V-Flash on a 3060 12GB?": a 4-bit file on the card, from Unsloth's repo
    ("glm 4.6v flash", "rtx 3060 12gb", None, {"Q4_K_M"}, "unsloth/GLM-4.6V-Flash-GGUF:Q4_K_M"),
    # MiMo-V2-Flash (309B) on a 512 GB Mac Studio at 128k: an 8-bit file in unified memory
    ("mimo v2 flash", "m3 ultra 512gb", 131_072, {"Q8_0", "Q6_K"}, None),
]


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quants", "checkpoint"), ASKED, ids=[f"{a[0]}@{a[1]}" for a in ASKED]
)
def test_what_people_ask(
    real_catalog: Catalog, model: str, hardware: str, context: int | None, quants: set[str], checkpoint: str | None
) -> None:
    assert_pick(real_catalog, model, hardware, context, quants, checkpoint)
