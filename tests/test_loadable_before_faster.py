"""A pick some engine loads before a faster one none can: where no group of tiers has a loadable answer at a useful
speed but a loadable file runs, slower, the card shows that file with its command, not a file no catalog repo
publishes (engine/fit.py choose_pick)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quants"),
    [
        # the catalog's published GLM-4.5-Air files: UD-Q3_K_XL runs with its experts in RAM; IQ3_XXS is unpublished
        ("glm-4.5-air", "rtx 3060 12gb + 64gb ddr4", 65536, {"UD-Q3_K_XL"}),
        # Llama 3.1 70B on one 3090: a published 3- or 4-bit file partially offloaded (2-3 tok/s; which one turns on
        # whose range reaches a useful 5 tok/s), not an unpublished IQ3_XXS
        ("llama-3.1-70b", "rtx 3090 + 128gb ddr5", None, {"Q4_K_L", "IQ4_XS", "Q3_K_M", "IQ3_M", "Q3_K_S"}),
    ],
)
def test_a_loadable_file_that_runs_is_picked_before_one_no_engine_loads(
    real_catalog: Catalog, model: str, hardware: str, context: int | None, quants: set[str]
) -> None:
    rig = parse_hardware(hardware, real_catalog)[0]
    report = fit(real_catalog.models[model], [rig], FitOptions(context=context))
    pick = report.readings[0].pick
    assert pick is not None and pick.quant in quants
    option = report.readings[0].option(pick.quant)
    assert option is not None and option.loadable and option.verdict == "fits-offload", option
