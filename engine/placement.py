"""Where the bytes live: the best placement of one model at one quant on one rig (shared/SIZING.md §4).

Order, best first: one GPU; several GPUs (layer split, whole layers per card); unified memory; MoE expert
offload (routed experts in system RAM, the rest on the GPUs: llama.cpp --n-cpu-moe); dense partial offload
(-ngl); CPU only; mmap from disk; does not fit.
"""

from __future__ import annotations

import math
from typing import Literal

from catalog.types import Fp16Basis, Model
from engine import memory
from engine.kernels import CpuSpec, MatrixRate, MatrixSpec, Weights, matrix_rate
from engine.rig import Frozen, GpuDevice, NodeLink, Rig, UnifiedPool
from engine.units import MIB

PlacementKind = Literal[
    "gpu",
    "multi-gpu",
    "unified",
    "unified-partial",
    "expert-offload",
    "partial-offload",
    "cpu",
    "disk",
    "none",
]
Verdict = Literal["fits", "fits-offload", "does-not-fit"]

VERDICT: dict[str, Verdict] = {
    "gpu": "fits",
    "multi-gpu": "fits",
    "unified": "fits",
    "unified-partial": "fits-offload",
    "expert-offload": "fits-offload",
    "partial-offload": "fits-offload",
    "cpu": "fits-offload",
    "disk": "does-not-fit",
    "none": "does-not-fit",
}


# llama.cpp's CUDA backend builds for compute capability 5.0 and up ("50 == Maxwell, lowest CUDA 12 standard",
# github:ggml-org/llama.cpp ggml/src/ggml-cuda/CMakeLists.txt), and no CUDA toolkit from 12.0 on compiles for Kepler
# (sm_35 and sm_37 removed in CUDA 12.0: github:llvm/llvm-project commit 0f49116e, "[CUDA] Update Kepler(sm_3*)
# support info"; CMake MR 8031). A Kepler card (Tesla K80, K40, GTX 780) runs llama.cpp's Vulkan build instead
# (github:Andyyyy64/whichllm PR #75: a Quadro K4200 on llama.cpp b9297's Vulkan backend; KoboldCpp's maintainer
# points a K80 owner at Vulkan after dropping its CUDA build, github:LostRuins/koboldcpp issue #1409). The one
# CUDA route left is a CUDA 11.4 toolkit with driver 470 and an explicit CMAKE_CUDA_ARCHITECTURES=37
# (github:ggml-org/llama.cpp issue #12140, one owner's build, 2025-03-02), which the card mentions.
LLAMA_CUDA_MIN_CAPABILITY = (5, 0)
# Cards of several vendors (NVIDIA with AMD or Intel) in one llama-server: its Vulkan build sees every vendor's card
# ("with vulkan ... can use old AMD cards with new ones and even mix nvidia too", github:ggml-org/llama.cpp issue
# #5519), while a build with both the HIP and the CUDA backends used one vendor's cards only (issue #7674); the other
# route is rpc-server from a second build beside llama-server --rpc (tools/rpc/README.md).
# ROCm dropped the GCN generations before Vega from its supported targets in 4.0 (gfx803, Polaris and Fiji, removed
# from the support list on 2020-12-19: github:ROCm/legacy-rocm-build issue #1353; gfx6/gfx7 were never on it), and
# Ollama's ROCm build starts at gfx9 (`RocmComputeMajorMin = "9"`, github:ollama/ollama issue #10152). llama.cpp's HIP
# build follows ROCm's targets, so an RX 470-590, R9 or HD 7000 card runs its Vulkan build ("rocm").
ROCM_DROPPED_ARCHITECTURES = frozenset({"GCN 1.0", "GCN 2.0", "GCN 3.0", "GCN 4.0"})
ROCM_DROPPED_TARGETS = ("gfx6", "gfx7", "gfx8")
VulkanWhy = Literal["capability", "rocm", "vendors"]


class PoolUse(Frozen):
    """What one memory pool holds. `dense_bytes` are read every token but for `lookup_bytes` of them (the per-layer
    embedding table, of which a token reads one row), `expert_bytes` at n_active/n_routed."""

    name: str
    kind: Literal["gpu", "unified", "ram"]
    capacity_bytes: int
    dense_bytes: int = 0
    expert_bytes: int = 0
    lookup_bytes: int = 0  # of dense_bytes: the per-layer embedding table's share (memory.lookup_fraction)
    kv_bytes: int = 0
    overhead_bytes: int = 0
    bandwidth_gb_s: float | None = None
    fp16_tflops: float | None = None
    fp16_tflops_basis: Fp16Basis = "published"
    backend: str = "cpu"
    pcie_gb_s: float | None = None
    layers: int = 0
    matrix_spec: MatrixSpec | None = None  # what the prefill kernels' path and peak follow from (engine/kernels.py)
    cpu_spec: CpuSpec | None = None  # system RAM: the CPU that computes on it, where the catalog knows its model

    def matrix_for(self, weights: Weights = "quantized") -> MatrixRate | None:
        """The prefill kernels' path and peak for the pool's device and `weights`."""
        return matrix_rate(self.matrix_spec, weights) if self.matrix_spec else None

    @property
    def weights_bytes(self) -> int:
        return self.dense_bytes + self.expert_bytes

    @property
    def used_bytes(self) -> int:
        return self.dense_bytes + self.expert_bytes + self.kv_bytes + self.overhead_bytes

    @property
    def free_bytes(self) -> int:
        return self.capacity_bytes - self.used_bytes


class Placement(Frozen):
    kind: PlacementKind
    verdict: Verdict
    pools: tuple[PoolUse, ...] = ()
    n_gpu_layers: int | None = None
    n_cpu_moe: int | None = None
    tensor_split: tuple[int, ...] | None = None
    wired_limit_mb: int | None = None  # Apple: the iogpu.wired_limit_mb this placement needs
    shortfall_bytes: int = 0
    nodes: int = 1  # machines the model is split across (a cluster: layers by machine, as llama.cpp RPC and exo do)
    node_link: NodeLink | None = None  # between those machines (nodes > 1)
    ubatch_tokens: int = memory.N_UBATCH  # llama.cpp's -ub: the prompt's micro-batch (speed.with_prefill_ubatch)
    # llama.cpp runs the GPUs from its Vulkan build, and why (vulkan_build); their pools' backend is then "vulkan"
    vulkan_build: VulkanWhy | None = None


def _capability(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    major, _, minor = text.partition(".")
    return int(major), int(minor)


def below_llama_cuda(g: GpuDevice) -> bool:
    """A CUDA card llama.cpp's CUDA build no longer targets (compute capability below LLAMA_CUDA_MIN_CAPABILITY)."""
    cc = _capability(g.compute_capability)
    return g.backend == "cuda" and cc is not None and cc < LLAMA_CUDA_MIN_CAPABILITY


def below_rocm(g: GpuDevice) -> bool:
    """An AMD card of a GCN generation ROCm no longer supports (`rocm_dropped`)."""
    return g.backend == "rocm" and rocm_dropped(g.matrix_spec)


def rocm_dropped(spec: MatrixSpec | None) -> bool:
    """A device of a GCN generation ROCm no longer supports: by its gfx target, else its architecture's name
    (ROCM_DROPPED_TARGETS, ROCM_DROPPED_ARCHITECTURES); also a card already moved to the Vulkan build."""
    if spec is None:
        return False
    if spec.gfx_target:
        return spec.gfx_target.startswith(ROCM_DROPPED_TARGETS)
    return spec.architecture in ROCM_DROPPED_ARCHITECTURES


def vulkan_build(gpus: list[GpuDevice]) -> VulkanWhy | None:
    """Why llama.cpp runs these cards (the ones a placement uses) from its Vulkan build, or None where each runs its
    own backend: cards of several vendors, a CUDA card below LLAMA_CUDA_MIN_CAPABILITY, or an AMD card ROCm dropped."""
    if len({g.backend for g in gpus}) > 1:
        return "vendors"
    if any(below_llama_cuda(g) for g in gpus):
        return "capability"
    return "rocm" if any(below_rocm(g) for g in gpus) else None


def _as_built(placement: Placement, rig: Rig) -> Placement:
    """The placement with its GPU pools on the backend llama.cpp runs them with (`vulkan_build`)."""
    used = {p.name for p in placement.pools if p.kind == "gpu"}
    why = vulkan_build([g for g in rig.gpus if g.name in used])
    if why is None:
        return placement
    pools = tuple(_on_vulkan(p, why) if p.kind == "gpu" else p for p in placement.pools)
    return placement.model_copy(update={"pools": pools, "vulkan_build": why})


def _on_vulkan(pool: PoolUse, why: VulkanWhy) -> PoolUse:
    """A GPU pool on llama.cpp's Vulkan build; an AMD card ROCm dropped also takes Vulkan's prefill kernels (a Kepler
    card or a mixed rig keeps its own backend's, as its fitted runs did)."""
    spec = pool.matrix_spec
    if why == "rocm" and spec is not None:
        spec = spec.model_copy(update={"backend": "vulkan"})
    return pool.model_copy(update={"backend": "vulkan", "matrix_spec": spec})


class _Need(Frozen):
    """The model at one quant and context, split the ways placement needs."""

    layers: int
    moe_layers: int
    dense_bytes: int
    expert_bytes: int
    kv_bytes: int
    lookup_bytes: int = 0  # of dense_bytes

    @property
    def total(self) -> int:
        return self.dense_bytes + self.expert_bytes + self.kv_bytes

    def per_layer(self) -> float:
        return self.total / self.layers


def need_for(model: Model, weights_bytes: int, kv_bytes: int, quant: str | None = None) -> _Need:
    """The file of `quant` (its routed experts' bytes by the file type's mix where known: memory.expert_bytes)."""
    expert = int(memory.expert_bytes(model, weights_bytes, quant))
    return _Need(
        layers=model.layers,
        moe_layers=memory.moe_layers(model),
        dense_bytes=weights_bytes - expert,
        expert_bytes=expert,
        kv_bytes=kv_bytes,
        lookup_bytes=int(weights_bytes * memory.lookup_fraction(model)),
    )


def _gpu_pool(g: GpuDevice, model: Model, share: float, need: _Need, layers: int) -> PoolUse:
    return PoolUse(
        name=g.name,
        kind="gpu",
        capacity_bytes=g.memory_bytes,
        dense_bytes=int(need.dense_bytes * share),
        expert_bytes=int(need.expert_bytes * share),
        lookup_bytes=int(need.lookup_bytes * share),
        kv_bytes=int(need.kv_bytes * share),
        overhead_bytes=memory.device_overhead_bytes(model, g.backend),
        bandwidth_gb_s=g.bandwidth_gb_s,
        fp16_tflops=g.fp16_tflops,
        fp16_tflops_basis=g.fp16_tflops_basis,
        backend=g.backend,
        pcie_gb_s=g.pcie_gb_s,
        layers=layers,
        matrix_spec=g.matrix_spec,
    )


def _gpu_capacity(g: GpuDevice, model: Model) -> int:
    return max(g.memory_bytes - memory.device_overhead_bytes(model, g.backend), 0)


def _ram_capacity(rig: Rig) -> int:
    return max(rig.ram.memory_bytes - memory.os_reserve_bytes(rig.ram.memory_bytes), 0) if rig.ram else 0


def _layers_per_gpu(rig: Rig, model: Model, per_layer: float) -> list[int]:
    return [int(_gpu_capacity(g, model) // per_layer) if per_layer > 0 else 0 for g in rig.gpus]


def _on_gpus(model: Model, rig: Rig, need: _Need) -> Placement | None:
    if not rig.gpus:
        return None
    fits = _layers_per_gpu(rig, model, need.per_layer())
    if sum(fits) < need.layers:
        return None
    if len(rig.gpus) == 1:
        pool = _gpu_pool(rig.gpus[0], model, 1.0, need, need.layers)
        return Placement(kind="gpu", verdict="fits", pools=(pool,), n_gpu_layers=need.layers + 1)
    split = _spread(fits, need.layers)
    pools = tuple(_gpu_pool(g, model, n / need.layers, need, n) for g, n in zip(rig.gpus, split, strict=True) if n)
    return Placement(
        kind="multi-gpu", verdict="fits", pools=pools, n_gpu_layers=need.layers + 1, tensor_split=tuple(split)
    )


def _spread(capacity_layers: list[int], layers: int) -> list[int]:
    """Give each card layers in proportion to what it can hold, whole layers only."""
    total = sum(capacity_layers)
    split = [c * layers // total for c in capacity_layers]
    i = 0
    while sum(split) < layers:
        if split[i] < capacity_layers[i]:
            split[i] += 1
        i = (i + 1) % len(split)
    return split


def _unified_pool(u: UnifiedPool, need: _Need, capacity_bytes: int, overhead_bytes: int) -> PoolUse:
    """A unified machine's one pool holding the whole model within `capacity_bytes`."""
    return PoolUse(
        name=u.name,
        kind="unified",
        capacity_bytes=capacity_bytes,
        dense_bytes=need.dense_bytes,
        expert_bytes=need.expert_bytes,
        lookup_bytes=need.lookup_bytes,
        kv_bytes=need.kv_bytes,
        overhead_bytes=overhead_bytes,
        bandwidth_gb_s=u.bandwidth_gb_s,
        fp16_tflops=u.fp16_tflops,
        fp16_tflops_basis=u.fp16_tflops_basis,
        backend=u.backend,
        layers=need.layers,
        matrix_spec=u.matrix_spec,
    )


def _unified(model: Model, rig: Rig, need: _Need) -> Placement | None:
    u = rig.unified
    if u is None:
        return None
    overhead = memory.device_overhead_bytes(model, u.backend)
    pool = _unified_pool(u, need, u.gpu_limit_bytes, overhead)
    if pool.free_bytes >= 0:
        return Placement(kind="unified", verdict="fits", pools=(pool,), n_gpu_layers=need.layers + 1)
    if u.raised_limit_bytes and need.total + overhead <= u.raised_limit_bytes:
        wired_mb = math.ceil((need.total + overhead) / MIB / 1024) * 1024
        raised = pool.model_copy(update={"capacity_bytes": u.raised_limit_bytes})
        return Placement(
            kind="unified",
            verdict="fits",
            pools=(raised,),
            n_gpu_layers=need.layers + 1,
            wired_limit_mb=wired_mb,
        )
    usable = os_free_bytes(u)
    if need.total + overhead <= usable:
        ngl = int(max(u.gpu_limit_bytes - overhead, 0) // need.per_layer())
        whole = pool.model_copy(update={"capacity_bytes": usable})
        return Placement(
            kind="unified-partial",
            verdict="fits-offload",
            pools=(whole,),
            n_gpu_layers=ngl,
        )
    return None


def os_free_bytes(u: UnifiedPool) -> int:
    """A unified machine's memory less what the OS keeps (memory.os_reserve_bytes, as for a machine's RAM)."""
    return u.memory_bytes - memory.os_reserve_bytes(u.memory_bytes)


def mlx_mac(rig: Rig) -> UnifiedPool | None:
    """The Mac MLX would run on: one Apple machine alone (no GPUs beside it, no cluster); None otherwise."""
    u = rig.unified
    return u if u is not None and u.backend == "metal" and not rig.gpus and rig.nodes <= 1 else None


def mlx_tight(model: Model, rig: Rig, weights_bytes: int, kv_bytes: int, quant: str | None = None) -> Placement | None:
    """A Mac under MLX with the GPU limit raised to all the memory but what the OS keeps (memory.os_reserve_bytes, as
    for a machine's RAM): MLX allocates as it runs, with a runtime's context but neither llama.cpp's compute buffer
    nor --fit's 1 GiB margin (SIZING.md §3), so a file llama.cpp's budget refuses may run here. gpt-oss-20b on a 16
    GB Mac: llama.cpp's budget is short by about 1 GB, while LM Studio runs it ('I can run GPT-Oss 20B in LM Studio,
    but not in LlamaBarn ... we budget 11 on a 16 GB Mac. The gap is a margin llama.cpp keeps',
    github:ggml-org/Llama-macOS issue #58) and MLX does with the wired limit raised (mlx_lm warns that its 11,516 MB
    are 'close to' the default limit, github:ml-explore/mlx-lm issue #644). None where it does not fit so either, or
    on a rig that is not one Mac alone."""
    u = mlx_mac(rig)
    if u is None:
        return None
    need = need_for(model, weights_bytes, kv_bytes, quant)
    pool = _unified_pool(u, need, os_free_bytes(u), memory.RUNTIME_BYTES[u.backend])
    if pool.free_bytes < 0:
        return None
    wired_mb = math.ceil(pool.used_bytes / MIB / 1024) * 1024
    return Placement(
        kind="unified", verdict="fits", pools=(pool,), n_gpu_layers=need.layers + 1, wired_limit_mb=wired_mb
    )


def _expert_offload(model: Model, rig: Rig, need: _Need) -> Placement | None:
    if not rig.gpus or not rig.ram or need.expert_bytes == 0:
        return None
    per_moe_layer = need.expert_bytes / need.moe_layers
    gpu_cap = sum(_gpu_capacity(g, model) for g in rig.gpus)
    n_cpu = max(math.ceil((need.total - gpu_cap) / per_moe_layer), 0)
    if n_cpu > need.moe_layers:
        return _experts_and_layers_in_ram(model, rig, need)
    if n_cpu == 0:
        return None
    cpu_experts = int(n_cpu * per_moe_layer)
    if cpu_experts > _ram_capacity(rig):
        return None
    on_gpu = need.model_copy(update={"expert_bytes": need.expert_bytes - cpu_experts})
    shares = [_gpu_capacity(g, model) / gpu_cap for g in rig.gpus] if gpu_cap else []
    pools = [_gpu_pool(g, model, s, on_gpu, round(s * need.layers)) for g, s in zip(rig.gpus, shares, strict=True)]
    pools.append(_ram_pool(rig, expert_bytes=cpu_experts))
    return Placement(
        kind="expert-offload",
        verdict="fits-offload",
        pools=tuple(pools),
        n_gpu_layers=need.layers + 1,
        n_cpu_moe=n_cpu,
        tensor_split=tuple(round(s * 100) for s in shares) if len(shares) > 1 else None,
    )


def _experts_and_layers_in_ram(model: Model, rig: Rig, need: _Need) -> Placement | None:
    """Every routed expert in system RAM and, as the GPUs cannot hold all the rest, the first layers' attention,
    shared weights and KV cache too (llama.cpp `-ngl N` with --n-cpu-moe over every MoE layer). A GPU byte holds
    more of what a token reads as attention and cache than as whole layers with their experts (partial offload,
    which reads k/n of every expert it keeps): GLM-4.5-Air on an 8 GB card with 64 GB of RAM keeps 5 of 46 whole
    layers on the GPU partially offloaded, and the attention of about two thirds of them this way."""
    rest = need.model_copy(update={"expert_bytes": 0})
    fits = _layers_per_gpu(rig, model, rest.per_layer())
    ngl = min(sum(fits), need.layers - 1)
    if ngl <= 0:
        return None
    cpu_share = (need.layers - ngl) / need.layers
    ram = _ram_pool(
        rig,
        dense_bytes=int(need.dense_bytes * cpu_share),
        expert_bytes=need.expert_bytes,
        kv_bytes=int(need.kv_bytes * cpu_share),
        lookup_bytes=int(need.lookup_bytes * cpu_share),
    )
    if ram.used_bytes > ram.capacity_bytes:
        return None
    split = _spread(fits, ngl)
    pools = [_gpu_pool(g, model, n / need.layers, rest, n) for g, n in zip(rig.gpus, split, strict=True) if n]
    return Placement(
        kind="expert-offload",
        verdict="fits-offload",
        pools=(*pools, ram),
        n_gpu_layers=ngl,
        n_cpu_moe=need.moe_layers,
        tensor_split=tuple(split) if len(split) > 1 else None,
    )


def _ram_pool(
    rig: Rig, dense_bytes: int = 0, expert_bytes: int = 0, kv_bytes: int = 0, lookup_bytes: int = 0
) -> PoolUse:
    assert rig.ram is not None
    return PoolUse(
        name="system RAM",
        kind="ram",
        capacity_bytes=_ram_capacity(rig),
        dense_bytes=dense_bytes,
        expert_bytes=expert_bytes,
        lookup_bytes=lookup_bytes,
        kv_bytes=kv_bytes,
        bandwidth_gb_s=rig.ram.bandwidth_gb_s,
        cpu_spec=rig.ram.cpu,
    )


def _partial_offload(model: Model, rig: Rig, need: _Need) -> Placement | None:
    if not rig.gpus or not rig.ram:
        return None
    per_layer = need.per_layer()
    fits = _layers_per_gpu(rig, model, per_layer)
    ngl = min(sum(fits), need.layers)
    if ngl == 0:
        return None
    cpu_share = (need.layers - ngl) / need.layers
    if need.total * cpu_share > _ram_capacity(rig):
        return None
    split = _spread(fits, ngl)
    pools = [_gpu_pool(g, model, n / need.layers, need, n) for g, n in zip(rig.gpus, split, strict=True) if n]
    pools.append(
        _ram_pool(
            rig,
            dense_bytes=int(need.dense_bytes * cpu_share),
            expert_bytes=int(need.expert_bytes * cpu_share),
            kv_bytes=int(need.kv_bytes * cpu_share),
            lookup_bytes=int(need.lookup_bytes * cpu_share),
        )
    )
    return Placement(
        kind="partial-offload",
        verdict="fits-offload",
        pools=tuple(pools),
        n_gpu_layers=ngl,
        tensor_split=tuple(split) if len(split) > 1 else None,
    )


def _cpu_only(rig: Rig, need: _Need) -> Placement | None:
    if not rig.ram or need.total > _ram_capacity(rig):
        return None
    pool = _ram_pool(rig, need.dense_bytes, need.expert_bytes, need.kv_bytes, need.lookup_bytes)
    return Placement(kind="cpu", verdict="fits-offload", pools=(pool,), n_gpu_layers=0)


def _capacity(model: Model, rig: Rig) -> int:
    """Everything the rig could hold, best arrangement: all VRAM, RAM, and unified memory at its limit."""
    total = sum(_gpu_capacity(g, model) for g in rig.gpus) + _ram_capacity(rig)
    if rig.unified:
        limit = rig.unified.raised_limit_bytes or rig.unified.gpu_limit_bytes
        limit = max(limit, rig.unified.memory_bytes - memory.os_reserve_bytes(rig.unified.memory_bytes))
        total += limit - memory.device_overhead_bytes(model, rig.unified.backend)
    return total


def _beyond(model: Model, rig: Rig, need: _Need) -> Placement:
    shortfall = max(need.total - _capacity(model, rig), 1)
    if rig.ram and need.total > 0:
        return Placement(
            kind="disk",
            verdict="does-not-fit",
            shortfall_bytes=shortfall,
        )
    return Placement(kind="none", verdict="does-not-fit", shortfall_bytes=shortfall)


def _node_devices(node: Rig) -> list[GpuDevice]:
    """One machine's accelerators: its GPUs, or its unified memory at the GPU limit as one device."""
    devices = list(node.gpus)
    u = node.unified
    if u is not None:
        devices.append(
            GpuDevice(
                name=u.name,
                hardware_id=u.hardware_id,
                memory_bytes=u.gpu_limit_bytes,
                bandwidth_gb_s=u.bandwidth_gb_s,
                fp16_tflops=u.fp16_tflops,
                fp16_tflops_basis=u.fp16_tflops_basis,
                backend=u.backend,
                matrix_spec=u.matrix_spec,
            )
        )
    return devices


def _across_nodes(rig: Rig) -> Rig:
    """A cluster as one pipeline: every machine's GPUs, or its unified memory at the GPU limit as one device, split
    by layers across machines (llama.cpp RPC, exo, pipeline parallel); one machine's system RAM for the rest."""
    devices = [d for node in rig.node_rigs for d in _node_devices(node)]
    return Rig(gpus=tuple(devices), ram=rig.ram)


def place(model: Model, rig: Rig, weights_bytes: int, kv_bytes: int, quant: str | None = None) -> Placement:
    if rig.nodes > 1:
        one = place(model, rig.node, weights_bytes, kv_bytes, quant)
        if one.verdict == "fits":
            return one
        spread = _on_one_machine(model, _across_nodes(rig), weights_bytes, kv_bytes, quant)
        if spread.verdict != "fits":
            return one
        return spread.model_copy(update={"nodes": rig.nodes, "node_link": rig.node_link})
    return _as_built(_on_one_machine(model, rig, weights_bytes, kv_bytes, quant), rig)


def _on_one_machine(model: Model, rig: Rig, weights_bytes: int, kv_bytes: int, quant: str | None) -> Placement:
    """The best placement on one machine's devices (across machines over RPC each runs its own build)."""
    need = need_for(model, weights_bytes, kv_bytes, quant)
    for attempt in (_on_gpus, _unified, _expert_offload, _partial_offload):
        found = attempt(model, rig, need)
        if found is not None:
            return found
    return _cpu_only(rig, need) or _beyond(model, rig, need)
