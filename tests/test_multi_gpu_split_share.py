"""What a layer split adds to the engine's error, with each card's own error taken out: a benchmark repository that
measures one card and several of the same card (xiongjiedai's 1-8 GPU tables, kyuz0's toolboxes) shows whether the
hops between cards cost something the engine leaves out."""

from __future__ import annotations

import math

import pytest

from calibrate.fit import Fitted
from calibrate.multi_gpu import Check, split_own_errors, split_share_lines
from calibrate.runs import Run
from catalog.catalog import Catalog

# one efficiency for every decode group, no layer cost: the engine's typical figure is the run's ideal speed
FLAT = Fitted({("decode", "*", "*", "dense"): (0.8, 1.0, 1.25, 10)}, {})
OVER = math.log(100 / 80)  # the card's own error: 100 tok/s modelled, 80 measured on one card


def _one_card(cat: Catalog, source: str = "github:x/bench", card: str = "rtx-3090", backend: str = "cuda") -> Run:
    return Run("r1", card, "gpu", backend, cat.models["llama-3.1-8b"], "decode", 80.0, 100.0, source)


def _split(typical: float, measured: float, cards: int = 2, **kw: str) -> Check:
    where = {"source": "github:x/bench", "card": "rtx-3090", "backend": "cuda", "mode": "layer"} | kw
    mode = where.pop("mode")
    return Check(
        "c1",
        f"{cards}x RTX 3090",
        "llama-3-70b",
        mode,
        measured,
        typical / 2,
        typical,
        typical * 2,
        cards=cards,
        **where,
    )


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        # the split measured as far below the engine as the one card: nothing of its own
        (_split(20.0, 16.0), {1: [0.0]}),
        # four cards as fast as modelled while the one card is 25% below: the split itself was faster
        (_split(20.0, 20.0, cards=4), {3: [-OVER]}),
        # eight cards 40% below where one card is 25% below: the hops' share
        (_split(20.0, 20.0 / 1.4, cards=8), {7: [math.log(1.4) - OVER]}),
        # no one-card run in that publication, on that card or on that backend: nothing to take out
        (_split(20.0, 16.0, source="github:y/other"), {}),
        (_split(20.0, 16.0, card="rtx-4090"), {}),
        (_split(20.0, 16.0, backend="vulkan"), {}),
        (_split(20.0, 16.0, mode="tensor"), {}),  # tensor parallelism is not a layer split
    ],
)
def test_a_splits_own_error_is_its_error_less_its_cards(cat: Catalog, check: Check, expected: dict) -> None:
    got = split_own_errors([check], [_one_card(cat)], FLAT)
    assert got.keys() == expected.keys()
    for hops, values in expected.items():
        assert got[hops] == pytest.approx(values)


def test_the_report_line_counts_rows_and_hops(cat: Catalog) -> None:
    checks = [_split(20.0, 16.0), _split(20.0, 16.0, cards=4), _split(20.0, 16.0, source="github:y/other")]
    runs = [_one_card(cat)]
    assert split_own_errors(checks, runs, FLAT) == {1: pytest.approx([0.0]), 3: pytest.approx([0.0])}
    (line,) = split_share_lines(checks, runs)  # the shipped fit's figures; the counts are the checks'
    assert "2 rows" in line and "by hops between cards: 1 " in line and "(1), 3 " in line
    assert split_share_lines([_split(20.0, 16.0, source="github:y/other")], runs) == []
