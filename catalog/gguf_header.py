"""A bounded reader for the header of a GGUF file (v2 and v3, either byte order): metadata keys and the tensor table.

Every count and length in the header is checked against the bytes left in the file (and against a fixed limit)
before anything is read or allocated for it, so a crafted file fails fast with one line naming the file and the
field, instead of looping or allocating without end as gguf-py's GGUFReader does (it walks every array element in
Python and keeps a numpy view per element: a 13 MB file with a 2-million-element array takes it 26 s and 2 GB).

Layout, from the GGUF spec (github:ggml-org/ggml docs/gguf.md): magic "GGUF", uint32 version, uint64 tensor_count,
uint64 kv_count; kv_count metadata pairs (string key, uint32 value type, value); tensor_count tensor infos (string
name, uint32 n_dims, n_dims uint64 dims, uint32 ggml type, uint64 offset); padding to `general.alignment`; tensor
data. A string is a uint64 byte length and the bytes; an array a uint32 element type, a uint64 count, the elements.

Fixed-size values are skipped by seeking once their size is known to fit; strings in arrays are walked (each length
checked) but never kept. Only scalars, short strings and short flat numeric arrays are kept as values.
"""

from __future__ import annotations

import math
import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

MAX_KEY_BYTES = 65_535  # the spec: keys are at most 2^16-1 bytes
MAX_TENSOR_NAME_BYTES = 4096  # the spec and ggml (GGML_MAX_NAME) say at most 64 bytes; generous but bounded
MAX_DIMS = 8  # ggml's GGML_MAX_DIMS is 4
MAX_ELEMENTS = 2**63 - 1  # ggml counts elements in an int64
MAX_ARRAY_DEPTH = 2  # an array of arrays at most (llama.cpp refuses nested arrays altogether)
MAX_KEYS = 1 << 14  # real files have tens of metadata keys
MAX_TENSORS = 1 << 16  # real files have a few thousand (tens of thousands with unmerged experts)
# Strings in arrays and arrays in arrays are walked one by one: a real header has under a million strings (vocabulary
# and merges) and no nested arrays; the cap (a nested array counting as two) keeps a crafted header's walk well under
# a second.
MAX_WALKED_ITEMS = 1 << 21
MAX_KEPT_STRING_BYTES = 1 << 20  # longer string values are skipped, not kept
MAX_KEPT_ARRAY_ITEMS = 1 << 16  # longer numeric arrays are skipped (their length is still recorded)
_CHUNK = 1 << 20

STRING, ARRAY = 8, 9
# GGUF value type -> (name, struct code) for the fixed-size types.
_SCALARS: dict[int, tuple[str, str]] = {
    0: ("UINT8", "B"),
    1: ("INT8", "b"),
    2: ("UINT16", "H"),
    3: ("INT16", "h"),
    4: ("UINT32", "I"),
    5: ("INT32", "i"),
    6: ("FLOAT32", "f"),
    7: ("BOOL", "?"),
    10: ("UINT64", "Q"),
    11: ("INT64", "q"),
    12: ("FLOAT64", "d"),
}
UINT32 = 4
# Smallest possible encoding of one metadata pair (key length, 1-byte key, type, 1-byte value) and of one tensor
# info (name length, empty name, n_dims 0, type, offset); each array element is at least this many bytes.
_MIN_KV_BYTES = 8 + 1 + 4 + 1
_MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8
_MIN_ELEMENT_BYTES = {**{t: struct.calcsize("<" + c) for t, (_, c) in _SCALARS.items()}, STRING: 8, ARRAY: 12}

# ggml type id -> (name, elements per block, bytes per block), as in gguf-py's GGML_QUANT_SIZES (constants.py).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
}


class GgufError(ValueError):
    """A file that is not a GGUF header this reader accepts; the message is one line naming the file and the field."""

    def __init__(self, path: str | os.PathLike[str], detail: str) -> None:
        self.path = str(path)
        self.detail = one_line(detail)
        super().__init__(f"`{one_line(self.path)}`: {self.detail}")

    def __reduce__(self) -> tuple[type[GgufError], tuple[str, str]]:  # pickles (multiprocessing) with both arguments
        return GgufError, (self.path, self.detail)


def one_line(text: str, limit: int = 300) -> str:
    """`text` with control characters escaped and cut to `limit` characters, safe to print on one line."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


@dataclass(frozen=True)
class TensorInfo:
    name: str
    type_id: int
    type_name: str
    shape: tuple[int, ...]  # as stored: the fastest-varying dimension first
    n_elements: int
    n_bytes: int
    offset: int  # from the start of the file


@dataclass(frozen=True)
class GgufHeader:
    path: Path
    version: int
    byte_order: str  # "<" little-endian, ">" big-endian
    file_bytes: int
    alignment: int
    data_offset: int
    # Scalars, strings up to MAX_KEPT_STRING_BYTES (UTF-8, bad bytes replaced) and flat numeric arrays up to
    # MAX_KEPT_ARRAY_ITEMS (as lists). Keys holding anything else are absent here but present in `types`.
    values: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # every key -> "UINT32", "STRING", "ARRAY[STRING]", ...
    array_lengths: dict[str, int] = field(default_factory=dict)  # every array-valued key -> its element count
    tensors: tuple[TensorInfo, ...] = ()


def read_header(path: str | os.PathLike[str]) -> GgufHeader:
    """The header of the GGUF file at `path`; raises GgufError (a ValueError) for anything else, OSError included."""
    p = Path(path)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise GgufError(p, "is a directory, not a GGUF file")
        if not stat.S_ISREG(st.st_mode):
            raise GgufError(p, "is not a regular file")  # a FIFO or device: opening it could block or never end
        with p.open("rb") as f:
            return _Parser(p, f, os.fstat(f.fileno()).st_size).parse()
    except OSError as exc:
        raise GgufError(p, f"cannot read the file: {exc.strerror or exc}") from exc


def ggml_type(type_id: int) -> tuple[str, int, int] | None:
    """(name, elements per block, bytes per block) of a ggml tensor type, or None if neither this module nor the
    installed gguf package knows it."""
    known = GGML_TYPES.get(type_id)
    if known is not None:
        return known
    try:
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        t = GGMLQuantizationType(type_id)
        block, size = GGML_QUANT_SIZES[t]
    except (ImportError, ValueError, KeyError):
        return None
    return t.name, int(block), int(size)


def _type_name(t: int) -> str:
    if t == STRING:
        return "STRING"
    if t == ARRAY:
        return "ARRAY"
    return _SCALARS[t][0] if t in _SCALARS else f"type {t}"


class _Skipped:
    pass


_SKIPPED = _Skipped()


class _Parser:
    def __init__(self, path: Path, f: BinaryIO, size: int) -> None:
        self.path = path
        self.f = f
        self.size = size
        self.pos = 0
        self.buf = b""
        self.buf_at = 0
        self.walked = 0
        self.e = "<"
        self.u32 = struct.Struct("<I")
        self.u64 = struct.Struct("<Q")

    # ------------------------------------------------------------------ primitives
    def fail(self, detail: str) -> GgufError:
        return GgufError(self.path, detail)

    def left(self) -> int:
        return self.size - self.pos

    def _window(self, n: int, what: str) -> int:
        """Make bytes [pos, pos+n) readable in self.buf (n already known to fit in the file); their offset in buf."""
        if n > self.size - self.pos:
            raise self.fail(f"{what} needs {n} bytes, but only {self.left()} are left in the file")
        off = self.pos - self.buf_at
        if off < 0 or off + n > len(self.buf):
            self.f.seek(self.pos)
            self.buf = self.f.read(max(n, _CHUNK))
            self.buf_at = self.pos
            off = 0
            if len(self.buf) < n:
                raise self.fail(f"{what}: the file ended early (was it changed while being read?)")
        return off

    def unpack(self, st: struct.Struct, what: str) -> Any:
        off = self._window(st.size, what)
        self.pos += st.size
        return st.unpack_from(self.buf, off)[0]

    def take(self, n: int, what: str) -> bytes:
        off = self._window(n, what)
        self.pos += n
        return self.buf[off : off + n]

    def skip(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            raise self.fail(f"{what} needs {n} bytes, but only {self.left()} are left in the file")
        self.pos += n

    def text(self, what: str, limit: int) -> str:
        n = self.unpack(self.u64, f"{what} length")
        if n > self.left():
            raise self.fail(f"{what} claims {n} bytes, more than the {self.left()} bytes left in the file")
        if n > limit:
            raise self.fail(f"{what} claims {n} bytes, more than the {limit} this reader accepts")
        raw = self.take(n, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail(f"{what} is not valid UTF-8 (byte {exc.start})") from exc

    # ------------------------------------------------------------------ the header
    def parse(self) -> GgufHeader:
        if self.size == 0:
            raise self.fail("is empty, not a GGUF file")
        magic = self.take(min(4, self.size), "magic")
        if magic != MAGIC:
            raise self.fail(f"magic is {magic!r}, not b'GGUF': not a GGUF file")
        raw = self.take(4, "version") if self.left() >= 4 else None
        if raw is None:
            raise self.fail("version: the file ends after the magic")
        version = struct.unpack("<I", raw)[0]
        if version & 0xFFFF == 0 and version != 0:  # written on a big-endian machine (as gguf-py's reader detects)
            self.e = ">"
            self.u32, self.u64 = struct.Struct(">I"), struct.Struct(">Q")
            version = struct.unpack(">I", raw)[0]
        if version not in SUPPORTED_VERSIONS:
            raise self.fail(f"version is {version}; only GGUF versions 2 and 3 are supported")
        tensor_count = self.unpack(self.u64, "header field tensor_count")
        kv_count = self.unpack(self.u64, "header field kv_count")
        left = self.left()
        if kv_count * _MIN_KV_BYTES > left:
            raise self.fail(
                f"header field kv_count claims {kv_count} metadata keys, more than the {left} bytes left in the file "
                f"could hold"
            )
        if tensor_count * _MIN_TENSOR_INFO_BYTES > left - kv_count * _MIN_KV_BYTES:
            raise self.fail(
                f"header field tensor_count claims {tensor_count} tensors, more than the {left} bytes left in the "
                f"file could hold"
            )
        if kv_count > MAX_KEYS:
            raise self.fail(
                f"header field kv_count claims {kv_count} metadata keys, more than the {MAX_KEYS} this reader accepts"
            )
        if tensor_count > MAX_TENSORS:
            raise self.fail(
                f"header field tensor_count claims {tensor_count} tensors, more than the {MAX_TENSORS} this reader "
                f"accepts"
            )
        values: dict[str, Any] = {}
        types: dict[str, str] = {}
        lengths: dict[str, int] = {}
        alignment = DEFAULT_ALIGNMENT
        for i in range(kv_count):
            key = self.text(f"metadata key #{i} name", MAX_KEY_BYTES)
            label = f"metadata key #{i} `{one_line(key, 120)}`"
            if key in types:
                raise self.fail(f"{label} appears twice")
            vtype = self.unpack(self.u32, f"{label} value type")
            value, count, type_text = self.value(vtype, label)
            types[key] = type_text
            if count is not None:
                lengths[key] = count
            if value is not _SKIPPED:
                values[key] = value
            if key == "general.alignment":
                if vtype != UINT32:
                    raise self.fail(f"{label} is {type_text}, not UINT32")
                if value == 0 or value & (value - 1):
                    raise self.fail(f"{label} is {value}, not a power of two")
                alignment = value
        tensors = self.tensor_infos(tensor_count, alignment)
        data_offset = -(-self.pos // alignment) * alignment
        for i, t in enumerate(tensors):
            end = data_offset + t.offset + t.n_bytes
            if end > self.size:
                raise self.fail(
                    f"tensor #{i} `{one_line(t.name, 120)}` offset {t.offset} and size {t.n_bytes} bytes end at "
                    f"byte {end}, past the end of the {self.size}-byte file (a truncated download?)"
                )
        placed = [
            TensorInfo(t.name, t.type_id, t.type_name, t.shape, t.n_elements, t.n_bytes, data_offset + t.offset)
            for t in tensors
        ]
        return GgufHeader(
            path=self.path,
            version=version,
            byte_order=self.e,
            file_bytes=self.size,
            alignment=alignment,
            data_offset=data_offset,
            values=values,
            types=types,
            array_lengths=lengths,
            tensors=tuple(placed),
        )

    def value(self, vtype: int, label: str) -> tuple[Any, int | None, str]:
        """(value or _SKIPPED, array length or None, type name) of the metadata value of type `vtype` at pos."""
        scalar = _SCALARS.get(vtype)
        if scalar is not None:
            name, code = scalar
            return self.unpack(struct.Struct(self.e + code), f"{label} {name} value"), None, name
        if vtype == STRING:
            n = self.unpack(self.u64, f"{label} string length")
            if n > self.left():
                raise self.fail(f"{label} claims a {n}-byte string, more than the {self.left()} bytes left in the file")
            if n > MAX_KEPT_STRING_BYTES:
                self.skip(n, f"{label} string")
                return _SKIPPED, None, "STRING"
            return self.take(n, f"{label} string").decode("utf-8", "replace"), None, "STRING"
        if vtype == ARRAY:
            return self.array(label)
        raise self.fail(f"{label} has unknown value type {vtype} (GGUF types are 0 to 12)")

    def _elements(self, label: str, etype: int, count: int, index: int | None = None) -> int:
        """Check an array's element type and count against the bytes left and the walk budget; the bytes its elements
        take at least. `index`: the array is element #index of the array `label` (that label is built only for an
        error, so that walking many small arrays stays cheap)."""
        each = _MIN_ELEMENT_BYTES.get(etype)
        walk = count * 2 if etype == ARRAY else count if etype == STRING else 0
        if each is not None and count * each <= self.left() and self.walked + walk <= MAX_WALKED_ITEMS:
            self.walked += walk
            return count * each
        where = label if index is None else f"{label} element #{index}"
        if each is None:
            raise self.fail(f"{where} has unknown array element type {etype} (GGUF types are 0 to 12)")
        if count * each > self.left():
            raise self.fail(
                f"{where} claims {count} array elements of {_type_name(etype)}, more than the {self.left()} bytes "
                f"left in the file could hold"
            )
        raise self.fail(
            f"{where} claims {count} array elements of {_type_name(etype)}, more than the {MAX_WALKED_ITEMS} strings "
            f"in arrays (nested arrays count as two) that this reader walks in one header"
        )

    def array(self, label: str) -> tuple[Any, int, str]:
        etype = self.unpack(self.u32, f"{label} array element type")
        count = self.unpack(self.u64, f"{label} array length")
        size = self._elements(label, etype, count)
        type_text = f"ARRAY[{_type_name(etype)}]"
        if etype == STRING:
            self.strings(label, count)
        elif etype == ARRAY:
            self.nested(label, count)
        elif count <= MAX_KEPT_ARRAY_ITEMS:
            raw = self.take(size, f"{label} array data")
            return list(struct.unpack(f"{self.e}{count}{_SCALARS[etype][1]}", raw)), count, type_text
        else:
            self.skip(size, f"{label} array data")
        return _SKIPPED, count, type_text

    def nested(self, label: str, count: int) -> None:
        """Walk `count` arrays inside an array (of scalars or strings: MAX_ARRAY_DEPTH is 2) without keeping them."""
        head = struct.Struct(self.e + "IQ")
        for j in range(count):
            off = self.pos - self.buf_at
            if off + head.size <= len(self.buf):  # the common case, without building a label per element
                etype, n = head.unpack_from(self.buf, off)
                self.pos += head.size
            else:
                etype, n = struct.unpack(head.format, self.take(head.size, f"{label} element #{j} array header"))
            if etype == ARRAY:
                raise self.fail(f"{label} element #{j} nests arrays more than {MAX_ARRAY_DEPTH} deep")
            size = self._elements(label, etype, n, j)
            if etype == STRING:
                self.strings(label, n, j)
            else:
                self.pos += size

    def strings(self, label: str, count: int, index: int | None = None) -> None:
        """Walk `count` strings (each length checked against the bytes left) without keeping them; `index` as in
        _elements."""
        if index is not None and count:
            label = f"{label} element #{index}"  # only for arrays that hold strings: at most MAX_WALKED_ITEMS
        u64 = self.u64
        size = self.size
        for j in range(count):
            off = self.pos - self.buf_at
            if off + 8 <= len(self.buf):  # the common case, without building a label per string
                n = u64.unpack_from(self.buf, off)[0]
                self.pos += 8
            else:
                n = self.unpack(u64, f"{label} string #{j} length")
            if n > size - self.pos:
                raise self.fail(
                    f"{label} string #{j} claims {n} bytes, more than the {size - self.pos} bytes left in the file"
                )
            self.pos += n

    def tensor_infos(self, count: int, alignment: int) -> list[TensorInfo]:
        tensors: list[TensorInfo] = []
        names: set[str] = set()
        for i in range(count):
            name = self.text(f"tensor #{i} name", MAX_TENSOR_NAME_BYTES)
            label = f"tensor #{i} `{one_line(name, 120)}`"
            if name in names:
                raise self.fail(f"{label} appears twice")
            names.add(name)
            n_dims = self.unpack(self.u32, f"{label} n_dims")
            if n_dims > MAX_DIMS:
                raise self.fail(f"{label} claims n_dims {n_dims}, more than the {MAX_DIMS} this reader accepts")
            raw = self.take(8 * n_dims, f"{label} dimensions")
            shape = struct.unpack(f"{self.e}{n_dims}Q", raw)
            if 0 in shape:
                raise self.fail(f"{label} has a zero dimension in its shape {list(shape)}")
            n_elements = math.prod(shape)
            if n_elements > MAX_ELEMENTS:
                raise self.fail(f"{label} dimensions {list(shape)} multiply to {n_elements} elements, more than 2^63")
            type_id = self.unpack(self.u32, f"{label} type")
            known = ggml_type(type_id)
            if known is None:
                raise self.fail(f"{label} has unknown ggml type {type_id}")
            type_name, block, block_bytes = known
            if (shape[0] if shape else 1) % block:
                raise self.fail(
                    f"{label} dimension 0 ({shape[0] if shape else 1}) is not a multiple of {type_name}'s block "
                    f"of {block}"
                )
            offset = self.unpack(self.u64, f"{label} offset")
            if offset % alignment:
                raise self.fail(f"{label} offset {offset} is not a multiple of the alignment {alignment}")
            n_bytes = n_elements // block * block_bytes
            tensors.append(TensorInfo(name, type_id, type_name, shape, n_elements, n_bytes, offset))
        return tensors
