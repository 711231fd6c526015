"""Which measured tensor-parallel runs the engine's tensor-parallel decode is checked against: a vLLM build from
before decode ran in CUDA graphs measured a per-layer launch cost no current build pays (Llama 2 70B at 14-18 tok/s
on 2, 4 and 8 A100s alike, github:mlc-ai/llm-perf-bench), so it is left out, as the server fit leaves it out."""

from __future__ import annotations

from pathlib import Path

import pytest

from calibrate.multi_gpu import multi_gpu_checks
from catalog.catalog import Catalog
from tests.test_calibrate import decode_row, write_rows


@pytest.mark.parametrize(
    ("engine", "checked"),
    [
        ("vLLM (commit acbed3e, 2023-10-10)", False),  # llm-perf-bench's vLLM: before CUDA graphs (v0.2.5)
        ("vLLM 0.19.1", True),
        ("llama.cpp llama-bench", True),  # -sm tensor
    ],
)
def test_tensor_parallel_runs_from_before_cuda_graphs_are_not_checked(
    cat: Catalog, tmp_path: Path, engine: str, checked: bool
) -> None:
    row = decode_row(1, "2x RTX 3090", 60.0) | {
        "num_gpus": "2",
        "engine": engine,
        "model_size_reported": "30",  # GiB: more than one card holds
        "offload_or_setup_notes": "tensor-parallel 2 (--tensor-parallel-size 2 --batch-size 1)",
    }
    checks, skipped = multi_gpu_checks(cat, write_rows(tmp_path, [row]))
    assert [c.mode for c in checks] == (["tensor"] if checked else [])
    assert skipped == ([] if checked else ["row 1: a build before decode ran in CUDA graphs"])
