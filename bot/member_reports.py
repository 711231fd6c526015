"""A member's pasted llama.cpp output -> an accepted report of catalog-resolved rows, or a typed refusal.

The model of each row: the one the member gave, else the GGUF file name llama.cpp printed, else llama.cpp's
description of the file and the parameter count (`qwen3moe 30B.A3B`, 30.53 B) read by engine/parse/labels.py; a
model the catalog cannot resolve, or that could be several networks, is refused. The rig: the hardware the member
stated, else their saved rig (the front end passes it), else the devices llama.cpp printed. Then engine/reports.py
checks the count and each figure against the rig. Nothing here stores anything: bot/storage/reports.py keeps what
this accepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.catalog import Catalog
from catalog.types import Model
from engine import quants
from engine.errors import RigfitError
from engine.evidence import MeasuredPoint, accelerator_backend, accelerator_bandwidth, device_ids
from engine.parse.bench import model_name_from_filename, parse_bench
from engine.parse.hardware import parse_hardware
from engine.parse.labels import read_as, read_label
from engine.parse.models import parse_model
from engine.parse.runs import model_phrase
from engine.reports import (
    BenchRow,
    Refusal,
    RefusalKind,
    Refused,
    check_count,
    check_rows,
    check_size,
    member_class,
)
from engine.rig import Reading

SHOWN_CHARS = 80  # of text from a paste echoed in a refusal


@dataclass(frozen=True)
class AcceptedRow:
    row: BenchRow
    point: MeasuredPoint  # kind "member", without a report id until stored


@dataclass(frozen=True)
class AcceptedReport:
    raw_text: str
    format: str
    hardware: str  # the phrase the rig was read from
    hardware_label: str  # how the parser read it
    rows: tuple[AcceptedRow, ...]
    skipped: int  # rows read but not kept (combined pp+tg tests, rows without a quant)
    devices: tuple[str, ...]  # what llama.cpp printed

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.point.model_id for r in self.rows))


def read_report(
    text: str, catalog: Catalog, *, hardware: str | None = None, model: str | None = None
) -> AcceptedReport:
    """The paste as an accepted report; Refused (engine.reports.Refusal) naming why it cannot be kept."""
    _refuse_if(check_size(len(text.encode("utf-8", "surrogatepass"))))
    paste = parse_bench(text)
    _refuse_if(check_count(len(paste.rows)))
    phrase, reading = _rig(hardware, paste.devices, catalog)
    _check_devices(paste.devices, reading, catalog)
    models = _models(paste.rows, model, catalog)
    kept = [(row, models[_model_key(row)]) for row in paste.rows if _quant(row)]
    if not kept:
        raise Refused(Refusal(kind=RefusalKind.NO_QUANT))
    _refuse_if(check_rows(kept, reading.rig))
    rows = tuple(AcceptedRow(row=row, point=_point(row, m, reading)) for row, m in kept)
    return AcceptedReport(
        raw_text=text,
        format=paste.format or "",
        hardware=phrase,
        hardware_label=reading.label,
        rows=rows,
        skipped=paste.skipped + len(paste.rows) - len(kept),
        devices=paste.devices,
    )


def _refuse_if(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise Refused(refusal)


_NOT_ECHOED = re.compile(r"[^\w .,+\-/:=()@']")  # markdown, mention brackets, backticks, control characters


def shown(text: str) -> str:
    """Text from a paste as a refusal may echo it: one line, no markdown or mention syntax, bounded."""
    one_line = " ".join(_NOT_ECHOED.sub(" ", text).split())
    return one_line if len(one_line) <= SHOWN_CHARS else one_line[: SHOWN_CHARS - 1] + "…"


# ------------------------------------------------------------------------------------------------- rig


def devices_phrase(devices: Sequence[str]) -> str:
    """llama.cpp's device lines as a hardware phrase: two RTX 3090 lines -> `2x NVIDIA GeForce RTX 3090`."""
    counted: dict[str, int] = {}
    for name in devices:
        counted[name] = counted.get(name, 0) + 1
    return " + ".join(f"{n}x {name}" if n > 1 else name for name, n in counted.items())


def _rig(hardware: str | None, devices: Sequence[str], catalog: Catalog) -> tuple[str, Reading]:
    phrase = (hardware or "").strip() or devices_phrase(devices)
    if not phrase:
        detail = "say which hardware it ran on (`hardware:`), or save your rig with `/rig set`"
        raise Refused(Refusal(kind=RefusalKind.HARDWARE_UNREAD, detail=detail))
    try:
        return phrase, parse_hardware(phrase, catalog)[0]
    except RigfitError as exc:
        raise Refused(Refusal(kind=RefusalKind.HARDWARE_UNREAD, detail=shown(str(exc)))) from None


def _device_id(name: str, catalog: Catalog) -> str | None:
    try:
        ids = device_ids(parse_hardware(name, catalog)[0].rig)
    except RigfitError:
        return None
    return ids[0] if len(ids) == 1 else None


def _check_devices(devices: Sequence[str], reading: Reading, catalog: Catalog) -> None:
    """Refused when every device llama.cpp printed is a catalog device and the stated rig has none of them (a run
    on a 4090 reported as a 3090); devices the catalog does not know are not held against the member."""
    printed = [_device_id(name, catalog) for name in devices]
    stated = set(device_ids(reading.rig))
    if not printed or any(p is None for p in printed) or not stated:
        return
    if stated.isdisjoint(printed):
        refusal = Refusal(
            kind=RefusalKind.DEVICES_DIFFER, devices=tuple(shown(d) for d in devices), detail=shown(reading.label)
        )
        raise Refused(refusal)


# ---------------------------------------------------------------------------------------------- models


def _model_key(row: BenchRow) -> tuple[str, str, int | None]:
    return (row.model_file, row.model_type, row.params)


def _models(rows: Sequence[BenchRow], given: str | None, catalog: Catalog) -> dict[tuple[str, str, int | None], Model]:
    """The catalog model of each distinct model in the paste."""
    keys = list(dict.fromkeys(_model_key(r) for r in rows))
    if given and given.strip():
        if len(keys) > 1:
            raise Refused(Refusal(kind=RefusalKind.MODELS_MIXED, rows=len(keys)))
        return {keys[0]: _given_model(given, catalog)}
    return {key: _paste_model(key, catalog) for key in keys}


def _given_model(text: str, catalog: Catalog) -> Model:
    try:
        model = parse_model(text, catalog)
    except RigfitError as exc:
        raise Refused(Refusal(kind=RefusalKind.MODEL_UNRESOLVED, model_text=shown(text), detail=str(exc))) from None
    if model.adhoc:
        detail = "a size alone is not a model I can cite; give its name"
        raise Refused(Refusal(kind=RefusalKind.MODEL_UNRESOLVED, model_text=shown(text), detail=detail))
    if model.label_alike:  # llama.cpp's label of several catalog models: a run is cited for one of them
        detail = f"it could be {', '.join((model.name, *model.label_alike)[:4])}: give the model's name"
        raise Refused(Refusal(kind=RefusalKind.MODEL_UNRESOLVED, model_text=shown(text), detail=detail))
    return model


def _paste_model(key: tuple[str, str, int | None], catalog: Catalog) -> Model:
    model_file, model_type, params = key
    by_file = _model_from_file(model_file, catalog) if model_file else None
    if by_file is not None:
        return by_file
    candidates = _models_by_architecture(model_type, params, catalog)
    if len({(m.family, m.total_params_b, m.active_params_b) for m in candidates}) == 1:
        return candidates[0]  # one network under several names: the base one (engine/parse/labels.py)
    text = shown(model_name_from_filename(model_file) if model_file else model_type or "(no model line)")
    if candidates:
        names = ", ".join(m.name for m in candidates[:4])
        detail = f"it could be {names}: give the model with `model:`"
    else:
        detail = "no catalog model has that name, or that architecture and size; give it with `model:`"
    raise Refused(Refusal(kind=RefusalKind.MODEL_UNRESOLVED, model_text=text, detail=detail))


def _model_from_file(path: str, catalog: Catalog) -> Model | None:
    name = model_name_from_filename(path)
    for attempt in dict.fromkeys((name, model_phrase(name))):
        try:
            model = parse_model(attempt, catalog)
        except RigfitError:
            continue
        if not model.adhoc:
            return model
    return None


def _models_by_architecture(model_type: str, params: int | None, catalog: Catalog) -> tuple[Model, ...]:
    """The catalog models llama.cpp's description (`qwen3moe 30B.A3B`) fits by its architecture and the parameter
    count llama-bench printed (30.53 B), else its size label; the one to cite first."""
    label = read_label(model_type, params / 1e9 if params else None)
    if label is None or (label.size_b is None and label.active_b is None and label.effective is None):
        return ()
    return read_as(label, catalog).models


# ----------------------------------------------------------------------------------------------- points


def _quant(row: BenchRow) -> str:
    if not row.quant:
        return ""
    q = quants.lookup(row.quant)
    return q.name if q is not None else row.quant


def _point(row: BenchRow, model: Model, reading: Reading) -> MeasuredPoint:
    rig = reading.rig
    cls = member_class(rig, row, model)
    quant = _quant(row)
    q = quants.lookup(quant)
    return MeasuredPoint(
        kind="member",
        phase=row.phase,
        tokens_per_s=row.tokens_per_s,
        depth_tokens=row.depth_tokens,
        n_tokens=row.n_tokens,
        model_id=model.id,
        family=model.family,
        total_params_b=model.total_params_b,
        active_params_b=model.active_params_b,
        quant=quant,
        bits_per_weight=q.bits_per_weight if q is not None else None,
        device_ids=device_ids(rig),
        accelerator_gb_s=accelerator_bandwidth(rig),
        accelerator_backend=accelerator_backend(rig),
        gpu_count=len(rig.gpus),
        device_class=cls,
        ram_gb_s=rig.ram.bandwidth_gb_s if cls == "offload" and rig.ram is not None else None,
        hardware=reading.label[:80],
    )


# ------------------------------------------------------------------------------------------------ export

# bench/measured_runs.csv's columns (and shared/calibration's): exported reports are rows of the same table.
MEASURED_RUN_COLUMNS = (
    "row_id", "hardware", "hardware_memory", "memory_bandwidth_GBps_stated", "num_gpus", "backend", "engine", "build",
    "model", "model_as_reported_by_tool", "quant", "model_size_reported", "model_size_unit", "params_reported_B",
    "test_as_published", "phase", "n_tokens", "depth_tokens", "batch_size", "tokens_per_s", "stddev", "flash_attn",
    "offload_or_setup_notes", "source_type", "source", "notes",
)  # fmt: skip
_TOOL = {"server-log": "llama.cpp llama-server", "server-json": "llama.cpp llama-server"}


def measured_run_row(stored: dict[str, object], n: int) -> dict[str, str]:
    """One stored row (ReportStore.export_rows) as a measured-run row; its source names the report, so the
    cross-source score treats each report as a publication of its own."""
    report_id = stored.get("report_id")
    size = stored.get("size_bytes")
    layers = stored.get("n_gpu_layers")
    setup = [f"-ngl {layers}" if layers is not None else "", f"{stored['device_class']} rig (member report)"]
    row = dict.fromkeys(MEASURED_RUN_COLUMNS, "")
    row |= {
        "row_id": f"m{report_id}-{n}",
        "hardware": str(stored["hardware"]),
        "num_gpus": str(stored["gpu_count"]),
        "backend": str(stored.get("backend") or ""),
        "engine": _TOOL.get(str(stored["format"]), "llama.cpp llama-bench"),
        "model": str(stored["model_id"]),
        "quant": str(stored["quant"]),
        "model_size_reported": str(size) if size else "",
        "model_size_unit": "bytes" if size else "",
        "test_as_published": str(stored["test"]),
        "phase": str(stored["phase"]),
        "n_tokens": str(stored["n_tokens"]),
        "depth_tokens": str(stored["depth_tokens"]),
        "batch_size": "1",
        "tokens_per_s": f"{float(str(stored['tokens_per_s'])):g}",
        "offload_or_setup_notes": ", ".join(s for s in setup if s),
        "source_type": "member",
        "source": f"rigfit member report #{report_id} ({str(stored['reported_at'])[:10]})",
    }
    return row
