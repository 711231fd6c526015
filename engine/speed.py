"""Tokens per second as honest ranges (shared/SIZING.md §5-6).

Decode is memory-bound: time per token = sum over pools of bytes read from the pool / (bandwidth x efficiency).
Pools run one after another (llama.cpp's layer split and offload are sequential for one user), so times add.
Prefill is mostly compute-bound: FLOPs per token at the peak of the matrix kernels llama.cpp runs on the device
(engine/kernels.py), plus the weights each micro-batch reads from memory (which MoE models on unified memory feel), and
PCIe when weights sit in system RAM (llama.cpp streams them to the GPU for every micro-batch).

Efficiency figures come from engine/calibration.py, fitted on shared/calibration/ measurements.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from catalog.types import Model
from engine import calibration, memory
from engine.kernels import MatrixRate, MatrixSpec, Weights, cpu_rate, weights_of
from engine.placement import LLAMA_CUDA_MIN_CAPABILITY, Placement, PoolUse, VulkanWhy, rocm_dropped
from engine.rig import NODE_LINK_GB_S, NODE_LINK_LATENCY_S, Frozen, NodeLink

Link = Literal["pcie", "nvlink"]


class CaveatKind(StrEnum):
    """What the speed figures leave out or rest on, for one option (bot/wording.py says each in words)."""

    DISK_BOUND = "disk-bound"  # does not fit: decode at most `max_decode_tps`, reading `disk_gb_per_token`
    NO_BANDWIDTH = "no-bandwidth"  # `device` has no bandwidth in the catalog: no decode figure
    RAM_EFFICIENCY_POOLED = "ram-efficiency-pooled"  # system RAM uses the GPU/unified pooled efficiency
    MLA_DEEP_CONTEXT = "mla-deep-context"  # MLA attention measured slowing with depth more than modelled
    CPU_DEEP_CONTEXT = "cpu-deep-context"  # CPU-only decode measured falling steeply with depth
    CPU_ONLY_PREFILL = "cpu-only-prefill"  # the CPU's model (cores, clock) is not known, or no CPU run fitted
    # CPU only: prefill from `device`'s cores, clock and int8 instructions (engine/kernels.py cpu_rate), not measured
    PREFILL_FROM_CPU_CORES = "prefill-from-cpu-cores"
    NO_FP16 = "no-fp16"  # no matrix rate for the device (engine/kernels.py: no figure, no specifications): no prefill
    PCIE_BOUND_PREFILL = "pcie-bound-prefill"  # weights in system RAM streamed over PCIe for every batch
    # `device`'s FP16 figure is derived from its specifications (cores x clock), not published
    PREFILL_FROM_DERIVED_FLOPS = "prefill-from-derived-flops"
    LINK_LATENCY_UNMODELLED = "link-latency-unmodelled"  # a cluster over `link`: its hops cost bandwidth only
    # `device` is a CUDA card llama.cpp runs without CUDA graphs (calibration.cuda_graphs_run): its launches counted
    NO_CUDA_GRAPHS = "no-cuda-graphs"
    # system RAM on `sockets` CPU sockets: llama.cpp reads them all at full speed only with --numa distribute and the
    # model paged in by its own threads (the pooled bandwidth the figures assume)
    NUMA_SOCKETS = "numa-sockets"
    # the GPUs run llama.cpp's Vulkan build (placement.vulkan_build: `why`): the speed is the Vulkan runs' fit, none
    # of which measured this card (a Kepler card) or this mix of vendors
    VULKAN_BUILD = "vulkan-build"


class Caveat(Frozen):
    kind: CaveatKind
    device: str | None = None  # NO_BANDWIDTH, PREFILL_FROM_DERIVED_FLOPS
    max_decode_tps: float | None = None  # DISK_BOUND
    disk_gb_per_token: float | None = None  # DISK_BOUND: decimal GB read from disk per token
    disk_read_gb_s: float | None = None  # DISK_BOUND: the drive's sequential read
    link: NodeLink | None = None  # LINK_LATENCY_UNMODELLED: the link between machines with no sourced latency
    why: VulkanWhy | None = None  # VULKAN_BUILD
    sockets: int | None = None  # NUMA_SOCKETS


class Range(Frozen):
    """A speed as (low, high) with the typical figure between them (the median efficiency of measured runs)."""

    low: float
    high: float
    typical: float | None = None

    def scaled(self, factor: float) -> Range:
        typical = self.typical * factor if self.typical is not None else None
        return Range(low=self.low * factor, high=self.high * factor, typical=typical)

    @property
    def centre(self) -> float:
        return self.typical if self.typical is not None else (self.low * self.high) ** 0.5


class _Seconds:
    """Seconds per token summed over pools at the low, typical and high efficiency."""

    def __init__(self) -> None:
        self.slow = self.typical = self.fast = 0.0

    def add(self, work: float, rate_per_s: float, eff: calibration.Efficiency) -> None:
        """`work` units (bytes or FLOPs) at `rate_per_s` peak units per second."""
        self.slow += work / (rate_per_s * eff.low)
        self.typical += work / (rate_per_s * eff.typical)
        self.fast += work / (rate_per_s * eff.high)

    def add_levels(self, levels: calibration.LayerSeconds, count: float = 1.0) -> None:
        self.slow += levels.slow * count
        self.typical += levels.typical * count
        self.fast += levels.fast * count

    def add_fixed(self, slow_s: float, fast_s: float) -> None:
        self.slow += slow_s
        self.typical += (slow_s * fast_s) ** 0.5
        self.fast += fast_s

    def rate(self, units: float = 1.0) -> Range:
        return Range(low=units / self.slow, high=units / self.fast, typical=units / self.typical)


class SpeedEstimate(Frozen):
    decode_tps: Range | None
    decode_start_tps: Range | None = None  # on an empty context: what llama-bench's tg128 measures
    prefill_tps: Range | None
    caveats: tuple[Caveat, ...] = ()  # decode's, then prefill's
    tensor_parallel: TensorParallel | None = None


class TensorParallel(Frozen):
    """Single-user decode with the model split across the cards by tensor parallelism instead of by layers."""

    gpus: int
    link: Link
    decode_tps: Range
    allreduce_ms_per_token: Range  # (fast, slow) time spent in all-reduces per token


def _bytes_read_per_token(pool: PoolUse, model: Model, kv_read_bytes: int) -> float:
    """The pool's dense weights but the per-layer embedding rows the token does not look up, its share of the routed
    experts (n_active/n_routed) and its part of the KV cache, at the cost attention pays to read it
    (calibration.KV_READ_COST)."""
    e = model.experts
    expert_read = pool.expert_bytes * (e.n_active / e.n_routed) if e else pool.expert_bytes
    return _dense_read(pool, model) + expert_read + kv_read_bytes * calibration.KV_READ_COST


def _dense_read(pool: PoolUse, model: Model, tokens: int = 1) -> float:
    """Dense bytes a step of `tokens` tokens reads from the pool: all of them but the per-layer embedding table,
    of which each token reads its own row (memory.unread_lookup)."""
    return pool.dense_bytes - memory.unread_lookup(model, pool.lookup_bytes, tokens)


def _pool_cost(pool: PoolUse, model: Model) -> calibration.DecodeCost:
    """The pool's bytes efficiency and fixed time per layer, with the kernel launches of a CUDA card llama.cpp runs
    without CUDA graphs (calibration.cuda_graphs_run): each card of a layer split pays its own."""
    backend = calibration.decode_backend(pool.backend, intel_arc=_intel_arc(pool))
    return calibration.decode_cost(pool.kind, backend, moe=model.is_moe, cuda_graphs=_cuda_graphs(pool))


def _intel_arc(pool: PoolUse) -> bool:
    return pool.matrix_spec is not None and pool.matrix_spec.intel_arc


def _cuda_graphs(pool: PoolUse) -> bool:
    capability = pool.matrix_spec.compute_capability if pool.matrix_spec else None
    return calibration.cuda_graphs_run(pool.backend, capability)


def _graphs_caveats(placement: Placement) -> list[Caveat]:
    """One caveat per CUDA card (by name, in pool order) llama.cpp runs without CUDA graphs."""
    names = dict.fromkeys(p.name for p in placement.pools if not _cuda_graphs(p))
    return [Caveat(kind=CaveatKind.NO_CUDA_GRAPHS, device=n) for n in names]


# Dual-socket decode in llama.cpp: each socket's threads read the weights from wherever their pages sit, and pages on
# the other socket cross the inter-socket link. Measured on a dual EPYC 9175F (16 x DDR5-6400, 819 GB/s over both
# sockets) with Llama-3.1-70B F16: 2.4 tok/s as run, 4.31 with --numa distribute after the page cache was dropped and
# filled by a generation run (github:ggml-org/llama.cpp issue #11744, 2025-02-08). The speed model reads the sockets'
# pooled bandwidth at the CPU efficiency fitted on measured runs: 1.6-5.0 tok/s (typically 3.7) on that machine,
# which holds both runs. One pair of runs is no factor to fit, so the figures are unchanged and the card names it
# (CaveatKind.NUMA_SOCKETS); the command carries --numa distribute.


def numa_sockets(pool: PoolUse) -> int:
    """The CPU sockets whose memory a system-RAM pool spans (1 where the CPU is not known)."""
    return pool.cpu_spec.sockets if pool.kind == "ram" and pool.cpu_spec is not None else 1


def _numa_caveats(placement: Placement) -> list[Caveat]:
    sockets = max((numa_sockets(p) for p in placement.pools), default=1)
    return [Caveat(kind=CaveatKind.NUMA_SOCKETS, sockets=sockets)] if sockets > 1 else []


def _build_caveats(placement: Placement) -> list[Caveat]:
    """The GPUs on llama.cpp's Vulkan build (a Kepler card, or cards of several vendors): one caveat naming the
    first such card."""
    why = placement.vulkan_build
    if why is None:
        return []
    gpus = [p for p in placement.pools if p.kind == "gpu"]
    old = next((p for p in gpus if _below_llama_cuda(p) or rocm_dropped(p.matrix_spec)), None)
    return [Caveat(kind=CaveatKind.VULKAN_BUILD, device=(old or gpus[0]).name, why=why)]


def _below_llama_cuda(pool: PoolUse) -> bool:
    cc = pool.matrix_spec.compute_capability if pool.matrix_spec else None
    return cc is not None and float(cc) < LLAMA_CUDA_MIN_CAPABILITY[0]


def _pool_layers(pool: PoolUse, placement: Placement, model: Model) -> int:
    """The layers a pool computes each token: its own count, else (a RAM pool) the layers no other pool holds, or
    every layer when it is the only pool."""
    if pool.layers:
        return pool.layers
    if len(placement.pools) == 1:
        return model.layers
    return max(model.layers - sum(p.layers for p in placement.pools), 0)


# Decode on a GPU is not only a read: llama.cpp's matrix-vector kernels dequantize every weight and multiply it
# on the shaders, which take in a bounded number of bytes of weights per shader lane and clock. A card whose memory
# outruns its shaders reads slower than its bandwidth: data-centre cards with HBM (A100, H100, V100; 0.1-0.2 GB/s of
# bandwidth per lane-GHz) decode 0.3-0.5 (ln) below what GeForce cards (0.02-0.05) reach of their own bandwidth in the
# published runs (bench/measured_runs.csv: llama.cpp discussion #15013, xiongjiedai/gpu-benchmarks-on-llm-inference and
# others). The two limits add as times: 1 / effective = 1 / bandwidth + 1 / (lanes x clock x bytes per lane-clock),
# so an A100 SXM (6,912 lanes at 1.41 GHz, 2,039 GB/s) reads at 851 GB/s and an RTX 4090 (16,384 at 2.52 GHz,
# 1,008 GB/s) at 867. The figure is fitted on the measured runs: per backend, the value among 0.05, 0.075, 0.1, 0.15,
# 0.2, 0.3 and 0.4 (or none) with the lowest interval score on the fit's own inner folds of sources (calibrate/fit.py
# inner_scores), never by the cross-source score. On the 2,221 runs of 2026-12-08 (decode, none on Vulkan and SYCL:
# 1.2248): Vulkan 0.05 1.2055, 0.075 1.1913, 0.1 1.1816, 0.15 1.1846, 0.2 1.1894, 0.4 1.2017; then SYCL at 0.05
# 1.1386, 0.075 1.1308, 0.1 1.1300, 0.2 1.1474, 0.4 1.1644; then Vulkan again 0.075 1.1306, 0.15 1.1473; CUDA 0.1
# 1.1418, 0.15 1.1300, 0.2 1.1321. The Vulkan term came with a GTX 1050 Ti's 23 runs (768 lanes at 1.39 GHz for 112
# GB/s: 55 GB/s effective), which decode 2.2x slower than the bandwidth alone says. ROCm scored worse with it (0.1
# 1.2466, 0.2 1.2163, 0.4 1.1967 against 1.1816); Metal has no shader counts in the catalog. A device without a
# shader count or boost clock takes its bandwidth as it is.
DECODE_BYTES_PER_LANE_CLOCK: dict[str, float] = {"cuda": 0.15, "vulkan": 0.1, "sycl": 0.1}


def decode_bandwidth_gb_s(bandwidth_gb_s: float, spec: MatrixSpec | None) -> float:
    """The rate llama.cpp's decode kernels read weights at on a device: its bandwidth, limited on a backend's GPU whose
    shader count and boost clock are known by how fast its shaders take the weights in (DECODE_BYTES_PER_LANE_CLOCK,
    bytes per lane-clock by backend)."""
    per_lane = DECODE_BYTES_PER_LANE_CLOCK.get(spec.backend) if spec else None
    if per_lane is None or spec is None or not spec.shading_units or not spec.boost_clock_mhz:
        return bandwidth_gb_s
    shaders_gb_s = spec.shading_units * spec.boost_clock_mhz / 1000 * per_lane
    return 1 / (1 / bandwidth_gb_s + 1 / shaders_gb_s)


def _add_pool(seconds: _Seconds, n_bytes: float, pool: PoolUse, placement: Placement, model: Model) -> None:
    assert pool.bandwidth_gb_s is not None
    cost = _pool_cost(pool, model)
    seconds.add(n_bytes, decode_bandwidth_gb_s(pool.bandwidth_gb_s, pool.matrix_spec) * 1e9, cost.efficiency)
    weight = memory.fixed_cost_layers(model) / model.layers  # a recurrent mixer's layer counts twice
    seconds.add_levels(cost.layer_s, _pool_layers(pool, placement, model) * weight)


# A cluster split by layers (llama.cpp RPC, exo, pipeline parallel) hands each token's hidden state from one machine
# to the next: hidden_size values of f16 activations (2 bytes each), once per hop, nodes - 1 hops per token.
ACTIVATION_BYTES = 2
DEFAULT_NODE_LINK: NodeLink = "ethernet-10g"  # a cluster whose link is not known (the parser's own fallback)


class NetworkCost(Frozen):
    """What the hops between a cluster's machines add to every generated token."""

    hops: int
    link: NodeLink
    bytes_per_hop: int
    transfer_s: float  # every hop's bytes over the link
    latency_s: tuple[float, float] | None  # (fast, slow) over every hop; None: no sourced latency for the link


def network_cost(model: Model, placement: Placement) -> NetworkCost | None:
    """The network's share of a token on a placement split across machines (None on one machine)."""
    if placement.nodes <= 1:
        return None
    hops = placement.nodes - 1
    link = placement.node_link or DEFAULT_NODE_LINK
    a = model.attention
    width = model.hidden_size or (a.n_heads or 0) * (a.head_dim or 0)
    per_hop = width * ACTIVATION_BYTES
    latency = NODE_LINK_LATENCY_S.get(link)
    return NetworkCost(
        hops=hops,
        link=link,
        bytes_per_hop=per_hop,
        transfer_s=hops * per_hop / (NODE_LINK_GB_S[link] * 1e9),
        latency_s=(hops * latency[0], hops * latency[1]) if latency else None,
    )


def _add_network(seconds: _Seconds, cost: NetworkCost | None, tokens: int = 1) -> None:
    """A step's hops: `tokens` hidden states over the link, and each hop's latency once."""
    if cost is None:
        return
    seconds.add_fixed(cost.transfer_s * tokens, cost.transfer_s * tokens)
    if cost.latency_s is not None:
        seconds.add_fixed(cost.latency_s[1], cost.latency_s[0])


def _network_caveats(cost: NetworkCost | None) -> list[Caveat]:
    if cost is None or cost.latency_s is not None:
        return []
    return [Caveat(kind=CaveatKind.LINK_LATENCY_UNMODELLED, link=cost.link)]


def disk_bound_tps(model: Model, placement: Placement) -> float | None:
    """With weights mmapped from disk, the bytes that fit nowhere are read from the drive every token (for MoE, the
    active share of them): decode can be no faster than that over an NVMe drive's sequential read rate."""
    if placement.kind != "disk" or placement.shortfall_bytes <= 0:
        return None
    from_disk = placement.shortfall_bytes * memory.active_fraction(model)
    return calibration.NVME_READ_GB_S * 1e9 / from_disk


def decode_range(model: Model, placement: Placement, kv_at_depth_bytes: int) -> tuple[Range | None, tuple[Caveat, ...]]:
    """The decode range and the caveats that go with it (why there is none, or what it leaves out)."""
    if placement.verdict == "does-not-fit":
        bound = disk_bound_tps(model, placement)
        if bound is None:
            return None, ()
        gb = placement.shortfall_bytes * memory.active_fraction(model) / 1e9
        disk = Caveat(
            kind=CaveatKind.DISK_BOUND,
            max_decode_tps=bound,
            disk_gb_per_token=gb,
            disk_read_gb_s=calibration.NVME_READ_GB_S,
        )
        return None, (disk,)
    kv_total = sum(p.kv_bytes for p in placement.pools) or 1
    seconds = _Seconds()
    for pool in placement.pools:
        if pool.bandwidth_gb_s is None:
            return None, (Caveat(kind=CaveatKind.NO_BANDWIDTH, device=pool.name),)
        kv_read = int(kv_at_depth_bytes * pool.kv_bytes / kv_total)
        _add_pool(seconds, _bytes_read_per_token(pool, model, kv_read), pool, placement, model)
    network = network_cost(model, placement)
    _add_network(seconds, network)
    caveats = _network_caveats(network) + _graphs_caveats(placement) + _build_caveats(placement)
    caveats += _numa_caveats(placement)
    has_ram = any(p.kind == "ram" for p in placement.pools)
    if has_ram and calibration.decode_group("ram", "cpu", moe=model.is_moe).device_kind != "ram":
        caveats.append(Caveat(kind=CaveatKind.RAM_EFFICIENCY_POOLED))
    return seconds.rate(), tuple(caveats)


DEEP_CONTEXT_TOKENS = 4096  # the depth from which the measured slowdowns below set in (llama-bench's first -d step)


def depth_caveats(model: Model, placement: Placement, depth_tokens: int) -> list[Caveat]:
    """What the KV-read model misses deep in the context, where measured runs show it (the measurements are
    cited in bot/wording.py, which says them)."""
    if depth_tokens < DEEP_CONTEXT_TOKENS or placement.verdict == "does-not-fit":
        return []
    caveats = [Caveat(kind=CaveatKind.MLA_DEEP_CONTEXT)] if model.attention.kind == "mla" else []
    return caveats + ([Caveat(kind=CaveatKind.CPU_DEEP_CONTEXT)] if placement.kind == "cpu" else [])


def prefill_flops_per_token(model: Model, prompt_tokens: int) -> float:
    """2 x active params + attention: ~4 x layers x average depth x attention width (shared/SIZING.md §6)."""
    return prefill_weight_flops_per_token(model) + prefill_attention_flops_per_token(model, prompt_tokens)


def prefill_weight_flops_per_token(model: Model) -> float:
    """2 x the active parameters a token multiplies: not the per-layer embedding table (Gemma 3n, Gemma 4 E2B/E4B),
    of which each token only looks a row up (memory.lookup_params), a third to a half of those files."""
    return 2 * ((model.active_params_b or model.total_params_b) * 1e9 - memory.lookup_params(model))


def prefill_attention_flops_per_token(model: Model, prompt_tokens: int) -> float:
    """2 x full-attention layers x average depth x heads x (query-key + value dimensions): 4 x layers x depth x
    attention width for GQA/MHA. MLA runs, in llama.cpp, over the compressed cache with the up-projection absorbed
    into the query (its deepseek2 graph: 'MLA with the absorption optimization (MQA over the compressed cache)'):
    each head's keys are the latent plus the rope part (kv_lora_rank + qk_rope_head_dim, 576 for DeepSeek V3) and
    its values the latent (512), several times a head's own dimensions. Compressed attention (DeepSeek V4) attends
    to a top-k of compressed entries, not to every earlier token, so nothing is counted there."""
    a = model.attention
    if a.kind == "compressed":
        return 0.0
    full_layers = model.layers - a.sliding_window_layers - a.linear_attention_layers - a.non_attention_layers
    per_position = 2 * full_layers * (prompt_tokens / 2)
    if a.kind == "mla" and a.n_heads and a.kv_lora_rank and a.qk_rope_head_dim:
        return per_position * a.n_heads * (2 * a.kv_lora_rank + a.qk_rope_head_dim)
    width = (a.n_heads or 0) * (a.head_dim or 0) or (model.hidden_size or 0)
    return per_position * 2 * width


def batch_expert_read_bytes(model: Model, expert_bytes: float, batch_tokens: int) -> float:
    """Routed-expert bytes one micro-batch of a prompt reads: each expert any of its tokens is routed to (nearly
    all of them at 512 tokens), each for only the few tokens routed to it (512 x 8 / 128 = 32 for Qwen3-30B-A3B).
    Such thin matrix products are bound by reading the weights, where a dense layer's, with every token of the
    batch, are bound by compute: on a DGX Spark a 512-token micro-batch makes Qwen3-Coder-30B-A3B's prefill 2.6x
    slower than a 2048-token one and leaves Qwen2.5-Coder-7B's unchanged (bench/measured_runs.csv, llama.cpp's
    benches/dgx-spark.md)."""
    return expert_bytes * _expert_share_touched(model, batch_tokens)


# A sparse MoE prompt reads every routed expert once per micro-batch (batch_expert_read_bytes). On unified memory
# (256-273 GB/s on a DGX Spark or a Strix Halo) that read is much of a 512-token micro-batch's time, and llama.cpp's
# own DGX Spark benches run `-ub 2048` (Qwen3-Coder-30B-A3B pp2048 2.6x its pp512, Qwen2.5-Coder-7B unchanged:
# bench/measured_runs.csv). LARGE_UBATCH is llama-server's default logical batch (-b 2048), so -ub can rise to it
# alone; a placement on unified memory takes it where the modelled prefill gains UBATCH_MIN_GAIN and each device has
# room for the larger logits buffer (memory.compute_buffer_bytes). A card keeps the default: its memory is fast, and
# scarce, and the larger buffer (0.9 GB for Qwen3's vocabulary) is context or another user's cache there.
LARGE_UBATCH = 2048
UBATCH_MIN_GAIN = 1.1


def with_prefill_ubatch(model: Model, placement: Placement, prompt_tokens: int, weights: Weights) -> Placement:
    """`placement` with the micro-batch llama.cpp should prefill in: LARGE_UBATCH for a MoE model held wholly in
    unified memory whose prompt the larger batch speeds by UBATCH_MIN_GAIN, where each device has room for the
    larger logits buffer; else as it is."""
    compute = [p for p in placement.pools if p.kind != "ram"]
    in_ram = any(p.weights_bytes for p in placement.pools if p.kind == "ram")
    unified = bool(compute) and all(p.kind == "unified" for p in compute)
    if not model.is_moe or placement.verdict != "fits" or not unified or in_ram:
        return placement
    extra = memory.compute_buffer_bytes(model, LARGE_UBATCH) - memory.compute_buffer_bytes(model)
    if any(p.capacity_bytes - p.used_bytes < extra for p in compute):
        return placement
    small, _ = prefill_range(model, placement, prompt_tokens, memory.N_UBATCH, weights)
    large, _ = prefill_range(model, placement, prompt_tokens, LARGE_UBATCH, weights)
    if small is None or large is None or large.centre < small.centre * UBATCH_MIN_GAIN:
        return placement
    pools = tuple(
        p.model_copy(update={"overhead_bytes": p.overhead_bytes + extra}) if p.kind != "ram" else p
        for p in placement.pools
    )
    return placement.model_copy(update={"ubatch_tokens": LARGE_UBATCH, "pools": pools})


def prefill_batch_tokens(prompt_tokens: int, ubatch_tokens: int = memory.N_UBATCH) -> int:
    """Tokens per micro-batch: llama.cpp runs a prompt in micro-batches of `ubatch_tokens` (-ub, 512 by default)."""
    return max(min(prompt_tokens, ubatch_tokens), 1)


# How much of the routed experts' read (batch_expert_read_bytes at full bandwidth) a micro-batch's time adds to its
# products: the expert kernels stream their weights while they multiply, so the two overlap in part, and a memory-bound
# read reaches a larger share of its peak than the products reach of theirs (the fitted efficiency divides both).
# Chosen by the fit's inner folds of sources (calibrate/fit.py, the prefill interval score on 1,471 runs): the read
# counted whole 1.469, at three quarters 1.438, 0.6 1.434, half 1.433, 0.4 1.452, a quarter 1.534, and only the larger
# of read and products (wholly overlapped) 1.630. Without it gpt-oss-120b on a DGX Spark came out 1.4-1.9x slower than
# ggml-org's runs while gpt-oss-20b, whose experts are a fifth the bytes, sat near them.
EXPERT_READ_SHARE = 0.5


class PrefillWork(Frozen):
    """One device's share of a prompt token: FLOPs in the weights' matrix products and in attention, and the
    routed-expert bytes each micro-batch of `batch_tokens` reads from the device's memory."""

    weight_flops: float
    attention_flops: float
    batch_read_bytes: float = 0.0
    batch_tokens: int = 1

    def ideal_seconds(self, rate: MatrixRate, bandwidth_gb_s: float | None) -> float:
        """Seconds at efficiency 1: the weights' products at the matrix kernels' peak, attention at the FP16 rate
        its kernels run at (MatrixRate.attention_tops), plus EXPERT_READ_SHARE of the time the experts' bytes take
        over the batch's tokens (nothing for a dense model, much of the time for a sparse MoE model on unified
        memory)."""
        compute_s = self.weight_flops / (rate.tops * 1e12)
        if rate.attention_efficiency is None:
            compute_s += self.attention_flops / (rate.attention_tops * 1e12)
        memory_s = self.batch_read_bytes / (bandwidth_gb_s * 1e9) / self.batch_tokens if bandwidth_gb_s else 0.0
        return compute_s + EXPERT_READ_SHARE * memory_s

    def attention_seconds(self, rate: MatrixRate) -> float:
        """Attention's seconds where its kernels reach a share of their peak of their own
        (MatrixRate.attention_efficiency, kernels.FA_TENSOR_CORE_EFFICIENCY), a term beside ideal_seconds that the
        fitted efficiency does not divide; 0 where ideal_seconds counts attention."""
        if rate.attention_efficiency is None:
            return 0.0
        return self.attention_flops / (rate.attention_tops * 1e12 * rate.attention_efficiency)


def _rates(compute: list[PoolUse], weights: Weights) -> list[MatrixRate] | None:
    """Each accelerator's prefill kernels' rate for `weights`, or None when any has none."""
    rates = [p.matrix_for(weights) for p in compute]
    return None if any(r is None for r in rates) else [r for r in rates if r is not None]


def prefill_range(
    model: Model,
    placement: Placement,
    prompt_tokens: int,
    ubatch_tokens: int = memory.N_UBATCH,
    weights: Weights = "quantized",
) -> tuple[Range | None, tuple[Caveat, ...]]:
    """Prompt tokens per second: each accelerator's share of the matrix work at the peak of the kernels llama.cpp
    runs on it for `weights` (engine/kernels.py) and the routed experts each micro-batch reads from its memory,
    with weights in system RAM streamed over PCIe once per micro-batch."""
    if placement.verdict == "does-not-fit":
        return None, ()
    compute = [p for p in placement.pools if p.kind in ("gpu", "unified")]
    if not compute:
        return cpu_prefill_range(model, placement, prompt_tokens, ubatch_tokens, weights)
    rates = _rates(compute, weights)
    if rates is None:
        return None, (Caveat(kind=CaveatKind.NO_FP16),)
    weight_flops = prefill_weight_flops_per_token(model)
    attention_flops = prefill_attention_flops_per_token(model, prompt_tokens)
    batch = prefill_batch_tokens(prompt_tokens, ubatch_tokens)
    total_weights = sum(p.weights_bytes for p in placement.pools) or 1
    eff = calibration.prefill_efficiency(compute[0].kind, compute[0].backend, rates[0].path.value, moe=model.is_moe)
    seconds = _Seconds()
    for p, rate in zip(compute, rates, strict=True):
        share = p.weights_bytes / total_weights if len(compute) > 1 else 1.0
        work = PrefillWork(
            weight_flops=weight_flops * share,
            attention_flops=attention_flops * share,
            batch_read_bytes=batch_expert_read_bytes(model, p.expert_bytes, batch),
            batch_tokens=batch,
        )
        seconds.add(work.ideal_seconds(rate, p.bandwidth_gb_s), 1.0, eff)
        attention_s = work.attention_seconds(rate)
        seconds.add_fixed(attention_s, attention_s)
    caveats = _derived_flops_caveats(compute, rates)
    ram = [p for p in placement.pools if p.kind == "ram"]
    if ram:
        streamed = sum(p.weights_bytes for p in ram)  # whole tensors are copied, every expert of them
        pcie = min((p.pcie_gb_s for p in compute if p.pcie_gb_s), default=calibration.PCIE_DEFAULT_GB_S)
        per_token = streamed / (pcie * 1e9) / batch
        seconds.add_fixed(per_token / calibration.PCIE_EFFICIENCY_LOW, per_token)
        caveats = (*caveats, Caveat(kind=CaveatKind.PCIE_BOUND_PREFILL))
    return seconds.rate(), caveats


def cpu_prefill_range(
    model: Model,
    placement: Placement,
    prompt_tokens: int,
    ubatch_tokens: int = memory.N_UBATCH,
    weights: Weights = "quantized",
) -> tuple[Range | None, tuple[Caveat, ...]]:
    """CPU only: the prompt's matrix work at the CPU's peak derived from its cores and clock (engine/kernels.py
    cpu_rate), at the share of that peak measured CPU runs reach (calibration.cpu_prefill_efficiency), plus, as a
    term of its own, the weights each micro-batch reads from RAM (cpu_batch_read_seconds)."""
    ram = next((p for p in placement.pools if p.kind == "ram"), None)
    if ram is None or ram.cpu_spec is None:
        return None, (Caveat(kind=CaveatKind.CPU_ONLY_PREFILL),)
    rate = cpu_rate(ram.cpu_spec, weights)
    eff = calibration.cpu_prefill_efficiency(rate.path.value, moe=model.is_moe)
    if eff is None:
        return None, (Caveat(kind=CaveatKind.CPU_ONLY_PREFILL),)
    batch = prefill_batch_tokens(prompt_tokens, ubatch_tokens)
    work = PrefillWork(
        weight_flops=prefill_weight_flops_per_token(model),
        attention_flops=prefill_attention_flops_per_token(model, prompt_tokens),
    )
    read_s = cpu_batch_read_seconds(model, _dense_read(ram, model, batch), ram.expert_bytes, batch, ram.bandwidth_gb_s)
    seconds = _Seconds()
    seconds.add(work.ideal_seconds(rate, None), 1.0, eff)
    seconds.add_fixed(read_s, read_s)
    return seconds.rate(), (Caveat(kind=CaveatKind.PREFILL_FROM_CPU_CORES, device=ram.cpu_spec.name),)


def cpu_batch_read_seconds(
    model: Model, dense_bytes: float, expert_bytes: float, batch_tokens: int, bandwidth_gb_s: float | None
) -> float:
    """Seconds per prompt token a CPU spends reading weights from RAM: each micro-batch streams every dense weight
    and each routed expert any of its tokens uses (a CPU's caches hold a few layers' worth at most), shared by the
    batch's tokens. A short prompt is one small batch, so this read, not the arithmetic, bounds it: a 20-token
    prompt of Qwen3-30B-A3B on a quad-channel DDR4-2400 Xeon E5-1660 v4 reads about 13 GB for 20 tokens (9 ms each
    at the full 76.8 GB/s), a 512-token one the same bytes for 512 (bench/measured_runs.csv x520, x522). Taken at
    the full bandwidth, a floor rather than a fitted share: the RAM efficiency CPU decode is fitted to comes from
    the same sources, so using it here would let a held-out source's decode runs inform its prefill score. Zero
    where the bandwidth is not known."""
    if not bandwidth_gb_s:
        return 0.0
    n_bytes = dense_bytes + batch_expert_read_bytes(model, expert_bytes, batch_tokens)
    return n_bytes / (bandwidth_gb_s * 1e9) / batch_tokens


def _derived_flops_caveats(compute: list[PoolUse], rates: list[MatrixRate]) -> tuple[Caveat, ...]:
    """One caveat per device (by name, in pool order) whose compute figure is derived rather than published."""
    names = dict.fromkeys(p.name for p, r in zip(compute, rates, strict=True) if r.basis == "derived")
    return tuple(Caveat(kind=CaveatKind.PREFILL_FROM_DERIVED_FLOPS, device=n) for n in names)


TP_SIZES = (2, 4, 8)  # vLLM splits attention heads evenly: powers of two in practice


TpEngine = Literal["vllm", "llama.cpp"]


def tensor_parallel(
    model: Model, placement: Placement, kv_at_depth_bytes: int, *, nvlink: bool, engine: TpEngine
) -> TensorParallel | None:
    """Decode with the weights and KV cache split across N identical cards (each reads 1/N per token, all at
    once) plus ALLREDUCES_PER_LAYER all-reduces per layer at the link's measured latency, and `engine`'s fixed cost
    per layer: vLLM's measured on its own runs (engine/server_speed.py layer_seconds; a MoE step's expert routing and
    dispatch cost it several times a dense one's), llama.cpp's (`-sm tensor`) its per-layer decode cost. Only for
    models that sit wholly in the VRAM of 2, 4 or 8 identical cards whose head count divides evenly."""
    pools = placement.pools
    n = len(pools)
    if placement.kind != "multi-gpu" or n not in TP_SIZES or len({p.name for p in pools}) != 1:
        return None
    if placement.nodes > 1:  # all-reduces between machines go over the network, not NVLink or PCIe: not modelled
        return None
    if model.attention.n_heads and model.attention.n_heads % n:
        return None
    bandwidth = pools[0].bandwidth_gb_s
    if bandwidth is None:
        return None
    kv_cost = calibration.KV_READ_COST if engine == "llama.cpp" else 1.0
    total = sum(_bytes_read_per_token(p, model, 0) for p in pools) + kv_at_depth_bytes * kv_cost
    seconds = _Seconds()
    if engine == "vllm":
        from engine.server_speed import layer_seconds  # server_speed builds on this module's Range

        fast_layer, typical_layer, slow_layer = layer_seconds(model)
        efficiency = calibration.decode_efficiency(pools[0].kind, pools[0].backend, moe=model.is_moe)
        layer_s = calibration.LayerSeconds(slow=slow_layer, typical=typical_layer, fast=fast_layer)
    else:
        efficiency, layer_s = _pool_cost(pools[0], model)
        bandwidth = decode_bandwidth_gb_s(bandwidth, pools[0].matrix_spec)  # llama.cpp's kernels, not vLLM's
    seconds.add(total / n, bandwidth * 1e9, efficiency)
    seconds.add_levels(layer_s, memory.fixed_cost_layers(model))  # every card runs every layer (its slice) at once
    link: Link = "nvlink" if nvlink else "pcie"
    fast, slow = calibration.ALLREDUCE_S[link]
    reductions = calibration.ALLREDUCES_PER_LAYER * model.layers
    seconds.add_fixed(reductions * slow, reductions * fast)
    allreduce_ms = Range(low=reductions * fast * 1e3, high=reductions * slow * 1e3, typical=None)
    return TensorParallel(gpus=n, link=link, decode_tps=seconds.rate(), allreduce_ms_per_token=allreduce_ms)


def estimate(
    model: Model,
    placement: Placement,
    context: int,
    kv: memory.KvProfile,
    prompt_tokens: int,
    *,
    nvlink: bool = False,
    quant: str | None = None,
) -> SpeedEstimate:
    """One user's decode (reading its own sequence's cache at half the context, the average depth, and on an empty
    one), prefill (with the kernels `quant`'s weights take) and the file's tensor-parallel decode on llama.cpp."""
    kv_depth = kv.one_sequence_bytes(context // 2)
    decode, d_caveats = decode_range(model, placement, kv_depth)
    if decode is not None:
        d_caveats += tuple(depth_caveats(model, placement, context // 2))
    prefill, p_caveats = prefill_range(
        model, placement, prompt_tokens, placement.ubatch_tokens, weights=weights_of(quant)
    )
    tp = tensor_parallel(model, placement, kv_depth, nvlink=nvlink, engine="llama.cpp")
    start = decode_range(model, placement, 0)[0] if decode is not None else None
    return SpeedEstimate(
        decode_tps=decode,
        decode_start_tps=start,
        prefill_tps=prefill,
        caveats=(*d_caveats, *p_caveats),
        tensor_parallel=tp,
    )


# ----------------------------------------------------------------------------------------- concurrency


class Concurrency(Frozen):
    users: int
    aggregate_tps: Range
    per_user_tps: Range
    max_users_at_context: int  # how many sequences of this context the free memory can cache


def _expert_share_touched(model: Model, users: int) -> float:
    """Expected share of routed experts a decode step touches with `users` tokens in the batch, each routed to
    k of n experts: 1 - (1 - k/n)^users (independent routing)."""
    e = model.experts
    if e is None:
        return 1.0
    return 1 - (1 - e.n_active / e.n_routed) ** users


def concurrency(
    model: Model, placement: Placement, context: int, kv: memory.KvProfile, users: int
) -> Concurrency | None:
    """Aggregate decode for `users` simultaneous sequences on an accelerator placement: one step reads the
    weights once (more experts for MoE) and every user's KV cache."""
    if placement.kind not in ("gpu", "multi-gpu", "unified") or users < 1:
        return None
    kv_one = kv.one_sequence_bytes(context)
    free = sum(max(p.free_bytes, 0) for p in placement.pools)
    max_users = 1 + int(free // kv_one) if kv_one else users
    kv_depth = kv.one_sequence_bytes(context // 2)
    seconds = _Seconds()
    for pool in placement.pools:
        if pool.bandwidth_gb_s is None:
            return None
        share = pool.kv_bytes / (sum(p.kv_bytes for p in placement.pools) or 1)
        experts = pool.expert_bytes * _expert_share_touched(model, users)
        n_bytes = _dense_read(pool, model, users) + experts + users * kv_depth * share * calibration.KV_READ_COST
        _add_pool(seconds, n_bytes, pool, placement, model)  # one step's fixed costs serve every user
    _add_network(seconds, network_cost(model, placement), tokens=users)
    aggregate = seconds.rate(users)
    return Concurrency(
        users=users, aggregate_tps=aggregate, per_user_tps=aggregate.scaled(1 / users), max_users_at_context=max_users
    )
