"""Model names people type -> catalog models: names and aliases, Hugging Face repo ids, and bare sizes (`70B`,
`30B-A3B`) sized as ad-hoc models with the nearest catalog model's architecture.

Every failure raises RigfitError naming what was not understood and what would be.
"""

from __future__ import annotations

import math
import re

from catalog.catalog import Catalog
from catalog.types import Attention, Experts, Model
from engine.errors import ErrorCode, RigfitError
from engine.parse.options import MAX_INPUT_CHARS

_ADHOC = re.compile(r"^(?P<total>\d+(?:\.\d+)?)\s*b(?:[-_\s]*a(?P<active>\d+(?:\.\d+)?)\s*b)?$")


def parse_model(text: str, catalog: Catalog) -> Model:
    query = (text or "").strip()
    if not query:
        raise RigfitError(
            "Tell me a model, e.g. `glm-5.2`, `qwen3-30b-a3b` or `70B`.", field="model", code=ErrorCode.MODEL_MISSING
        )
    if len(query) > MAX_INPUT_CHARS:
        raise RigfitError(
            f"That model name is {len(query)} characters; keep it under {MAX_INPUT_CHARS}.",
            field="model",
            code=ErrorCode.INPUT_TOO_LONG,
            limit=MAX_INPUT_CHARS,
        )
    by_repo = _by_hf_repo(query, catalog)
    if by_repo is not None:
        return by_repo
    name = re.sub(r"(?i)[-_.]gguf$", "", query.split("/")[-1]) if "/" in query else query
    res = catalog.find_model(name)
    if res.id is not None:
        return catalog.models[res.id]
    adhoc = _ADHOC.match(name.lower().replace(" ", ""))
    if adhoc:
        return _adhoc_model(float(adhoc.group("total")), adhoc.group("active"), catalog)
    if res.candidates:
        names = tuple(catalog.models[c].name for c in res.candidates[:5])
        raise RigfitError(
            f"`{query[:80]}` could mean several models.",
            field="model",
            code=ErrorCode.MODEL_AMBIGUOUS,
            suggestions=names,
        )
    names = tuple(catalog.models[c].name for c in res.suggestions)
    raise RigfitError(
        f"I don't know the model `{query[:80]}`. Use a catalog name, a Hugging Face repo id, or a size like `70B` "
        "or `30B-A3B`.",
        field="model",
        code=ErrorCode.MODEL_UNKNOWN,
        suggestions=names,
    )


def _by_hf_repo(query: str, catalog: Catalog) -> Model | None:
    if "/" not in query:
        return None
    wanted = query.lower().removesuffix("-gguf")
    for m in catalog.models.values():
        repos = [m.hf_repo or ""] + [q.repo or "" for q in m.quants]
        if any(r and r.lower().removesuffix("-gguf") == wanted for r in repos):
            return m
    return None


def _adhoc_model(total_b: float, active: str | None, catalog: Catalog) -> Model:
    if not 0.01 <= total_b <= 100_000:
        raise RigfitError(
            f"{total_b:g}B parameters is outside what I can size (0.01B to 100000B).",
            field="model",
            code=ErrorCode.PARAMS_OUT_OF_RANGE,
        )
    active_b = float(active) if active else None
    if active_b is not None and not 0 < active_b <= total_b:
        raise RigfitError(
            f"Active parameters ({active_b:g}B) must be between 0 and the total ({total_b:g}B).",
            field="model",
            code=ErrorCode.PARAMS_OUT_OF_RANGE,
        )
    like = _closest_architecture(total_b, moe=active_b is not None, catalog=catalog)
    label = f"{total_b:g}B" + (f"-A{active_b:g}B" if active_b else "")
    if like is None:
        attention, layers, experts, ctx = Attention(kind="gqa", n_kv_heads=8, head_dim=128), 80, None, 131072
    else:
        attention, layers, experts, ctx = like.attention, like.layers, like.experts, like.context_max_tokens
    if active_b is not None and experts is None:
        experts = Experts(n_routed=128, n_active=8)
    return Model(
        id="adhoc-" + label.lower().replace(".", "p"),
        name=f"ad-hoc {label} model",
        family="ad-hoc",
        adhoc=True,
        total_params_b=total_b,
        active_params_b=active_b,
        layers=layers,
        context_max_tokens=ctx,
        attention=attention,
        experts=experts if active_b is not None else None,
        source="user input",
        as_of=like.as_of if like else catalog.as_of,
        architecture_from=like.name if like else None,
    )


SAME_SIZE = 0.15  # models within 15% of the nearest size count as equally near; the newest design wins


def _exotic_rank(attention: Attention) -> int:
    """How far an attention design is from the common one an unknown model most likely has: 0 full GQA/MHA on
    every layer, 1 MLA, 2 sliding-window layers, 3 hybrid (linear/recurrent or attention-free layers) or
    compressed. A borrowed hybrid would understate the KV cache of a plain model many times over."""
    if attention.kind == "compressed" or attention.linear_attention_layers or attention.non_attention_layers:
        return 3
    if attention.sliding_window_layers:
        return 2
    return 1 if attention.kind == "mla" else 0


def _closest_architecture(total_b: float, *, moe: bool, catalog: Catalog) -> Model | None:
    """The nearest catalog model in size; among equally near ones the plainest attention (`30B-A3B` borrows
    Qwen3-30B-A3B's GQA, not Nemotron 3 Nano's hybrid), then the longest context (the most recent design:
    Llama 3.3 70B rather than Llama 2 70B for a bare `70B`)."""
    pool = [m for m in catalog.models.values() if m.is_moe == moe] or list(catalog.models.values())
    if not pool:
        return None
    distance = {m.id: abs(math.log(m.total_params_b / total_b)) for m in pool}
    nearest = min(distance.values())
    near = [m for m in pool if distance[m.id] <= nearest + SAME_SIZE]
    return max(near, key=lambda m: (-_exotic_rank(m.attention), m.context_max_tokens, -distance[m.id]))
