"""An offloaded pick takes a lower tier's file only for a real gain in speed (engine/fit.py LOWER_TIER_FASTER): where
both tiers read system RAM each token, fewer bits buy speed only in proportion to their bytes."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.fit import LOWER_TIER_FASTER, PICK_GROUPS, FitOptions, QuantOption, fit, in_group
from engine.parse import parse_hardware, parse_model


def _group(o: QuantOption) -> int:
    """The pick's group of tiers (4 bits and up, 3, 2 and below) an option falls in."""
    return next(i for i, g in enumerate(PICK_GROUPS) if in_group(o.tier, o.quant, o.bits_per_weight, g))


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quant"),
    [
        # only the 3-bit file's range reaches 5 tok/s (typically 4.5), the 4-bit one decodes typically 4.0: the 4-bit
        ("llama 4 scout", "rtx 4060 8gb + 128gb ram", 131072, "UD-Q4_K_XL"),
        # every 3-bit and 4-bit file with experts in 96 GB is far slower than the 2-bit one (typically 5.2): the 2-bit
        ("qwen3-235b", "8gb vram + 96gb ram", 32768, "UD-Q2_K_XL"),
        # no 4-bit file fits 64 GB with the cache: the 3-bit offload stands
        ("glm-4.5-air", "3060 12gb + 64gb ddr4", 65536, "UD-Q3_K_XL"),
    ],
)
def test_an_offload_keeps_the_higher_tier_unless_the_lower_is_much_faster(
    real_catalog: Catalog, model: str, hardware: str, context: int, quant: str
) -> None:
    report = fit(
        parse_model(model, real_catalog), [parse_hardware(hardware, real_catalog)[0]], FitOptions(context=context)
    )
    reading = report.readings[0]
    assert reading.pick is not None and reading.pick.quant == quant
    pick = reading.option(quant)
    assert pick is not None and pick.verdict == "fits-offload" and pick.decode_tps is not None
    # no published file of a higher group of tiers runs within LOWER_TIER_FASTER of the pick's typical decode
    higher = [
        o
        for o in reading.options
        if _group(o) < _group(pick)
        and o.verdict == "fits-offload"
        and o.loadable
        and o.decode_tps is not None
        and o.decode_tps.centre * LOWER_TIER_FASTER >= pick.decode_tps.centre
    ]
    assert not higher, [o.quant for o in higher]
