"""Hardware phrases people type -> readings: each reasonable way to read `256GB`, `2x RTX 3090 + 128GB DDR4`,
`M3 Ultra 256GB`, most likely first, with what was assumed to read it so.

Every failure raises RigfitError naming what was not understood and what would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.catalog import Catalog
from catalog.types import Gpu, Hardware, SystemMemory, Unified
from engine.errors import ErrorCode, RigfitError
from engine.parse.options import MAX_INPUT_CHARS
from engine.rig import (
    Assumption,
    AssumptionKind,
    GpuDevice,
    Reading,
    Rig,
    SystemRam,
    UnifiedPool,
    gpu_device,
    platform_ram,
    spec_ram,
    unified_pool,
)
from engine.units import GIB

HARDWARE_EXAMPLES = "`256GB`, `2x RTX 3090 + 128GB DDR4`, `M3 Ultra 256GB`, `24GB VRAM + 64GB RAM`"

# A bare "24GB VRAM" is read as the most common card of that size (said in the reading's assumptions).
TYPICAL_GPU_BY_GIB: dict[int, str] = {
    8: "rtx-4060",
    10: "rtx-3080",
    12: "rtx-3060-12gb",
    16: "rtx-4060-ti-16gb",
    20: "rx-7900-xt",
    24: "rtx-3090",
    32: "rtx-5090",
    48: "rtx-a6000",
    80: "h100-pcie",
    96: "rtx-pro-6000",
}
POOLED_GPU_IDS = ("rtx-3090", "rtx-5090", "rtx-a6000", "rtx-pro-6000", "h100-sxm")

_SIZE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>tb|tib|gib|gb|g)(?![a-z])")
_QUALIFIER = re.compile(
    r"^\s*(?:of\s+)?(?P<q>vram|v-ram|gpu memory|gpus?|graphics cards?|cards?|ram|system ram|system memory|sysram|"
    r"memory|unified(?: memory)?|lpddr5x|lpddr5|ddr5|ddr4)\b"
)
_GPU_WORDS = ("gpu", "gpus", "card", "cards", "graphics card", "graphics cards")  # "a 24GB GPU": VRAM
_DDR = re.compile(r"\b(?P<gen>lpddr5x|lpddr5|ddr5|ddr4)(?:[-\s]?(?P<mts>\d{4}))?\b")
_CHANNELS = re.compile(
    r"\b(?:(?P<n>\d{1,2})[-\s]?(?:ch|chan|channels?)|(?P<word>single|dual|quad|hexa|octa|twelve)[-\s]?channel)\b"
)
_CHANNEL_WORDS = {"single": 1, "dual": 2, "quad": 4, "hexa": 6, "octa": 8, "twelve": 12}
_COUNT_PREFIX = re.compile(r"^(?P<n>\d{1,2})\s*[x×*]\s*|^(?P<word>two|three|four|dual|triple|quad)\s+")
_COUNT_SUFFIX = re.compile(r"\s*[x×*]\s*(?P<n>\d{1,2})$")
_COUNT_WORDS = {"two": 2, "dual": 2, "three": 3, "triple": 3, "four": 4, "quad": 4}
_NVLINK = re.compile(r"\bnv-?link(?:ed|s)?\b(?:\s+bridges?\b)?")
_NO_GPU = re.compile(r"\b(no[-\s]?gpu|cpu[-\s]?only|without (?:a )?gpu)\b")
_FILLER = re.compile(
    r"\b(with|gpus?|cards?|graphics|nvidia|geforce|amd|radeon|apple|mac\s?studio|macbook\s?pro|mac\s?mini|"
    r"mac\s?pro|imac|of|and|plus|my|a|an|the|in|total|machine|rig|box|pc|server|desktop)\b"
)


# ------------------------------------------------------------------------------------------------- hardware


@dataclass
class _Size:
    gib: float
    qualifier: str | None


@dataclass
class _Piece:
    text: str
    name: str = ""  # the device words left once counts, sizes and memory words are taken out
    count: int = 1
    entry: Hardware | None = None
    sizes: list[_Size] = field(default_factory=list)


@dataclass
class _RamSpec:
    generation: str | None = None
    mt_s: int | None = None
    channels: int | None = None


def _to_gib(num: str, unit: str) -> float:
    value = float(num)
    return value * 1024 if unit in ("tb", "tib") else value


def _split_parts(text: str) -> list[str]:
    s = text.lower().replace("×", "x")
    s = re.sub(r"\s*(?:\+|,|&|;|\band\b|\bwith\b|\bplus\b)\s*", " + ", s)
    return [p.strip() for p in s.split(" + ") if p.strip()]


MAX_MEMORY_GIB = 64 * 1024  # 64 TB: more than any one machine in the catalog; past it the size is a typo
_NEGATIVE = re.compile(r"(?:^|\s)-\s*\d+(?:\.\d+)?\s*(?:tb|tib|gib|gb|g)(?![a-z])")


def _take_sizes(part: str) -> tuple[list[_Size], str]:
    if _NEGATIVE.search(part):
        raise RigfitError(
            "A memory size can't be negative; try e.g. `24GB VRAM + 64GB RAM`.",
            field="hardware",
            code=ErrorCode.NEGATIVE_SIZE,
        )
    sizes: list[_Size] = []
    rest = part
    for m in reversed(list(_SIZE.finditer(part))):
        gib = _to_gib(m.group("num"), m.group("unit"))
        if not 0 < gib <= MAX_MEMORY_GIB:
            raise RigfitError(
                f"`{m.group(0).strip()}` is not a memory size I can size (more than 0 and at most 64 TB).",
                field="hardware",
                code=ErrorCode.SIZE_OUT_OF_RANGE,
            )
        q = _QUALIFIER.match(part[m.end() :])
        qualifier = q.group("q") if q else None
        qualifier = "vram" if qualifier in _GPU_WORDS else qualifier
        end = m.end() + (q.end() if q else 0)
        sizes.insert(0, _Size(gib, qualifier))
        rest = rest[: m.start()] + " " + rest[end:]
    return sizes, rest


def _take_count(part: str) -> tuple[int, str]:
    m = _COUNT_PREFIX.match(part)
    if m:
        n = int(m.group("n")) if m.group("n") else _COUNT_WORDS[m.group("word")]
        return n, part[m.end() :]
    m = _COUNT_SUFFIX.search(part)
    if m:
        return int(m.group("n")), part[: m.start()]
    return 1, part


def _resolve_name(name: str, catalog: Catalog) -> Hardware:
    res = catalog.find_hardware(name)
    if res.id is None and not res.candidates and name.endswith("s"):
        res = catalog.find_hardware(name[:-1])  # "3090s"
    if res.id is not None:
        return catalog.hardware[res.id]
    if res.candidates:
        names = tuple(catalog.hardware[c].name for c in res.candidates[:5])
        raise RigfitError(
            f"`{name}` could mean several devices.",
            field="hardware",
            code=ErrorCode.DEVICE_AMBIGUOUS,
            suggestions=names,
        )
    names = tuple(catalog.hardware[c].name for c in res.suggestions)
    raise RigfitError(
        f"I don't know the device `{name}`. Try a GPU or machine name, or sizes like {HARDWARE_EXAMPLES}.",
        field="hardware",
        code=ErrorCode.DEVICE_UNKNOWN,
        suggestions=names,
    )


def _piece(part: str, catalog: Catalog, ram: _RamSpec) -> _Piece:
    count, rest = _take_count(part)
    ddr = _DDR.search(rest)
    if ddr:
        ram.generation = ddr.group("gen").upper()
        ram.mt_s = int(ddr.group("mts")) if ddr.group("mts") else ram.mt_s
        rest = rest[: ddr.start()] + " ram " + rest[ddr.end() :]
    sizes, rest = _take_sizes(rest)
    if ddr:
        sizes = [_Size(s.gib, s.qualifier or "ram") for s in sizes]
    ch = _CHANNELS.search(rest)
    if ch:
        ram.channels = int(ch.group("n")) if ch.group("n") else _CHANNEL_WORDS[ch.group("word")]
        rest = rest[: ch.start()] + " " + rest[ch.end() :]
    name = _FILLER.sub(" ", rest)
    name = re.sub(r"[^a-z0-9.\s-]", " ", name)
    name = " ".join(name.split()).strip(" -")
    entry = _resolve_name(name, catalog) if name else None
    return _Piece(text=part, name=name, count=count, entry=entry, sizes=sizes)


def _typical_gpu(gib: float, catalog: Catalog) -> tuple[GpuDevice, Assumption]:
    wanted = TYPICAL_GPU_BY_GIB.get(round(gib))
    entry = catalog.hardware.get(wanted or "")
    if not isinstance(entry, Gpu):
        same = sorted(
            (h for h in catalog.hardware.values() if isinstance(h, Gpu) and round(h.memory_gib) == round(gib)),
            key=lambda h: h.name,
        )
        entry = same[0] if same else None
    if isinstance(entry, Gpu):
        typical = Assumption(
            kind=AssumptionKind.TYPICAL_GPU, size_gib=gib, device=entry.name, bandwidth_gb_s=entry.bandwidth_gb_s
        )
        return gpu_device(entry).model_copy(update={"memory_bytes": int(gib * GIB)}), typical
    device = GpuDevice(name=f"{gib:g} GB GPU", memory_bytes=int(gib * GIB))
    return device, Assumption(kind=AssumptionKind.UNKNOWN_GPU_SIZE, size_gib=gib)


def _ram(gib: float, spec: _RamSpec, platform: SystemMemory | None) -> tuple[SystemRam, tuple[Assumption, ...]]:
    if platform is not None:
        return platform_ram(platform, gib), ()
    ram, assumed = spec_ram(gib, spec.generation, spec.mt_s, spec.channels)
    if not assumed:
        return ram, ()
    read = Assumption(
        kind=AssumptionKind.RAM_SPEC, device=ram.description, bandwidth_gb_s=ram.bandwidth_gb_s, assumed=assumed
    )
    return ram, (read,)


def _chip(name: str) -> str:
    """ "Apple M4 Max (32-core GPU)" -> "Apple M4 Max": the chip a catalog name's builds share."""
    return re.sub(r"\s*\(.*\)$", "", name)


def _unified_variant(entry: Unified, gib: float | None, catalog: Catalog) -> Unified:
    """ "M4 Max 36GB": a size the named chip is not sold with picks the catalog's other build of the same chip that
    is (the binned 32-core GPU), when there is exactly one."""
    if gib is None or int(gib) in entry.memory_gib_options:
        return entry
    builds = [
        h
        for h in catalog.hardware.values()
        if isinstance(h, Unified)
        and h is not entry
        and _chip(h.name) == _chip(entry.name)
        and int(gib) in h.memory_gib_options
    ]
    return builds[0] if len(builds) == 1 else entry


def _unified_readings(entry: Unified, gib: float | None) -> list[Reading]:
    if gib is not None:
        options = [int(gib)]
        if int(gib) not in entry.memory_gib_options:
            sizes = ", ".join(f"{s}GB" for s in entry.memory_gib_options)
            raise RigfitError(
                f"{entry.name} is sold with {sizes}, not {gib:g}GB.",
                field="hardware",
                code=ErrorCode.SIZE_NOT_SOLD,
                suggestions=tuple(f"{entry.name} {s}GB" for s in entry.memory_gib_options),
            )
    else:
        options = sorted(entry.memory_gib_options, reverse=True)[:4]
    out = []
    for size in options:
        pool = unified_pool(entry, size)
        notes = [_gpu_limit(pool, size)]
        if gib is None:
            notes.append(Assumption(kind=AssumptionKind.SIZES_SHOWN, device=entry.name))
        if pool.raised_limit_bytes:
            notes.append(Assumption(kind=AssumptionKind.WIRED_LIMIT_RAISABLE))
        out.append(Reading(label=f"{entry.name} {size}GB", rig=Rig(unified=pool), assumptions=tuple(notes)))
    return out


def _gpu_limit(pool: UnifiedPool, size_gib: int) -> Assumption:
    return Assumption(
        kind=AssumptionKind.GPU_LIMIT,
        size_gib=size_gib,
        limit_gib=pool.gpu_limit_bytes / GIB,
        gpu_limit_basis=pool.gpu_limit_basis,
        gpu_limit_source=pool.gpu_limit_source,
    )


def _bare_readings(gib: float, catalog: Catalog, ram_spec: _RamSpec) -> list[Reading]:
    """A bare size ("256GB"): unified memory, a 24 GB GPU plus that much RAM, or that much pooled VRAM."""
    readings: list[Reading] = []
    size_first = gib <= 32
    if size_first:
        device, note = _typical_gpu(gib, catalog)
        readings.append(Reading(label=f"one {gib:g} GB GPU", rig=Rig(gpus=(device,)), assumptions=(note,)))
    unified = _unified_for_size(gib, catalog)
    if unified is not None:
        reading = _unified_readings(unified, gib)[0]
        readings.append(
            reading.model_copy(
                update={
                    "label": f"{gib:g} GB unified memory ({unified.name})",
                    "assumptions": (
                        Assumption(kind=AssumptionKind.READ_AS_UNIFIED, device=unified.name, size_gib=gib),
                        *reading.assumptions,
                    ),
                }
            )
        )
    if not size_first:
        gpu, gpu_note = _typical_gpu(24, catalog)
        ram, ram_notes = _ram(gib, ram_spec, None)
        notes = (Assumption(kind=AssumptionKind.RAM_BESIDE_GPU, beside=gpu_note), *ram_notes)
        readings.append(
            Reading(label=f"24 GB GPU + {gib:g} GB system RAM", rig=Rig(gpus=(gpu,), ram=ram), assumptions=notes)
        )
        pooled = _pooled(gib, catalog)
        if pooled is not None:
            readings.append(pooled)
    else:
        ram, ram_notes = _ram(gib, ram_spec, None)
        notes = (Assumption(kind=AssumptionKind.RAM_NO_GPU), *ram_notes)
        readings.append(Reading(label=f"{gib:g} GB system RAM, no GPU", rig=Rig(ram=ram), assumptions=notes))
    return readings


MAX_UNIFIED_READINGS = 4


def _any_unified(gib: float, catalog: Catalog) -> list[Reading]:
    """'128GB unified': every catalog machine sold with that much unified memory, fastest memory first."""
    machines = sorted(
        (h for h in catalog.hardware.values() if isinstance(h, Unified) and int(gib) in h.memory_gib_options),
        key=lambda h: -h.bandwidth_gb_s,
    )[:MAX_UNIFIED_READINGS]
    if not machines:
        sizes = sorted({s for h in catalog.hardware.values() if isinstance(h, Unified) for s in h.memory_gib_options})
        raise RigfitError(
            f"No unified-memory machine in the catalog has {gib:g} GB; they come with "
            f"{', '.join(f'{s}GB' for s in sizes)}.",
            field="hardware",
            code=ErrorCode.NO_UNIFIED_OF_SIZE,
        )
    note = Assumption(kind=AssumptionKind.UNIFIED_MACHINES, size_gib=gib)
    return [
        r.model_copy(update={"assumptions": (note, *r.assumptions)})
        for m in machines
        for r in _unified_readings(m, gib)
    ]


def _unified_for_size(gib: float, catalog: Catalog) -> Unified | None:
    fits = [h for h in catalog.hardware.values() if isinstance(h, Unified) and int(gib) in h.memory_gib_options]
    if not fits:
        return None
    return max(fits, key=lambda h: (h.release_date.isoformat() if h.release_date else "", h.bandwidth_gb_s))


def _pooled(gib: float, catalog: Catalog) -> Reading | None:
    options = []
    for gpu_id in POOLED_GPU_IDS:
        g = catalog.hardware.get(gpu_id)
        if isinstance(g, Gpu):
            n = gib / g.memory_gib
            if n == int(n) and 2 <= n <= 8:
                options.append((int(n), g))
    if not options:
        return None
    n, g = min(options, key=lambda o: o[0])
    device = gpu_device(g)
    return Reading(
        label=f"{gib:g} GB pooled VRAM ({n}x {g.name})",
        rig=Rig(gpus=(device,) * n),
        assumptions=(Assumption(kind=AssumptionKind.POOLED_VRAM, count=n, device=g.name, size_gib=g.memory_gib),),
    )


def parse_hardware(text: str, catalog: Catalog) -> list[Reading]:
    """Every reasonable reading of a hardware phrase, most likely first."""
    if not text or not text.strip():
        raise RigfitError(
            f"Tell me the hardware, e.g. {HARDWARE_EXAMPLES}.", field="hardware", code=ErrorCode.HARDWARE_MISSING
        )
    if len(text) > MAX_INPUT_CHARS:
        raise RigfitError(
            f"That hardware text is {len(text)} characters; keep it under {MAX_INPUT_CHARS}.",
            field="hardware",
            code=ErrorCode.INPUT_TOO_LONG,
            limit=MAX_INPUT_CHARS,
        )
    lowered = text.lower()
    no_gpu = bool(_NO_GPU.search(lowered))
    lowered = _NO_GPU.sub(" ", lowered)
    nvlink = bool(_NVLINK.search(lowered))
    lowered = _NVLINK.sub(" ", lowered)
    ram_spec = _RamSpec()
    pieces = [_piece(p, catalog, ram_spec) for p in _split_parts(lowered)]
    pieces = [p for p in pieces if p.entry is not None or p.sizes]
    if not pieces:
        raise RigfitError(
            f"I couldn't find hardware in `{text.strip()[:80]}`. Try {HARDWARE_EXAMPLES}.",
            field="hardware",
            code=ErrorCode.HARDWARE_NOT_FOUND,
        )
    readings = _assemble(pieces, catalog, ram_spec, no_gpu)
    return [_with_link(r, nvlink) for r in readings]


def _with_link(reading: Reading, said_nvlink: bool) -> Reading:
    """GPUs talk over NVLink when they are SXM modules, or when the phrase says so and every card can be
    bridged; otherwise over PCIe (said in the assumptions when the phrase asked for NVLink)."""
    gpus = reading.rig.gpus
    if len(gpus) < 2:
        return reading
    linked = all(g.nvlink_gb_s and (g.sxm or said_nvlink) for g in gpus)
    if linked:
        return reading.model_copy(update={"rig": reading.rig.model_copy(update={"nvlink": True})})
    if not said_nvlink:
        return reading
    unable = sorted({g.name for g in gpus if not g.nvlink_gb_s})
    note = Assumption(kind=AssumptionKind.NO_NVLINK, devices=tuple(unable))
    return reading.model_copy(update={"assumptions": (*reading.assumptions, note)})


_VRAM_WORDS = (None, "vram", "v-ram", "gpu memory")


def _memory_variant(entry: Gpu, name: str, sizes: list[_Size], catalog: Catalog) -> tuple[Gpu, list[_Size]]:
    """ "A100 40GB", "V100 PCIe 32GB": a size next to a card's name that is not the named entry's memory picks the
    catalog's variant of that card with that memory, when there is one (else the size stays system RAM)."""
    for s in sizes:
        if s.qualifier not in _VRAM_WORDS or round(s.gib) == round(entry.memory_gib):
            continue
        for phrase in (f"{name} {s.gib:g}gb", f"{name} {s.gib:g}g", f"{name}-{s.gib:g}gb"):
            found = catalog.find_hardware(phrase)
            variant = catalog.hardware.get(found.id or "")
            if isinstance(variant, Gpu) and round(variant.memory_gib) == round(s.gib):
                return variant, [x for x in sizes if x is not s]
    return entry, sizes


def _assemble(pieces: list[_Piece], catalog: Catalog, ram_spec: _RamSpec, no_gpu: bool) -> list[Reading]:
    gpus: list[GpuDevice] = []
    notes: list[Assumption] = []
    unified: Unified | None = None
    unified_gib: float | None = None
    platform: SystemMemory | None = None
    ram_gib = 0.0
    vram_sizes: list[tuple[int, float]] = []
    bare: list[float] = []
    for p in pieces:
        entry = p.entry
        sizes = list(p.sizes)
        if isinstance(entry, Gpu):
            if no_gpu:
                raise RigfitError(
                    f"`{p.text}` names a GPU, but the phrase also says no GPU.",
                    field="hardware",
                    code=ErrorCode.CONFLICTING_HARDWARE,
                )
            entry, sizes = _memory_variant(entry, p.name, sizes, catalog)
            gpus += [gpu_device(entry)] * p.count
            for s in sizes:
                if s.qualifier in (None, "vram", "v-ram", "gpu memory") and round(s.gib) == round(entry.memory_gib):
                    continue
                if s.qualifier in ("vram", "v-ram", "gpu memory"):
                    raise RigfitError(
                        f"{entry.name} has {entry.memory_gib:g} GB, not {s.gib:g} GB.",
                        field="hardware",
                        code=ErrorCode.SIZE_NOT_SOLD,
                    )
                ram_gib += s.gib
        elif isinstance(entry, Unified):
            if unified is not None:
                raise RigfitError(
                    "One unified-memory machine at a time, please.",
                    field="hardware",
                    code=ErrorCode.CONFLICTING_HARDWARE,
                )
            unified = entry
            unified_gib = sizes[0].gib if sizes else None
        elif isinstance(entry, SystemMemory):
            platform = entry
            ram_gib += sum(s.gib for s in sizes)
        else:
            for s in sizes:
                q = s.qualifier
                if q in ("vram", "v-ram", "gpu memory"):
                    vram_sizes.append((p.count, s.gib))
                elif q in ("unified", "unified memory"):
                    unified_gib = s.gib
                elif q is None:
                    bare.append(s.gib * p.count)
                else:
                    ram_gib += s.gib
    if unified_gib is not None and unified is None:
        if gpus or vram_sizes:
            raise RigfitError(
                "A unified-memory machine with extra GPUs isn't something I can size yet.",
                field="hardware",
                code=ErrorCode.CONFLICTING_HARDWARE,
            )
        return _any_unified(unified_gib, catalog)
    if unified is not None:
        if gpus or vram_sizes:
            raise RigfitError(
                "A unified-memory machine with extra GPUs isn't something I can size yet.",
                field="hardware",
                code=ErrorCode.CONFLICTING_HARDWARE,
            )
        readings = _unified_readings(_unified_variant(unified, unified_gib, catalog), unified_gib)
        return [r.model_copy(update={"assumptions": (*notes, *r.assumptions)}) for r in readings]
    for count, gib in vram_sizes:
        device, note = _typical_gpu(gib, catalog)
        gpus += [device] * count
        notes.append(note)
    if bare and not gpus and ram_gib == 0 and not no_gpu and platform is None:
        if len(bare) == 1:
            return _bare_readings(bare[0], catalog, ram_spec)
        small, large = min(bare), max(bare)
        device, note = _typical_gpu(small, catalog)
        gpus.append(device)
        notes += [note, Assumption(kind=AssumptionKind.SPLIT_SIZES, size_gib=small, other_size_gib=large)]
        bare = [b for b in bare if b != small]
    ram_gib += sum(bare)
    ram = None
    if ram_gib > 0:
        ram, ram_notes = _ram(ram_gib, ram_spec, platform)
        notes += ram_notes
    elif platform is not None:
        raise RigfitError(
            f"How much memory does the {platform.name} have? e.g. `{platform.name} 768GB`.",
            field="hardware",
            code=ErrorCode.PLATFORM_SIZE_MISSING,
        )
    if not gpus and ram is None:
        raise RigfitError(
            f"I couldn't find memory sizes in that phrase. Try {HARDWARE_EXAMPLES}.",
            field="hardware",
            code=ErrorCode.HARDWARE_NOT_FOUND,
        )
    rig = Rig(gpus=tuple(gpus), ram=ram)
    return [Reading(label=rig.describe(), rig=rig, assumptions=tuple(notes))]
