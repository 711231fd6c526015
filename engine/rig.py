"""A rig: the devices and memory pools one reading of a hardware phrase describes, and the devices built from
catalog entries (a GPU, a unified machine at one memory size, system RAM on a platform or from a stated spec)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.types import Backend, Cpu, Fp16Basis, Gpu, SystemMemory, Unified
from engine.kernels import CpuSpec, MatrixRate, MatrixSpec, matrix_rate
from engine.memory import os_reserve_bytes
from engine.units import GIB

# One direction of a PCIe link, GB/s: lanes x transfer rate x encoding / 8 (PCI-SIG: 3.0 8 GT/s and 4.0 16 GT/s
# and 5.0 32 GT/s, 128b/130b encoding): 3.0 x16 = 15.75, 4.0 x16 = 31.5, 5.0 x16 = 63.
PCIE_GB_S = {
    "pcie3-x16": 15.75,
    "pcie4-x8": 15.75,
    "pcie4-x16": 31.5,
    "pcie5-x8": 31.5,
    "pcie5-x16": 63.0,
}
# DDR moves 8 bytes per channel per transfer: GB/s = MT/s x 8 x channels / 1000 (JEDEC; the computed rows of
# shared/calibration/hardware_specs.csv). Unstated speeds take the most common speed of the generation.
DEFAULT_MT_S = {
    "DDR3": 1600,
    "DDR3L": 1600,
    "DDR4": 3200,
    "DDR5": 5600,
    "LPDDR4": 3200,  # the Raspberry Pi 4's LPDDR4-3200 (catalog/data/hardware/cpus.yaml)
    "LPDDR4X": 4266,
    "LPDDR5": 6400,
    "LPDDR5X": 8000,
}
DEFAULT_RAM_GENERATION = "DDR5"
DESKTOP_MAX_GIB = 256  # desktop boards take 4 DIMMs; more memory than this implies a server platform
# DDR4 desktop platforms top out at 128 GB (4 x 32 GB: every DDR4 desktop family in catalog/data/hardware/cpus.yaml
# states 64 or 128 GB), so more DDR4 than that ("4x3090 + 256gb ddr4") sits on a server or HEDT board.
DESKTOP_MAX_GIB_BY_GENERATION = {"DDR4": 128}
SERVER_DEFAULT_CHANNELS = 8
DESKTOP_DEFAULT_CHANNELS = 2
# With iogpu.wired_limit_mb raised, the answer assumes the user leaves macOS this much (stated on the card as the
# sysctl value to set; an assumption, not a measurement).
APPLE_RAISED_RESERVE_BYTES = 8 * GIB
# Metal's recommendedMaxWorkingSetSize: about 2/3 of memory on small Macs (up to 36 GB), 3/4 on larger ones
# (shared/SIZING.md §3).
METAL_SMALL_MAX_GIB = 36
METAL_SMALL_FRACTION, METAL_LARGE_FRACTION = 2 / 3, 3 / 4


RamFact = Literal["memory type", "speed", "channels"]
# What a unified machine's GPU limit rests on: a catalog fraction (with its source), Metal's default working set,
# or all memory (BIOS carve-out / GTT set to the maximum).
GpuLimitBasis = Literal["catalog", "metal-default", "all-memory", "stated"]  # stated: "96gb vram allocated"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GpuDevice(Frozen):
    name: str
    hardware_id: str | None = None
    memory_bytes: Annotated[int, Field(gt=0)]
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None  # None: unknown card, no speed estimate
    fp16_tflops: Annotated[float, Field(gt=0)] | None = None
    fp16_tflops_basis: Fp16Basis = "published"  # "derived": from the card's specifications (catalog/gpudb.py)
    backend: Backend = "cuda"
    pcie_gb_s: Annotated[float, Field(gt=0)] | None = None
    nvlink_gb_s: Annotated[float, Field(gt=0)] | None = None  # the card can be NVLinked (bridge, SXM)
    sxm: bool = False  # an SXM/OAM module: its NVLink/NVSwitch fabric is always there
    compute_capability: str | None = None  # NVIDIA: "8.6" (catalog Gpu.compute_capability)
    gfx_target: str | None = None  # AMD: "gfx1100" (catalog Gpu.gfx_target)
    matrix_spec: MatrixSpec | None = None  # what the prefill kernels' path and peak follow from (engine/kernels.py)

    @property
    def matrix(self) -> MatrixRate | None:
        """The prefill kernels' path and peak for quantized weights."""
        return matrix_rate(self.matrix_spec) if self.matrix_spec else None


class UnifiedPool(Frozen):
    """Memory shared by CPU and GPU; `gpu_limit_bytes` is what the GPU may use under the stated assumption."""

    name: str
    hardware_id: str | None = None
    memory_bytes: Annotated[int, Field(gt=0)]
    gpu_limit_bytes: Annotated[int, Field(gt=0)]
    gpu_limit_basis: GpuLimitBasis
    gpu_limit_source: str | None = None  # GpuLimitBasis "catalog": the catalog's source for the fraction
    raised_limit_bytes: int | None = None  # Apple: with iogpu.wired_limit_mb raised
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None
    fp16_tflops: Annotated[float, Field(gt=0)] | None = None
    fp16_tflops_basis: Fp16Basis = "published"
    backend: Backend = "metal"
    matrix_spec: MatrixSpec | None = None  # what the prefill kernels' path and peak follow from (engine/kernels.py)

    @property
    def matrix(self) -> MatrixRate | None:
        """The prefill kernels' path and peak for quantized weights."""
        return matrix_rate(self.matrix_spec) if self.matrix_spec else None


class SystemRam(Frozen):
    memory_bytes: Annotated[int, Field(gt=0)]
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None
    description: str  # "DDR5-5600 dual-channel (assumed)"
    memory_type: str | None = None  # DDR4, DDR5, LPDDR5X: what the memory would cost to buy
    channels: int | None = None
    cpu: CpuSpec | None = None  # the catalog CPU model it sits on, where its cores and clock are known (prefill)


# Links between machines of a cluster, one direction, GB/s: line rate / 8 (Thunderbolt 5 80 Gb/s and Thunderbolt 4
# 40 Gb/s per Intel's Thunderbolt specifications; the DGX Spark's ConnectX-7 200 Gb/s per NVIDIA's DGX Spark page;
# InfiniBand NDR 400 Gb/s per port; 10/100 Gb Ethernet). Read as an assumption where the phrase names none.
NodeLink = Literal["thunderbolt5", "thunderbolt4", "connectx7", "infiniband", "ethernet-100g", "ethernet-10g"]
NODE_LINK_GB_S: dict[NodeLink, float] = {
    "thunderbolt5": 80 / 8,
    "thunderbolt4": 40 / 8,
    "connectx7": 200 / 8,
    "infiniband": 400 / 8,
    "ethernet-100g": 100 / 8,
    "ethernet-10g": 10 / 8,
}
# Time one message takes between two machines, seconds, as (fast, slow): only where a measurement is published.
# Thunderbolt 5 between Macs: 'RDMA ... lowering memory access latency from 300μs down to < 50μs' (Jeff Geerling,
# four M3 Ultra Mac Studios on macOS 26.2 with exo 1.0, 2025-12-18,
# https://www.jeffgeerling.com/blog/2025/15-tb-vram-on-mac-studio-rdma-over-thunderbolt-5): < 50 µs over RDMA
# (exo), 300 µs over TCP on Thunderbolt (llama.cpp RPC, exo without RDMA). No end-to-end figure for the other links
# was found (a switch's port-to-port latency is not a hop through the software); their speed says latency is not
# modelled (engine/speed.py CaveatKind.LINK_LATENCY_UNMODELLED).
NODE_LINK_LATENCY_S: dict[NodeLink, tuple[float, float]] = {
    "thunderbolt5": (50e-6, 300e-6),
}
GPUS_PER_SERVER = 8  # an HGX/OAM baseboard holds 8 SXM/OAM modules: `16x H200` is two servers


class Rig(Frozen):
    """One machine's devices, or, with `nodes` > 1, each of `nodes` identical machines' (a cluster: `2x M3 Ultra
    512GB`, `2 nodes of 8x H100`), linked by `node_link`. A cluster of different machines (`4090 pc + 3090 pc`,
    `M4 Max 128GB + M2 Ultra 192GB`) lists each in `machines`; its own devices are then the largest machine's."""

    gpus: tuple[GpuDevice, ...] = ()
    unified: UnifiedPool | None = None
    ram: SystemRam | None = None
    nvlink: bool = False  # the GPUs talk over NVLink (bridged cards, or SXM modules), else over PCIe
    nodes: Annotated[int, Field(ge=1)] = 1
    node_link: NodeLink | None = None  # between nodes (None: one machine)
    machines: tuple[Rig, ...] = ()  # a cluster of different machines: every one (each of one node), else ()

    @model_validator(mode="after")
    def _machines_are_the_nodes(self) -> Rig:
        if self.machines and (len(self.machines) != self.nodes or any(m.nodes != 1 for m in self.machines)):
            raise ValueError(f"a rig of {self.nodes} nodes lists {len(self.machines)} machines (one node each)")
        return self

    @property
    def node(self) -> Rig:
        """One machine of the rig (of different machines, the one with the most memory)."""
        return self.model_copy(update={"nodes": 1, "node_link": None, "machines": ()})

    @property
    def node_rigs(self) -> tuple[Rig, ...]:
        """Every machine of the rig, one node each."""
        return self.machines or (self.node,) * self.nodes

    @property
    def memory_bytes(self) -> int:
        """All memory of one machine: VRAM, unified and system RAM."""
        unified = self.unified.memory_bytes if self.unified else 0
        return self.vram_bytes + unified + (self.ram.memory_bytes if self.ram else 0)

    @property
    def vram_bytes(self) -> int:
        return sum(g.memory_bytes for g in self.gpus)

    def describe(self) -> str:
        parts: list[str] = []
        names: dict[str, int] = {}
        for g in self.gpus:
            names[g.name] = names.get(g.name, 0) + 1
        parts += [f"{n}x {name}" if n > 1 else name for name, n in names.items()]
        if self.unified:
            parts.append(self.unified.name)
        if self.ram:
            parts.append(f"{self.ram.memory_bytes / (1 << 30):.0f} GB {self.ram.description}")
        one = " + ".join(parts) or "nothing"
        if self.machines:
            return " & ".join(m.describe() for m in self.machines)
        return f"{self.nodes} nodes of {one}" if self.nodes > 1 else one


class AssumptionKind(StrEnum):
    """What was assumed to read a hardware phrase one way (bot/wording.py says each in words)."""

    TYPICAL_GPU = "typical-gpu"  # a bare GPU size read as `device` (`bandwidth_gb_s`)
    UNKNOWN_GPU_SIZE = "unknown-gpu-size"  # no card of `size_gib` in the catalog: memory only
    RAM_SPEC = "ram-spec"  # system RAM read as `device` (a DDR description) at `bandwidth_gb_s`; `assumed` facts
    GPU_LIMIT = "gpu-limit"  # unified memory: `limit_gib` of `size_gib` for the GPU, on `gpu_limit_basis`
    SIZES_SHOWN = "sizes-shown"  # no memory size given: `device`'s sizes shown, largest first
    WIRED_LIMIT_RAISABLE = "wired-limit-raisable"  # Apple: the GPU limit can be raised with a sysctl
    READ_AS_UNIFIED = "read-as-unified"  # a bare size read as `device` with `size_gib` of unified memory
    RAM_BESIDE_GPU = "ram-beside-gpu"  # a bare size read as system RAM beside the GPU in `beside`
    RAM_NO_GPU = "ram-no-gpu"  # a bare size read as system RAM with no GPU
    UNIFIED_MACHINES = "unified-machines"  # `size_gib` of unified memory: every machine sold with it
    POOLED_VRAM = "pooled-vram"  # a bare size read as `count` x `device` of `size_gib` each, layer split
    NO_NVLINK = "no-nvlink"  # `devices` have no NVLink in the catalog: linked by PCIe
    SPLIT_SIZES = "split-sizes"  # two bare sizes: `size_gib` as VRAM, `other_size_gib` as system RAM
    CPU_PLATFORM = "cpu-platform"  # system RAM on `device` (a CPU) x `count` sockets; `assumed` facts not sourced
    PRODUCT_CHIP = "product-chip"  # a product sold with several chips (`device`) read as the chip in `devices`
    CLUSTER = "cluster"  # `count` machines, each with its own memory, linked by `link` (`bandwidth_gb_s`)
    SERVERS_OF_EIGHT = "servers-of-eight"  # `count` SXM/OAM modules read as servers of GPUS_PER_SERVER
    DESCRIBED = "described"  # `device` is not in the catalog: memory and bandwidth as the phrase gives them
    OTHER_MEMORY = "other-memory"  # `device` with `size_gib` written, not its `other_size_gib`: a variant or memory
    # mod the catalog lacks (`2080 ti 22gb`, `mi50 32gb`), at the catalog card's bandwidth
    CPU_NOT_KNOWN = "cpu-not-known"  # `device` looks like a CPU the catalog lacks: left out, the rest read without it
    CPU_RAM_UNSTATED = "cpu-ram-unstated"  # `device` (a CPU) named beside GPUs with no RAM size: its RAM left out


class Assumption(Frozen):
    kind: AssumptionKind
    device: str | None = None
    devices: tuple[str, ...] = ()
    count: int | None = None
    size_gib: float | None = None
    other_size_gib: float | None = None
    limit_gib: float | None = None
    bandwidth_gb_s: float | None = None
    assumed: tuple[RamFact, ...] = ()
    gpu_limit_basis: GpuLimitBasis | None = None
    gpu_limit_source: str | None = None
    beside: Assumption | None = None
    link: NodeLink | None = None  # CLUSTER
    link_stated: bool = False  # CLUSTER: the phrase named the link (else assumed)


class Reading(Frozen):
    """One way a hardware phrase can be read, with what was assumed to read it so."""

    label: str
    rig: Rig
    assumptions: tuple[Assumption, ...] = ()


def gpu_device(g: Gpu) -> GpuDevice:
    return GpuDevice(
        name=g.name,
        hardware_id=g.id,
        memory_bytes=int(g.memory_gib * GIB),
        bandwidth_gb_s=g.bandwidth_gb_s,
        fp16_tflops=g.fp16_tflops,
        fp16_tflops_basis=g.fp16_tflops_basis,
        backend=g.backend,
        pcie_gb_s=g.pcie_gb_s or PCIE_GB_S.get(g.interconnect or ""),
        nvlink_gb_s=g.nvlink_gb_s,
        sxm=(g.interconnect or "").startswith(("sxm", "oam")),
        compute_capability=g.compute_capability,
        gfx_target=g.gfx_target,
        matrix_spec=MatrixSpec.of(g),
    )


def platform_ram(platform: SystemMemory, gib: float, *, named: bool = True) -> SystemRam:
    """`gib` of system RAM on a catalog platform, at its bandwidth."""
    desc = f"{platform.memory_type}-{platform.mt_s} {platform.channels}-channel"
    return SystemRam(
        memory_bytes=int(gib * GIB),
        bandwidth_gb_s=platform.bandwidth_gb_s,
        description=f"{desc} ({platform.name})" if named else desc,
        memory_type=platform.memory_type,
        channels=platform.channels,
    )


def spec_ram(
    gib: float, generation: str | None, mt_s: int | None, channels: int | None, dimms: int | None = None
) -> tuple[SystemRam, tuple[RamFact, ...]]:
    """`gib` of system RAM from what a phrase stated of it (DDR generation, MT/s, channels, DIMMs), the rest assumed:
    DDR5 at its common speed, 2 channels up to a desktop board's most (DESKTOP_MAX_GIB, DDR4's own) and
    SERVER_DEFAULT_CHANNELS past it, never more than the DIMMs stated. Returns the RAM and which facts were assumed."""
    assumed: list[RamFact] = []
    gen = generation or DEFAULT_RAM_GENERATION
    if generation is None:
        assumed.append("memory type")
    speed = mt_s or DEFAULT_MT_S[gen]
    if mt_s is None:
        assumed.append("speed")
    desktop_max = DESKTOP_MAX_GIB_BY_GENERATION.get(gen, DESKTOP_MAX_GIB)
    n = channels or dimm_bound(SERVER_DEFAULT_CHANNELS if gib > desktop_max else DESKTOP_DEFAULT_CHANNELS, dimms)
    if channels is None:
        assumed.append("channels")
    ram = SystemRam(
        memory_bytes=int(gib * GIB),
        bandwidth_gb_s=speed * 8 * n / 1000,
        description=f"{gen}-{speed} {n}-channel",
        memory_type=gen,
        channels=n,
    )
    return ram, tuple(assumed)


# Registered and unbuffered DIMM sizes sold per generation (GiB): DDR4 up to 128 GB RDIMMs; DDR5 adds the
# non-binary 24, 48 and 96 GB parts.
DIMM_GIB: dict[str, tuple[int, ...]] = {
    "DDR3": (2, 4, 8, 16, 32),
    "DDR4": (4, 8, 16, 32, 64, 128),
    "DDR5": (8, 16, 24, 32, 48, 64, 96, 128, 256),
}


def populated_channels(gib: float, platform_channels: int, generation: str) -> int:
    """How many of a platform's channels `gib` of RAM can fill with one DIMM size: 96 GB of DDR4 on an 8-channel
    EPYC is six 16 GB DIMMs (no 12 GB DDR4 DIMM exists), so six channels carry it. Every channel when the size
    divides evenly, or when no count of equal DIMMs makes it (`252 GB` as an OS reports it)."""
    sizes = DIMM_GIB.get(generation)
    if not sizes or gib <= 0:
        return platform_channels
    for n in range(platform_channels, 0, -1):
        if any(abs(gib - n * k * d) < 0.5 for d in sizes for k in (1, 2)):  # one or two DIMMs per channel
            return n
    return platform_channels


def dimm_bound(channels: int, dimms: int | None) -> int:
    """Each DIMM sits in one channel: `2 x 16 GB` on a 4-channel Xeon E5 fills two of them, `one 32GB stick` one."""
    return min(channels, dimms) if dimms else channels


def cpu_ram(
    cpu: Cpu,
    gib: float,
    generation: str | None,
    mt_s: int | None,
    channels: int | None,
    sockets: int,
    dimms: int | None = None,
) -> tuple[SystemRam, tuple[RamFact, ...]]:
    """`gib` of system RAM on `sockets` of a catalog CPU: what the phrase stated wins (a DDR generation, MT/s, a
    channel count for the whole machine, a DIMM count that bounds it), the CPU's platform gives the rest; a fact
    neither gives is assumed."""
    assumed: list[RamFact] = []
    gen = generation or cpu.memory_type
    alt = cpu.alt_memory if cpu.alt_memory and cpu.alt_memory.memory_type == gen else None
    platform_speed = cpu.mt_s if gen == cpu.memory_type else (alt.mt_s if alt else None)
    speed = mt_s or platform_speed
    if speed is None:
        speed = DEFAULT_MT_S.get(gen, DEFAULT_MT_S[DEFAULT_RAM_GENERATION])
        assumed.append("speed")
    n = channels or (cpu.channels * sockets if cpu.channels else None)
    if channels is None and n is not None:
        n = populated_channels(gib, dimm_bound(n, dimms), gen)
    if n is None and cpu.bus_width_bits and gen == cpu.memory_type:  # a narrow LPDDR bus (Raspberry Pi 5: 32-bit)
        ram = SystemRam(
            memory_bytes=int(gib * GIB),
            bandwidth_gb_s=speed * cpu.bus_width_bits / 8 * sockets / 1000,
            description=f"{gen}-{speed} {cpu.bus_width_bits}-bit ({cpu.name})",
            memory_type=gen,
            cpu=CpuSpec.of(cpu, sockets),
        )
        return ram, tuple(assumed)
    if n is None:
        n = DESKTOP_DEFAULT_CHANNELS * sockets
        assumed.append("channels")
    ram = SystemRam(
        memory_bytes=int(gib * GIB),
        bandwidth_gb_s=speed * 8 * n / 1000,
        description=f"{gen}-{speed} {n}-channel ({cpu.name}{f', {sockets} sockets' if sockets > 1 else ''})",
        memory_type=gen,
        channels=n,
        cpu=CpuSpec.of(cpu, sockets),
    )
    return ram, tuple(assumed)


def unified_pool(entry: Unified, gib: int) -> UnifiedPool:
    total = gib * GIB
    basis: GpuLimitBasis
    if entry.gpu_default_fraction is not None:
        fraction, basis = entry.gpu_default_fraction, "catalog"
    elif entry.backend == "metal":
        fraction = METAL_SMALL_FRACTION if gib <= METAL_SMALL_MAX_GIB else METAL_LARGE_FRACTION
        basis = "metal-default"
    else:
        fraction, basis = 1.0, "all-memory"
    limit = int(total * fraction) if fraction < 1 else total - os_reserve_bytes(total)
    raised = total - APPLE_RAISED_RESERVE_BYTES if entry.backend == "metal" else None
    sized = re.search(rf"\b{gib}\s*GB\b", entry.name)  # `NVIDIA Jetson AGX Orin 64GB` names its size already
    return UnifiedPool(
        name=entry.name if sized else f"{entry.name} {gib}GB",
        hardware_id=entry.id,
        memory_bytes=total,
        gpu_limit_bytes=limit,
        gpu_limit_basis=basis,
        gpu_limit_source=entry.gpu_default_fraction_source if basis == "catalog" else None,
        raised_limit_bytes=raised,
        bandwidth_gb_s=entry.bandwidth_gb_s,
        fp16_tflops=entry.fp16_tflops,
        fp16_tflops_basis=entry.fp16_tflops_basis,
        backend=entry.backend,
        matrix_spec=MatrixSpec.of(entry),
    )
