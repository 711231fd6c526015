"""The calibration harness: rows mapped to catalog entries, fitted on one half, scored on the other."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.calibrate import CSV_NAME, Run, fit_table, load_runs, report, score
from catalog.loader import Catalog

COLUMNS = [
    "row_id", "hardware", "memory_bandwidth_GBps_stated", "num_gpus", "backend", "model", "quant",
    "model_size_reported", "model_size_unit", "test_as_published", "phase", "n_tokens", "depth_tokens",
    "batch_size", "tokens_per_s",
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
    # ideal = 936 GB/s / (4.58 GiB + KV at 64 tokens)
    kv = 131072 * 64
    assert run.ideal_tps == pytest.approx(936e9 / (4.58 * 2**30 + kv), rel=1e-6)
    assert run.efficiency == pytest.approx(100.0 / run.ideal_tps)


def test_stated_bandwidth_wins_over_the_catalog(cat: Catalog, tmp_path: Path) -> None:
    folder = write_rows(tmp_path, [decode_row(1, "NVIDIA GeForce RTX 3090", 100.0, bw="500")])
    run = load_runs(cat, folder)[0][0]
    assert run.ideal_tps == pytest.approx(500e9 / (4.58 * 2**30 + 131072 * 64), rel=1e-6)


def test_fit_table_takes_the_10th_and_90th_percentiles(cat: Catalog) -> None:
    model = cat.models["llama-3.1-8b"]
    runs = [Run(str(i), f"gpu{i}", "gpu", "cuda", model, "decode", float(i), 100.0) for i in range(1, 12)]
    (low, high, n) = fit_table(runs)[("decode", "gpu", "cuda", "dense")]
    assert (low, high, n) == (0.02, 0.1, 11)
    assert fit_table(runs[:4]) == {}  # fewer than MIN_ROWS: nothing is fitted on so few runs


def test_score_counts_coverage_and_error(cat: Catalog) -> None:
    from engine.calibration import decode_efficiency

    low, high = decode_efficiency("gpu", "cuda", moe=False)
    model = cat.models["llama-3.1-8b"]
    inside = Run("1", "a", "gpu", "cuda", model, "decode", 100.0 * (low + high) / 2, 100.0)
    outside = Run("2", "b", "gpu", "cuda", model, "decode", 100.0 * low / 2, 100.0)
    s = score([inside, outside])
    assert s.rows == 2 and s.coverage == 0.5
    assert s.median_width == pytest.approx(high / low)


def test_report_prints_figures(cat: Catalog, tmp_path: Path) -> None:
    rows = [
        decode_row(i, name, 120.0)
        for i, name in enumerate(
            [
                "NVIDIA GeForce RTX 3090",
                "NVIDIA GeForce RTX 4090",
                "NVIDIA GeForce RTX 5090",
                "NVIDIA GeForce RTX 3090 Ti",
            ]
        )
    ]
    text, figures = report(cat, write_rows(tmp_path, rows))
    assert "measured runs mapped" in text
    assert {"calibration_median_abs_log_err", "calibration_coverage", "calibration_median_width"} <= set(figures)
