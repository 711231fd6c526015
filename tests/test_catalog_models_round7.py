"""Models the catalog had sized as ad-hoc ones or refused (Llama-3.3-Nemotron-Super-49B borrowed Qwen3-32B's shape, the
NAS-pruned Ultra 253B Llama 3.1 405B's; Granite 4.0 H-Micro was refused as unknown): each entry holds its config.json's
shape, and the memory it needs at a stated context is what that config implies, written out here as the config's own
arithmetic (not read back from the engine). The questions are ones people post: "Nemotron Super 49B on two 3090s?",
"does the 49B fit one 5090 at 16k?", "granite4:micro-h on an 8 GB laptop card?"."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory
from engine.parse import parse_model
from tests.fixtures import assert_pick

# The shape each config gives: layers, layers with attention (a KV cache), KV heads, head width, native context
SHAPES = {
    # Super 49B v1: 80 blocks, 31 with attention no_op; 64 heads in groups of 8 -> 8 KV heads of 8192 / 64
    "llama-3.3-nemotron-super-49b": (80, 49, 8, 128, 131_072),
    # Ultra 253B v1: 162 blocks, 98 with attention no_op; 128 heads in groups of 16 -> 8 KV heads of 16384 / 128
    "llama-3.1-nemotron-ultra-253b": (162, 64, 8, 128, 131_072),
    # Granite 4.0 H-Micro: 40 layers, 4 attention and 36 Mamba-2; 32 heads / 8 KV heads of 64; 128K
    "granite-4.0-h-micro": (40, 4, 8, 64, 131_072),
}


def _shape(real_catalog: Catalog, model_id: str) -> tuple[int, ...]:
    m = real_catalog.models[model_id]
    a = m.attention
    assert a.n_kv_heads is not None and a.head_dim is not None
    with_cache = m.layers - a.sliding_window_layers - a.linear_attention_layers - a.non_attention_layers
    return m.layers, with_cache, a.n_kv_heads, a.head_dim, m.context_max_tokens


@pytest.mark.parametrize("model_id", SHAPES)
def test_the_entry_holds_the_configs_shape(real_catalog: Catalog, model_id: str) -> None:
    assert _shape(real_catalog, model_id) == SHAPES[model_id]


# (model, context, the KV cache in bytes at 16 bits for one sequence as its config implies)
KV = [
    # 49 attention blocks x 2 (K, V) x 8 heads x 128 x 2 bytes: 196 KiB a token, 6.1 GiB at 32k
    ("llama-3.3-nemotron-super-49b", 32_768, 49 * 2 * 8 * 128 * 2 * 32_768),
    ("llama-3.3-nemotron-super-49b", 131_072, 49 * 2 * 8 * 128 * 2 * 131_072),
    # 64 attention blocks: 256 KiB a token, 32 GiB at 128k (a Llama 3.1 405B of 126 layers holds 63 GiB)
    ("llama-3.1-nemotron-ultra-253b", 131_072, 64 * 2 * 8 * 128 * 2 * 131_072),
    # 4 attention layers x 2 x 8 heads x 64 x 2 bytes (8 KiB a token) + 36 Mamba-2 states of 64 heads x 64 x 128 +
    # 3 x (4096 + 2 x 128) values in F32 each, whatever the context
    ("granite-4.0-h-micro", 32_768, 4 * 2 * 8 * 64 * 2 * 32_768 + 36 * (64 * 64 * 128 + 3 * (4096 + 2 * 128)) * 4),
    ("granite-4.0-h-micro", 131_072, 4 * 2 * 8 * 64 * 2 * 131_072 + 36 * (64 * 64 * 128 + 3 * (4096 + 2 * 128)) * 4),
]


@pytest.mark.parametrize(("model_id", "context", "expected"), KV, ids=[f"{k[0]}@{k[1]}" for k in KV])
def test_kv_cache_is_what_the_config_implies(real_catalog: Catalog, model_id: str, context: int, expected: int) -> None:
    assert memory.kv_cache_bytes(real_catalog.models[model_id], context) == expected


# (model as typed, the parameter count the config's blocks add up to: see the catalog entry's comment)
PARAMS = [("nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", 49.87), ("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1", 253.4)]


@pytest.mark.parametrize(("name", "params_b"), PARAMS, ids=[p[0] for p in PARAMS])
def test_named_by_repo_with_the_configs_count(real_catalog: Catalog, name: str, params_b: float) -> None:
    m = parse_model(name, real_catalog)
    assert not m.adhoc and m.total_params_b == params_b


# (model as typed, hardware as typed, context, quants a regular would name, the checkpoint llama.cpp loads or None)
ASKED = [
    # "Nemotron Super 49B on two 3090s": bartowski's Q4_K_M (30.2 GB) split across both cards at 32k
    (
        "nemotron super 49b",
        "2x rtx 3090",
        None,
        {"Q4_K_M"},
        "bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1_5-GGUF:Q4_K_M",
    ),
    # "granite4:micro-h on an 8 GB laptop card": an 8-bit checkpoint (3 GB) and its whole 128K context (1.2 GB) fit
    ("granite4:micro-h", "rtx 4060 laptop", 131_072, {"FP8", "Q8_0"}, None),
    # one 32 GB card (32 GiB, 34.4 GB) at 16k: the 30.2 GB 4-bit file with a q8_0 cache, 49 x 2 x 8 x 128 x 16,384
    # values at 8.5 bits = 1.75 GB, where a 16-bit cache (3.3 GB) would not leave room for the buffers
    ("llama 3.3 nemotron super 49b", "rtx 5090", 16_384, {"Q4_K_M"}, None),
]


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quants", "checkpoint"), ASKED, ids=[f"{a[0]}@{a[1]}" for a in ASKED]
)
def test_what_people_ask(
    real_catalog: Catalog, model: str, hardware: str, context: int | None, quants: set[str], checkpoint: str | None
) -> None:
    assert_pick(real_catalog, model, hardware, context, quants, checkpoint)
