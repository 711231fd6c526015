"""Several sequences at once on llama.cpp (llama-batched-bench, llama-server -np): measured aggregate decode set
against the engine's whole estimate (placement, then engine.speed.concurrency). Reported, never fitted; `python -m
calibrate.concurrency` prints it. Rows: bench/measured_runs.csv decode rows with batch_size > 1 (the parallel
sequences) whose tokens_per_s is the aggregate over all of them (llama-batched-bench's S_TG)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from calibrate.runs import collect, hardware_phrase, measured_rows, model_name, outside_scope, weights_bytes
from catalog.catalog import Catalog
from engine import memory, speed
from engine.errors import RigfitError
from engine.parse import parse_hardware, parse_model
from engine.placement import place


@dataclass(frozen=True)
class ConcurrencyCheck:
    row_id: str
    hardware: str
    model_id: str
    users: int
    measured_tps: float  # all sequences together
    low: float
    typical: float
    high: float

    @property
    def log_err(self) -> float:
        return math.log(self.typical / self.measured_tps)

    @property
    def inside(self) -> bool:
        return self.low <= self.measured_tps <= self.high


def parallel_sequences(row: dict[str, str]) -> int:
    """The row's sequences decoded at once (batch_size; empty means one)."""
    return int(row["batch_size"] or 1)


def concurrency_checks(catalog: Catalog, directory: Path | None = None) -> tuple[list[ConcurrencyCheck], list[str]]:
    rows = [r for r in measured_rows(directory) if r["phase"] == "decode" and parallel_sequences(r) > 1]
    return collect(rows, lambda row: _check(row, catalog))


def _check(row: dict[str, str], catalog: Catalog) -> tuple[ConcurrencyCheck | None, str]:
    outside = outside_scope(row)
    if outside:
        return None, outside  # vLLM and SGLang batches: calibrate/servers.py
    users = parallel_sequences(row)
    try:
        model = parse_model(model_name(row["model"]), catalog)
        rig = parse_hardware(hardware_phrase(row["hardware"], keep_plus=True), catalog)[0].rig
    except RigfitError as exc:
        return None, str(exc)[:80]
    weights = weights_bytes(row, model) if not model.adhoc else None
    if weights is None:
        return None, "model or size not known"
    context = int(row["depth_tokens"] or 0) + int(row["n_tokens"] or 0)
    kv = memory.kv_profile(model, "f16")
    placement = place(model, rig, weights, kv.one_sequence_bytes(context) * users)
    estimate = speed.concurrency(model, placement, context, kv, users)
    agg = estimate.aggregate_tps if estimate else None
    if agg is None or agg.typical is None:
        return None, f"no concurrency estimate for a {placement.kind} placement"
    typical = agg.typical
    measured = float(row["tokens_per_s"])
    device = hardware_phrase(row["hardware"])
    return ConcurrencyCheck(row["row_id"], device, model.id, users, measured, agg.low, typical, agg.high), ""


def summary_lines(checks: list[ConcurrencyCheck]) -> list[str]:
    """Per number of sequences: rows, median ln(typical/measured), inside [low, high]."""
    lines = ["several sequences at once (llama.cpp, end to end, not fitted): users, rows, bias, inside"]
    for users in sorted({c.users for c in checks}):
        rows = [c for c in checks if c.users == users]
        bias = statistics.median(c.log_err for c in rows)
        inside = sum(c.inside for c in rows) / len(rows)
        lines.append(f"  {users:3d} {len(rows):4d} {bias:+7.2f} {inside:7.0%}")
    return lines


if __name__ == "__main__":
    from catalog.loader import load

    made, skipped = concurrency_checks(load())
    print("\n".join(summary_lines(made)))
    for c in made:
        print(
            f"  row {c.row_id} {c.model_id} on {c.hardware} x{c.users}: measured {c.measured_tps:.1f}, "
            f"typical {c.typical:.1f}, range {c.low:.1f}-{c.high:.1f}"
        )
    print(f"({len(skipped)} batched rows not checked)")
