"""A small catalog built in code, independent of catalog/data, so engine tests pin behaviour, not data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from bot.commands import run_request
from bot.requests import Frontend
from catalog.catalog import Catalog, build
from catalog.types import (
    ApiPrice,
    Attention,
    CatalogFiles,
    Experts,
    Gpu,
    Hardware,
    Model,
    PlatformPart,
    PlatformPrice,
    Price,
    Quant,
    RentalPrice,
    SystemMemory,
    Unified,
)
from engine import memory
from engine.parse import parse_hardware, parse_model
from engine.placement import Placement, place
from engine.rig import Rig

AS_OF = dt.date(2026, 11, 1)
SRC = "tests/fixtures.py (test data)"
GB = 10**9


def q(name: str, gb: float, repo: str | None = None) -> Quant:
    return Quant(name=name, file_bytes=int(gb * GB), repo=repo, source=SRC, as_of=AS_OF)


GLM_GGUF = "unsloth/GLM-5.2-GGUF"  # the repos the real catalog names for these models (catalog/data/models)
LLAMA_8B_GGUF = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"


BIG_MOE = Model(
    id="glm-5.2",
    name="GLM-5.2",
    family="glm",
    aliases=("zai glm 5.2",),
    total_params_b=744,
    active_params_b=40,
    layers=78,
    context_max_tokens=1_048_576,
    attention=Attention(kind="mla", kv_lora_rank=512, qk_rope_head_dim=64),
    experts=Experts(n_routed=256, n_active=8, n_shared=1, dense_layers=3),
    vocab_size=154_880,
    quants=(
        q("UD-IQ1_M", 217, GLM_GGUF),
        q("UD-IQ2_XXS", 241, GLM_GGUF),
        q("UD-Q4_K_XL", 431, GLM_GGUF),
        q("Q8_0", 805, GLM_GGUF),
        q("BF16", 1510, GLM_GGUF),
    ),
    source=SRC,
    as_of=AS_OF,
)
DENSE_8B = Model(
    id="llama-3.1-8b",
    name="Llama-3.1-8B",
    family="llama",
    total_params_b=8.03,
    layers=32,
    context_max_tokens=131_072,
    attention=Attention(kind="gqa", n_heads=32, n_kv_heads=8, head_dim=128),
    hidden_size=4096,
    vocab_size=128_256,
    quants=(q("Q4_K_M", 4.92, LLAMA_8B_GGUF), q("Q8_0", 8.54, LLAMA_8B_GGUF)),
    source=SRC,
    as_of=AS_OF,
)
SLIDING = Model(
    id="gemma-3-27b",
    name="Gemma-3-27B",
    family="gemma",
    total_params_b=27,
    layers=62,
    context_max_tokens=131_072,
    attention=Attention(
        kind="gqa",
        n_heads=32,
        n_kv_heads=16,
        head_dim=128,
        sliding_window_tokens=1024,
        sliding_window_layers=52,
    ),
    source=SRC,
    as_of=AS_OF,
)
HYBRID = Model(
    id="qwen3-next-80b-a3b",
    name="Qwen3-Next-80B-A3B",
    family="qwen",
    total_params_b=80,
    active_params_b=3,
    layers=48,
    context_max_tokens=262_144,
    attention=Attention(
        kind="gqa",
        n_kv_heads=2,
        head_dim=256,
        linear_attention_layers=36,
        recurrent_state_bytes_per_layer=1_000_000,
    ),
    experts=Experts(n_routed=512, n_active=10, n_shared=1),
    source=SRC,
    as_of=AS_OF,
)


def gpu(
    id_: str, name: str, gib: float, bw: float, tflops: float, usd: float | None = None, nvlink: float | None = None
) -> Gpu:
    prices = (Price(usd=usd, source=SRC, as_of=AS_OF, condition="used"),) if usd else ()
    return Gpu(
        id=id_,
        name=name,
        vendor="nvidia",
        memory_gib=gib,
        bandwidth_gb_s=bw,
        fp16_tflops=tflops,
        backend="cuda",
        aliases=(id_.removeprefix("rtx-"),),
        prices=prices,
        nvlink_gb_s=nvlink,
        source=SRC,
        as_of=AS_OF,
    )


HARDWARE = (
    gpu("rtx-3090", "NVIDIA GeForce RTX 3090", 24, 936, 71, usd=700, nvlink=56.25),
    gpu("rtx-3090-ti", "NVIDIA GeForce RTX 3090 Ti", 24, 1008, 80),
    gpu("rtx-4090", "NVIDIA GeForce RTX 4090", 24, 1008, 165),
    gpu("rtx-5090", "NVIDIA GeForce RTX 5090", 32, 1792, 210),
    Unified(
        id="m3-ultra",
        name="Apple M3 Ultra",
        vendor="apple",
        aliases=("mac studio m3 ultra",),
        memory_gib_options=(96, 256, 512),
        bandwidth_gb_s=819,
        backend="metal",
        fp16_tflops=30,
        release_date=dt.date(2025, 3, 12),
        source=SRC,
        as_of=AS_OF,
    ),
    Unified(
        id="m2-ultra",
        name="Apple M2 Ultra",
        vendor="apple",
        memory_gib_options=(64, 128, 192),
        bandwidth_gb_s=800,
        backend="metal",
        release_date=dt.date(2023, 6, 5),
        source=SRC,
        as_of=AS_OF,
    ),
    SystemMemory(
        id="epyc-9654",
        name="AMD EPYC 9654",
        vendor="amd",
        memory_type="DDR5",
        mt_s=4800,
        channels=12,
        bandwidth_gb_s=460.8,
        source=SRC,
        as_of=AS_OF,
    ),
)


def catalog(extra_hardware: tuple[Hardware, ...] = ()) -> Catalog:
    return build(
        [
            CatalogFiles(
                models=(BIG_MOE, DENSE_8B, SLIDING, HYBRID),
                hardware=HARDWARE + extra_hardware,
                api_prices=(
                    ApiPrice(
                        model="glm-5.2",
                        provider="z.ai",
                        usd_per_m_input=1.4,
                        usd_per_m_output=4.4,
                        source=SRC,
                        as_of=AS_OF,
                    ),
                ),
                rental_prices=(
                    RentalPrice(hardware="rtx-4090", provider="x", usd_per_hour=0.5, source=SRC, as_of=AS_OF),
                ),
                platform_prices=PLATFORMS,
            )
        ]
    )


def _platform(pid: str, channels: int, max_gpus: int, usd: float, cpu_watts: float) -> PlatformPrice:
    part = PlatformPart(part="board", name=f"{pid} board and CPU", usd=usd, source=SRC, as_of=AS_OF)
    return PlatformPrice(
        id=pid, name=pid, memory_type="DDR5", channels=channels, max_gpus=max_gpus, parts=(part,), cpu_watts=cpu_watts
    )


# A desktop for 1-2 cards and an 8-channel workstation for up to 7 (catalog/data/prices/platforms.yaml's classes).
PLATFORMS = (_platform("desktop", 2, 2, 400, 65), _platform("workstation", 8, 7, 2000, 350))


def placed(
    catalog: Catalog, model_id: str, quant: str, hardware: str, kv_tokens: int = 4096
) -> tuple[Model, Rig, Placement]:
    """A model at a quant placed on hardware as typed, with a KV cache for `kv_tokens`: where speed tests start."""
    model = parse_model(model_id, catalog)
    rig = parse_hardware(hardware, catalog)[0].rig
    weights = memory.weights_estimate(model, quant)
    assert weights is not None, (model_id, quant)
    return model, rig, place(model, rig, weights.n_bytes, memory.kv_cache_bytes(model, kv_tokens))


def assert_pick(
    real_catalog: Catalog, model: str, hardware: str, context: int | None, quants: set[str], checkpoint: str | None
) -> None:
    """The pick for a question as people ask it (a model, a rig's first reading, a context) is one of `quants`, and
    its llama.cpp plan loads `checkpoint` where one is named."""
    from engine.fit import FitOptions, fit
    from engine.serve import Engine

    reading = fit(
        parse_model(model, real_catalog), parse_hardware(hardware, real_catalog)[:1], FitOptions(context=context)
    )
    pick = reading.readings[0].pick
    assert pick is not None
    assert pick.quant in quants, pick.quant
    if checkpoint is not None:
        plan = pick.option.serve.plan(Engine.LLAMA_CPP)
        assert plan is not None and plan.checkpoint == checkpoint, plan and plan.checkpoint


REVIEW_VERDICTS = {"right", "wrong", "debatable"}


def load_review(name: str) -> list[dict[str, Any]]:
    """An expert review's rows (tests/data/<name>)."""
    rows: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "data" / name).read_text(encoding="utf-8"))
    return rows


def assert_review_judged(review: list[dict[str, Any]], questions: int) -> None:
    """Each question says how it was asked, what was asked and a verdict with its reason, before and after."""
    assert len(review) == questions
    for row in review:
        assert row["ask"] and (row.get("model") or row.get("hardware") or row.get("first")), row
        assert row["before"] in REVIEW_VERDICTS and row["after"] in REVIEW_VERDICTS, row["ask"]
        assert len(row["why"]) > 20, row["ask"]
    assert len({row["ask"] for row in review}) == len(review)


def run_ok(catalog: Catalog, command: str, **args: Any) -> Any:
    """A command's answer through the CLI frontend, which must not be an error."""
    answer = run_request(catalog, command, args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


def fit_shown_second(catalog: Catalog, model: str, hardware: str, second: Any) -> Any:
    """/fit's card for a model on hardware, its pick's plans shown in the card's order: the first plan first, every
    plan once, and `second`'s engine second. Returns the answer."""
    from bot.cards import shown_plans

    answer = run_ok(catalog, "fit", model=model, hardware=hardware)
    option = answer.report.readings[0].best_option
    assert option is not None
    plans = option.serve.plans
    shown = shown_plans(option)
    assert shown[0] == plans[0] and set(shown) == set(plans) and len(shown) == len(plans)
    assert shown[1].engine is second, [p.engine.value for p in shown]
    return answer
