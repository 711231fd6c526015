"""Issue 13: GGUF headers are read with bounds. Crafted files fail at once with one line naming the file and the field;
valid files read as gguf-py's own reader reads them."""

from __future__ import annotations

import datetime as dt
import os
import struct
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.gguf_crafted import CRAFTED_FIELD, crafted_cases
from catalog.gguf_header import MAX_KEPT_ARRAY_ITEMS, GgufError, read_header
from catalog.gguf_import import read_gguf
from tests.test_gguf_import import write_gguf

AS_OF = dt.date(2026, 12, 2)
CASES = crafted_cases()


def _read_error(path: Path) -> str:
    with pytest.raises(GgufError) as info:
        read_gguf(path, AS_OF)
    return str(info.value)


def test_every_crafted_case_names_its_field() -> None:
    assert {name for name, _ in CASES} == set(CRAFTED_FIELD)


@pytest.mark.parametrize(("name", "data"), CASES, ids=[name for name, _ in CASES])
def test_crafted_file_fails_with_one_line_naming_file_and_field(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / "crafted.gguf"
    path.write_bytes(data)
    message = _read_error(path)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"`{path}`: ")
    assert CRAFTED_FIELD[name] in message, message


def test_the_issue_file_a_70_byte_array_claiming_2_62_elements(tmp_path: Path) -> None:
    """The report's file: one metadata array claiming 2^62 elements, which gguf-py's reader loops on for ever."""
    key = b"tokenizer.ggml.tokens"
    data = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 4, 2**62)
    data += bytes(70 - len(data))
    path = tmp_path / "issue13.gguf"
    path.write_bytes(data)
    assert len(data) == 70
    message = _read_error(path)
    assert "`tokenizer.ggml.tokens` claims 4611686018427387904 array elements of UINT32" in message
    assert "more than the 1 bytes left in the file" in message


def test_a_directory_a_missing_file_and_a_fifo_are_one_line_errors(tmp_path: Path) -> None:
    assert _read_error(tmp_path) == f"`{tmp_path}`: is a directory, not a GGUF file"
    missing = tmp_path / "missing.gguf"
    assert _read_error(missing) == f"`{missing}`: cannot read the file: No such file or directory"
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.gguf"
        os.mkfifo(fifo)
        assert _read_error(fifo) == f"`{fifo}`: is not a regular file"  # and does not block opening it


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.gguf"
    path.write_bytes(b"GGUF")
    message = _read_error(path)
    assert "\n" not in message and "bad\\nname.gguf" in message


def test_every_truncation_of_a_valid_header_is_a_one_line_error(tmp_path: Path) -> None:
    whole = tmp_path / "tiny-F16.gguf"
    write_gguf(whole)
    data = whole.read_bytes()
    header_end = read_header(whole).data_offset
    cut = tmp_path / "cut.gguf"
    for n in range(header_end + 64):
        cut.write_bytes(data[:n])
        with pytest.raises(GgufError) as info:
            read_gguf(cut, AS_OF)
        assert "\n" not in str(info.value) and str(cut) in str(info.value)


def test_header_matches_gguf_py_reader(tmp_path: Path) -> None:
    from gguf import GGUFReader, GGUFValueType

    path = tmp_path / "tiny-moe.gguf"
    write_gguf(path, moe=True)
    header = read_header(path)
    reader = GGUFReader(str(path))
    assert header.data_offset == reader.data_offset and header.version == 3 and header.byte_order == "<"
    assert [(t.name, t.type_name, t.n_elements, t.n_bytes, t.offset) for t in header.tensors] == [
        (t.name, t.tensor_type.name, int(t.n_elements), int(t.n_bytes), int(t.data_offset)) for t in reader.tensors
    ]
    assert [t.shape for t in header.tensors] == [tuple(int(d) for d in t.shape) for t in reader.tensors]
    for key, f in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        expected = f.contents()
        assert header.types[key].startswith(GGUFValueType(f.types[0]).name)
        assert header.values[key] == pytest.approx(expected) if isinstance(expected, float) else expected


def test_big_endian_file_reads_like_little_endian(tmp_path: Path) -> None:
    from gguf import GGUFEndian, GGUFWriter

    paths = {}
    for endian in (GGUFEndian.LITTLE, GGUFEndian.BIG):
        path = paths[endian] = tmp_path / f"tiny-{endian.name}.gguf"
        w = GGUFWriter(str(path), "llama", endianess=endian)
        w.add_block_count(3)
        w.add_array("llama.some_ints", [1, 2, 3])
        w.add_token_list(["a", "bc", "def"])
        w.add_tensor("token_embd.weight", np.zeros((8, 32), dtype=np.float32))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    little, big = read_header(paths[GGUFEndian.LITTLE]), read_header(paths[GGUFEndian.BIG])
    assert (little.byte_order, big.byte_order) == ("<", ">")
    assert big.values == little.values and big.array_lengths == little.array_lengths
    assert big.values["llama.some_ints"] == [1, 2, 3] and big.array_lengths["tokenizer.ggml.tokens"] == 3
    assert [(t.shape, t.n_bytes) for t in big.tensors] == [(t.shape, t.n_bytes) for t in little.tensors]


def test_long_arrays_are_counted_not_kept(tmp_path: Path) -> None:
    from gguf import GGUFWriter

    path = tmp_path / "tiny-vocab-F32.gguf"
    n = MAX_KEPT_ARRAY_ITEMS + 1
    w = GGUFWriter(str(path), "llama")
    w.add_block_count(1)
    w.add_token_list([f"t{i}" for i in range(n)])
    w.add_token_scores([0.0] * n)
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    header = read_header(path)
    assert header.array_lengths == {"tokenizer.ggml.tokens": n, "tokenizer.ggml.scores": n}
    assert "tokenizer.ggml.tokens" not in header.values and "tokenizer.ggml.scores" not in header.values
    assert header.types["tokenizer.ggml.tokens"] == "ARRAY[STRING]"
    assert read_gguf(path, AS_OF).model.vocab_size == n


@cache
def _valid_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "tiny-F16.gguf"
        write_gguf(path, moe=True)
        return path.read_bytes()


def _only_gguf_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.gguf"
        path.write_bytes(data)
        try:
            read_gguf(path, AS_OF)
        except GgufError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_random_bytes_after_a_v3_magic_raise_only_gguf_errors(tail: bytes) -> None:
    _only_gguf_errors(b"GGUF" + struct.pack("<I", 3) + tail)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=600), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_header_bytes_raise_only_gguf_errors(changes: list[tuple[int, int]]) -> None:
    data = bytearray(_valid_bytes())
    for at, byte in changes:
        data[at] = byte
    _only_gguf_errors(bytes(data))
