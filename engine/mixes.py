"""Which block type llama.cpp's quantizer gives each tensor of a file type, and the file size that follows from a
model's parameter split (shared/SIZING.md §1: bytes = sum over tensors of params x bits / 8).

A file type such as Q4_K_M is a mix: llama-quantize (`llama_tensor_get_type` in src/llama-quant.cpp, read at
ggml-org/llama.cpp) keeps the output matrix at Q6_K, raises attn_v and ffn_down to Q6_K on about half the layers
(`use_more_bits`: the first and last eighth and every third layer between), and so on per type. `MIXES` writes
those rules down per file type; `split` divides a catalog model's parameters into the tensors the rules name, from
its shapes (vocabulary x hidden for the embeddings, heads x head_dim for attention, the rest FFN, the routed
experts' share from total and active parameters). Assumed where the catalog does not say: the output matrix is not
tied to the token embeddings, SwiGLU FFNs (down is a third of each FFN), imatrix quants (the IQ types need one;
unsloth and bartowski use one). A tensor whose rows are not a whole number of 256-weight super-blocks takes the
quantizer's fallback type (FALLBACK); the rows of every tensor that reads the hidden state are the hidden size,
known; those of ffn_down (the FFN's width) are not in the catalog and are taken as whole super-blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, Literal

from catalog.types import Model
from engine import quants
from engine.quants import BLOCK_TYPE_BITS

# Which layers a raised type applies to (llama-quant.cpp): all; `use_more_bits` (first and last n/8, every third
# between: about half); the first n/8; the first n/16; the first 2 or 4 layers (attn_v of Q3_K_M, Q4_K_S); all but
# the first and last eighth (ffn_gate/up of IQ3_XS).
Layers = Literal["all", "more_bits", "first_eighth", "first_sixteenth", "first_two", "first_four", "middle"]
Raise = tuple[tuple[str, Layers], ...]  # (block type, layers), the first that applies to a layer wins


@dataclass(frozen=True)
class Mix:
    """The block types of one file type, by tensor. `None`: the file type's default. `*_gqa` apply when the
    model has 4 or more query heads per KV head (n_gqa() >= 4), `attn_v_moe` to models of 4 or more experts, `*_8x`
    to models of exactly 8 experts (Mixtral)."""

    default: str
    output: str = "Q6_K"
    token_embd: str | None = None
    attn_v: Raise = ()
    attn_v_gqa: str | None = None
    attn_v_moe: str | None = None
    attn_v_8x: str | None = None
    attn_qk: str | None = None
    attn_k_8x: str | None = None
    attn_output: str | None = None
    attn_output_8x: str | None = None
    ffn_down: Raise = ()
    ffn_gate_up: Raise = ()
    experts: str | None = None  # the routed experts' type when it differs from the rest (MXFP4_MOE)


# The k-quant and IQ3/IQ4 branch: an 8-expert model's attn_v and attn_k go to Q8_0 ("for the 8-expert model, bumping
# this to Q8_0 trades just ~128MB"); the IQ1/IQ2 branch: output Q5_K, token_embd Q2_K, attn_v Q4_K with GQA or experts.
_K = Mix("Q4_K", attn_v_8x="Q8_0", attn_k_8x="Q8_0")
_LOW = Mix("IQ2_XXS", output="Q5_K", token_embd="Q2_K", attn_v_gqa="Q4_K", attn_v_moe="Q4_K", attn_k_8x="Q4_K",
           attn_output_8x="Q5_K")  # fmt: skip
_MORE_BITS: Raise = (("Q6_K", "more_bits"),)

MIXES: dict[str, Mix] = {
    "BF16": Mix("BF16", output="BF16"),
    "F16": Mix("F16", output="F16"),
    "Q8_0": Mix("Q8_0", output="Q8_0"),
    "Q6_K": replace(_K, default="Q6_K"),
    "Q5_K_M": replace(_K, default="Q5_K", attn_v=_MORE_BITS, ffn_down=_MORE_BITS),
    "Q5_K_S": replace(_K, default="Q5_K"),
    "Q5_0": replace(_K, default="Q5_0"),
    "Q4_K_M": replace(_K, attn_v=_MORE_BITS, ffn_down=_MORE_BITS, attn_output_8x="Q5_K"),
    "Q4_K_S": replace(
        _K, attn_v=(("Q5_K", "first_four"),), ffn_down=(("Q5_K", "first_eighth"),), attn_output_8x="Q5_K"
    ),
    "Q4_0": replace(_K, default="Q4_0"),
    "IQ4_XS": replace(_K, default="IQ4_XS", attn_v_gqa="Q5_K", attn_output_8x="Q5_K"),
    "IQ4_NL": replace(_K, default="IQ4_NL", attn_v_gqa="Q5_K", attn_output_8x="Q5_K"),
    "Q3_K_L": replace(
        _K,
        default="Q3_K",
        attn_v=(("Q5_K", "all"),),
        ffn_down=(("Q5_K", "all"),),
        attn_output="Q5_K",
        attn_output_8x="Q5_K",
    ),
    "Q3_K_M": replace(
        _K,
        default="Q3_K",
        attn_v=(("Q5_K", "first_two"), ("Q4_K", "all")),
        ffn_down=(("Q5_K", "first_sixteenth"), ("Q4_K", "all")),
        attn_output="Q4_K",
        attn_output_8x="Q5_K",
    ),
    "Q3_K_S": replace(_K, default="Q3_K", attn_output_8x="Q5_K"),
    "IQ3_M": replace(
        _K,
        default="IQ3_S",
        attn_v=(("Q4_K", "all"),),
        ffn_down=(("Q4_K", "first_eighth"),),
        attn_output="Q4_K",
        attn_output_8x="Q5_K",
    ),
    "IQ3_XS": replace(
        _K,
        default="IQ3_S",
        attn_v_gqa="Q4_K",
        attn_qk="IQ3_XXS",
        ffn_gate_up=(("IQ3_XXS", "middle"),),
        attn_output_8x="Q5_K",
    ),
    "IQ3_XXS": replace(
        _K,
        default="IQ3_XXS",
        output="Q5_K",
        token_embd="IQ3_S",
        attn_v_gqa="Q4_K",
        attn_qk="IQ2_S",
        attn_output="IQ3_S",
        attn_output_8x="Q5_K",
    ),
    "Q2_K": replace(
        _K,
        default="Q2_K",
        attn_v=(("Q3_K", "all"),),
        attn_v_gqa="Q4_K",
        ffn_down=(("Q3_K", "all"),),
        attn_output="Q3_K",
        attn_output_8x="Q5_K",
    ),
    "IQ2_M": replace(
        _LOW,
        default="IQ2_S",
        token_embd="IQ3_S",
        attn_v=(("IQ3_S", "all"),),
        ffn_down=(("IQ3_S", "first_eighth"),),
        attn_output="IQ3_S",
    ),
    "IQ2_S": replace(
        _LOW,
        default="IQ2_XS",
        token_embd="IQ3_S",
        attn_v=(("IQ3_S", "all"),),
        ffn_down=(("IQ3_S", "first_eighth"),),
        attn_output="IQ3_S",
    ),
    "IQ2_XS": replace(_LOW, default="IQ2_XS", attn_v=(("Q2_K", "all"),), ffn_down=(("Q2_K", "first_eighth"),)),
    "IQ2_XXS": replace(_LOW, attn_v=(("Q2_K", "all"),), ffn_down=(("Q2_K", "first_eighth"),)),
    "IQ1_M": replace(
        _LOW, default="IQ1_M", attn_v=(("Q2_K", "all"),), ffn_down=(("Q2_K", "first_eighth"),), attn_output="IQ2_XXS"
    ),
    "IQ1_S": replace(
        _LOW, default="IQ1_S", attn_v=(("Q2_K", "all"),), ffn_down=(("Q2_K", "first_eighth"),), attn_output="IQ2_XXS"
    ),
    # gpt-oss' MXFP4_MOE: "MoE tensors -> MXFP4, other tensors -> Q8_0", the output matrix too
    "MXFP4": Mix("Q8_0", output="Q8_0", experts="MXFP4"),
}
_DYNAMIC = re.compile(r"^(UD|DYNAMIC)[-_]", re.IGNORECASE)
_LARGE_VARIANT = re.compile(r"_(XL|L)$")


# FALLBACK. llama-quantize gives a k-quant or IQ type only to tensors whose rows (ne[0]) are whole super-blocks of
# SUPER_BLOCK weights; any other tensor takes a fallback type of 32-weight blocks (src/llama-quant.cpp,
# llama_tensor_get_type's convert_incompatible_tensor, ggml-org/llama.cpp): the 1-3 bit types and IQ4_XS become IQ4_NL,
# Q4_K Q5_0, Q5_K Q5_1, Q6_K Q8_0, and F16 where the rows are not whole 32-weight blocks either. ik_llama.cpp's
# IQ1_S_R4 was made with 32-weight blocks for this: "a lot of tensors with row sizes not divisible by 256, so a
# significant fraction of tensors gets quantized to IQ4_NL when using IQ1_S" (github:ikawrakow/ik_llama.cpp PR #185).
# Nemotron 3 Nano's hidden size is 2688 (10.5 super-blocks): bartowski's file named IQ2_XXS holds 18.0 GB, 4.56 bits
# a weight by its header, mostly IQ4_NL (catalog/data/models/nemotron.yaml).
SUPER_BLOCK = 256
SMALL_BLOCK = 32
FALLBACK = {
    **dict.fromkeys(
        ("IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "Q2_K", "Q3_K", "IQ4_XS"), "IQ4_NL"
    ),
    "Q4_K": "Q5_0",
    "Q5_K": "Q5_1",
    "Q6_K": "Q8_0",
}


def _fallback_type(block_type: str, row: int) -> str:
    """The type llama-quantize stores a tensor of `row`-weight rows in when asked for `block_type` (FALLBACK)."""
    if row % SUPER_BLOCK == 0 or block_type not in FALLBACK:
        return block_type
    return FALLBACK[block_type] if row % SMALL_BLOCK == 0 else "F16"


def _fallen_back(mix: Mix, row: int) -> Mix:
    """The mix as llama-quantize applies it to tensors whose rows are `row` weights long: every block type it names
    (a tensor's type, or each of its raises) at its fallback type."""
    if row % SUPER_BLOCK == 0:
        return mix

    def fallen(value: str | Raise | None) -> str | Raise | None:
        if isinstance(value, str):
            return _fallback_type(value, row)
        if isinstance(value, tuple):
            return tuple((_fallback_type(t, row), layers) for t, layers in value)
        return value

    changes: dict[str, Any] = {f.name: fallen(getattr(mix, f.name)) for f in fields(mix)}
    return replace(mix, **changes)


def mix_for(name: str, model: Model) -> Mix | None:
    """The mix of a plain file type by name (Q4_K_M, q8_0, Q4_K_L). bartowski's _L/_XL variants are the base mix
    with embeddings and output at Q8_0. A model released with MXFP4 experts (gpt-oss) keeps them in every file:
    its files differ in the other tensors only. None for dynamic quants (UD-*: the publisher's own recipe) and
    names that are not a llama.cpp file type."""
    if _DYNAMIC.match(name.strip()):
        return None
    base = quants.canonical(name)
    mix = MIXES.get(base)
    if mix is None and _LARGE_VARIANT.search(base):
        stem = MIXES.get(quants.canonical(_LARGE_VARIANT.sub("", base)))
        mix = replace(stem, output="Q8_0", token_embd="Q8_0") if stem else None
    if mix is not None and model.native_dtype == "mxfp4" and mix.experts is None:
        mix = replace(mix, experts="MXFP4")
    return mix


def bits_per_weight(model: Model, name: str) -> float | None:
    """The file's bits per weight from the model's parameter split at the mix's block types; None when the
    catalog lacks the shapes or the name is not a plain file type."""
    s, mix = split(model), mix_for(name, model)
    if s is None or mix is None:
        return None
    return file_bits(s, mix) / (model.total_params_b * 1e9)


# The router (ffn_gate_inp) is never quantized: it stays at the converted file's F32.
ROUTER_TYPE = "F32"


@dataclass(frozen=True)
class Split:
    """A model's parameters by the tensors the quantizer tells apart (counts of weights, not bytes)."""

    token_embd: float
    output: float
    attn_q: float  # q and o: the same size for a plain GQA layer
    attn_k: float
    attn_v: float
    attn_output: float
    ffn_down: float  # dense and shared FFNs, and MLA/linear-attention weights lumped with the dense FFN
    ffn_gate_up: float
    experts_down: float
    experts_gate_up: float
    router: float
    attention_layers: int
    ffn_down_tensors: int  # what llama-quantize counts layers of ffn_down against (dense + routed + shared)
    gqa: bool  # 4 or more query heads per KV head
    moe: bool  # 4 or more routed experts
    eight_experts: bool
    hidden: int = SUPER_BLOCK  # the rows of every tensor that reads the hidden state (FALLBACK)
    attn_output_row: int = SUPER_BLOCK  # attn_output's rows: heads x value dimension


def split(model: Model) -> Split | None:
    """The parameter split from the model's shapes; None when the catalog lacks the hidden size or vocabulary."""
    h, vocab = model.hidden_size, model.vocab_size
    if h is None or vocab is None:
        return None
    total = model.total_params_b * 1e9
    embd = float(vocab * h)
    q, k, v, o, layers = _attention(model, h)
    a = model.attention
    heads_row = (a.n_heads or 0) * (a.v_head_dim or a.head_dim or 0) if a.kind == "gqa" else 0
    e = model.experts
    moe_layers = model.layers - (e.dense_layers if e else 0)
    router = float(e.n_routed * h * moe_layers) if e else 0.0
    output = embd
    ffn = total - 2 * embd - q - k - v - o - router
    if ffn <= 0:  # the shapes leave no room for a separate output matrix: it is tied to the embeddings
        output, ffn = 0.0, total - embd - q - k - v - o - router
    routed = min(max(_routed_params(model), 0.0), max(ffn, 0.0))
    dense = max(ffn - routed, 0.0)
    return Split(
        token_embd=embd,
        output=output,
        attn_q=q,
        attn_k=k,
        attn_v=v,
        attn_output=o,
        ffn_down=dense / 3,
        ffn_gate_up=dense * 2 / 3,
        experts_down=routed / 3,
        experts_gate_up=routed * 2 / 3,
        router=router,
        attention_layers=layers,
        ffn_down_tensors=model.layers + (moe_layers if e and e.n_shared else 0),
        gqa=_gqa(model),
        moe=e is not None and e.n_routed >= 4,
        eight_experts=e is not None and e.n_routed == 8,
        hidden=h,
        attn_output_row=heads_row or SUPER_BLOCK,
    )


def _attention(model: Model, h: int) -> tuple[float, float, float, float, int]:
    """q, k, v, o parameters over the attention layers of a GQA/MHA model (MLA and compressed attention name other
    tensors, which take the file type's default type: they are left in the FFN's share)."""
    a = model.attention
    layers = model.layers - a.linear_attention_layers - a.non_attention_layers
    if a.kind != "gqa" or a.n_kv_heads is None or a.head_dim is None:
        return 0.0, 0.0, 0.0, 0.0, 0
    n_heads = a.n_heads or max(h // a.head_dim, 1)
    v_dim = a.v_head_dim or a.head_dim
    q = float(layers * h * n_heads * a.head_dim)
    k = float(layers * h * a.n_kv_heads * a.head_dim)
    v = float(layers * h * a.n_kv_heads * v_dim)
    o = float(layers * n_heads * v_dim * h)
    return q, k, v, o, layers


def _routed_params(model: Model) -> float:
    """Routed expert weights: total = D + E and active = D + E x k/n, so E = (total - active) / (1 - k/n)."""
    e = model.experts
    if e is None or model.active_params_b is None or e.n_active >= e.n_routed:
        return 0.0
    return (model.total_params_b - model.active_params_b) * 1e9 / (1 - e.n_active / e.n_routed)


def _gqa(model: Model) -> bool:
    a = model.attention
    return a.n_heads is not None and a.n_kv_heads is not None and a.n_heads >= 4 * a.n_kv_heads


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


_IN_LAYERS = {
    "all": lambda i, n: True,
    "more_bits": _use_more_bits,
    "first_eighth": lambda i, n: i < n // 8,
    "first_sixteenth": lambda i, n: i < n // 16,
    "first_two": lambda i, n: i < 2,
    "first_four": lambda i, n: i < 4,
    "middle": lambda i, n: n // 8 <= i < 7 * n // 8,
}


@lru_cache(maxsize=4096)
def _mean_bits(raises: Raise, default: str, n: int) -> float:
    """Average bits per weight over n layers of one tensor kind, the first raise that applies to a layer winning."""
    if n <= 0:
        return BLOCK_TYPE_BITS[default]
    total = 0.0
    for i in range(n):
        kind = next((t for t, which in raises if _IN_LAYERS[which](i, n)), default)
        total += BLOCK_TYPE_BITS[kind]
    return total / n


@dataclass(frozen=True)
class Shares:
    """Shares of a file's bytes, from the mix of its file type: its routed experts', and its token embeddings'
    where they are a table of their own (not tied to the output matrix), which a token looks one row up in."""

    experts: float
    token_embd: float


def shares(model: Model, quant: str | None) -> Shares | None:
    """A MoE file's shares by the block types its file type gives each tensor (MIXES), not by parameters: the
    experts take the FFN's types, or a type of their own (llama.cpp's MXFP4_MOE: MXFP4 experts, Q8_0 elsewhere),
    while attention and output are kept at more bits. gpt-oss-20b's experts are 95% of its parameters but 84% of
    an MXFP4_MOE file's bits, so the dense part every token reads is three times its share of the parameters. A
    model released with MXFP4 experts keeps them in every file, a dynamic quant's included. The token embeddings
    are taken as a table of their own, as `split` takes them. None for a dense model, a dynamic quant of another
    model (the publisher's own recipe), or where the catalog lacks the shapes: the share of the parameters stands
    there (memory.expert_fraction)."""
    mix = mix_for(quant, model) if quant else None
    if mix is None and model.native_dtype == "mxfp4":
        mix = MIXES["MXFP4"]
    s = split(model)
    if mix is None or s is None or not (s.experts_down or s.experts_gate_up):
        return None
    total = file_bits(s, mix)
    token_embd = s.token_embd * _token_embd_bits(s, mix) if s.output else 0.0  # tied: read whole as the output
    return Shares(_expert_bits(s, mix) / total, token_embd / total)


def _ffn_bits(s: Split, mix: Mix) -> tuple[float, float]:
    """Mean bits of a layer's FFN down and gate/up tensors, the file type's raises over the layers."""
    return (
        _mean_bits(mix.ffn_down, mix.default, s.ffn_down_tensors),
        _mean_bits(mix.ffn_gate_up, mix.default, s.ffn_down_tensors),
    )


def _expert_bits(s: Split, mix: Mix) -> float:
    """The routed experts' bits: at their own type (MXFP4_MOE), else at the FFN's (gate and up read the hidden
    state: FALLBACK)."""
    if mix.experts:
        return (s.experts_down + s.experts_gate_up) * BLOCK_TYPE_BITS[mix.experts]
    down, _ = _ffn_bits(s, mix)
    _, gate_up = _ffn_bits(s, _fallen_back(mix, s.hidden))
    return s.experts_down * down + s.experts_gate_up * gate_up


def _token_embd_bits(s: Split, mix: Mix) -> float:
    """Bits per token-embedding weight: tied ones are stored at the output's type (rows of the hidden size)."""
    rows = _fallen_back(mix, s.hidden)
    return BLOCK_TYPE_BITS[rows.output] if s.output == 0 else BLOCK_TYPE_BITS[rows.token_embd or rows.default]


def file_bits(s: Split, mix: Mix) -> float:
    """Total bits of the file: each tensor kind's parameters x the bits its type stores (at the fallback type where
    its rows are not whole super-blocks: FALLBACK)."""
    rows, o_mix = _fallen_back(mix, s.hidden), _fallen_back(mix, s.attn_output_row)
    d = rows.default
    bits = BLOCK_TYPE_BITS
    v_type = (s.eight_experts and rows.attn_v_8x) or (s.gqa and rows.attn_v_gqa) or (s.moe and rows.attn_v_moe) or None
    attn_v = bits[v_type] if v_type else _mean_bits(rows.attn_v, d, s.attention_layers)
    k_type = (s.eight_experts and rows.attn_k_8x) or rows.attn_qk or d
    o_type = (s.eight_experts and o_mix.attn_output_8x) or o_mix.attn_output or o_mix.default
    down, _ = _ffn_bits(s, mix)
    _, gate_up = _ffn_bits(s, rows)
    return (
        s.token_embd * _token_embd_bits(s, mix)
        + s.output * bits[rows.output]
        + s.attn_q * bits[rows.attn_qk or d]
        + s.attn_k * bits[k_type]
        + s.attn_v * attn_v
        + s.attn_output * bits[o_type]
        + s.ffn_down * down
        + s.ffn_gate_up * gate_up
        + _expert_bits(s, mix)
        + s.router * bits[ROUTER_TYPE]
    )
