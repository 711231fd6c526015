"""The pick an expert would make, on the shipped catalog: questions as people ask them in r/LocalLLaMA and Discord
("can I run llama 3.3 70b on dual 3090s?", "what quant of the R1 32B distill for my 3090?"), and the quant a
regular there would answer with. Also the ladder every model is offered and how quants are named."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine import quants
from engine.fit import FitOptions, Trade, fit
from engine.parse import parse_hardware
from engine.quants import Tier

GOOD_OR_BETTER = {Tier.NEAR_LOSSLESS, Tier.HIGH, Tier.GOOD}

# (model, hardware as typed, quants an expert would accept, tiers accepted, why)
PICKS = [
    # "llama 3.3 70b on dual 3090s": Q4_K_M with 16k, or 32k with a q8_0 cache; never "nothing fits"
    ("llama-3.3-70b", "dual 3090", {"Q4_K_M"}, GOOD_OR_BETTER, "the usual 70B answer on 48 GB"),
    # "R1 distill 32b on my 3090": Q4_K_M with a shorter context, not Q2_K at 32k
    ("deepseek-r1-distill-qwen-32b", "3090", {"Q4_K_M"}, GOOD_OR_BETTER, "32B at 4 bits on 24 GB"),
    ("qwen3-32b", "RTX 3090", {"Q4_K_M"}, GOOD_OR_BETTER, "32B at 4 bits on 24 GB"),
    # 640 GB of H100s hold GLM-5.2 at 5-6 bits: a 2-bit file there is a waste of the machine
    ("glm-5.2", "8x H100", None, {Tier.HIGH, Tier.NEAR_LOSSLESS, Tier.GOOD}, "4-8 bits on 640 GB"),
    ("glm-5.2", "Mac Studio M3 Ultra 512GB", None, GOOD_OR_BETTER, "4 bits and up on 512 GB"),
    ("deepseek-r1", "8x H100", None, GOOD_OR_BETTER, "671B at 4+ bits on 640 GB"),
    # a 24 GB card and 256 GB of RAM: the 2-bit dynamic quant with expert offload is what people run (3-9 tok/s);
    # a 3-bit IQ3_XXS (~286 GB from the parameter split) just fits the 280 GB (GiB) with expert offload
    ("glm-5.2", "24GB VRAM + 256GB RAM", {"UD-IQ2_XXS", "UD-IQ2_M", "IQ3_XXS"}, {Tier.DEGRADED, Tier.FAIR}, "offload"),
    ("gpt-oss-120b", "H100", {"MXFP4"}, {Tier.GOOD}, "the released MXFP4 on one 80 GB card"),
    ("gpt-oss-120b", "RTX 3090 + 64GB DDR5", {"MXFP4"}, {Tier.GOOD}, "MXFP4 with --n-cpu-moe"),
    # an 8B on a 4090: Q8_0, as good as BF16 at half the bytes to read per token
    ("llama-3.1-8b", "RTX 4090", {"Q8_0"}, {Tier.NEAR_LOSSLESS}, "Q8_0, not BF16"),
    # Unsloth's dynamic 2-bit people download, not a 3-bit no one publishes (and no 16-bit GGUF to make it from)
    ("kimi-k2.5", "512GB DDR5 EPYC 9654", {"UD-Q2_K_XL"}, {Tier.DEGRADED}, "a file some engine loads"),
    ("qwen3-30b-a3b", "RTX 3090", None, GOOD_OR_BETTER, "30B-A3B at 4+ bits on 24 GB"),
    ("gemma-3-27b", "RTX 3090", None, GOOD_OR_BETTER, "27B at 4+ bits on 24 GB"),
    ("qwen2.5-72b", "M4 Max 128GB", None, GOOD_OR_BETTER, "72B at 4+ bits on 128 GB"),
    # experts in RAM: decode reads them from there, so the usual 4-bit file, not Q8_0 filling 25 of 32 GB at half
    # the speed ("Q4_K_M with --n-cpu-moe" is the r/LocalLLaMA answer for a 12 GB card and 32 GB)
    ("qwen3-30b-a3b", "RTX 3060 12GB + 32GB DDR4", None, {Tier.GOOD}, "4 bits when the experts sit in RAM"),
    ("gemma-4-26b-a4b", "rtx 4060 8gb + 32gb ddr5", None, {Tier.GOOD}, "4 bits when the experts sit in RAM"),
    ("deepseek-r1", "EPYC 9654 768GB", None, {Tier.GOOD}, "CPU only: every byte read from RAM each token"),
]


@pytest.mark.parametrize(("model", "hardware", "quant", "tiers", "why"), PICKS, ids=[f"{p[0]}@{p[1]}" for p in PICKS])
def test_the_pick(
    real_catalog: Catalog, model: str, hardware: str, quant: set[str] | None, tiers: set[Tier], why: str
) -> None:
    reading = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog)).readings[0]
    pick = reading.pick
    assert pick is not None, why
    assert pick.tier in tiers and (quant is None or pick.quant in quant), (pick.quant, pick.trade, why)
    assert reading.best == pick.quant and reading.best_option is pick.option
    assert pick.option.verdict != "does-not-fit"  # what /fit, /cost and /whatfits then show runs


# (model, hardware) where no 4-bit quant fits at 32k: the pick keeps 4 bits by a q8_0 cache or less context
TRADES = [
    ("llama-3.3-70b", "2x RTX 3090"),
    ("deepseek-r1-distill-qwen-32b", "RTX 3090"),
    ("qwen3-32b", "RTX 3090"),
    ("mistral-small-3.2-24b", "RTX 4060 Ti 16GB"),
]


@pytest.mark.parametrize(("model", "hardware"), TRADES)
def test_context_and_kv_are_traded_before_bits(real_catalog: Catalog, model: str, hardware: str) -> None:
    m, readings = real_catalog.models[model], parse_hardware(hardware, real_catalog)
    reading = fit(m, readings).readings[0]
    pick = reading.pick
    assert pick is not None and pick.trade is not Trade.NONE and pick.tier in GOOD_OR_BETTER
    assert 8192 <= pick.context <= 32768 and pick.option.verdict == "fits"
    # the trade is real: asked for at that context and KV type, the same quant fits; 1k more does not (or 32k)
    again = fit(m, readings, FitOptions(context=pick.context, kv_type=pick.kv_type, quant=pick.quant)).readings[0]
    assert again.options[0].verdict == "fits"
    if pick.context < 32768:
        over = FitOptions(context=pick.context + 1024, kv_type=pick.kv_type, quant=pick.quant)
        assert fit(m, readings, over).readings[0].options[0].verdict != "fits"
    # and without it only a lower tier runs at 32k, which the card names
    if pick.instead is not None:
        instead = reading.option(pick.instead)
        assert instead is not None and instead.tier not in GOOD_OR_BETTER


@pytest.mark.parametrize(("model", "hardware"), [*TRADES, ("llama-3.1-8b", "GTX 1070")])
def test_the_ladder_says_how_much_context_each_quant_fits(real_catalog: Catalog, model: str, hardware: str) -> None:
    """A pick that traded context sits in a ladder of ❌ at the asked 32k: each of those that fits with 8k or more
    says the longest context it fits, so the ladder never contradicts the pick, and a smaller file fits longer."""
    m, readings = real_catalog.models[model], parse_hardware(hardware, real_catalog)
    reading = fit(m, readings).readings[0]
    longest = dict(reading.fits_with_less_context)
    pick = reading.pick
    assert pick is not None and pick.trade in (Trade.SHORTER_CONTEXT, Trade.SHORTER_CONTEXT_KV_Q8, Trade.KV_Q8)
    if pick.kv_type == "f16":
        assert longest[pick.quant] >= pick.context
    for quant, tokens in longest.items():
        option = reading.option(quant)
        assert option is not None and option.verdict != "fits" and 8192 <= tokens < 32768
        again = fit(m, readings, FitOptions(context=tokens, quant=quant)).readings[0].options[0]
        assert again.verdict == "fits", (quant, tokens)
    sizes = sorted((reading.option(q).weights_bytes, n) for q, n in longest.items())  # type: ignore[union-attr]
    assert [n for _, n in sizes] == sorted((n for _, n in sizes), reverse=True)


def test_an_asked_context_is_not_shortened(real_catalog: Catalog) -> None:
    m = real_catalog.models["llama-3.3-70b"]
    pick = fit(m, parse_hardware("2x RTX 3090", real_catalog), FitOptions(context=32768)).readings[0].pick
    assert pick is not None and pick.context == 32768 and pick.trade in (Trade.NONE, Trade.KV_Q8)


TRADED = {Trade.KV_Q8, Trade.SHORTER_CONTEXT, Trade.SHORTER_CONTEXT_KV_Q8}
ANY_TRADE = TRADED | {Trade.NONE}
FOUR_BITS_UP = {Tier.NEAR_LOSSLESS, Tier.HIGH, Tier.GOOD}

# (model, hardware as typed, context asked (None: the default), quants accepted (None: any of the tiers), tiers,
#  trades accepted, what a regular in r/LocalLLaMA or a Discord help channel would answer)
PICK_TABLE = [
    ("llama-3.3-70b", "dual 3090", None, {"Q4_K_M"}, FOUR_BITS_UP, TRADED,
     "Q4_K_M at 16k, or about 30k with a q8_0 cache; a 3-bit file runs at 32k"),
    ("llama-3.3-70b", "2x3090", 32768, {"Q4_K_M", "Q4_K_S"}, FOUR_BITS_UP, {Trade.KV_Q8},
     "32k asked for: keep 4 bits with a q8_0 cache, never shorten an asked context"),
    ("deepseek-r1-distill-qwen-32b", "3090", None, {"Q4_K_M"}, FOUR_BITS_UP, TRADED,
     "Q4_K_M with ~14k of context, not Q2_K at 32k"),
    ("qwen3-32b", "3090", 16384, None, {Tier.GOOD}, {Trade.NONE, Trade.KV_Q8}, "4 bits at the 16k asked for"),
    ("glm-5.2", "8x H100", None, None, {Tier.HIGH, Tier.NEAR_LOSSLESS}, {Trade.NONE}, "640 GB: 5-8 bits, not 2"),
    ("glm-5.2", "M3 Ultra 512GB", None, None, FOUR_BITS_UP, {Trade.NONE}, "4-5 bits with the wired limit raised"),
    ("glm-5.2", "1.5TB DDR5 EPYC", None, None, FOUR_BITS_UP, {Trade.NONE}, "1.5 TB of RAM holds 8 bits"),
    ("qwen3-coder-30b-a3b", "RTX 4070 12GB + 64GB DDR5", None, None, FOUR_BITS_UP, {Trade.NONE},
     "a 30B-A3B with its experts in RAM runs fast enough at 4+ bits"),
    ("llama-3.1-8b", "RTX 3060 12GB", None, {"Q6_K", "Q8_0"}, {Tier.HIGH, Tier.NEAR_LOSSLESS}, {Trade.NONE},
     "an 8B on 12 GB: Q6_K or Q8_0"),
    ("mistral-small-3.2-24b", "RTX 4060 Ti 16GB", None, None, {Tier.GOOD}, TRADED,
     "24B on 16 GB: 4 bits, less context"),
    ("llama-3.3-70b", "M4 Max 64GB", None, {"Q4_K_M"}, {Tier.GOOD}, {Trade.NONE}, "70B Q4_K_M on a 64 GB Mac"),
    ("llama-3.3-70b", "RTX 4090", None, None, {Tier.DEGRADED}, ANY_TRADE,
     "one 24 GB card: only a 2-bit file runs on the GPU (a 4-bit offload is ~2 tok/s), marked degraded"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "hardware", "context", "quant", "tiers", "trades", "why"),
    PICK_TABLE,
    ids=[f"{p[0]}@{p[1]}@{p[2]}" for p in PICK_TABLE],
)
def test_pick_table(
    real_catalog: Catalog,
    model: str,
    hardware: str,
    context: int | None,
    quant: set[str] | None,
    tiers: set[Tier],
    trades: set[Trade],
    why: str,
) -> None:
    reading = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog), FitOptions(context=context))
    pick = reading.readings[0].pick
    assert pick is not None, why
    assert pick.tier in tiers and pick.trade in trades, (pick.quant, pick.tier, pick.trade, why)
    assert quant is None or pick.quant in quant, (pick.quant, why)
    assert context is None or pick.context == context  # an asked context is kept
    assert pick.option.serve.plans, (pick.quant, "the pick prints a command that starts")


def test_a_traded_pick_names_both_ways(real_catalog: Catalog) -> None:
    """'Q4_K_M at 16k, or Q3_K_L at 32k': the card needs the shorter context, the longer one with a q8_0 cache,
    and the lower quant that runs at the asked context."""
    pick = fit(real_catalog.models["llama-3.3-70b"], parse_hardware("dual 3090", real_catalog)).readings[0].pick
    assert pick is not None and pick.trade is Trade.SHORTER_CONTEXT
    assert pick.q8_context is not None and pick.context < pick.q8_context < 32768
    assert pick.instead is not None and quants.nominal_bits(pick.instead, 0.0) == 3


def test_fit_and_whatfits_agree_on_a_context(real_catalog: Catalog) -> None:
    """`/whatfits 3090` says Qwen3-32B Q4_K_M runs 'up to N k'; `/fit qwen3-32b 3090 --quant Q4_K_M` at that
    context fits, and 1k more does not (it said 'misses by 0.2 GB' where /whatfits said 16k)."""
    from engine.fit import fit_reading

    m = real_catalog.models["qwen3-32b"]
    reading = parse_hardware("3090", real_catalog)[0]
    listed = fit_reading(m, reading, 8192, FitOptions(context=8192)).option("Q4_K_M")
    assert listed is not None and listed.verdict == "fits"
    up_to = listed.max_context // 1024 * 1024  # what the card prints, rounded down to whole k
    at = fit(m, [reading], FitOptions(context=up_to, quant="Q4_K_M")).readings[0]
    over = fit(m, [reading], FitOptions(context=up_to + 1024, quant="Q4_K_M")).readings[0]
    assert at.options[0].verdict == "fits" and over.options[0].verdict != "fits"


def test_cost_uses_the_pick(real_catalog: Catalog) -> None:
    """`/cost llama-3.3-70b 2x3090` said "does not run": the cost is worked on the option the pick runs."""
    from engine.cost import Usage, cost_report

    m = real_catalog.models["llama-3.3-70b"]
    readings = parse_hardware("2x RTX 3090", real_catalog)
    report = fit(m, readings)
    r = report.readings[0]
    c = cost_report(
        m, readings[0], r.best_option, real_catalog.api_prices_for(m.id), real_catalog.rental_prices,
        real_catalog.hardware, Usage(), FitOptions(), report.context, 1600.0,
    )  # fmt: skip
    assert c.local is not None and c.local.usd_per_m_tokens is not None


STANDARD = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K")


def test_every_catalog_model_offers_eight_standard_quants(real_catalog: Catalog) -> None:
    """The issue's bar: at least 8 standard quants for every catalog model (published or estimated), on a rig
    with room for everything (so no format is filtered out by the hardware)."""
    readings = parse_hardware("8x H200 + 2048GB DDR5", real_catalog)
    short = {}
    for m in real_catalog.models.values():
        names = {quants.canonical(o.quant.removeprefix("UD-")) for o in fit(m, readings).readings[0].options}
        below_native = [
            q for q in STANDARD if quants.nominal_bits(q, 0) <= {"mxfp4": 4, "int4": 4}.get(m.native_dtype, 16)
        ]
        missing = [q for q in below_native if q not in names]
        if missing:
            short[m.id] = missing
    assert not short


def test_estimates_are_marked_and_published_files_win(real_catalog: Catalog) -> None:
    m = real_catalog.models["llama-3.3-70b"]
    options = fit(m, parse_hardware("RTX 3090", real_catalog)).readings[0].options
    by_name = {o.quant: o for o in options}
    assert by_name["Q4_K_M"].weights_basis == "published"  # the catalog's file
    assert by_name["Q5_K_M"].weights_basis == "estimated"  # the ladder's estimate (its Q6_K is published now)
    assert len(by_name) == len(options)  # one row per quant name


def test_gpt_oss_lists_mxfp4_once_and_no_upcast_estimates(real_catalog: Catalog) -> None:
    options = fit(real_catalog.models["gpt-oss-120b"], parse_hardware("H100", real_catalog)).readings[0].options
    names = [o.quant for o in options]
    assert names.count("MXFP4") == 1
    assert not {"Q8_0", "Q6_K", "Q5_K_M", "BF16"} & {o.quant for o in options if o.weights_basis == "estimated"}


def test_mlx_is_offered_on_a_mac_only(real_catalog: Catalog) -> None:
    m = real_catalog.models["qwen3-32b"]
    mac = {o.quant for o in fit(m, parse_hardware("M4 Max 128GB", real_catalog)).readings[0].options}
    pc = {o.quant for o in fit(m, parse_hardware("RTX 4090", real_catalog)).readings[0].options}
    assert {"MLX-4BIT", "MLX-8BIT"} <= mac and not {"MLX-4BIT", "MLX-8BIT"} & pc


# Quant names as published, and the bits they are named for
NAMES = [
    ("Q4_K_M", 4),
    ("UD-Q4_K_XL", 4),
    ("UD-IQ2_XXS", 2),
    ("IQ1_S", 1),
    ("Q8_0", 8),
    ("UD-Q8_K_XL", 8),
    ("BF16", 16),
    ("F16", 16),
    ("MXFP4", 4),
    ("FP8", 8),
    ("AWQ", 4),
    ("W4A16", 4),
    ("4bit", 4),
    ("6bit", 6),
    ("8bit-gs32", 8),
    ("MLX-6BIT", 6),
    ("Q6_K-IQ2_S-IQ2_S-IQ3_S", 2),  # a custom mix: its measured bits (2.7), rounded down
]


@pytest.mark.parametrize(("name", "bits"), NAMES)
def test_nominal_bits(name: str, bits: int) -> None:
    assert quants.nominal_bits(name, 2.7) == bits


@pytest.mark.parametrize(
    ("model", "hardware", "quant"),
    [("llama 3.1 8b q4_k_m", "RTX 3090", "Q4_K_M"), ("qwen3 30b a3b at q5", "RTX 3090", "Q5_K_M")],
)
def test_a_quant_named_with_the_model_is_the_one_sized(
    real_catalog: Catalog, model: str, hardware: str, quant: str
) -> None:
    """ "will llama 3.1 8b q4_k_m run on my 3090": the answer is about Q4_K_M, not the pick (Q8_0 there)."""
    from bot.commands import run_fit

    reading = run_fit(real_catalog, model, hardware).readings[0]
    assert [o.quant for o in reading.options] == [quant]
    # Q5_K_M of Qwen3-30B-A3B misses 32k on 24 GB: the card says the context it fits instead of another quant
    assert reading.best == quant or [q for q, _ in reading.shorter_context] == [quant]


# (model, rig without a GPU) where nothing runs in RAM at the default 32k, as people ask about small boards and
# laptops: the pick trades the cache or the context for RAM as it does for VRAM, rather than answering "nothing fits"
CPU_TRADES = [
    ("qwen3-8b", "raspberry pi 5 8gb"),
    ("llama-3.1-8b", "laptop with 8gb ram, no gpu"),
    ("qwen3-14b", "16gb ddr4, no gpu"),
]


@pytest.mark.parametrize(("model", "hardware"), CPU_TRADES)
def test_a_rig_without_a_gpu_trades_context_for_ram(real_catalog: Catalog, model: str, hardware: str) -> None:
    m, readings = real_catalog.models[model], parse_hardware(hardware, real_catalog)
    assert not readings[0].rig.gpus and readings[0].rig.unified is None
    pick = fit(m, readings).readings[0].pick
    assert pick is not None and pick.trade is not Trade.NONE and pick.option.placement.kind == "cpu"
    assert 8192 <= pick.context <= 32768
    again = fit(m, readings, FitOptions(context=pick.context, kv_type=pick.kv_type, quant=pick.quant)).readings[0]
    assert again.options[0].placement.kind == "cpu"
    if pick.context < 32768:
        over = FitOptions(context=pick.context + 1024, kv_type=pick.kv_type, quant=pick.quant)
        assert fit(m, readings, over).readings[0].options[0].verdict == "does-not-fit"


# (model, rig without a GPU) where the usual 4 bits run in RAM at 32k as asked: no trade is made
@pytest.mark.parametrize(
    ("model", "hardware", "quant"),
    [("deepseek-r1", "epyc 9654 768gb ddr5", "Q4_K_M"), ("gemma-3-12b", "16gb ddr4, no gpu", "Q4_K_M")],
)
def test_a_rig_without_a_gpu_keeps_what_runs_as_asked(
    real_catalog: Catalog, model: str, hardware: str, quant: str
) -> None:
    reading = fit(real_catalog.models[model], parse_hardware(hardware, real_catalog)).readings[0]
    pick = reading.pick
    assert pick is not None and pick.trade is Trade.NONE and pick.context == 32768 and pick.kv_type == "f16"
    assert pick.quant == quant and pick.option.placement.kind == "cpu"
    assert dict(reading.fits_with_less_context).get(quant) is None  # it runs at 32k: no "fits up to" on the ladder
