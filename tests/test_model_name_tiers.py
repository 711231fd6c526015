"""A name that writes a family word with another tier or version is another model, never the family's alias: people
ask about `mistral medium 3` (closed weights) or `mistral large 3` (a 675B MoE), and an answer for Mistral 7B or
Mistral Large 2 would be confidently wrong. Such a name is read as a size where it writes one, else not understood
with suggestions."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_model


@pytest.mark.parametrize(
    ("name", "not_model"),
    [
        ("mistral medium 3", "mistral-7b-v0.3"),  # the alias `mistral` is Ollama's Mistral 7B
        ("mistral medium 3.1", "mistral-7b-v0.3"),
        ("Mistral-Medium-3.1", "mistral-7b-v0.3"),
        ("mistral small 3.1", "mistral-7b-v0.3"),
        ("mistral large 3", "mistral-large-2"),
        ("phi-4-mini-flash-reasoning", "phi-4-mini"),  # a hybrid SambaY model, not Phi-4-mini's layout
        ("jamba reasoning 3b", "ministral-3-3b"),  # `reasoning` is a variant word, not a family
        ("llama 4 behemoth", "llama-4-maverick"),
        ("qwen3 max", "qwen3-32b"),
        ("tiiuae/falcon-7b", "falcon-h1-7b"),  # Falcon (2023), a dense transformer, is not the hybrid Falcon-H1
        ("falcon3 7b", "falcon-h1-7b"),
        ("LiquidAI/LFM2.5-2.6B", "lfm2-2.6b"),  # 2.69B: another layout than LFM2-2.6B's 2.57B
        ("k2-think", "kimi-k2"),  # LLM360's Qwen2.5-32B fine-tune: `k2` is Kimi K2's alias, but only part of the name
        ("zai-org/GLM-4.6V-Flash", "glm-4.5-air"),  # the 9B dense GLM-4.6V, not the 106B MoE
    ],
)
def test_another_tier_or_version_is_not_the_family_alias(real_catalog: Catalog, name: str, not_model: str) -> None:
    try:
        model = parse_model(name, real_catalog)
    except RigfitError:
        return  # not understood, with suggestions: right
    assert model.id != not_model


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("mistral large 2", "mistral-large-2"),
        ("mistral large", "mistral-large-2"),
        ("mistral 7b", "mistral-7b-v0.3"),
        ("mistral", "mistral-7b-v0.3"),
        ("phi 4 mini", "phi-4-mini"),
        ("glm 4.5 air", "glm-4.5-air"),
        ("deepseek v3 0324", "deepseek-v3"),  # a release date, not a version
        ("ministral 3 3b reasoning", "ministral-3-3b"),
        ("llama 4 scout", "llama-4-scout"),
        ("mistral small 3.2", "mistral-small-3.2-24b"),
        ("hermes 4 70b", "llama-3.1-70b"),  # a fine-tune by its base's size and family
        ("falcon h1 1.5b deep", "falcon-h1-1.5b-deep"),  # a deeper, narrower model of the same size
        ("falcon h1 1.5b", "falcon-h1-1.5b"),
        ("jamba large 1.7", "jamba-large-1.7"),  # two tiers of one release: 398B and 52B
        ("jamba mini 1.7", "jamba-mini-1.7"),
    ],
)
def test_the_family_and_its_own_tiers_still_read(real_catalog: Catalog, name: str, model: str) -> None:
    assert parse_model(name, real_catalog).id == model
