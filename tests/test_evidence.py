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


def _class_run(device_class: str, gpus: int, hardware: str, quant: str, bits: float) -> MeasuredPoint:
    """A published decode run of Llama 3.1 70B on RTX 3090s in a rig of that class."""
    return run("rtx-3090", "cuda", 936).model_copy(
        update={
            "model_id": "llama-3.1-70b",
            "total_params_b": 70.55,
            "quant": quant,
            "bits_per_weight": bits,
            "device_class": device_class,
            "gpu_count": gpus,
            "hardware": hardware,
        }
    )


SPLIT_RUN = _class_run("multi-gpu", 2, "2x RTX 3090", "Q4_K_M", 4.89)
OFFLOAD_RUN = _class_run("offload", 1, "RTX 3090, -ngl 60 of 80", "Q4_K_M", 4.89)
OFFLOAD_RUN_Q3 = _class_run("offload", 1, "RTX 3090, -ngl 66 of 80", "IQ3_XXS", 3.06)


# A pick that trades context runs at its own, shorter context, where its placement may differ from the asked
# context's: 70B Q4_K_M on two 24 GB cards splits across them at 16k and would spill layers to RAM at 32k. The runs a
# card cites are of the rig it shows (what people compare: "2x 3090 users get ~17 tok/s on 70B Q4").
@pytest.mark.parametrize(
    ("model", "hardware", "quant", "cited"),
    [
        ("llama-3.1-70b", "2x rtx 3090 + 128gb ddr4", "Q4_K_L", ["2x RTX 3090"]),
        ("llama-3.3-70b", "2x 3090 and 64 gb ram", "Q4_K_M", ["2x RTX 3090"]),
        # one card: an offload. No 3-bit file's range reaches a useful speed on it since session 15's decode ranges
        # (Q3_K_S 1.7-5.3 tok/s became 1.4-4.5), so the pick is a 4-bit file, citing the rig's 4-bit run; since
        # session 16's refit the smallest of them (IQ4_XS, 1.1-3.7 tok/s), where it had been Q4_K_L
        ("llama-3.1-70b", "rtx 3090 + 128gb ddr5", "IQ4_XS", ["RTX 3090, -ngl 60 of 80"]),
    ],
)
def test_the_pick_cites_runs_of_the_rig_it_is_shown_on(
    real_catalog: Catalog, model: str, hardware: str, quant: str | None, cited: list[str]
) -> None:
    from engine.evidence import EvidenceIndex, report_evidence

    report = fit(real_catalog.models[model], [parse_hardware(hardware, real_catalog)[0]])
    reading = report.readings[0]
    assert reading.pick is not None and (quant is None or reading.pick.quant == quant)
    index = EvidenceIndex([SPLIT_RUN, OFFLOAD_RUN, OFFLOAD_RUN_Q3])
    shown = report_evidence(report, index).readings[0].option(reading.pick.quant).cited
    assert [c.point.hardware for c in shown] == cited
