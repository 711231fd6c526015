"""A catalog that says its age: `rigfit catalog check` dates every price, and offerings marked `retired` (an API
endpoint withdrawn, a rental plan ended, a product no longer sold) stay out of every answer."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from bot.cards import to_text
from bot.commands import Answer, compare_answer, cost_answer, fit_answer, recommend_answer
from catalog.loader import Catalog, build, load
from catalog.types import ApiPrice, CatalogFiles, Price, RentalPrice, Retired
from engine.audit import PRICE_FAIL_DAYS, PriceKind, price_ages, stale_prices
from tests.fixtures import BIG_MOE, DENSE_8B, HARDWARE, PLATFORMS, SRC

D = dt.date(2026, 11, 1)
# How the real retirements were announced: Cerebras dropping Llama 4 Scout from its inference API, Mistral
# deprecating open-mixtral-8x7b; each stands in the table below at a price lower than any live one, so an answer
# that let it through would quote it.
ENDED = Retired(
    source="tests/test_catalog_age.py (a provider's deprecation notice)", as_of=D, ended_on=dt.date(2026, 6, 1)
)


def api(model: str, provider: str, usd_in: float, usd_out: float, *, on: dt.date = D, ended: bool = False) -> ApiPrice:
    return ApiPrice(
        model=model,
        provider=provider,
        usd_per_m_input=usd_in,
        usd_per_m_output=usd_out,
        source=SRC,
        as_of=on,
        retired=ENDED if ended else None,
    )


def rental(hardware: str, provider: str, usd: float, *, on: dt.date = D, ended: bool = False) -> RentalPrice:
    return RentalPrice(
        hardware=hardware, provider=provider, usd_per_hour=usd, source=SRC, as_of=on, retired=ENDED if ended else None
    )


def with_retired_offerings() -> Catalog:
    """The fixture models and hardware with live prices and a cheaper retired one of every kind."""
    retired_3090 = Price(usd=111.11, condition="new", source=SRC, as_of=D, retired=ENDED)
    hardware = tuple(
        h.model_copy(update={"prices": (*h.prices, retired_3090)}) if h.id == "rtx-3090" else h for h in HARDWARE
    )
    return build(
        [
            CatalogFiles(
                models=(BIG_MOE, DENSE_8B),
                hardware=hardware,
                api_prices=(
                    api("glm-5.2", "Z.ai", 1.4, 4.4),
                    api("glm-5.2", "Cerebras", 0.011, 0.011, ended=True),
                    api("llama-3.1-8b", "Together", 0.18, 0.18),
                    api("llama-3.1-8b", "Mistral AI", 0.011, 0.011, ended=True),
                ),
                rental_prices=(
                    rental("rtx-4090", "RunPod", 0.59),
                    rental("rtx-4090", "Gone Cloud", 0.011, ended=True),
                    rental("rtx-3090", "Gone Cloud", 0.011, ended=True),
                ),
                platform_prices=PLATFORMS,
            )
        ]
    )


@pytest.fixture(scope="module")
def retiring() -> Catalog:
    return with_retired_offerings()


def test_retired_offerings_leave_the_catalog_answers_and_are_listed(retiring: Catalog) -> None:
    assert [(p.model, p.provider) for p in retiring.api_prices] == [("glm-5.2", "Z.ai"), ("llama-3.1-8b", "Together")]
    assert [p.provider for p in retiring.rental_prices] == ["RunPod"]
    assert [p.usd for p in retiring.hardware["rtx-3090"].prices] == [700]
    assert sorted(e.what for e in retiring.ended) == [
        "api glm-5.2 (Cerebras)",
        "api llama-3.1-8b (Mistral AI)",
        "price of rtx-3090 new $111.11",
        "rental rtx-3090 x1 (Gone Cloud)",
        "rental rtx-4090 x1 (Gone Cloud)",
    ]


def _everything_said(answer: Answer) -> str:
    assert answer.error is None, answer.error
    pages = "\n".join(to_text(card) for card in (answer.card, *answer.pages))
    return pages + "\n" + json.dumps(answer.data or {})


# Questions as people ask them, each of which would quote a retired offering if one got through.
@pytest.mark.parametrize(
    ("ask", "said"),
    [
        # /cost compares with the API and with renting: the cheapest API price and rental must be live ones
        (lambda c: cost_answer(c, "glm-5.2", "24GB VRAM + 256GB RAM", hardware_price=12_000), "Z.ai"),
        (lambda c: cost_answer(c, "llama-3.1-8b", "rtx 4090"), "Together"),
        (lambda c: cost_answer(c, "llama-3.1-8b", "rtx 3090"), "Together"),
        # /fit's cost lines quote the API price
        (lambda c: fit_answer(c, "llama-3.1-8b", "rtx 3090"), "RTX 3090"),
        (lambda c: fit_answer(c, "glm-5.2", "24GB VRAM + 256GB RAM"), "GLM"),
        # /compare of two models on one card, and of two rigs for one model
        (lambda c: compare_answer(c, "llama-3.1-8b", "glm-5.2", "RTX 3090"), "GLM"),
        (lambda c: compare_answer(c, "RTX 3090", "RTX 4090", "llama-3.1-8b"), "RTX 4090"),
        # /recommend prices builds from device prices: the 3090's retired $111.11 must not make it the cheapest
        (lambda c: recommend_answer(c, "llama-3.1-8b", min_tps=20), "RTX 3090"),
    ],
)
def test_no_answer_quotes_a_retired_offering(retiring: Catalog, ask: Callable[[Catalog], Answer], said: str) -> None:
    text = _everything_said(ask(retiring))
    assert said in text
    for retired in ("Cerebras", "Mistral AI", "Gone Cloud", "111.11", "0.011"):
        assert retired not in text


# (as_of, kind, days old on the day checked, warned, fails)
DAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("as_of", "kind", "warned", "fails"),
    [
        (dt.date(2026, 11, 22), PriceKind.API, False, False),  # read last month
        (dt.date(2026, 6, 9), PriceKind.API, False, False),  # 180 days: not yet
        (dt.date(2026, 6, 8), PriceKind.API, True, False),  # 181 days: read it again
        (dt.date(2025, 12, 6), PriceKind.API, True, False),  # a year to the day
        (dt.date(2025, 12, 5), PriceKind.API, True, True),  # past a year: /cost would quote last year's tariff
        (dt.date(2024, 3, 12), PriceKind.API, True, True),  # Mixtral's 2024 price
        (dt.date(2025, 2, 6), PriceKind.RENTAL, True, True),  # a rental plan unconfirmed since early 2025
        (dt.date(2026, 5, 27), PriceKind.RENTAL, True, False),
        (dt.date(2020, 9, 1), PriceKind.DEVICE, True, False),  # a launch price: a dated fact, warned only
    ],
)
def test_price_age_warns_after_180_days_and_fails_api_and_rental_after_365(
    as_of: dt.date, kind: PriceKind, warned: bool, fails: bool
) -> None:
    files = CatalogFiles(
        models=(DENSE_8B,),
        hardware=tuple(
            h.model_copy(update={"prices": (Price(usd=1499, source=SRC, as_of=as_of),)}) if h.id == "rtx-3090" else h
            for h in HARDWARE
            if kind is PriceKind.DEVICE or h.id != "rtx-3090"
        ),
        api_prices=(api("llama-3.1-8b", "Together", 0.18, 0.18, on=as_of),) if kind is PriceKind.API else (),
        rental_prices=(rental("rtx-4090", "RunPod", 0.59, on=as_of),) if kind is PriceKind.RENTAL else (),
    )
    stale = [a for a in stale_prices(build([files]), DAY) if a.kind is kind]
    assert bool(stale) is warned
    assert any(a.fails for a in stale) is fails


def test_a_retired_price_is_not_aged_and_a_device_is_aged_by_its_newest_offer() -> None:
    old = Price(usd=1499, source=SRC, as_of=dt.date(2020, 9, 1))
    new = Price(usd=750, condition="new", source=SRC, as_of=dt.date(2026, 11, 1))
    hardware = tuple(h.model_copy(update={"prices": (old, new)}) if h.id == "rtx-3090" else h for h in HARDWARE)
    files = CatalogFiles(
        models=(DENSE_8B,),
        hardware=hardware,
        api_prices=(api("llama-3.1-8b", "Mistral AI", 0.1, 0.1, on=dt.date(2024, 3, 12), ended=True),),
    )
    ages = {a.what: a.age_days for a in price_ages(build([files]), DAY)}
    assert "rtx-3090 new $750" in ages and "rtx-3090 new $1499" not in ages
    assert not any("Mistral" in what for what in ages)


def test_the_real_catalog_has_no_api_or_rental_price_over_a_year_old() -> None:
    """Aged against the catalog's own newest fact, so the test does not read the clock; `rigfit catalog check`
    ages against today."""
    catalog = load()
    failing = [f"{a.what} {a.as_of}" for a in stale_prices(catalog, catalog.as_of, PRICE_FAIL_DAYS) if a.fails]
    assert failing == []


# Offerings that ended, as the catalog records them: no answer may quote them any more.
@pytest.mark.parametrize(
    ("model", "ended_provider", "still_offered_by"),
    [
        ("llama-4-maverick", "Cerebras", None),  # deprecated by Cerebras on 2025-10-15
        ("llama-3.3-70b", "Groq", "DeepInfra (via OpenRouter)"),  # Groq decommissioned it on 2026-08-16
        ("llama-3.1-8b", "Groq", None),
        ("mixtral-8x7b", "Mistral AI", None),  # open-mixtral-8x7b retired 2025-03-30
        ("mixtral-8x22b", "Mistral AI", None),
        ("mistral-nemo-12b", "Mistral AI", None),  # open-mistral-nemo retired 2026-07-31
        ("deepseek-v3", "DeepSeek", None),  # DeepSeek's API serves V4 only since April 2026
        ("deepseek-r1", "DeepSeek", None),
        ("deepseek-v3.1", "DeepSeek", None),
        ("deepseek-v4-flash", None, "DeepSeek"),
        ("deepseek-v4-pro", None, "DeepSeek"),
    ],
)
def test_the_shipped_catalog_quotes_no_ended_offering(
    model: str, ended_provider: str | None, still_offered_by: str | None
) -> None:
    catalog = load()
    providers = {p.provider for p in catalog.api_prices_for(model)}
    if ended_provider:
        assert ended_provider not in providers
        assert any(e.what == f"api {model} ({ended_provider})" for e in catalog.ended)
    if still_offered_by:
        assert still_offered_by in providers
