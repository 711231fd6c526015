"""Published measured runs (catalog MeasuredRun rows, text as their sources wrote it) -> MeasuredPoints in catalog
terms: the model, its family and size, the quant, the devices and the class of rig. Rows that cannot be cited for a
llama.cpp estimate are left out, each with the reason (`resolve_runs` returns both)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from catalog.catalog import Catalog
from catalog.types import MeasuredRun
from engine import quants
from engine.errors import RigfitError
from engine.evidence import DeviceClass, MeasuredPoint, accelerator_backend, accelerator_bandwidth, device_ids
from engine.parse.hardware import parse_hardware
from engine.parse.models import parse_model
from engine.rig import Rig

# llama.cpp itself or a tool running it (llama-bench, llama-server, Ollama); forks with their own kernels
# (ik_llama.cpp), vLLM and others reach other speeds than the llama.cpp command a card prints.
_MAINLINE = re.compile(r"(?<![\w-])llama\.cpp", re.I)
# Setups that keep tensors in system RAM whatever the layer count: a tensor override, or experts left on the CPU
# ("--n-cpu-moe 0" leaves none there, so it is no offload).
_TENSORS_IN_RAM = re.compile(r"(-ot\b|--override-tensor|--cpu-moe\b|-cmoe\b|exps=cpu)", re.I)
_CPU_MOE = re.compile(r"(?:-ncmoe\b|(?<![\w-])(?:--?)?n[-_]?cpu[-_]?moe\b)(?:[:= ]+(?P<n>\d+))?", re.I)
# The GPU layer count as sources write it: "-ngl 33", "--n-gpu-layers 8", "--gpu-layers=20", "n_gpu_layers=35",
# llama-bench's "ngl 99" column and "NGL=99".
_GPU_LAYERS = re.compile(r"(?:--?n-gpu-layers|--?gpu-layers|-ngl\b|\bngl\b|\bn_gpu_layers\b)\s*[= ]\s*(\d+)\b", re.I)
# System RAM stated with its DDR speed and channel count ("DDR5-6000 dual-channel", "DDR4-3200, 8 channels").
_RAM_SPEC = re.compile(
    r"\bDDR[45]-(?P<mts>\d{4})\b.*?(?:\b(?P<ch>\d{1,2})[- ]?(?:channels?|ch)\b|\b(?P<word>dual|quad|octa)[- ]channel)",
    re.I,
)
_CHANNEL_WORDS = {"dual": 2, "quad": 4, "octa": 8}
# System RAM as a source states it in its memory column ("64 GB DDR4-3200 (channel count not stated)").
_RAM_STATED = re.compile(r"\b\d+\s*GB\s+(?:LP)?DDR\d(?:X)?(?:-\d{4})?\b", re.I)
_QUANT_WORD = re.compile(r"\b(UD-)?(I?Q\d\w*|BF16|F16|FP16|MXFP4)\b", re.I)


def model_phrase(raw: str) -> str:
    """A published model name without the quant and chat suffixes: "Qwen3-30B-A3B-Instruct-2507 Q4_K_M" -> the
    model's name as the catalog knows it."""
    name = raw.split(" (")[0]
    name = re.sub(r"\b(UD-)?(I?Q\d\w*|BF16|F16|MXFP4)\b.*$", "", name).strip(" -_")
    name = re.sub(r"(?i)[-\s](?:it|instruct)\b([-\s]\d{4}\b)?.*$", r"\1", name).strip()  # a release date stays
    return re.sub(r"-128K$", "", name)


def hardware_phrase(raw: str) -> str:
    """A published hardware description reduced to what the hardware parser reads: "2x RTX 3090, host EPYC" ->
    "2x RTX 3090"."""
    name = re.sub(r"\(.*?\)", "", raw).split(",")[0].split(";")[0]
    name = re.sub(r"'[^']*'", "", name)
    name = re.sub(r"(?i)\bmax\+", "Max", name)  # "Ryzen AI MAX+ 395": the parser reads a "+" as a second device
    name = re.sub(r"\b\d+-core GPU\b|\bAPU\b|\bWorkstation Edition\b|\biGPU\b", "", name)
    return " ".join(name.split())


def quant_name(raw: str) -> str:
    """The quant a row names ("UD-Q4_K_XL", "MXFP4 experts (...)" -> "MXFP4"); empty when it names none."""
    m = _QUANT_WORD.search(raw)
    if not m:
        return ""
    q = quants.lookup(m.group(0))
    return q.name if q is not None else m.group(0).upper()


def ram_gb_s(run: MeasuredRun) -> float | None:
    """The run's system RAM bandwidth when the source states its speed and channels: MT/s x 8 bytes x channels."""
    m = _RAM_SPEC.search(f"{run.hardware_memory} {run.hardware}")
    if not m:
        return None
    channels = int(m.group("ch")) if m.group("ch") else _CHANNEL_WORDS[m.group("word").lower()]
    return int(m.group("mts")) * 8 * channels / 1000


def gpu_layers(setup: str) -> int | None:
    """The -ngl count a setup states, None when it states none."""
    m = _GPU_LAYERS.search(setup)
    return int(m.group(1)) if m else None


def layers_on_cpu(setup: str, layers: int) -> int:
    """How many of a model's layers a setup's -ngl count leaves on the CPU, counting the output layer as one more:
    llama.cpp puts the output layer and the last N-1 repeating layers on the GPU for -ngl N ('offloaded 33/33 layers
    to GPU' for a 32-layer Llama 2 7B at -ngl 33; -ngl 32 keeps one layer on the CPU; src/llama-model.cpp
    load_tensors, i_gpu_start = n_layer + 1 - n_gpu_layers). 0 when the setup states no count."""
    n = gpu_layers(setup)
    return 0 if n is None else max(layers + 1 - n, 0)


def tensors_in_ram(setup: str) -> bool:
    """Whether a setup keeps tensors in system RAM by name: a tensor override or MoE experts on the CPU."""
    return bool(_TENSORS_IN_RAM.search(setup)) or any(m["n"] != "0" for m in _CPU_MOE.finditer(setup))


def weights_in_ram(setup: str, layers: int) -> bool:
    """Whether a setup keeps part of a model of `layers` layers in system RAM: tensors by name, or fewer GPU layers
    than the model has (-ngl 99 or 999 is every layer)."""
    return tensors_in_ram(setup) or layers_on_cpu(setup, layers) > 0


def gpu_count(raw: str) -> int | None:
    m = re.match(r"\s*(\d+)", raw)
    return int(m.group(1)) if m else None


def rig_class(rig: Rig, gpus: int | None, setup: str, layers: int) -> DeviceClass:
    """The class of rig a run of a model of `layers` layers used: offload when the setup keeps weights in RAM, else
    by its accelerators."""
    if weights_in_ram(setup, layers):
        return "offload"
    if rig.unified is not None:
        return "unified"
    count = gpus if gpus is not None else len(rig.gpus)
    if count == 0 or not rig.gpus:
        return "cpu"
    return "multi-gpu" if count > 1 else "gpu"


def _rig(run: MeasuredRun, catalog: Catalog, read: dict[str, Rig | None] | None = None) -> Rig | None:
    """The run's rig: the whole description, else its accelerators alone ("RTX 3090 + AMD EPYC 7343": a host CPU
    named without its memory says nothing the parser can size). `read`: the rigs already read, by phrase: the 2,334
    published runs name 255 machines, and each phrase is parsed once."""
    phrase = hardware_phrase(run.hardware)
    if read is not None and phrase in read:
        return read[phrase]
    rig = None
    for attempt in (phrase, phrase.split(" + ")[0]):
        try:
            rig = parse_hardware(attempt, catalog)[0].rig
            break
        except RigfitError:
            continue
    if read is not None:
        read[phrase] = rig
    return rig


def _hardware_words(run: MeasuredRun) -> str:
    """The run's hardware as published, with the system RAM its memory column states when the description leaves it
    out: an offload run's speed depends on it, and a reader judges a cited run by it."""
    words = " ".join(re.sub(r"\(.*?\)", "", run.hardware).split())
    ram = _RAM_STATED.search(run.hardware_memory)
    if ram is not None and not _RAM_STATED.search(words):
        words = f"{words}, {ram.group(0)}"
    return words[:80]


def resolve_run(
    run: MeasuredRun, catalog: Catalog, read: dict[str, Rig | None] | None = None
) -> tuple[MeasuredPoint | None, str]:
    """The run as a point, or None and why it cannot be cited (`read`: rigs already read, by phrase: `_rig`)."""
    if not _MAINLINE.search(run.engine):
        return None, f"engine {run.engine[:40]!r} is not mainline llama.cpp"
    if run.batch_size != 1:
        return None, f"a batch of {run.batch_size}"
    try:
        model = parse_model(model_phrase(run.model), catalog)
    except RigfitError as exc:
        return None, str(exc)[:80]
    if model.adhoc:
        return None, f"model {run.model[:40]!r} is not in the catalog"
    quant = quant_name(run.quant)
    if not quant:
        return None, f"no quant named in {run.quant[:40]!r}"
    rig = _rig(run, catalog, read)
    if rig is None:
        return None, f"hardware {run.hardware[:40]!r} not read"
    gpus = gpu_count(run.num_gpus)
    point = MeasuredPoint(
        kind="published",
        phase=run.phase,
        tokens_per_s=run.tokens_per_s,
        depth_tokens=run.depth_tokens,
        n_tokens=run.n_tokens or (512 if run.phase == "prefill" else 128),
        model_id=model.id,
        family=model.family,
        total_params_b=model.total_params_b,
        active_params_b=model.active_params_b,
        quant=quant,
        bits_per_weight=(q.bits_per_weight if (q := quants.lookup(quant)) else None),
        device_ids=device_ids(rig),
        accelerator_gb_s=accelerator_bandwidth(rig),
        accelerator_backend=accelerator_backend(rig),
        gpu_count=gpus if gpus is not None else len(rig.gpus),
        device_class=rig_class(rig, gpus, run.setup, model.layers),
        ram_gb_s=ram_gb_s(run),
        hardware=_hardware_words(run),
        source=run.source,
    )
    return point, ""


def resolve_runs(runs: Iterable[MeasuredRun], catalog: Catalog) -> tuple[tuple[MeasuredPoint, ...], tuple[str, ...]]:
    """Every citable run as a point, and for each row left out, its id and why."""
    points: list[MeasuredPoint] = []
    skipped: list[str] = []
    read: dict[str, Rig | None] = {}
    for run in runs:
        point, why = resolve_run(run, catalog, read)
        if point is None:
            skipped.append(f"row {run.row_id}: {why}")
        else:
            points.append(point)
    return tuple(points), tuple(skipped)
