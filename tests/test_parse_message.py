"""Model and rig read out of chat messages, as people write them in local-LLM channels."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from engine.parse.message import read_message


@pytest.mark.parametrize(
    ("text", "model", "hardware"),
    [
        ("just got 2x 3090s, can I run glm-5.2?", "glm-5.2", "2x 3090s"),
        # a count and a card written as one word
        ("what's the best quant of glm-5.2 for 2x3090", "glm-5.2", "2x3090"),
        ("glm-5.2 for 4x3090?", "glm-5.2", "4x3090"),
        ("30B-A3B on 4x4090s + 512gb ddr5", "30B-A3B", "4x4090s + 512gb ddr5"),
        ("can my M3 Ultra 256GB run glm 5.2?", "glm 5.2", "M3 Ultra 256GB"),
        ("will llama-3.1-8b run on a 3090", "llama-3.1-8b", "3090"),
        (
            "https://huggingface.co/unsloth/GLM-5.2-GGUF on 24gb vram + 128gb ddr5?",
            "unsloth/GLM-5.2-GGUF",
            "24gb vram + 128gb ddr5",
        ),
        ("thinking about a 70B on dual 3090", "70B", "dual 3090"),
        ("qwen3-next-80b-a3b on a 4090 with 64gb ram, usable?", "qwen3-next-80b-a3b", "4090 with 64gb ram"),
        ("Llama-3.1-8B, 3090 and", "Llama-3.1-8B", "3090"),  # a joining word never ends the rig
        ("good morning everyone", None, None),
        ("my 3090 died :(", None, "3090"),
        ("what is the best model for a rtx 3090", None, "rtx 3090"),
        ("30B-A3B on 64GB DDR5 no gpu", "30B-A3B", "64GB DDR5 no gpu"),
    ],
)
def test_read_message(cat: Catalog, text: str, model: str | None, hardware: str | None) -> None:
    ask = read_message(text, cat)
    assert (ask.model, ask.hardware) == (model, hardware)


def test_a_long_message_is_read_quickly_and_cut(cat: Catalog) -> None:
    ask = read_message("blah " * 5000 + "glm-5.2 on RTX 3090", cat)
    assert ask.model is None  # past the longest message Discord carries
