"""Recommend machines for a model, and models for a machine, from the catalog alone."""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import math
import re
from dataclasses import dataclass
from enum import StrEnum

from catalog.catalog import Catalog
from catalog.types import Gpu, Model, PlatformPrice, QualityScore, QuantFormat, SystemMemory, Unified
from engine import formats, memory, serve
from engine.fit import (
    DEFAULT_CONTEXT,
    PICK_GROUPS,
    SERVER_ONLY,
    SHORT_CONTEXT,
    SHORTENED,
    TRADE_KV,
    FilesKey,
    FitOptions,
    Pick,
    QuantOption,
    RigPick,
    SizedFile,
    Trade,
    files_key,
    fit_reading,
    kv_profile,
    pick_on_rig,
    quality_key,
    sized_files,
)
from engine.placement import PlacementKind, Verdict, mlx_mac, os_free_bytes
from engine.prices import (
    PriceBasis,
    PricePart,
    card_slot,
    device_price,
    platform_for,
    platform_part,
    priced_platforms,
    ram_offers,
    ram_price,
    ram_usd_per_gib,
)
from engine.quants import DEFAULT_LADDER, Tier, nominal_bits, tier
from engine.rig import DESKTOP_MAX_GIB, Frozen, GpuDevice, Reading, Rig, gpu_device, platform_ram, unified_pool
from engine.units import GIB

GPU_COUNTS = (1, 2, 3, 4, 6, 8)
# The smallest quant worth running is a 2-bit one (UD-IQ2_XXS): 1-bit files keep 76% top-1 agreement with BF16 on
# GLM-5.2 (Unsloth's UD-IQ1_S, catalog/data/models/glm.yaml) against 82% at UD-IQ2_M, and are not offered.
MIN_NOMINAL_BITS = 2
# NVIDIA cards current CUDA builds no longer target are not offered for a new machine: CUDA 13.0 removed offline
# compilation and library support for compute capability below 7.5 (Maxwell, Pascal, Volta; CUDA 12.9 release notes,
# "Deprecated Architectures"), and llama.cpp adds its 5.0/6.1/7.0 targets only to builds with a CUDA toolkit older
# than 13 (ggml/src/ggml-cuda/CMakeLists.txt: `if (CUDAToolkit_VERSION VERSION_LESS "13")`); Kepler went with
# CUDA 12.0. vLLM's CUDA wheels also start at 7.5 (engine/serve.py).
MIN_CUDA_CAPABILITY = (7, 5)
# GPU + system RAM builds: 1-4 cards with RAM in the sizes DIMMs are sold to fill (GiB); the smallest size that
# runs the model is the cheapest, so larger ones are not tried.
RAM_GPU_COUNTS = (1, 2, 4)
RAM_SIZES_GIB = (32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536)
MIN_DIMM_GIB = 16  # the smallest module a build would fill a channel with
# GPUs whose memory holds the smallest file with this much to spare (KV cache, buffers) are priced as GPU-only
# machines, not again with system RAM. A search bound, not a fact: the fit itself decides what runs.
GPU_ONLY_ROOM = 1.1


class Candidate(Frozen):
    label: str
    price_usd: float
    price_basis: PriceBasis  # one part per card, the machine, the platform (board, CPU, PSU ...) and RAM priced
    quant: str
    bits_per_weight: float
    verdict: Verdict
    placement: PlacementKind
    decode_low: float
    decode_high: float
    decode_typical: float
    max_context: int
    tier: Tier = Tier.GOOD  # how much quality the quant keeps (engine/quants.py)
    quality: tuple[float, ...] = ()  # fit.quality_key of the quant as it runs here (higher is better)
    # /fit's pick on this machine runs the quant with this KV cache type at this context (fit.Trade: what it gave up)
    kv_type: memory.KvType = "f16"
    context: int = 0
    trade: Trade = Trade.NONE
    yarn: bool = False  # the context needs the YaRN rope scaling the model's card documents (fit.Pick.yarn)


def _mid(o: QuantOption) -> float:
    return o.decode_tps.centre if o.decode_tps else 0.0


def supported(gpu: Gpu) -> bool:
    """Whether current builds still target the card: NVIDIA at MIN_CUDA_CAPABILITY or newer (unknown: kept)."""
    if gpu.backend != "cuda" or gpu.compute_capability is None:
        return True
    major, _, minor = gpu.compute_capability.partition(".")
    return (int(major), int(minor)) >= MIN_CUDA_CAPABILITY


class _Machine(Frozen):
    """A machine to try, at its price: a fixed rig, or a GPU + RAM build at one RAM size of a ladder."""

    usd: float
    label: str
    basis: PriceBasis
    rig: Rig
    key: str  # machines answering for the same device (more cards, more RAM) share a key
    platform: SystemMemory | None = None
    ram_ladder: tuple[int, ...] = ()  # larger RAM sizes to try if this one cannot hold the model


@dataclass(frozen=True)
class _Cards:
    """`n` of a priced GPU on a priced platform, not yet made into a machine (made only if the search reaches it)."""

    gpu: Gpu
    n: int
    board: PlatformPrice


@dataclass(frozen=True)
class _Box:
    """A unified-memory machine at one priced size, not yet made into a machine."""

    device: Unified
    gib: int


@dataclass(frozen=True)
class _Build:
    """A GPU + RAM build not yet made into a machine: priced from a per-GB figure, made only if it is reached."""

    gpu: Gpu
    n: int
    platform: SystemMemory
    sizes: tuple[int, ...]


_Item = _Cards | _Box | _Build | _Machine


class _Prices:
    """The catalog's prices one search reads many times, looked up once: each priced GPU current builds still
    target (with its device), each platform's total, RAM per GiB on each priced RAM platform."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.gpus: dict[str, tuple[Gpu, float, PricePart]] = {}
        for h in catalog.hardware.values():
            # an SXM or OAM module needs its baseboard: offered only where the catalog prices a platform with one
            if (
                isinstance(h, Gpu)
                and h.prices
                and supported(h)
                and card_slot(h) in {b.slot for b in catalog.platform_prices}
            ):
                usd, part = device_price(h)
                if usd is not None:
                    self.gpus[h.id] = (h, usd, part)
        self.ram_offers = ram_offers(catalog.hardware)
        self.platforms = priced_platforms(catalog.hardware, self.ram_offers)
        self.ram_per_gib = {p.id: ram_usd_per_gib(p, catalog.hardware, self.ram_offers) for p in self.platforms}
        self.boards = tuple(catalog.platform_prices)
        self.board_usd = {b.id: b.usd for b in self.boards}

    def board(self, n_gpus: int, ram: SystemMemory | None = None, slot: str = "pcie") -> PlatformPrice | None:
        return platform_for(self.boards, n_gpus, ram, slot)


def _fixed(prices: _Prices) -> list[tuple[float, _Cards | _Box]]:
    """Every priced fixed machine: 1-8 of each GPU on the cheapest board that takes them, each unified machine at
    each priced memory size."""
    out: list[tuple[float, _Cards | _Box]] = []
    for h in prices.catalog.hardware.values():
        if isinstance(h, Gpu) and h.id in prices.gpus:
            usd = prices.gpus[h.id][1]
            for n in GPU_COUNTS:
                board = prices.board(n, slot=card_slot(h))
                if board is None:  # no priced board takes this many cards: not a machine to offer
                    continue
                out.append((usd * n + prices.board_usd[board.id], _Cards(h, n, board)))
        elif isinstance(h, Unified) and h.prices:
            for gib in h.memory_gib_options:
                box_usd, _ = device_price(h, gib)
                if box_usd is None or not any(p.memory_gib == gib for p in h.prices):
                    continue
                out.append((box_usd, _Box(h, gib)))
    return out


def _fixed_memory_bytes(item: _Cards | _Box) -> int:
    if isinstance(item, _Cards):
        return item.n * int(item.gpu.memory_gib * GIB)
    return item.gib * GIB


def _made(item: _Item, prices: _Prices) -> _Machine:
    """The machine an item of the search stands for, with its label, price and parts."""
    if isinstance(item, _Machine):
        return item
    if isinstance(item, _Build):
        return _ram_build(item.gpu, item.n, item.platform, item.sizes, prices)
    if isinstance(item, _Cards):
        h, usd, part = prices.gpus[item.gpu.id]
        rig = Rig(gpus=(gpu_device(h),) * item.n)
        label = f"{item.n}x {h.name}" if item.n > 1 else h.name
        basis = PriceBasis(parts=(*(part,) * item.n, platform_part(item.board)))
        return _Machine(usd=usd * item.n + prices.board_usd[item.board.id], label=label, basis=basis, rig=rig, key=h.id)
    box_usd, box_part = device_price(item.device, item.gib)
    assert box_usd is not None  # `_fixed` offers only priced sizes
    rig = Rig(unified=unified_pool(item.device, item.gib))
    # every size of one unified machine answers for it, as more cards answer for their GPU: a bigger size is listed
    # only where it lifts the answer into a better group of quants
    return _Machine(
        usd=box_usd, basis=PriceBasis(parts=(box_part,)), label=_item_key(item), rig=rig, key=item.device.id
    )


def _ram_sizes(platform: SystemMemory) -> list[int]:
    """Sizes that fill every channel with at least one MIN_DIMM_GIB module (the bandwidth assumes all channels)."""
    ceiling = platform.memory_gib_max or (DESKTOP_MAX_GIB if platform.channels <= 2 else max(RAM_SIZES_GIB))
    floor = platform.channels * MIN_DIMM_GIB
    return [g for g in RAM_SIZES_GIB if floor <= g <= ceiling]


def _ram_build(gpu: Gpu, n: int, platform: SystemMemory, sizes: tuple[int, ...], prices: _Prices) -> _Machine:
    _, gpu_usd, gpu_part = prices.gpus[gpu.id]
    ram = platform_ram(platform, sizes[0], named=False)
    ram_usd, ram_part = ram_price(ram, prices.catalog.hardware, prices.ram_offers)
    board = prices.board(n, platform, card_slot(gpu))
    assert board is not None  # `_options` offers only builds on a priced platform
    gpus = f"{n}x {gpu.name}" if n > 1 else gpu.name
    return _Machine(
        usd=n * gpu_usd + (ram_usd or 0.0) + prices.board_usd[board.id],
        label=f"{gpus} + {sizes[0]} GB {ram.description}",
        basis=PriceBasis(parts=(*(gpu_part,) * n, platform_part(board), ram_part)),
        rig=Rig(gpus=(gpu_device(gpu),) * n, ram=ram),
        key=f"{gpu.id}+{platform.id}",
        platform=platform,
        ram_ladder=sizes[1:],
    )


def _options(model: Model, prices: _Prices) -> list[tuple[float, _Item]]:
    """Every priced machine with its price: the fixed rigs that could hold the model's smallest file, and GPU +
    RAM builds at the smallest RAM size that could (builds whose GPUs alone hold it with room are left to the
    cheaper GPU-only machine)."""
    smallest = _smallest_file_bytes(model)
    out: list[tuple[float, _Item]] = [(usd, f) for usd, f in _fixed(prices) if _fixed_memory_bytes(f) >= smallest]
    for h, gpu_usd, _ in prices.gpus.values():
        for n in RAM_GPU_COUNTS:
            if n * h.memory_gib * GIB >= smallest * GPU_ONLY_ROOM:
                continue
            for platform in prices.platforms:
                board = prices.board(n, platform, card_slot(h))
                sizes = tuple(g for g in _ram_sizes(platform) if (n * h.memory_gib + g) * GIB >= smallest)
                if sizes and board is not None:
                    usd = n * gpu_usd + sizes[0] * prices.ram_per_gib[platform.id] + prices.board_usd[board.id]
                    out.append((usd, _Build(h, n, platform, sizes)))
    return out


def _smallest_file_bytes(model: Model) -> int:
    """The smallest file worth running that fit would size: published or estimated from the default ladder."""
    files = [q.file_bytes for q in model.quants if nominal_bits(q.name, 16.0) >= MIN_NOMINAL_BITS]
    estimates = (memory.weights_estimate(model, n) for n in DEFAULT_LADDER if nominal_bits(n, 16.0) >= MIN_NOMINAL_BITS)
    sizes = files + [w.n_bytes for w in estimates if w is not None]
    return min(sizes, default=0)


def _memory_bytes(rig: Rig) -> int:
    return rig.vram_bytes + (rig.unified.memory_bytes if rig.unified else 0)


def _file_format(file: SizedFile) -> QuantFormat:
    """The checkpoint format fit sizes a file in (fit._option): the published file's, else its ladder entry's."""
    _, published, w = file
    if published is not None:
        return published.format
    known = formats.lookup(w.quant)
    return known.format if known is not None else "gguf"


def _may_accept(model: Model, file: SizedFile) -> bool:
    """Whether a file could be a build's answer at all (`_Search._accept`): worth running (2 bits and up) and
    loadable by some engine (fit._option's `loadable`). Files that fail this are never picked nor count as
    running, so a search does not size them."""
    _, published, w = file
    worth = nominal_bits(w.quant, w.bits_per_weight) >= MIN_NOMINAL_BITS
    return worth and serve.loadable(model, published, w.quant, _file_format(file))


@dataclass(frozen=True)
class _Least:
    """The smallest file a search may accept (`_may_accept`) of one kind of rig (fit.files_key): among files that
    may spill into system RAM, and among server checkpoints, which vLLM and SGLang hold on the GPUs alone
    (fit.SERVER_ONLY). None: the rig's kind has no such file."""

    any_memory_bytes: int | None
    gpu_memory_bytes: int | None


def _least(files: tuple[SizedFile, ...]) -> _Least:
    sizes: dict[bool, list[int]] = {False: [], True: []}
    for file in files:
        sizes[_file_format(file) in SERVER_ONLY].append(file[2].n_bytes)
    return _Least(min(sizes[False], default=None), min(sizes[True], default=None))


class _Search:
    """One model's answers on many rigs within one request: the files sized once per kind of rig, the KV profile
    once, and each rig's answer once (an upgrade path asks about the same rigs for each goal). A rig's answer is
    /fit's pick on it (`fit.pick_on_rig`: the same quant, KV cache type and context), among the quants worth
    running that reach the target speed."""

    def __init__(self, model: Model, context: int, min_decode_tps: float, may_shorten: bool = False) -> None:
        self.model, self.context, self.min_decode_tps = model, context, min_decode_tps
        self.may_shorten = may_shorten
        self.opts = FitOptions(context=context)
        self.profile = kv_profile(model, self.opts)
        # the least KV cache the pick can trade down to (a q8_0 cache, at SHORT_CONTEXT where it may shorten)
        least = SHORT_CONTEXT if may_shorten else context
        self.kv_floor_bytes = memory.kv_profile(model, TRADE_KV, self.opts.n_seq).bytes_at(min(least, context))
        self._files: dict[FilesKey, tuple[SizedFile, ...]] = {}
        self._least: dict[FilesKey, _Least] = {}
        self._answers: dict[Rig, tuple[bool, Pick | None]] = {}
        self._lifting: dict[Rig, int | None] = {}  # rig answered below 4 bits -> `_least_unplaced`

    def first_good(self, rig: Rig) -> tuple[bool, Pick | None]:
        """Whether any quant worth running runs on the rig, and /fit's pick among the quants that reach the target
        speed (None: none does). Where /fit's own pick reaches the target (most rigs), this is it; where it does
        not, the pick the same policy makes among the faster quants."""
        if rig not in self._answers:
            self._answers[rig] = self._first_good(rig)
        return self._answers[rig]

    def _accept(self, option: QuantOption) -> bool:
        """A machine is bought for a file some engine loads (a published one, or one llama-quantize makes without
        an imatrix): /fit falls back to a size no one publishes when nothing else fits, but a build priced for it
        cannot be started (Kimi K2's IQ2_XXS on an MI50 with 256 GB of DDR4 had headed the cheapest builds)."""
        return option.loadable and _worth_running(option) and _mid(option) >= self.min_decode_tps

    def _sized(self, rig: Rig) -> tuple[tuple[SizedFile, ...], _Least]:
        """The files fit sizes on the rig's kind of rig that the search may accept (`_may_accept`), and the
        smallest of them."""
        key = files_key(rig)
        if key not in self._files:
            files = tuple(f for f in sized_files(self.model, rig, self.opts) if _may_accept(self.model, f))
            self._files[key], self._least[key] = files, _least(files)
        return self._files[key], self._least[key]

    def _weights_room_bytes(self, rig: Rig) -> int:
        """The most weights the rig can hold beside the least KV cache the pick may use (all its memory)."""
        return _memory_bytes(rig) + (rig.ram.memory_bytes if rig.ram else 0) - self.kv_floor_bytes

    def may_run(self, rig: Rig) -> bool:
        """Whether the rig's memory holds a loadable file worth running at all: where it does not, nothing it can
        run is accepted (`_accept`) or counts as running, and its answer is (False, None) without sizing a file.
        A server checkpoint counts only against the GPUs' (or unified) memory: fit places it without system RAM."""
        _, least = self._sized(rig)
        room = self._weights_room_bytes(rig)
        if least.any_memory_bytes is not None and least.any_memory_bytes <= room:
            return True
        return least.gpu_memory_bytes is not None and least.gpu_memory_bytes <= min(room, _memory_bytes(rig))

    def ram_sizes(self, rig: Rig, sizes: tuple[int, ...]) -> tuple[int, ...]:
        """Of larger RAM sizes (GiB) for the rig's GPUs, those that could change its answer. Where nothing runs:
        sizes that hold the smallest file the search may accept that spills into system RAM (none where only
        server checkpoints load). Where it answers below 4 bits: sizes that hold the smallest file of a better
        group it did not place (`_least_unplaced`)."""
        _, pick = self.first_good(rig)
        least = self._sized(rig)[1].any_memory_bytes if pick is None else self._lifting.get(rig)
        if least is None:
            return ()
        needed_bytes = least + self.kv_floor_bytes - _memory_bytes(rig)
        return tuple(g for g in sizes if g * GIB >= needed_bytes)

    def _least_unplaced(self, rig: Rig, found: RigPick, group: int) -> int | None:
        """The smallest file the search may accept, of a better group than `group` (`_group`), that may spill into
        system RAM and that the rig did not place (not sized, or sized as not fitting). A file the rig placed is
        placed the same way with more RAM of the same speed (the GPUs hold the same layers and experts) and runs
        at the same speed, so it stays unpicked: only an unplaced one can lift the answer. None: there is none."""
        placed = {o.quant for o in found.options if o.verdict != "does-not-fit"}
        sizes = [
            w.n_bytes
            for f in self._sized(rig)[0]
            if (w := f[2]).quant not in placed
            and _file_format(f) not in SERVER_ONLY
            and _group(tier(w.quant, w.bits_per_weight)) < group
        ]
        return min(sizes, default=None)

    def _first_good(self, rig: Rig) -> tuple[bool, Pick | None]:
        if not self.may_run(rig):
            return False, None
        # weights that with the least KV cache the pick may use exceed all the rig's memory cannot fit: not sized
        found = pick_on_rig(
            self.model,
            rig,
            self.context,
            self.opts,
            may_shorten=self.may_shorten,
            files=self._sized(rig)[0],
            profile=self.profile,
            max_weights_bytes=self._weights_room_bytes(rig),
            accept=self._accept,
        )
        if found.pick is not None:
            self._lifting[rig] = self._least_unplaced(rig, found, _group(found.pick.tier))
            return True, found.pick
        # nothing reaches the target (every option was sized): whether anything worth running runs at all (a file
        # some engine loads: more RAM is tried where only a size no one publishes would run)
        return any(o.verdict != "does-not-fit" and _worth_running(o) and o.loadable for o in found.options), None


def _worth_running(option: QuantOption) -> bool:
    """2 bits and up (MIN_NOMINAL_BITS)."""
    return nominal_bits(option.quant, option.bits_per_weight) >= MIN_NOMINAL_BITS


def recommend(
    model: Model,
    catalog: Catalog,
    *,
    budget_usd: float | None = None,
    min_decode_tps: float = 5.0,
    context: int = 32_768,
    context_asked: bool = True,
    limit: int = 10,
) -> list[Candidate]:
    """The cheapest machines that run the model at `min_decode_tps` (the typical speed), each at /fit's pick on it
    (its quant, KV cache type and context: a context not `context_asked` may be traded as /fit trades it): 1-8 of
    one GPU, unified-memory machines at each priced size, and 1-4 GPUs with system RAM where RAM is priced. Builds
    at 4 bits and up first, cheapest first, then up to FEWER_BITS_SHOWN cheaper ones at 3 or 2 bits (`_shown`).

    Machines are tried in order of price (a heap), so the search stops at the `limit`-th answer; a GPU + RAM build
    that cannot hold the model goes back on the heap at its next RAM size. More RAM of the same speed only admits
    larger, slower quants, so the first size that runs the model answers for its GPUs and platform."""
    prices = _Prices(catalog)
    search = _Search(model, context, min_decode_tps, may_shorten=not context_asked)
    wanted_best = max(limit - FEWER_BITS_SHOWN, 1)
    found = [c for c, _ in _cheapest(search, prices, budget_usd, limit, best_group_limit=wanted_best)]
    return _shown(sorted(found, key=lambda c: (_group(c.tier), c.price_usd)), limit)


# Below the builds at 4 bits and up, /recommend lists at most this many cheaper ones at fewer bits (3, then 2):
# the way in for a smaller budget, without crowding out the builds an expert would buy.
FEWER_BITS_SHOWN = 3


def _shown(ranked: list[Candidate], limit: int) -> list[Candidate]:
    """The best group's builds, cheapest first, then builds at fewer bits that cost less than the cheapest of them:
    FEWER_BITS_SHOWN, or more where the best group has too few to fill `limit` (all of them when no build reaches 4
    bits)."""
    best = [c for c in ranked if _group(c.tier) == 0]
    if not best:
        return ranked[:limit]
    fewer = [c for c in ranked if _group(c.tier) > 0 and c.price_usd < best[0].price_usd]
    shown = best[: limit - min(len(fewer), FEWER_BITS_SHOWN)]
    return shown + fewer[: limit - len(shown)]


def _cheapest(
    search: _Search,
    prices: _Prices,
    budget_usd: float | None,
    limit: int | None,
    *,
    every_size: bool = False,
    best_group_limit: int = 0,
) -> list[tuple[Candidate, _Machine]]:
    """The price-ordered search (`recommend`): with `every_size`, machines of a device already answered for (more
    cards, the next RAM size) are tried too, and a `limit` of None reads the heap to the budget. Without it, a
    device answered below 4 bits is tried again with more cards or RAM, listed only where that lifts the answer into
    a better group of quants (fit.PICK_GROUPS); the search goes on past `limit` answers until `best_group_limit` of
    them run at 4 bits or more, or it has found `limit` x SEARCH_PAST_LIMIT."""
    heap: list[tuple[float, int, _Item]] = [
        (usd, i, item) for i, (usd, item) in enumerate(_options(search.model, prices))
    ]
    heapq.heapify(heap)
    seq = len(heap)
    found: list[tuple[Candidate, _Machine]] = []
    satisfied: set[str] = set()
    groups: dict[str, int] = {}  # device key -> the best group of quants answered for it so far
    while heap and (limit is None or not _enough(found, limit, best_group_limit)):
        usd, _, item = heapq.heappop(heap)
        if budget_usd is not None and usd > budget_usd:
            break
        if not every_size and isinstance(item, _Cards | _Box) and _item_key(item) in satisfied:
            continue
        o = _made(item, prices)
        if o.key in satisfied and not every_size:
            continue
        runs, pick = search.first_good(o.rig)
        # more RAM of the same speed only admits larger, slower quants: worth trying where nothing runs yet, or
        # where a larger quant would lift the answer into a better group of quants
        better_group = pick is not None and _group(pick.tier) > 0
        # sizes that cannot change the answer are passed over (`_Search.ram_sizes`); every size is an answer of its
        # own where `every_size` lists them all
        ladder: tuple[int, ...] = ()
        if o.platform is not None and (not runs or better_group):
            ladder = o.ram_ladder if every_size and runs else search.ram_sizes(o.rig, o.ram_ladder)
        if o.platform is not None and ladder:
            gpu = prices.gpus[o.rig.gpus[0].hardware_id or ""][0]
            bigger = _ram_build(gpu, len(o.rig.gpus), o.platform, ladder, prices)
            heapq.heappush(heap, (bigger.usd, seq, bigger))
            seq += 1
        if pick is None:
            if runs and o.platform is not None:
                satisfied.add(o.key)
            continue
        group = _group(pick.tier)
        if not every_size and group >= groups.get(o.key, len(PICK_GROUPS) + 1):
            continue  # no better than a cheaper machine of the same device
        groups[o.key] = group
        if group == 0:
            satisfied.add(o.key)
        found.append((_candidate(o.label, o.usd, o.basis, pick), o))
    return found


# /recommend searches on past its `limit` answers for builds at 4 bits and up, to this many times the limit: a big
# MoE's cheapest 4-bit build (Qwen3-235B: a 32 GB card and 128 GB of RAM) comes after a score of cheaper 2-bit ones
SEARCH_PAST_LIMIT = 6


def _enough(found: list[tuple[Candidate, _Machine]], limit: int, best_group_limit: int) -> bool:
    if len(found) < limit:
        return False
    best = sum(1 for c, _ in found if _group(c.tier) == 0)
    return best >= best_group_limit or len(found) >= limit * SEARCH_PAST_LIMIT


def _item_key(item: _Cards | _Box) -> str:
    """Cards answer for their GPU (more of them cost more); each size of a unified machine answers for itself."""
    return item.gpu.id if isinstance(item, _Cards) else f"{item.device.name} {item.gib}GB"


def best_builds(
    model: Model,
    catalog: Catalog,
    *,
    budget_usd: float,
    min_decode_tps: float = 5.0,
    context: int = 32_768,
    context_asked: bool = True,
    limit: int = 3,
) -> list[Candidate]:
    """The best machines within the budget, best first: every priced machine up to `budget_usd` (more cards and
    more RAM too) answered as `recommend` answers it (the highest-quality quant at the target speed), ordered by
    `_build_rank`. `recommend` gives the cheapest that meet the target; this gives what the money buys."""
    prices = _Prices(catalog)
    search = _Search(model, context, min_decode_tps, may_shorten=not context_asked)
    found = [c for c, _ in _cheapest(search, prices, budget_usd, None, every_size=True)]
    return sorted(found, key=lambda c: _build_rank(c, min_decode_tps), reverse=True)[:limit]


def _build_rank(c: Candidate, min_decode_tps: float) -> tuple[int, bool, float, tuple[float, ...], float]:
    """Higher is better. The quant's group first (4 bits and up, then 3, then 2: fit's PICK_GROUPS, the groups
    /fit's pick takes in order); then a build that runs at the context asked (or the default) over one whose pick
    shortened it, as /fit trades context only to keep bits (two 3080s at IQ4_XS and 13k had ranked above a 4090 at
    Q4_K_M and 32k for Qwen3-Coder-30B-A3B, for 119 tok/s against 117); then decode speed up to FAST_FACTOR x the
    target (past it speed no longer changes how the model is used, as in /whatfits); then the quant's quality; then
    the lower price."""
    speed = min(c.decode_typical, FAST_FACTOR * min_decode_tps)
    return -_group(c.tier), c.trade not in SHORTENED, speed, c.quality, -c.price_usd


def _group(tier: Tier) -> int:
    """Which of fit's PICK_GROUPS the tier is in: 0 for 4 bits and up, 1 for 3 bits, 2 for 2 bits and below."""
    return next((i for i, (tiers, _) in enumerate(PICK_GROUPS) if tier in tiers), len(PICK_GROUPS))


class UpgradeKind(StrEnum):
    """What a member adds to (or changes in) the rig they have (bot/wording.py says each in words)."""

    ADD_RAM = "add-ram"  # more system RAM of the same kind, up to what the platform takes
    ADD_SAME_CARD = "add-same-card"  # more of the card the rig has (a board for more cards where it needs one)
    ADD_OTHER_CARD = "add-other-card"  # one card of another kind beside the ones the rig has
    SWAP_CARDS = "swap-cards"  # the rig's cards replaced by as many of another card


class Upgrade(Frozen):
    """The cheapest change of one kind that makes the rig run the model at the target speed: `candidate` is the
    rig after it (its label the whole rig, its price and parts only what is bought)."""

    kind: UpgradeKind
    candidate: Candidate
    added_gib: float | None = None  # ADD_RAM: the RAM added
    device: str | None = None  # the card added or swapped in (its name)
    device_id: str | None = None  # ... and its catalog id
    count: int = 0  # cards added or swapped in


class UpgradePath(Frozen):
    """A stated rig as it is and the cheapest upgrade of each kind, cheapest first."""

    rig_label: str
    runs: bool  # any quant worth running runs on the rig as it is
    current: Candidate | None  # the rig as it is, where it already reaches the target (price 0: nothing bought)
    upgrades: tuple[Upgrade, ...]
    upgradable: bool = True  # GPUs, RAM or cards can be added (not a unified-memory machine, not a bare CPU)
    unified: bool = False  # a unified-memory machine (Mac, Strix Halo, DGX Spark): its memory cannot be added to
    # where the rig already reaches the target at its best group of quants with weights in system RAM: the speed
    # the upgrades offered beat (FASTER_FACTOR x its own), taking weights off system RAM; None: upgrades for the target
    faster_than_tps: float | None = None


ADD_CARD_COUNTS = (1, 2, 3)  # cards of the same kind added to a rig's own (up to GPU_COUNTS' largest in all)


def upgrade_path(
    model: Model,
    rig: Rig,
    catalog: Catalog,
    *,
    min_decode_tps: float = 5.0,
    context: int = 32_768,
    context_asked: bool = True,
    label: str | None = None,
    budget_usd: float | None = None,
) -> UpgradePath:
    """What adding RAM, more of the rig's card, one card of another kind, or swapping the cards buys for this
    model: the cheapest change of each kind that makes it run at `min_decode_tps`, within `budget_usd` where one
    is given. A unified-memory machine's memory cannot be added to: it gets no upgrade (a new machine is
    `recommend`'s answer)."""
    prices = _Prices(catalog)
    search = _Search(model, context, min_decode_tps, may_shorten=not context_asked)
    label = label or rig.describe()
    runs, option = search.first_good(rig)
    current = _candidate(label, 0.0, PriceBasis(), option) if option is not None else None
    ways = (_add_ram, _add_same_card, _add_other_card, _swap_cards) if rig.gpus and rig.unified is None else ()
    found: list[Upgrade] = []
    for way in ways:
        for group in _upgrade_goals(option):
            u = way(rig, _Goal(search, group, budget_usd, rig), prices)
            if u is not None and u not in found:
                found.append(u)
    faster_than = _faster_goal(option) if ways and not found else None
    if option is not None and faster_than is not None:
        quicker = _Search(model, context, faster_than, may_shorten=not context_asked)
        goal = _Goal(quicker, _group(option.tier), budget_usd, rig)
        found = [u for way in ways if (u := way(rig, goal, prices)) is not None]
    return UpgradePath(
        rig_label=label,
        runs=runs,
        current=current,
        upgrades=_undominated(found),
        upgradable=bool(ways),
        unified=rig.unified is not None,
        faster_than_tps=faster_than if found else None,
    )


# An upgrade of a rig that already reaches the target must decode at least this much faster to be offered: less
# than half again the speed is not what people buy a card for (a judgement, not a measurement).
FASTER_FACTOR = 1.5
# Placements that read weights from system RAM every token: the upgrade people make is the VRAM to take them off it.
IN_RAM_PLACEMENTS = frozenset({"expert-offload", "partial-offload", "cpu"})


def _faster_goal(option: Pick | None) -> float | None:
    """Where the rig already reaches the target at its best group of quants (no upgrade earns a better group) but
    reads weights from system RAM each token, the speed an upgrade must beat: FASTER_FACTOR x its own. An RTX 3090
    owner with 64 GB of DDR4 asking what to upgrade for gpt-oss-120b (MXFP4 with the experts in RAM, ~17 tok/s) had
    been told 'no upgrade of it reaches the target (a unified machine's memory cannot be added to)'. None: the rig
    holds the model in VRAM already, or does not reach the target (the upgrades for the target answer it)."""
    if option is None or _upgrade_goals(option) or option.option.placement.kind not in IN_RAM_PLACEMENTS:
        return None
    return FASTER_FACTOR * _mid(option.option)


def _matched_by_the_rig(u: Upgrade, rig: Rig, search: _Search) -> bool:
    """The rig as it is runs the upgrade's quant (same KV cache type) at least as fast, at its context and as far:
    the upgrade buys nothing. An RTX 4060 Ti 16GB owner with 32 GB of DDR5 asking about Qwen3.6-27B had been offered
    'swap the cards for an RTX 3080 10GB ($423) -> Q4_K_M, typically 5.3 tok/s', where the 4060 Ti runs Q4_K_M with
    the same layers in RAM at 7.7 (its own pick, Q3_K_M wholly on the card, is faster still)."""
    c = u.candidate
    opts = search.opts.model_copy(update={"quant": c.quant, "kv_type": c.kv_type, "context": c.context or None})
    pick = fit_reading(search.model, Reading(label="", rig=rig), c.context or search.context, opts).pick
    if pick is None or pick.quant != c.quant or pick.option.decode_tps is None or not pick.option.loadable:
        return False
    return (
        pick.option.decode_tps.centre >= c.decode_typical
        and pick.context >= c.context
        and pick.option.max_context >= c.max_context
    )


def _undominated(found: list[Upgrade]) -> tuple[Upgrade, ...]:
    """The upgrades cheapest first, without one that a cheaper (or equally priced, earlier) upgrade matches or beats
    on every count the card shows: the quant's quality, typical decode, the pick's context and the longest context.
    An RTX 3090 owner with 64 GB of DDR4 asking about Qwen3-235B had been offered 'add an A100 80GB ($6,000) ->
    Q4_K_M, typically 8.6 tok/s' and 'swap the cards for an A100 80GB ($6,000) -> Q4_K_M at 31k, 6.0 tok/s'."""
    kept: list[Upgrade] = []
    for u in sorted(found, key=lambda u: u.candidate.price_usd):
        if not any(_as_good(k.candidate, u.candidate) for k in kept):
            kept.append(u)
    return tuple(kept)


def _as_good(a: Candidate, b: Candidate) -> bool:
    """`a` (priced no higher) answers at least as well as `b`: quality, typical decode and context."""
    return (
        a.quality >= b.quality
        and a.decode_typical >= b.decode_typical
        and a.context >= b.context
        and a.max_context >= b.max_context
    )


def _upgrade_goals(option: Pick | None) -> list[int]:
    """The groups of quants an upgrade may earn its price by reaching, worst first: the target at all (any group),
    then each group better than the rig's own answer, up to 4 bits. A step that stops at 3 bits is the one people
    take: an RTX 3060 12GB owner who wants Llama 3.3 70B adds a used 3090 for an IQ3 file split over both cards,
    where the cheapest 4-bit answer is a $2,300 card and the cheapest answer at all a 2-bit one."""
    worst = _group(option.tier) - 1 if option is not None else len(PICK_GROUPS)
    return list(range(worst, -1, -1))


@dataclass(frozen=True)
class _Goal:
    """What an upgrade must reach: the target speed, at a quant of group `group` or better (`_group`), at a price
    within `budget_usd` (None: any)."""

    search: _Search
    group: int
    budget_usd: float | None = None
    rig: Rig | None = None  # the rig as it is: an upgrade it already matches is passed over (`_matched_by_the_rig`)


def _first_upgrade(tries: list[tuple[float, Upgrade, Rig]], goal: _Goal) -> Upgrade | None:
    """The cheapest of the tries within the budget that reaches the goal (tried in order of price), with its
    answer."""
    if goal.group < 0:
        return None  # the rig already runs a quant of the best group at the target
    for usd, upgrade, rig in sorted(tries, key=lambda t: t[0]):
        if goal.budget_usd is not None and usd > goal.budget_usd:
            break
        _, option = goal.search.first_good(rig)
        if option is not None and _group(option.tier) <= goal.group:
            c = upgrade.candidate
            found = upgrade.model_copy(update={"candidate": _candidate(c.label, c.price_usd, c.price_basis, option)})
            if goal.rig is None or not _matched_by_the_rig(found, goal.rig, goal.search):
                return found
    return None


def _placeholder(label: str, usd: float, basis: PriceBasis) -> Candidate:
    """A candidate before its rig is sized (`_first_upgrade` fills in the answer)."""
    return Candidate(
        label=label,
        price_usd=usd,
        price_basis=basis,
        quant="",
        bits_per_weight=0.0,
        verdict="does-not-fit",
        placement="none",
        decode_low=0.0,
        decode_high=0.0,
        decode_typical=0.0,
        max_context=0,
    )


def _add_ram(rig: Rig, goal: _Goal, prices: _Prices) -> Upgrade | None:
    """More of the rig's RAM (same type, speed and channels), at RAM_SIZES_GIB up to the platform's ceiling."""
    ram = rig.ram
    if ram is None:
        return None
    have_gib = ram.memory_bytes / GIB
    channels = ram.channels or 2
    ceiling = DESKTOP_MAX_GIB if channels <= 2 else max(RAM_SIZES_GIB)
    tries = []
    for gib in (g for g in RAM_SIZES_GIB if have_gib < g <= ceiling):
        added = ram.model_copy(update={"memory_bytes": int((gib - have_gib) * GIB)})
        usd, part = ram_price(added, prices.catalog.hardware, prices.ram_offers)
        if usd is None:
            return None
        bigger = rig.model_copy(update={"ram": ram.model_copy(update={"memory_bytes": int(gib * GIB)})})
        c = _placeholder(bigger.describe(), usd, PriceBasis(parts=(part,)))
        tries.append((usd, Upgrade(kind=UpgradeKind.ADD_RAM, candidate=c, added_gib=gib - have_gib), bigger))
    return _first_upgrade(tries, goal)


def _add_same_card(rig: Rig, goal: _Goal, prices: _Prices) -> Upgrade | None:
    """More of the rig's first card, with the board a machine of that many cards needs where the rig's own
    class of board takes fewer (the cheapest priced platform that takes them all)."""
    have = rig.gpus[0]
    priced = prices.gpus.get(have.hardware_id or "")
    if priced is None:
        return None
    gpu, usd, part = priced
    n = len(rig.gpus)
    own_board = prices.board(n, slot=card_slot(gpu))
    tries = []
    for k in ADD_CARD_COUNTS:
        if n + k > max(GPU_COUNTS):
            break
        board = prices.board(n + k, slot=card_slot(gpu))
        if board is None:
            continue
        new_board = own_board is None or board.id != own_board.id
        parts = (*(part,) * k, *((platform_part(board),) if new_board else ()))
        total = usd * k + (prices.board_usd[board.id] if new_board else 0.0)
        bigger = rig.model_copy(update={"gpus": (*rig.gpus, *(have,) * k)})
        c = _placeholder(bigger.describe(), total, PriceBasis(parts=parts))
        tries.append(
            (
                total,
                Upgrade(kind=UpgradeKind.ADD_SAME_CARD, candidate=c, device=gpu.name, device_id=gpu.id, count=k),
                bigger,
            )
        )
    return _first_upgrade(tries, goal)


def _add_other_card(rig: Rig, goal: _Goal, prices: _Prices) -> Upgrade | None:
    """One card of another priced kind, of the same backend, beside the rig's own (on a board that takes one
    more card)."""
    n = len(rig.gpus)
    board = prices.board(n + 1)  # PCIe cards: `_Prices` holds SXM/OAM modules only where a baseboard is priced
    own_board = prices.board(n)
    if board is None:
        return None
    new_board = own_board is None or board.id != own_board.id
    tries = []
    for gpu, usd, part in prices.gpus.values():
        if gpu.id == rig.gpus[0].hardware_id or gpu.backend != rig.gpus[0].backend:
            continue  # cards of two vendors in one machine need two backends (or Vulkan for both): not advised
        total = usd + (prices.board_usd[board.id] if new_board else 0.0)
        parts = (part, *((platform_part(board),) if new_board else ()))
        bigger = rig.model_copy(update={"gpus": (*rig.gpus, gpu_device(gpu))})
        c = _placeholder(bigger.describe(), total, PriceBasis(parts=parts))
        tries.append(
            (
                total,
                Upgrade(kind=UpgradeKind.ADD_OTHER_CARD, candidate=c, device=gpu.name, device_id=gpu.id, count=1),
                bigger,
            )
        )
    return _first_upgrade(tries, goal)


def _better_card(gpu: Gpu, have: GpuDevice) -> bool:
    """A swap buys more memory or more bandwidth per card, and gives up none of the card's prompt speed (the peak of
    the matrix kernels llama.cpp runs on it, engine/kernels.py): an RTX 4090 owner is not told to swap it for an
    MI50 32GB, whose 8 GB and 2% more bandwidth come with a fraction of its prompt rate."""
    more = gpu.memory_gib * GIB > have.memory_bytes or gpu.bandwidth_gb_s > (have.bandwidth_gb_s or 0)
    new, old = gpu_device(gpu).matrix, have.matrix
    return more and (new is None or old is None or new.tops >= old.tops)


def _swap_cards(rig: Rig, goal: _Goal, prices: _Prices) -> Upgrade | None:
    """The rig's cards replaced by as many of another priced card (the old ones' resale value not counted)."""
    n = len(rig.gpus)
    tries = []
    have = rig.gpus[0]
    for gpu, usd, part in prices.gpus.values():
        if gpu.id == have.hardware_id or not _better_card(gpu, have):
            continue
        swapped = rig.model_copy(update={"gpus": (gpu_device(gpu),) * n})
        c = _placeholder(swapped.describe(), usd * n, PriceBasis(parts=(part,) * n))
        tries.append(
            (
                usd * n,
                Upgrade(kind=UpgradeKind.SWAP_CARDS, candidate=c, device=gpu.name, device_id=gpu.id, count=n),
                swapped,
            )
        )
    return _first_upgrade(tries, goal)


def _candidate(label: str, usd: float, basis: PriceBasis, pick: Pick) -> Candidate:
    option = pick.option
    assert option.decode_tps is not None
    return Candidate(
        kv_type=pick.kv_type,
        context=pick.context,
        trade=pick.trade,
        yarn=pick.yarn,
        label=label,
        price_usd=usd,
        price_basis=basis,
        quant=option.quant,
        bits_per_weight=option.bits_per_weight,
        verdict=option.verdict,
        placement=option.placement.kind,
        decode_low=option.decode_tps.low,
        decode_high=option.decode_tps.high,
        decode_typical=option.decode_tps.centre,
        max_context=option.max_context,
        tier=option.tier,
        quality=quality_key(option),
    )


def _fastest_good(options: tuple[QuantOption, ...], min_decode_tps: float) -> QuantOption | None:
    """The highest-quality quant that runs at the target speed."""
    ok = [o for o in options if o.verdict != "does-not-fit" and _mid(o) >= min_decode_tps]
    return max(ok, key=quality_key) if ok else None


# ------------------------------------------------------------------------------------------------ what fits
#
# Ranking by usefulness: each model's quality is estimated as a capability-equivalent size, then what runs on the
# rig is scored by that quality, the speed it runs at and the quant it runs at.
#
# Capability density (capability per parameter) of open LLMs doubled about every 3.5 months from February 2023 to
# April 2025 ("Densing law of LLMs", Xiao et al., Nature Machine Intelligence, 6 November 2025,
# https://www.nature.com/articles/s42256-025-01137-0). A model's quality is therefore taken as log2 of its effective
# size plus its age in density doublings: a model released 3.5 months later of the same size scores one more.
DENSITY_DOUBLING_MONTHS = 3.5
DENSITY_EPOCH = dt.date(2023, 2, 1)  # where the paper's trend starts: only differences between models matter
DAYS_PER_MONTH = 365.25 / 12
# A sparse MoE model of T total and A active parameters is compared with dense models at sqrt(T x A), the
# convention of the size-vs-Artificial-Analysis-Intelligence-Index plots people post (r/LocalLLaMA, March 2026:
# "Mixture-of-Experts models ... are converted to an effective size using sqrt(total*active)").
# Policy, not a fact: speed counts as size does, one doubling of decode speed above the target worth one doubling
# of effective parameters, up to FAST_FACTOR x the target (past that it no longer changes how a model is used).
FAST_FACTOR = 4.0
# What a quant costs, in doublings of effective size, by bits per weight: Unsloth's MMLU 5-shot for Gemma 3 27B per
# quant (catalog/data/models/gemma.yaml; BF16 71.5, Q4_K_M 71.23, UD-Q3_K_XL 70.87, UD-Q2_K_XL 68.70, IQ2_M 66.47,
# IQ2_XXS 59.20; bits from the files' sizes over 27.01B parameters) over the same table's size slope, Gemma 3 12B
# (67.15) to 27B (71.5): 3.63 points per doubling. Between points, linear; above the last, free.
QUANT_COST_DOUBLINGS: tuple[tuple[float, float], ...] = (
    (2.17, (71.5 - 59.20) / 3.63),  # IQ2_XXS 7.31 GB
    (2.65, (71.5 - 66.47) / 3.63),  # IQ2_M 8.96 GB
    (2.95, (71.5 - 68.70) / 3.63),  # UD-Q2_K_XL 9.95 GB
    (3.78, (71.5 - 70.87) / 3.63),  # UD-Q3_K_XL 12.76 GB
    (4.56, (71.5 - 71.23) / 3.63),  # Q4_K_M 15.41 GB
    (8.5, 0.0),  # Q8_0 scores the same as BF16 (71.6)
)


def quant_cost(bits_per_weight: float) -> float:
    """Doublings of effective size a quant of this many bits per weight gives up (QUANT_COST_DOUBLINGS)."""
    points = QUANT_COST_DOUBLINGS
    if bits_per_weight <= points[0][0]:
        return points[0][1]
    for (b0, c0), (b1, c1) in itertools.pairwise(points):
        if bits_per_weight <= b1:
            return c0 + (c1 - c0) * (bits_per_weight - b0) / (b1 - b0)
    return 0.0


LONG_CONTEXT_TOKENS = 65_536  # a "long context" pick holds at least this much on the rig (a 64k repository/chat)
_CODER = re.compile(r"cod(e|er|ing)\b|coder", re.IGNORECASE)
CODING_CONTEXT = DEFAULT_CONTEXT  # /whatfits sizes a coding model at a coding session's context (an agent's prompt)
_GENERATION = re.compile(r"^[a-z]+[\d.]*")


class Use(StrEnum):
    """What a /whatfits pick is for (bot/wording.py says each in words)."""

    BEST = "best"  # the best quality at the target speed or faster
    FAST = "fast"  # the best that runs at FAST_FACTOR x the target: agents, long answers, several users
    CODING = "coding"  # the best coding model (a coder by name)
    LONG_CONTEXT = "long-context"  # the best that holds LONG_CONTEXT_TOKENS on this rig
    MORE = "more"  # the rest, by the same score
    SUPERSEDED = "superseded"  # a later model of the same family runs better here: listed last


class QualityBasis(StrEnum):
    """What a model's quality score rests on (bot/wording.py says each)."""

    PUBLISHED = "published"  # a published evaluation (PUBLISHED_BENCHMARK), put on the estimate's scale
    ESTIMATE = "estimate"  # size, sparsity and release date (the fallback: no published score for the model)


class Quality(Frozen):
    """A model's quality: capability-equivalent size at a common date (log2 of billions of parameters), from a
    published score where the model has one, else estimated."""

    score: float
    effective_params_b: float  # sqrt(total x active) for MoE, the total for dense models
    release_date: dt.date | None
    release_date_estimated: bool  # the catalog has no date: the earliest of its generation (same id prefix)
    basis: QualityBasis = QualityBasis.ESTIMATE
    published: QualityScore | None = None  # PUBLISHED: the score ranked by, with its source and date
    estimate: float | None = None  # PUBLISHED: the estimate the published score replaced


# Published scores rank models where they have one: the LMArena text leaderboard (one snapshot, one scale for every
# model it lists; catalog/data/quality/lmarena.yaml). They are put on the estimate's scale by a straight line fitted
# over the models that have both (least squares, MIN_SCORED_MODELS or more; 46 models on the 2025-11-25 snapshot:
# 0.0345 doublings per point, Pearson r 0.95 between the two), so a model with a score and one without compare.
PUBLISHED_BENCHMARK = "LMArena text score"
MIN_SCORED_MODELS = 10


@dataclass(frozen=True)
class ScoreScale:
    """The estimate-scale score of a published score: `intercept + slope x score`."""

    intercept: float
    slope: float
    models: int  # how many models the line was fitted on


def _published(model: Model) -> QualityScore | None:
    return next((q for q in model.quality if q.benchmark == PUBLISHED_BENCHMARK and q.quant is None), None)


def score_scale(catalog_models: dict[str, Model]) -> ScoreScale | None:
    """The line from published score to estimate over the models that have both (None: too few to fit)."""
    pairs = [
        (p.score, _estimate(m, catalog_models).score)
        for m in catalog_models.values()
        if (p := _published(m)) is not None
    ]
    if len(pairs) < MIN_SCORED_MODELS:
        return None
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    spread = sum((x - mean_x) ** 2 for x, _ in pairs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread
    return ScoreScale(intercept=mean_y - slope * mean_x, slope=slope, models=len(pairs))


class ModelFit(Frozen):
    model_id: str
    name: str
    total_params_b: float
    active_params_b: float | None
    quant: str
    bits_per_weight: float
    tier: Tier
    verdict: Verdict
    decode_low: float
    decode_high: float
    decode_typical: float
    max_context: int
    quality: Quality
    score: float  # quality + speed - quant cost: what the list is ordered by
    use: Use = Use.MORE
    superseded_by: str | None = None  # SUPERSEDED: the later model
    kv_type: memory.KvType = "f16"  # /fit's pick runs the quant with this KV cache type ...
    context: int = 0  # ... at this context (/whatfits' own)
    trade: Trade = Trade.NONE  # what the pick gave up to keep its bits (fit.Trade)
    yarn: bool = False  # ... with the YaRN rope scaling the model's card documents (fit.Pick.yarn)


def model_quality(model: Model, catalog_models: dict[str, Model], scale: ScoreScale | None = None) -> Quality:
    """The model's published score on the estimate's scale where it has one and a `scale` is given (`score_scale`),
    else the estimate."""
    estimate = _estimate(model, catalog_models)
    published = _published(model) if scale is not None else None
    if scale is None or published is None:
        return estimate
    return estimate.model_copy(
        update={
            "score": scale.intercept + scale.slope * published.score,
            "basis": QualityBasis.PUBLISHED,
            "published": published,
            "estimate": estimate.score,
        }
    )


def _estimate(model: Model, catalog_models: dict[str, Model]) -> Quality:
    effective = model.total_params_b
    if model.active_params_b is not None and model.active_params_b < model.total_params_b:
        effective = math.sqrt(model.total_params_b * model.active_params_b)
    released, estimated = model.release_date, False
    if released is None:
        released, estimated = _generation_date(model, catalog_models), True
    age = (released - DENSITY_EPOCH).days / DAYS_PER_MONTH / DENSITY_DOUBLING_MONTHS if released else 0.0
    return Quality(
        score=math.log2(effective) + age,
        effective_params_b=effective,
        release_date=released,
        release_date_estimated=estimated and released is not None,
    )


def _generation_date(model: Model, catalog_models: dict[str, Model]) -> dt.date | None:
    """The earliest release date among catalog models of the same generation (`qwen3.6-35b-a3b` -> `qwen3.6-*`)."""
    prefix = _GENERATION.match(model.id)
    if prefix is None:
        return None
    dates = [
        m.release_date
        for m in catalog_models.values()
        if m.release_date and (g := _GENERATION.match(m.id)) and g.group(0) == prefix.group(0)
    ]
    return min(dates, default=None)


def _score(quality: Quality, option: QuantOption, min_decode_tps: float) -> float:
    speed = min(_mid(option), FAST_FACTOR * min_decode_tps) / min_decode_tps
    return quality.score + math.log2(max(speed, 1.0)) - quant_cost(option.bits_per_weight)


def _usable(option: QuantOption | None, min_decode_tps: float) -> bool:
    """Runs at the target speed, at a quant worth running (2 bits and up: UD-IQ2_XXS is the least people use)."""
    return (
        option is not None
        and option.verdict != "does-not-fit"
        and option.decode_tps is not None
        and _mid(option) >= min_decode_tps
        and nominal_bits(option.quant, option.bits_per_weight) >= MIN_NOMINAL_BITS
    )


def _model_fit(m: Model, pick: Pick, quality: Quality, min_decode_tps: float) -> ModelFit:
    option = pick.option
    assert option.decode_tps is not None
    return ModelFit(
        kv_type=pick.kv_type,
        context=pick.context,
        yarn=pick.yarn,
        model_id=m.id,
        name=m.name,
        total_params_b=m.total_params_b,
        active_params_b=m.active_params_b,
        quant=option.quant,
        bits_per_weight=option.bits_per_weight,
        tier=option.tier,
        verdict=option.verdict,
        decode_low=option.decode_tps.low,
        decode_high=option.decode_tps.high,
        decode_typical=option.decode_tps.centre,
        max_context=option.max_context,
        quality=quality,
        score=_score(quality, option, min_decode_tps),
    )


def _mlx_room(m: Model, rig: Rig) -> bool:
    """A Mac whose memory, less the OS's share, holds one of the model's published MLX files: where /fit may name
    MLX's tight fit (fit.ReadingReport.mlx_tight), so /whatfits asks /fit (gpt-oss-20b on a 16 GB Mac)."""
    u = mlx_mac(rig)
    return u is not None and any(q.format == "mlx" and q.file_bytes < os_free_bytes(u) for q in m.quants)


def whatfits_context(m: Model, context: int) -> int:
    """The context /whatfits sizes a model at: `context` (a chat's), a coding model at least a coding session's
    (CODING_CONTEXT, /fit's default), up to the model's limit (past its native length with the YaRN its card
    documents). An M5 32GB had been offered Qwen3-Coder-30B at Q5_K_M 'up to 11k context' for coding, where /fit runs
    Q4_K_M at 32k (43k at most)."""
    asked = max(context, CODING_CONTEXT) if _CODER.search(m.name) else context
    return min(asked, m.context_limit_tokens)


def what_fits(
    reading: Reading, catalog: Catalog, *, min_decode_tps: float = 5.0, context: int = 8192, limit: int = 15
) -> list[ModelFit]:
    """The catalog models an expert would run on this hardware, best first: for each model /fit's pick among the
    quants that reach the target speed (/fit's own where it does), scored by quality, speed and
    quant (`_score`); then the picks per use (best, fast, coding, long context) lead, the rest follow by score, and
    models a later one of the same family beats here come last. Quality is the published score where a model has
    one (`model_quality`)."""
    scale = score_scale(catalog.models)
    found = []
    for m in catalog.models.values():
        ctx = whatfits_context(m, context)
        # /fit's pick at this context (its quant, KV cache type and context) among what reaches the target speed
        accept = functools.partial(_usable, min_decode_tps=min_decode_tps)
        pick = pick_on_rig(m, reading.rig, ctx, FitOptions(context=ctx), may_shorten=False, accept=accept).pick
        if pick is None and _mlx_room(m, reading.rig):  # a Mac: the MLX build /fit names where llama.cpp fits none
            tight = fit_reading(m, reading, ctx, FitOptions(context=ctx)).mlx_tight
            pick = tight if tight is not None and accept(tight.option) else None
        if pick is not None:
            found.append(_model_fit(m, pick, model_quality(m, catalog.models, scale), min_decode_tps))
    return _ordered(_mark_superseded(found, catalog.models), min_decode_tps)[:limit]


# /whatfits' 'fast' pick decodes at least this many times the 'best' pick's typical speed: less than half again
# as fast is no faster in use for agents and long answers (a judgement, as FAST_FACTOR and FASTER_FACTOR).
FAST_OVER_BEST = 1.5


def fast_floor(picks: list[ModelFit], min_decode_tps: float) -> float:
    """The typical decode a /whatfits 'fast' pick must reach: FAST_FACTOR x the target, and FAST_OVER_BEST x the
    'best' pick's where there is one. The review's 2x RTX 3090 + 128 GB had 'fast' Qwen3.8-27B Q8_0 at 21-29 tok/s
    beside 'best' Qwen3.8-Flash-Next at 11-29; a DGX Spark 'fast' DeepSeek-V4-Flash at 20-29 no faster than 'best'."""
    best = next((p for p in picks if p.use is Use.BEST), None)
    floor = FAST_FACTOR * min_decode_tps
    return max(floor, FAST_OVER_BEST * best.decode_typical) if best is not None else floor


def _mark_superseded(found: list[ModelFit], models: dict[str, Model]) -> list[ModelFit]:
    """A model is superseded here when a later model of the same family scores higher on this rig and runs at
    least as fast: a faster one keeps its use (Gemma 4 26B-A4B decodes three times as fast as the later dense 12B
    on a 3090). A coding model is superseded only by a later coding model (Qwen3-Coder-Next, not Qwen3.6-35B-A3B),
    and a general one only by a general one."""
    out = []
    for f in found:
        family, date = models[f.model_id].family, f.quality.release_date
        later = [
            g
            for g in found
            if models[g.model_id].family == family
            and date is not None
            and g.quality.release_date is not None
            and g.quality.release_date > date
            and g.score > f.score
            and g.decode_typical >= f.decode_typical
            and bool(_CODER.search(g.name)) == bool(_CODER.search(f.name))
            and (g.tier is not Tier.DEGRADED or f.tier is Tier.DEGRADED)  # a 2-bit file supersedes no 3-bit-or-up one
        ]
        if later:
            best = max(later, key=lambda g: g.score)
            f = f.model_copy(update={"use": Use.SUPERSEDED, "superseded_by": best.name})
        out.append(f)
    return out


def _ordered(found: list[ModelFit], min_decode_tps: float) -> list[ModelFit]:
    current = sorted((f for f in found if f.use is not Use.SUPERSEDED), key=lambda f: -f.score)
    picks: list[ModelFit] = []

    def quick(f: ModelFit) -> bool:
        return f.decode_typical >= fast_floor(picks, min_decode_tps)

    for use, wanted in (  # each use's pick at 3 bits or more, before one below (the order /fit's pick takes tiers in)
        (Use.BEST, lambda f: f.tier is not Tier.DEGRADED),
        (Use.BEST, lambda f: True),
        (Use.FAST, lambda f: quick(f) and f.tier is not Tier.DEGRADED),
        (Use.FAST, quick),
        (Use.CODING, lambda f: bool(_CODER.search(f.name)) and f.tier is not Tier.DEGRADED),
        (Use.CODING, lambda f: bool(_CODER.search(f.name))),
        (Use.LONG_CONTEXT, lambda f: f.max_context >= LONG_CONTEXT_TOKENS and f.tier is not Tier.DEGRADED),
        (Use.LONG_CONTEXT, lambda f: f.max_context >= LONG_CONTEXT_TOKENS),
    ):
        taken = {p.model_id for p in picks}
        if any(p.use is use for p in picks):
            continue  # the use has its pick (coding: a coder at 3 bits or more, before one below)
        pick = next((f for f in current if wanted(f) and f.model_id not in taken), None)
        if pick is not None:
            picks.append(pick.model_copy(update={"use": use}))
    taken = {p.model_id for p in picks}
    rest = [f for f in current if f.model_id not in taken]
    superseded = sorted((f for f in found if f.use is Use.SUPERSEDED), key=lambda f: -f.score)
    return picks + rest + superseded
