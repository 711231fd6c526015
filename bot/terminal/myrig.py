"""`rigfit myrig`: this machine, detected, as the hardware phrase to paste into Discord; `here` in place of hardware
on the command line.

What is looked at: NVIDIA GPUs through NVML (`nvidia-ml-py`, imported as `pynvml`, when installed), an Apple chip and
its memory through `sysctl -n machdep.cpu.brand_string hw.memsize`, the CPU model and socket count from
/proc/cpuinfo, the memory from `psutil`. Every probe is a function in `Probes`, so tests give fakes. The phrase is
read back by the parser before it is printed: a part the parser would read as something else (a CPU model the
catalog lacks) is left out, so the phrase always reads as the machine that was detected."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.requests import Complete, Request
from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_hardware
from engine.rig import Rig
from engine.units import GIB

HERE = "here"
NOTHING_DETECTED = (
    "could not detect this machine's hardware (no NVIDIA GPU through nvidia-ml-py, not an Apple silicon Mac, no CPU "
    "or memory figure): write it out instead, e.g. `RTX 4090 + 64GB RAM` or `M3 Max 64GB`"
)
# Memory as sold: an OS reports a little less than is installed (firmware and the kernel keep some), so the total
# is read as the smallest of these at or above it.
SOLD_SIZES_GIB = (2, 4, 6, 8, 12, 16, 24, 32, 36, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072)
GIB_TOLERANCE = 0.6  # read back: GPU and unified sizes are whole GiB, NVML's totals a little under


@dataclass(frozen=True)
class Gpu:
    name: str  # as the driver names it: "NVIDIA GeForce RTX 4090"
    memory_bytes: int


@dataclass(frozen=True)
class Cpu:
    model: str  # as /proc/cpuinfo names it: "AMD EPYC 9654 96-Core Processor"
    sockets: int = 1


@dataclass(frozen=True)
class AppleChip:
    brand: str  # machdep.cpu.brand_string: "Apple M3 Max"
    memory_bytes: int  # hw.memsize


@dataclass(frozen=True)
class Probes:
    """One function per fact; each returns None (or no GPUs) where it sees nothing, and never raises."""

    nvidia: Callable[[], tuple[Gpu, ...]]
    apple: Callable[[], AppleChip | None]
    cpu: Callable[[], Cpu | None]
    memory_bytes: Callable[[], int | None]


@dataclass(frozen=True)
class Machine:
    """What the probes saw."""

    gpus: tuple[Gpu, ...] = ()
    apple: AppleChip | None = None
    cpu: Cpu | None = None
    memory_bytes: int | None = None

    @property
    def empty(self) -> bool:
        return not self.gpus and self.apple is None and self.cpu is None and not self.memory_bytes


def detect(probes: Probes) -> Machine:
    apple = probes.apple()
    if apple is not None and not apple.brand.startswith("Apple M"):
        apple = None  # an Intel Mac: its CPU and memory are read like any PC's
    return Machine(gpus=probes.nvidia(), apple=apple, cpu=probes.cpu(), memory_bytes=probes.memory_bytes())


# ------------------------------------------------------------------------------------------------- naming


def sold_gib(n_bytes: int) -> int:
    """The memory size a machine was sold with, from what its OS reports."""
    gib = n_bytes / GIB
    return next((s for s in SOLD_SIZES_GIB if s >= gib - 0.05), round(gib))


def gpu_name(name: str) -> str:
    """NVML's name without the vendor words people leave out: `NVIDIA GeForce RTX 4070 Laptop GPU` ->
    `RTX 4070 Laptop GPU`."""
    return re.sub(r"^(NVIDIA\s+)?(GeForce\s+)?", "", name.strip()).strip()


def cpu_name(model: str) -> str:
    """/proc/cpuinfo's model name as people write it: `AMD EPYC 9654 96-Core Processor` -> `EPYC 9654`,
    `Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz` -> `Xeon Gold 6138`, `13th Gen Intel(R) Core(TM) i7-13700H` ->
    `Core i7-13700H`."""
    s = re.sub(r"\((R|TM|tm|r)\)", "", model)
    s = re.sub(r"\bCPU\b.*$|@.*$|\b\d+-Core Processor\b.*$|\bProcessor\b.*$", "", s)
    s = re.sub(r"^\s*\d+(st|nd|rd|th) Gen\b", "", s)
    s = re.sub(r"^\s*(AMD|Intel)\b", "", s)
    return " ".join(s.split())


def _gpu_part(gpus: tuple[Gpu, ...]) -> str:
    counts: dict[tuple[str, int], int] = {}
    for g in gpus:
        key = (gpu_name(g.name), round(g.memory_bytes / GIB))
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{n}x {name} {gib}GB" if n > 1 else f"{name} {gib}GB" for (name, gib), n in counts.items()]
    return " + ".join(parts)


def _ram_part(machine: Machine, with_cpu: bool) -> str:
    if not machine.memory_bytes:
        return ""
    size = f"{sold_gib(machine.memory_bytes)}GB"
    cpu = machine.cpu
    if with_cpu and cpu is not None and cpu_name(cpu.model):
        sockets = " dual socket" if cpu.sockets == 2 else (f" x{cpu.sockets} sockets" if cpu.sockets > 2 else "")
        return f"{cpu_name(cpu.model)}{sockets} {size}"
    return f"{size} RAM"


def candidates(machine: Machine) -> list[str]:
    """Phrases for the machine, most telling first: the CPU model (its memory platform: channels, DDR speed), then
    without it."""
    if machine.apple is not None:
        chip = machine.apple.brand.removeprefix("Apple ").strip()
        return [f"{chip} {sold_gib(machine.apple.memory_bytes)}GB"]
    out: list[str] = []
    gpus = _gpu_part(machine.gpus)
    for with_cpu in (True, False):
        ram = _ram_part(machine, with_cpu)
        phrase = " + ".join(p for p in (gpus, ram) if p)
        if phrase and phrase not in out:
            out.append(phrase)
    return out


# ------------------------------------------------------------------------------------------------- read back


def _near_gib(got_bytes: int, want_bytes: int) -> bool:
    return abs(got_bytes - want_bytes) / GIB <= max(GIB_TOLERANCE, 0.02 * want_bytes / GIB)


def reads_back(rig: Rig, machine: Machine) -> bool:
    """The parser's first reading is the detected machine: its GPUs (count and memory), its unified memory, its
    system RAM, one node."""
    if rig.nodes != 1:
        return False
    got = sorted(g.memory_bytes for g in rig.gpus)
    want = sorted(g.memory_bytes for g in machine.gpus)
    if len(got) != len(want) or not all(_near_gib(a, b) for a, b in zip(got, want, strict=True)):
        return False
    if machine.apple is not None:
        return rig.unified is not None and _near_gib(rig.unified.memory_bytes, machine.apple.memory_bytes)
    if rig.unified is not None:
        return False
    if machine.memory_bytes:
        return rig.ram is not None and rig.ram.memory_bytes == sold_gib(machine.memory_bytes) * GIB
    return rig.ram is None


def phrase_for(machine: Machine, catalog: Catalog) -> str | None:
    """The first phrase the parser reads back as the machine (None: nothing detected, or nothing reads right)."""
    for text in candidates(machine):
        try:
            readings = parse_hardware(text, catalog)
        except RigfitError:
            continue
        if readings and reads_back(readings[0].rig, machine):
            return text
    return None


def myrig(catalog: Catalog, probes: Probes) -> tuple[str | None, str]:
    """(the phrase, the lines `rigfit myrig` prints); the phrase is None when nothing usable was detected."""
    machine = detect(probes)
    if machine.empty:
        return None, NOTHING_DETECTED
    text = phrase_for(machine, catalog)
    if text is None:
        seen = "; ".join(candidates(machine)) or "nothing usable"
        return None, f"detected {seen}, but no phrase I read back as this machine: write it out instead"
    reading = parse_hardware(text, catalog)[0]
    return text, f"{text}\n(read as {reading.label}; paste it as the hardware in Discord, or use `here` in rigfit)"


def hardware_options(request: Request) -> tuple[str, ...]:
    """The options of a request that take a rig (`compare`'s take a model or a rig); the `hardware` spec card takes
    one device's name, not a rig."""
    if request.name == "hardware":
        return ()
    rigs = (Complete.HARDWARE, Complete.MODEL_OR_HARDWARE)
    return tuple(o.name for o in request.options if o.complete in rigs)


def substitute_here(
    raw: Mapping[str, object], request: Request, detect_phrase: Callable[[], str | None]
) -> tuple[dict[str, object], str | None]:
    """`here` as the value of a hardware option becomes this machine's phrase; (the options, an error or None)."""
    out = dict(raw)
    for name in hardware_options(request):
        value = out.get(name)
        if isinstance(value, str) and value.strip().lower() == HERE:
            text = detect_phrase()
            if text is None:
                return out, NOTHING_DETECTED
            out[name] = text
    return out, None


# ------------------------------------------------------------------------------------------------- this machine


def _nvidia() -> tuple[Gpu, ...]:
    try:
        import pynvml  # nvidia-ml-py: optional
    except ImportError:
        return ()
    try:
        pynvml.nvmlInit()
    except Exception:  # no driver, no GPU: NVMLError subclasses by cause
        return ()
    try:
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            name = name.decode() if isinstance(name, bytes) else str(name)
            gpus.append(Gpu(name=name, memory_bytes=int(pynvml.nvmlDeviceGetMemoryInfo(handle).total)))
        return tuple(gpus)
    except Exception:
        return ()
    finally:
        pynvml.nvmlShutdown()


def _apple() -> AppleChip | None:
    if sys.platform != "darwin":
        return None
    try:
        done = subprocess.run(
            ["sysctl", "-n", "machdep.cpu.brand_string", "hw.memsize"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        brand, memsize = done.stdout.strip().splitlines()[:2]
        return AppleChip(brand=brand.strip(), memory_bytes=int(memsize))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> Cpu | None:
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    model = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    if model is None:
        return None
    sockets = len(set(re.findall(r"^physical id\s*:\s*(\d+)$", text, re.MULTILINE))) or 1
    return Cpu(model=model.group(1).strip(), sockets=sockets)


def _memory_bytes() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.virtual_memory().total)


THIS_MACHINE = Probes(nvidia=_nvidia, apple=_apple, cpu=_cpu, memory_bytes=_memory_bytes)
