"""A rig read as its GPUs alone, on which nothing fits: the answer says what system RAM beside them would run, as
an expert would ask "how much RAM do you have?" rather than stop at "nothing fits"."""

from __future__ import annotations

import pytest

from bot.cards import fit_card, to_text
from catalog.catalog import Catalog
from engine import memory
from engine.fit import fit
from engine.parse import parse_hardware

GIB = memory.GIB

# (model, GPUs only as people write them, the quant RAM would run, its placement, least and most RAM it may need)
HINTS = [
    # gpt-oss-20b's MXFP4 file (12.1 GB) is a little more than a 12 GB card holds: a few experts in RAM
    ("gpt-oss-20b", "arc b580", "MXFP4", "expert-offload", 5, 12),
    ("gpt-oss-20b", "rtx 3060 12gb", "MXFP4", "expert-offload", 5, 12),
    # 235B-A22B at 4 bits beside one 24 GB card: most of ~142 GB of experts in RAM
    ("qwen3-235b-a22b", "rtx 4090", "Q4_K_M", "expert-offload", 100, 160),
    ("gpt-oss-120b", "5090", "MXFP4", "expert-offload", 30, 70),
    # two cards: the experts that do not fit their 48 GB
    ("qwen3-235b-a22b", "2x3090", "Q4_K_M", "expert-offload", 80, 140),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "placement", "least_gib", "most_gib"), HINTS)
def test_gpus_without_ram_say_what_ram_would_run(
    real_catalog: Catalog, model: str, hardware: str, quant: str, placement: str, least_gib: int, most_gib: int
) -> None:
    report = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog))
    reading = report.readings[0]
    assert reading.pick is None and reading.rig.ram is None
    hint = reading.with_ram
    assert hint is not None and hint.quant == quant and hint.kind == placement
    assert least_gib * GIB <= hint.ram_bytes <= most_gib * GIB
    # the card says it, with a phrase the parser reads back, on which the same quant then runs
    text = to_text(fit_card(report, real_catalog))
    phrase = text.split("e.g. `")[1].split("`")[0]
    assert quant in text.split("With system RAM")[1]
    again = fit(real_catalog.models[model], parse_hardware(phrase, real_catalog)).readings[0]
    assert again.rig.ram is not None and again.rig.ram.memory_bytes >= hint.ram_bytes
    assert again.option(quant) is not None and again.option(quant).verdict == "fits-offload"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("model", "hardware"),
    [
        ("gpt-oss-20b", "rtx 4090"),  # it fits: nothing to add
        ("qwen3-235b-a22b", "rtx 4090 + 32gb ddr5"),  # RAM stated (too little): the user said what they have
        ("qwen3-235b-a22b", "m4 max 64gb"),  # unified memory: no RAM beside it to add
        ("deepseek-r1", "32gb ddr4 no gpu"),  # no GPU
    ],
)
def test_no_ram_hint_where_ram_is_stated_or_something_runs(real_catalog: Catalog, model: str, hardware: str) -> None:
    reading = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog)).readings[0]
    assert reading.with_ram is None
