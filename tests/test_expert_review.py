"""Cards judged as an expert would judge them: questions written the way people ask in r/LocalLLaMA, Discord servers
and forum threads, each with a verdict on the answer rigfit gave and why (tests/data/expert_review.yaml). The rows
whose behaviour was fixed carry `expect`: what the card must keep doing (the placement and its flags, the tier of the
quant, the trade), asserted through the same request table the CLI and Discord use, not the exact wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cards import to_text
from bot.commands import run_request
from bot.requests import Frontend
from catalog.catalog import Catalog
from engine import memory

REVIEW = yaml.safe_load((Path(__file__).parent / "data" / "expert_review.yaml").read_text(encoding="utf-8"))
EXPECTED = [row for row in REVIEW if "expect" in row and row.get("command", "fit") == "fit"]
# /recommend and /cost rows: what their answers must keep doing (session 10)
EXPECTED_OTHER = [row for row in REVIEW if "expect" in row and row.get("command", "fit") != "fit"]
ASKED_OPTIONS = ("model", "hardware", "context", "quant", "budget", "tokens_per_day")
TIER_ORDER = ["degraded", "fair", "good", "high", "near-lossless"]
VERDICTS = {"right", "wrong", "debatable"}


def _ask(catalog: Catalog, row: dict[str, Any]) -> Any:
    args = {k: row[k] for k in ASKED_OPTIONS if row.get(k) is not None}
    answer = run_request(catalog, row.get("command", "fit"), args, Frontend.CLI)
    assert answer.error is None, answer.error
    return answer


def _marked(row: dict[str, Any]) -> Any:
    """A row whose answer a catalog change made worse by an engine rule still to fix: `known_regression` says why,
    and the case fails (strictly) once the answer is right again, so the note cannot outlive the fault."""
    reason = row.get("known_regression")
    return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else row


@pytest.mark.parametrize("row", [_marked(row) for row in EXPECTED], ids=[row["ask"] for row in EXPECTED])
def test_the_fixed_answers_hold(real_catalog: Catalog, row: dict[str, Any]) -> None:
    answer = _ask(real_catalog, row)
    expect = row["expect"]
    reading = answer.report.readings[0]
    pick = reading.pick
    assert pick is not None, f"nothing picked for {row['ask']}"
    placement = pick.option.placement
    command = answer.data["readings"][0]["pick"]["option"]["llama_cpp"] or ""
    if "placement" in expect:
        assert placement.kind == expect["placement"], (pick.quant, placement.kind)
    if expect.get("experts_in_ram") == "all":  # every routed expert in RAM, some layers' attention on the GPU
        model = answer.report.model
        assert placement.n_cpu_moe == memory.moe_layers(model), placement
        assert placement.n_gpu_layers is not None and 0 < placement.n_gpu_layers < model.layers, placement
        assert "--cpu-moe" in command and f"-ngl {placement.n_gpu_layers}" in command
    if "tier_at_least" in expect:
        assert TIER_ORDER.index(pick.tier.value) >= TIER_ORDER.index(expect["tier_at_least"]), pick.quant
    if "tier" in expect:
        assert pick.tier.value == expect["tier"], pick.quant
    if "trade" in expect:
        assert pick.trade.value == expect["trade"], (pick.quant, pick.trade)
    if "kv_type" in expect:
        assert pick.kv_type == expect["kv_type"] and (pick.kv_type == "f16") == ("-ctk" not in command)
    if expect.get("command"):  # the pick runs as sized at its own context, with a command that starts it
        lines = [line for line in command.splitlines() if not line.startswith("#")]  # a build note may come first
        assert pick.option.verdict != "does-not-fit" and lines[0].startswith("llama-server"), (pick.quant, command)
    if "ram_hint" in expect:  # GPUs without RAM whose pick no engine loads: the RAM that would run a file that loads
        hint = reading.with_ram
        assert not pick.option.loadable and hint is not None and hint.loadable, hint
        assert expect["ram_hint"] in (hint.quant, "any"), hint
        assert f"`{hint.quant}` runs" in to_text(answer.card)
    if "least_ram" in expect:  # ... and the loadable file that runs with the least RAM, where that is less
        hint = reading.with_ram
        assert hint is not None and hint.least_quant == expect["least_ram"], hint
        assert hint.least_ram_bytes is not None and hint.least_ram_bytes < hint.ram_bytes, hint
        assert f"`{hint.least_quant}` runs in" in to_text(answer.card)
    if "slower" in expect:  # what the pick gave up for speed, said on the card
        assert pick.slower == expect["slower"], pick
        assert f"`{pick.slower}` runs only with layers in system RAM" in to_text(answer.card)
    if "refused" in expect:  # engines that cannot start the pick, each for the reason named (serve.Refusal)
        reasons = {r.engine.value: r.reason.value for r in pick.option.serve.refused}
        assert all(reasons.get(e) == why for e, why in expect["refused"].items()), reasons
        assert "llama.cpp" not in expect["refused"] or not command, command
    if "slow_higher" in expect:  # a quant above 4 bits that fits but decodes under 5 tok/s, passed over for speed
        assert (pick.slow_higher is not None) is expect["slow_higher"], (pick.quant, pick.slow_higher)
    if expect.get("whole"):  # wholly on the accelerator, at the asked (or default) context
        assert pick.option.verdict == "fits" and pick.context == answer.report.context, (pick.quant, placement.kind)


@pytest.mark.parametrize("row", EXPECTED_OTHER, ids=[row["ask"] for row in EXPECTED_OTHER])
def test_the_fixed_recommend_and_cost_answers_hold(real_catalog: Catalog, row: dict[str, Any]) -> None:
    answer = _ask(real_catalog, row)
    expect = row["expect"]
    if expect.get("within_budget"):  # every upgrade offered costs at most the budget asked, and there is one
        options = answer.data["upgrades"]["options"]
        assert options and all(o["price_usd"] <= row["budget"] for o in options), options
    if "upgrade_tier" in expect:  # an upgrade reaches this tier (a step up, not only the cheapest or the best)
        assert expect["upgrade_tier"] in {o["tier"] for o in answer.data["upgrades"]["options"]}
    if expect.get("cost_at_capacity"):  # asked for more than the machine does: the cost is that of its capacity
        local = answer.data["local"]
        batched = answer.data["capacity_tokens_per_day"]["batched"] or 0  # batched where that does more (session 13)
        processed = min(row["tokens_per_day"], max(local["max_tokens_per_day"], batched))
        day = local["usd_hardware"] / (3 * 365.25) + local["usd_power_per_day"]
        assert processed < row["tokens_per_day"], local
        assert local["usd_per_m_tokens"] == pytest.approx(day / (processed / 1e6), rel=0.01), local


def test_every_row_is_judged() -> None:
    """Each question names how it was asked, what was asked and a verdict with its reason, before and after."""
    for row in REVIEW:
        assert row["ask"] and (row.get("model") or row.get("hardware")), row
        assert row["before"] in VERDICTS and row["after"] in VERDICTS, row["ask"]
        assert len(row["why"]) > 20, row["ask"]
    assert len({row["ask"] for row in REVIEW}) == len(REVIEW)
