"""Autocomplete for model, hardware and quant options: fuzzy, at most 25 choices, popular entries first.

The choice functions are plain (catalog, text) -> [(name, value)] so they can be tested and timed; the async
wrappers are what discord.py calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from catalog.loader import Catalog
from engine import quants as quant_types

if TYPE_CHECKING:
    import discord

MAX_CHOICES = 25  # Discord's limit
NAME_MAX = 100
# Asked about most in local-LLM channels (the order of the first choices before anything is typed).
POPULAR_MODELS = (
    "glm-5.2",
    "gpt-oss-120b",
    "gpt-oss-20b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "deepseek-v3.2",
    "deepseek-r1",
    "kimi-k2",
    "glm-4.5-air",
    "llama-3.3-70b",
    "gemma-3-27b",
    "qwen3-coder-30b-a3b",
)
POPULAR_HARDWARE = (
    "rtx-3090",
    "rtx-4090",
    "rtx-5090",
    "m3-ultra",
    "m4-max",
    "strix-halo-395",
    "dgx-spark",
    "rtx-pro-6000",
)


def _ordered(ids: list[str], popular: tuple[str, ...]) -> list[str]:
    rank = {p: i for i, p in enumerate(popular)}
    return sorted(ids, key=lambda i: (rank.get(i, len(rank)), ids.index(i)))


def model_choices(catalog: Catalog, current: str) -> list[tuple[str, str]]:
    if current.strip():
        ids = catalog.model_names.search(current, MAX_CHOICES)
    else:
        ids = _ordered(list(catalog.models), POPULAR_MODELS)
    return [(catalog.models[i].name[:NAME_MAX], i) for i in ids[:MAX_CHOICES]]


def hardware_choices(catalog: Catalog, current: str) -> list[tuple[str, str]]:
    text = current.strip()
    if not text:
        ids = _ordered(list(catalog.hardware), POPULAR_HARDWARE)
        return [(catalog.hardware[i].name[:NAME_MAX], catalog.hardware[i].name[:NAME_MAX]) for i in ids[:MAX_CHOICES]]
    # Keep what was typed as the first choice: hardware is a phrase ("2x 3090 + 128GB"), not only a name.
    out = [(text[:NAME_MAX], text[:NAME_MAX])]
    head, _, last = text.rpartition("+")
    prefix = f"{head.strip()} + " if head else ""
    for i in catalog.hardware_names.search(last.strip() or text, MAX_CHOICES):
        name = f"{prefix}{catalog.hardware[i].name}"[:NAME_MAX]
        if name != text:
            out.append((name, name))
    return out[:MAX_CHOICES]


def quant_choices(catalog: Catalog, model_text: str | None, current: str) -> list[tuple[str, str]]:
    names: list[str] = []
    if model_text:
        found = catalog.find_model(model_text)
        if found.id:
            names = [q.name for q in catalog.models[found.id].quants]
    names += [n for n in quant_types.DEFAULT_LADDER if n not in names]
    want = current.strip().upper().replace("-", "_")
    if want:
        names = [n for n in names if want in n.upper().replace("-", "_")] or names
    return [(n, n) for n in names[:MAX_CHOICES]]


def _choices(pairs: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


async def models(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return _choices(model_choices(interaction.client.catalog, current))  # type: ignore[attr-defined]


async def hardware(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return _choices(hardware_choices(interaction.client.catalog, current))  # type: ignore[attr-defined]


async def quants(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    model = getattr(interaction.namespace, "model", None)
    return _choices(quant_choices(interaction.client.catalog, model, current))  # type: ignore[attr-defined]


def model_or_hardware_choices(catalog: Catalog, current: str) -> list[tuple[str, str]]:
    """For /compare, whose options take either: models first, then hardware, within Discord's 25."""
    models = model_choices(catalog, current)[:12] if current.strip() else model_choices(catalog, "")[:6]
    hardware = hardware_choices(catalog, current)
    seen = {v for _, v in models}
    return (models + [c for c in hardware if c[1] not in seen])[:MAX_CHOICES]


async def model_or_hardware(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return _choices(model_or_hardware_choices(interaction.client.catalog, current))  # type: ignore[attr-defined]
