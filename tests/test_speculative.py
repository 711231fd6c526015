"""Speculative decoding as people ask about it ("does llama.cpp do DeepSeek's MTP?", "is MTP worth it on my 3090
for Qwen3.8 27B?", "what draft model for Llama 3.1 8B?"): which engine runs it, the flags, the measured speed-up."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from bot import cards, report_json
from catalog.catalog import Catalog
from catalog.types import SpeculativeRun
from engine import flags
from engine.fit import FitOptions, FitReport, QuantOption, fit
from engine.parse import parse_hardware
from engine.serve import Engine
from engine.speculative import Basis, Support


def _report(cat: Catalog, model: str, hardware: str) -> tuple[FitReport, QuantOption]:
    report = fit(cat.models[model], parse_hardware(hardware, cat), FitOptions(context=8192))
    option = report.readings[0].best_option
    assert option is not None
    return report, option


LLAMA, VLLM, SGLANG = Engine.LLAMA_CPP, Engine.VLLM, Engine.SGLANG
YES, NO, SAME = Support.SUPPORTED, Support.UNSUPPORTED, Basis.SAME_BACKEND

# (question, model, hardware, engine, support, a flag the engine must be given)
SUPPORT = [
    ("does llama.cpp do MTP for Qwen3.8 27B?", "qwen3.8-27b", "RTX 3090", LLAMA, YES, "draft-mtp"),
    ("can llama.cpp use DeepSeek R1's MTP head?", "deepseek-r1", "8x H200", LLAMA, NO, None),
    ("MTP for DeepSeek V3 on SGLang", "deepseek-v3", "8x H200", SGLANG, YES, "EAGLE"),
    ("GLM-4.5 Air MTP in vLLM", "glm-4.5-air", "4x RTX 3090", VLLM, YES, '"method":"mtp"'),
    ("GLM-4.5 Air MTP in llama.cpp", "glm-4.5-air", "4x RTX 3090", LLAMA, NO, None),
    ("GLM-5.2 MTP in llama.cpp", "glm-5.2", "8x H200", LLAMA, YES, "draft-mtp"),
    ("draft model for Llama 3.1 8B in llama.cpp", "llama-3.1-8b", "RTX 3060 12GB", LLAMA, YES, "Llama-3.2-1B"),
    ("Qwen3 32B with a 0.6B draft in vLLM", "qwen3-32b", "2x RTX 3090", VLLM, YES, "Qwen/Qwen3-0.6B"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "model", "hardware", "engine", "support", "flag"), SUPPORT)
def test_which_engine_runs_it(
    real_catalog: Catalog, question: str, model: str, hardware: str, engine: Engine, support: Support, flag: str | None
) -> None:
    _, option = _report(real_catalog, model, hardware)
    assert option.speculation is not None, question
    e = option.speculation.engine(engine)
    assert e is not None and e.support is support, question
    rendered = " ".join(f"{a.flag} {a.value or ''}" for a in e.args)
    if flag is None:
        assert e.args == () and e.speedup is None, question
    else:
        assert flag in rendered, question


# (question, model, hardware, engine, speed-up at least, at most, basis): from the public A/B runs
SPEEDUPS = [
    ("is MTP worth it on a 3090 for Qwen3.8 27B?", "qwen3.8-27b", "RTX 3090", LLAMA, 1.3, 2.5, SAME),
    ("Qwen3.8 27B MTP on a Mac Studio M3 Ultra", "qwen3.8-27b", "M3 Ultra 96GB", LLAMA, 0.95, 1.1, SAME),
    ("DeepSeek V3 MTP on SGLang, H200s", "deepseek-v3", "8x H200", SGLANG, 1.5, 2.0, SAME),
    ("Llama 3.1 8B with a 1B draft on a 3060", "llama-3.1-8b", "RTX 3060 12GB", LLAMA, 1.5, 1.9, SAME),
]  # fmt: skip


@pytest.mark.parametrize(("question", "model", "hardware", "engine", "low", "high", "basis"), SPEEDUPS)
def test_measured_speedup(
    real_catalog: Catalog,
    question: str,
    model: str,
    hardware: str,
    engine: Engine,
    low: float,
    high: float,
    basis: Basis,
) -> None:
    _, option = _report(real_catalog, model, hardware)
    assert option.speculation is not None
    e = option.speculation.engine(engine)
    assert e is not None and e.speedup is not None, question
    f = e.speedup.factor
    assert low <= f.low <= (f.typical or f.low) <= f.high <= high, question
    assert e.speedup.basis is basis, question
    if engine is Engine.LLAMA_CPP and not option.speculation.draft_room:  # no room beside the pick: no speed with it
        assert e.decode_tps is None, question
    elif engine is Engine.LLAMA_CPP:  # the card's decode figure is llama.cpp's, scaled by its speed-up
        assert e.decode_tps is not None and option.decode_tps is not None
        assert e.decode_tps.centre == pytest.approx(option.decode_tps.centre * (f.typical or 1.0))


def test_no_public_run_no_figure(real_catalog: Catalog) -> None:
    """Qwen3 32B has a known draft (Qwen3 0.6B) but no timed A/B in the catalog: flags, no speed-up."""
    _, option = _report(real_catalog, "qwen3-32b", "2x RTX 3090")
    assert option.speculation is not None
    e = option.speculation.engine(Engine.LLAMA_CPP)
    assert e is not None and e.args and e.speedup is None and e.decode_tps is None


def test_gain_fades_with_many_users(real_catalog: Catalog) -> None:
    """A single-stream optimisation: the Strix Halo vLLM run inverts at 16 streams."""
    _, option = _report(real_catalog, "qwen3.8-27b", "Ryzen AI Max+ 395 128GB")
    assert option.speculation is not None
    e = option.speculation.engine(Engine.VLLM)
    assert e is not None and e.speedup is not None
    assert e.speedup.many_users == 16 and e.speedup.many_users_factor is not None and e.speedup.many_users_factor < 1


def test_code_keeps_more_drafts_than_chat(real_catalog: Catalog) -> None:
    """ "Is MTP worth it for coding with Qwen3.6 35B A3B?": code prompts accept more drafts than prose, and the
    overall figure rests on the mixed-prompt run, not on one task's."""
    report, option = _report(real_catalog, "qwen3.6-35b-a3b", "RTX 4090")
    assert option.speculation is not None
    e = option.speculation.engine(LLAMA)
    assert e is not None and e.speedup is not None
    tasks = {t.task: t for t in e.speedup.by_task}
    code, chat = tasks["code"], tasks["chat"]
    assert code.acceptance_high is not None and chat.acceptance_high is not None
    assert code.acceptance_high > chat.acceptance_high and code.factor.high > chat.factor.high
    assert e.speedup.tasks == ("mixed",)
    text = "\n".join(cards._option_lines(option, report, report.readings[0]))
    assert "code 0.99–1.37x" in text and "chat 0.85–1.27x" in text
    commands = _card_text(real_catalog, report)
    assert "on llama.cpp: add `--spec-type draft-mtp --spec-draft-n-max 2` (the GGUF must keep" in commands


@pytest.mark.parametrize(("model", "hardware"), [("llama-3.1-8b", "RTX 3090"), ("qwen3.8-27b", "RTX 4090")])
def test_the_card_stays_whole(real_catalog: Catalog, model: str, hardware: str) -> None:
    report, _ = _report(real_catalog, model, hardware)
    card = cards.fit_card(report, real_catalog)
    assert all(len(f.value) <= 1024 and not f.value.endswith("…") for f in card.fields)


def test_models_without_speculation(real_catalog: Catalog) -> None:
    _, option = _report(real_catalog, "phi-4", "RTX 3090")
    assert option.speculation is None


# The flags, added to the command the card prints for that engine, must be ones the engine accepts.
COMMANDS = [
    ("qwen3.8-27b", "RTX 3090", Engine.LLAMA_CPP),
    ("llama-3.1-8b", "RTX 3060 12GB", Engine.LLAMA_CPP),
    ("llama-3.1-8b", "RTX 3090", Engine.VLLM),
    ("llama-3.1-8b", "RTX 3090", Engine.SGLANG),
    ("deepseek-v3", "8x H200", Engine.SGLANG),
    ("deepseek-v3", "8x H200", Engine.VLLM),
]


@pytest.mark.parametrize(("model", "hardware", "engine"), COMMANDS)
def test_flags_start_the_engine(real_catalog: Catalog, model: str, hardware: str, engine: Engine) -> None:
    _, option = _report(real_catalog, model, hardware)
    assert option.speculation is not None
    e = option.speculation.engine(engine)
    plan = option.serve.plan(engine)
    assert e is not None and e.args and plan is not None
    server = plan.steps[-1]
    step = server.model_copy(update={"args": (*server.args, *e.args)})
    line = cards._step_line(step)
    assert flags.check_line(line) == [], line


def _card_text(cat: Catalog, report: FitReport) -> str:
    card = cards.fit_card(report, cat)
    return "\n".join(f"{f.name}\n{f.value}" for f in card.fields)


def test_card_and_json_say_it(real_catalog: Catalog) -> None:
    """The reading says the speed-up and what llama.cpp cannot run; the flags stand beside the commands; the
    reading's field stays within an embed field's 1,024 characters, uncut."""
    report, option = _report(real_catalog, "deepseek-r1", "8x H200")
    lines = cards._option_lines(option, report, report.readings[0])
    reading = next(line for line in lines if line.startswith("speculative decoding"))
    assert "llama.cpp does not run it yet" in reading and "SGLang 1.80x" in reading
    text = _card_text(real_catalog, report)
    assert "on SGLang: add `--speculative-algorithm EAGLE" in text or "on vLLM: add `--speculative-config" in text
    card = cards.fit_card(report, real_catalog)
    assert all(len(f.value) <= 1024 and not f.value.endswith("…") for f in card.fields)
    data = report_json.fit_json(report)
    reading = data["readings"][0]  # type: ignore[index]
    best = next(o for o in reading["options"] if o["quant"] == reading["best"])
    engines = {e["engine"]: e for e in best["speculation"]["engines"]}
    assert engines["llama.cpp"]["support"] == "unsupported" and engines["llama.cpp"]["flags"] is None
    assert engines["sglang"]["speedup"]["factor"]["typical"] == pytest.approx(1.8)


def test_a_run_whose_speedup_does_not_match_its_figures_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"speedup 2\.0 is not"):
        SpeculativeRun(
            engine="llama.cpp",
            hardware="RTX 3090",
            baseline_tps=31.0,
            speculative_tps=41.3,
            speedup=2.0,
            source="test",
            as_of=dt.date(2026, 8, 18),
        )
