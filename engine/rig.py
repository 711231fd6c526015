"""A rig: the devices and memory pools one reading of a hardware phrase describes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from catalog.types import Backend


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GpuDevice(Frozen):
    name: str
    hardware_id: str | None = None
    memory_bytes: Annotated[int, Field(gt=0)]
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None  # None: unknown card, no speed estimate
    fp16_tflops: Annotated[float, Field(gt=0)] | None = None
    backend: Backend = "cuda"
    pcie_gb_s: Annotated[float, Field(gt=0)] | None = None
    nvlink_gb_s: Annotated[float, Field(gt=0)] | None = None  # the card can be NVLinked (bridge, SXM)
    sxm: bool = False  # an SXM/OAM module: its NVLink/NVSwitch fabric is always there


class UnifiedPool(Frozen):
    """Memory shared by CPU and GPU; `gpu_limit_bytes` is what the GPU may use under the stated assumption."""

    name: str
    hardware_id: str | None = None
    memory_bytes: Annotated[int, Field(gt=0)]
    gpu_limit_bytes: Annotated[int, Field(gt=0)]
    gpu_limit_note: str
    raised_limit_bytes: int | None = None  # Apple: with iogpu.wired_limit_mb raised
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None
    fp16_tflops: Annotated[float, Field(gt=0)] | None = None
    backend: Backend = "metal"


class SystemRam(Frozen):
    memory_bytes: Annotated[int, Field(gt=0)]
    bandwidth_gb_s: Annotated[float, Field(gt=0)] | None = None
    description: str  # "DDR5-5600 dual-channel (assumed)"
    memory_type: str | None = None  # DDR4, DDR5, LPDDR5X: what the memory would cost to buy
    channels: int | None = None


class Rig(Frozen):
    gpus: tuple[GpuDevice, ...] = ()
    unified: UnifiedPool | None = None
    ram: SystemRam | None = None
    nvlink: bool = False  # the GPUs talk over NVLink (bridged cards, or SXM modules), else over PCIe

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
        return " + ".join(parts) or "nothing"


class Reading(Frozen):
    """One way a hardware phrase can be read, with what was assumed to read it so."""

    label: str
    rig: Rig
    assumptions: tuple[str, ...] = ()
