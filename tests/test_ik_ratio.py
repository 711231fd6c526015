"""ik_llama.cpp's speed (issue 16): llama.cpp's figure for the option times the ik/mainline ratio that people measured
on one machine with one file (bench/ik_runs.csv), by phase, median over sources with their spread as the range."""

from __future__ import annotations

import csv
import math

import pytest

from calibrate import ik
from catalog.catalog import Catalog
from engine import serve
from engine.fit import fit
from engine.parse import parse_hardware
from engine.serve import Engine


def test_every_run_names_its_source_and_date() -> None:
    with ik.RUNS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for r in rows:
        assert r["source"].startswith("https://"), r
        assert r["as_of"] and r["phase"] in ik.PHASES and r["placement"] in ("expert-offload", "cpu"), r
        assert float(r["ik_tps"]) > 0 and float(r["mainline_tps"]) > 0, r


@pytest.mark.parametrize("phase", ik.PHASES)
def test_the_engine_ships_the_current_ratio(phase: str) -> None:
    """engine/serve.py IK_RATIO is what calibrate/ik.py computes from the runs today (rerun it after adding runs)."""
    r = ik.ratio(ik.read_runs(), phase)
    assert r is not None and r.sources >= ik.MIN_SOURCES
    assert serve.IK_RATIO[phase] == pytest.approx((r.low, r.typical, r.high), abs=1e-3)
    assert r.sources == serve.IK_RATIO_SOURCES


# Each source counts once, however many runs it posted: (runs as (source, ik, mainline), expected ratio or None).
RATIOS = [
    # one post with six runs and two others: three sources, the median of the post's own runs stands for it
    ([("a", 2, 1)] * 6 + [("b", 1, 1), ("c", 3, 1)], (1.0, 2.0, 3.0)),
    ([("a", 2, 1), ("a", 4, 1), ("b", 1, 1), ("c", 1, 2)], (0.5, 1.0, 3.0)),
    ([("a", 2, 1), ("b", 3, 1)], None),  # two sources: no measured speed-up is claimed
]


@pytest.mark.parametrize(("runs", "expected"), RATIOS)
def test_ratio_counts_each_source_once(
    runs: list[tuple[str, float, float]], expected: tuple[float, float, float] | None
) -> None:
    rows = [{"source_id": s, "phase": "decode", "ik_tps": str(i), "mainline_tps": str(m)} for s, i, m in runs]
    got = ik.ratio(rows, "decode")
    assert (got if got is None else (got.low, got.typical, got.high)) == expected


def test_held_out_score_predicts_each_source_from_the_others() -> None:
    rows = [{"source_id": s, "phase": "prefill", "ik_tps": str(v), "mainline_tps": "1"} for s, v in
            [("a", 1.0), ("b", 2.0), ("c", 4.0)]]  # fmt: skip
    score = ik.held_out(rows, "prefill")
    # a from (2, 4): median 3, ln 3; b from (1, 4): 2.5, ln 1.25; c from (1, 2): 1.5, ln(4/1.5); b alone inside
    assert score["median_abs_ln"] == pytest.approx(math.log(4 / 1.5))
    assert score["inside"] == pytest.approx(1 / 3)


def test_an_ik_plan_is_llama_cpps_figure_times_the_ratio(real_catalog: Catalog) -> None:
    """'gpt-oss-120b on a 4090 and 64 GB': experts in RAM, so ik_llama.cpp is offered with a speed of its own."""
    option = fit(real_catalog.models["gpt-oss-120b"], parse_hardware("RTX 4090 + 64GB DDR5", real_catalog)[:1])
    o = option.readings[0].best_option
    assert o is not None and o.decode_tps is not None and o.prefill_tps is not None
    plan = o.serve.plan(Engine.IK_LLAMA)
    assert plan is not None and plan.fork_speed is not None
    low, typical, high = serve.IK_RATIO["decode"]
    d = plan.fork_speed.decode_tps
    assert (d.low, d.high) == pytest.approx((o.decode_tps.low * low, o.decode_tps.high * high))
    assert d.centre == pytest.approx(o.decode_tps.centre * typical)
    assert plan.fork_speed.prefill_tps is not None
    assert plan.fork_speed.prefill_tps.high == pytest.approx(o.prefill_tps.high * serve.IK_RATIO["prefill"][2])
    assert o.serve.plan(Engine.LLAMA_CPP) is not None and o.serve.plan(Engine.LLAMA_CPP).fork_speed is None  # type: ignore[union-attr]
