"""`rigfit calibrate`: fit on every measured run (the table the engine ships), score it across sources (each
publication's runs predicted by a fit on the others), per device class, and the text of
engine/calibration_fitted.py that `--write` stores for the engine."""

from __future__ import annotations

import re
from pathlib import Path

from calibrate import spread
from calibrate.fit import (
    BY_CLASS,
    INNER_FOLDS,
    MIN_ROWS,
    ClassScore,
    Fitted,
    Ranges,
    Scored,
    calibrated,
    class_scores,
    cross_source,
    fit,
    summarise,
)
from calibrate.multi_gpu import Check, multi_gpu_checks, split_share_lines
from calibrate.offload import offload_checks
from calibrate.runs import load_runs
from catalog.catalog import Catalog
from engine import calibration

FITTED_PATH = Path(__file__).resolve().parents[1] / "engine" / "calibration_fitted.py"
MODES = {
    "layer": "several GPUs, layer split",
    "tensor": "several GPUs, tensor parallel",
    "offload": "offload (experts in RAM)",
}


def _checked(c: Check) -> Scored:
    label = f"{c.model_id} on {c.phrase}"
    return Scored(c.row_id, label, MODES[c.mode], "decode", c.measured_tps, c.low, c.typical, c.high)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


CLASS_TITLE = "per device class"


def class_section(text: str) -> str:
    """The per-class table of a report's text (what `make bench` prints)."""
    return text[text.index(CLASS_TITLE) :] if CLASS_TITLE in text else ""


def class_table(scores: list[ClassScore]) -> list[str]:
    lines = [
        f"\n{CLASS_TITLE} (bias = median ln(typical/measured), above 0 over-predicts; |ln| median; inside [low, "
        "high]; median high/low):",
        f"  {'class':32} {'phase':8} {'rows':>5} {'bias':>7} {'|ln|':>6} {'inside':>7} {'width':>6}",
    ]
    for c in scores:
        lines.append(
            f"  {c.device_class:32} {c.phase:8} {c.rows:5d} {c.bias:+7.2f} {c.median_abs_log_err:6.2f} "
            f"{c.coverage:7.0%} {c.median_width:6.2f}"
        )
    return lines


def class_figures(scores: list[ClassScore]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for c in scores:
        key = f"calibration_class_{_slug(c.device_class)}_{c.phase}"
        figures |= {
            f"{key}_rows": c.rows,
            f"{key}_bias": round(c.bias, 3),
            f"{key}_median_abs_log_err": round(c.median_abs_log_err, 3),
            f"{key}_coverage": round(c.coverage, 3),
            f"{key}_median_width": round(c.median_width, 3),
        }
    return figures


def _phase_lines(phase: str, scored: list[Scored]) -> tuple[list[str], dict[str, float]]:
    rows = [s for s in scored if s.phase == phase]
    s = summarise(rows)
    lines = [
        f"\nacross sources, {phase}: {s.rows} rows, median |ln(typical/measured)| {s.median_abs_log_err:.3f}, "
        f"bias {s.bias:+.3f}, inside [low, high] {s.coverage:.0%}, median high/low {s.median_width:.2f}"
    ]
    for w in sorted(rows, key=lambda w: -abs(w.log_err))[:5]:
        lines.append(
            f"  worst: row {w.row_id} {w.label}: measured {w.measured_tps:.1f}, typical {w.typical:.1f}, "
            f"range {w.low:.1f}-{w.high:.1f} (ln {w.log_err:+.2f})"
        )
    figures = {
        f"calibration_{phase}_rows": s.rows,
        f"calibration_{phase}_median_abs_log_err": round(s.median_abs_log_err, 3),
        f"calibration_{phase}_coverage": round(s.coverage, 3),
        f"calibration_{phase}_median_width": round(s.median_width, 3),
    }
    return lines, figures


# Skipped rows that say nothing about the single-device llama.cpp speed the fit is for (another engine, a batch,
# several cards or RAM offload, checked elsewhere): left out of the answered share. Every other skip is a run the
# engine could not answer (a model, device or figure it lacks).
_OUT_OF_SCOPE = ("engine ", "batched run", "backend ", "weights partly in system RAM", "layer split measured outside")


def answered(runs: int, skipped: list[str]) -> tuple[float, list[str]]:
    """The share of in-scope rows the engine answered, and the commonest reasons for the others."""
    unanswered = [s.split(": ", 1)[-1] for s in skipped if not s.split(": ", 1)[-1].startswith(_OUT_OF_SCOPE)]
    counts: dict[str, int] = {}
    for why in unanswered:
        counts[why[:60]] = counts.get(why[:60], 0) + 1
    top = [f"{n} x {why}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6]]
    return runs / ((runs + len(unanswered)) or 1), top


def report(catalog: Catalog, directory: Path | None = None) -> tuple[str, dict[str, float], Fitted]:
    """The fit on every run, its score across sources per device class: the text `rigfit calibrate` prints, the
    figures, and the fitted table (what `--write` stores for the engine)."""
    runs, skipped = load_runs(catalog, directory)
    methods = calibrated(runs)
    fitted = fit(runs, methods)
    table = fitted.efficiency
    sources = len({r.source for r in runs})
    share, reasons = answered(len(runs), skipped)
    lines = [
        f"{len(runs)} measured runs mapped from {sources} sources ({len(skipped)} rows skipped); "
        f"{share:.0%} of the single-device llama.cpp rows answered, the others for want of:"
    ]
    lines += [f"  {why}" for why in reasons]
    if ("decode", "*", "*", "dense") not in table:
        lines.append(f"too few runs to fit: each group needs {MIN_ROWS}")
        return "\n".join(lines), {}, fitted
    if fitted != Fitted.shipped():
        lines.append(
            "the engine's table (engine/calibration_fitted.py) differs from this fit: `rigfit calibrate --write`"
        )
    lines.append("\nfitted efficiency (low, typical, high, rows) per group, from every run:")
    for key, (low, typical, high, n) in sorted(table.items()):
        cost = fitted.layer_cost.get(key)
        layer = f"  bytes x{cost[0]:.2f} + {cost[1] * 1e6:.0f} us/layer" if cost else ""
        lines.append(f"  {'/'.join(key):32} {low:.3f} {typical:.3f} {high:.3f}  ({n}){layer}")
    lines += spread_lines(methods)
    scored = cross_source(runs)
    figures: dict[str, float] = {"calibration_sources": sources, "calibration_answered_share": round(share, 3)}
    for phase in ("decode", "prefill"):
        phase_lines, phase_figures = _phase_lines(phase, scored)
        lines += phase_lines
        figures |= phase_figures
    both = summarise(scored)
    figures |= {
        "calibration_median_abs_log_err": round(both.median_abs_log_err, 3),
        "calibration_coverage": round(both.coverage, 3),
        "calibration_median_width": round(both.median_width, 3),
    }
    checks, _ = multi_gpu_checks(catalog, directory)
    offloaded, _ = offload_checks(catalog, directory)
    end_to_end = [_checked(c) for c in checks + offloaded]
    scores = class_scores(scored + end_to_end)
    lines += class_table(scores)
    lines += fold_choices(scored)
    lines.append(
        "  (several GPUs: the engine as shipped, end to end from placement; offload: the engine as shipped for the "
        "row's own --n-cpu-moe split, only rows that state their RAM; neither is ever fitted on, except that "
        "vLLM's tensor-parallel rows pay vLLM's cost per layer, which calibrate/servers.py fits on them among its "
        "runs and scores across sources there)"
    )
    lines += split_share_lines(checks, runs)
    figures |= class_figures(scores)
    return "\n".join(lines), figures, fitted


def spread_lines(ranges: Ranges) -> list[str]:
    """The spread method and scale each phase ships with and the inner-fold interval scores the method was chosen
    by."""
    lines = [
        f"\nspread of (low, high), each method's half-widths scaled to hold {_shares()} on {INNER_FOLDS} "
        "folds of sources, chosen by the interval score of the scaled ranges on those folds (lower is better):"
    ]
    for phase, method in ranges.methods.items():
        scores = ", ".join(f"{'/'.join(choice)} {v:.3f}" for choice, v in ranges.scores[phase].items())
        sides, by = ranges.sides.get(phase, "one"), ranges.by.get(phase, BY_CLASS)
        lines.append(f"  {phase}: {method}, {sides}, by {by} x{_factors(ranges.scales[phase])} ({scores})")
        if own := ranges.class_scales.get(phase):
            each = ", ".join(f"{kind} {backend} x{_factors(s)}" for (kind, backend), s in sorted(own.items()))
            lines.append(f"    own scale (Mondrian): {each}")
    return lines


def _factors(scale: tuple[float, float]) -> str:
    """One factor where both sides share it, else below/above."""
    below, above = scale
    return f"{below:.2f}" if below == above else f"{below:.2f}/{above:.2f}"


def fold_choices(scored: list[Scored]) -> list[str]:
    """How often the cross-source folds' fits chose each spread method (each from its own training runs)."""
    counts: dict[tuple[str, str], int] = {}
    for s in scored:
        counts[(s.phase, s.spread)] = counts.get((s.phase, s.spread), 0) + 1
    text = ", ".join(f"{phase} {method} {n}" for (phase, method), n in sorted(counts.items()))
    return [f"  (spread chosen by each held-out source's fit, in rows scored: {text})"]


def held_out_figures(figures: dict[str, float]) -> dict[str, float]:
    """The cross-source figures stored with the table (what /about shows); the per-class figures are reported by
    `make bench`, not stored."""
    return {k: v for k, v in figures.items() if not k.startswith(("calibration_class_", "calibration_multi_gpu"))}


def _shares() -> str:
    return ", ".join(f"{phase} {share:.0%}" for phase, share in spread.COVERAGE.items())


def fitted_module(fitted: Fitted | calibration.Table, figures: dict[str, float], fitted_on: str, rows: int) -> str:
    """engine/calibration_fitted.py's text: the fitted tables and the cross-source figures, as plain Python data."""
    if not isinstance(fitted, Fitted):
        fitted = Fitted(fitted, {})
    out = [
        f'"""Generated by `rigfit calibrate --write` on {fitted_on} from {rows} measured runs: do not edit by hand.',
        "",
        "FITTED: group -> (low, typical, high, rows): measured/modelled speed for a run of a source the fit never saw,",
        f"typical the median, (low, high) a range meant to hold {_shares()} of such runs, fitted on every",
        "measured run (calibrate/fit.py, calibrate/spread.py).",
        "LAYER_COST: decode group -> (bytes factor, seconds per layer per token) (engine.calibration.DecodeCost).",
        'HELD_OUT: the same fit scored across sources (each source predicted by a fit on the others)."""',
        "",
        f'FITTED_ON = "{fitted_on}"',
        "FITTED: dict[tuple[str, ...], tuple[float, float, float, int]] = {",
    ]
    out += [f"    {key!r}: {value!r}," for key, value in sorted(fitted.efficiency.items())]
    out += ["}", "LAYER_COST: dict[tuple[str, ...], tuple[float, float]] = {"]
    out += [f"    {key!r}: {value!r}," for key, value in sorted(fitted.layer_cost.items())]
    out += ["}", "HELD_OUT: dict[str, float] = {"]
    out += [f"    {key!r}: {value!r}," for key, value in sorted(held_out_figures(figures).items())]
    out += ["}", ""]
    return "\n".join(out).replace("'", '"')
