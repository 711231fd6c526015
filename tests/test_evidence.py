"""Which measured runs a card cites: the same devices first, then a device like the rig's (same backend, similar
memory bandwidth), whatever order the data lists them in."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.evidence import MeasuredPoint, nearest
from engine.fit import fit
from engine.parse import parse_hardware


def run(device: str, backend: str, gb_s: float, tps: float = 100.0) -> MeasuredPoint:
    return MeasuredPoint(
        kind="published",
        phase="decode",
        tokens_per_s=tps,
        model_id="llama-3.1-8b",
        family="llama",
        total_params_b=8.03,
        quant="Q4_K_M",
        device_ids=(device,),
        gpu_count=1,
        device_class="gpu",
        accelerator_gb_s=gb_s,
        accelerator_backend=backend,
        hardware=device,
        source="a thread",
    )


SAME = run("rtx-3090", "cuda", 936)
NEAR_CUDA = run("rtx-4090", "cuda", 1008)
FAR_CUDA = run("rtx-pro-6000", "cuda", 1792)
ROCM_SIMILAR = run("w7800", "rocm", 864)
METAL = run("m2-ultra", "metal", 800).model_copy(update={"device_class": "unified"})


@pytest.mark.parametrize(
    ("listed", "order"),
    [
        ([FAR_CUDA, ROCM_SIMILAR, NEAR_CUDA, SAME], [SAME, NEAR_CUDA, FAR_CUDA, ROCM_SIMILAR]),
        ([ROCM_SIMILAR, FAR_CUDA], [FAR_CUDA, ROCM_SIMILAR]),  # the same backend before a similar bandwidth
        ([METAL, ROCM_SIMILAR, NEAR_CUDA], [NEAR_CUDA, ROCM_SIMILAR]),  # a unified machine is another class
    ],
)
def test_a_3090_answer_cites_the_runs_most_like_it_first(
    cat: Catalog, listed: list[MeasuredPoint], order: list[MeasuredPoint]
) -> None:
    model = cat.models["llama-3.1-8b"]
    reading = parse_hardware("RTX 3090", cat)[0]
    option = fit(model, [reading]).readings[0].options[0]
    option = option.model_copy(update={"quant": "Q4_K_M"})
    cited = nearest(listed, model, option, reading.rig, 8192)
    assert [c.point.hardware for c in cited] == [p.hardware for p in order]
