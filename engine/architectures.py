"""Which GGUF architecture (llama.cpp's name for a network, as a GGUF file's `general.architecture` carries it) each
catalog model converts to. engine/parse/labels.py reads llama.cpp's descriptions of files by it; engine/serve.py asks
whether an engine's loader knows the architecture before it prints a command for the model's files.
"""

from __future__ import annotations

import re

from catalog.types import Model

# llama.cpp's architecture names (src/llama-arch.cpp LLM_ARCH_NAMES) of text-generation models, each with the catalog
# ids of the models whose GGUF files carry it (from each model's config `architectures` as convert_hf_to_gguf.py maps
# it: Mistral 7B, Nemo, Small 3.x and Devstral 2 convert as `llama`; GLM-4.7-Flash as `deepseek2`; Phi-4 as `phi3`;
# OLMo 3 as `olmo2`; Kimi K2 as `deepseek2`). An architecture with no catalog model keeps an empty pattern: its labels
# are still read, and sized as ad-hoc models.
ARCHITECTURES: dict[str, str] = {
    # Llama-Nemotron Super and Ultra (DeciLM's pruned blocks) before Llama: a v1.5 GGUF says `deci` (code-index
    # 70334113230)
    "deci": r"llama-3\.[13]-nemotron-",
    "llama": r"llama-[123]|codellama-|deepseek-r1-distill-llama-|mistral-7b|mixtral-|mistral-nemo|mistral-small-3"
    r"|codestral-|mistral-large-2|devstral-2",
    "llama4": r"llama-4-",
    "qwen2": r"qwen2\.5-|qwen2-|qwq-|deepseek-r1-distill-qwen-",
    "qwen2moe": r"qwen1\.5-moe|qwen2-57b",
    "qwen3": r"qwen3-\d+(?:\.\d+)?b(?!-a\d)",
    "qwen3moe": r"qwen3-(?:coder-)?\d+b-a\d+b",
    # a vision model's language model: Qwen3-VL-30B-A3B's GGUF is Qwen3-30B-A3B's network (30.53 B, code-index
    # 45229571484), Qwen2.5-VL's Qwen2.5's
    "qwen2vl": r"qwen2\.5-(?!coder)\d+(?:\.\d+)?b",
    "qwen3vl": r"qwen3-\d+(?:\.\d+)?b(?!-a\d)",
    "qwen3vlmoe": r"qwen3-\d+b-a\d+b",
    "qwen3next": r"qwen3-(?:coder-)?next",
    "qwen35": r"qwen3\.[56]-\d+(?:\.\d+)?b(?!-a\d)",
    "qwen35moe": r"qwen3\.[56]-\d+b-a\d+b",
    "gemma": r"gemma-(?:2b|7b)",
    "gemma2": r"gemma-2-",
    "gemma3": r"gemma-3-",
    "gemma3n": r"gemma-3n-",
    "gemma4": r"gemma-4-",
    "phi2": r"phi-2",
    "phi3": r"phi-3-|phi-4(?!-mini-flash)",
    "phimoe": r"phi-3\.5-moe",
    "deepseek2": r"deepseek-(?:v2|coder-v2|v3(?!\.2)|r1(?!-distill))|kimi-k2|glm-4\.7-flash",
    "glm4": r"glm-4-\d",
    "glm4moe": r"glm-4\.[5-7](?!-flash|v)",
    "glm-dsa": r"glm-5",
    "gpt-oss": r"gpt-oss-",
    "mistral3": r"ministral-3-|mistral-small-3|devstral-small-2|devstral-2|mistral-large-3",
    "mistral4": r"mistral-small-4",
    "nemotron_h": r"nemotron-nano-(?:9|12)b",
    "nemotron_h_moe": r"nemotron-3-",
    "lfm2": r"lfm2(?:\.5)?-\d+(?:\.\d+)?b$",
    "lfm2moe": r"lfm2(?:\.5)?-\d+b-a\d+b",
    "granite": r"granite-3|granite-4\.0-micro",
    "granitemoe": r"granite-3\.\d-\d+b-a\d",
    "granitehybrid": r"granite-4\.0-h-",
    "falcon-h1": r"falcon-h1-",
    "jamba": r"jamba-",
    "kimi-linear": r"kimi-linear-",
    "hunyuan-moe": r"hunyuan-a13b",
    "mimo2": r"mimo-v2",
    "ernie4_5-moe": r"ernie-4\.5-\d+b-a",
    "bailingmoe2": r"ling-",
    "minimax-m2": r"minimax-m2",
    "dots1": r"dots\.llm1",
    "seed_oss": r"seed-oss-",
    "smollm3": r"smollm3-",
    "exaone4": r"exaone-4",
    "olmo2": r"olmo-[23]-",
    "apertus": r"apertus-",
    "cohere2": r"command-r7b|command-a",
    "command-r": r"command-r-",
}

_PATTERNS = {arch: re.compile(rf"^(?:{pattern})") for arch, pattern in ARCHITECTURES.items()}


def gguf_architecture(model: Model) -> str | None:
    """The architecture a GGUF of `model` carries (the first name whose catalog ids match its id); None when the
    catalog lists none for it (an ad-hoc model's is its borrowed architecture's)."""
    model_id = model.architecture_from or model.id
    return next((arch for arch, pattern in _PATTERNS.items() if pattern.match(model_id)), None)
