"""`rigfit catalog check`'s rules, and the real catalog passing them."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.loader import build, load
from catalog.types import ApiPrice, CatalogFiles, Quant, RentalPrice
from engine.audit import audit
from tests.fixtures import BIG_MOE, DENSE_8B, HARDWARE, SRC

D = dt.date(2026, 11, 1)


def with_quant(name: str, gb: float, native: str = "bf16") -> list[str]:
    model = DENSE_8B.model_copy(
        update={"quants": (Quant(name=name, file_bytes=int(gb * 1e9), source=SRC, as_of=D),), "native_dtype": native}
    )
    return audit(build([CatalogFiles(models=(model,), hardware=HARDWARE)]))


@pytest.mark.parametrize(
    ("name", "gb", "native", "flagged"),
    [
        ("Q4_K_M", 4.92, "bf16", False),  # the published Llama-3.1-8B file
        ("Q4_K_M", 49.2, "bf16", True),  # a unit slip: ten times the size
        ("Q8_0", 2.0, "bf16", True),  # 2 bits per weight is no Q8_0
        ("UD-Q8_K_XL", 4.7, "int4", False),  # an int4-native model's Q8 stays near 4.6 bits
        ("F16", 0.5, "int4", True),  # under 1 bit per weight is a slip whatever the model
    ],
)
def test_file_size_band(name: str, gb: float, native: str, flagged: bool) -> None:
    assert bool(with_quant(name, gb, native)) is flagged


def test_dangling_references_and_duplicate_names() -> None:
    twin = DENSE_8B.model_copy(update={"id": "llama-twin", "aliases": ("glm 5.2",)})
    catalog = build(
        [
            CatalogFiles(
                models=(BIG_MOE, twin),
                hardware=HARDWARE,
                api_prices=(
                    ApiPrice(model="nope", provider="x", usd_per_m_input=1, usd_per_m_output=1, source=SRC, as_of=D),
                ),
                rental_prices=(RentalPrice(hardware="nope-gpu", provider="y", usd_per_hour=1, source=SRC, as_of=D),),
            )
        ]
    )
    problems = "\n".join(audit(catalog))
    assert "api price for unknown model 'nope'" in problems
    assert "rental price for unknown hardware 'nope-gpu'" in problems
    assert "names several entries" in problems


def test_the_real_catalog_passes() -> None:
    assert audit(load()) == []
