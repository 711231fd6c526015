"""MoE expert offload, end to end: measured decode runs on one GPU with the experts of some layers in system RAM
(llama.cpp `--n-cpu-moe N`, `--cpu-moe`, `-ot exps=CPU`), set against the engine's decode range for that very split:
the attention, shared weights, KV cache and the other layers' experts on the card at its bandwidth, the named
layers' experts in RAM at the row's stated RAM bandwidth (or DDR type, data rate and channels). Only rows that state
the RAM are scored: the engine would have to guess it otherwise. Reported by `rigfit calibrate`, never fitted."""

from __future__ import annotations

import re
from pathlib import Path

from calibrate.multi_gpu import Check
from calibrate.runs import _ram_bandwidth as ram_bandwidth
from calibrate.runs import (
    collect,
    file_type,
    gpu_count,
    hardware_phrase,
    measured_rows,
    model_name,
    outside_scope,
    weights_bytes,
)
from catalog.catalog import Catalog
from catalog.types import Model
from engine import memory, speed
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model
from engine.parse.runs import tensors_in_ram
from engine.placement import Placement, PoolUse
from engine.rig import GpuDevice

_N_CPU_MOE = re.compile(r"(?:--n-cpu-moe|-ncmoe)[ =](\d+)", re.I)
_ALL_EXPERTS = re.compile(r"(--cpu-moe\b|exps=cpu)", re.I)


def cpu_moe_layers(notes: str, moe_layers: int, dense_layers: int = 0) -> int | None:
    """How many MoE layers' experts the row keeps in RAM: of the first N blocks `--n-cpu-moe N` names, those past
    the model's leading dense ones (engine/serve.py n_cpu_moe_arg), at most the MoE layers; every MoE layer for
    `--cpu-moe` or `-ot exps=CPU`; None when the notes name no expert offload."""
    m = _N_CPU_MOE.search(notes)
    if m:
        return min(max(int(m.group(1)) - dense_layers, 0), moe_layers)
    return moe_layers if _ALL_EXPERTS.search(notes) else None


def offload_checks(catalog: Catalog, directory: Path | None = None) -> tuple[list[Check], list[str]]:
    rows = [r for r in measured_rows(directory) if r["phase"] == "decode" and gpu_count(r) == 1]
    rows = [r for r in rows if tensors_in_ram(r.get("offload_or_setup_notes", ""))]
    return collect(rows, lambda row: _check(row, catalog))


def _split(model: Model, gpu: GpuDevice, weights: int, quant: str, n_cpu: int, ram_gb_s: float) -> Placement:
    experts = int(memory.expert_bytes(model, weights, quant))
    in_ram = int(experts * n_cpu / memory.moe_layers(model))
    card = PoolUse(
        name=gpu.name,
        kind="gpu",
        capacity_bytes=gpu.memory_bytes,
        dense_bytes=weights - experts,
        expert_bytes=experts - in_ram,
        kv_bytes=1,  # the whole KV cache is on the card
        bandwidth_gb_s=gpu.bandwidth_gb_s,
        backend=gpu.backend,
        layers=model.layers,
    )
    ram = PoolUse(name="system RAM", kind="ram", capacity_bytes=in_ram, expert_bytes=in_ram, bandwidth_gb_s=ram_gb_s)
    return Placement(kind="expert-offload", verdict="fits-offload", pools=(card, ram), n_cpu_moe=n_cpu)


def _check(row: dict[str, str], catalog: Catalog) -> tuple[Check | None, str]:
    if row["batch_size"] not in ("1", "") or outside_scope(row):
        return None, "not one sequence on mainline llama.cpp"
    ram_gb_s = ram_bandwidth(row)
    if ram_gb_s is None:
        return None, "RAM bandwidth, or DDR type, speed and channels, not stated"
    try:
        model = parse_model(model_name(row["model"]), catalog)
        rig = parse_hardware(hardware_phrase(row["hardware"].split(" + ")[0]), catalog)[0].rig
    except RigfitError as exc:
        return None, str(exc)[:80]
    moe = memory.moe_layers(model)
    n_cpu = cpu_moe_layers(row["offload_or_setup_notes"], moe, model.layers - moe) if model.is_moe else None
    weights = weights_bytes(row, model) if not model.adhoc else None
    if n_cpu is None or weights is None or not rig.gpus or rig.gpus[0].bandwidth_gb_s is None:
        return None, "not a MoE expert offload of a known model on a known card"
    depth = int(row["depth_tokens"] or 0)
    kv_read = memory.kv_cache_bytes(model, depth + int(row["n_tokens"] or 128) // 2)
    placement = _split(model, rig.gpus[0], weights, file_type(row), n_cpu, ram_gb_s)
    estimate, _ = speed.decode_range(model, placement, kv_read)
    if estimate is None or estimate.typical is None:
        return None, "no estimate for this split"
    measured = float(row["tokens_per_s"])
    label = f"{rig.gpus[0].name} + RAM, --n-cpu-moe {n_cpu}"
    return Check(row["row_id"], label, model.id, "offload", measured, estimate.low, estimate.typical, estimate.high), ""
