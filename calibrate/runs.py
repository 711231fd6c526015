"""Measured runs: read the CSV rows (shared/calibration/ and bench/measured_runs.csv), map each to a catalog model
and device, and work out the ideal speed (efficiency 1) the engine's model predicts for it."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from calibrate import cpu
from catalog.catalog import Catalog
from catalog.types import Gpu, Model, Unified
from engine import calibration, memory
from engine.errors import RigfitError
from engine.kernels import INTEL_XE_ARCHITECTURES, MatrixRate, MatrixSpec, matrix_rate, weights_of
from engine.parse import parse_hardware, parse_model
from engine.parse.runs import gpu_layers, layers_on_cpu, tensors_in_ram
from engine.speed import (
    DEEP_CONTEXT_TOKENS,
    PrefillWork,
    batch_expert_read_bytes,
    decode_bandwidth_gb_s,
    prefill_attention_flops_per_token,
    prefill_batch_tokens,
    prefill_weight_flops_per_token,
)
from engine.units import GIB

T = TypeVar("T")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "calibration"
CSV_NAME = "tokens_per_second.csv"
# The project's own collection of published runs the shared set lacks (CPU only, offload, several GPUs).
EXTRA_CSV = Path(__file__).resolve().parents[1] / "bench" / "measured_runs.csv"


def calibration_dir() -> Path:
    return Path(os.environ.get("RIGFIT_CALIBRATION_DIR", DEFAULT_DIR))


# A guard, not a measured figure: a CPU prefill run whose modelled RAM read takes more than this share of its
# measured time is taken as this share, so its arithmetic efficiency stays finite.
READ_SHARE_MAX = 0.9


@dataclass(frozen=True)
class Run:
    row_id: str
    hardware: str
    device_kind: str  # gpu | unified
    backend: str
    model: Model
    phase: calibration.Phase
    measured_tps: float
    ideal_tps: float  # at efficiency 1.0
    source: str = ""  # the publication the row comes from (source_key): its runs are fitted or scored together
    path: str = calibration.ANY  # prefill: the MatrixPath of the kernels llama.cpp ran (prefill groups)
    # prefill: seconds per token the fitted efficiency does not divide, a term of its own beside the arithmetic
    # `ideal_tps` describes: on a CPU the weights read from RAM at full bandwidth (engine.speed.cpu_batch_read_seconds),
    # on CUDA's tensor cores attention at its kernels' own share of their peak (engine.speed.PrefillWork)
    read_s: float = 0.0
    # decode: whether llama.cpp ran the device's steps in CUDA graphs (calibration.cuda_graphs_run); without them the
    # engine adds the kernel launches graphs save (calibration.NO_GRAPHS_LAYER_S, measured apart, never fitted: the
    # fit sees fitted_tps)
    cuda_graphs: bool = True
    intel_arc: bool = False  # decode groups key an Intel Arc card by its vendor (calibration.decode_backend)

    @property
    def moe(self) -> bool:
        return self.model.is_moe

    @property
    def fitted_tps(self) -> float:
        """The rate the fitted groups explain: the measured one, less (for decode outside CUDA graphs) the typical
        kernel launches the engine adds apart, at most READ_SHARE_MAX of the measured time."""
        if self.cuda_graphs or self.phase != "decode":
            return self.measured_tps
        measured_s = 1 / self.measured_tps
        per_layer = calibration.NO_GRAPHS_LAYER_S["moe" if self.moe else "dense"].typical
        launch_s = memory.fixed_cost_layers(self.model) * per_layer
        return 1 / max(measured_s - launch_s, measured_s * (1 - READ_SHARE_MAX))

    @property
    def efficiency(self) -> float:
        """The share of the ideal the run reached; with a read term, the arithmetic's share of the time left after
        the read (at most READ_SHARE_MAX of the measured time is taken as the read, so a run measured faster than its
        read allows still yields a figure)."""
        if not self.read_s:
            return self.fitted_tps / self.ideal_tps
        measured_s = 1 / self.measured_tps
        compute_s = max(measured_s - self.read_s, measured_s * (1 - READ_SHARE_MAX))
        return 1 / (self.ideal_tps * compute_s)

    def group(self) -> calibration.GroupKey:
        backend = (
            calibration.decode_backend(self.backend, intel_arc=self.intel_arc)
            if self.phase == "decode"
            else self.backend
        )
        return calibration.group_key(self.phase, self.device_kind, backend, moe=self.moe, path=self.path)

    @property
    def device_class(self) -> str:
        return device_class(self.device_kind, self.backend, self.hardware)


# The classes the score is reported by (README, `make bench`): what a user's rig is, not how the fit groups runs.
def device_class(kind: str, backend: str, hardware_id: str) -> str:
    if kind == "ram":
        return "CPU only"
    if kind == "unified":
        if backend == "metal":
            return "Apple (Metal)"
        if hardware_id == "dgx-spark":
            return "DGX Spark"
        return "Strix Halo" if hardware_id.startswith("strix-halo") else "unified, other"
    return {"cuda": "one GPU, CUDA", "rocm": "one GPU, ROCm", "vulkan": "one GPU, Vulkan", "sycl": "one GPU, SYCL"}.get(
        backend, f"one GPU, {backend}"
    )


_DISCUSSION = re.compile(r"github discussions? (?P<repo>[\w.-]+/[\w.-]+)#(?P<n>\d+)")
_THREAD = re.compile(r"github:(?P<repo>[\w.-]+/[\w.-]+) (?:PR|issue|discussion) #(?P<n>\d+)")
_REPO = re.compile(r"github:(?P<repo>[\w.-]+/[\w.-]+)")
_GITHUB_URL = re.compile(
    r"https?://github\.com/(?P<repo>[\w.-]+/[\w.-]+)(?:/(?:pull|issues|discussions)/(?P<n>\d+))?", re.I
)
_CODE_INDEX = re.compile(r"code-index file id (?P<n>\d+)")
_URL = re.compile(r"https?://(?:www\.)?(?P<where>[^\s?#]+)")


def source_key(source: str) -> str:
    """The publication a row comes from, so that runs of one thread, one benchmark repository or one post are
    fitted together or scored together, never split between the two: an issue, PR or discussion by its number;
    files of a repository by the repository (its benchmark files share an author and a method); a page by its
    address; the code index's files by their id."""
    m = _GITHUB_URL.search(source)
    if m:
        return (f"github:{m['repo']}#{m['n']}" if m["n"] else f"github:{m['repo']}").lower()
    for pattern, key in (
        (_DISCUSSION, "github:{repo}#{n}"),
        (_THREAD, "github:{repo}#{n}"),
        (_CODE_INDEX, "code-index:{n}"),
        (_REPO, "github:{repo}"),
        (_URL, "{where}"),
    ):
        m = pattern.search(source)
        if m:
            return key.format(**m.groupdict()).rstrip("/").lower()
    return source.strip().lower()


_BACKENDS = {
    "cuda": "cuda",
    "rocm": "rocm",
    "vulkan": "vulkan",
    "metal": "metal",
    "mtl,blas": "metal",
    "sycl": "sycl",
    "cpu": "cpu",
}
# The RAM's data rate as sources write it: "DDR5-6000", "DDR5 6000", "DDR4 @ 3200 MT/s", or a bare "2133 MHz RAM" /
# "3200 MT/s DDR4" (a four-digit MHz or MT/s figure counts only next to a RAM word, so a GPU clock is not read as one).
_DATA_RATE = re.compile(
    r"\bDDR[45]X?[- ]?(?:@\s*)?(?P<ddr>\d{4})\b|"
    r"\b(?P<rate>\d{4})\s*(?:MHz|MT/s)\s+(?:DDR[45]X?\b|RAM\b|memory\b|DIMMs?\b)|"
    r"\b(?:DDR[45]X?|RAM|memory)\b[^;,()]{0,20}?@\s*(?P<at>\d{4})\s*(?:MHz|MT/s)",
    re.I,
)
_CHANNELS = re.compile(
    r"\b(?P<n>\d{1,2})[- ]?(?:channels?|ch)\b|"
    r"\b(?P<word>single|dual|quad|hexa|octa)[- ]channel",
    re.I,
)
_CHANNEL_WORDS = {"single": 1, "dual": 2, "quad": 4, "hexa": 6, "octa": 8}


def ram_spec_bandwidth(text: str) -> float | None:
    """GB/s of system RAM a text states by data rate and channel count (MT/s x 8 bytes x channels), in either order:
    "DDR4-3200, 8 channels", "quad-channel 2133 MHz RAM"; None unless it states both."""
    rate, channels = _DATA_RATE.search(text), _CHANNELS.search(text)
    if rate is None or channels is None:
        return None
    mts = int(rate.group("ddr") or rate.group("rate") or rate.group("at"))
    count = int(channels.group("n")) if channels.group("n") else _CHANNEL_WORDS[channels.group("word").lower()]
    return mts * 8 * count / 1000


def _ram_bandwidth(row: dict[str, str]) -> float | None:
    """A CPU run's memory bandwidth: as stated, else DDR data rate x 8 bytes x channels when the row states both
    (shared/SIZING.md section 5)."""
    stated = re.match(r"\s*~?(\d+(?:\.\d+)?)", row["memory_bandwidth_GBps_stated"])
    if stated:
        return float(stated.group(1))
    return ram_spec_bandwidth(row.get("hardware_memory", "") + " " + row["hardware"])


# CPU-only decode with a deep context: the measured runs fall far below the KV read's cost (Qwen3-235B on an EPYC
# 9355, bench/measured_runs.csv x517-x519: efficiency 0.44 empty, 0.11 at 4096, 0.07 at 8192) because attention is
# computed on the CPU. The RAM efficiency is fitted on runs below llama-bench's first depth step, where weights
# streaming dominates: it is also the figure for experts offloaded to RAM, whose attention runs on the GPU.
# Cards show the fall as a caveat from the same depth (engine/speed.py).
CPU_DEEP_TOKENS = DEEP_CONTEXT_TOKENS


def _cpu_run(row: dict[str, str], catalog: Catalog) -> tuple[Run | None, str]:
    if row["phase"] != "decode":
        return _cpu_prefill_run(row, catalog)
    if int(row["depth_tokens"] or 0) >= CPU_DEEP_TOKENS:
        return None, (
            f"CPU decode at {row['depth_tokens']} tokens of context measures attention computed on the CPU, which "
            "the bandwidth model lacks (a caveat on CPU-only cards)"
        )
    bandwidth = _ram_bandwidth(row)
    if bandwidth is None:
        return None, "CPU run without a stated bandwidth or DDR type, speed and channels"
    sized, why = _sized_model(row, catalog)
    if sized is None:
        return None, why
    model, weights = sized
    read = decode_read_bytes(row, model, weights, int(row["n_tokens"] or 128))
    name = hardware_phrase(row["hardware"]).lower()
    return Run(
        row["row_id"],
        name,
        "ram",
        "cpu",
        model,
        "decode",
        float(row["tokens_per_s"]),
        bandwidth * 1e9 / read,
        source_key(row.get("source", "")),
    ), ""


def decode_read_bytes(row: dict[str, str], model: Model, weights: int, n_tokens: int) -> float:
    """What a measured decode run reads a token: its active weights, and its KV cache at the run's average depth at
    the cost attention pays to read it (calibration.KV_READ_COST, as the engine counts it)."""
    depth = int(row["depth_tokens"] or 0)
    kv_bytes = memory.kv_cache_bytes(model, depth + n_tokens // 2)
    return memory.active_bytes(model, weights, file_type(row)) + calibration.KV_READ_COST * kv_bytes


def _sized_model(row: dict[str, str], catalog: Catalog) -> tuple[tuple[Model, int] | None, str]:
    """A CPU row's catalog model and its weights' bytes, or None and why not."""
    try:
        model = parse_model(model_name(row["model"]), catalog)
    except RigfitError as exc:
        return None, str(exc)[:80]
    weights = weights_bytes(row, model) if not model.adhoc else None
    return ((model, weights), "") if weights is not None else (None, "model or size not known")


def _cpu_prefill_run(row: dict[str, str], catalog: Catalog) -> tuple[Run | None, str]:
    """A CPU-only prompt run against the rate derived from its catalog CPU model (calibrate/cpu.py)."""
    spec, why = cpu.cpu_spec(row, catalog)
    if spec is None:
        return None, why
    sized, why = _sized_model(row, catalog)
    if sized is None:
        return None, why
    model, weights = sized
    ideal, read_s, path = cpu.prefill_ideal(row, spec, model, weights, ubatch_tokens(row), _ram_bandwidth(row))
    name, source = hardware_phrase(row["hardware"]).lower(), source_key(row["source"])
    measured = float(row["tokens_per_s"])
    return Run(row["row_id"], name, "ram", "cpu", model, "prefill", measured, ideal, source, path, read_s), ""


def model_name(raw: str) -> str:
    name = raw.split(" (")[0]
    name = re.sub(r"\b(UD-)?(I?Q\d\w*|BF16|F16|MXFP4)\b.*$", "", name).strip()
    # "-it QAT", "-Instruct" and what follows, but a release date, which names a model of its own: "-Instruct-2507"
    # (Qwen3-30B-A3B-Instruct-2507) -> "-2507"
    name = re.sub(r"(?i)[-\s](?:it|instruct)\b([-\s]\d{4}\b)?.*$", r"\1", name).strip()
    name = re.sub(r"-128K$", "", name)  # unsloth's GGUFs with YaRN set for 128K: the same weights
    return SAME_WEIGHTS_SHAPE.get(name, name)


# Rows naming a model the catalog has under another name with the same architecture and size, so the speed model
# sees the same shape (the row's own file size is used either way): fine-tunes the row itself names the base of,
# and releases the catalog notes as the same base model.
SAME_WEIGHTS_SHAPE = {
    "LLaMA 7B v2": "llama-2-7b",
    # llama-bench's "llama 7B" / "llama 13B" label: LLaMA 1 and Llama 2 of a size share layers, width, heads and
    # vocabulary (the row's own file size is used either way)
    "LLaMA 7B": "llama-2-7b",
    "LLaMA 13B": "llama-2-13b",
    "shisa-v2-llama3.3-70b": "llama-3.3-70b",  # row: "Llama-3.3-70B fine-tune"
    "shisa-v2-mistral-nemo-12b": "mistral-nemo-12b",  # row: "Mistral-Nemo-12B fine-tune"
    "Mistral-Small-3.1-24B": "mistral-small-3.2-24b",  # catalog note: 3.1 (2503) has the same base model as 3.2
    "Mistral-Small-3.1-24B-2503": "mistral-small-3.2-24b",  # the same, named with its release date
    # Mistral 7B v0.1 and v0.3: the same layers, width and heads (v0.3 adds 768 vocabulary entries)
    "Mistral-7B-v0.1": "mistral-7b-v0.3",
    # Qwen3.5 and Qwen3.6 35B-A3B: one shape in the catalog (40 layers, 256 experts of which 8 active, same attention)
    "Qwen3.5/3.6-35B-A3B": "qwen3.5-35b-a3b",
}


def hardware_phrase(raw: str, *, keep_plus: bool = False) -> str:
    """The device named in a row's hardware cell; a "+" between parts (a GPU + its host CPU) is dropped, and with
    `keep_plus` one glued to a product name ("Ryzen AI Max+ 395") is kept."""
    name = re.sub(r"\(.*?\)", "", raw).split(",")[0].split(";")[0]  # "...R9700 (-sm none); host CPU not stated"
    name = re.sub(r"\s\+\s?", " ", name) if keep_plus else name.replace("+", " ")
    name = re.sub(r"'[^']*'", "", name)
    name = re.sub(r"\b\d+-core GPU\b|\bAPU\b|\bGrace Blackwell\b|\bWorkstation Edition\b", "", name)
    return " ".join(name.split())


def file_type(row: dict[str, str]) -> str:
    """The row's file type as its quant column names it first: `MXFP4_MOE (unsloth; ...)` -> `MXFP4_MOE`."""
    return row["quant"].split(" ")[0]


def weights_bytes(row: dict[str, str], model: Model) -> int | None:
    size, unit = row["model_size_reported"], row["model_size_unit"]
    if size and unit == "GiB":
        return int(float(size) * GIB)
    if size and unit == "bytes":
        return int(float(size))
    w = memory.weights_estimate(model, file_type(row))
    return w.n_bytes if w else None


def measured_rows(directory: Path | None = None) -> list[dict[str, str]]:
    """The measured runs: shared/calibration's, plus bench/measured_runs.csv when reading the default data."""
    paths = [(directory or calibration_dir()) / CSV_NAME]
    if directory is None and EXTRA_CSV.exists():
        paths.append(EXTRA_CSV)
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def collect(
    rows: list[dict[str, str]], build: Callable[[dict[str, str]], tuple[T | None, str]]
) -> tuple[list[T], list[str]]:
    """What `build` makes of each row, and why it made nothing of the others."""
    made: list[T] = []
    skipped: list[str] = []
    for row in rows:
        item, why = build(row)
        if item is None:
            skipped.append(f"row {row['row_id']}: {why}")
        else:
            made.append(item)
    return made, skipped


def load_runs(catalog: Catalog, directory: Path | None = None) -> tuple[list[Run], list[str]]:
    return collect(measured_rows(directory), lambda row: _run(row, catalog))


# Setups that put part of the model in system RAM (engine/parse/runs.py reads the flags: a tensor override, experts
# on the CPU, or an -ngl count below the model's layers plus its output layer) are never fitted as one device (most
# such rows do not state the RAM's speed and channels).
OFFLOAD_SKIP = "weights partly in system RAM"


def ram_layers_why(notes: str, model: Model) -> str:
    """Why a row's -ngl count keeps part of the model in system RAM (empty when every layer is on the GPU)."""
    on_cpu = layers_on_cpu(notes, model.layers)
    if not on_cpu:
        return ""
    return f"{OFFLOAD_SKIP}: -ngl {gpu_layers(notes)} of {model.layers} layers + output ({on_cpu} on the CPU)"


# What the fit speaks for: llama.cpp itself, or a tool that runs it (Ollama, llama-server front ends). Forks with their
# own kernels (ik_llama.cpp), vLLM, KTransformers and exllama reach other speeds and are not fitted or scored.
_MAINLINE = re.compile(r"(?<![\w-])llama\.cpp", re.I)


def outside_scope(row: dict[str, str]) -> str:
    """Why a row says nothing about mainline llama.cpp's speed (empty when it does)."""
    if not _MAINLINE.search(row.get("engine", "")):
        return f"engine {row.get('engine', '')[:30]!r} is not mainline llama.cpp"
    return ""


def gpu_count(row: dict[str, str]) -> int | None:
    m = re.match(r"\s*(\d+)", row["num_gpus"])
    return int(m.group(1)) if m else None


def _run(row: dict[str, str], catalog: Catalog) -> tuple[Run | None, str]:
    if row["batch_size"] not in ("1", "") or row["phase"] not in ("decode", "prefill"):
        return None, "batched run"
    outside = outside_scope(row)
    if outside:
        return None, outside
    backend = _BACKENDS.get(row["backend"].lower())
    gpus = gpu_count(row)
    if backend == "cpu" and gpus == 0:
        return _cpu_run(row, catalog)
    if backend is None or gpus != 1:
        return None, f"backend {row['backend']} / {row['num_gpus']} GPUs"
    notes = row.get("offload_or_setup_notes", "")
    if tensors_in_ram(notes):
        return None, f"{OFFLOAD_SKIP}: checked end to end, not fitted"
    try:
        model = parse_model(model_name(row["model"]), catalog)
    except RigfitError as exc:
        return None, str(exc)[:80]
    if ram_layers_why(notes, model):
        return None, ram_layers_why(notes, model)
    if model.adhoc:
        return None, "model not in the catalog"
    weights = weights_bytes(row, model)
    if weights is None:
        return None, "no size"
    device = _device(row, catalog, backend)
    if device is None:
        return None, f"device {row['hardware'][:40]} not in the catalog and no bandwidth stated"
    device_id, kind, bandwidth, _tflops, _name = device
    entry = catalog.hardware.get(device_id)
    memory_gib = _device_memory_gib(entry)
    if memory_gib is not None and weights > memory_gib * GIB:
        return (
            None,
            f"{weights / GIB:.1f} GiB of weights cannot be resident in {memory_gib:g} GiB: not a GPU-resident run",
        )
    n_tokens = int(row["n_tokens"] or 512)
    path: str = calibration.ANY
    read_s = 0.0
    if row["phase"] == "decode":
        read = decode_read_bytes(row, model, weights, n_tokens)
        spec = MatrixSpec.of(entry, backend) if isinstance(entry, Gpu | Unified) else None
        ideal = decode_bandwidth_gb_s(bandwidth, spec) * 1e9 / read
    else:
        weights_type = weights_of(file_type(row))
        rate = matrix_rate(MatrixSpec.of(entry, backend), weights_type) if isinstance(entry, Gpu | Unified) else None
        if rate is None:
            return None, "no matrix throughput figure or specifications for the device"
        ideal, read_s = _prefill_ideal(row, model, weights, rate, bandwidth)
        path = rate.path.value
    phase: calibration.Phase = "decode" if row["phase"] == "decode" else "prefill"
    source = source_key(row.get("source", ""))
    capability = entry.compute_capability if isinstance(entry, Gpu | Unified) else None
    graphs = calibration.cuda_graphs_run(backend, capability)
    measured = float(row["tokens_per_s"])
    arc = isinstance(entry, Gpu) and entry.architecture in INTEL_XE_ARCHITECTURES
    run = Run(
        row["row_id"],
        device_id,
        kind,
        backend,
        model,
        phase,
        measured,
        ideal,
        source,
        path,
        read_s=read_s,
        cuda_graphs=graphs,
        intel_arc=arc,
    )
    return run, ""


_UBATCH = re.compile(r"(?:n_ubatch|-ub|ubatch\)?)[ =]+(\d+)", re.I)


def ubatch_tokens(row: dict[str, str]) -> int:
    """The run's micro-batch (llama-bench -ub / n_ubatch) as its notes state it, else llama.cpp's default."""
    m = _UBATCH.search(row.get("offload_or_setup_notes", "") + " " + row.get("notes", ""))
    return int(m.group(1)) if m else memory.N_UBATCH


def _prefill_ideal(
    row: dict[str, str], model: Model, weights: int, rate: MatrixRate, bandwidth: float
) -> tuple[float, float]:
    """Prompt tokens per second at efficiency 1 and the seconds per token apart from it (attention at its own
    efficiency, PrefillWork.attention_seconds), as engine.speed.prefill_range models one device: a prompt of
    n_tokens after depth_tokens of context, in the run's micro-batches."""
    depth, n_tokens = int(row["depth_tokens"] or 0), int(row["n_tokens"] or 512)
    batch = prefill_batch_tokens(n_tokens, ubatch_tokens(row))
    work = PrefillWork(
        weight_flops=prefill_weight_flops_per_token(model),
        attention_flops=prefill_attention_flops_per_token(model, depth * 2 + n_tokens),
        batch_read_bytes=batch_expert_read_bytes(model, memory.expert_bytes(model, weights, file_type(row)), batch),
        batch_tokens=batch,
    )
    return 1 / work.ideal_seconds(rate, bandwidth), work.attention_seconds(rate)


def _device_memory_gib(entry: object) -> float | None:
    if isinstance(entry, Gpu):
        return entry.memory_gib
    if isinstance(entry, Unified):
        return float(max(entry.memory_gib_options))
    return None


def _device(row: dict[str, str], catalog: Catalog, backend: str) -> tuple[str, str, float, float | None, str] | None:
    """(id, kind, bandwidth GB/s, FP16 TFLOPS, name) of the measured device: the catalog's entry, with the row's own
    stated bandwidth when it gives one; a device missing from the catalog still counts when the row states its
    bandwidth (the Apple table of llama.cpp discussion #4167 does)."""
    stated = float(row["memory_bandwidth_GBps_stated"]) if row["memory_bandwidth_GBps_stated"] else None
    entry = None
    for keep_plus in (True, False):
        try:
            rig = parse_hardware(hardware_phrase(row["hardware"], keep_plus=keep_plus), catalog)[0].rig
        except RigfitError:
            continue
        hardware_id = (rig.gpus[0].hardware_id if rig.gpus else rig.unified.hardware_id if rig.unified else None) or ""
        entry = catalog.hardware.get(hardware_id)
        if entry is not None:
            break
    if isinstance(entry, Gpu | Unified):
        kind = "unified" if isinstance(entry, Unified) else "gpu"
        return entry.id, kind, stated or entry.bandwidth_gb_s, entry.fp16_tflops, entry.name
    if stated is None:
        return None
    kind = "unified" if backend == "metal" else "gpu"
    return hardware_phrase(row["hardware"]).lower(), kind, stated, None, row["hardware"]
