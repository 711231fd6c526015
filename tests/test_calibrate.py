"""The calibration harness: rows mapped to catalog entries, fitted on one half, scored on the other."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from calibrate.fit import Fitted, fit_table, score
from calibrate.report import fitted_module, held_out_figures, report
from calibrate.runs import CSV_NAME, Run, load_runs
from catalog.catalog import Catalog
from engine.calibration import KV_READ_COST as KV_COST

COLUMNS = [
    "row_id", "hardware", "hardware_memory", "memory_bandwidth_GBps_stated", "num_gpus", "backend", "engine", "model",
    "quant", "model_size_reported", "model_size_unit", "test_as_published", "phase", "n_tokens", "depth_tokens",
    "batch_size", "tokens_per_s", "offload_or_setup_notes",
]  # fmt: skip


def write_rows(folder: Path, rows: list[dict[str, str]]) -> Path:
    with (folder / CSV_NAME).open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    return folder


def decode_row(i: int, hardware: str, tps: float, backend: str = "CUDA", bw: str = "") -> dict[str, str]:
    return {
        "row_id": str(i), "hardware": hardware, "memory_bandwidth_GBps_stated": bw, "num_gpus": "1", "backend": backend,
        "engine": "llama.cpp llama-bench",
        "model": "Llama-3.1-8B (test)", "quant": "Q4_K_M", "model_size_reported": "4.58", "model_size_unit": "GiB",
        "phase": "decode", "n_tokens": "128", "depth_tokens": "0", "batch_size": "1", "tokens_per_s": str(tps),
    }  # fmt: skip


def test_rows_map_to_catalog_entries_and_ideal_speed(cat: Catalog, tmp_path: Path) -> None:
    folder = write_rows(
        tmp_path, [decode_row(1, "NVIDIA GeForce RTX 3090", 100.0), decode_row(2, "Some Unknown GPU", 50.0)]
    )
    runs, skipped = load_runs(cat, folder)
    assert len(runs) == 1 and len(skipped) == 1
    run = runs[0]
    assert run.hardware == "rtx-3090" and run.model.id == "llama-3.1-8b"
    # ideal = 936 GB/s / (4.58 GiB + KV at 64 tokens, at the cost attention pays to read it)
    kv = 131072 * 64 * KV_COST
    assert run.ideal_tps == pytest.approx(936e9 / (4.58 * 2**30 + kv), rel=1e-6)
    assert run.efficiency == pytest.approx(100.0 / run.ideal_tps)


def test_stated_bandwidth_wins_over_the_catalog(cat: Catalog, tmp_path: Path) -> None:
    folder = write_rows(tmp_path, [decode_row(1, "NVIDIA GeForce RTX 3090", 100.0, bw="500")])
    run = load_runs(cat, folder)[0][0]
    assert run.ideal_tps == pytest.approx(500e9 / (4.58 * 2**30 + KV_COST * 131072 * 64), rel=1e-6)


def test_fit_table_takes_the_10th_percentile_median_and_90th_percentile(cat: Catalog) -> None:
    model = cat.models["llama-3.1-8b"]
    runs = [Run(str(i), f"gpu{i}", "gpu", "cuda", model, "decode", float(i), 100.0, "abc"[i % 3]) for i in range(1, 12)]
    table = fit_table(runs, {"decode": "runs", "prefill": "runs"})
    assert table[("decode", "gpu", "cuda", "dense")] == (0.02, 0.06, 0.1, 11)
    # pooled across device kinds, across backends and across both, for groups the engine has no rows for
    pools = [("decode", "*", "cuda", "dense"), ("decode", "gpu", "*", "dense"), ("decode", "*", "*", "dense")]
    assert [table[key] for key in pools] == [(0.02, 0.06, 0.1, 11)] * 3
    assert fit_table(runs[:4]) == {}  # fewer than MIN_ROWS: nothing is fitted on so few runs


@pytest.mark.parametrize(
    ("sources", "own_group"),
    [
        ("aaaaaaaaaaaa", False),  # one benchmark thread: its build and its way of measuring, not the backend's
        ("aaaaaabbbbbb", False),
        ("aaaabbbbcccc", True),
    ],
)
def test_a_group_measured_by_one_or_two_publications_takes_its_pools_figure(
    cat: Catalog, sources: str, own_group: bool
) -> None:
    model = cat.models["llama-3.1-8b"]
    cuda = [Run(f"c{i}", f"c{i}", "gpu", "cuda", model, "decode", 50.0, 100.0, s) for i, s in enumerate(sources)]
    metal = [Run(f"m{i}", f"m{i}", "unified", "metal", model, "decode", 90.0, 100.0, "xyz"[i % 3]) for i in range(9)]
    table = fit_table(cuda + metal, {"decode": "runs", "prefill": "runs"})
    assert (("decode", "gpu", "cuda", "dense") in table) == own_group
    assert ("decode", "*", "*", "dense") in table  # the last pool needs only MIN_ROWS runs


TABLE = {
    ("decode", "*", "*", "dense"): (0.5, 0.7, 0.9, 50),
    ("decode", "gpu", "cuda", "dense"): (0.4, 0.6, 0.8, 10),
    ("decode", "*", "cuda", "dense"): (0.45, 0.65, 0.85, 15),
    ("decode", "*", "*", "moe"): (0.3, 0.5, 0.6, 20),
    ("prefill", "*"): (0.1, 0.3, 0.6, 30),
}


@pytest.mark.parametrize(
    "kind, backend, moe, group",
    [
        ("gpu", "cuda", False, ("decode", "gpu", "cuda", "dense")),  # its own group
        ("unified", "cuda", False, ("decode", "*", "cuda", "dense")),  # a GB10: CUDA's kernels before unified memory
        ("gpu", "rocm", False, ("decode", "*", "*", "dense")),  # pooled over every device
        ("unified", "metal", True, ("decode", "*", "*", "moe")),
        ("ram", "cpu", False, ("decode", "*", "*", "dense")),  # no CPU rows: the pooled figure
    ],
)
def test_engine_lookup_falls_back_to_pooled_groups(kind: str, backend: str, moe: bool, group: tuple[str, ...]) -> None:
    from engine.calibration import decode_group

    assert decode_group(kind, backend, moe=moe, fitted=TABLE).as_tuple() == group


def test_score_measures_error_from_the_typical_figure(cat: Catalog) -> None:
    model = cat.models["llama-3.1-8b"]
    at_typical = Run("1", "a", "gpu", "cuda", model, "decode", 60.0, 100.0)  # typical 0.6 x ideal 100
    outside = Run("2", "b", "gpu", "cuda", model, "decode", 20.0, 100.0)  # below low 0.4 x 100
    s = score([at_typical, outside], TABLE)
    assert s.rows == 2 and s.coverage == 0.5
    assert s.median_abs_log_err == pytest.approx((0 + math.log(60 / 20)) / 2)
    assert s.median_width == pytest.approx(0.8 / 0.4)


def test_report_refuses_to_fit_on_too_few_runs(cat: Catalog, tmp_path: Path) -> None:
    rows = [decode_row(i, name, 120.0) for i, name in enumerate(["NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 4090"])]
    text, figures, table = report(cat, write_rows(tmp_path, rows))
    assert "too few runs to fit" in text and figures == {} and table.efficiency == {} and table.layer_cost == {}


def test_fitted_module_round_trips() -> None:
    text = fitted_module(TABLE, {"calibration_decode_coverage": 0.8}, "2026-12-01", 99)
    namespace: dict[str, object] = {}
    exec(compile(text, "calibration_fitted.py", "exec"), namespace)
    assert namespace["FITTED"] == TABLE
    assert namespace["HELD_OUT"] == {"calibration_decode_coverage": 0.8}
    assert namespace["FITTED_ON"] == "2026-12-01"


def test_the_engine_ships_the_current_fit(published_calibration: tuple[str, dict[str, float], Fitted]) -> None:
    """engine/calibration_fitted.py is what `rigfit calibrate --write` fits on today's catalog and measurements
    (`report(real_catalog)`, tests/conftest.py, skipped without measurements): a catalog change that moves a fitted
    figure fails here until the table is refitted."""
    from engine import calibration

    _, figures, fitted = published_calibration
    assert fitted.efficiency == calibration.FITTED
    assert fitted.layer_cost == calibration.LAYER_COST
    assert held_out_figures(figures) == calibration.HELD_OUT


@pytest.mark.parametrize(
    ("hardware_memory", "stated", "bandwidth"),
    [
        ("196 GB DDR5-5600, 12 channels (12x16 GB)", "", 537.6),  # data rate x 8 bytes x channels
        ("96 GB DDR5-5600 dual-channel (2x48 GB)", "", 89.6),
        ("512 GB DDR5 (channels not stated)", "186", 186.0),  # as stated
        # the rate before or after the channels, spelled as forums write it (llama.cpp issue #5484: a Xeon E5-2683 v4
        # "with quad-channel 2133 MHz RAM"; club-3090 rig reports: "8x 32 GB @ 3200 MT/s", "8 of 8 channels")
        ("quad-channel 2133 MHz RAM", "", 68.256),
        ("8-channel DDR4-3200 (8x 64 GB)", "", 204.8),
        ("128 GB DDR5 6000 dual channel", "", 96.0),
        ("256 GB RAM @ 3200 MT/s, 8 channels populated", "", 204.8),
    ],
)
def test_cpu_only_runs_take_the_stated_or_computed_bandwidth(
    cat: Catalog, tmp_path: Path, hardware_memory: str, stated: str, bandwidth: float
) -> None:
    row = decode_row(1, "AMD EPYC 9554", 20.0, backend="CPU", bw=stated) | {
        "num_gpus": "0",
        "hardware_memory": hardware_memory,
    }
    prefill = row | {"row_id": "2", "phase": "prefill"}
    runs, skipped = load_runs(cat, write_rows(tmp_path, [row, prefill]))
    assert [(r.device_kind, r.backend) for r in runs] == [("ram", "cpu")]
    assert runs[0].ideal_tps == pytest.approx(bandwidth * 1e9 / (4.58 * 2**30 + KV_COST * 131072 * 64), rel=1e-6)
    assert skipped == ["row 2: CPU prefill: the CPU is not a catalog model"]  # the test catalog has no EPYC 9554


@pytest.mark.parametrize(("depth", "fitted"), [("0", True), ("1100", True), ("4096", False), ("8192", False)])
def test_cpu_runs_deep_in_context_are_not_fitted(cat: Catalog, tmp_path: Path, depth: str, fitted: bool) -> None:
    """Deep in the context a CPU run measures attention on the CPU, not the weights streamed (calibrate/runs.py)."""
    row = decode_row(1, "AMD EPYC 9554", 20.0, backend="CPU", bw="460") | {"num_gpus": "0", "depth_tokens": depth}
    runs, skipped = load_runs(cat, write_rows(tmp_path, [row]))
    assert len(runs) == fitted
    assert fitted or "measures attention computed on the CPU" in skipped[0]


@pytest.mark.parametrize(
    ("notes", "gpus", "expected"),
    [
        ("-ngl 99 --n-cpu-moe 20", "1", "weights partly in system RAM"),  # offload: not one device's speed
        ("", "16", "backend CUDA / 16 GPUs"),  # sixteen cards are not one card
    ],
)
def test_runs_that_are_not_one_device_are_not_fitted(
    cat: Catalog, tmp_path: Path, notes: str, gpus: str, expected: str
) -> None:
    row = decode_row(1, "NVIDIA GeForce RTX 3090", 50.0) | {"offload_or_setup_notes": notes, "num_gpus": gpus}
    runs, skipped = load_runs(cat, write_rows(tmp_path, [row]))
    assert runs == [] and expected in skipped[0]


@pytest.mark.parametrize(
    ("engine", "fitted"),
    [
        ("llama.cpp llama-bench", True),
        ("Ollama 0.15.6 (llama.cpp build 7973)", True),  # a tool that runs llama.cpp
        ("normiebench (llama.cpp llama-bench)", True),
        ("ik_llama.cpp llama-sweep-bench", False),  # a fork with its own kernels
        ("vLLM 0.19.1", False),
        ("KTransformers", False),
        ("", False),
    ],
)
def test_only_mainline_llama_cpp_runs_are_fitted(cat: Catalog, tmp_path: Path, engine: str, fitted: bool) -> None:
    row = decode_row(1, "NVIDIA GeForce RTX 3090", 50.0) | {"engine": engine}
    runs, skipped = load_runs(cat, write_rows(tmp_path, [row]))
    assert len(runs) == fitted
    assert skipped == ([] if fitted else [f"row 1: engine {engine!r} is not mainline llama.cpp"])


@pytest.mark.parametrize(
    ("notes", "mode"),
    [("-sm layer, full offload", "layer"), ("-sm tensor, full offload", "tensor"), ("-sm row", None)],
)
def test_multi_gpu_runs_are_checked_end_to_end(cat: Catalog, tmp_path: Path, notes: str, mode: str | None) -> None:
    from calibrate.multi_gpu import multi_gpu_checks

    row = decode_row(1, "2x RTX 3090", 60.0) | {
        "num_gpus": "2",
        "engine": "llama.cpp llama-bench",
        "model_size_reported": "30",  # GiB: more than one card holds
        "offload_or_setup_notes": notes,
    }
    checks, skipped = multi_gpu_checks(cat, write_rows(tmp_path, [row]))
    if mode is None:  # row split is neither llama.cpp's layer split nor tensor parallelism: not modelled
        assert checks == [] and "llama.cpp row split (-sm row): the engine has no estimate" in skipped[0]
        return
    assert [c.mode for c in checks] == [mode]
    c = checks[0]
    assert c.phrase == "2x RTX 3090" and c.low <= c.typical <= c.high


@pytest.mark.parametrize(
    ("notes", "dense", "layers"),
    [
        ("-ngl 99 --n-cpu-moe 36, single request", 0, 36),  # Qwen3-30B-A3B: the experts of 36 layers in RAM
        ("-ngl 99 -ncmoe 20 -fa 1", 0, 20),
        ("--n-cpu-moe 999 (all experts in RAM)", 0, 48),  # more than the model has: every MoE layer
        ("--cpu-moe", 0, 48),
        ('-ngl 99 -ot "exps=CPU"', 0, 48),
        ("-ngl 20 (dense layers split)", 0, None),  # not an expert offload
        ("-ngl 99 --n-cpu-moe 23", 3, 20),  # DeepSeek V3: blocks 0-2 are dense, 3-22 keep their experts in RAM
        ("-ngl 99 --n-cpu-moe 2", 3, 0),  # only dense blocks named: no expert leaves the card
        ("-ngl 99 --n-cpu-moe 31", 1, 30),  # GLM-4.5-Air: one dense block first
    ],
)
def test_expert_offload_is_read_from_the_flags(notes: str, dense: int, layers: int | None) -> None:
    from calibrate.offload import cpu_moe_layers

    assert cpu_moe_layers(notes, 48, dense) == layers


@pytest.mark.parametrize(
    ("memory", "bandwidth", "checked"),
    [
        (
            "quad-channel DDR4; RTX 2080 8 GB",
            "102",
            True,
        ),  # stated (bench/measured_runs.csv x75: measured by the author)
        ("64 GB DDR4-3200 dual channel; RTX 2080 8 GB", "", True),  # DDR type, data rate and channels: 51.2 GB/s
        ("64 GB DDR4-3200 (channel count not stated)", "", False),  # the engine would have to guess the RAM
        ("64 GB DDR5, dual channel (speed not stated)", "", False),
        ("dual-channel; RTX 3060 memory clock 7501 MHz", "", False),  # a GPU clock is not the RAM's data rate
    ],
)
def test_expert_offload_runs_are_checked_end_to_end_where_the_ram_is_stated(
    real_catalog: Catalog, tmp_path: Path, memory: str, bandwidth: str, checked: bool
) -> None:
    from calibrate.offload import offload_checks

    row = decode_row(1, "RTX 2080 8GB + Intel Core i9-10900X", 36.7, bw=bandwidth) | {
        "model": "Qwen3-30B-A3B-Instruct-2507",
        "model_size_reported": "17.28",
        "hardware_memory": memory,
        "offload_or_setup_notes": "-ngl 99 --n-cpu-moe 36, single request",
    }
    checks, _ = offload_checks(real_catalog, write_rows(tmp_path, [row]))
    assert len(checks) == checked
    if checked:
        assert checks[0].mode == "offload" and checks[0].low <= checks[0].typical <= checks[0].high


# ----------------------------------------------------------------------------------- ranges for an unseen source


@pytest.mark.parametrize(
    ("df", "t"),
    [(1, 3.078), (2, 1.886), (3, 1.638), (5, 1.476), (10, 1.372), (30, 1.310)],  # Student's t table, one-sided 0.90
)
def test_t_quantile_matches_the_printed_table(df: int, t: float) -> None:
    from calibrate.spread import t_quantile

    assert t_quantile(0.9, df) == pytest.approx(t, abs=0.005)


@pytest.mark.parametrize(
    ("per_source", "df_less", "df", "half_width_over_sd"),
    [
        # three publications of a group, two runs each: NORMAL's t has 1 degree of freedom, NORMAL-K1's 2
        ([[0.0, 0.1], [0.2, 0.3], [-0.2, -0.1]], 2, 1, 3.078),
        ([[0.0, 0.1], [0.2, 0.3], [-0.2, -0.1]], 1, 2, 1.886),
        # five publications: 3 and 4
        ([[0.0], [0.1], [0.2], [-0.1], [-0.2]], 2, 3, 1.638),
        ([[0.0], [0.1], [0.2], [-0.1], [-0.2]], 1, 4, 1.533),
    ],
)
def test_a_random_effects_range_takes_its_degrees_of_freedom_from_the_sources(
    per_source: list[list[float]], df_less: int, df: int, half_width_over_sd: float
) -> None:
    from calibrate.spread import components, random_effects

    logs = [x for runs in per_source for x in runs]
    sources = [f"source {i}" for i, runs in enumerate(per_source) for _ in runs]
    parts = components(logs, sources, df_less=df_less)
    assert parts is not None and parts.df == df
    low, typical, high = random_effects(logs, sources, parts)
    weights = [1 / (parts.between + parts.within / len(runs)) for runs in per_source]
    sd = math.sqrt(parts.between + parts.within + 1 / sum(weights))
    assert math.log(high / typical) == pytest.approx(half_width_over_sd * sd, rel=0.005)
    assert math.log(typical / low) == pytest.approx(math.log(high / typical))


@pytest.mark.parametrize(
    ("low", "high", "measured", "score"),
    [
        (50.0, 100.0, 70.0, math.log(2)),  # inside: the width alone
        (50.0, 100.0, 25.0, math.log(2) + 10 * math.log(2)),  # half the low end: 2/0.2 x the miss
        (50.0, 100.0, 200.0, math.log(2) + 10 * math.log(2)),
    ],
)
def test_interval_score_charges_width_and_misses(low: float, high: float, measured: float, score: float) -> None:
    from calibrate.spread import interval_score

    assert interval_score(low, high, measured) == pytest.approx(score)


@pytest.mark.parametrize(
    ("needed", "scale"),
    [
        # needed scales 0.1, 0.2, ... 2.0 (20 held-out runs): the ceil(21 x 0.85) = 18th smallest reaches 85%
        ([0.1 * i for i in range(1, 21)], 1.8),
        ([0.5] * 19 + [9.0], 0.5),  # ranges twice as wide as they need be: narrowed
        ([], 1.0),  # nothing scored: the spread as read
    ],
)
def test_coverage_scale_is_the_conformal_quantile(needed: list[float], scale: float) -> None:
    from calibrate.spread import coverage_scale, needed_scale

    # (low, typical, high) = (50, 100, 200) and a measured figure above typical needing each scale
    predicted = [(50.0, 100.0, 200.0, 100.0 * 2**n) for n in needed]
    assert [needed_scale(*p) for p in predicted] == pytest.approx(needed)
    assert coverage_scale(predicted, 0.85) == pytest.approx(scale)


def _needing(category: tuple[str, str], sources: int, needed: list[float]) -> list[tuple]:
    """Held-out predictions (low, typical, high) = (50, 100, 200) of one category, spread over `sources`
    publications, whose measured figures need these scales."""
    return [(category, f"s{i % sources}", (50.0, 100.0, 200.0, 100.0 * 2**n)) for i, n in enumerate(needed)]


CUDA, SYCL = ("gpu", "CUDA"), ("gpu", "SYCL")


@pytest.mark.parametrize(
    ("rows", "overall", "own"),
    [
        # two categories of 40 runs from 4 sources each: each scaled to hold 85% of its own runs
        (
            _needing(CUDA, 4, [0.02 * i for i in range(1, 41)]) + _needing(SYCL, 4, [0.1 * i for i in range(1, 41)]),
            2.9,
            {CUDA: 0.7, SYCL: 3.5},
        ),
        # too few runs in the second category: it takes the phase's scale
        (_needing(CUDA, 4, [0.02 * i for i in range(1, 41)]) + _needing(SYCL, 4, [3.0] * 10), 3.0, {CUDA: 0.7}),
        # enough runs but from two publications only: the phase's scale
        (_needing(CUDA, 4, [0.02 * i for i in range(1, 41)]) + _needing(SYCL, 2, [3.0] * 40), 3.0, {CUDA: 0.7}),
        ([], 1.0, {}),
    ],
)
def test_a_category_with_runs_from_enough_sources_gets_its_own_scale(rows: list, overall: float, own: dict) -> None:
    from calibrate.fit import _class_scales

    got_overall, got_own = _class_scales(rows, 0.85)
    assert got_overall == pytest.approx((overall, overall))  # one factor for both sides
    assert got_own.keys() == own.keys()
    assert all(got_own[c] == pytest.approx((s, s)) for c, s in own.items())


def _per_source(category: tuple[str, str], prefix: str, needs: list[list[float]]) -> list[tuple]:
    """Held-out predictions (50, 100, 200) of one category, source by source, each source's runs needing these
    scales."""
    return [(category, f"{prefix}{i}", (50.0, 100.0, 200.0, 100.0 * 2**n)) for i, ns in enumerate(needs) for n in ns]


@pytest.mark.parametrize(
    ("rows", "better"),
    [
        # CUDA's 20 sources all miss by little, SYCL's 20 by up to 5x as much: each category's own scale, read on the
        # other folds, fits its runs better than one scale for both
        (
            _per_source(CUDA, "c", [[0.02 * (i + j) for j in range(3)] for i in range(20)])
            + _per_source(SYCL, "y", [[0.15 * (i % 10 + j) for j in range(3)] for i in range(20)]),
            "class",
        ),
        # SYCL's misses are one publication's 6 runs: on the folds without it SYCL's own scale is narrow and that
        # publication's runs fall far outside; one scale for the phase, read on both categories' sources, does better
        (
            _per_source(CUDA, "c", [[0.1 * (i % 10 + j) for j in range(3)] for i in range(20)])
            + _per_source(SYCL, "y", [[0.2] * 6] * 5 + [[2.5] * 6]),
            "phase",
        ),
    ],
)
def test_ranges_are_scaled_per_category_only_where_the_inner_folds_score_it_better(rows: list, better: str) -> None:
    from calibrate.fit import BYS, _calibrated_score

    scores = {by: _calibrated_score(rows, 0.85, "one", by) for by in BYS}
    assert min(scores, key=scores.__getitem__) == better


@pytest.mark.parametrize(
    ("scores", "chosen"),
    [
        # the lowest score wins; on a tie one scale for the phase (fewer factors read from the folds)
        ({("normal", "one", "class"): 1.20, ("normal", "one", "phase"): 1.10}, ("normal", "one", "phase")),
        ({("normal", "one", "class"): 1.05, ("normal", "one", "phase"): 1.10}, ("normal", "one", "class")),
        ({("normal", "one", "class"): 1.10, ("normal", "one", "phase"): 1.10}, ("normal", "one", "phase")),
    ],
)
def test_the_choice_of_scaling_goes_with_the_score(scores: dict, chosen: tuple) -> None:
    from calibrate.fit import _choose

    assert _choose({"decode": scores, "prefill": scores})["decode"] == chosen


def _at(needs: list[float]) -> list[tuple[float, float, float, float]]:
    """(low, typical, high) = (50, 100, 200) predictions whose measured figures sit `need` half-widths above typical
    (below it where negative)."""
    return [(50.0, 100.0, 200.0, 100.0 * 2**n) for n in needs]


@pytest.mark.parametrize(
    ("needs", "scale"),
    [
        # 20 runs: the ceil(21 x 0.925) = 20th signed need of each side. A slow build's runs fall far below the range
        # and none above: the low side stretches to the slowest, the high side shrinks to the fastest's need
        ([-3.0, -2.5] + [-0.1 * i for i in range(18)], (3.0, 0.0)),
        # misses above only: the high side widens, the low one narrows to what the runs below need
        ([0.1 * i for i in range(18)] + [2.0, 4.0], (0.0, 4.0)),
        # runs spread on both sides within half the range: both sides narrowed
        ([0.05 * i for i in range(-10, 10)], (0.5, 0.45)),
        ([], (1.0, 1.0)),  # nothing scored: the spread as read
    ],
)
def test_each_side_of_a_range_gets_its_own_conformal_factor(needs: list[float], scale: tuple) -> None:
    from calibrate.spread import side_scales

    assert side_scales(_at(needs), 0.85) == pytest.approx(scale)


@pytest.mark.parametrize(
    ("needs", "sides", "covered"),
    [
        # runs missing on one side only: one factor for both holds 85% by stretching both; each side its own holds
        # 92.5% below and 92.5% above
        ([0.1 * i for i in range(17)] + [3.0, 3.5, 4.0], "one", 0.85),
        ([0.1 * i for i in range(17)] + [3.0, 3.5, 4.0], "each", 0.85),
        ([-0.1 * i for i in range(17)] + [-3.0, -3.5, -4.0], "each", 0.85),
    ],
)
def test_scaled_ranges_hold_the_coverage_on_the_runs_they_were_scaled_on(
    needs: list[float], sides: str, covered: float
) -> None:
    from calibrate.fit import _scaled
    from calibrate.spread import scales

    predicted = _at(needs)
    scale = scales(predicted, 0.85, sides)  # type: ignore[arg-type]
    ranges = [(*_scaled((lo, c, hi), scale)[::2], y) for lo, c, hi, y in predicted]
    assert sum(lo <= y <= hi for lo, hi, y in ranges) / len(ranges) >= covered


def _source_runs(cat: Catalog, source: str, efficiencies: list[float]) -> list[Run]:
    model = cat.models["llama-3.1-8b"]
    return [
        Run(f"{source}{i}", f"gpu-{source}{i}", "gpu", "cuda", model, "decode", 100.0 * e, 100.0, source)
        for i, e in enumerate(efficiencies)
    ]


def test_sources_that_agree_within_but_not_between_widen_the_range(cat: Catalog) -> None:
    """Three publications, each consistent with itself (one at 0.5 of ideal, one at 0.7, one at 0.9 in a single
    run): a new source's run may sit anywhere among them, so the spread read per source is wider than the runs'
    own 10th-90th percentiles, which the 20 runs of the first two sources pin near 0.5 and 0.7."""
    runs = (
        _source_runs(cat, "a", [0.49, 0.5, 0.51] * 4)
        + _source_runs(cat, "b", [0.69, 0.7, 0.71] * 4)
        + _source_runs(cat, "c", [0.9])
    )
    key = ("decode", "gpu", "cuda", "dense")
    by_runs = fit_table(runs, {"decode": "runs", "prefill": "runs"})[key]
    by_sources = fit_table(runs, {"decode": "sources", "prefill": "sources"})[key]
    assert by_sources[0] < by_runs[0] and by_sources[2] > by_runs[2]
    assert by_sources[0] <= 0.5 and by_sources[2] >= 0.9


def test_a_held_out_source_never_shapes_its_own_range(cat: Catalog) -> None:
    """The spread method is chosen on folds of the training runs only: whatever the held-out source measured,
    its predicted range is the same."""
    from calibrate.fit import cross_source

    others = [_source_runs(cat, s, [0.5 + 0.05 * j + 0.01 * i for i in range(4)]) for j, s in enumerate("bcdefg")]
    train = [r for runs in others for r in runs]

    def held_range(efficiency: float) -> tuple[float, float, float]:
        scored = cross_source(train + _source_runs(cat, "a", [efficiency] * 5))
        a = next(s for s in scored if s.row_id.startswith("a"))
        return (a.low, a.typical, a.high)

    assert held_range(0.2) == held_range(0.95)


@pytest.mark.parametrize(
    ("reported", "model_id"),
    [
        # fine-tunes whose row names the base, and point releases of one base: the base's shape
        ("shisa-v2-llama3.3-70b (Llama-3.3-70B fine-tune; file shisa-v2-llama3.3-70b.i1-Q4_K_M.gguf)", "llama-3.3-70b"),
        ("shisa-v2-mistral-nemo-12b (Mistral-Nemo-12B fine-tune)", "mistral-nemo-12b"),
        ("Mistral-Small-3.1-24B-Instruct-2503 (unsloth UD-Q4_K_XL)", "mistral-small-3.2-24b"),
        ("Qwen3.5/3.6-35B-A3B (exact repo not stated; 19.91 GiB Q4_K_M file)", "qwen3.5-35b-a3b"),
        ("Llama-3.1-8B-Instruct Q4_K_M", "llama-3.1-8b"),
    ],
)
def test_reported_model_names_map_to_a_catalog_shape(real_catalog: Catalog, reported: str, model_id: str) -> None:
    from calibrate.runs import model_name
    from engine.parse import parse_model

    assert parse_model(model_name(reported), real_catalog).id == model_id


# A size in a run's hardware cell names the variant of the device (the 32 GB MI50, the 36 GB M4 Max with its binned
# 32-core GPU, the 40 GB A100); the host in parentheses and after a comma is not the device
RUN_HARDWARE = [
    ("AMD Instinct MI50 32GB", "mi50-32gb"),
    ("Apple M4 Max 36GB", "m4-max-32c"),
    ("NVIDIA A100-SXM4-40GB (Google Cloud a2-highgpu-1g)", "a100-40gb-sxm"),
    ("NVIDIA GeForce RTX 4090, host Ryzen 9 7950X", "rtx-4090"),
]


@pytest.mark.parametrize(("cell", "device_id"), RUN_HARDWARE)
def test_a_runs_hardware_cell_keeps_its_size(real_catalog: Catalog, cell: str, device_id: str) -> None:
    from calibrate.runs import hardware_phrase
    from engine.parse import parse_hardware

    rig = parse_hardware(hardware_phrase(cell), real_catalog)[0].rig
    ids = [g.hardware_id for g in rig.gpus] + ([rig.unified.hardware_id] if rig.unified else [])
    assert ids == [device_id]


@pytest.mark.parametrize(
    ("key", "rows", "expected"),
    [
        # 11 runs: at least as wide as the 40-run pool's range, around its own typical figure
        (("decode", "unified", "cuda", "dense"), 11, (0.5, 1.0, 1.5)),
        # 25 runs: its own range
        (("decode", "unified", "cuda", "dense"), 25, (0.9, 1.0, 1.1)),
        (("prefill", "unified", "cuda", "mmq-mma", "dense"), 11, (0.5, 1.0, 1.5)),
    ],
)
def test_a_small_group_is_at_least_as_wide_as_its_pool(key: tuple, rows: int, expected: tuple) -> None:
    from calibrate.fit import _at_least_pooled, _Groups

    pool = (key[0], "*", *key[2:])
    g = _Groups(
        members={key: [None] * rows, pool: [None] * 40},  # type: ignore[list-item]
        chains={key: (key, pool), pool: (pool,)},
        ratios={},
        costs={},
    )
    # the pool reaches 0.5x and 1.5x its typical figure; the group 0.9x and 1.1x its own
    spreads = {key: (0.9, 1.0, 1.1), pool: (1.0, 2.0, 3.0)}
    assert _at_least_pooled(g, spreads)[key] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("sources", "sources_typical", "precision_typical"),
    [
        # two publications of many runs that scatter within themselves, two of one run each from an old build:
        # every source weighing the same lets the two single runs pull the typical figure halfway to them; weighing
        # each source's mean by its precision keeps it with the many runs
        ({"a": [0.5, 1.0, 1.6] * 6, "b": [0.55, 1.05, 1.65] * 6, "c": [0.6], "d": [0.65]}, (0.6, 0.7), (0.95, 1.1)),
        # sources that each agree within themselves and differ between: all weigh the same either way
        ({"a": [0.5, 0.51] * 5, "b": [0.7, 0.71] * 5, "c": [0.9], "d": [1.1]}, (0.69, 0.91), (0.69, 0.91)),
    ],
)
def test_precision_weighs_a_source_by_what_its_runs_say_of_it(
    cat: Catalog, sources: dict[str, list[float]], sources_typical: tuple[float, float], precision_typical: tuple
) -> None:
    runs = [r for s, effs in sources.items() for r in _source_runs(cat, s, effs)]
    key = ("decode", "gpu", "cuda", "dense")
    by_sources = fit_table(runs, {"decode": "sources", "prefill": "sources"})[key]
    by_precision = fit_table(runs, {"decode": "precision", "prefill": "precision"})[key]
    assert sources_typical[0] <= by_sources[1] <= sources_typical[1]
    assert precision_typical[0] <= by_precision[1] <= precision_typical[1]
