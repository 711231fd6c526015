"""Every `--json` object: built on the fixture catalog, strict JSON, and every key documented in README.md."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import report_json
from catalog.catalog import Catalog
from engine.calibration import MEASURED_ACCURACY
from engine.cost import Usage, cost_report
from engine.evidence import EvidenceIndex, MeasuredPoint, report_evidence
from engine.fit import FitOptions, FitReport, fit
from engine.parse import parse_hardware
from engine.recommend import best_builds, recommend, upgrade_path, what_fits
from tests.fixtures import catalog

README = Path(__file__).parents[1] / "README.md"


def _fit(cat: Catalog, model: str, hardware: str) -> FitReport:
    return fit(cat.models[model], parse_hardware(hardware, cat))


def _cost(cat: Catalog) -> dict[str, object]:
    """An 8B on a priced card, compared with GLM's API price: local, API and rental all present."""
    m, reading = cat.models["llama-3.1-8b"], parse_hardware("RTX 3090", cat)[0]
    report = fit(m, [reading])
    r = report.readings[0]
    cost = cost_report(
        m,
        reading,
        r.option(r.best),
        cat.api_prices,
        cat.rental_prices,
        cat.hardware,
        Usage(),
        FitOptions(),
        report.context,
    )
    assert cost.local is not None and cost.api and cost.rental is not None  # every nested object is checked
    return report_json.cost_json(cost, m.name, reading.label)


def _recommend(cat: Catalog) -> dict[str, object]:
    m = cat.models["llama-3.1-8b"]
    found = recommend(m, cat, min_decode_tps=5, context=8192, limit=3)
    assert found
    return report_json.recommend_json(m, found, 5.0, None, 8192)


def _recommend_upgrades(cat: Catalog) -> dict[str, object]:
    """Asked as "best for Llama 3.1 8B under $2k, and what would my 3060 need?": best builds and upgrades."""
    m = cat.models["llama-3.1-8b"]
    found = recommend(m, cat, budget_usd=2000, min_decode_tps=40, context=8192, limit=3)
    best = best_builds(m, cat, budget_usd=2000, min_decode_tps=40, context=8192)
    reading = parse_hardware("RTX 3060 12GB + 32GB DDR4", cat)[0]
    # 120 tok/s: a swap reaches it with the published Q4_K_M (an upgrade is priced for a file some engine loads)
    path = upgrade_path(m, reading.rig, cat, min_decode_tps=120, context=8192, label=reading.label)
    assert found and best and path.upgrades
    return report_json.recommend_json(m, found, 40.0, 2000.0, 8192, best, path)


def _whatfits(cat: Catalog) -> dict[str, object]:
    reading = parse_hardware("RTX 4090 + 64GB DDR5", cat)[0]
    found = what_fits(reading, cat, min_decode_tps=1)
    assert found
    return report_json.whatfits_json(reading.label, found, 1.0)


def _fit_everything(cat: Catalog) -> dict[str, object]:
    """Tensor parallelism, concurrency, a time to first token and shorter-context quants all present."""
    data = report_json.fit_json(_fit(cat, "llama-3.1-8b", "2x RTX 3090"))
    best = data["readings"][0]["best"]  # type: ignore[index]
    option = next(o for o in data["readings"][0]["options"] if o["quant"] == best)  # type: ignore[index]
    assert option["tensor_parallel"] and option["concurrency"] and option["ttft_s"] and option["decode_tps_start"]
    return data


def _fit_measured(cat: Catalog) -> dict[str, object]:
    """A published run and a member's report of the same model, card and quant: both kinds of `measured` row."""
    report = _fit(cat, "llama-3.1-8b", "RTX 3090")
    quant = report.readings[0].best or ""
    common = {
        "model_id": "llama-3.1-8b",
        "family": cat.models["llama-3.1-8b"].family,
        "total_params_b": cat.models["llama-3.1-8b"].total_params_b,
        "quant": quant,
        "device_ids": ("rtx-3090",),
        "gpu_count": 1,
        "device_class": "gpu",
        "hardware": "RTX 3090",
    }
    points = [
        MeasuredPoint(kind="published", phase="decode", tokens_per_s=90.0, source="https://example.org/run", **common),
        MeasuredPoint(
            kind="member", phase="prefill", tokens_per_s=3000.0, reported_at="2026-12-01", report_id=7, **common
        ),
    ]
    data = report_json.fit_json(report, report_evidence(report, EvidenceIndex(points)))
    measured = data["readings"][0]["options"]  # type: ignore[index]
    assert {m["kind"] for o in measured for m in o["measured"]} == {"published", "member"}
    return data


# (command, README section(s) that document it, builder on the fixture catalog)
CASES: list[tuple[str, tuple[str, ...], Callable[[Catalog], dict[str, object]]]] = [
    ("fit", ("fit",), _fit_everything),
    ("fit-measured", ("fit",), _fit_measured),
    ("fit-offload", ("fit",), lambda cat: report_json.fit_json(_fit(cat, "glm-5.2", "24GB VRAM + 256GB RAM"))),
    ("fit-shorter", ("fit",), lambda cat: report_json.fit_json(_fit(cat, "glm-5.2", "M3 Ultra 512GB"))),
    ("quants", ("quants",), lambda cat: report_json.quants_json(_fit(cat, "glm-5.2", "256GB"))),
    ("cost", ("cost",), _cost),
    ("recommend", ("recommend",), _recommend),
    ("recommend-upgrades", ("recommend",), _recommend_upgrades),
    ("whatfits", ("whatfits",), _whatfits),
    (
        "compare",
        ("compare", "fit"),
        lambda cat: report_json.compare_json(_fit(cat, "glm-5.2", "256GB"), _fit(cat, "llama-3.1-8b", "256GB")),
    ),
    ("model-moe", ("model",), lambda cat: report_json.model_json(cat.models["glm-5.2"])),
    ("model-hybrid", ("model",), lambda cat: report_json.model_json(cat.models["qwen3-next-80b-a3b"])),
    ("hardware-gpu", ("hardware",), lambda cat: report_json.hardware_json(cat.hardware["rtx-3090"])),
    ("hardware-unified", ("hardware",), lambda cat: report_json.hardware_json(cat.hardware["m3-ultra"])),
    ("hardware-cpu", ("hardware",), lambda cat: report_json.hardware_json(cat.hardware["epyc-9654"])),
    ("about", ("about",), lambda cat: report_json.about_json(cat, "0.1.0", MEASURED_ACCURACY)),
]


def _keys(value: object) -> Iterator[str]:
    """Every key of every object, recursively (objects inside lists included)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def readme_section(command: str) -> str:
    """The README's "### `rigfit <command> --json`" section, up to the next heading of any level."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^### `rigfit {command} --json`\n(.*?)(?=^#)", text, flags=re.M | re.S)
    assert match, f"README.md has no section ### `rigfit {command} --json`"
    return match.group(1)


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    return catalog()


@pytest.mark.parametrize(("name", "sections", "build"), CASES, ids=[c[0] for c in CASES])
def test_every_key_is_documented(
    fixture_catalog: Catalog, name: str, sections: tuple[str, ...], build: Callable[[Catalog], dict[str, object]]
) -> None:
    data = build(fixture_catalog)
    docs = "".join(readme_section(s) for s in sections)
    missing = sorted({k for k in _keys(data) if f"`{k}`" not in docs})
    assert not missing, f"{name}: keys not documented in README.md sections {sections}: {missing}"


@pytest.mark.parametrize(("name", "sections", "build"), CASES, ids=[c[0] for c in CASES])
def test_object_is_strict_json(
    fixture_catalog: Catalog, name: str, sections: tuple[str, ...], build: Callable[[Catalog], dict[str, object]]
) -> None:
    data = build(fixture_catalog)
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_fit_json_sizes_are_decimal_gb(fixture_catalog: Catalog) -> None:
    report = _fit(fixture_catalog, "glm-5.2", "M3 Ultra 256GB")
    option = report.readings[0].option("UD-IQ2_XXS")
    data = report_json.fit_json(report)
    row = next(o for o in data["readings"][0]["options"] if o["quant"] == "UD-IQ2_XXS")  # type: ignore[index]
    assert option is not None and row["weights_gb"] == round(option.weights_bytes / 1e9, 2)


def test_about_names_each_accuracy_figure(fixture_catalog: Catalog) -> None:
    """The decode figure is not shown under the pooled figure's name."""
    accuracy = report_json.about_json(fixture_catalog, "0.1.0", MEASURED_ACCURACY)["accuracy"]
    assert accuracy["decode"]["coverage"] == MEASURED_ACCURACY.decode.coverage  # type: ignore[index]
    pooled = MEASURED_ACCURACY.decode_and_prefill
    assert accuracy["decode_and_prefill"]["coverage"] == pooled.coverage  # type: ignore[index]
    assert accuracy["decode_and_prefill"]["rows"] == pooled.rows != accuracy["decode"]["rows"]  # type: ignore[index]
