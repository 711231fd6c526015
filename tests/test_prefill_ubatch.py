"""A MoE model held in unified memory prefills in 2048-token micro-batches where that pays (`-ub 2048` on the card's
command, the prefill figure at that batch): each micro-batch reads every routed expert once, so a larger one reads
them once per more tokens. llama.cpp's own DGX Spark benches run it that way; a dense model, a MoE model whose
experts sit in system RAM, and one on a card keep llama.cpp's default."""

from __future__ import annotations

import pytest

from bot.cards import serve_command
from catalog.catalog import Catalog
from engine import flags, memory, speed
from engine.fit import QuantOption, fit
from engine.kernels import weights_of
from engine.parse import parse_hardware
from engine.placement import place
from engine.serve import Engine

# (model, the rig as people write it, the micro-batch the pick's llama-server line takes)
CASES = [
    ("gpt-oss-120b", "dgx spark", 2048),  # MXFP4 experts over 273 GB/s: the read is most of a 512-token batch
    ("qwen3-30b-a3b", "strix halo 128gb", 2048),
    ("gpt-oss-120b", "M3 Ultra 256GB", 2048),
    ("glm-4.5-air", "framework desktop 128gb", 2048),
    ("llama-3.1-8b", "dgx spark", 512),  # dense: every token multiplies every weight, a batch reads them once anyway
    ("gemma-3-27b", "rtx 4090", 512),
    ("qwen3-30b-a3b", "rtx 4090", 512),  # a card: its 24 GB are context and users' caches, its prefill already fast
    ("gpt-oss-120b", "rtx pro 6000", 512),
    ("qwen3-235b-a22b", "rtx 4090 + 128gb ddr5", 512),  # experts in RAM: streamed over PCIe, not this read
    ("qwen3-30b-a3b", "ryzen 9 7950x 64gb ddr5", 512),  # CPU only
]


def _pick(cat: Catalog, model: str, hardware: str) -> QuantOption:
    option = fit(cat.models[model], parse_hardware(hardware, cat)).readings[0].best_option
    assert option is not None, f"{model} on {hardware}: nothing runs"
    return option


@pytest.mark.parametrize(("model", "hardware", "ubatch"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_the_micro_batch_follows_what_a_prompt_reads(
    real_catalog: Catalog, model: str, hardware: str, ubatch: int
) -> None:
    option = _pick(real_catalog, model, hardware)
    assert option.placement.ubatch_tokens == ubatch
    plan = option.serve.plan(Engine.LLAMA_CPP)
    assert plan is not None
    command = serve_command(plan)
    assert ("-ub 2048" in command) is (ubatch == 2048), command
    assert flags.check_command(command) == [], command


@pytest.mark.parametrize(("model", "hardware"), [(m, h) for m, h, ub in CASES if ub == 2048])
def test_the_larger_micro_batch_is_faster_and_its_buffer_is_counted(
    real_catalog: Catalog, model: str, hardware: str
) -> None:
    option = _pick(real_catalog, model, hardware)
    placement, entry = option.placement, real_catalog.models[model]
    default = placement.model_copy(update={"ubatch_tokens": memory.N_UBATCH})
    small, _ = speed.prefill_range(entry, default, 4096, memory.N_UBATCH, weights_of(option.quant))
    assert small is not None and option.prefill_tps is not None
    assert option.prefill_tps.centre >= small.centre * speed.UBATCH_MIN_GAIN
    extra = memory.compute_buffer_bytes(entry, 2048) - memory.compute_buffer_bytes(entry)
    rig = parse_hardware(hardware, real_catalog)[0].rig
    placed = place(entry, rig, option.weights_bytes, option.kv_cache_bytes, option.quant)  # at llama.cpp's default
    pairs = [(p, q) for p, q in zip(placement.pools, placed.pools, strict=True) if p.kind != "ram"]
    assert pairs and all(p.overhead_bytes == q.overhead_bytes + extra for p, q in pairs)


def test_no_room_for_the_larger_buffer_keeps_the_default(real_catalog: Catalog) -> None:
    """A device left with less free memory than the 2048-token logits buffer needs stays at -ub 512."""
    option = _pick(real_catalog, "gpt-oss-120b", "dgx spark")
    entry = real_catalog.models["gpt-oss-120b"]
    extra = memory.compute_buffer_bytes(entry, 2048) - memory.compute_buffer_bytes(entry)
    tight = tuple(
        p.model_copy(update={"capacity_bytes": p.used_bytes - extra // 2, "overhead_bytes": p.overhead_bytes - extra})
        for p in option.placement.pools
    )
    default = option.placement.model_copy(update={"ubatch_tokens": memory.N_UBATCH, "pools": tight})
    assert speed.with_prefill_ubatch(entry, default, 4096, "quantized").ubatch_tokens == memory.N_UBATCH
