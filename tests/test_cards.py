"""Cards fit Discord's embed limits and its API description, whatever goes in."""

from __future__ import annotations

import pytest
from discord_spec import validate

from bot.cards import (
    DESCRIPTION_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TOTAL_MAX,
    Card,
    CardField,
    escape_markdown,
    fit_card,
    to_embed,
    to_text,
    total_chars,
    within_limits,
)
from catalog.catalog import Catalog
from engine.fit import fit
from engine.parse import parse_hardware

PHRASES = ["256GB", "M3 Ultra 256GB", "2x RTX 3090", "24GB VRAM + 256GB RAM", "EPYC 9654 768GB", "24GB"]


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("model", ["glm-5.2", "llama-3.1-8b", "qwen3-next-80b-a3b"])
def test_fit_card_within_limits_and_valid(cat: Catalog, model: str, phrase: str) -> None:
    card = fit_card(fit(cat.models[model], parse_hardware(phrase, cat)), cat)
    assert total_chars(card) <= TOTAL_MAX
    assert len(card.fields) <= FIELDS_MAX
    assert all(len(f.value) <= FIELD_VALUE_MAX for f in card.fields)
    validate("RichEmbed", to_embed(card).to_dict())


def test_card_colour_follows_verdict(cat: Catalog) -> None:
    fits = fit_card(fit(cat.models["glm-5.2"], parse_hardware("M3 Ultra 512GB", cat)), cat)
    nope = fit_card(fit(cat.models["glm-5.2"], parse_hardware("2x RTX 3090", cat)), cat)
    assert fits.colour != nope.colour


def test_card_shows_arithmetic_command_and_cost(cat: Catalog) -> None:
    from bot.commands import fit_answer

    card = fit_answer(cat, "glm-5.2", "24GB VRAM + 256GB RAM").card
    text = to_text(card)
    assert "241 GB of weights" in text
    assert "--n-cpu-moe" in text
    assert "catalog as of" in card.footer
    assert "API z.ai $2.15/M at 75% input ($1.4 in / $4.4 out)" in text  # the cost section
    assert "break-even after" in text


@pytest.mark.parametrize(
    ("model", "phrase", "shown", "absent"),
    [
        # MLA attention: the measured slowdown with context the model does not capture
        ("glm-5.2", "M3 Ultra 512GB", ["⚠️ MLA attention may slow with context"], ["system-RAM speed", "PCIe"]),
        # experts in system RAM: the PCIe bound on prefill (the RAM efficiency: the test below)
        ("glm-5.2", "24GB VRAM + 256GB RAM", ["⚠️ bounded by PCIe"], ["CPU-only decode"]),
        # CPU only: the measured fall of CPU decode with context
        ("glm-5.2", "EPYC 9654 768GB", ["⚠️ CPU-only decode can fall steeply with context"], ["PCIe"]),
        ("llama-3.1-8b", "M3 Ultra 512GB", [], ["⚠️"]),  # grouped-query attention, all in unified memory
    ],
)
def test_card_names_what_the_speed_model_does_not_capture(
    cat: Catalog, model: str, phrase: str, shown: list[str], absent: list[str]
) -> None:
    text = to_text(fit_card(fit(cat.models[model], parse_hardware(phrase, cat)), cat))
    assert all(s in text for s in shown)
    assert not any(a in text for a in absent)


@pytest.mark.parametrize("moe", [True, False])
def test_ram_speed_says_when_it_borrows_the_pooled_efficiency(cat: Catalog, moe: bool) -> None:
    """The caveat appears exactly when the shipped fit has no system-RAM group of that model kind."""
    from engine.calibration import decode_group

    model = "glm-5.2" if moe else "llama-3.1-8b"
    text = to_text(fit_card(fit(cat.models[model], parse_hardware("EPYC 9654 768GB", cat)), cat))
    pooled = decode_group("ram", "cpu", moe=moe).device_kind != "ram"
    assert ("system-RAM speed uses the efficiency pooled" in text) == pooled


@pytest.mark.parametrize(
    ("hardware", "line"),
    [
        ("12GB", "Better quants with less context: `Q8_0` up to "),
        ("8GB", "Pick: `Q4_K_M` at 13k of context (or 26k with a q8_0 KV cache), not 32k"),  # no 4-bit at 32k
    ],
)
def test_card_names_the_context_a_better_quant_fits_at(cat: Catalog, hardware: str, line: str) -> None:
    text = to_text(fit_card(fit(cat.models["llama-3.1-8b"], parse_hardware(hardware, cat)), cat))
    assert line in text


def test_oversized_card_is_clipped() -> None:
    huge = Card(
        title="t" * 500,
        description="d" * 9000,
        fields=tuple(CardField("n" * 300, "v" * 2000) for _ in range(40)),
    )
    card = within_limits(huge)
    assert len(card.title) <= 256 and len(card.description) <= DESCRIPTION_MAX
    assert len(card.fields) <= FIELDS_MAX and total_chars(card) <= TOTAL_MAX
    validate("RichEmbed", to_embed(card).to_dict())


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("@everyone", "@\u200beveryone"),
        ("<@123>", "<@\u200b123\\>"),
        ("**bold**", "\\*\\*bold\\*\\*"),
        ("`code`", "\\`code\\`"),
        ("plain 24GB", "plain 24GB"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


@pytest.mark.parametrize(
    ("name", "shown", "absent"),
    [
        ("3090", ["24 GB", "936 GB/s", "NVLink 56.25 GB/s each way", "71 TFLOPS", "used $700"], []),
        ("4090", ["24 GB", "1008 GB/s", "165 TFLOPS"], ["NVLink"]),
        ("dual 3090", ["24 GB", "936 GB/s"], ["4090"]),  # a rig phrase naming one kind of card: that card
        ("rtx 4090 + 64GB DDR5", ["1008 GB/s"], ["3090"]),
    ],
)
def test_hardware_card_shows_the_facts(cat: Catalog, name: str, shown: list[str], absent: list[str]) -> None:
    from bot.commands import hardware_answer

    text = to_text(hardware_answer(cat, name).card)
    assert all(s in text for s in shown), text
    assert not any(s in text for s in absent), text


@pytest.mark.parametrize("phrase", ["2x 3090 + 4090", "64GB DDR5", "banana"])
def test_hardware_of_no_single_device_says_what_it_does_not_know(cat: Catalog, phrase: str) -> None:
    from bot.commands import hardware_answer

    assert "I don't know the device" in (hardware_answer(cat, phrase).error or "")


def test_a_derived_compute_figure_says_so_on_the_hardware_card(real_catalog: Catalog) -> None:
    from bot.cards import hardware_card, to_text

    derived = to_text(hardware_card(real_catalog.hardware["rx-9070-xt"]))
    published = to_text(hardware_card(real_catalog.hardware["rtx-4090"]))
    assert "derived from its specifications" in derived and "derived" not in published.split("FP16 dense")[1][:40]


@pytest.mark.parametrize(
    ("model", "hardware", "context", "said"),
    [  # a decode figure is read against llama-bench's empty-context tg128: the card says how deep it is
        ("glm-5.2", "24GB VRAM + 256GB RAM", None, "halfway into 32k"),
        ("glm-5.2", "24GB VRAM + 256GB RAM", "8k", "halfway into 8k"),
    ],
)
def test_decode_says_how_deep_into_the_context(
    cat: Catalog, model: str, hardware: str, context: str | None, said: str
) -> None:
    from bot.commands import fit_answer

    text = to_text(fit_answer(cat, model, hardware, context).card)
    assert all(said in line for line in text.splitlines() if line.startswith("decode ")), text
    assert any(line.startswith("decode ") for line in text.splitlines())


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**Q4_K_M** fits", "Q4_K_M fits"),
        ("run `-ngl 33`", "run `-ngl 33`"),
        ("a\\_b", "a_b"),  # Discord's escape, not the user's
        # one command: on its own line, indented
        ("llama.cpp```llama-server -hf a/b:Q4 -c 32768```", "llama.cpp\n    llama-server -hf a/b:Q4 -c 32768\n"),
        # several lines: every one indented, none run into the prose
        ("Ollama```# run:\nollama serve\nollama run x```", "Ollama\n    # run:\n    ollama serve\n    ollama run x\n"),
        # a command's own backslashes (line continuations, escapes) are kept
        ("vLLM```vllm serve a/b \\\n  -tp 2```", "vLLM\n    vllm serve a/b \\\n      -tp 2\n"),
    ],
)
def test_terminal_text_keeps_commands_pasteable(markdown: str, text: str) -> None:
    from bot.cards import _plain

    assert _plain(markdown) == text


@pytest.mark.parametrize(
    ("model", "phrase", "context", "shown"),
    [
        ("llama-3.1-8b", "RTX 4090", "32k", True),  # 4 GB of KV read per token halfway in: slower than tg128
        ("qwen3-30b-a3b", "RTX 3090", "32k", True),
        ("llama-3.1-8b", "RTX 4090", "2k", False),  # 1k tokens in: the same speed, said once
        ("llama-3.3-70b", "M3 Ultra 256GB", "128k", True),
    ],
)
def test_decode_on_an_empty_context_beside_the_one_halfway_in(
    real_catalog: Catalog, model: str, phrase: str, context: str, shown: bool
) -> None:
    """People compare the card with llama-bench's tg128, measured on an empty context: the card says that figure
    too where the cache read halfway into the context slows decode."""
    from bot.commands import fit_answer

    report = fit(real_catalog.models[model], parse_hardware(phrase, real_catalog))
    pick = report.readings[0].pick
    assert pick is not None
    option = pick.option
    assert option.decode_start_tps is not None and option.decode_tps is not None
    assert option.decode_start_tps.high >= option.decode_tps.high  # no cache to read: never slower
    text = to_text(fit_answer(real_catalog, model, phrase, context=context).card)
    assert ("on an empty context" in text) is shown
