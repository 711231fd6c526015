"""One pick across the commands (issue 15): /recommend (cheapest builds, best builds for a budget, a rig's
upgrades), /whatfits and /cost answer a machine with the quant, KV cache type and context /fit picks on it, so
the commands never contradict each other. Cases as people ask them in chats and forums; each compares a command's
answer with /fit's on the same machine through the JSON every front end serialises."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from bot.commands import Answer, cost_answer, fit_answer, recommend_answer, whatfits_answer
from catalog.loader import Catalog, load
from engine.parse import parse_hardware
from engine.recommend import what_fits, whatfits_context


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load()


def _json(answer: Answer) -> dict[str, Any]:
    assert answer.data is not None, answer.error
    return answer.data


@functools.cache
def _fit(model: str, hardware: str, context: str | None) -> dict[str, Any] | None:
    pick: dict[str, Any] | None = _json(fit_answer(load(), model, hardware, context))["readings"][0]["pick"]
    return pick


def _fit_pick(model: str, hardware: str, context: str | None) -> tuple[str, str, int] | None:
    pick = _fit(model, hardware, context)
    return (pick["quant"], pick["kv_type"], pick["context"]) if pick else None


def _fit_typical_tps(model: str, hardware: str, context: str | None) -> float:
    pick = _fit(model, hardware, context)
    return pick["option"]["decode_tps"]["typical"] if pick and pick["option"]["decode_tps"] else 0.0


def _as_run(c: dict[str, object]) -> tuple[object, object, object]:
    return c["quant"], c["kv_cache_type"], c["pick_context"]


# (how it was asked, model as typed, rig, --context, /fit's pick there: quant, KV cache, context)
RIG_CASES = [
    # the contradiction issue 15 names: /recommend said Q3_K_L at 32k where /fit keeps 4 bits with a q8_0 cache
    (
        "cheapest way to run llama 3.3 70b at 32k, I have 2x3090",
        "llama 3.3 70b",
        "2x 3090",
        "32k",
        ("Q4_K_S", "q8_0", 32768),
    ),
    ("llama 3.3 70b on dual 3090s, what quant?", "llama-3.3-70b", "dual 3090", None, ("Q4_K_M", "f16", 16384)),
    ("is a 3090 worth it for qwen3 32b", "qwen3 32b", "3090", None, ("Q4_K_M", "f16", 15360)),
    # a server checkpoint is never given llama.cpp's q8_0 cache (vLLM sets its own): the 4-bit GGUF with q8_0 runs 32k
    ("qwen3-32b on one 3090 with 32k context", "qwen3-32b", "rtx 3090", "32k", ("Q4_K_S", "q8_0", 32768)),
    ("llama 3.1 8b on my 3070", "llama 3.1 8b", "3070", "32k", ("IQ4_XS", "q8_0", 32768)),
]


@pytest.mark.parametrize(
    ("asked", "model", "hardware", "context", "expected"), RIG_CASES, ids=[c[0] for c in RIG_CASES]
)
def test_upgrades_start_from_fits_pick(
    real: Catalog, asked: str, model: str, hardware: str, context: str | None, expected: tuple[str, str, int]
) -> None:
    """/recommend with the rig one has: "runs now" is /fit's pick there (quant, KV cache, context)."""
    assert _fit_pick(model, hardware, context) == expected, asked
    current = _json(recommend_answer(real, model, hardware=hardware, context=context))["upgrades"]["current"]
    assert current is not None and _as_run(current) == expected, asked


@pytest.mark.parametrize(
    ("asked", "model", "hardware", "context", "expected"), RIG_CASES, ids=[c[0] for c in RIG_CASES]
)
def test_cost_prices_fits_pick(
    real: Catalog, asked: str, model: str, hardware: str, context: str | None, expected: tuple[str, str, int]
) -> None:
    """/cost prices the local run /fit picks (/cost takes no context: it prices /fit's default)."""
    quant, kv, ctx = _fit_pick(model, hardware, None) or ("", "", 0)
    notes = _json(cost_answer(real, model, hardware))["notes"]
    with_kv = f" with a {kv} KV cache" if kv != "f16" else ""
    assert f"local runs {quant}{with_kv} at {ctx // 1024}k of context;" in " ".join(notes), (asked, notes)


# (how it was asked, model as typed, --context, --budget)
LIST_CASES = [
    ("cheapest way to run llama 3.3 70b", "llama 3.3 70b", None, None),
    ("cheapest rig for llama 3.3 70b with 32k context", "llama-3.3-70b", "32k", None),
    ("cheapest hardware for qwen3 32b", "qwen3-32b", None, None),
    ("best machine for qwen3 32b under $2500", "qwen3 32b", "32k", 2500.0),
    ("best build for llama 3.3 70b for $4000", "llama 3.3 70b", None, 4000.0),
]


@pytest.mark.parametrize(("asked", "model", "context", "budget"), LIST_CASES, ids=[c[0] for c in LIST_CASES])
def test_every_listed_build_runs_what_fit_picks_there(
    real: Catalog, asked: str, model: str, context: str | None, budget: float | None
) -> None:
    """Each machine /recommend lists (cheapest, and best within the budget) runs the quant, KV cache and context
    /fit picks on that machine, wherever /fit's pick reaches the speed asked (5 tok/s by default); where it does
    not, the listed quant is a faster one that does. Builds with system RAM are named with their platform's RAM,
    which /fit reads as typed, so the machines of cards alone and unified machines are checked."""
    data = _json(recommend_answer(real, model, budget=budget, context=context))
    target = data["min_decode_tps"]
    listed = [c for c in data["candidates"] + data["best_within_budget"] if " + " not in c["label"]]
    assert listed, asked
    agreed = 0
    for c in listed:
        if _fit_typical_tps(model, c["label"], context) >= target:
            assert _as_run(c) == _fit_pick(model, c["label"], context), (asked, c["label"])
            agreed += 1
        else:
            assert c["decode_tps"]["typical"] >= target, (asked, c["label"])
    assert agreed >= len(listed) - 1, asked  # at most one machine where /fit's pick is slower than asked


@pytest.mark.parametrize(("asked", "model", "context"), [c[:3] for c in LIST_CASES if c[3] is None])
def test_degraded_builds_come_after_four_bit_ones(real: Catalog, asked: str, model: str, context: str | None) -> None:
    """Cheapest first within each group of quants, but a 2-bit build never before one that keeps 4 bits."""
    tiers = [c["tier"] for c in _json(recommend_answer(real, model, context=context))["candidates"]]
    rank = {"near-lossless": 0, "high": 0, "good": 0, "fair": 1, "degraded": 2}
    assert [rank[t] for t in tiers] == sorted(rank[t] for t in tiers), (asked, tiers)
    assert tiers and rank[tiers[0]] == 0, asked


# (how it was asked, rig, a model people run on it)
WHATFITS_CASES = [
    ("what can I run on 2x3090", "2x3090", "llama-3.3-70b"),
    ("what fits on a 3090", "3090", "qwen3-32b"),
    ("what runs on a 4060 ti 16gb", "4060 ti 16gb", "llama-3.1-8b"),
]


@pytest.mark.parametrize(("asked", "hardware", "model"), WHATFITS_CASES, ids=[c[0] for c in WHATFITS_CASES])
def test_whatfits_lists_fits_pick(real: Catalog, asked: str, hardware: str, model: str) -> None:
    """/whatfits (at its 8k context, a coding model at 32k) names the quant and KV cache /fit picks at that context on
    the same rig: the model people run there (the card lists the best 15, so the whole list is asked), and every
    model the card lists."""
    models = {m["id"]: m for m in _json(whatfits_answer(real, hardware))["models"]}
    found = {f.model_id: f for f in what_fits(parse_hardware(hardware, real)[0], real, limit=500)}
    assert model in found, asked

    def sized(model_id: str) -> str:
        return f"{whatfits_context(real.models[model_id], 8192) // 1024}k"

    f = found[model]
    assert (f.quant, f.kv_type, f.context) == _fit_pick(model, hardware, sized(model)), asked
    for m in models.values():  # and every model the card lists
        listed = (m["quant"], m["kv_cache_type"], found[m["id"]].context)
        assert listed == _fit_pick(m["id"], hardware, sized(m["id"])), (asked, m["id"])
