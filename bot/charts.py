"""Small PNG charts for cards (matplotlib, no display): where the bytes live, and decode speed against context.

Figures are made with matplotlib's object API (no pyplot state), so answers drawn in several threads at once
share nothing. Drawn on their own dark panel with light text and colour-blind-safe colours, so they read the same
in Discord's dark and light themes; 960x440 pixels, well under 200 KB.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.curves import CURVE_QUANTS_MAX, SpeedCurve, speed_curves
from engine.fit import FitOptions, FitReport, QuantOption
from engine.rig import Reading
from engine.units import GB, fmt_tokens

WIDTH_IN, HEIGHT_IN, DPI = 9.6, 4.4, 100
PANEL, TEXT, GRID = "#1e1f22", "#f2f3f5", "#4e5058"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
WEIGHTS, KV_CACHE, OVERHEAD = "#56b4e9", "#e69f00", "#999999"
LINES = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7")
FONT_PT = 12
CHART_NAME = "chart.png"


CACHE_CHARTS = 256  # drawing takes ~0.1 s of CPU: the same question asked again reuses its picture


def fit_report_chart(report: FitReport) -> bytes | None:
    """The /fit chart: the recommended quant and the next ones that run, on the first reading."""
    first = report.readings[0]
    if first.best is None:
        return None
    key = (report.model.model_dump_json(), first.rig.model_dump_json(), report.context, report.kv_type, first.best)
    return _cached_fit_chart(key, report)


def _cached_fit_chart(key: tuple[object, ...], report: FitReport) -> bytes | None:
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    png = _draw_fit_chart(report)
    with _CACHE_LOCK:
        _CACHE[key] = png
        while len(_CACHE) > CACHE_CHARTS:
            _CACHE.popitem(last=False)
    return png


_CACHE: OrderedDict[tuple[object, ...], bytes | None] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _draw_fit_chart(report: FitReport) -> bytes | None:
    first = report.readings[0]
    assert first.best is not None
    runs = [o.quant for o in first.options if o.verdict != "does-not-fit" and o.quant != first.best]
    quants = (first.best, *runs[: CURVE_QUANTS_MAX - 1])
    opts = FitOptions(kv_type=report.kv_type, prompt_tokens=report.prompt_tokens)
    curves = speed_curves(report.model, Reading(label=first.label, rig=first.rig), quants, opts)
    return fit_chart(report, curves)


def fit_chart(report: FitReport, curves: Sequence[SpeedCurve]) -> bytes | None:
    """Memory by pool for the recommended quant (left) and decode tokens/s against context (right)."""
    reading = report.readings[0]
    best = reading.option(reading.best)
    if best is None:
        return None
    figure, (memory, speed) = _figure(2)
    _memory_panel(memory, best)
    _speed_panel(speed, curves, report.context)
    figure.suptitle(f"{report.model.name}: {best.quant} on {reading.label}"[:90], color=TEXT, fontsize=FONT_PT + 1)
    figure.subplots_adjust(top=0.8)
    return _png(figure)


def compare_chart(a: FitReport, b: FitReport) -> bytes:
    """Each side's recommended quant: decode tokens/s as a range with its typical figure, or why there is none."""
    sides = [(f"{_short(r.model.name)}\n{_short(r.readings[0].label)}", r.readings[0]) for r in (a, b)]
    figure, (axes,) = _figure(1)
    highest = max((o.decode_tps.high for _, rd in sides if (o := rd.option(rd.best)) and o.decode_tps), default=1.0)
    for row, (_, reading) in enumerate(sides):
        option = reading.option(reading.best)
        if option is None or option.decode_tps is None:
            shown = "does not fit" if option is None else f"{option.quant}: no speed figure"
            axes.text(0, row, f"  {shown}", va="center", color=TEXT, fontsize=FONT_PT)
            continue
        r = option.decode_tps
        axes.barh(row, r.high - r.low, left=r.low, color=LINES[row], alpha=0.5, height=0.5)
        axes.plot([r.centre], [row], "o", color=LINES[row], markersize=10)
        axes.text(r.high, row, f"  {r.centre:.0f} tok/s ({option.quant})", va="center", color=TEXT, fontsize=FONT_PT)
    axes.set_yticks(range(len(sides)), [label for label, _ in sides])
    axes.set_ylim(-0.7, len(sides) - 0.3)
    axes.invert_yaxis()  # the first side on top
    axes.set_xlabel("decode tokens/s (bar: range, dot: typical)")
    axes.set_xlim(0, highest * 1.6)
    return _png(figure)


def _memory_panel(axes: Axes, option: QuantOption) -> None:
    pools = option.placement.pools
    names = [_short(p.name) for p in pools]
    weights = [(p.dense_bytes + p.expert_bytes) / GB for p in pools]
    kv = [p.kv_bytes / GB for p in pools]
    overhead = [p.overhead_bytes / GB for p in pools]
    capacity = [p.capacity_bytes / GB for p in pools]
    rows = range(len(pools))
    axes.barh(rows, weights, color=WEIGHTS, label="weights")
    axes.barh(rows, kv, left=weights, color=KV_CACHE, label="KV cache")
    lefts = [w + k for w, k in zip(weights, kv, strict=True)]
    axes.barh(rows, overhead, left=lefts, color=OVERHEAD, label="buffers")
    for row, cap in zip(rows, capacity, strict=True):
        axes.plot([cap, cap], [row - 0.4, row + 0.4], color=TEXT, linewidth=2)
        axes.text(cap, row + 0.42, f"{cap:.0f} GB", color=TEXT, fontsize=FONT_PT - 2, ha="center")
    axes.set_yticks(list(rows), names)
    axes.set_xlabel("GB (line: what the pool holds)")
    axes.legend(
        loc="lower right", bbox_to_anchor=(1, 1.0), ncol=3, fontsize=FONT_PT - 2,
        facecolor=PANEL, labelcolor=TEXT, edgecolor=GRID,
    )  # fmt: skip


def _short(device: str) -> str:
    for vendor in ("NVIDIA GeForce ", "NVIDIA ", "AMD Radeon ", "AMD ", "Intel ", "Apple "):
        device = device.removeprefix(vendor)
    return device[:18]


def _speed_panel(axes: Axes, curves: Sequence[SpeedCurve], asked_context: int) -> None:
    drawn = False
    for i, curve in enumerate(curves):
        if not curve.points:
            continue
        xs = [p.context for p in curve.points]
        axes.fill_between(xs, [p.decode_tps.low for p in curve.points], [p.decode_tps.high for p in curve.points],
                          color=LINES[i], alpha=0.2)  # fmt: skip
        axes.plot(xs, [p.decode_tps.centre for p in curve.points], "o-", color=LINES[i], label=curve.quant)
        drawn = True
    axes.set_xscale("log", base=2)
    axes.axvline(asked_context, color=GRID, linestyle="--")
    axes.set_xlabel("context (tokens)")
    axes.set_ylabel("decode tokens/s")
    if drawn:
        ticks = sorted({p.context for c in curves for p in c.points})
        axes.set_xticks(ticks, [fmt_tokens(t) for t in ticks])
        axes.set_ylim(bottom=0)
        axes.legend(fontsize=FONT_PT - 2, facecolor=PANEL, labelcolor=TEXT, edgecolor=GRID)
    else:
        axes.text(0.5, 0.5, "no speed figure", transform=axes.transAxes, ha="center", color=TEXT)


def _figure(panels: int) -> tuple[Figure, Sequence[Axes]]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    axes = figure.subplots(1, panels, squeeze=False)
    figure.patch.set_facecolor(PANEL)
    for ax in axes[0]:
        ax.set_facecolor(PANEL)
        ax.tick_params(colors=TEXT, labelsize=FONT_PT - 1)
        ax.xaxis.label.set_color(TEXT)
        ax.yaxis.label.set_color(TEXT)
        ax.xaxis.label.set_fontsize(FONT_PT)
        ax.yaxis.label.set_fontsize(FONT_PT)
        ax.grid(color=GRID, linewidth=0.5)
        for spine in ax.spines.values():
            spine.set_color(GRID)
    return figure, list(axes[0])


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", facecolor=figure.get_facecolor())  # the Agg canvas: no display
    return buffer.getvalue()
