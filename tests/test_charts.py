"""Chart PNGs: valid images of the stated size, small enough for a phone, for the cases people ask about."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.charts import compare_chart, fit_chart
from catalog.catalog import Catalog
from engine.curves import speed_curves
from engine.fit import FitOptions, fit
from engine.parse import parse_hardware, parse_model

PNG_MAX_BYTES = 200_000
SIZE_PX = (960, 440)


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize(
    ("model", "hardware"),
    [
        ("glm-5.2", "24GB VRAM + 256GB RAM"),  # MoE offload: two pools
        ("glm-5.2", "M3 Ultra 256GB"),  # unified memory
        ("llama-3.1-8b", "RTX 3090"),  # all on one GPU
        ("llama-3.1-8b", "2x RTX 3090"),  # a layer split
        ("qwen3-next-80b-a3b", "64GB DDR5 no gpu"),  # CPU only
    ],
)
def test_fit_chart(cat: Catalog, model: str, hardware: str) -> None:
    m, readings = parse_model(model, cat), parse_hardware(hardware, cat)
    report = fit(m, readings)
    first = report.readings[0]
    assert first.best is not None
    curves = speed_curves(m, readings[0], (first.best,), FitOptions())
    png = fit_chart(report, curves)
    assert png is not None and len(png) < PNG_MAX_BYTES
    image = _image(png)
    assert (image.format, image.size) == ("PNG", SIZE_PX)


def test_no_chart_when_nothing_fits(cat: Catalog) -> None:
    report = fit(parse_model("glm-5.2", cat), parse_hardware("RTX 3090", cat)[:1])
    assert fit_chart(report, ()) is None


def test_curves_end_where_the_quant_stops_fitting(cat: Catalog) -> None:
    m, readings = parse_model("llama-3.1-8b", cat), parse_hardware("RTX 3090", cat)
    curve = speed_curves(m, readings[0], ("Q8_0",), FitOptions())[0]
    contexts = [p.context for p in curve.points]
    assert contexts == sorted(contexts) and contexts[0] == 4096
    assert all(p.context <= m.context_max_tokens for p in curve.points)
    decode = [p.decode_tps.centre for p in curve.points]
    assert decode == sorted(decode, reverse=True)  # a longer cache is never faster


@pytest.mark.parametrize(
    ("first", "second", "hardware"),
    [("llama-3.1-8b", "gemma-3-27b", "RTX 3090"), ("glm-5.2", "llama-3.1-8b", "RTX 3090")],
)
def test_compare_chart(cat: Catalog, first: str, second: str, hardware: str) -> None:
    hw = parse_hardware(hardware, cat)[:1]
    png = compare_chart(fit(parse_model(first, cat), hw), fit(parse_model(second, cat), hw))
    assert len(png) < PNG_MAX_BYTES and _image(png).size == SIZE_PX
