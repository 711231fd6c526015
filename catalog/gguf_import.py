"""Read a local GGUF file's header into a catalog Model with exact tensor bytes.

Only the header and tensor table are read, by the bounded reader in catalog/gguf_header.py (no weights are loaded,
and a crafted header fails fast with one line naming the file and the field). Keys follow llama.cpp's GGUF naming
(`{arch}.block_count`, `{arch}.attention.head_count_kv`, ... in gguf-py constants.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalog.gguf_header import GgufError, GgufHeader, one_line, read_header
from catalog.types import Attention, Experts, Model, PerLayerEmbeddings, Quant

__all__ = ["GgufError", "GgufSummary", "read_gguf", "to_yaml_entry"]


@dataclass(frozen=True)
class GgufSummary:
    model: Model
    bytes_by_type: dict[str, int]
    tensor_count: int


def _field(header: GgufHeader, key: str) -> Any:
    return header.values.get(key)


def _int(header: GgufHeader, key: str) -> int | None:
    v = _field(header, key)
    if isinstance(v, list):
        v = max(v) if v else None
    if v is None:
        return None
    if isinstance(v, str) or (isinstance(v, float) and not math.isfinite(v)):
        raise GgufError(header.path, f"metadata key `{one_line(key, 120)}` is {one_line(repr(v), 60)}, not a number")
    return int(v)


def read_gguf(path: str | Path, as_of: dt.date) -> GgufSummary:
    """The catalog Model a GGUF file's header describes. Any failure is a GgufError (a ValueError) whose message is
    one line naming the file: a bad or crafted header, a header that does not describe a model, or an OSError."""
    p = Path(path)
    header = read_header(p)
    try:
        return _summary(p, header, as_of)
    except GgufError:
        raise
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "model"
        raise GgufError(p, f"the header does not describe a usable model: {where}: {first['msg']}") from exc
    except (
        IndexError,
        RecursionError,
        struct.error,
        OverflowError,
        KeyError,
        TypeError,
        ValueError,
        ZeroDivisionError,
        MemoryError,
    ) as exc:
        raise GgufError(p, f"the header does not describe a usable model ({type(exc).__name__}: {exc})") from exc


def _summary(p: Path, header: GgufHeader, as_of: dt.date) -> GgufSummary:
    arch = str(_field(header, "general.architecture") or "unknown")
    name = str(_field(header, "general.name") or p.stem)
    bytes_by_type: Counter[str] = Counter()
    total_elements = expert_elements = 0
    for t in header.tensors:
        bytes_by_type[t.type_name] += t.n_bytes
        total_elements += t.n_elements
        if "_exps" in t.name:
            expert_elements += t.n_elements
    layers = _int(header, f"{arch}.block_count") or 1
    n_heads = _int(header, f"{arch}.attention.head_count")
    n_kv = _int(header, f"{arch}.attention.head_count_kv") or n_heads
    embd = _int(header, f"{arch}.embedding_length")
    key_len = _int(header, f"{arch}.attention.key_length") or (embd // n_heads if embd and n_heads else None)
    value_len = _int(header, f"{arch}.attention.value_length")
    kv_lora = _int(header, f"{arch}.attention.kv_lora_rank")
    rope_dim = _int(header, f"{arch}.rope.dimension_count")
    window = _int(header, f"{arch}.attention.sliding_window")
    ratios = _field(header, f"{arch}.attention.compress_ratios")
    if isinstance(ratios, list) and ratios and key_len:
        attention = _compressed(header, arch, [int(r) for r in ratios[:layers]], key_len, n_heads, window)
    elif kv_lora and rope_dim:
        attention = Attention(kind="mla", kv_lora_rank=kv_lora, qk_rope_head_dim=rope_dim)
    else:
        attention = Attention(
            kind="gqa",
            n_heads=n_heads,
            n_kv_heads=n_kv or 1,
            head_dim=key_len or 128,
            v_head_dim=value_len if value_len and value_len != key_len else None,
            sliding_window_tokens=window,
        )
    n_expert = _int(header, f"{arch}.expert_count")
    n_used = _int(header, f"{arch}.expert_used_count")
    experts = None
    active_b = None
    total_b = total_elements / 1e9
    if n_expert and n_used and expert_elements:
        experts = Experts(n_routed=n_expert, n_active=n_used, n_shared=_int(header, f"{arch}.expert_shared_count") or 0)
        active_b = (total_elements - expert_elements * (1 - n_used / n_expert)) / 1e9
    vocab = header.array_lengths.get("tokenizer.ggml.tokens")
    file_bytes = header.file_bytes
    model_id = "gguf-" + re.sub(r"[^a-z0-9._+-]+", "-", p.stem.lower()).strip("-")
    quant_name = _quant_name(p.stem, bytes_by_type)
    source = f"local GGUF header: {p.name}"
    model = Model(
        id=model_id[:80],
        name=name,
        family=arch,
        total_params_b=total_b,
        active_params_b=active_b,
        layers=layers,
        hidden_size=embd,
        vocab_size=vocab,
        context_max_tokens=_int(header, f"{arch}.context_length") or 4096,
        attention=attention,
        experts=experts,
        per_layer_embeddings=_per_layer_embeddings(header, layers, source, as_of),
        quants=(Quant(name=quant_name, file_bytes=file_bytes, exact=True, source=source, as_of=as_of),),
        source=source,
        as_of=as_of,
    )
    return GgufSummary(model=model, bytes_by_type=dict(bytes_by_type), tensor_count=len(header.tensors))


# llama.cpp's name for the per-layer embedding table (Gemma 3n, Gemma 4 E2B/E4B): [layers x width, rows], read one
# row per token (src/models/gemma4-iswa.cpp build_inp_per_layer)
PER_LAYER_TABLE = "per_layer_token_embd.weight"


def _per_layer_embeddings(header: GgufHeader, layers: int, source: str, as_of: dt.date) -> PerLayerEmbeddings | None:
    table = next((t for t in header.tensors if t.name == PER_LAYER_TABLE and len(t.shape) == 2), None)
    if table is None or table.shape[0] % layers:
        return None
    width, rows = table.shape[0] // layers, table.shape[1]
    return PerLayerEmbeddings(vocab_rows=rows, width_per_layer=width, source=source, as_of=as_of)


def _compressed(
    header: GgufHeader, arch: str, ratios: list[int], entry_values: int, n_heads: int | None, window: int | None
) -> Attention:
    """DeepSeek V4's CSA/HCA (arch deepseek4): a layer with compress ratio r keeps one K=V entry of `entry_values`
    16-bit values per r tokens, and the ratio-4 (CSA) layers also an indexer key per r tokens; ratio 0 keeps only
    the raw window (vLLM's layout, github:vllm-project/vllm-project.github.io _posts/2026-04-24-deepseek-v4.md)."""
    indexer = _int(header, f"{arch}.attention.indexer.key_length") or 0
    per_token = sum((entry_values + (indexer if r == 4 else 0)) * 2 / r for r in ratios if r > 0)
    return Attention(
        kind="compressed",
        n_heads=n_heads,
        head_dim=entry_values,
        compressed_kv_bytes_per_token=max(1, round(per_token)),
        sliding_window_tokens=window,
        sliding_window_layers=len(ratios) if window else 0,
        indexer_head_dim=indexer or None,
    )


def _quant_name(stem: str, bytes_by_type: Counter[str]) -> str:
    m = re.search(r"((?:UD-)?(?:I?Q\d_[A-Z0-9_]+|Q\d_\d|BF16|F16|F32|MXFP4))", stem, re.IGNORECASE)
    if m:
        return m.group(1).upper().replace("UD_", "UD-")
    return bytes_by_type.most_common(1)[0][0] if bytes_by_type else "F32"


def to_yaml_entry(summary: GgufSummary) -> dict[str, Any]:
    """A catalog entry to paste into catalog/data/models/*.yaml (the caller adds sources for published files)."""
    data = summary.model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["notes"] = "tensor bytes by type: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.bytes_by_type.items()))
    return data
