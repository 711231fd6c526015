"""How often the pick (/fit's recommended quant) comes with a llama.cpp command, over the rigs and models people ask
about most: a pick no catalog repo publishes (and llama-quantize cannot make) prints "no published GGUF of ... in
the catalog to point it at" and the user gets no command.

`python -m bench.published_picks` prints each rig x model pick that lacks one and the share; `make bench` reports
`picks_without_llama_cpp_share`."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from catalog.catalog import Catalog
from engine.fit import fit
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


def pick_rows(catalog: Catalog, models: tuple[str, ...] = MODELS, rigs: tuple[str, ...] = RIGS) -> list[PickRow]:
    rows = []
    for rig in rigs:
        readings = parse_hardware(rig, catalog)[:1]
        for model_id in models:
            pick = fit(catalog.models[model_id], readings).readings[0].pick
            if pick is None:
                rows.append(PickRow(model_id, rig, None, False, False, False))
                continue
            has = pick.option.serve.plan(Engine.LLAMA_CPP) is not None
            published = pick.option.weights_basis != "estimated"
            rows.append(PickRow(model_id, rig, pick.quant, has, bool(pick.option.serve.plans), published))
    return rows


def figures(catalog: Catalog) -> dict[str, float]:
    rows = [r for r in pick_rows(catalog) if r.quant is not None]
    lacking = sum(1 for r in rows if not r.llama_cpp)
    return {
        "picks_scored": len(rows),
        "picks_without_llama_cpp": lacking,
        "picks_without_llama_cpp_share": round(lacking / len(rows), 3),
        "picks_without_command_share": round(sum(1 for r in rows if not r.any_engine) / len(rows), 3),
        "picks_estimated_share": round(sum(1 for r in rows if not r.published) / len(rows), 3),
    }


def main() -> None:
    from catalog.loader import load

    catalog = load()
    rows = pick_rows(catalog)
    for r in rows:
        if r.quant is not None and not r.llama_cpp:
            other = "another engine's" if r.any_engine else "no command"
            print(f"no llama.cpp command: {r.model:32} {r.rig:28} {r.quant:10} ({other})")
    print(figures(catalog), file=sys.stderr)


if __name__ == "__main__":
    main()
