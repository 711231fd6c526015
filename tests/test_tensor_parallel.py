"""Tensor parallelism: N cards each read 1/N per token, plus two all-reduces per layer at the link's latency."""

from __future__ import annotations

import pytest

from bot import wording
from catalog.catalog import Catalog
from engine import calibration, memory, server_speed, speed
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware
from engine.placement import place
from engine.rig import AssumptionKind
from engine.units import GB


def tp_for(cat: Catalog, model_id: str, phrase: str, weights_gb: float = 8.0) -> speed.TensorParallel | None:
    model = cat.models[model_id]
    rig = parse_hardware(phrase, cat)[0].rig
    placement = place(model, rig, int(weights_gb * GB), memory.kv_cache_bytes(model, 4096))
    return speed.tensor_parallel(model, placement, 0, nvlink=rig.nvlink, engine="llama.cpp")


@pytest.mark.parametrize(
    ("phrase", "gpus", "link"),
    [
        ("2x RTX 3090", 2, "pcie"),
        ("2x RTX 3090 nvlink", 2, "nvlink"),  # the fixture's 3090 can be bridged
        ("2x rtx 3090 with an nvlink bridge", 2, "nvlink"),
        ("4x RTX 4090", 4, "pcie"),
        ("2x RTX 4090 nvlink", 2, "pcie"),  # no NVLink on a 4090: PCIe, and the reading says so
    ],
)
def test_link_read_from_the_phrase_and_the_catalog(cat: Catalog, phrase: str, gpus: int, link: str) -> None:
    tp = tp_for(cat, "llama-3.1-8b", phrase, weights_gb=30.0)  # too big for one card: split over the cards
    assert tp is not None and (tp.gpus, tp.link) == (gpus, link)


def test_asking_nvlink_of_cards_without_it_is_said(cat: Catalog) -> None:
    reading = parse_hardware("2x RTX 4090 nvlink", cat)[0]
    assert not reading.rig.nvlink
    said = [a for a in reading.assumptions if a.kind is AssumptionKind.NO_NVLINK]
    assert said and "no NVLink" in wording.assumption(said[0])


@pytest.mark.parametrize(
    ("phrase", "weights_gb"),
    [
        ("RTX 3090", 8.0),  # one card
        ("RTX 3090 + RTX 4090", 30.0),  # cards that differ
        ("3x RTX 3090", 50.0),  # three cards: heads do not split three ways in vLLM
        ("RTX 3090 + 64GB RAM", 30.0),  # offload: not on the cards alone
    ],
)
def test_no_tensor_parallel_estimate_where_it_does_not_apply(cat: Catalog, phrase: str, weights_gb: float) -> None:
    assert tp_for(cat, "llama-3.1-8b", phrase, weights_gb) is None


def test_allreduce_time_is_two_per_layer_at_the_measured_latency(cat: Catalog) -> None:
    tp = tp_for(cat, "llama-3.1-8b", "2x RTX 3090", 30.0)
    assert tp is not None
    layers = cat.models["llama-3.1-8b"].layers
    fast, slow = calibration.ALLREDUCE_S["pcie"]
    assert tp.allreduce_ms_per_token.low == pytest.approx(2 * layers * fast * 1e3)
    assert tp.allreduce_ms_per_token.high == pytest.approx(2 * layers * slow * 1e3)


def test_tensor_parallel_beats_layer_split_and_nvlink_beats_pcie(cat: Catalog) -> None:
    model = cat.models["llama-3.1-8b"]
    rig = parse_hardware("2x RTX 3090", cat)[0].rig
    placement = place(model, rig, int(30 * GB), memory.kv_cache_bytes(model, 4096))
    layer, _ = speed.decode_range(model, placement, 0)
    pcie = speed.tensor_parallel(model, placement, 0, nvlink=False, engine="llama.cpp")
    nvlink = speed.tensor_parallel(model, placement, 0, nvlink=True, engine="llama.cpp")
    assert layer is not None and pcie is not None and nvlink is not None
    assert layer.centre < pcie.decode_tps.centre < nvlink.decode_tps.centre
    # never more than N times the layer split: the all-reduces only cost time
    assert nvlink.decode_tps.high < 2 * layer.high


def test_fit_card_and_json_carry_the_tensor_parallel_range(cat: Catalog) -> None:
    from bot.cards import to_text
    from bot.commands import fit_answer
    from bot.report_json import fit_json

    report = fit(cat.models["llama-3.1-8b"], parse_hardware("2x RTX 3090", cat), FitOptions(context=131072))
    option = report.readings[0].option("Q8_0")
    assert option is not None and option.tensor_parallel is not None
    as_json = fit_json(report)
    q8 = next(o for o in as_json["readings"][0]["options"] if o["quant"] == "Q8_0")  # type: ignore[index]
    assert q8["tensor_parallel"]["gpus"] == 2
    text = to_text(fit_answer(cat, "llama-3.1-8b", "2x RTX 3090", context="128k", quant="Q8_0").card)
    # the card names no vLLM figure for a GGUF's bytes: a server's speed stands on its own plan line (issue 16)
    assert "vLLM `-tp" not in text


def test_disk_placement_gives_an_upper_bound_from_the_drive(cat: Catalog) -> None:
    """Weights that fit nowhere are read from disk each token (the active share, for MoE): decode is bounded by
    the NVMe drive's sequential read rate."""
    model = cat.models["glm-5.2"]
    report = fit(model, parse_hardware("RTX 4090 + 32GB RAM", cat))
    closest = min(report.readings[0].options, key=lambda o: o.placement.shortfall_bytes)
    assert closest.placement.kind == "disk" and closest.decode_tps is None
    bound = speed.disk_bound_tps(model, closest.placement)
    from_disk = closest.placement.shortfall_bytes * memory.active_fraction(model)
    assert bound == pytest.approx(calibration.NVME_READ_GB_S * 1e9 / from_disk)
    disk = next(c for c in closest.caveats if c.kind is speed.CaveatKind.DISK_BOUND)
    assert disk.max_decode_tps == bound
    assert f"at most {bound:.2g} tok/s" in wording.speed_note(closest, model)


@pytest.mark.parametrize(
    ("model_id", "phrase", "weights_gb", "kind"),
    [
        ("deepseek-v3", "8x H100 SXM", 380.0, "moe"),  # vLLM's MoE step routes and dispatches experts every layer
        ("gpt-oss-120b", "2x H100 SXM", 65.0, "moe"),
        ("llama-3.3-70b", "4x RTX 3090", 40.0, "dense"),
        ("llama-3.1-8b", "2x RTX 3090", 30.0, "dense"),
    ],
)
def test_vllm_tensor_parallel_pays_vllms_own_cost_per_layer(
    real_catalog: Catalog, model_id: str, phrase: str, weights_gb: float, kind: calibration.ModelKind
) -> None:
    """vLLM's tensor parallelism pays vLLM's fixed time per layer (server_speed.layer_seconds, fitted on vLLM and
    SGLang runs), not llama.cpp's: with llama.cpp's, `rigfit calibrate`'s check put DeepSeek-V3 on 8 H100s at 149
    tok/s typically where vLLM's single-request runs measure 30-33 (bench/measured_runs.csv x644, server_runs.csv
    s1). A GGUF option's own tensor-parallel line is llama.cpp's -sm tensor (engine="llama.cpp")."""
    model = real_catalog.models[model_id]
    rig = parse_hardware(phrase, real_catalog)[0].rig
    placement = place(model, rig, int(weights_gb * GB), memory.kv_cache_bytes(model, 4096))
    tp = speed.tensor_parallel(model, placement, 0, nvlink=rig.nvlink, engine="vllm")
    assert tp is not None
    fast, typical, slow = server_speed.layer_seconds(model)
    assert server_speed.model_kind(model) == kind
    assert tp.decode_tps.high <= 1 / (model.layers * fast)
    assert tp.decode_tps.low <= 1 / (model.layers * slow)
    assert tp.decode_tps.centre <= 1 / (model.layers * typical)
