"""Prices of hardware from the catalog: a device's cheapest current offer, system RAM per GB by memory type and
class, a whole rig, and the RAM platforms a GPU + RAM build can be priced on. All money in US dollars."""

from __future__ import annotations

from catalog.types import Gpu, Hardware, SystemMemory, Unified
from engine.rig import Rig, SystemRam, platform_ram
from engine.units import GIB

CURRENT_PRICE_DAYS = 183  # prices within half a year of a device's latest price count as current


def device_price(h: Hardware, memory_gib: int | None = None) -> tuple[float | None, str]:
    """The cheapest current price of a device (new or used); for unified machines, of the configuration asked."""
    prices = [p for p in h.prices if isinstance(h, Gpu) or p.memory_gib in (memory_gib, None)]
    if isinstance(h, Unified) and memory_gib is not None:
        exact = [p for p in prices if p.memory_gib == memory_gib]
        # a price that names no size stands only for a machine sold at one size
        prices = exact or (prices if len(h.memory_gib_options) == 1 else [])
    if not prices:
        size = f" {memory_gib} GB" if isinstance(h, Unified) and memory_gib else ""
        return None, f"no price in the catalog for {h.name}{size}"
    # A buyer takes the cheapest offer that is still current: the lowest price dated within CURRENT_PRICE_DAYS of
    # the latest one (new or used, said in the note).
    latest = max(p.as_of for p in prices)
    current = [p for p in prices if (latest - p.as_of).days <= CURRENT_PRICE_DAYS]
    best = min(current, key=lambda p: (p.usd, p.condition != "new"))
    return best.usd, f"{h.name} {best.condition} ${best.usd:,.0f} ({best.as_of})"


def rig_price(rig: Rig, hardware: dict[str, Hardware]) -> tuple[float | None, str]:
    """GPUs or the unified machine at their cheapest current catalog price, plus system RAM at the latest per-GB
    price of that memory type; the board, CPU and the rest of the PC are not priced (the note says so)."""
    total, notes = 0.0, []
    for device_id, memory_gib in _priced_parts(rig):
        h = hardware.get(device_id or "")
        if h is None:
            return None, "a device without a catalog entry has no price"
        usd, note = device_price(h, memory_gib)
        if usd is None:
            return None, note
        total += usd
        notes.append(note)
    if rig.ram is not None:
        usd, note = ram_price(rig.ram, hardware)
        if usd is None and not notes:
            return None, note
        total += usd or 0.0
        notes += [note + (": not counted" if usd is None else ""), "board, CPU and the rest of the PC not priced"]
    return total, "; ".join(notes)


def ram_price(ram: SystemRam, hardware: dict[str, Hardware]) -> tuple[float | None, str]:
    """System RAM at the latest per-GB price the catalog has for its memory type, from a platform of the same
    class (server, more than 2 channels: registered DIMMs; desktop: unbuffered)."""
    gib = ram.memory_bytes / GIB
    server = (ram.channels or 2) > 2
    offers = [
        p
        for h in hardware.values()
        if isinstance(h, SystemMemory) and h.memory_type == ram.memory_type and (h.channels > 2) == server
        for p in h.prices
        if p.memory_gib
    ]
    if not offers:
        return None, f"no price in the catalog for {ram.memory_type or 'this'} system RAM"
    price = max(offers, key=lambda p: (p.as_of, p.condition == "new"))
    assert price.memory_gib is not None
    per_gib = price.usd / price.memory_gib
    return per_gib * gib, (
        f"{gib:.0f} GB {ram.memory_type} at ${per_gib:.2f}/GB ({price.condition} {price.memory_gib} GB for "
        f"${price.usd:,.0f}, {price.as_of})"
    )


def _priced_parts(rig: Rig) -> list[tuple[str | None, int | None]]:
    parts: list[tuple[str | None, int | None]] = [(g.hardware_id, None) for g in rig.gpus]
    if rig.unified is not None:
        parts.append((rig.unified.hardware_id, round(rig.unified.memory_bytes / (1 << 30))))
    return parts


def priced_platforms(hardware: dict[str, Hardware]) -> list[SystemMemory]:
    """One system-memory platform per memory type and class (desktop 2-channel, server more) with a RAM price in
    the catalog: the fastest of each, as a build would use."""
    best: dict[tuple[str, bool], SystemMemory] = {}
    for h in hardware.values():
        if not isinstance(h, SystemMemory):
            continue
        ram = platform_ram(h, 64, named=False)
        if ram_price(ram, hardware)[0] is None:
            continue
        key = (h.memory_type, h.channels > 2)
        if key not in best or h.bandwidth_gb_s > best[key].bandwidth_gb_s:
            best[key] = h
    return list(best.values())


def ram_usd_per_gib(platform: SystemMemory, hardware: dict[str, Hardware]) -> float:
    """The platform's RAM price per GiB (0 when the catalog has none)."""
    usd, _ = ram_price(platform_ram(platform, 1, named=False), hardware)
    return usd or 0.0
