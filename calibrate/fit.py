"""The fit: efficiency (measured/ideal) percentiles per group, and the score of a table on runs it did not see,
looked up exactly as the engine looks it up. Runs are held out by source (leave one source out): each publication's
runs are predicted by a table fitted on every other publication's runs."""

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
    bias: float = math.nan  # median ln(typical/measured): above 0 the engine over-predicts


@dataclass(frozen=True)
class Scored:
    """One measured run against the engine's (low, typical, high) for it, from a fit that did not see its source
    (or, for the end-to-end checks of several GPUs and offload, from the engine as shipped, which is not fitted on
    such runs)."""

    row_id: str
    label: str  # what the run was: model on device
    device_class: str
    phase: str
    measured_tps: float
    low: float
    typical: float
    high: float

    @property
    def log_err(self) -> float:
        return math.log(self.typical / self.measured_tps)

    @property
    def inside(self) -> bool:
        return self.low <= self.measured_tps <= self.high


@dataclass(frozen=True)
class ClassScore:
    device_class: str
    phase: str
    rows: int
    bias: float  # median ln(typical/measured)
    median_abs_log_err: float
    coverage: float
    median_width: float


def class_scores(scored: list[Scored]) -> list[ClassScore]:
    """Bias, median |ln|, coverage and median width per device class and phase."""
    groups: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for s in scored:
        groups[(s.device_class, s.phase)].append(s)
    out = []
    for (cls, phase), rows in sorted(groups.items()):
        out.append(
            ClassScore(
                cls,
                phase,
                len(rows),
                statistics.median(s.log_err for s in rows),
                statistics.median(abs(s.log_err) for s in rows),
                sum(s.inside for s in rows) / len(rows),
                statistics.median(s.high / s.low for s in rows),
            )
        )
    return out


def cross_source(runs: list[Run]) -> list[Scored]:
    """Every run predicted by a table fitted on the runs of every other source (leave one source out)."""
    by_source: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        by_source[r.source].append(r)
    out = []
    for source, held in sorted(by_source.items()):
        table = fit_table([r for r in runs if r.source != source])
        for r in held:
            try:
                low, typical, high = engine_range(r, table)
            except LookupError:
                continue  # nothing fitted for it without this source: unanswered, as the engine would be
            label = f"{r.model.id} on {r.hardware}"
            out.append(Scored(r.row_id, label, r.device_class, r.phase, r.measured_tps, low, typical, high))
    return out


def summarise(scored: list[Scored]) -> Score:
    """The score of a set of predictions (worst first)."""
    if not scored:
        return Score(0, math.nan, math.nan, math.nan, [])
    errs = [abs(s.log_err) for s in scored]
    return Score(
        len(scored),
        statistics.median(errs),
        sum(s.inside for s in scored) / len(scored),
        statistics.median(s.high / s.low for s in scored),
        [],
        statistics.median(s.log_err for s in scored),
    )


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
        eff = calibration.prefill_efficiency(run.backend, run.line, moe=run.moe, fitted=table)
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
