"""Per-layer embeddings (Gemma 3n, Gemma 4 E2B/E4B): a few GB of the file is a table a token reads one row of, as it
reads one row of the token embeddings, not a matrix it streams whole. Decode counts the row, not the table; the file,
and the memory it needs, keep the table.

The expected figures are the configs' own arithmetic (config.json's vocab_size_per_layer_input x num_hidden_layers x
hidden_size_per_layer_input) and the GGUF sizes llama-bench printed for unsloth's files (bench/measured_runs.csv)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from catalog.catalog import Catalog
from catalog.gguf_import import read_gguf
from catalog.types import Model
from engine import memory, speed
from engine.parse import parse_hardware, parse_model
from engine.placement import place
from engine.rig import Rig

# (model, vocab_size_per_layer_input, num_hidden_layers, hidden_size_per_layer_input, the table in billions)
CONFIGS = [
    ("gemma-3n-e2b", 262_144, 30, 256, 2.01),  # Gemma3nTextConfig, variant gemma3n_e2b
    ("gemma-3n-e4b", 262_144, 35, 256, 2.35),  # Gemma3nTextConfig defaults
    ("gemma-4-e2b", 262_144, 35, 256, 2.35),  # google/gemma-4-E2B config.json text_config
    ("gemma-4-e4b", 262_144, 42, 256, 2.82),  # google/gemma-4-E4B config.json text_config
]


@pytest.mark.parametrize(("model_id", "rows", "layers", "width", "table_b"), CONFIGS)
def test_the_table_is_the_configs_arithmetic(
    real_catalog: Catalog, model_id: str, rows: int, layers: int, width: int, table_b: float
) -> None:
    model = real_catalog.models[model_id]
    assert model.layers == layers
    assert memory.lookup_params(model) == rows * layers * width
    assert memory.lookup_params(model) / 1e9 == pytest.approx(table_b, abs=0.005)


def _one_pool(model: Model, rig: Rig, weights_bytes: int) -> float:
    placement = place(model, rig, weights_bytes, 0)
    assert placement.kind in ("gpu", "unified"), placement.kind
    return speed._bytes_read_per_token(placement.pools[0], model, 0)


# (model, device, file bytes as llama-bench printed them for unsloth's Q4_K_M, row)
FILES = [
    ("gemma-4-e2b", "M5 Max 128GB", 3_090_917_516, "x1428"),
    ("gemma-4-e4b", "M5 Max 128GB", 4_961_343_656, "x1436"),
    ("gemma-4-e4b", "tesla v100 16gb", 4_961_343_656, "x1436"),
    ("gemma-3n-e4b", "rtx 3060 12gb", 4_961_343_656, "a 5 GB file"),
    ("gemma-3n-e2b", "rtx 4060 8gb", 3_090_917_516, "a 3 GB file"),
]


@pytest.mark.parametrize(("model_id", "device", "file_bytes", "row"), FILES)
def test_decode_reads_the_file_less_the_table_but_one_row(
    real_catalog: Catalog, model_id: str, device: str, file_bytes: int, row: str
) -> None:
    rows, layers, width = next((r, n, w) for m, r, n, w, _ in CONFIGS if m == model_id)
    model = real_catalog.models[model_id]
    table = file_bytes * rows * layers * width / (model.total_params_b * 1e9)  # the table's share of the file
    expected = file_bytes - table + table / rows
    rig = parse_hardware(device, real_catalog)[0].rig
    assert _one_pool(model, rig, file_bytes) == pytest.approx(expected, rel=1e-6), row
    assert _one_pool(model, rig, file_bytes) < 0.7 * file_bytes, row  # a third of the file or more is the table


@pytest.mark.parametrize(
    ("model_id", "device", "file_bytes"),
    [
        ("llama-3.1-8b", "rtx 4090", 4_920_734_016),  # dense: every byte, as before
        ("gemma-3-4b", "M5 Max 128GB", 2_489_757_856),  # Gemma 3 has no per-layer table
        ("qwen3-30b-a3b", "rtx 4090", 18_556_686_336),  # MoE: its experts' share, nothing else taken off
    ],
)
def test_a_model_without_the_table_reads_what_it_read(
    real_catalog: Catalog, model_id: str, device: str, file_bytes: int
) -> None:
    model = real_catalog.models[model_id]
    rig = parse_hardware(device, real_catalog)[0].rig
    pool = place(model, rig, file_bytes, 0).pools[0]
    e = model.experts
    experts = pool.expert_bytes * (e.n_active / e.n_routed) if e else 0
    assert pool.lookup_bytes == 0
    assert _one_pool(model, rig, file_bytes) == pool.dense_bytes + experts


@pytest.mark.parametrize("model_id", ["gemma-4-e2b", "gemma-4-e4b", "gemma-3n-e4b", "llama-3.1-8b", "qwen3-30b-a3b"])
def test_calibration_and_the_engine_read_the_same_bytes(real_catalog: Catalog, model_id: str) -> None:
    """calibrate/runs.py works out a run's ideal from weights x memory.active_fraction: the bytes the engine reads."""
    model = real_catalog.models[model_id]
    rig = parse_hardware("rtx 4090", real_catalog)[0].rig
    file_bytes = 5_000_000_000
    assert _one_pool(model, rig, file_bytes) == pytest.approx(file_bytes * memory.active_fraction(model), rel=1e-3)


@pytest.mark.parametrize("device", ["M5 Max 128GB", "tesla v100 16gb", "rtx 4090", "rx 7900 xtx"])
def test_gemma_4_e4b_decodes_faster_than_a_dense_model_of_the_same_file_size(
    real_catalog: Catalog, device: str
) -> None:
    """Gemma 4 E4B reads about two thirds of its file per token, so it is the faster of the two even with 42 layers'
    fixed costs against Llama 3.1 8B's 32. Measured on an M5 Max (614 GB/s): E2B's 4.49 GB Q6_K at 149 tok/s
    (bench/measured_runs.csv x1434), 668 GB/s were the whole file read for every token."""
    rig = parse_hardware(device, real_catalog)[0].rig
    file_bytes = 4_961_343_656

    def typical(model_id: str) -> float:
        model = parse_model(model_id, real_catalog)
        decode, _ = speed.decode_range(model, place(model, rig, file_bytes, 0), 0)
        assert decode is not None and decode.typical is not None
        return decode.typical

    assert typical("gemma-4-e4b") > typical("llama-3.1-8b")


# (model, prefill FLOPs per token in billions: 2 x (parameters less the table), the config's arithmetic)
PREFILL_FLOPS = [
    ("gemma-4-e4b", "7.52B less 2.82B"),
    ("gemma-4-e2b", "less 2.35B"),
    ("gemma-3n-e4b", "less 2.35B"),
    ("llama-3.1-8b", "no table: every parameter"),
]


@pytest.mark.parametrize(("model_id", "why"), PREFILL_FLOPS)
def test_prefill_multiplies_the_weights_but_looks_the_table_up(real_catalog: Catalog, model_id: str, why: str) -> None:
    """A prompt token multiplies every weight matrix and looks up one row of the table: 2 FLOPs a parameter, the
    table's parameters none (unsloth's Gemma 4 E2B Q4_K_M prefills 7,196 tokens/s on an M5 Max: x1428)."""
    model = real_catalog.models[model_id]
    params = (model.active_params_b or model.total_params_b) * 1e9
    expected = 2 * (params - memory.lookup_params(model))
    assert speed.prefill_weight_flops_per_token(model) == pytest.approx(expected), why
    if memory.lookup_params(model):
        assert speed.prefill_weight_flops_per_token(model) < 0.75 * 2 * params, why


def test_the_table_keeps_its_memory(real_catalog: Catalog) -> None:
    """Resident all the same: the file's bytes, table included, are what placement holds."""
    model = real_catalog.models["gemma-4-e4b"]
    rig = parse_hardware("rtx 4090", real_catalog)[0].rig
    pool = place(model, rig, 4_961_343_656, 0).pools[0]
    assert pool.weights_bytes == 4_961_343_656
    assert 0 < pool.lookup_bytes < pool.dense_bytes


def test_a_table_larger_than_the_model_is_refused(real_catalog: Catalog) -> None:
    model = real_catalog.models["gemma-4-e2b"]
    data = model.model_dump() | {"total_params_b": 2.0}
    with pytest.raises(ValueError, match=r"262144 x 35 layers x 256 are not less than total_params_b \(2.0\)"):
        Model.model_validate(data)


@pytest.mark.parametrize(
    ("layers", "table_shape", "expected"),
    [
        (2, (32, 2 * 8), (32, 8)),  # numpy (rows, layers x width): GGUF ne = [layers x width, rows]
        (2, None, None),  # no table: Gemma 3, Llama
        (3, (32, 16), None),  # a width that does not divide by the layers: not read as a per-layer table
    ],
)
def test_a_local_gguf_brings_its_table(
    tmp_path: Path, layers: int, table_shape: tuple[int, int] | None, expected: tuple[int, int] | None
) -> None:
    from gguf import GGUFWriter

    path = tmp_path / "tiny-gemma4-Q8_0.gguf"
    w = GGUFWriter(str(path), "gemma4")
    w.add_block_count(layers)
    w.add_embedding_length(64)
    w.add_head_count(4)
    w.add_head_count_kv(1)
    w.add_tensor("token_embd.weight", np.zeros((32, 64), dtype=np.float16))
    if table_shape is not None:
        w.add_tensor("per_layer_token_embd.weight", np.zeros(table_shape, dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    ple = read_gguf(path, dt.date(2026, 12, 7)).model.per_layer_embeddings
    assert (None if ple is None else (ple.vocab_rows, ple.width_per_layer)) == expected
