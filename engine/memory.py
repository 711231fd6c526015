"""Bytes: weights per quant, KV cache per token, and the buffers each backend keeps (shared/SIZING.md §1-3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from catalog.types import Backend, Model, Quant
from engine import formats, mixes, quants
from engine.units import GIB, MIB

KvType = Literal["f16", "q8_0", "q4_0"]

# Bytes per cached element: f16 2; q8_0 and q4_0 are GGML blocks of 32 (34 and 18 bytes: gguf-py GGML_QUANT_SIZES).
KV_BYTES_PER_ELEMENT: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}

# Runtime context per GPU: Ollama reserves 457 MiB per CUDA GPU and 512 MiB on Metal (shared/SIZING.md §3).
# ROCm and Vulkan are taken as CUDA's figure; CPU has no device context.
RUNTIME_BYTES: dict[str, int] = {
    "cuda": 457 * MIB,
    "rocm": 457 * MIB,
    "vulkan": 457 * MIB,
    "sycl": 457 * MIB,
    "metal": 512 * MIB,
    "cpu": 0,
}
# llama.cpp's --fit leaves 1 GiB free per device (shared/SIZING.md §3).
DEVICE_MARGIN_BYTES = 1 * GIB
# System RAM left to the operating system and other programs ("several GB", shared/SIZING.md §3).
OS_RESERVE_BYTES = 4 * GIB
# A machine with less memory runs a smaller system (a headless Raspberry Pi OS, a Jetson's L4T): it keeps a third of
# its memory, never more than OS_RESERVE_BYTES. A Jetson Orin Nano 8GB measured about 5.2 GB free for the GPU after
# its OS (ericxliu.me/posts/benchmarking-llms-on-jetson-orin-nano, 2025-10-04): two thirds of 8 GiB is 5.7 GB.
OS_RESERVE_SHARE_SMALL = 3


def os_reserve_bytes(total_bytes: int) -> int:
    """The memory a machine of `total_bytes` leaves its OS: 4 GiB from 12 GiB up, a third of a smaller machine's
    (a 4 GB Pi keeps 1.3 GiB, not all of it)."""
    return min(OS_RESERVE_BYTES, total_bytes // OS_RESERVE_SHARE_SMALL)


# llama.cpp's default micro-batch (`-ub 512`); the logits buffer holds n_ubatch x n_vocab f32 values.
N_UBATCH = 512
DEFAULT_VOCAB = 128_000  # when a model's vocab_size is not in the catalog: a Llama-3-class vocabulary


@dataclass(frozen=True)
class Weights:
    quant: str
    n_bytes: int
    basis: Literal["published", "estimated", "exact"]
    bits_per_weight: float
    bits_basis: str | None = None  # estimated sizes: how the bits per weight were obtained (engine/quants.py)


def weights_from_quant(model: Model, q: Quant) -> Weights:
    bits = q.file_bytes * 8 / (model.total_params_b * 1e9)
    basis: Literal["published", "exact"] = "exact" if q.exact else "published"
    return Weights(q.name, q.file_bytes, basis, round(bits, 2))


def weights_estimate(model: Model, quant_name: str) -> Weights | None:
    """The model's parameter split at the block types llama.cpp's quantizer gives each tensor of the file type
    (engine/mixes.py); where the catalog lacks the shapes, or for dynamic and non-GGUF quants, parameters x the
    type's effective bits. Either is scaled by how the model's own published files of standard types compare with
    the same arithmetic (a parameter count that leaves out tensors, or a publisher's habits: its files say by how
    much)."""
    fmt = formats.lookup(quant_name)
    if fmt is not None:  # AWQ, GPTQ, FP8, NVFP4, MLX: what each tool quantizes, at its stored bits
        n_bytes, how = formats.weights_bytes(model, fmt)
        return Weights(fmt.name, n_bytes, "estimated", round(n_bytes * 8 / (model.total_params_b * 1e9), 2), how)
    qt = quants.lookup(quant_name)
    if qt is None:
        return None
    split_bits = mixes.bits_per_weight(model, quant_name)
    raw, basis = (split_bits, SPLIT_BASIS) if split_bits is not None else (qt.bits_per_weight, qt.basis)
    scale = own_files_scale(model) if not qt.dynamic else 1.0
    bits = raw * scale
    n_bytes = int(model.total_params_b * 1e9 * bits / 8)
    basis = basis if scale == 1.0 else f"{basis}; x{scale:.2f} from this model's published files"
    return Weights(qt.name, n_bytes, "estimated", round(bits, 2), basis)


SPLIT_BASIS = "the model's parameter split at the types llama.cpp's quantizer gives each tensor"

# A model's own files move its estimates by at most this much either way: a mislabelled file must not swing a whole
# ladder (the reference mixes and large models' files agree within ~12%: Llama-3.1-405B Q2_K 2.95 vs 3.36 bits).
OWN_FILES_SCALE_BOUNDS = (0.85, 1.2)


# Below 3 bits, files named as plain types are often dynamic mixes in disguise (Unsloth's Llama 4 IQ1_S keeps
# attention far higher), so they do not speak for the model's plain mixes.
OWN_FILES_LEAST_BITS = 3


def own_files_scale(model: Model) -> float:
    """The median of published size / estimated size over the model's plain GGUF files of 3 bits and more whose
    types are in the reference table (quants.FILE_TYPE_BITS), each estimated as `weights_estimate` does before
    scaling; 1.0 when it has none."""
    ratios = sorted(
        q.file_bytes * 8 / (model.total_params_b * 1e9 * _unscaled_bits(model, q.name))
        for q in model.quants
        if q.format == "gguf"
        and quants.canonical(q.name) in quants.FILE_TYPE_BITS
        and quants.nominal_bits(q.name, 0.0) >= OWN_FILES_LEAST_BITS
    )
    if not ratios:
        return 1.0
    mid = len(ratios) // 2
    median = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
    low, high = OWN_FILES_SCALE_BOUNDS
    return round(min(max(median, low), high), 2)


def _unscaled_bits(model: Model, name: str) -> float:
    split_bits = mixes.bits_per_weight(model, name)
    return split_bits if split_bits is not None else quants.FILE_TYPE_BITS[quants.canonical(name)]


def expert_fraction(model: Model) -> float:
    """Share of the weights in routed experts, from total, active, n_active/n_routed.

    total = D + E and active = D + E x k/n, so E = (total - active) / (1 - k/n).
    """
    e = model.experts
    if e is None or model.active_params_b is None:
        return 0.0
    k_over_n = e.n_active / e.n_routed
    if k_over_n >= 1:
        return 0.0
    routed_b = (model.total_params_b - model.active_params_b) / (1 - k_over_n)
    return min(max(routed_b / model.total_params_b, 0.0), 0.98)


def expert_bytes(model: Model, weights_bytes: float, quant: str | None = None) -> float:
    """The routed experts' bytes in a file of `weights_bytes`: their share of its bits where the file type stores
    them in a type of their own (mixes.shares: MXFP4 experts beside Q8_0 are less of the file than of the
    parameters), else their share of the parameters."""
    s = mixes.shares(model, quant)
    return weights_bytes * (s.experts if s is not None else expert_fraction(model))


def active_bytes(model: Model, weights_bytes: float, quant: str | None = None) -> float:
    """Bytes of the file a token reads: active_fraction of it, or where the file type's mix gives the shares
    (mixes.shares), all but the experts it is not routed to (n_active of n_routed) and the token embeddings but
    for its own row."""
    s, e = mixes.shares(model, quant), model.experts
    if s is None or e is None:
        return weights_bytes * active_fraction(model)
    unrouted = s.experts * (1 - e.n_active / e.n_routed)
    unread = s.token_embd * max(1 - 1 / (model.vocab_size or 1), 0.0)
    return weights_bytes * (1 - unrouted - unread) - unread_lookup(model, weights_bytes * lookup_fraction(model))


def active_fraction(model: Model) -> float:
    """Share of the weights read per token: all for dense, active/total for MoE, less the per-layer embedding
    table but for the one row of it the token looks up."""
    active = (model.active_params_b or model.total_params_b) * 1e9
    return (active - unread_lookup(model, lookup_params(model))) / (model.total_params_b * 1e9)


def lookup_params(model: Model) -> int:
    """Parameters in the per-layer embedding table (Gemma 3n, Gemma 4 E2B/E4B): vocab_rows x layers x width_per_layer.
    llama.cpp looks up one row of it per token (src/models/gemma4-iswa.cpp: ggml_get_rows on per_layer_tok_embd, an
    input-layer tensor in src/llama-arch.cpp), where a weight matrix is read whole: 262,144 x 42 x 256 = 2.82B of the
    7.52B llama-bench counts in Gemma 4 E4B's GGUF (bench/measured_runs.csv x1436)."""
    ple = model.per_layer_embeddings
    return ple.vocab_rows * model.layers * ple.width_per_layer if ple else 0


def lookup_fraction(model: Model) -> float:
    """Share of the weights in the per-layer embedding table (by parameters, as expert_fraction)."""
    return lookup_params(model) / (model.total_params_b * 1e9)


def unread_lookup(model: Model, table: float, tokens: int = 1) -> float:
    """Of `table` (bytes or parameters of the per-layer embedding table), what a step of `tokens` tokens leaves
    unread: all but one row per token (at most every row)."""
    ple = model.per_layer_embeddings
    if ple is None or not table:
        return 0.0
    return table * max(1 - tokens / ple.vocab_rows, 0.0)


def fixed_cost_layers(model: Model) -> int:
    """Layers as decode's fixed cost per layer counts them: a recurrent mixer (Qwen3-Next's and Qwen3.5's gated
    delta rule, Nemotron-H's Mamba-2 scan, LFM2's short convolution, Falcon-H1's parallel Mamba) runs kernels of its
    own, conv, scan or the delta rule's chain of ops, in place of attention's or beside them, and counts as a layer
    again. Chosen by the fit's inner folds over counting it once (decode interval score 1.097 -> 1.054): hybrid MoE
    models had decoded 0.2-0.35 slower than a layer count alone explains (Qwen3.5-35B-A3B, Qwen3-Next-80B-A3B)."""
    a = model.attention
    return model.layers + a.linear_attention_layers + a.parallel_state_layers


def moe_layers(model: Model) -> int:
    return model.layers - (model.experts.dense_layers if model.experts else 0)


# ------------------------------------------------------------------------------------------ KV cache


def kv_bytes_per_token_layer(model: Model, kv_type: KvType) -> float:
    """One token, one attention layer (K and V, or the MLA latent), plus any sparse-attention indexer key."""
    a, per = model.attention, KV_BYTES_PER_ELEMENT[kv_type]
    if a.kind == "mla":
        assert a.kv_lora_rank is not None and a.qk_rope_head_dim is not None
        elements = a.kv_lora_rank + a.qk_rope_head_dim
    else:
        assert a.n_kv_heads is not None and a.head_dim is not None
        elements = a.n_kv_heads * (a.head_dim + (a.v_head_dim or a.head_dim))
    indexer = (a.indexer_head_dim or 0) * KV_BYTES_PER_ELEMENT["f16"]
    return elements * per + indexer


@dataclass(frozen=True)
class KvProfile:
    """One model's KV cache at one cache type, for `n_seq` sequences: the sizes every estimate asks of it (bytes
    at a context, bytes one more token adds), worked out once per (model, KV type, sequences) by `kv_profile`.

    Per sequence: full-attention layers grow by `per_token_layer_bytes` each token; sliding-window layers grow
    until `window_tokens`, then stop; linear-attention layers hold `state_bytes` of recurrent state. Compressed
    attention (DeepSeek V4) grows by `compressed_bytes_per_token` over all layers, plus its raw window of
    `window_row_bytes` per token per sliding layer."""

    kv_type: KvType
    n_seq: int
    compressed: bool
    per_token_layer_bytes: float  # one token, one attention layer (GQA/MLA; 0 for compressed)
    full_layers: int
    window_layers: int
    window_tokens: int  # 0 without sliding-window layers
    has_window: bool  # the model names a window (its sliding layers stop growing past it)
    state_bytes: int  # recurrent state of the linear-attention layers (and of parallel hybrids' attention layers)
    compressed_bytes_per_token: float  # compressed attention only, over all layers
    window_row_bytes: float  # compressed attention's raw window: one token of one sliding layer

    def one_sequence_bytes(self, context: int) -> int:
        """One sequence's cache at `context` tokens (what one user's decode reads)."""
        return self._bytes(context, 1)

    def bytes_at(self, context: int) -> int:
        """All `n_seq` sequences' cache at `context` tokens."""
        return self._bytes(context, self.n_seq)

    def _bytes(self, context: int, n_seq: int) -> int:
        window_tokens = min(context, self.window_tokens)
        if self.compressed:
            window = self.window_layers * window_tokens * self.window_row_bytes
            return int(n_seq * (context * self.compressed_bytes_per_token + window))
        tokens_x_layers = self.full_layers * context + self.window_layers * window_tokens
        return int(n_seq * (tokens_x_layers * self.per_token_layer_bytes + self.state_bytes))

    def growth_per_token(self, context: int) -> float:
        """Bytes one more token of context adds for all `n_seq` sequences (sliding layers stop past their window)."""
        if self.compressed:
            grows = context < self.window_tokens
            return self.n_seq * (self.compressed_bytes_per_token + grows * self.window_layers * self.window_row_bytes)
        growing = self.full_layers + self.window_layers
        if self.has_window and context >= self.window_tokens:
            growing -= self.window_layers
        return self.n_seq * growing * self.per_token_layer_bytes


def _cached_full_layers(model: Model) -> int:
    """Full-attention layers that keep a cache of their own: not sliding, linear or attention-free, and not reusing
    an earlier layer's KV (Gemma 3n's shared layers)."""
    a = model.attention
    not_full = a.sliding_window_layers + a.linear_attention_layers + a.non_attention_layers
    return model.layers - not_full - a.kv_shared_full_layers


def kv_profile(model: Model, kv_type: KvType = "f16", n_seq: int = 1) -> KvProfile:
    a = model.attention
    compressed = a.kind == "compressed"
    per_token = 0.0
    if compressed:
        assert a.compressed_kv_bytes_per_token is not None
        scale = KV_BYTES_PER_ELEMENT[kv_type] / KV_BYTES_PER_ELEMENT["f16"]
        per_token = a.compressed_kv_bytes_per_token * scale
    return KvProfile(
        kv_type=kv_type,
        n_seq=n_seq,
        compressed=compressed,
        per_token_layer_bytes=0.0 if compressed else kv_bytes_per_token_layer(model, kv_type),
        full_layers=_cached_full_layers(model),
        window_layers=a.sliding_window_layers - a.kv_shared_sliding_layers,
        window_tokens=a.sliding_window_tokens or 0,
        has_window=a.sliding_window_tokens is not None,
        state_bytes=(a.linear_attention_layers + a.parallel_state_layers) * (a.recurrent_state_bytes_per_layer or 0),
        compressed_bytes_per_token=per_token,
        window_row_bytes=(a.head_dim or 0) * KV_BYTES_PER_ELEMENT[kv_type] if compressed else 0.0,
    )


def kv_cache_bytes(model: Model, context: int, kv_type: KvType = "f16", n_seq: int = 1) -> int:
    """Full-attention layers grow with context; sliding-window layers stop at the window; linear layers hold
    a fixed recurrent state per sequence; compressed attention grows by its bytes per token."""
    return kv_profile(model, kv_type, n_seq).bytes_at(context)


def kv_growth_per_token(model: Model, context: int, kv_type: KvType = "f16", n_seq: int = 1) -> float:
    """Bytes one more token of context adds (sliding layers stop growing past their window)."""
    return kv_profile(model, kv_type, n_seq).growth_per_token(context)


# ---------------------------------------------------------------------------------------- overheads


def compute_buffer_bytes(model: Model, ubatch_tokens: int = N_UBATCH) -> int:
    """The largest graph buffer: the f32 logits of one micro-batch (n_ubatch x n_vocab x 4 bytes)."""
    return ubatch_tokens * (model.vocab_size or DEFAULT_VOCAB) * 4


def device_overhead_bytes(model: Model, backend: Backend) -> int:
    """What a GPU holds besides weights and KV: runtime context, compute buffer, --fit's safety margin."""
    return RUNTIME_BYTES[backend] + compute_buffer_bytes(model) + DEVICE_MARGIN_BYTES
