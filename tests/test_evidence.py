"""Which measured runs a card cites: the same devices first, then a device like the rig's (same backend, similar
memory bandwidth), whatever order the data lists them in."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import memory
from engine.evidence import MeasuredPoint, nearest, option_evidence
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


def member(phase: str, tps: float, report_id: int) -> MeasuredPoint:
    n_tokens = 512 if phase == "prefill" else 128  # llama-bench's pp512 and tg128, as members paste them
    update = {"kind": "member", "phase": phase, "n_tokens": n_tokens, "report_id": report_id, "source": None}
    return SAME.model_copy(update={**update, "tokens_per_s": tps})


# Two members pasted llama-bench's pp512 and tg128 from their 3090s; published runs of the model elsewhere take the
# other half of the cited runs. The prompt runs sit nearer a short context than the decode runs, but the card must
# still sum up what both members decoded (what people ask: "2 members measured 86 tok/s"), as it does without the
# published runs.
@pytest.mark.parametrize(
    "published",
    [
        [],
        [NEAR_CUDA, NEAR_CUDA.model_copy(update={"phase": "prefill", "n_tokens": 512, "tokens_per_s": 5000.0})],
    ],
)
def test_members_decode_stays_in_view_beside_published_runs(cat: Catalog, published: list[MeasuredPoint]) -> None:
    model = cat.models["llama-3.1-8b"]
    reading = parse_hardware("RTX 3090", cat)[0]
    option = fit(model, [reading]).readings[0].options[0].model_copy(update={"quant": "Q4_K_M"})
    pastes = [member("prefill", 4985.0, 1), member("decode", 87.4, 1), member("prefill", 4985.0, 2)]
    pastes += [member("decode", 85.0, 2)]
    kv = memory.kv_profile(model, "f16")
    shown = option_evidence([*published, *pastes], model, option, reading.rig, 4096, kv).cited
    decoded = {c.point.report_id for c in shown if c.point.kind == "member" and c.point.phase == "decode"}
    assert decoded == {1, 2}
    assert {c.point.phase for c in shown if c.point.kind == "published"} == {p.phase for p in published}
