"""A small GGUF written with the gguf package's own writer, read back and sized exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.terminal import cli
from catalog.gguf_import import read_gguf
from catalog.loader import Catalog


def write_gguf(path: Path, *, moe: bool = False) -> None:
    from gguf import GGUFWriter

    w = GGUFWriter(str(path), "llama")
    w.add_name("tiny-test")
    w.add_block_count(2)
    w.add_context_length(8192)
    w.add_embedding_length(64)
    w.add_head_count(4)
    w.add_head_count_kv(2)
    if moe:
        w.add_expert_count(8)
        w.add_expert_used_count(2)
    w.add_tensor("token_embd.weight", np.zeros((32, 64), dtype=np.float16))
    w.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), dtype=np.float32))
    if moe:
        w.add_tensor("blk.0.ffn_up_exps.weight", np.zeros((8, 16, 64), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def test_deepseek4_compressed_attention_from_its_compress_ratios(tmp_path: Path) -> None:
    """A V4-shaped header: 2 window-only layers, then CSA (ratio 4) and HCA (ratio 128) alternating."""
    from gguf import GGUFWriter

    path = tmp_path / "tiny-v4-Q8_0.gguf"
    w = GGUFWriter(str(path), "deepseek4")
    w.add_block_count(6)
    w.add_embedding_length(64)
    w.add_head_count(8)
    w.add_head_count_kv(1)
    w.add_key_length(512)
    w.add_sliding_window(128)
    w.add_array("deepseek4.attention.compress_ratios", [0, 0, 4, 128, 4, 128, 0])  # the last entry: the MTP layer
    w.add_uint32("deepseek4.attention.indexer.key_length", 128)
    w.add_tensor("token_embd.weight", np.zeros((32, 64), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    a = read_gguf(path, dt.date(2026, 12, 2)).model.attention
    # two CSA layers: (512 + 128) x 2 bytes / 4 = 320 each; two HCA layers: 512 x 2 / 128 = 8 each
    assert (a.kind, a.compressed_kv_bytes_per_token) == ("compressed", 2 * 320 + 2 * 8)
    assert (a.sliding_window_tokens, a.sliding_window_layers, a.head_dim) == (128, 6, 512)


def test_reads_architecture_and_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "tiny-F16.gguf"
    write_gguf(path)
    s = read_gguf(path, dt.date(2026, 11, 22))
    assert s.bytes_by_type == {"F16": 32 * 64 * 2, "F32": 64 * 64 * 4}
    assert s.model.total_params_b == pytest.approx((32 * 64 + 64 * 64) / 1e9)
    assert (s.model.layers, s.model.attention.n_kv_heads, s.model.attention.head_dim) == (2, 2, 16)
    assert s.model.quants[0].name == "F16" and s.model.quants[0].exact
    assert s.model.quants[0].file_bytes == path.stat().st_size


def test_moe_active_params_from_expert_tensors(tmp_path: Path) -> None:
    path = tmp_path / "tiny-moe.gguf"
    write_gguf(path, moe=True)
    m = read_gguf(path, dt.date(2026, 11, 22)).model
    experts = 8 * 16 * 64
    total = 32 * 64 + 64 * 64 + experts
    assert m.experts is not None and m.experts.n_routed == 8
    assert m.active_params_b == pytest.approx((total - experts * 6 / 8) / 1e9)


def test_cli_import_and_fit_a_local_file(
    tmp_path: Path, cat: Catalog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny-F16.gguf"
    write_gguf(path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr(cli, "load", lambda: cat)
    assert cli.main(["catalog", "import-gguf", str(path)]) == 0
    entry = yaml.safe_load(capsys.readouterr().out)["models"][0]
    assert entry["layers"] == 2 and entry["quants"][0]["exact"] is True
    assert cli.main(["fit", str(path), "RTX 3090", "--json"]) == 0
    import json

    option = json.loads(capsys.readouterr().out)["readings"][0]["options"][0]
    assert option["weights_basis"] == "exact" and option["verdict"] == "fits"


def test_gguf_paths_are_not_read_from_discord(cat: Catalog, tmp_path: Path) -> None:
    from bot.commands import fit_answer

    path = tmp_path / "tiny-F16.gguf"
    write_gguf(path)
    answer = fit_answer(cat, str(path), "RTX 3090")  # allow_files defaults to False, as in the Discord cog
    assert answer.error is not None and "I don't know the model" in answer.error
