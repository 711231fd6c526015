"""The fit: efficiency (measured/ideal) percentiles per group, and the score of a table on runs it did not see,
looked up exactly as the engine looks it up. Runs are held out by source (leave one source out): each publication's
runs are predicted by a table fitted on every other publication's runs."""

from __future__ import annotations

import math
import statistics
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, get_args

from calibrate import spread
from calibrate.runs import Run
from engine import calibration, memory


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
    spread: str = ""  # the spread method its fit chose (calibrate/spread.py)

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
        train = [r for r in runs if r.source != source]
        ranges = calibrated(train)  # from the training runs' own folds: the held-out source plays no part
        table = fit(train, ranges)
        for r in held:
            try:
                low, typical, high = engine_range(r, table)
            except LookupError:
                continue  # nothing fitted for it without this source: unanswered, as the engine would be
            label = f"{r.model.id} on {r.hardware}"
            choice = f"{ranges.methods[r.phase]}/{ranges.sides.get(r.phase, 'one')}/{ranges.by.get(r.phase, BY_CLASS)}"
            scored = Scored(r.row_id, label, r.device_class, r.phase, r.measured_tps, low, typical, high, choice)
            out.append(scored)
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
    ratio = [memory.fixed_cost_layers(r.model) * r.ideal_tps for r in runs]  # layers / bytes time
    return statistics.pstdev(ratio) >= MIN_COST_SPREAD * statistics.fmean(ratio)


def layer_cost(runs: list[Run]) -> tuple[float, float]:
    """(a, t) minimising the squared relative error of a x bytes_time + t x layers against the measured time per
    token (calibration.DecodeCost); no layer cost (1, 0) where the best fit would be negative. Callers check
    that the runs can separate the two terms (_identified)."""
    u = [r.fitted_tps / r.ideal_tps for r in runs]  # bytes time / measured time (Run.fitted_tps)
    v = [memory.fixed_cost_layers(r.model) * r.fitted_tps for r in runs]  # layers / measured time
    suu, suv, svv = sum(x * x for x in u), sum(x * y for x, y in zip(u, v, strict=True)), sum(y * y for y in v)
    det = suu * svv - suv * suv
    if det <= 0:
        return calibration.NO_LAYER_COST
    a = (sum(u) * svv - sum(v) * suv) / det
    t = (suu * sum(v) - suv * sum(u)) / det
    return (round(a, 4), round(t, 7)) if a > 0 and t > 0 else calibration.NO_LAYER_COST


Key = tuple[str, ...]
Category = tuple[str, str]  # (device kind, backend): the runs whose ranges are scaled together (Mondrian)


def _category_of(key: Key) -> Category:
    return (key[1], key[2])


@dataclass(frozen=True)
class _Groups:
    """The runs of every group and pool, the pools each falls back to, and measured/modelled speed per group."""

    members: dict[Key, list[Run]]
    chains: dict[Key, tuple[Key, ...]]
    ratios: dict[Key, list[float]]
    costs: calibration.CostTable

    def logs(self, key: Key) -> list[float]:
        return [math.log(v) for v in self.ratios[key]]

    def sources(self, key: Key) -> list[str]:
        return [r.source for r in self.members[key]]


def _groups(runs: list[Run]) -> _Groups:
    members: dict[Key, list[Run]] = defaultdict(list)
    chains: dict[Key, tuple[Key, ...]] = {}
    for r in runs:
        for group in r.group().pooled():
            members[group.as_tuple()].append(r)
            chains[group.as_tuple()] = tuple(g.as_tuple() for g in group.pooled())
    own = {key: layer_cost(rs) for key, rs in members.items() if key[0] == "decode" and _identified(rs)}
    costs: calibration.CostTable = {}
    ratios: dict[Key, list[float]] = {}
    for key, rs in members.items():
        a, t = next((own[k] for k in chains[key] if k in own), calibration.NO_LAYER_COST)
        if (a, t) != calibration.NO_LAYER_COST and len(rs) >= MIN_ROWS:
            costs[key] = (a, t)
        ratios[key] = [a * r.efficiency + t * memory.fixed_cost_layers(r.model) * r.fitted_tps for r in rs]
    return _Groups(members, chains, ratios, costs)


# The 10th and 90th percentiles of a few runs are their second smallest and largest, which reach less far than a new
# publication's runs do (one DGX Spark publication held out leaves its decode group 11 runs from 5 others). Each
# reading is offered to the inner folds also with its small groups, of fewer than MIN_OWN_WIDTH_ROWS runs, reaching at
# least as far, each side in ln, as the first pool in their chain with that many (spread.POOLED); the folds choose per
# phase, as between the readings themselves.
MIN_OWN_WIDTH_ROWS = 20


def _spreads(g: _Groups, method: spread.Method) -> dict[Key, spread.Spread]:
    """Each group's (low, typical, high) by one reading (_own_spreads), a small group's at least as wide as its
    pool's where the reading says so (_at_least_pooled)."""
    own = _own_spreads(g, method.removesuffix(spread.POOLED))  # type: ignore[arg-type]
    return _at_least_pooled(g, own) if method.endswith(spread.POOLED) else own


def _at_least_pooled(g: _Groups, spreads: dict[Key, spread.Spread]) -> dict[Key, spread.Spread]:
    out = dict(spreads)
    for key, (low, typical, high) in spreads.items():
        if len(g.members[key]) >= MIN_OWN_WIDTH_ROWS:
            continue
        pool = next((k for k in g.chains[key][1:] if k in spreads and len(g.members[k]) >= MIN_OWN_WIDTH_ROWS), None)
        if pool is not None:
            p_low, p_typical, p_high = spreads[pool]
            out[key] = (min(low, typical * p_low / p_typical), typical, max(high, typical * p_high / p_typical))
    return out


WEIGHINGS: dict[str, spread.Weighing] = {"offsets": "runs", "sources": "sources", "precision": "precision"}


def _own_spreads(g: _Groups, method: spread.Method) -> dict[Key, spread.Spread]:
    """Each group's (low, typical, high) by one method; a group with no pool of enough sources has none."""
    if method == "runs":
        return {key: spread.percentiles(g.ratios[key]) for key in g.members}
    out: dict[Key, spread.Spread] = {}
    if method in WEIGHINGS:
        weighing = WEIGHINGS[method]
        devs = {
            k: d for k in g.members if (d := spread.deviations(g.logs(k), g.sources(k), weighing=weighing)) is not None
        }
        for key in g.members:
            if (source := next((k for k in g.chains[key] if k in devs), None)) is not None:
                out[key] = spread.source_weighted(g.logs(key), g.sources(key), devs[source], weighing=weighing)
        return out
    df_less = 1 if method == "normal-k1" else 2
    parts = {k: c for k in g.members if (c := spread.components(g.logs(k), g.sources(k), df_less=df_less)) is not None}
    for key in g.members:
        if (source := next((k for k in g.chains[key] if k in parts), None)) is not None:
            out[key] = spread.random_effects(g.logs(key), g.sources(key), parts[source])
    return out


# A decode group's own figure is one build's and one way of measuring when it comes from one or two publications:
# such a group takes its pool's figure (GroupKey.pooled), as a layer cost does (MIN_COST_SOURCES). The last pool of
# a chain, which has nothing to fall back to, needs only MIN_ROWS. Prefill groups are kept apart however few their
# sources: they split by the path of the matrix kernels, whose peak differs by a known factor (a GeForce card's
# FP16 figure is half its workstation twin's), which a pool across paths would average away.
MIN_GROUP_SOURCES = 3


def _sourced(key: Key, runs: list[Run], g: _Groups) -> bool:
    last_pool = set(g.chains[key]) == {key}
    return key[0] == "prefill" or last_pool or len({r.source for r in runs}) >= MIN_GROUP_SOURCES


# The widest half-width in ln a scaled range may take (a factor of e^20 either way, a range no card could show): a
# reading whose runs hardly spread in one category can need a scale of thousands there, which would overflow.
MAX_HALF_WIDTH_LN = 20.0


def _scaled(values: spread.Spread, scale: float | spread.Scale) -> spread.Spread:
    """(low, typical, high) with the half-widths (in ln) times scale (one factor for both, or (below, above)),
    around the same typical figure, each at most MAX_HALF_WIDTH_LN."""
    low, typical, high = values
    below, above = (scale, scale) if isinstance(scale, float | int) else scale
    down = max(math.log(low / typical) * below, -MAX_HALF_WIDTH_LN)
    up = min(math.log(high / typical) * above, MAX_HALF_WIDTH_LN)
    return (typical * math.exp(down), typical, typical * math.exp(up))


# Whether a phase's half-widths are scaled by one factor for every category of runs or per category (_class_scales)
By = Literal["phase", "class"]
BY_PHASE: By = "phase"
BY_CLASS: By = "class"
BYS: tuple[By, ...] = get_args(By)
Choice = tuple[spread.Method, spread.Sides, By]  # how a phase's ranges are read and scaled


@dataclass(frozen=True)
class Ranges:
    """How each phase's (low, high) is read: the spread method (calibrate/spread.py) and the factors on its
    half-widths in ln, below and above typical, that make the ranges of the fit's own inner folds hold
    spread.COVERAGE[phase] of the runs they did not see ((1, 1) where none could be scored), one factor for both
    sides or one each (spread.Sides), one scale for the phase or a category's own (By: class_scales then holds
    them)."""

    methods: dict[str, spread.Method]
    scales: dict[str, spread.Scale]
    scores: dict[str, dict[Choice, float]] = field(default_factory=dict)  # the inner folds' (_mean_scores)
    class_scales: dict[str, dict[Category, spread.Scale]] = field(default_factory=dict)  # per phase, a class's own
    sides: dict[str, spread.Sides] = field(default_factory=dict)
    by: dict[str, By] = field(default_factory=dict)

    @classmethod
    def of(cls, methods: dict[str, spread.Method]) -> Ranges:
        return cls(methods, dict.fromkeys(methods, (1.0, 1.0)))

    def scale(self, key: Key) -> spread.Scale:
        return self.class_scales.get(key[0], {}).get(_category_of(key), self.scales[key[0]])


def _fitted(g: _Groups, ranges: Ranges) -> Fitted:
    """The table with each phase's groups spread by that phase's method and scale; groups of fewer than MIN_ROWS
    runs left out (the engine then uses a pooled figure)."""
    by_method = {m: _spreads(g, m) for m in set(ranges.methods.values())}
    table: calibration.Table = {}
    for key, rs in g.members.items():
        spreads = by_method[ranges.methods[key[0]]]
        if len(rs) >= MIN_ROWS and key in spreads and _sourced(key, rs, g):
            values = _scaled(spreads[key], ranges.scale(key))
            table[key] = (*(float(f"{x:.4g}") for x in values), len(rs))  # type: ignore[assignment]
    return Fitted(table, g.costs)


# Which spread a phase takes is chosen by the interval score (spread.interval_score) on INNER_FOLDS folds of the
# runs being fitted, split by source (never by run), each predicted by a fit on the other folds: a fit chooses from
# its own training runs only. In the cross-source score each held-out source's fit chooses without that source.
# The same folds then set how far the chosen ranges must reach to hold spread.COVERAGE of a new source's runs
# (split conformal prediction, with folds of sources: Barber, Candes, Ramdas & Tibshirani 2021, Ann. Statist.
# 49:486, "CV+"; exchangeable across sources, not across runs of one source).
INNER_FOLDS = 5
PHASES = ("decode", "prefill")


def _fold(source: str) -> int:
    return zlib.crc32(source.encode()) % INNER_FOLDS


Predicted = tuple[float, float, float, float]  # (low, typical, high, measured) of one held-out run
Labelled = tuple[Category, str, Predicted]  # with the run's category and source


def _inner_predictions(runs: list[Run]) -> dict[str, dict[spread.Method, list[Labelled]]]:
    """Per phase and spread method, each inner fold's runs predicted by a fit on the other folds."""
    out: dict[str, dict[spread.Method, list[Labelled]]] = {p: {m: [] for m in spread.METHODS} for p in PHASES}
    for fold in range(INNER_FOLDS):
        train = [r for r in runs if _fold(r.source) != fold]
        held = [r for r in runs if _fold(r.source) == fold]
        if not train or not held:
            continue
        g = _groups(train)
        for method in spread.METHODS:
            fitted = _fitted(g, Ranges.of(dict.fromkeys(PHASES, method)))
            for r in held:
                try:
                    low, typical, high = engine_range(r, fitted)
                except LookupError:
                    continue
                cat = _category_of(r.group().as_tuple())
                out[r.phase][method].append((cat, r.source, (low, typical, high, r.measured_tps)))
    return out


# Runs of one kind of device and backend miss by more or less than the rest (one GPU on CUDA by 9% at the median, SYCL
# by 44%), so one scale for all can leave the first too wide and the second too narrow. Scaled BY_CLASS, a category
# (device kind and backend, the groups' own keys) with MIN_CLASS_ROWS inner-fold predictions from MIN_CLASS_SOURCES
# sources gets its own scale, the split-conformal quantile of its own runs (Mondrian conformal prediction: Vovk,
# Gammerman & Shafer 2005, section 4.5, coverage held within each category); the rest, and pools across categories,
# take the phase's. At 85% coverage 30 predictions leave 4 or 5 runs beyond the quantile it is read from. But a
# category's runs come from few publications, each of whose runs miss together, so its own quantile can rest on one or
# two sources (DGX Spark decode without ggml-org's benches: x2.2 from one thread and two single rows). Whether a phase
# is scaled BY_CLASS or BY_PHASE (one scale for every category) is chosen with its spread, by the same interval score
# on the inner folds, each fold scored at the scales the other folds give.
MIN_CLASS_ROWS = 30
MIN_CLASS_SOURCES = 3


def _class_scales(
    rows: list[Labelled], coverage: float, sides: spread.Sides = "one", by: By = BY_CLASS
) -> tuple[spread.Scale, dict[Category, spread.Scale]]:
    """The phase's scale (spread.scales over all rows) and, scaled BY_CLASS, each category's own where it has the
    runs for one."""
    overall = spread.scales([p for _, _, p in rows], coverage, sides)
    if by == BY_PHASE:
        return overall, {}
    by_category: dict[Category, list[Labelled]] = defaultdict(list)
    for row in rows:
        by_category[row[0]].append(row)
    own = {
        c: spread.scales([p for _, _, p in rs], coverage, sides)
        for c, rs in by_category.items()
        if len(rs) >= MIN_CLASS_ROWS and len({s for _, s, _ in rs}) >= MIN_CLASS_SOURCES
    }
    return overall, own


def _calibrated_score(rows: list[Labelled], coverage: float, sides: spread.Sides = "one", by: By = BY_CLASS) -> float:
    """The mean interval score of a method's inner-fold ranges once scaled to hold `coverage` (the score of a
    central range of that coverage): what its ranges would cost the cards. Each fold's runs are scored at the scales
    the other folds' runs give (cross-fitting), never at scales read from themselves: scales read and scored on the
    same runs flatter whichever way of scaling has more factors to fit (one per side over one for both)."""
    if not rows:
        return math.inf
    alpha = 1 - coverage
    scores: list[float] = []
    for fold in range(INNER_FOLDS):
        held = [row for row in rows if _fold(row[1]) == fold]
        rest = [row for row in rows if _fold(row[1]) != fold]
        if not held:
            continue
        overall, own = _class_scales(rest, coverage, sides, by)
        scores += [
            spread.interval_score(*_scaled((lo, c, hi), own.get(cat, overall))[::2], y, alpha)
            for cat, _, (lo, c, hi, y) in held
        ]
    return statistics.fmean(scores)


def _mean_scores(predicted: dict[str, dict[spread.Method, list[Labelled]]]) -> dict[str, dict[Choice, float]]:
    return {
        p: {
            (m, sides, by): _calibrated_score(rows, spread.COVERAGE[p], sides, by)
            for m, rows in ms.items()
            for sides in spread.SIDES
            for by in BYS
        }
        for p, ms in predicted.items()
    }


def inner_scores(runs: list[Run]) -> dict[str, dict[Choice, float]]:
    """Mean interval score per phase, spread method and sides, each fold of sources predicted by a fit on the
    others."""
    return _mean_scores(_inner_predictions(runs))


def _choose(scores: dict[str, dict[Choice, float]]) -> dict[str, Choice]:
    """Per phase the lowest score; on a tie RUNS (which needs no sources), one factor for both sides and one scale
    for the phase."""
    return {
        p: min(scores[p], key=lambda c: (scores[p][c], c[0] != "runs", c[1] != "one", c[2] != BY_PHASE)) for p in PHASES
    }


def choose(runs: list[Run]) -> dict[str, Choice]:
    """Per phase, the spread method and sides with the lowest inner interval score (RUNS with one factor, which
    need no sources, where none could be scored)."""
    return _choose(inner_scores(runs))


def calibrated(runs: list[Run]) -> Ranges:
    """Per phase, the method and sides `choose` picks and the scales (spread.scales) that make its inner folds'
    ranges hold spread.COVERAGE of the runs they did not see."""
    predicted = _inner_predictions(runs)
    scores = _mean_scores(predicted)
    chosen = _choose(scores)
    both = {p: _class_scales(predicted[p][chosen[p][0]], spread.COVERAGE[p], *chosen[p][1:]) for p in PHASES}
    return Ranges(
        {p: chosen[p][0] for p in PHASES},
        {p: both[p][0] for p in PHASES},
        scores,
        {p: both[p][1] for p in PHASES},
        {p: chosen[p][1] for p in PHASES},
        {p: chosen[p][2] for p in PHASES},
    )


def _ranges(methods: dict[str, spread.Method] | Ranges | None, runs: list[Run]) -> Ranges:
    if methods is None:
        return calibrated(runs)
    return methods if isinstance(methods, Ranges) else Ranges.of(methods)


def fit(runs: list[Run], methods: dict[str, spread.Method] | Ranges | None = None) -> Fitted:
    """Per group, and pooled per phase, device kind and dense/MoE across backends and across devices: the decode
    layer cost (layer_cost), then the (low, typical, high, rows) of measured speed over the modelled speed (for
    groups without a layer cost, of measured/ideal) for a run of a source the fit never saw (calibrate/spread.py),
    by the method and scale `calibrated` finds on these runs unless given (a bare method per phase is taken at
    scale 1); groups with fewer than MIN_ROWS runs are left out (the engine then uses a pooled figure)."""
    return _fitted(_groups(runs), _ranges(methods, runs))


def fit_table(runs: list[Run], methods: dict[str, spread.Method] | Ranges | None = None) -> calibration.Table:
    return fit(runs, methods).efficiency


def engine_range(run: Run, fitted: Fitted | calibration.Table | None = None) -> calibration.Efficiency:
    """The engine's (low, typical, high) tokens/s for a measured run, with a fit (by default the one the engine
    ships; a bare efficiency table has no layer costs), looked up exactly as the engine looks it up."""
    if fitted is None:
        fitted = Fitted.shipped()
    elif not isinstance(fitted, Fitted):
        fitted = Fitted(fitted, {})
    if run.phase == "prefill":
        eff = calibration.prefill_efficiency(
            run.device_kind, run.backend, run.path, moe=run.moe, fitted=fitted.efficiency
        )
        return calibration.Efficiency(*(1 / (1 / (run.ideal_tps * e) + run.read_s) for e in eff))
    cost = calibration.decode_cost(
        run.device_kind,
        calibration.decode_backend(run.backend, intel_arc=run.intel_arc),
        moe=run.moe,
        fitted=fitted.efficiency,
        costs=fitted.layer_cost,
        cuda_graphs=run.cuda_graphs,
    )
    bytes_s = 1 / run.ideal_tps
    layers = memory.fixed_cost_layers(run.model)
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
