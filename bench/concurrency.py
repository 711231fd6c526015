"""Several users at once, scored on published multi-user runs (bench/concurrency_runs.csv) the engine was never
fitted on: llama-bench at -ub N (N tokens a step, the weights read once for all of them) and vLLM serving runs at
concurrency N. For each run at N users: the measured gain over one user (aggregate at N / at 1) against the
engine's (engine/concurrency.py), and the measured aggregate against the engine's range.

Run alone: `.venv/bin/python -m bench.concurrency` (a table per run); `make bench` adds the summary figures.
"""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from catalog.catalog import Catalog
from engine import concurrency
from engine.fit import FitOptions, fit, kv_profile
from engine.parse import parse_hardware

RUNS_CSV = Path(__file__).parent / "concurrency_runs.csv"


@dataclass(frozen=True)
class Scored:
    setup: str
    engine: str
    users: int
    measured_gain: float  # aggregate at `users` over aggregate at 1, as published
    predicted_gain: float | None
    measured_tps: float
    low: float | None
    high: float | None
    typical: float | None

    @property
    def gain_ln(self) -> float | None:
        return math.log(self.predicted_gain / self.measured_gain) if self.predicted_gain else None

    @property
    def inside(self) -> bool:
        return self.low is not None and self.high is not None and self.low <= self.measured_tps <= self.high


def _rows() -> list[dict[str, str]]:
    with RUNS_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _predict(cat: Catalog, row: dict[str, str]) -> concurrency.ConcurrentUsers | None:
    model = cat.models[row["model"]]
    context = int(row["context_tokens"])
    opts = FitOptions(context=context, quant=row["quant"])
    reading = fit(model, parse_hardware(row["hardware"], cat), opts).readings[0]
    option = reading.option(row["quant"])
    if option is None:
        return None
    users = int(row["users"])
    rows = concurrency.table(model, option.placement, context, kv_profile(model, opts), (users,))
    return rows[0] if rows else None


def score(cat: Catalog) -> list[Scored]:
    rows = _rows()
    base = {r["setup"]: r for r in rows if r["users"] == "1"}
    out: list[Scored] = []
    for r in rows:
        if r["users"] == "1":
            continue
        one = base[r["setup"]]
        at_n, at_1 = _predict(cat, r), _predict(cat, one)
        predicted = at_n.aggregate_tps.centre / at_1.aggregate_tps.centre if at_n and at_1 else None
        out.append(
            Scored(
                setup=r["setup"],
                engine=r["engine"],
                users=int(r["users"]),
                measured_gain=float(r["aggregate_tps"]) / float(one["aggregate_tps"]),
                predicted_gain=predicted,
                measured_tps=float(r["aggregate_tps"]),
                low=at_n.aggregate_tps.low if at_n else None,
                high=at_n.aggregate_tps.high if at_n else None,
                typical=at_n.aggregate_tps.centre if at_n else None,
            )
        )
    return out


def batched_rows_scored(cat: Catalog) -> list[tuple[int, float, float, float, float]]:
    """bench/measured_runs.csv's llama.cpp rows of several sequences at once (llama-batched-bench S_TG, chosen as
    calibrate/concurrency.py chooses them), through the same placement: (users, measured, low, typical, high) of
    engine.concurrency.table, the memory-bound figure with the prefill cap."""
    from calibrate.concurrency import parallel_sequences
    from calibrate.runs import hardware_phrase, measured_rows, model_name, outside_scope, weights_bytes
    from engine import memory
    from engine.errors import RigfitError
    from engine.parse import parse_model
    from engine.placement import place

    out: list[tuple[int, float, float, float, float]] = []
    for row in measured_rows(None):
        users = parallel_sequences(row)
        if row["phase"] != "decode" or users < 2 or outside_scope(row):
            continue
        try:
            model = parse_model(model_name(row["model"]), cat)
            rig = parse_hardware(hardware_phrase(row["hardware"], keep_plus=True), cat)[0].rig
        except RigfitError:
            continue
        weights = weights_bytes(row, model) if not model.adhoc else None
        if weights is None:
            continue
        context = int(row["depth_tokens"] or 0) + int(row["n_tokens"] or 0)
        kv = memory.kv_profile(model, "f16")
        placement = place(model, rig, weights, kv.one_sequence_bytes(context) * users)
        rows = concurrency.table(model, placement, context, kv, (users,))
        if rows:
            a = rows[0].aggregate_tps
            out.append((users, float(row["tokens_per_s"]), a.low, a.centre, a.high))
    return out


def batched_figures(cat: Catalog) -> dict[str, float]:
    scored = batched_rows_scored(cat)
    if not scored:
        return {}
    lns = [math.log(t / m) for _, m, _, t, _ in scored]
    inside = sum(lo <= m <= hi for _, m, lo, _, hi in scored) / len(scored)
    return {
        "concurrency_batched_rows": float(len(scored)),
        "concurrency_batched_median_abs_ln": round(statistics.median(abs(x) for x in lns), 3),
        "concurrency_batched_bias_ln": round(statistics.median(lns), 3),
        "concurrency_batched_inside": round(inside, 3),
    }


def concurrency_figures(cat: Catalog) -> dict[str, float]:
    """Median |ln| of the predicted gain over one user, its bias, and the share of aggregates inside the range,
    over all scored runs and per engine."""
    scored = score(cat)
    figures: dict[str, float] = {"concurrency_runs_scored": float(len(scored))}
    for engine in ("all", "llama.cpp", "vllm"):
        group = [s for s in scored if engine in ("all", s.engine) and s.gain_ln is not None]
        if not group:
            continue
        lns = [s.gain_ln for s in group if s.gain_ln is not None]
        key = engine.replace(".", "_")
        figures[f"concurrency_{key}_gain_median_abs_ln"] = round(statistics.median(abs(x) for x in lns), 3)
        figures[f"concurrency_{key}_gain_bias_ln"] = round(statistics.median(lns), 3)
        figures[f"concurrency_{key}_inside"] = round(sum(s.inside for s in group) / len(group), 3)
    return figures | batched_figures(cat)


def main() -> None:
    from catalog.loader import load

    cat = load()
    print(f"{'setup':22} {'engine':9} {'users':>5} {'gain meas':>9} {'gain pred':>9} {'tok/s meas':>10} {'range':>17}")
    for s in score(cat):
        pred = f"{s.predicted_gain:.2f}" if s.predicted_gain else "-"
        rng = f"{s.low:.0f}-{s.high:.0f}" if s.low is not None and s.high is not None else "-"
        print(
            f"{s.setup:22} {s.engine:9} {s.users:5} {s.measured_gain:9.2f} {pred:>9} {s.measured_tps:10.1f} {rng:>17}"
        )
    for k, v in concurrency_figures(cat).items():
        print(f"{k}: {v:g}")
    by_users: dict[int, list[float]] = {}
    for users, measured, _, typical, _ in batched_rows_scored(cat):
        by_users.setdefault(users, []).append(math.log(typical / measured))
    for users, lns in sorted(by_users.items()):
        bias = statistics.median(lns)
        print(f"  batched-bench rows at {users:2d} users: {len(lns):3d}, median ln(typical/measured) {bias:+.2f}")


if __name__ == "__main__":
    main()
