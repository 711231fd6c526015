"""How people spell a model beside its catalog name: a family word typed one letter off, a lab's Chinese or Japanese
name, an API gateway's id. Each is read as the model it names; a word that is itself a family's (Mixtral, Ring) or no
family's (Gemini) is never respelled into another model."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_model

# (as typed in a chat or a config, the catalog model it names)
READ = [
    ("quen3 30b", "qwen3-30b-a3b"),  # q-w-e-n typed q-u-e-n
    ("lama 3.3 70b", "llama-3.3-70b"),
    ("deepseak r1", "deepseek-r1"),
    ("mistrall small 3.2", "mistral-small-3.2-24b"),
    ("gema 3 27b", "gemma-3-27b"),
    ("granit 4 tiny", "granite-4.0-h-tiny"),
    ("千问3 30B", "qwen3-30b-a3b"),  # Qwen's Chinese name
    ("千問3.6 27B", "qwen3.6-27b"),  # the Japanese spelling of it
    ("通义千问 Qwen3-235B", "qwen3-235b-a22b"),
    ("深度求索 V3.1", "deepseek-v3.1"),  # DeepSeek's
    ("智谱 GLM-4.6", "glm-4.6"),  # the lab behind GLM, before the model's own name
    ("月之暗面 K2 Thinking", "kimi-k2-thinking"),  # Moonshot's
    ("混元 A13B", "hunyuan-a13b"),
    ("accounts/fireworks/models/llama-v3p3-70b-instruct", "llama-3.3-70b"),  # Fireworks writes 3.3 as v3p3
    ("accounts/fireworks/models/kimi-k2p5", "kimi-k2.5"),
    ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b"),  # LiteLLM's route to Together
    ("deepinfra/meta-llama/Llama-3-70b", "llama-3-70b"),
    ("ollama:qwen3-vl:235b-cloud", "qwen3-235b-a22b"),  # Ollama's cloud tag of Qwen3-VL (Qwen3-235B's network)
    ("mixtral 8x7b", "mixtral-8x7b"),  # Mistral's own word, not a mistyped `mistral`
]


@pytest.mark.parametrize(("typed", "model_id"), READ, ids=[r[0] for r in READ])
def test_read_as_the_model_named(real_catalog: Catalog, typed: str, model_id: str) -> None:
    assert parse_model(typed, real_catalog).id == model_id


# (as typed, a model the refusal's "did you mean" names): never silently another model
REFUSED = [
    ("Ring-flash-linear-2.0", "Ling-flash-2.0"),  # inclusionAI's hybrid: `Ring` is not a mistyped `Ling`
    ("千问3.6", "Qwen3.6-27B"),  # Qwen3.6 comes in two sizes
    ("accounts/fireworks/models/kimi-k3", "Kimi K2.6"),  # a release the catalog has no config for
]


@pytest.mark.parametrize(("typed", "suggested"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_naming_what_would_be_read(real_catalog: Catalog, typed: str, suggested: str) -> None:
    with pytest.raises(RigfitError) as refused:
        parse_model(typed, real_catalog)
    assert suggested in refused.value.suggestions


def test_a_word_of_no_family_is_left_as_typed(real_catalog: Catalog) -> None:
    with pytest.raises(RigfitError):  # Gemini is Google's API model, two letters from Gemma
        parse_model("gemini 2.5 pro", real_catalog)
