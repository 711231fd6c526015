"""Rules found by the sixth expert review (tests/data/expert_review_6.yaml, session 13), each as a table of questions
written the way people ask them in r/LocalLLaMA, Discord servers and forum threads:

- on a Mac where no file fits llama.cpp's budget, the /fit card names the MLX build that runs with the GPU limit
  raised to all but the OS's share, with its context, speed and command: gpt-oss-20b on a 16 GB Mac had read
  'nothing fits' where LM Studio and mlx_lm run it (MLX keeps neither llama.cpp's compute buffer nor its 1 GiB
  margin);
- /recommend's upgrades for a rig leave out one the rig as it is already matches on the upgrade's own quant: an RTX
  4060 Ti 16GB + 32 GB owner asking about Qwen3.6-27B had been offered 'swap the cards for an RTX 3080 10GB ->
  Q4_K_M, typically 5.3 tok/s', where the 4060 Ti runs Q4_K_M at 7.7."""

from __future__ import annotations

import pytest

from bot import wording
from bot.cards import to_text
from catalog.catalog import Catalog
from engine import memory
from engine.cost import CostCaveat, CostCaveatKind
from engine.fit import SHORT_CONTEXT, FitOptions, fit, fit_reading
from engine.parse import parse_hardware
from engine.recommend import upgrade_path, what_fits
from engine.serve import Engine
from engine.units import MIB
from tests.fixtures import assert_review_judged, load_review, run_ok

REVIEW = load_review("expert_review_6.yaml")
_run = run_ok


def test_every_row_is_judged() -> None:
    assert_review_judged(REVIEW, 60)


# --- a Mac on which nothing fits llama.cpp's budget: the MLX build that runs -----------------------------------------

# (model, hardware as people write it, whether the card names an MLX build that runs with the limit raised)
MLX_TIGHT = [
    ("gpt-oss 20b", "mac mini m4 16gb", True),  # had read 'nothing fits'
    ("gpt-oss 20b", "macbook pro m1 pro 16gb", True),
    ("gpt-oss 20b", "macbook air m2 16gb", True),
    ("gpt-oss 20b", "macbook air m2 8gb", False),  # 12 GB of weights: no Mac budget holds them in 8 GB
    ("gpt-oss 20b", "mac mini m4 24gb", False),  # llama.cpp's budget holds it: its own answer
    ("gpt-oss 20b", "rtx 3060 12gb", False),  # not a Mac
    ("qwen3 30b a3b", "mac mini m4 16gb", False),  # a GGUF fits llama.cpp's budget
]


@pytest.mark.parametrize(("model", "hardware", "named"), MLX_TIGHT)
def test_a_mac_on_which_nothing_fits_llama_cpp_names_the_mlx_build_that_runs(
    real_catalog: Catalog, model: str, hardware: str, named: bool
) -> None:
    answer = _run(real_catalog, "fit", model=model, hardware=hardware)
    r = answer.report.readings[0]
    tight = r.mlx_tight
    assert (tight is not None) is named, (r.best, tight)
    data = answer.data["readings"][0]["mlx_tight"]
    if tight is None:
        assert data is None
        return
    assert r.pick is None  # only where llama.cpp's budget holds nothing
    unified = r.rig.unified
    assert unified is not None
    o = tight.option
    pool = o.placement.pools[0]
    os_share = memory.os_reserve_bytes(unified.memory_bytes)
    assert o.format == "mlx" and o.verdict == "fits"
    assert pool.used_bytes <= unified.memory_bytes - os_share  # the OS keeps its share, as with a machine's RAM
    assert pool.used_bytes >= o.weights_bytes + o.kv_cache_bytes  # a runtime's context on top of weights and cache
    assert o.placement.wired_limit_mb is not None
    assert pool.used_bytes <= o.placement.wired_limit_mb * MIB <= unified.memory_bytes - os_share
    assert SHORT_CONTEXT <= tight.context <= answer.report.context
    assert o.decode_tps is not None and o.decode_tps.centre > 0
    assert [p.engine for p in o.serve.plans] == [Engine.MLX]
    text = to_text(answer.card)
    assert "mlx_lm.server" in text and f"iogpu.wired_limit_mb={o.placement.wired_limit_mb}" in text
    assert data["quant"] == tight.quant and data["context"] == tight.context


@pytest.mark.parametrize("context", [8192, 16384, 32768])
def test_the_mlx_build_takes_the_longest_context_that_fits(real_catalog: Catalog, context: int) -> None:
    """gpt-oss-20b on a 16 GB Mac at each asked context: the context given holds, one step more does not (or it is
    the context asked)."""
    model = real_catalog.models["gpt-oss-20b"]
    reading = parse_hardware("mac mini m4 16gb", real_catalog)[0]
    tight = fit(model, [reading], FitOptions(context=context)).readings[0].mlx_tight
    assert tight is not None
    unified = reading.rig.unified
    assert unified is not None
    room = unified.memory_bytes - memory.os_reserve_bytes(unified.memory_bytes)
    runtime = memory.RUNTIME_BYTES[unified.backend]
    profile = memory.kv_profile(model, "f16", 1)
    assert tight.option.weights_bytes + profile.bytes_at(tight.context) + runtime <= room
    if tight.context < context:
        assert tight.option.weights_bytes + profile.bytes_at(tight.context + 1024) + runtime > room


# --- /recommend's upgrades: none the rig as it is already matches ----------------------------------------------------

# (model id, the rig as people write it)
UPGRADES = [
    ("qwen3.6-27b", "rtx 4060 ti 16gb + 32gb ddr5"),  # had offered an RTX 3080 10GB swap at 5.3 tok/s
    ("qwen3-235b-a22b-instruct-2507", "rtx 3090 + 64gb ddr4"),
    ("llama-3.3-70b", "rtx 3060 12gb + 32gb ddr4"),
    ("gemma-4-31b", "rtx 3060 12gb + 32gb ddr4"),
    ("mistral-small-3.2-24b", "rtx 3060 12gb + 32gb ddr4"),
    ("qwen3.6-27b", "rx 7600 + 32gb ddr5"),
    ("llama-3.3-70b", "rtx 3090 + 64gb ddr4"),
    ("glm-4.5-air", "rtx 3060 12gb + 64gb ddr4"),
]


@pytest.mark.parametrize(("model", "hardware"), UPGRADES)
def test_no_upgrade_the_rig_already_matches(real_catalog: Catalog, model: str, hardware: str) -> None:
    m = real_catalog.models[model]
    reading = parse_hardware(hardware, real_catalog)[0]
    path = upgrade_path(m, reading.rig, real_catalog)
    assert path.upgrades, hardware
    for u in path.upgrades:
        c = u.candidate
        opts = FitOptions(quant=c.quant, kv_type=c.kv_type, context=c.context)
        own = fit_reading(m, reading, c.context, opts).pick
        if own is None or own.quant != c.quant or own.option.decode_tps is None or not own.option.loadable:
            continue  # the rig does not run the upgrade's quant: the upgrade buys it
        as_is = (own.option.decode_tps.centre, own.context, own.option.max_context)
        bought = (c.decode_typical, c.context, c.max_context)
        assert not all(have >= get for have, get in zip(as_is, bought, strict=True)), (u.kind, u.device, as_is, bought)


def test_the_swap_that_buys_something_is_kept(real_catalog: Catalog) -> None:
    """Passing over the RTX 3080 10GB swap, the 4060 Ti owner is offered the cheapest swap that beats the card:
    a swap to a card of at least its memory."""
    m = real_catalog.models["qwen3.6-27b"]
    reading = parse_hardware("rtx 4060 ti 16gb + 32gb ddr5", real_catalog)[0]
    swaps = [u for u in upgrade_path(m, reading.rig, real_catalog).upgrades if u.kind.value == "swap-cards"]
    assert swaps
    have = reading.rig.gpus[0].memory_bytes
    assert all(real_catalog.hardware[u.device_id].memory_gib * 2**30 >= have for u in swaps if u.device_id)


# --- /cost: a day's volume above one request at a time is served batched -------------------------------------------

# (model, hardware, tokens a day asked): under the one-request capacity, between it and the batched one, above both
VOLUMES = [
    ("deepseek v4 flash", "4x rtx pro 6000", 50_000_000),  # had been spread over 25M: $1.54/M for $0.77
    ("qwen3 235b", "8x rtx 3090", 50_000_000),  # more than batched does: the day over the batched capacity
    ("qwen3.6 35b a3b", "rtx 3090", 60_000_000),
    ("qwen3.6 27b", "rtx 5090", 5_000_000),  # within one request at a time: as before
    ("gpt-oss 120b", "dgx spark", 2_000_000),
]


@pytest.mark.parametrize(("model", "hardware", "per_day"), VOLUMES)
def test_a_day_above_one_request_at_a_time_is_served_batched(
    real_catalog: Catalog, model: str, hardware: str, per_day: int
) -> None:
    answer = _run(real_catalog, "cost", model=model, hardware=hardware, tokens_per_day=per_day)
    local, capacity = answer.data["local"], answer.data["capacity_tokens_per_day"]
    single, batched = capacity["single_stream"], capacity["batched"] or 0
    most = max(single, batched)
    processed = min(per_day, most)
    day = local["usd_hardware"] / (3 * 365.25) + (local["usd_power_per_day"] or 0.0)
    assert local["usd_per_m_tokens"] == pytest.approx(day / (processed / 1e6), rel=0.01)
    busy = local["hours_per_day"]
    assert busy <= 24.0 and (busy == pytest.approx(24.0 * processed / most, rel=0.01) if per_day > single else True)
    notes = answer.data["notes"]
    served_batched = wording.cost_caveat(
        CostCaveat(
            kind=CostCaveatKind.BATCHED,
            max_tokens_per_day=single,
            tokens_per_day=per_day,
            batched_tokens_per_day=batched,
        )
    )
    over = wording.cost_caveat(
        CostCaveat(kind=CostCaveatKind.OVER_CAPACITY, max_tokens_per_day=most, tokens_per_day=per_day)
    )
    assert (served_batched in notes) is (single < per_day <= most), notes
    assert (over in notes) is (per_day > most), notes


# --- /whatfits: a coding model sized at a coding session's context --------------------------------------------------

# (hardware as people write it): every coding model listed runs at a coding session's 32k (its limit if less)
CODING_RIGS = ["macbook pro m5 32gb", "rtx 3060 12gb + 16gb ddr4", "rtx 4060 ti 16gb", "rtx 3090", "m4 pro 24gb"]


@pytest.mark.parametrize("hardware", CODING_RIGS)
def test_whatfits_sizes_a_coding_model_for_a_coding_session(real_catalog: Catalog, hardware: str) -> None:
    """An M5 32GB had been offered Qwen3-Coder-30B at Q5_K_M 'up to 11k context' for coding (its pick at a chat's
    8k), where /fit runs Q4_K_M at 32k (43k at most). Chat models stay at 8k."""
    reading = parse_hardware(hardware, real_catalog)[0]
    fits = what_fits(reading, real_catalog, limit=500)
    coders = [f for f in fits if "coder" in f.name.lower()]
    assert coders, hardware
    for f in coders:
        asked = min(32768, real_catalog.models[f.model_id].context_limit_tokens)
        assert f.context == asked and f.max_context >= asked, (f.name, f.quant, f.context, f.max_context)
    chats = [f for f in fits if "cod" not in f.name.lower()]
    assert chats and all(f.context <= 8192 for f in chats)


# (first model, second model): on a 16 GB Mac, where only MLX's tight fit runs gpt-oss-20b
MAC_COMPARE = [("gpt-oss 20b", "qwen3 8b"), ("qwen3 8b", "gpt-oss 20b"), ("gpt-oss 20b", "gemma 3 12b")]


@pytest.mark.parametrize(("first", "second"), MAC_COMPARE)
def test_compare_counts_the_mlx_build_as_running(real_catalog: Catalog, first: str, second: str) -> None:
    """/compare had said 'Only Qwen3-8B runs it' above a gpt-oss-20b field naming the MLX build that runs: the
    verdict now weighs the two, as for any two that run."""
    answer = _run(real_catalog, "compare", first=first, second=second, against="mac mini m4 16gb")
    readings = [c["readings"][0] for c in answer.data["compared"]]
    assert all(r["pick"] is not None or r["mlx_tight"] is not None for r in readings)
    verdict = answer.card.description or ""
    assert not verdict.startswith("Only"), verdict
    assert "faster" in verdict or "about as fast" in verdict, verdict


# (hardware): /whatfits lists gpt-oss-20b on a Mac where only MLX's tight fit runs it, as /fit names it
WHATFITS_MLX = ["mac mini m4 16gb", "macbook pro m1 pro 16gb", "macbook air m2 16gb"]


@pytest.mark.parametrize("hardware", WHATFITS_MLX)
def test_whatfits_lists_the_mlx_build_fit_names(real_catalog: Catalog, hardware: str) -> None:
    reading = parse_hardware(hardware, real_catalog)[0]
    listed = {f.model_id: f for f in what_fits(reading, real_catalog, limit=500)}
    model = real_catalog.models["gpt-oss-20b"]
    tight = fit(model, [reading], FitOptions(context=8192)).readings[0].mlx_tight
    assert tight is not None and "gpt-oss-20b" in listed
    f = listed["gpt-oss-20b"]
    assert (f.quant, f.kv_type, f.context, f.verdict) == (tight.quant, tight.kv_type, tight.context, "fits")
