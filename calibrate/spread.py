"""How wide a group's (low, high) is: several ways to read the 10th-90th percentile of measured/modelled speed, and
the proper score that chooses between them on training folds only (calibrate/fit.py).

The range is for a run of a publication the fit never saw. Runs of one source agree with each other more than with
other sources' (one build, one machine, one way of measuring), so the percentiles of the runs a fit saw can be too
narrow for a new source, and a source with many runs outweighs the rest. A run of a new source is a draw in two
stages, a source then a run of it; the three readings differ in how they model that:

- RUNS: the percentiles of the runs themselves, every run one vote (what the fit did before sources were weighed).
- OFFSETS: RUNS with the finite-source correction of SOURCES below: every run one vote around the runs' median c,
  a run's deviation from c its source's offset scaled by sqrt((k + 1) / (k - 1)) plus its deviation within its
  source. (A source here is a publication, and a scoreboard thread holds many machines, so weighing sources
  equally is not obviously better than weighing runs.)
- SOURCES: every source weighs the same (each of its n runs 1/n); typical is the weighted median c, a run's
  deviation from c its source's offset (source mean - c) plus its own deviation from the source mean, and low/high
  the weighted percentiles of c + deviation. k observed offsets spread less than a new source's does (their mean
  is estimated from the same k and their spread divides by k), so each offset is scaled by sqrt((k + 1) / (k - 1)):
  the predictive variance of a new draw, s^2 (1 + 1/k) with s^2 divided by k - 1, over the spread of the k
  observed ones. No distribution assumed: ln efficiency has heavy tails.
- PRECISION: SOURCES with each source weighing the precision of its mean, 1 / (tau^2 + sigma^2 / n), NORMAL's
  variance components below (the weights of a random-effects meta-analysis): a publication of one run weighs as much
  as one of twenty under SOURCES, though its one run says less of its source's offset than twenty do; here it weighs
  less where runs of one source scatter more than sources do, and all sources weigh nearly the same where they differ
  most. (One old build's run of Qwen3-Next and one of gpt-oss-20b had held the Strix Halo Vulkan MoE decode figure
  at 0.75 of the model under SOURCES, where the three sources of 37 runs sit at 0.95-1.14.)
- NORMAL: a one-way random-effects model of ln(measured/modelled), x = mu + b_source + e, with the ANOVA estimates
  of tau^2 (between sources) and sigma^2 (within one) for unbalanced groups (Searle, Casella & McCulloch, Variance
  Components, 1992, section 3.6), mu the median with every source weighing the same, and the prediction interval of a
  random-effects meta-analysis, mu +- t(k - 2) sqrt(tau^2 + sigma^2 + var(mu)) (Higgins, Thompson & Spiegelhalter
  2009, J. R. Stat. Soc. A 172:137, section 4.2), widened by sigma^2 because the engine predicts one run.
- NORMAL-K1: NORMAL with the t quantile at k - 1 degrees of freedom, the prediction interval of one new draw from
  k observed source means (Geisser 1993, Predictive Inference, section 2.1), which leaves out what k - 2 allows for
  the estimate of tau^2. With 3 sources k - 2 is 1 degree of freedom, whose 90th percentile (3.08) is 2.4 times the
  normal one: a group of 3 publications gets a range far wider than its runs spread. Which of the two holds a new
  source's runs better is left to the inner folds' score, as between the other readings.

Whichever reading a phase takes, its half-widths are then scaled so that the fit's own inner folds of sources hold
its COVERAGE of the runs they did not see (split conformal prediction over folds of sources), by one scale for the
phase or each device kind and backend on its own runs where it has enough of them (fit.By): both half-widths by one
factor (ONE, coverage_scale), or each side by its own so that each misses at most half of 1 - COVERAGE (EACH,
side_scales), and the reading, the sides and the scaling are chosen together by the interval score of those scaled
ranges.

SOURCES, PRECISION and NORMAL need offsets of MIN_SPREAD_SOURCES sources; a group with fewer takes the spread of the
first pool it falls back to that has them (GroupKey.pooled), around its own typical figure.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

Method = Literal[
    "runs",
    "offsets",
    "sources",
    "precision",
    "normal",
    "normal-k1",
    "runs+pool",
    "offsets+pool",
    "sources+pool",
    "precision+pool",
    "normal+pool",
    "normal-k1+pool",
]
# How SOURCES-like readings weigh a group's sources: by their runs (OFFSETS), the same (SOURCES), or by the precision
# of their mean (PRECISION)
Weighing = Literal["runs", "sources", "precision"]
# Each reading also with POOLED appended: a group of few runs then reaches at least as far as its pool (fit.py
# _at_least_pooled); the inner folds choose between all of them per phase.
POOLED = "+pool"
METHODS: tuple[Method, ...] = get_args(Method)
PREDICTED = 0.9  # high is this percentile of a run, low the (1 - PREDICTED) one: an 80 % central range
LOW = round(1 - PREDICTED, 9)
# The share of a new source's runs the range is meant to hold, per phase (issue 17's goals for the ranges the cards
# show). The spreads above are read as 10th-90th percentiles and then each phase's half-widths scaled
# (fit.calibrated) until the ranges of the fit's inner folds of sources hold this share of the runs they did not
# see: runs of a publication the fit never saw fall outside the percentiles of the runs it saw more often than 1 in 5.
COVERAGE = {"decode": 0.85, "prefill": 0.80}
MIN_SPREAD_SOURCES = 3  # NORMAL's t quantile needs k - 2 >= 1 degrees of freedom; SOURCES' scale k - 1 >= 2
Spread = tuple[float, float, float]  # (low, typical, high) as factors of the modelled speed
Scale = tuple[float, float]  # factors on a range's half-widths in ln, below and above its typical figure
# How a phase's half-widths are scaled to hold COVERAGE: both by one factor (ONE: the range holds COVERAGE, however its
# misses fall on the two sides), or each by its own (EACH: each side misses at most half of 1 - COVERAGE, the central
# range the interval score is proper for). Where runs of an unseen source miss more often on one side (a slow build
# under the low end) ONE stretches both sides to cover that one; EACH stretches only it.
Sides = Literal["one", "each"]
SIDES: tuple[Sides, ...] = get_args(Sides)


def interval_score(low: float, high: float, measured: float, alpha: float = 2 * LOW) -> float:
    """The interval score of a central (1 - alpha) range on ln speed (Gneiting & Raftery 2007, J. Am. Stat. Assoc.
    102:359, section 6.2): its width plus 2/alpha times how far the measured figure fell outside. A proper score:
    lowest in expectation for the range whose ends are the true percentiles, so neither too narrow nor too wide
    pays."""
    lo, hi, y = math.log(low), math.log(high), math.log(measured)
    return (hi - lo) + 2 / alpha * (max(lo - y, 0.0) + max(y - hi, 0.0))


def needed_scale(low: float, typical: float, high: float, measured: float) -> float | None:
    """The factor on a range's half-width (in ln, on the side the measured figure fell) that just reaches the
    measured figure: 0 at typical, 1 at low or high; None for a range with no width on that side."""
    y, c = math.log(measured), math.log(typical)
    half = c - math.log(low) if y < c else math.log(high) - c
    return abs(y - c) / half if half > 0 else None


def coverage_scale(predicted: Iterable[tuple[float, float, float, float]], coverage: float) -> float:
    """The smallest factor on the half-widths that puts `coverage` of the (low, typical, high, measured) held-out
    predictions inside their ranges, by the split-conformal quantile: the ceil((n + 1) x coverage)-th smallest
    needed scale (Vovk, Gammerman & Shafer 2005, Algorithmic Learning in a Random World, ch. 2; Lei et al. 2018,
    J. Am. Stat. Assoc. 113:1094, section 2.2), which holds `coverage` for a new exchangeable run. 1 with
    nothing to score."""
    needs = [n for p in predicted if (n := needed_scale(*p)) is not None]
    return round(_conformal_quantile(needs, coverage), 3) if needs else 1.0


def _conformal_quantile(needs: list[float], share: float) -> float:
    """The ceil((n + 1) x share)-th smallest of n needed scales, at most the largest."""
    needs = sorted(needs)
    return needs[min(math.ceil((len(needs) + 1) * share), len(needs)) - 1]


def side_scales(predicted: Iterable[tuple[float, float, float, float]], coverage: float) -> Scale:
    """EACH: the factors on the low and the high half-width (in ln) that leave at most (1 - coverage) / 2 of the
    (low, typical, high, measured) held-out predictions beyond each end, by the split-conformal quantile of each
    side's signed need: how far below typical a run fell, in low half-widths (negative for a run above it), and
    likewise above (Romano, Patterson & Candes 2019, NeurIPS, "Conformalized quantile regression", section 4,
    the asymmetric version). A side with nothing to score keeps its width (1); none is made negative."""
    share = 1 - (1 - coverage) / 2
    below: list[float] = []
    above: list[float] = []
    for low, typical, high, measured in predicted:
        y, c = math.log(measured), math.log(typical)
        if (down := c - math.log(low)) > 0:
            below.append((c - y) / down)
        if (up := math.log(high) - c) > 0:
            above.append((y - c) / up)
    return tuple(  # type: ignore[return-value]
        round(max(_conformal_quantile(needs, share), 0.0), 3) if needs else 1.0 for needs in (below, above)
    )


def scales(predicted: list[tuple[float, float, float, float]], coverage: float, sides: Sides) -> Scale:
    """The (below, above) factors on the half-widths that hold `coverage`, by one factor or one per side."""
    if sides == "each":
        return side_scales(predicted, coverage)
    one = coverage_scale(predicted, coverage)
    return (one, one)


def percentiles(values: list[float]) -> Spread:
    """RUNS: the 10th percentile, median and 90th percentile of the runs."""
    values = sorted(values)
    low = values[int(LOW * (len(values) - 1))]
    high = values[math.ceil(PREDICTED * (len(values) - 1))]
    return (low, statistics.median(values), high)


def _by_source(logs: list[float], sources: list[str]) -> list[list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for x, source in zip(logs, sources, strict=True):
        groups[source].append(x)
    return list(groups.values())


def _weighted_quantile(values: list[float], weights: list[float], p: float) -> float:
    """The smallest value whose cumulative weight reaches p of the total."""
    order = sorted(range(len(values)), key=values.__getitem__)
    total, cumulative = sum(weights), 0.0
    for i in order:
        cumulative += weights[i]
        if cumulative >= p * total - 1e-12:
            return values[i]
    return values[order[-1]]


def _centre(groups: list[list[float]], shares: list[float] | None = None) -> float:
    """The median with each source weighing its share (by default every source the same), split over its runs."""
    shares = shares or [1.0] * len(groups)
    weights = [share / len(g) for g, share in zip(groups, shares, strict=True) for _ in g]
    return _weighted_quantile([x for g in groups for x in g], weights, 0.5)


def source_shares(groups: list[list[float]], weighing: Weighing) -> list[float]:
    """Each source's weight: its runs' count (runs), 1 (sources), or the precision of its mean, 1 / (tau^2 +
    sigma^2 / n), with NORMAL's variance components of the group (precision): where runs of one source scatter more
    than sources do, a source of one run weighs less than one of twenty, and where sources differ most, all weigh
    nearly the same (the weights of a random-effects meta-analysis; Higgins, Thompson & Spiegelhalter 2009)."""
    if weighing == "runs":
        return [float(len(g)) for g in groups]
    parts = _components(groups) if weighing == "precision" else None
    if parts is None or not (parts.between or parts.within):
        return [1.0] * len(groups)
    return _precisions(groups, parts)


def _precisions(groups: list[list[float]], parts: Components) -> list[float]:
    """Each source mean's precision under NORMAL's variance components: 1 / (tau^2 + sigma^2 / n)."""
    return [1 / (parts.between + parts.within / len(g)) for g in groups]


@dataclass(frozen=True)
class Deviations:
    """SOURCES: ln-deviations of a new source's run from a group's typical figure, with their weights."""

    values: tuple[float, ...]
    weights: tuple[float, ...]


def _centre_of(groups: list[list[float]], weighing: Weighing, shares: list[float] | None = None) -> float:
    """The groups' median, each source weighing as `weighing` says (its `shares` where already worked out)."""
    if weighing == "runs":
        return statistics.median(x for g in groups for x in g)
    return _centre(groups, shares if shares is not None else source_shares(groups, weighing))


def deviations(logs: list[float], sources: list[str], *, weighing: Weighing = "sources") -> Deviations | None:
    """SOURCES, PRECISION or OFFSETS: each run's source offset, scaled for a new source, plus its deviation within
    its source, each source weighing as `weighing` says (source_shares)."""
    groups = _by_source(logs, sources)
    k = len(groups)
    if k < MIN_SPREAD_SOURCES:
        return None
    shares = source_shares(groups, weighing)
    c, scale = _centre_of(groups, weighing, shares), math.sqrt((k + 1) / (k - 1))
    values: list[float] = []
    weights: list[float] = []
    for g, share in zip(groups, shares, strict=True):
        mean = statistics.fmean(g)
        values += [scale * (mean - c) + (x - mean) for x in g]
        weights += [share / len(g)] * len(g)
    return Deviations(tuple(values), tuple(weights))


def source_weighted(
    logs: list[float], sources: list[str], spread: Deviations, *, weighing: Weighing = "sources"
) -> Spread:
    c = _centre_of(_by_source(logs, sources), weighing)
    values, weights = list(spread.values), list(spread.weights)
    low, high = (_weighted_quantile(values, weights, p) for p in (LOW, PREDICTED))
    return (math.exp(c + low), math.exp(c), math.exp(c + high))


@dataclass(frozen=True)
class Components:
    """NORMAL: the variance components of ln(measured/modelled) and the t quantile's degrees of freedom."""

    between: float  # tau^2
    within: float  # sigma^2
    df: int


def components(logs: list[float], sources: list[str], *, df_less: int = 2) -> Components | None:
    """NORMAL's variance components, with k - df_less degrees of freedom (2: NORMAL, 1: NORMAL-K1)."""
    return _components(_by_source(logs, sources), df_less)


def _components(groups: list[list[float]], df_less: int = 2) -> Components | None:
    logs = [x for g in groups for x in g]
    k, n = len(groups), len(logs)
    if k < MIN_SPREAD_SOURCES:
        return None
    grand = statistics.fmean(logs)
    means = [statistics.fmean(g) for g in groups]
    within = sum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g) / (n - k) if n > k else 0.0
    between_ms = sum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True)) / (k - 1)
    n0 = (n - sum(len(g) ** 2 for g in groups) / n) / (k - 1)
    return Components(max(0.0, (between_ms - within) / n0), within, k - df_less)


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile: exact for 1 and 2 degrees of freedom, else the Cornish-Fisher expansion in 1/df
    (Abramowitz & Stegun 26.7.5; within 0.01 of the exact figure at 3 degrees of freedom, closer above)."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = statistics.NormalDist().inv_cdf(p)
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / df ** (i + 1) for i, term in enumerate(terms))


def random_effects(logs: list[float], sources: list[str], parts: Components) -> Spread:
    groups = _by_source(logs, sources)
    if not parts.between and not parts.within:
        c = statistics.fmean(logs)
        return (math.exp(c), math.exp(c), math.exp(c))
    weights = _precisions(groups, parts)
    # centred on the median with every source weighing the same, not the weighted mean: ln efficiency has heavy
    # tails (one slow build moves a mean, not a median), and the cards' typical figure is scored as a median
    centre = _centre(groups)
    half = t_quantile(PREDICTED, parts.df) * math.sqrt(parts.between + parts.within + 1 / sum(weights))
    return (math.exp(centre - half), math.exp(centre), math.exp(centre + half))
