"""Strings people type -> specs: hardware phrases into readings (hardware.py), model names into models
(models.py), contexts, quants, KV types and prompt lengths (options.py). Nothing else in engine imports this
package: the front ends parse, the engine estimates."""

from engine.parse.hardware import HARDWARE_EXAMPLES, parse_hardware
from engine.parse.models import parse_model
from engine.parse.options import (
    KV_TYPES,
    MAX_CONTEXT_TOKENS,
    MAX_INPUT_CHARS,
    MAX_PROMPT_TOKENS,
    context_tokens,
    parse_context,
    parse_kv_type,
    parse_prompt_tokens,
    parse_quant,
    quant_in_model_text,
)

__all__ = [
    "HARDWARE_EXAMPLES",
    "KV_TYPES",
    "MAX_CONTEXT_TOKENS",
    "MAX_INPUT_CHARS",
    "MAX_PROMPT_TOKENS",
    "context_tokens",
    "parse_context",
    "parse_hardware",
    "parse_kv_type",
    "parse_model",
    "parse_prompt_tokens",
    "parse_quant",
    "quant_in_model_text",
]
