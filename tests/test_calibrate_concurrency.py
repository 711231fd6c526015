"""Several users at once on llama.cpp: published batched runs (llama-batched-bench S_TG, all sequences together) set
against the engine's concurrency estimate, end to end. Rows are written as bench/measured_runs.csv holds them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from calibrate.concurrency import concurrency_checks, summary_lines
from calibrate.runs import CSV_NAME
from catalog.catalog import Catalog

COLUMNS = [
    "row_id", "hardware", "hardware_memory", "memory_bandwidth_GBps_stated", "num_gpus", "backend", "engine", "model",
    "quant", "model_size_reported", "model_size_unit", "test_as_published", "phase", "n_tokens", "depth_tokens",
    "batch_size", "tokens_per_s", "offload_or_setup_notes", "source",
]  # fmt: skip

# gpt-oss-20b on a DGX Spark after a 512-token prompt each, llama.cpp benches/dgx-spark.md @4c7e989 (S_TG, B sequences)
SPARK_GPT_OSS_20B = {2: 95.00, 8: 254.09, 32: 614.82}


def row(i: int, users: int, tps: float, engine: str = "llama.cpp llama-batched-bench", phase: str = "decode") -> dict:
    return {
        "row_id": f"t{i}", "hardware": "NVIDIA DGX Spark (GB10)", "num_gpus": "1", "backend": "CUDA", "engine": engine,
        "model": "gpt-oss-20b (ggml-org/gpt-oss-20b-GGUF)", "quant": "MXFP4", "model_size_reported": "11.27",
        "model_size_unit": "GiB", "test_as_published": f"S_TG (PP=512, TG=32, B={users})", "phase": phase,
        "n_tokens": "32", "depth_tokens": "512", "batch_size": str(users), "tokens_per_s": str(tps),
        "source": "github:ggml-org/llama.cpp benches/dgx-spark.md",
    }  # fmt: skip


def write(folder: Path, rows: list[dict]) -> Path:
    with (folder / CSV_NAME).open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    return folder


# (what was run, users, checked?, why not) -- a llama.cpp batch is checked; a vLLM batch is calibrate/servers.py's;
# one sequence is the single-user fit's, not a concurrency row
CASES = [
    ("llama.cpp llama-batched-bench", 8, True, ""),
    ("llama.cpp llama-server (-np 4)", 4, True, ""),
    ("vLLM 0.7.3 (benchmark_serving)", 15, False, "not mainline llama.cpp"),
    ("llama.cpp llama-bench", 1, False, None),
]


@pytest.mark.parametrize(("engine", "users", "checked", "why"), CASES)
def test_which_batched_runs_are_checked(real_catalog: Catalog, tmp_path: Path, engine, users, checked, why) -> None:
    made, skipped = concurrency_checks(real_catalog, write(tmp_path, [row(1, users, 100.0, engine)]))
    assert (len(made) == 1) is checked
    if why:
        assert len(skipped) == 1 and why in skipped[0]
    if why is None:
        assert made == [] and skipped == []  # a single sequence is not a concurrency row at all


def test_more_users_more_in_total_less_each(real_catalog: Catalog, tmp_path: Path) -> None:
    """Two, eight and thirty-two people on one Spark: the engine's total grows with the users and each user's share
    shrinks, as the published runs do (95 -> 254 -> 615 tok/s in total)."""
    rows = [row(i, users, tps) for i, (users, tps) in enumerate(SPARK_GPT_OSS_20B.items())]
    made, _ = concurrency_checks(real_catalog, write(tmp_path, rows))
    by_users = {c.users: c for c in sorted(made, key=lambda c: c.users)}
    assert sorted(by_users) == [2, 8, 32]
    totals = [by_users[u].typical for u in (2, 8, 32)]
    each = [by_users[u].typical / u for u in (2, 8, 32)]
    assert totals == sorted(totals) and each == sorted(each, reverse=True)
    measured = [by_users[u].measured_tps for u in (2, 8, 32)]
    assert measured == sorted(measured)


def test_summary_counts_rows_per_number_of_users(real_catalog: Catalog, tmp_path: Path) -> None:
    rows = [row(i, users, tps) for i, (users, tps) in enumerate(SPARK_GPT_OSS_20B.items())]
    lines = summary_lines(concurrency_checks(real_catalog, write(tmp_path, rows))[0])
    assert [line.split()[:2] for line in lines[1:]] == [["2", "1"], ["8", "1"], ["32", "1"]]
