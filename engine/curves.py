"""Decode speed against context for a few quants on one reading: the points a card's chart draws.

Each point is a full fit at that context (placement included), so a quant that stops fitting, or that spills to
system RAM as its cache grows, shows it as a drop or an end of its line.
"""

from __future__ import annotations

from catalog.types import Model
from engine.fit import FitOptions, fit_reading
from engine.rig import Frozen, Reading
from engine.speed import Range

CURVE_CONTEXTS = (4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576)
CURVE_QUANTS_MAX = 3


class CurvePoint(Frozen):
    context: int
    decode_tps: Range


class SpeedCurve(Frozen):
    quant: str
    points: tuple[CurvePoint, ...]


def speed_curves(model: Model, reading: Reading, quants: tuple[str, ...], opts: FitOptions) -> tuple[SpeedCurve, ...]:
    """Decode ranges at the CURVE_CONTEXTS the model reads, for up to CURVE_QUANTS_MAX quants; a context where a
    quant does not fit or has no speed figure ends nothing: it is left out of that quant's line."""
    contexts = [c for c in CURVE_CONTEXTS if c <= model.context_max_tokens]
    curves = []
    for quant in quants[:CURVE_QUANTS_MAX]:
        points = []
        for context in contexts:
            option = fit_reading(model, reading, context, opts.model_copy(update={"quant": quant})).options[0]
            if option.verdict != "does-not-fit" and option.decode_tps is not None:
                points.append(CurvePoint(context=context, decode_tps=option.decode_tps))
        curves.append(SpeedCurve(quant=quant, points=tuple(points)))
    return tuple(curves)
