"""Fine-tunes whose names hold another family's word or alias, as people write them in chats and on the Hub: the
name is read as the fine-tune's own base where the catalog lists it, sized as what the name says where it does not,
and never as the family its words collide with (LLM360's `K2-Think` holds Kimi K2's alias `k2`, Moonshot's
`Kimi-Dev-72B` is a 72B coder, not a Kimi K2; `K2-Think-V2` is LLM360's 70B, neither K2-Think's Qwen2.5-32B nor Kimi
K2)."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.errors import RigfitError
from engine.parse import parse_model

# (name as written, what it must not read as)
NOT_THE_COLLIDING_FAMILY = [
    ("k2-think", "kimi-k2"),
    ("LLM360/K2-Think", "kimi-k2"),
    ("K2-Think-V2", "kimi-k2"),
    ("LLM360/K2-Think-V2", "qwen2.5-32b"),  # another release: LLM360's 70B, 80 layers of 8192
    ("kimi-dev-72b", "kimi-k2"),
    ("moonshotai/Kimi-Dev-72B", "kimi-k2"),
    ("Skywork/Skywork-OR1-32B", "kimi-k2"),
]


@pytest.mark.parametrize(("name", "not_model"), NOT_THE_COLLIDING_FAMILY)
def test_a_fine_tune_is_not_the_family_its_words_collide_with(real_catalog: Catalog, name: str, not_model: str) -> None:
    try:
        model = parse_model(name, real_catalog)
    except RigfitError:
        return  # not understood, with suggestions: right
    assert model.id != not_model and not model.id.startswith("kimi-k2"), model.id


# (name as written, the parameter count it is sized at): fine-tunes whose names carry a size but not their base
SIZED_AS_WRITTEN = [
    ("moonshotai/Kimi-Dev-72B", 72),
    ("kimi dev 72b", 72),
    ("open-thoughts/OpenThinker3-7B", 7),
    ("OpenThinker2-32B", 32),
    ("Skywork/Skywork-OR1-32B", 32),
]


@pytest.mark.parametrize(("name", "params_b"), SIZED_AS_WRITTEN)
def test_a_fine_tune_named_with_a_size_is_sized_as_written(real_catalog: Catalog, name: str, params_b: float) -> None:
    model = parse_model(name, real_catalog)
    assert model.asked_as == name and abs(model.total_params_b / params_b - 1) <= 0.1, model.id
