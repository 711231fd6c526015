"""Prices of hardware from the catalog: a device's cheapest current offer, system RAM per GB by memory type and
class, a whole rig, and the RAM platforms a GPU + RAM build can be priced on. All money in US dollars.

Each price comes with what it rests on as typed parts (`PricePart`: the offer taken, or why there is none);
bot/wording.py says them in words."""

from __future__ import annotations

from enum import StrEnum

from catalog.types import Gpu, Hardware, PlatformPrice, Price, SystemMemory, Unified
from engine.rig import Frozen, Rig, SystemRam, platform_ram
from engine.units import GIB

CURRENT_PRICE_DAYS = 183  # prices within half a year of a device's latest price count as current


class PricePartKind(StrEnum):
    """One part of a machine's price, or why it has none (bot/wording.py says each in words)."""

    GPU = "gpu"  # a card, `device`, at its cheapest current `offer`
    MACHINE = "machine"  # a unified-memory machine, `device` with `memory_gib`, at its cheapest current `offer`
    RAM = "ram"  # `ram_gib` of `memory_type` system RAM at the per-GB price of `offer` (a kit of `offer.memory_gib`)
    NO_OFFER = "no-offer"  # no price in the catalog for `device` (with `memory_gib` for a unified machine)
    NO_RAM_OFFER = "no-ram-offer"  # no price in the catalog for `memory_type` system RAM (None: the type is unknown)
    NO_ENTRY = "no-entry"  # a device without a catalog entry
    PLATFORM = "platform"  # the board, CPU, power supply, case and storage of `platform` (each part dated)


class PricePart(Frozen):
    kind: PricePartKind
    device: str | None = None  # GPU, MACHINE, NO_OFFER: the catalog name
    memory_gib: int | None = None  # MACHINE, NO_OFFER: the unified configuration asked
    memory_type: str | None = None  # RAM, NO_RAM_OFFER
    ram_gib: float | None = None  # RAM: the size priced
    offer: Price | None = None  # GPU, MACHINE, RAM: the catalog price taken
    platform: PlatformPrice | None = None  # PLATFORM

    @property
    def usd_per_gib(self) -> float | None:
        """RAM: the offer's price per GiB."""
        if self.offer is None or not self.offer.memory_gib:
            return None
        return self.offer.usd / self.offer.memory_gib


class PriceBasis(Frozen):
    """What a machine's price rests on: each part's offer (or the part that has none), whether the board, CPU and
    the rest of the PC are left out (they are when system RAM is priced), or that the user gave the price."""

    parts: tuple[PricePart, ...] = ()
    rest_unpriced: bool = False
    given: bool = False


GIVEN = PriceBasis(given=True)


def device_price(h: Hardware, memory_gib: int | None = None) -> tuple[float | None, PricePart]:
    """The cheapest current price of a device (new or used); for unified machines, of the configuration asked."""
    prices = [p for p in h.prices if isinstance(h, Gpu) or p.memory_gib in (memory_gib, None)]
    if isinstance(h, Unified) and memory_gib is not None:
        exact = [p for p in prices if p.memory_gib == memory_gib]
        # a price that names no size stands only for a machine sold at one size
        prices = exact or (prices if len(h.memory_gib_options) == 1 else [])
    unified = isinstance(h, Unified)
    size = memory_gib if unified else None
    if not prices:
        return None, PricePart(kind=PricePartKind.NO_OFFER, device=h.name, memory_gib=size)
    # A buyer takes the cheapest offer that is still current: the lowest price dated within CURRENT_PRICE_DAYS of
    # the latest one (new or used, the offer's condition says which).
    latest = max(p.as_of for p in prices)
    current = [p for p in prices if (latest - p.as_of).days <= CURRENT_PRICE_DAYS]
    best = min(current, key=lambda p: (p.usd, p.condition != "new"))
    kind = PricePartKind.MACHINE if unified else PricePartKind.GPU
    return best.usd, PricePart(kind=kind, device=h.name, memory_gib=size, offer=best)


def rig_price(rig: Rig, hardware: dict[str, Hardware]) -> tuple[float | None, PriceBasis]:
    """GPUs or the unified machine at their cheapest current catalog price, plus system RAM at the latest per-GB
    price of that memory type; the board, CPU and the rest of the PC are not priced (the basis says so). Without a
    total, the basis holds the one part that has no price."""
    total, parts = 0.0, []
    for device_id, memory_gib in _priced_parts(rig):
        h = hardware.get(device_id or "")
        if h is None:
            return None, PriceBasis(parts=(PricePart(kind=PricePartKind.NO_ENTRY),))
        usd, part = device_price(h, memory_gib)
        if usd is None:
            return None, PriceBasis(parts=(part,))
        total += usd
        parts.append(part)
    if rig.ram is None:
        return total, PriceBasis(parts=tuple(parts))
    usd, part = ram_price(rig.ram, hardware)
    if usd is None and not parts:
        return None, PriceBasis(parts=(part,))
    # RAM without a price is left out of the total (the part says it has no offer)
    return total + (usd or 0.0), PriceBasis(parts=(*parts, part), rest_unpriced=True)


RamOffers = dict[tuple[str | None, bool], Price]  # (memory type, server class) -> the offer RAM is priced at


def ram_offers(hardware: dict[str, Hardware]) -> RamOffers:
    """The offer `ram_price` takes for each memory type and class (server, more than 2 channels: registered
    DIMMs; desktop: unbuffered): the latest, new before used. Made once by a search that prices much RAM."""
    offers: dict[tuple[str | None, bool], list[Price]] = {}
    for h in hardware.values():
        if isinstance(h, SystemMemory):
            offers.setdefault((h.memory_type, h.channels > 2), []).extend(p for p in h.prices if p.memory_gib)
    return {k: max(v, key=lambda p: (p.as_of, p.condition == "new")) for k, v in offers.items() if v}


def ram_price(
    ram: SystemRam, hardware: dict[str, Hardware], offers: RamOffers | None = None
) -> tuple[float | None, PricePart]:
    """System RAM at the latest per-GB price the catalog has for its memory type, from a platform of the same
    class (`ram_offers`, which a caller pricing much RAM may pass in)."""
    gib = ram.memory_bytes / GIB
    server = (ram.channels or 2) > 2
    price = (offers if offers is not None else ram_offers(hardware)).get((ram.memory_type, server))
    if price is None:
        return None, PricePart(kind=PricePartKind.NO_RAM_OFFER, memory_type=ram.memory_type)
    part = PricePart(kind=PricePartKind.RAM, memory_type=ram.memory_type, ram_gib=gib, offer=price)
    assert part.usd_per_gib is not None
    return part.usd_per_gib * gib, part


def _priced_parts(rig: Rig) -> list[tuple[str | None, int | None]]:
    parts: list[tuple[str | None, int | None]] = [(g.hardware_id, None) for g in rig.gpus]
    if rig.unified is not None:
        parts.append((rig.unified.hardware_id, round(rig.unified.memory_bytes / (1 << 30))))
    return parts


def priced_platforms(hardware: dict[str, Hardware], offers: RamOffers | None = None) -> list[SystemMemory]:
    """One system-memory platform per memory type and class (desktop 2-channel, server more) with a RAM price in
    the catalog: the fastest of each, as a build would use."""
    offers = offers if offers is not None else ram_offers(hardware)
    best: dict[tuple[str, bool], SystemMemory] = {}
    for h in hardware.values():
        if not isinstance(h, SystemMemory):
            continue
        key = (h.memory_type, h.channels > 2)
        if key not in offers:
            continue
        if key not in best or h.bandwidth_gb_s > best[key].bandwidth_gb_s:
            best[key] = h
    return list(best.values())


def ram_usd_per_gib(platform: SystemMemory, hardware: dict[str, Hardware], offers: RamOffers | None = None) -> float:
    """The platform's RAM price per GiB (0 when the catalog has none)."""
    usd, _ = ram_price(platform_ram(platform, 1, named=False), hardware, offers)
    return usd or 0.0


def platform_for(
    platforms: tuple[PlatformPrice, ...], n_gpus: int, ram: SystemMemory | None = None, slot: str = "pcie"
) -> PlatformPrice | None:
    """The cheapest priced platform that takes `n_gpus` cards in its `slot` (PCIe, or an SXM/OAM baseboard) and,
    for a GPU + RAM build, the RAM's type and channel count (None: the catalog prices no such platform, and the
    build is not offered)."""
    fits = [
        p
        for p in platforms
        if p.max_gpus >= n_gpus
        and p.slot == slot
        and (ram is None or (p.memory_type, p.channels) == (ram.memory_type, ram.channels))
    ]
    return min(fits, key=lambda p: p.usd, default=None)


def card_slot(gpu: Gpu) -> str:
    """What a card sits in: an SXM module an HGX baseboard, an OAM module an OAM one, any other card a PCIe slot."""
    interconnect = gpu.interconnect or ""
    return "sxm" if interconnect.startswith("sxm") else "oam" if interconnect.startswith("oam") else "pcie"


def platform_part(platform: PlatformPrice) -> PricePart:
    return PricePart(kind=PricePartKind.PLATFORM, platform=platform)
