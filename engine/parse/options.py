"""Options people type -> values: context lengths, quants, KV cache types, prompt lengths.

Every failure raises RigfitError naming what was not understood and what would be.
"""

from __future__ import annotations

import difflib
import math
import re

from catalog.types import Model
from engine import memory, quants
from engine.errors import ErrorCode, RigfitError
from engine.parse.labels import described_quant

MAX_INPUT_CHARS = 300  # any one phrase (hardware, model); past it the input is not a phrase
MAX_CONTEXT_TOKENS = 100_000_000  # no model reads more; past it the request is a typo

_CONTEXT = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>k|m)?(?:\s*tokens?)?$")


def context_tokens(text: str) -> int | None:
    """'32k' -> 32768, '1M' -> 1048576, '8192' -> 8192; None when it is not a context length."""
    m = _CONTEXT.match(text.strip().lower().replace(",", "").replace("_", ""))
    if not m:
        return None
    scale = {"k": 1024, "m": 1024 * 1024, None: 1}[m.group("unit")]
    tokens = float(m.group("num")) * scale
    return int(min(tokens, 1e18)) if math.isfinite(tokens) else 10**18


def parse_context(value: str | int | None, model: Model) -> int | None:
    """'32k' -> 32768, '1M' -> 1048576, 8192 -> 8192; None stays None (the engine picks a default)."""
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, int) else context_tokens(value)
    if parsed is None:
        raise RigfitError(
            f"I can't read `{str(value)[:40]}` as a context length. Try `8192`, `32k` or `1M`.",
            field="context",
            code=ErrorCode.CONTEXT_UNREADABLE,
        )
    tokens = parsed
    if tokens < 1:
        raise RigfitError(
            "Context must be at least 1 token; try `8192` or `32k`.", field="context", code=ErrorCode.CONTEXT_BELOW_ONE
        )
    limit = min(model.context_limit_tokens, MAX_CONTEXT_TOKENS)
    if tokens > limit:
        raise RigfitError(
            f"{model.name} reads at most {_limits(model)}; {tokens:,} is more than that.",
            field="context",
            code=ErrorCode.CONTEXT_OVER_MAX,
            limit=limit,
        )
    return tokens


def _limits(model: Model) -> str:
    """ "32,768 tokens", or with a documented YaRN extension "32,768 tokens natively, 131,072 with YaRN"."""
    if model.yarn is None:
        return f"{model.context_max_tokens:,} tokens"
    native, extended = model.context_max_tokens, model.yarn.extended_context_tokens
    return f"{native:,} tokens natively, {extended:,} with YaRN rope scaling"


def parse_quant(value: str | None, model: Model) -> str | None:
    """A quant the model publishes, or any real file type name; None when not given."""
    if value is None or not value.strip():
        return None
    wanted = value.strip()
    if len(wanted) > 40:
        raise RigfitError(
            "That quant name is too long; try `Q4_K_M` or `UD-IQ2_XXS`.", field="quant", code=ErrorCode.QUANT_UNKNOWN
        )
    for q in model.quants:
        if q.name.lower() == wanted.lower():
            return q.name
    qt = quants.lookup(wanted)
    if qt is not None:
        return qt.name
    choices = list(dict.fromkeys([q.name for q in model.quants] + quants.known_names()))
    near = difflib.get_close_matches(wanted.upper(), [c.upper() for c in choices], n=3, cutoff=0.5)
    by_upper = {c.upper(): c for c in choices}
    raise RigfitError(
        f"`{wanted}` is not a quant I know. Published for {model.name}: "
        f"{', '.join(q.name for q in model.quants[:6]) or 'none'}; any GGUF type (Q4_K_M, IQ2_XXS ...) works too.",
        field="quant",
        code=ErrorCode.QUANT_UNKNOWN,
        suggestions=tuple(by_upper[n] for n in near),
    )


# A quant written into the model text ("llama 3.1 8b q4_k_m", "qwen3 30b a3b at q6", a GGUF file or repo name):
# llama.cpp's type names, Unsloth's UD- ones and MXFP4, or the chat shorthand of a bare bit count, which names the
# file people mean by it (the K-quant medium, or Q6_K and Q8_0 which have no size letter).
_QUANT_IN_TEXT = re.compile(r"(?i)(?<![a-z0-9])((?:ud[-_])?i?q[1-8](?:_[0-9a-z]+)*|mxfp4)(?![a-z0-9])")
_SHORTHAND = {"q2": "Q2_K", "q3": "Q3_K_M", "q4": "Q4_K_M", "q5": "Q5_K_M", "q6": "Q6_K", "q8": "Q8_0"}


def quant_in_model_text(text: str) -> str | None:
    """The quant a model text names, as a quant name `parse_quant` takes; None when it names none. llama.cpp's
    description of a file names its file type as llama.cpp prints it (`qwen3moe 30B.A3B Q4_K - Medium` -> Q4_K_M)."""
    described, quant = described_quant(text)
    if described:
        return quant
    found = _QUANT_IN_TEXT.findall(text)
    if not found:
        return None
    name = found[-1]
    return _SHORTHAND.get(name.lower(), name)


KV_TYPES = ("f16", "q8_0", "q4_0")
MAX_PROMPT_TOKENS = 10_000_000


def parse_kv_type(value: str | None) -> memory.KvType:
    """The KV cache type llama.cpp takes with -ctk/-ctv; f16 when not given."""
    if value is None or not value.strip():
        return "f16"
    v = value.strip().lower().replace("-", "_").replace("fp16", "f16")
    if v == "q8":
        v = "q8_0"
    if v == "q4":
        v = "q4_0"
    if v == "f16":
        return "f16"
    if v == "q8_0":
        return "q8_0"
    if v == "q4_0":
        return "q4_0"
    raise RigfitError(
        f"`{value[:20]}` is not a KV cache type I know; use f16, q8_0 or q4_0.",
        field="kv_cache",
        code=ErrorCode.KV_TYPE_UNKNOWN,
    )


def parse_prompt_tokens(value: str | int | None, default: int) -> int:
    """Prompt length for the time-to-first-token figure: '50k', 8192; the default when not given."""
    if value is None or value == "":
        return default
    tokens = value if isinstance(value, int) else context_tokens(value)
    if tokens is None or not 1 <= tokens <= MAX_PROMPT_TOKENS:
        raise RigfitError(
            "A prompt length is 1 to 10M tokens, like `4096` or `50k`.",
            field="prompt",
            code=ErrorCode.PROMPT_OUT_OF_RANGE,
            limit=MAX_PROMPT_TOKENS,
        )
    return tokens
