"""Checks of the catalog's facts that types alone can't make: names, references, plausible file sizes."""

from __future__ import annotations

from catalog.catalog import Catalog
from catalog.types import Gpu, Unified
from engine import quants

# A published file's bits per weight must lie within this band of the quant type's nominal bits: mixes and
# dynamic quants run above their base type, and MoE models keep some tensors higher.
SIZE_BAND = (0.6, 1.9)
ANY_FILE_BITS = (1.0, 34.0)  # whatever the type: below 1 bit or above f32 is a unit slip


def audit(catalog: Catalog) -> list[str]:
    problems: list[str] = []
    for kind, index in (("model", catalog.model_names), ("hardware", catalog.hardware_names)):
        for key, ids in sorted(index.duplicates().items()):
            problems.append(f"{kind} name {key!r} names several entries: {', '.join(sorted(ids))}")
    problems += _references(catalog)
    problems += _file_sizes(catalog)
    problems += _hardware(catalog)
    return problems


def _references(catalog: Catalog) -> list[str]:
    out = [
        f"api price for unknown model {p.model!r} ({p.provider})"
        for p in catalog.api_prices
        if p.model not in catalog.models
    ]
    out += [
        f"rental price for unknown hardware {p.hardware!r} ({p.provider})"
        for p in catalog.rental_prices
        if p.hardware not in catalog.hardware
    ]
    return out


def _file_sizes(catalog: Catalog) -> list[str]:
    out = []
    for m in catalog.models.values():
        for q in m.quants:
            bits = q.file_bytes * 8 / (m.total_params_b * 1e9)
            lo, hi = ANY_FILE_BITS
            if not lo <= bits <= hi:
                out.append(f"{m.id} {q.name}: {q.file_bytes:,} bytes is {bits:.2f} bits per weight (outside {lo}-{hi})")
                continue
            qt = quants.lookup(q.name)
            # A model released in 4 bits (gpt-oss MXFP4, Kimi's int4 experts) keeps them so in every file: its
            # "Q8" is ~4.6 bits, so only the format-free check above applies.
            if qt is not None and q.format == "gguf" and m.native_dtype not in ("mxfp4", "int4"):
                band = (qt.bits_per_weight * SIZE_BAND[0], qt.bits_per_weight * SIZE_BAND[1])
                if not band[0] <= bits <= band[1]:
                    out.append(
                        f"{m.id} {q.name}: {bits:.2f} bits per weight, outside {band[0]:.2f}-{band[1]:.2f} "
                        f"for {qt.name} ({q.file_bytes:,} bytes, {m.total_params_b}B params)"
                    )
    return out


def _hardware(catalog: Catalog) -> list[str]:
    out = []
    for h in catalog.hardware.values():
        if isinstance(h, Gpu) and h.memory_gib > 1024:
            out.append(f"{h.id}: {h.memory_gib} GiB on one GPU looks like a unit slip")
        if isinstance(h, Unified) and not h.memory_gib_options:
            out.append(f"{h.id}: a unified machine needs memory_gib_options")
        for p in h.prices:
            if p.memory_gib is not None and isinstance(h, Unified) and p.memory_gib not in h.memory_gib_options:
                out.append(f"{h.id}: price for {p.memory_gib} GB, which is not among its memory options")
    return out
