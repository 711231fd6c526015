"""Scoring that cannot fool itself: runs are held out by the publication they come from, and the engine's prefill
looks up the same device kind, backend, kernels' path and dense/MoE group the fit used."""

from __future__ import annotations

import pytest

from calibrate.fit import Scored, class_scores, cross_source
from calibrate.runs import Run, device_class, source_key
from catalog.catalog import Catalog
from engine import calibration


@pytest.mark.parametrize(
    ("source", "key"),
    [
        # two transcriptions of the same llama.cpp scoreboard threads are one source
        (
            "github discussions ggml-org/llama.cpp#15013 (CUDA) / #15021 (ROCm) / #10879 (Vulkan) (discussions not "
            "stored; transcribed with per-row commit and stddev in code-index file id 71248589943)",
            "github:ggml-org/llama.cpp#15013",
        ),
        (
            "github discussions ggml-org/llama.cpp#15013 / #10879 (not stored; transcribed without stddev)",
            "github:ggml-org/llama.cpp#15013",
        ),
        # a PR comment is its PR, whichever comment and whatever copy it was read through
        (
            "github:ikawrakow/ik_llama.cpp PR #370 (ubergarm comment 2025-05-03 20:24; read via ik_llama.cpp repo)",
            "github:ikawrakow/ik_llama.cpp#370",
        ),
        ("github:ggml-org/llama.cpp issue #10981 (RodriMora comment 2025-01-03)", "github:ggml-org/llama.cpp#10981"),
        # every results file of one benchmark repository is one source
        (
            "github:kyuz0/amd-strix-halo-toolboxes @d1a34bee0900be574fc31be9dcdc02a925581889 benchmark/results/"
            "gpt-oss-20b-mxfp4__rocm-7_2_3__fa1.log",
            "github:kyuz0/amd-strix-halo-toolboxes",
        ),
        (
            "github:ggml-org/llama.cpp benches/dgx-spark.md @4c7e9893c4ca8eec35d032726d14b74fae76cff8",
            "github:ggml-org/llama.cpp",
        ),
        (
            'code-index file id 52196518110 ("Single GPU MoE CPU-Offload Sweep", Vulkan section)',
            "code-index:52196518110",
        ),
        (
            "https://www.hardware-corner.net/gpt-oss-offloading-moe-layers/",
            "hardware-corner.net/gpt-oss-offloading-moe-layers",
        ),
        # a thread named by its address is the same source as the thread named by its number
        ("https://github.com/ggml-org/llama.cpp/pull/26284", "github:ggml-org/llama.cpp#26284"),
        ("https://github.com/brand-o/normiebench/issues/40", "github:brand-o/normiebench#40"),
        (
            "https://github.com/kyuz0/amd-strix-halo-toolboxes/blob/main/README.md",
            "github:kyuz0/amd-strix-halo-toolboxes",
        ),
    ],
)
def test_runs_are_keyed_by_the_publication_they_come_from(source: str, key: str) -> None:
    assert source_key(source) == key


def _runs(cat: Catalog, source: str, efficiency: float, n: int) -> list[Run]:
    model = cat.models["llama-3.1-8b"]
    return [
        Run(f"{source}{i}", f"gpu-{source}{i}", "gpu", "cuda", model, "decode", 100.0 * efficiency, 100.0, source)
        for i in range(n)
    ]


def test_a_source_is_scored_only_by_a_fit_on_the_other_sources(cat: Catalog) -> None:
    """Source a measured 0.5 of ideal, source b 0.9: a fit that had seen a's own runs would score them near 0;
    held out by source, a is predicted from b alone and scored as b's figure."""
    scored = cross_source(_runs(cat, "a", 0.5, 6) + _runs(cat, "b", 0.9, 6))
    by_source = {s.row_id[0]: s for s in scored}
    assert by_source["a"].typical == pytest.approx(90.0) and by_source["a"].measured_tps == pytest.approx(50.0)
    assert by_source["b"].typical == pytest.approx(50.0)


def test_a_group_only_one_source_measured_is_not_answered_from_that_source(cat: Catalog) -> None:
    # with source a held out, 4 runs of b are fewer than MIN_ROWS: nothing is fitted, a gets no figure
    scored = cross_source(_runs(cat, "a", 0.5, 6) + _runs(cat, "b", 0.9, 4))
    assert {s.row_id[0] for s in scored} == {"b"}


@pytest.mark.parametrize(
    ("typical", "measured", "bias", "inside"),
    [
        (200.0, 100.0, 0.693, False),  # twice the measured speed: over-predicts, bias above 0
        (50.0, 100.0, -0.693, False),
        (100.0, 100.0, 0.0, True),
    ],
)
def test_bias_is_signed_over_prediction(typical: float, measured: float, bias: float, inside: bool) -> None:
    s = Scored("1", "m on d", "one GPU, CUDA", "decode", measured, typical * 0.8, typical, typical * 1.2)
    (score,) = class_scores([s])
    assert score.bias == pytest.approx(bias, abs=1e-3) and score.coverage == inside
    assert score.median_width == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("kind", "backend", "hardware_id", "cls"),
    [
        ("gpu", "cuda", "rtx-4090", "one GPU, CUDA"),
        ("gpu", "vulkan", "rx-7900-xtx", "one GPU, Vulkan"),
        ("unified", "metal", "m4-max", "Apple (Metal)"),
        ("unified", "rocm", "strix-halo-395", "Strix Halo"),
        ("unified", "vulkan", "strix-halo-395", "Strix Halo"),
        ("unified", "cuda", "dgx-spark", "DGX Spark"),
        ("ram", "cpu", "amd epyc 9554", "CPU only"),
    ],
)
def test_device_classes_are_what_the_rig_is(kind: str, backend: str, hardware_id: str, cls: str) -> None:
    assert device_class(kind, backend, hardware_id) == cls


PREFILL = {
    ("prefill", "gpu", "cuda", "mmq-mma", "dense"): (0.3, 0.35, 0.4, 20),
    ("prefill", "gpu", "cuda", "*", "dense"): (0.2, 0.3, 0.4, 40),
    ("prefill", "unified", "cuda", "*", "dense"): (0.1, 0.2, 0.3, 30),
    ("prefill", "*", "cuda", "*", "moe"): (0.1, 0.3, 0.6, 20),
    ("prefill", "*", "*", "*", "dense"): (0.2, 0.6, 1.0, 90),
}


@pytest.mark.parametrize(
    ("kind", "backend", "path", "moe", "group"),
    [
        ("gpu", "cuda", "mmq-mma", False, ("prefill", "gpu", "cuda", "mmq-mma", "dense")),  # its own group
        ("gpu", "cuda", "cublas-fp16", False, ("prefill", "gpu", "cuda", "*", "dense")),  # its kind and backend
        ("unified", "cuda", "mmq-mma", False, ("prefill", "unified", "cuda", "*", "dense")),  # a DGX Spark apart
        ("unified", "cuda", "mmq-mma", True, ("prefill", "*", "cuda", "*", "moe")),  # MoE before any dense group
        ("unified", "metal", "metal", True, ("prefill", "*", "*", "*", "dense")),  # no MoE group: dense of all
    ],
)
def test_prefill_lookup_falls_back_to_pooled_groups(
    kind: str, backend: str, path: str, moe: bool, group: tuple[str, ...]
) -> None:
    assert calibration.prefill_group(kind, backend, path, moe=moe, fitted=PREFILL).as_tuple() == group


def test_answered_share_counts_only_rows_the_engine_could_have_answered() -> None:
    from calibrate.report import answered

    skipped = [
        "row 1: engine 'ik_llama.cpp llama-sweep-bench' is not mainline llama.cpp",  # another engine: out of scope
        "row 2: batched run",
        "row 3: backend CUDA / 4 GPUs",  # several cards: checked end to end
        "row 4: weights partly in system RAM: checked end to end, not fitted",
        "row 5: no FP16 figure for the device",  # the engine lacks a figure: unanswered
        "row 6: I don't know the model `Hunyuan-A13B`.",
    ]
    share, reasons = answered(8, skipped)
    assert share == pytest.approx(8 / 10)
    assert reasons == ["1 x no FP16 figure for the device", "1 x I don't know the model `Hunyuan-A13B`."]
