"""Several users at once: the table of 1-32 streams on the recommended option, as people ask it ("can my team of
four share one 3090?", "how many people can use a Mac Studio at 32k each?")."""

from __future__ import annotations

import pytest

from bot import cards, report_json, wording
from catalog.catalog import Catalog
from engine import concurrency, speed
from engine.fit import FitOptions, FitReport, QuantOption, ReadingReport, fit
from engine.parse import parse_hardware


def _best(cat: Catalog, model: str, hardware: str, context: int | None = None) -> tuple[ReadingReport, QuantOption]:
    reading = fit(cat.models[model], parse_hardware(hardware, cat), FitOptions(context=context)).readings[0]
    option = reading.best_option
    assert option is not None
    return reading, option


# (question, model, hardware, context, users that must fit in the KV room)
SHARED_RIGS = [
    ("can the four of us share my 3090 for Llama 3.1 8B at 8k?", "llama-3.1-8b", "RTX 3090", 8192, 4),
    ("a 4090 serving Qwen3 30B A3B to two people at 8k", "qwen3-30b-a3b", "RTX 4090", 8192, 2),
    ("M3 Ultra 256GB as a small office server for Llama 3.3 70B at 32k", "llama-3.3-70b", "M3 Ultra 256GB", 32768, 8),
    ("8x H100 running DeepSeek R1 for a company at 32k", "deepseek-r1", "8x H100", 32768, 32),
]


@pytest.mark.parametrize(("question", "model", "hardware", "context", "users"), SHARED_RIGS)
def test_users_share_one_read_of_the_weights(
    real_catalog: Catalog, question: str, model: str, hardware: str, context: int, users: int
) -> None:
    _, option = _best(real_catalog, model, hardware, context)
    rows = option.concurrency
    assert [r.users for r in rows] == list(concurrency.USER_COUNTS), question
    one, many = concurrency.at(rows, 1), concurrency.at(rows, users)
    assert one is not None and many is not None
    assert many.fits_kv, question
    assert many.aggregate_tps.centre > one.aggregate_tps.centre  # one step serves every user
    assert many.per_user_tps.centre < one.per_user_tps.centre  # but each user is slower than alone
    totals = [r.aggregate_tps.centre for r in rows]
    each = [r.per_user_tps.centre for r in rows]
    assert totals == sorted(totals) and each == sorted(each, reverse=True), question
    assert all(r.llama_cpp_ctx_tokens == r.users * context for r in rows)  # -np N needs -c N x context


def test_one_user_row_is_the_single_stream_decode(real_catalog: Catalog) -> None:
    _, option = _best(real_catalog, "llama-3.1-8b", "RTX 3090", 8192)
    one = concurrency.at(option.concurrency, 1)
    assert one is not None and option.decode_tps is not None
    # the table reads its own cache at half the context, as the single-user figure does
    assert one.aggregate_tps.centre == pytest.approx(option.decode_tps.centre, rel=0.05)


# (question, model, hardware, context): the recommended quant fills the card, so few sequences fit
KV_BOUND = [
    ("Qwen3.8 27B on a single 4090 at 32k: how many users?", "qwen3.8-27b", "RTX 4090", 32768),
    ("Llama 3.1 8B on a 3090 at 32k for the whole team?", "llama-3.1-8b", "RTX 3090", 32768),
]


@pytest.mark.parametrize(("question", "model", "hardware", "context"), KV_BOUND)
def test_kv_room_caps_the_users(real_catalog: Catalog, question: str, model: str, hardware: str, context: int) -> None:
    reading, option = _best(real_catalog, model, hardware, context)
    cap = concurrency.kv_cap(option.concurrency)
    assert cap is not None and cap < 32, question
    assert all(r.fits_kv == (r.users <= cap) for r in option.concurrency)
    line = wording.concurrency_line(option.concurrency, context)
    assert line is not None and f"KV room caps it at {cap} user" in line
    shown = "\n".join(cards._option_lines(option, fit_report(real_catalog, model, hardware, context), reading))
    assert "KV room caps it" in shown


def fit_report(cat: Catalog, model: str, hardware: str, context: int) -> FitReport:
    return fit(cat.models[model], parse_hardware(hardware, cat), FitOptions(context=context))


def test_compute_caps_the_aggregate_at_the_prefill_rate(real_catalog: Catalog) -> None:
    """32 streams of a 70B on a Mac: the batch's matrix work, not the memory reads, sets the pace."""
    model = real_catalog.models["llama-3.3-70b"]
    _, option = _best(real_catalog, "llama-3.3-70b", "M3 Ultra 256GB", 8192)
    ceiling, _ = speed.prefill_range(model, option.placement, 8192)
    assert ceiling is not None
    for r in option.concurrency:
        assert r.aggregate_tps.high <= ceiling.high + 1e-9
    assert any(r.compute_bound for r in option.concurrency)


# (question, model, hardware): nothing to share where the weights stream from system RAM or disk
NO_TABLE = [
    ("GLM-5.2 on a 24 GB card and 256 GB of RAM", "glm-5.2", "24GB VRAM + 256GB RAM"),
    ("Llama 3.3 70B on a laptop CPU with 64 GB", "llama-3.3-70b", "64GB DDR5"),
]


@pytest.mark.parametrize(("question", "model", "hardware"), NO_TABLE)
def test_no_table_for_offload_or_cpu(real_catalog: Catalog, question: str, model: str, hardware: str) -> None:
    _, option = _best(real_catalog, model, hardware)
    assert option.concurrency == (), question
    assert wording.concurrency_line(option.concurrency, 32768) is None


def test_json_lists_every_row(real_catalog: Catalog) -> None:
    report = fit_report(real_catalog, "llama-3.1-8b", "RTX 3090", 8192)
    data = report_json.fit_json(report)
    reading = data["readings"][0]  # type: ignore[index]
    best = next(o for o in reading["options"] if o["quant"] == reading["best"])
    rows = best["concurrency"]
    assert [r["users"] for r in rows] == list(concurrency.USER_COUNTS)
    assert all(r["aggregate_tps"]["low"] <= r["aggregate_tps"]["high"] for r in rows)
