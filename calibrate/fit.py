"""The fit: efficiency (measured/ideal) percentiles per group on the fitting half, and the score of a table on
runs it did not see, looked up exactly as the engine looks it up."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from calibrate.runs import Run
from engine import calibration


@dataclass(frozen=True)
class Score:
    rows: int
    median_abs_log_err: float
    coverage: float
    median_width: float
    worst: list[tuple[float, Run]]


MIN_ROWS = 5  # a group with fewer measured runs is pooled with its kind's other backends, never fitted alone


def fit_table(runs: list[Run]) -> dict[tuple[str, ...], tuple[float, float, float, int]]:
    """(p10, median, p90, rows) of measured/ideal per group, and pooled per phase, device kind and dense/MoE
    across backends (backend "*") and across devices ("*", "*"); groups with fewer than MIN_ROWS rows are left
    out (the engine then uses the pooled figure)."""
    groups: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for r in runs:
        for group in r.group().pooled():
            groups[group.as_tuple()].append(r.efficiency)
    table = {}
    for key, effs in groups.items():
        if len(effs) < MIN_ROWS:
            continue
        effs.sort()
        low = effs[int(0.1 * (len(effs) - 1))]
        high = effs[math.ceil(0.9 * (len(effs) - 1))]
        table[key] = (round(low, 3), round(statistics.median(effs), 3), round(high, 3), len(effs))
    return table


def engine_range(run: Run, table: calibration.Table = calibration.FITTED) -> calibration.Efficiency:
    """The engine's (low, typical, high) tokens/s for a measured run, with an efficiency table (by default the
    one the engine ships), looked up exactly as the engine looks it up."""
    if run.phase == "decode":
        eff = calibration.decode_efficiency(run.device_kind, run.backend, moe=run.moe, fitted=table)
    else:
        eff = calibration.prefill_efficiency(run.backend, fitted=table)
    return calibration.Efficiency(*(run.ideal_tps * e for e in eff))


def score(runs: list[Run], table: calibration.Table = calibration.FITTED) -> Score:
    errs, widths, inside, worst = [], [], 0, []
    for r in runs:
        low, typical, high = engine_range(r, table)
        err = abs(math.log(typical / r.measured_tps))
        errs.append(err)
        widths.append(high / low)
        inside += low <= r.measured_tps <= high
        worst.append((err, r))
    worst.sort(key=lambda t: -t[0])
    if not runs:
        return Score(0, math.nan, math.nan, math.nan, [])
    return Score(len(runs), statistics.median(errs), inside / len(runs), statistics.median(widths), worst[:8])
