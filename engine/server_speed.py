"""Decode speed of a vLLM or SGLang serve plan: the checkpoint it loads, split the way it splits it, for one user
and for several at once (shared/SIZING.md §5).

A server's decode step on one node is, per GPU:

    step seconds = bytes read / (bandwidth x efficiency)       the checkpoint's slice, the KV cache of every user
                 + layers x layer seconds                       the engine's fixed cost per layer and step
                 + layers x ALLREDUCES_PER_LAYER x all-reduce   tensor parallel only, at the link's latency

Bytes read: the dense weights and the routed experts the step's tokens touch, divided by the tensor-parallel size
(pipeline stages run one after another, so their slices add up to the same); each user's KV cache, split by KV
head. The fixed cost per layer is what no bandwidth explains at batch 1 (kernel launches inside the CUDA graph,
MoE routing, gather and expert GEMMs too small to reach the memory's speed, MLA's latent projections): DeepSeek-V3
in FP8 on 8x H200 reads about 4.6 GB a GPU per token, 1 ms at 4.8 TB/s, and measured 33 ms (sglang PR #2643). It is
fitted on measured single-request server runs by calibrate/servers.py (fit on some sources, scored on the others):
SERVER_LAYER_S["dense"] a dense layer's, and a MoE layer's SERVER_MOE_LAYER_S_PER_B times the billions of routed
expert parameters one token's experts hold in a layer (`active_expert_params_b_per_layer`): the expert GEMMs of a
single token are too small to run at the memory's speed, and Qwen3-30B-A3B's 0.04 B a layer cost about 100 us on
one A100 where DeepSeek-V3's 0.34 B cost 230-500 us on 8 GPUs, which one fixed cost per MoE layer could not fit;
the bandwidth efficiency is the GPU decode efficiency fitted on llama.cpp runs (engine/calibration.py), the
all-reduce latency is engine/calibration.ALLREDUCE_S.

Several users share a step: the weights are read once for all of them (a MoE step touches more experts), each
user's cache is read, and the fixed costs are paid once, so the total rate is users / step seconds.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from catalog.types import Model
from engine import calibration, memory
from engine.calibration import SERVER_LAYER_S, SERVER_MOE_LAYER_S_PER_B, ModelKind
from engine.rig import Frozen
from engine.speed import Range

Link = Literal["pcie", "nvlink"]

BATCH_USERS = 8  # the "several users at once" figure: a small team on one server


class ServerSpeed(Frozen):
    """Decode of one serve plan: one user, and `users` users at once (in total)."""

    one_user_tps: Range
    users: int
    batched_tps: Range  # all users' tokens per second together
    layer_ms: Range  # of one user's time per token, the fixed cost per layer (ms, all layers together)


class Split(NamedTuple):
    """How a plan splits the checkpoint over one node's GPUs."""

    tensor_parallel: int
    pipeline_parallel: int
    link: Link


def experts_touched(model: Model, tokens: int) -> float:
    """Expected share of routed experts a step with `tokens` tokens touches, each routed to k of n experts:
    1 - (1 - k/n)^tokens (independent routing)."""
    e = model.experts
    if e is None:
        return 1.0
    return 1 - (1 - e.n_active / e.n_routed) ** tokens


def step_bytes_per_gpu(model: Model, weights_bytes: int, split: Split, kv_read_bytes: int, users: int) -> float:
    """Bytes one GPU reads in a decode step of `users` tokens: its slice of the dense weights (of the per-layer
    embedding table only the rows the step's tokens look up) and of the experts the step touches, and each user's KV
    cache split by KV head (MLA's latent is read whole on every rank)."""
    experts = weights_bytes * memory.expert_fraction(model)
    dense = weights_bytes - experts - memory.unread_lookup(model, weights_bytes * memory.lookup_fraction(model), users)
    weights = (dense + experts * experts_touched(model, users)) / split.tensor_parallel
    a = model.attention
    kv_split = min(split.tensor_parallel, a.n_kv_heads) if a.kind == "gqa" and a.n_kv_heads else 1
    return weights + kv_read_bytes * users / kv_split


def model_kind(model: Model) -> ModelKind:
    return "moe" if model.is_moe else "dense"


def active_expert_params_b_per_layer(model: Model) -> float:
    """Billions of routed expert parameters one token's experts hold in a layer: the routed experts' share of the
    parameters (memory.expert_fraction) x n_active / n_routed, over the layers."""
    e = model.experts
    if e is None:
        return 0.0
    return model.total_params_b * memory.expert_fraction(model) * e.n_active / e.n_routed / model.layers


def layer_seconds(model: Model) -> tuple[float, float, float]:
    """(fast, typical, slow) fixed seconds per layer and decode step: a dense layer's (SERVER_LAYER_S), or a MoE
    layer's SERVER_MOE_LAYER_S_PER_B x its active routed expert parameters (billions)."""
    if not model.is_moe:
        return SERVER_LAYER_S["dense"]
    b = active_expert_params_b_per_layer(model)
    fast, typical, slow = SERVER_MOE_LAYER_S_PER_B
    return fast * b, typical * b, slow * b


def fixed_seconds(model: Model, split: Split) -> tuple[float, float]:
    """(fast, slow) all-reduce seconds a step spends over the link: ALLREDUCES_PER_LAYER per layer when tensor
    parallel, none on one GPU."""
    if split.tensor_parallel == 1:
        return 0.0, 0.0
    fast, slow = calibration.ALLREDUCE_S[split.link]
    n = calibration.ALLREDUCES_PER_LAYER * model.layers
    return n * fast, n * slow


def step_seconds(
    model: Model,
    weights_bytes: int,
    split: Split,
    bandwidth_gb_s: float,
    backend: str,
    kv_read_bytes: int,
    users: int,
    layer_s: tuple[float, float, float] | None = None,
    pool: str = "gpu",
) -> tuple[float, float, float]:
    """(fast, typical, slow) seconds of one decode step serving `users` users, reading memory of kind `pool`
    (`unified`: a DGX Spark's LPDDR5X, at the efficiency llama.cpp runs measured there)."""
    fast_layer, typical_layer, slow_layer = layer_s or layer_seconds(model)
    eff = calibration.decode_efficiency(pool, backend, moe=model.is_moe)
    read = step_bytes_per_gpu(model, weights_bytes, split, kv_read_bytes, users) / (bandwidth_gb_s * 1e9)
    ar_fast, ar_slow = fixed_seconds(model, split)
    return (
        read / eff.high + model.layers * fast_layer + ar_fast,
        read / eff.typical + model.layers * typical_layer + (ar_fast * ar_slow) ** 0.5,
        read / eff.low + model.layers * slow_layer + ar_slow,
    )


def _rate(seconds: tuple[float, float, float], users: int) -> Range:
    fast, typical, slow = seconds
    return Range(low=users / slow, high=users / fast, typical=users / typical)


def server_speed(
    model: Model,
    weights_bytes: int,
    split: Split,
    bandwidth_gb_s: float,
    backend: str,
    kv_read_bytes: int,
    users: int = BATCH_USERS,
    pool: str = "gpu",
) -> ServerSpeed:
    """One user's and `users` users' decode for a checkpoint of `weights_bytes` split as `split`, each user reading
    `kv_read_bytes` of KV cache a token, on GPUs of `bandwidth_gb_s`."""
    one = step_seconds(model, weights_bytes, split, bandwidth_gb_s, backend, kv_read_bytes, 1, pool=pool)
    many = step_seconds(model, weights_bytes, split, bandwidth_gb_s, backend, kv_read_bytes, users, pool=pool)
    fast_layer, typical_layer, slow_layer = layer_seconds(model)
    layers_ms = Range(
        low=model.layers * fast_layer * 1e3,
        high=model.layers * slow_layer * 1e3,
        typical=model.layers * typical_layer * 1e3,
    )
    return ServerSpeed(one_user_tps=_rate(one, 1), users=users, batched_tps=_rate(many, users), layer_ms=layers_ms)
