"""How often the pick (/fit's recommended quant) comes with a llama.cpp command, over the rigs and models people ask
about most: a pick no catalog repo publishes (and llama-quantize cannot make) prints "no published GGUF of ... in
the catalog to point it at" and the user gets no command.

`python -m bench.published_picks` prints each rig x model pick that lacks one and the share; `make bench` reports
`picks_without_llama_cpp_share`."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from catalog.catalog import Catalog
from engine import quants
from engine.fit import USEFUL_OFFLOAD_TPS, Pick, QuantOption, fit
from engine.parse import parse_hardware
from engine.serve import Engine

# Rigs as people type them: one card of each common VRAM size, two cards, a card with system RAM for offload,
# Macs and other unified-memory machines, and a CPU-only box.
RIGS: tuple[str, ...] = (
    "rtx 4060 8gb",
    "rtx 3060 12gb",
    "rtx 4060 ti 16gb",
    "rtx 3090",
    "rtx 5090",
    "rtx a6000",
    "2x rtx 3090",
    "rtx 3060 12gb + 32gb ddr4",
    "rtx 4090 + 64gb ddr5",
    "m4 pro 64gb",
    "m2 max 96gb",
    "m4 max 128gb",
    "strix halo 128gb",
    "dgx spark",
    "128gb ddr5 cpu only",
)

# The models asked about most (r/LocalLLaMA, Discord): ids of the shipped catalog.
MODELS: tuple[str, ...] = (
    "llama-3.1-8b",
    "llama-3.3-70b",
    "llama-4-scout",
    "qwen3-4b",
    "qwen3-8b",
    "qwen3-14b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "qwen3-coder-30b-a3b",
    "qwen3-next-80b-a3b",
    "qwen3.5-27b",
    "qwen3.5-35b-a3b",
    "qwen3.5-122b-a10b",
    "qwen3.6-27b",
    "qwen3.6-35b-a3b",
    "qwen2.5-coder-32b",
    "qwq-32b",
    "gemma-3-4b",
    "gemma-3-12b",
    "gemma-3-27b",
    "gemma-4-e4b",
    "gemma-4-26b-a4b",
    "gemma-4-31b",
    "mistral-small-3.2-24b",
    "mistral-nemo-12b",
    "devstral-small-2",
    "glm-4.5-air",
    "glm-4.6",
    "glm-4.7-flash",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "deepseek-r1",
    "deepseek-v3",
    "deepseek-r1-distill-qwen-32b",
    "phi-4",
    "nemotron-nano-9b-v2",
    "nemotron-3-nano-30b-a3b",
    "kimi-k2",
    "minimax-m2",
)


@dataclass(frozen=True)
class PickRow:
    model: str
    rig: str
    quant: str | None  # None: nothing runs
    llama_cpp: bool  # the pick (or its GGUF sibling on a Mac) has a llama.cpp command
    any_engine: bool  # some engine has a command for the pick (MLX, vLLM ...)
    published: bool  # the pick's size is a published file's
    # a GGUF of a better group of tiers (4 bits and up, 3, 2 and below) runs, sized by estimate only (no published file
    # in the catalog), while the pick is a published file of a lower group: the pick fell a tier for want of a file
    under_estimated: str | None = None


def pick_rows(catalog: Catalog, models: tuple[str, ...] = MODELS, rigs: tuple[str, ...] = RIGS) -> list[PickRow]:
    rows = []
    for rig in rigs:
        readings = parse_hardware(rig, catalog)[:1]
        for model_id in models:
            reading = fit(catalog.models[model_id], readings).readings[0]
            pick = reading.pick
            if pick is None:
                rows.append(PickRow(model_id, rig, None, False, False, False))
                continue
            has = pick.option.serve.plan(Engine.LLAMA_CPP) is not None
            published = pick.option.weights_basis != "estimated"
            above = _estimated_above(pick, reading.options) if published else None
            rows.append(PickRow(model_id, rig, pick.quant, has, bool(pick.option.serve.plans), published, above))
    return rows


# Groups of tiers as the pick takes them (engine/fit.py PICK_GROUPS): 4 bits and up, 3 bits, below 3.
_GROUP = {quants.Tier.NEAR_LOSSLESS: 0, quants.Tier.HIGH: 0, quants.Tier.GOOD: 0, quants.Tier.FAIR: 1}


def _runs(o: QuantOption) -> bool:
    fast = o.decode_tps is not None and o.decode_tps.high >= USEFUL_OFFLOAD_TPS
    return o.verdict == "fits" or (o.verdict == "fits-offload" and fast)


def _estimated_above(pick: Pick, options: tuple[QuantOption, ...]) -> str | None:
    """The best-group estimated GGUF that runs where the pick is of a lower group, if any."""
    group = _GROUP.get(pick.tier, 2)
    above = [
        o
        for o in options
        if o.weights_basis == "estimated" and o.format == "gguf" and _GROUP.get(o.tier, 2) < group and _runs(o)
    ]
    return min(above, key=lambda o: _GROUP.get(o.tier, 2)).quant if above else None


def figures(catalog: Catalog) -> dict[str, float]:
    rows = [r for r in pick_rows(catalog) if r.quant is not None]
    lacking = sum(1 for r in rows if not r.llama_cpp)
    return {
        "picks_scored": len(rows),
        "picks_without_llama_cpp": lacking,
        "picks_without_llama_cpp_share": round(lacking / len(rows), 3),
        "picks_without_command_share": round(sum(1 for r in rows if not r.any_engine) / len(rows), 3),
        "picks_estimated_share": round(sum(1 for r in rows if not r.published) / len(rows), 3),
        "picks_under_estimated_higher_tier": sum(1 for r in rows if r.under_estimated),
    }


def main() -> None:
    from catalog.loader import load

    catalog = load()
    rows = pick_rows(catalog)
    for r in rows:
        if r.quant is not None and not r.llama_cpp:
            other = "another engine's" if r.any_engine else "no command"
            print(f"no llama.cpp command: {r.model:32} {r.rig:28} {r.quant:10} ({other})")
        if r.under_estimated:
            print(
                f"a tier down for want of a file: {r.model:22} {r.rig:28} {r.quant:10} ({r.under_estimated} estimated)"
            )
    print(figures(catalog), file=sys.stderr)


if __name__ == "__main__":
    main()
