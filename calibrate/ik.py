"""ik_llama.cpp against mainline llama.cpp, measured by the same people on the same machine with the same file
(bench/ik_runs.csv): the ratio ik/mainline by phase, one figure per source (the median of its runs, so a post with
six runs counts once), then the median over sources with their smallest and largest as the range. engine/serve.py's
IK_RATIO carries these figures; `python -m calibrate.ik` prints them and their leave-one-source-out score, and
tests/test_ik_ratio.py checks the engine ships the current ones.

Scored honestly: each source is predicted from the others' median and range, never from its own runs.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

RUNS = Path(__file__).resolve().parent.parent / "bench" / "ik_runs.csv"
PHASES = ("decode", "prefill")
MIN_SOURCES = 3  # fewer sources than this: no measured speed-up is claimed


class Ratio(NamedTuple):
    low: float
    typical: float
    high: float
    sources: int


def read_runs(path: Path = RUNS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def per_source(rows: list[dict[str, str]], phase: str) -> dict[str, float]:
    """Each source's median ik/mainline ratio in `phase`."""
    by_source: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r["phase"] == phase:
            by_source[r["source_id"]].append(float(r["ik_tps"]) / float(r["mainline_tps"]))
    return {s: statistics.median(v) for s, v in by_source.items()}


def ratio(rows: list[dict[str, str]], phase: str) -> Ratio | None:
    """The median over sources and their spread; None with fewer than MIN_SOURCES sources."""
    found = list(per_source(rows, phase).values())
    if len(found) < MIN_SOURCES:
        return None
    return Ratio(min(found), statistics.median(found), max(found), len(found))


def held_out(rows: list[dict[str, str]], phase: str) -> dict[str, float]:
    """Leave one source out: predict its ratio from the other sources' median; the median |ln(predicted/measured)|
    and the share of sources inside the others' range."""
    found = per_source(rows, phase)
    errors, inside = [], 0
    for source, measured in found.items():
        others = [v for s, v in found.items() if s != source]
        if len(others) < MIN_SOURCES - 1:
            continue
        errors.append(abs(math.log(statistics.median(others) / measured)))
        inside += min(others) <= measured <= max(others)
    if not errors:
        return {}
    return {"sources": len(errors), "median_abs_ln": statistics.median(errors), "inside": inside / len(errors)}


def figures(path: Path = RUNS) -> dict[str, float]:
    """`make bench` rows: per phase the shipped ratio (typical, low, high, sources) and its held-out score."""
    rows = read_runs(path)
    out: dict[str, float] = {}
    for phase in PHASES:
        r = ratio(rows, phase)
        out[f"ik_ratio_{phase}_sources"] = len(per_source(rows, phase))
        if r is not None:
            out |= {f"ik_ratio_{phase}_typical": round(r.typical, 3)}
            out |= {f"ik_ratio_{phase}_low": round(r.low, 3), f"ik_ratio_{phase}_high": round(r.high, 3)}
        score = held_out(rows, phase)
        if score:
            out[f"ik_ratio_{phase}_held_out_median_abs_ln"] = round(score["median_abs_ln"], 3)
            out[f"ik_ratio_{phase}_held_out_inside"] = round(score["inside"], 3)
    return out


if __name__ == "__main__":
    for name, value in figures().items():
        print(f"{name}: {value:g}")
