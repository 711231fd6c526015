"""Models people ask about that the catalog lacked (round 6: Gemma 3 270M, Nemotron Nano 12B v2): each entry holds
its config.json's shape, and the memory it needs at a stated context is what that config implies, written out here as
the config's own arithmetic (not read back from the engine). The questions are ones people post: "gemma 3 270m on a
raspberry pi / a 3060?", "nemotron nano 12b v2 at 128k on a 3060 12GB?"."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory
from engine.parse import parse_model

# (layers, attention layers holding the whole context, KV heads, head dim, window tokens, window layers, fixed-state
# layers, native context)
SHAPES = {
    # Gemma 3 270M: 18 layers, full attention at 5, 11, 17 (3), 15 sliding over 512 tokens; 1 KV head of 256; 32k
    "gemma-3-270m": (18, 3, 1, 256, 512, 15, 0, 32_768),
    # Nemotron Nano 12B v2: 62 layers = 6 attention ('*') + 28 Mamba-2 ('M') + 28 MLP ('-'); 8 KV heads of 128; 128k
    "nemotron-nano-12b-v2": (62, 6, 8, 128, None, 0, 28, 131_072),
}


@pytest.mark.parametrize("model_id", SHAPES)
def test_the_entry_holds_the_configs_shape(real_catalog: Catalog, model_id: str) -> None:
    m = real_catalog.models[model_id]
    a = m.attention
    full = m.layers - a.sliding_window_layers - a.linear_attention_layers - a.non_attention_layers
    got = (m.layers, full, a.n_kv_heads, a.head_dim, a.sliding_window_tokens, a.sliding_window_layers)
    assert (*got, a.linear_attention_layers, m.context_max_tokens) == SHAPES[model_id]


# (model, context, the KV cache in bytes at 16 bits for one sequence as its config implies)
KV = [
    # 3 global layers x 2 (K, V) x 1 head x 256 x 2 bytes x context + 15 sliding layers x the same x 512 tokens
    ("gemma-3-270m", 32_768, 3 * 2 * 256 * 2 * 32_768 + 15 * 2 * 256 * 2 * 512),
    ("gemma-3-270m", 4_096, 3 * 2 * 256 * 2 * 4_096 + 15 * 2 * 256 * 2 * 512),
    # below the window every layer holds the whole context: 18 x 1 KiB a token
    ("gemma-3-270m", 256, 18 * 2 * 256 * 2 * 256),
    # 6 attention layers x 2 x 8 heads x 128 x 2 bytes x context + 28 Mamba-2 states of
    # (128 heads x 80 x 128 state + 3 x (10240 + 2 x 8 groups x 128) conv) F32 values
    (
        "nemotron-nano-12b-v2",
        131_072,
        6 * 2 * 8 * 128 * 2 * 131_072 + 28 * (128 * 80 * 128 + 3 * (10240 + 2 * 8 * 128)) * 4,
    ),
    (
        "nemotron-nano-12b-v2",
        8_192,
        6 * 2 * 8 * 128 * 2 * 8_192 + 28 * (128 * 80 * 128 + 3 * (10240 + 2 * 8 * 128)) * 4,
    ),
]


@pytest.mark.parametrize(("model_id", "context", "expected"), KV, ids=[f"{k[0]}@{k[1]}" for k in KV])
def test_kv_cache_is_what_the_config_implies(real_catalog: Catalog, model_id: str, context: int, expected: int) -> None:
    assert memory.kv_cache_bytes(real_catalog.models[model_id], context) == pytest.approx(expected, rel=1e-9)


# Parameters from the configs' shapes
PARAMS = {
    # the tied 262,144 x 640 embedding table and 18 layers of attention and GeGLU MLP
    "gemma-3-270m": 262_144 * 640 + 18 * (640 * (1024 + 256 + 256) + 1024 * 640 + 3 * 640 * 2048),
    # 28 Mamba-2 mixers (in_proj to 2 x 10240 + 2 x 8 x 128 + 128 heads, out_proj), 28 squared-ReLU MLPs of 20480,
    # 6 attention layers, untied 131,072-row embedding and head
    "nemotron-nano-12b-v2": 28 * (5120 * (2 * 10240 + 2 * 8 * 128 + 128) + 10240 * 5120)
    + 28 * 2 * 5120 * 20480
    + 6 * (2 * 5120 * 5120 + 2 * 5120 * 1024)
    + 2 * 131_072 * 5120,
}


@pytest.mark.parametrize("model_id", PARAMS)
def test_the_parameter_count_is_the_configs(real_catalog: Catalog, model_id: str) -> None:
    entry = real_catalog.models[model_id].total_params_b
    assert entry == pytest.approx(PARAMS[model_id] / 1e9, rel=0.005)


# As people name it: Google's repo, Ollama's tag, GGUF uploads; a bare 270M borrows its design
ASKED = [
    ("google/gemma-3-270m-it", "gemma-3-270m"),
    ("gemma3:270m", "gemma-3-270m"),
    ("unsloth/gemma-3-270m-it-GGUF", "gemma-3-270m"),
    ("gemma 3 270m", "gemma-3-270m"),
    ("nvidia/NVIDIA-Nemotron-Nano-12B-v2-Base", "nemotron-nano-12b-v2"),
    ("nemotron_h 12B Q4_K - Medium", "nemotron-nano-12b-v2"),
    ("nemotron nano 9b v2", "nemotron-nano-9b-v2"),
]


@pytest.mark.parametrize(("name", "model_id"), ASKED)
def test_names_people_use(real_catalog: Catalog, name: str, model_id: str) -> None:
    assert parse_model(name, real_catalog).id == model_id
