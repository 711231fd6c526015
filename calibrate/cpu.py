"""CPU-only prompt processing runs: the measured speed against the ideal engine.speed.cpu_prefill_range works out
from the CPU model's cores, clock and int8 instructions (engine/kernels.py cpu_rate). A row counts when its CPU is a
catalog model with those facts (a family entry's core count is its largest member's, so it does not)."""

from __future__ import annotations

import re

from catalog.catalog import Catalog
from catalog.types import Cpu, Model
from engine import memory
from engine.kernels import CpuSpec, cpu_rate, weights_of
from engine.speed import (
    PrefillWork,
    cpu_batch_read_seconds,
    prefill_attention_flops_per_token,
    prefill_batch_tokens,
    prefill_weight_flops_per_token,
)

# Words of a row's hardware cell that count or describe the CPU rather than name it: `2x AMD EPYC 9554 64-core (single
# socket)`.
_NOT_THE_NAME = re.compile(r"\(.*?\)|^\s*\d+\s*x\s*|\b\d+-core\b|\b\d+\s*cores?\b.*$|,.*$", re.I)
# Two sockets computing together; a run pinned to one socket (`numactl -N 0`, `run on 1 socket`) is one.
_TWO_SOCKETS = re.compile(r"\b(dual|2x|two)[- ]?(socket|cpu)s?\b|\b2 sockets\b", re.I)
_ONE_SOCKET = re.compile(r"\b(1|one|single)[- ]socket\b|numactl", re.I)


def row_cpu(hardware: str, catalog: Catalog) -> Cpu | None:
    """The catalog CPU a row's hardware cell names (None when it names none, or several)."""
    name = " ".join(_NOT_THE_NAME.sub(" ", hardware).split())
    return catalog.find_cpu(name) if name else None


def row_sockets(hardware: str) -> int:
    return 2 if _TWO_SOCKETS.search(hardware) and not _ONE_SOCKET.search(hardware) else 1


def cpu_spec(row: dict[str, str], catalog: Catalog) -> tuple[CpuSpec | None, str]:
    cpu = row_cpu(row["hardware"], catalog)
    if cpu is None:
        return None, "CPU prefill: the CPU is not a catalog model"
    spec = CpuSpec.of(cpu, row_sockets(row["hardware"]))
    if spec is None:
        return None, f"CPU prefill: the catalog lacks {cpu.name}'s per-model cores, clock or int8 instructions"
    return spec, ""


def prefill_ideal(
    row: dict[str, str], spec: CpuSpec, model: Model, weights: int, ubatch: int, bandwidth_gb_s: float | None
) -> tuple[float, float, str]:
    """(prompt tokens per second of the arithmetic at efficiency 1, seconds per token reading weights from RAM, the
    kernels' path) of a CPU-only prefill row, as engine.speed.cpu_prefill_range models it: a prompt of n_tokens
    after depth_tokens of context, in micro-batches of `ubatch` that each read the dense weights and the routed
    experts from RAM (at the row's bandwidth, where it gives one)."""
    rate = cpu_rate(spec, weights_of(row["quant"].split(" ")[0]))
    depth, n_tokens = int(row["depth_tokens"] or 0), int(row["n_tokens"] or 512)
    batch = prefill_batch_tokens(n_tokens, ubatch)
    work = PrefillWork(
        weight_flops=prefill_weight_flops_per_token(model),
        attention_flops=prefill_attention_flops_per_token(model, depth * 2 + n_tokens),
    )
    experts = memory.expert_bytes(model, weights, row["quant"].split(" ")[0])
    dense = weights - experts - memory.unread_lookup(model, weights * memory.lookup_fraction(model), batch)
    read_s = cpu_batch_read_seconds(model, dense, experts, batch, bandwidth_gb_s)
    return 1 / work.ideal_seconds(rate, None), read_s, rate.path.value
