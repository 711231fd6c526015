"""Crafted GGUF files that a bounded reader must refuse quickly (issue 13): the tests and `make bench` both use them.

Each case is a few dozen bytes built with struct; `CRAFTED_FIELD[name]` is text the one-line error must contain (the
field it names). All are little-endian GGUF v3 unless the case is about the magic or the version.
"""

from __future__ import annotations

import struct

__all__ = ["CRAFTED_FIELD", "crafted_cases"]

_U8, _U32, _STRING, _ARRAY, _U64 = 0, 4, 8, 9, 10


def _head(tensor_count: int, kv_count: int, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensor_count, kv_count)


def _str(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def _kv(key: str, vtype: int, payload: bytes) -> bytes:
    return _str(key) + struct.pack("<I", vtype) + payload


def _tensor(name: str, dims: tuple[int, ...], ggml_type: int = 0, offset: int = 0, n_dims: int | None = None) -> bytes:
    n = len(dims) if n_dims is None else n_dims
    return _str(name) + struct.pack(f"<I{len(dims)}QIQ", n, *dims, ggml_type, offset)


def _arch() -> bytes:
    return _kv("general.architecture", _STRING, _str("llama"))


def crafted_cases() -> list[tuple[str, bytes]]:
    """(name, file bytes) for each crafted header; reading any of them must raise GgufError at once."""
    nested = _kv("x.nested", _ARRAY, struct.pack("<IQ", _ARRAY, 1) * 40 + struct.pack("<IQ", _U8, 0))
    return [
        ("empty file", b""),
        ("bad magic", b"GGML" + struct.pack("<IQQ", 3, 0, 0)),
        ("truncated after magic", b"GGUF"),
        ("version 1", _head(0, 0, version=1)),
        ("version 99", _head(0, 0, version=99)),
        ("truncated counts", b"GGUF" + struct.pack("<IQ", 3, 0)),
        ("tensor_count 2^63", _head(2**63, 0)),
        ("tensor_count 2^16+1 in a big enough file", _head(2**16 + 1, 0) + bytes(24 * (2**16 + 1))),
        ("kv_count 2^62", _head(0, 2**62)),
        ("key length 2^60", _head(0, 1) + struct.pack("<Q", 2**60) + b"general.name"),
        ("key not UTF-8", _head(0, 1) + _str(b"\xff\xfe") + struct.pack("<IB", _U8, 0)),
        ("duplicate key", _head(0, 2) + _arch() + _arch()),
        ("unknown value type 200", _head(0, 1) + _kv("general.name", 200, b"\x00" * 8)),
        ("string value length beyond file", _head(0, 1) + _kv("general.name", _STRING, struct.pack("<Q", 10**6))),
        (
            "array of 2^62 uint32",
            _head(0, 1) + _kv("tokenizer.ggml.token_type", _ARRAY, struct.pack("<IQ", _U32, 2**62) + bytes(12)),
        ),
        (
            "array of 2^62 strings",
            _head(0, 1) + _kv("tokenizer.ggml.tokens", _ARRAY, struct.pack("<IQ", _STRING, 2**62) + _str("a")),
        ),
        (
            "string in array beyond file",
            _head(0, 1)
            + _kv(
                "tokenizer.ggml.tokens", _ARRAY, struct.pack("<IQ", _STRING, 2) + _str("a") + struct.pack("<Q", 2**40)
            ),
        ),
        ("unknown array element type", _head(0, 1) + _kv("x.array", _ARRAY, struct.pack("<IQ", 77, 1) + bytes(8))),
        ("nested arrays deep", _head(0, 1) + nested),
        ("alignment not a power of two", _head(0, 1) + _kv("general.alignment", _U32, struct.pack("<I", 33))),
        ("alignment not uint32", _head(0, 1) + _kv("general.alignment", _U64, struct.pack("<Q", 32))),
        ("tensor name length 2^62", _head(1, 0) + struct.pack("<Q", 2**62) + bytes(40)),
        ("tensor n_dims 2^32-1", _head(1, 0) + _tensor("blk.0.attn_q.weight", (4,), n_dims=2**32 - 1)),
        ("tensor dims product overflow", _head(1, 0) + _tensor("blk.0.attn_q.weight", (2**40, 2**40, 2**40, 2**40))),
        ("tensor zero dimension", _head(1, 0) + _tensor("blk.0.attn_q.weight", (64, 0))),
        ("tensor unknown type", _head(1, 0) + _tensor("blk.0.attn_q.weight", (64,), ggml_type=999)),
        ("tensor row not whole blocks", _head(1, 0) + _tensor("blk.0.attn_q.weight", (33,), ggml_type=8)),
        ("tensor offset misaligned", _head(1, 0) + _tensor("blk.0.attn_q.weight", (4,), offset=3)),
        ("tensor offset beyond file", _head(1, 0) + _tensor("blk.0.attn_q.weight", (4,), offset=2**40)),
        ("tensor data past end of file", _head(1, 0) + _tensor("blk.0.attn_q.weight", (64, 64))),
        ("duplicate tensor", _head(2, 0) + _tensor("a", (4,)) + _tensor("a", (4,), offset=32)),
        ("block_count is a string", _head(0, 2) + _arch() + _kv("llama.block_count", _STRING, _str("two"))),
        ("no tensors", _head(0, 1) + _arch()),
    ]


CRAFTED_FIELD: dict[str, str] = {
    "empty file": "empty",
    "bad magic": "magic",
    "truncated after magic": "version",
    "version 1": "version is 1",
    "version 99": "version is 99",
    "truncated counts": "kv_count",
    "tensor_count 2^63": "tensor_count",
    "tensor_count 2^16+1 in a big enough file": "tensor_count",
    "kv_count 2^62": "kv_count",
    "key length 2^60": "metadata key #0 name",
    "key not UTF-8": "metadata key #0 name",
    "duplicate key": "`general.architecture` appears twice",
    "unknown value type 200": "`general.name` has unknown value type 200",
    "string value length beyond file": "`general.name`",
    "array of 2^62 uint32": "`tokenizer.ggml.token_type` claims 4611686018427387904 array elements",
    "array of 2^62 strings": "`tokenizer.ggml.tokens` claims 4611686018427387904 array elements",
    "string in array beyond file": "`tokenizer.ggml.tokens` string #1",
    "unknown array element type": "`x.array` has unknown array element type 77",
    "nested arrays deep": "`x.nested`",
    "alignment not a power of two": "`general.alignment` is 33",
    "alignment not uint32": "`general.alignment` is UINT64",
    "tensor name length 2^62": "tensor #0 name",
    "tensor n_dims 2^32-1": "`blk.0.attn_q.weight` claims n_dims 4294967295",
    "tensor dims product overflow": "`blk.0.attn_q.weight` dimensions",
    "tensor zero dimension": "`blk.0.attn_q.weight` has a zero dimension",
    "tensor unknown type": "`blk.0.attn_q.weight` has unknown ggml type 999",
    "tensor row not whole blocks": "`blk.0.attn_q.weight` dimension 0",
    "tensor offset misaligned": "`blk.0.attn_q.weight` offset 3",
    "tensor offset beyond file": "`blk.0.attn_q.weight` offset 1099511627776",
    "tensor data past end of file": "`blk.0.attn_q.weight` offset 0",
    "duplicate tensor": "tensor #1 `a` appears twice",
    "block_count is a string": "`llama.block_count`",
    "no tensors": "total_params_b",
}
