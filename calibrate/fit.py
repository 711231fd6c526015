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
        table = fit([r for r in runs if r.source != source])
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


@dataclass(frozen=True)
class Fitted:
    """What the fit stores for the engine: efficiency spreads per group and the decode groups' layer costs."""

    efficiency: calibration.Table
    layer_cost: calibration.CostTable

    @classmethod
    def shipped(cls) -> Fitted:
        return cls(calibration.FITTED, calibration.LAYER_COST)


# A layer cost is a property of a backend on a kind of device, not of one benchmark: it is fitted only on at least
# MIN_COST_ROWS runs from MIN_COST_SOURCES sources whose layers per byte-time vary (MIN_COST_SPREAD, coefficient of
# variation); a group with less takes the layer cost of the pool it falls back to (GroupKey.pooled).
MIN_COST_ROWS = 20
MIN_COST_SOURCES = 3
MIN_COST_SPREAD = 0.25


def _identified(runs: list[Run]) -> bool:
    if len(runs) < MIN_COST_ROWS or len({r.source for r in runs}) < MIN_COST_SOURCES:
        return False
    ratio = [r.model.layers * r.ideal_tps for r in runs]  # layers / bytes time
    return statistics.pstdev(ratio) >= MIN_COST_SPREAD * statistics.fmean(ratio)


def layer_cost(runs: list[Run]) -> tuple[float, float]:
    """(a, t) minimising the squared relative error of a x bytes_time + t x layers against the measured time per
    token (calibration.DecodeCost); no layer cost (1, 0) where the best fit would be negative. Callers check
    that the runs can separate the two terms (_identified)."""
    u = [r.measured_tps / r.ideal_tps for r in runs]  # bytes time / measured time
    v = [r.model.layers * r.measured_tps for r in runs]  # layers / measured time
    suu, suv, svv = sum(x * x for x in u), sum(x * y for x, y in zip(u, v, strict=True)), sum(y * y for y in v)
    det = suu * svv - suv * suv
    if det <= 0:
        return calibration.NO_LAYER_COST
    a = (sum(u) * svv - sum(v) * suv) / det
    t = (suu * sum(v) - suv * sum(u)) / det
    return (round(a, 4), round(t, 7)) if a > 0 and t > 0 else calibration.NO_LAYER_COST


def _spread(values: list[float]) -> tuple[float, float, float, int]:
    values = sorted(values)
    low = values[int(0.1 * (len(values) - 1))]
    high = values[math.ceil(0.9 * (len(values) - 1))]
    return (round(low, 3), round(statistics.median(values), 3), round(high, 3), len(values))


def fit(runs: list[Run]) -> Fitted:
    """Per group, and pooled per phase, device kind and dense/MoE across backends and across devices: the decode
    layer cost (layer_cost), then the (p10, median, p90, rows) of measured speed over the modelled speed (for
    groups without a layer cost, of measured/ideal); groups with fewer than MIN_ROWS runs are left out (the
    engine then uses a pooled figure)."""
    members: dict[tuple[str, ...], list[Run]] = defaultdict(list)
    chains: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for r in runs:
        pooled = r.group().pooled()
        for group in pooled:
            members[group.as_tuple()].append(r)
            chains[group.as_tuple()] = tuple(g.as_tuple() for g in pooled[pooled.index(group) :])
    own = {key: layer_cost(rs) for key, rs in members.items() if key[0] == "decode" and _identified(rs)}
    costs: calibration.CostTable = {}
    table: calibration.Table = {}
    for key, rs in members.items():
        if len(rs) < MIN_ROWS:
            continue
        a, t = next((own[k] for k in chains[key] if k in own), calibration.NO_LAYER_COST)
        if (a, t) != calibration.NO_LAYER_COST:
            costs[key] = (a, t)
        table[key] = _spread([a * r.efficiency + t * r.model.layers * r.measured_tps for r in rs])
    return Fitted(table, costs)


def fit_table(runs: list[Run]) -> calibration.Table:
    return fit(runs).efficiency


def engine_range(run: Run, fitted: Fitted | calibration.Table | None = None) -> calibration.Efficiency:
    """The engine's (low, typical, high) tokens/s for a measured run, with a fit (by default the one the engine
    ships; a bare efficiency table has no layer costs), looked up exactly as the engine looks it up."""
    if fitted is None:
        fitted = Fitted.shipped()
    elif not isinstance(fitted, Fitted):
        fitted = Fitted(fitted, {})
    if run.phase == "prefill":
        eff = calibration.prefill_efficiency(run.backend, run.line, moe=run.moe, fitted=fitted.efficiency)
        return calibration.Efficiency(*(run.ideal_tps * e for e in eff))
    cost = calibration.decode_cost(
        run.device_kind, run.backend, moe=run.moe, fitted=fitted.efficiency, costs=fitted.layer_cost
    )
    bytes_s = 1 / run.ideal_tps
    layers = run.model.layers
    return calibration.Efficiency(
        1 / (bytes_s / cost.efficiency.low + layers * cost.layer_s.slow),
        1 / (bytes_s / cost.efficiency.typical + layers * cost.layer_s.typical),
        1 / (bytes_s / cost.efficiency.high + layers * cost.layer_s.fast),
    )


def score(runs: list[Run], table: Fitted | calibration.Table | None = None) -> Score:
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
