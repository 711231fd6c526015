"""Decode's fixed cost per layer counts a recurrent mixer as a layer again (engine/memory.py fixed_cost_layers):
the gated delta rule of Qwen3-Next and Qwen3.5, the Mamba-2 scan of Nemotron-H and the short convolution of LFM2
run kernels of their own in place of attention's, or beside it (Falcon-H1), where a plain layer runs attention's.
Counted once, the engine had put Qwen3.5-35B-A3B 0.2-0.4 and Qwen3-Next-80B-A3B 0.35-0.8 (in ln) above the decode
speeds published runs measure (bench/measured_runs.csv, held out by source)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.types import Model
from engine import memory, speed
from engine.parse import parse_hardware
from engine.placement import place

# (model, config.json's layers and its recurrent ones, the count decode's fixed cost takes)
COUNTS = [
    ("qwen3-next-80b-a3b", "48 layers, 36 gated delta net", 84),
    ("qwen3.5-35b-a3b", "40 layers, 30 gated delta net", 70),
    ("nemotron-3-nano-30b-a3b", "52 blocks, 23 Mamba-2", 75),
    ("lfm2-8b-a1b", "24 layers, 18 short convolutions", 42),
    ("falcon-h1-7b", "44 layers, each attention beside a Mamba mixer", 88),
    ("gpt-oss-20b", "24 attention layers, half sliding-window: none recurrent", 24),
    ("llama-3.1-8b", "32 attention layers", 32),
]


@pytest.mark.parametrize(("model_id", "shape", "count"), COUNTS)
def test_a_recurrent_mixer_counts_as_a_layer_again(
    real_catalog: Catalog, model_id: str, shape: str, count: int
) -> None:
    assert memory.fixed_cost_layers(real_catalog.models[model_id]) == count, shape


@pytest.mark.parametrize("device", ["rtx 4090", "M3 Ultra 256GB", "strix halo 128"])
def test_a_hybrid_decodes_slower_than_a_plain_model_reading_the_same_bytes(real_catalog: Catalog, device: str) -> None:
    """The same file size and layer count on the same card: Qwen3.5-35B-A3B (30 of its 40 layers a gated delta
    net) against the same model with its layers taken as attention layers."""
    hybrid = real_catalog.models["qwen3.5-35b-a3b"]
    plain = hybrid.model_copy(update={"attention": hybrid.attention.model_copy(update={"linear_attention_layers": 0})})
    rig = parse_hardware(device, real_catalog)[0].rig
    file_bytes = 21_000_000_000

    def typical(model: Model) -> float:
        decode, _ = speed.decode_range(model, place(model, rig, file_bytes, 0), 0)
        assert decode is not None and decode.typical is not None
        return decode.typical

    assert typical(hybrid) < typical(plain)
