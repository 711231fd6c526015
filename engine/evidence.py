"""Measured runs next to the estimate: for each option of a fit, the nearest published runs and member reports,
and whether the runs closest to it agree with the estimate.

Pure: the runs come in as arguments, already resolved to catalog ids (published runs by engine/parse/runs.py from
the catalog's measured-run data, member reports by the bot from its store). Nearness, in order: the same model (else
the same family at a similar size), the same devices (else the same class: one GPU, several, unified memory,
offload, CPU only), the same quant (else a neighbouring one, within NEIGHBOUR_BITS bits per weight), a similar
context. The words live in bot/wording.py.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from catalog.types import Model
from engine import memory, quants, speed
from engine.fit import FitReport, QuantOption, ReadingReport
from engine.placement import Placement, PlacementKind
from engine.rig import Frozen, Rig

EvidenceKind = Literal["published", "member"]
Phase = Literal["decode", "prefill"]
DeviceClass = Literal["gpu", "multi-gpu", "unified", "offload", "cpu"]

# A model of the same family counts as "similar" when its total and active parameters are within this factor:
# Llama-3-8B and Llama-3.1-8B share a run's speed, Qwen3-30B-A3B and Qwen3-235B-A22B do not.
SIMILAR_PARAMS_FACTOR = 1.25
# Quants whose effective bits per weight differ by at most this much are neighbours (Q4_K_M 4.89 and IQ4_XS 4.25,
# UD-IQ2_XXS and IQ2_M); further apart, a run reads too different a number of bytes per token to cite.
NEIGHBOUR_BITS = 1.0
# Offload runs count as on the same rig only when their system RAM's bandwidth is within this factor (offload decode
# is bound by it).
SIMILAR_RAM_FACTOR = 1.5
# Context orders runs of equal nearness (a run at the context the estimate is for comes first); it excludes none,
# since each run is judged against the estimate for its own depth.
CONTEXT_FLOOR_TOKENS = 512  # so that depth 0 and depth 512 are near, and 0 and 32k are far
CITED_MAX = 4  # runs cited per option, published and member together


class MeasuredPoint(Frozen):
    """One measured run resolved to catalog terms: a published row or an accepted row of a member's report."""

    kind: EvidenceKind
    phase: Phase
    tokens_per_s: Annotated[float, Field(gt=0)]
    depth_tokens: Annotated[int, Field(ge=0)] = 0  # context already cached when timed
    n_tokens: Annotated[int, Field(gt=0)] = 128  # tokens timed: the prompt (prefill) or generated tokens (decode)
    model_id: str
    family: str
    total_params_b: Annotated[float, Field(gt=0)]
    active_params_b: Annotated[float, Field(gt=0)] | None = None
    quant: str  # canonical name (engine.quants), as published where it has none
    bits_per_weight: float | None = None
    device_ids: tuple[str, ...] = ()  # catalog ids of the accelerators (GPUs, a unified machine), sorted
    gpu_count: int = 0
    device_class: DeviceClass
    ram_gb_s: Annotated[float, Field(gt=0)] | None = None  # offload runs: the system RAM's bandwidth, where stated
    # the accelerator's memory bandwidth (a GPU's or a unified machine's), to prefer runs on a similar device
    accelerator_gb_s: Annotated[float, Field(gt=0)] | None = None
    accelerator_backend: str | None = None  # cuda, rocm, metal, vulkan ...: runs on the same backend come first
    hardware: str  # as published, or as the member stated it
    source: str | None = None  # published runs: where the figure was read
    reported_at: str | None = None  # member reports: ISO 8601 date
    report_id: int | None = None  # member reports: the report's id (for /report hide)

    @property
    def context_tokens(self) -> int:
        """The context the run's timed tokens saw on average (decode reads a cache growing over n_tokens)."""
        return self.depth_tokens + (self.n_tokens // 2 if self.phase == "decode" else 0)


class Cited(Frozen):
    """A run cited for an option, with how near it is (0 is the same; larger is further)."""

    point: MeasuredPoint
    model_rank: int  # 0 same model, 1 same family at a similar size
    device_rank: int  # 0 same devices and class, 1 a shared device in the same class, 2 the same class
    device_distance: float = 0.0  # |ln| of the accelerators' bandwidth ratio (0 when either is unknown)
    quant_rank: int  # 0 same quant, 1 a neighbour
    context_distance: float  # |ln| of the ratio of contexts

    @property
    def key(self) -> tuple[int, int, int, float, float, int]:
        """Nearest first: the model, the devices, the quant, then a device of similar bandwidth, then context."""
        return (
            self.model_rank,
            self.device_rank,
            self.quant_rank,
            self.device_distance,
            self.context_distance,
            self.point.phase != "decode",
        )


class Agreement(StrEnum):
    """How the closest runs compare with the estimate made for them (their own depth and prompt)."""

    WITHIN = "within"  # the median measured speed lies in the estimated range
    FASTER = "measured-faster"  # above the range's high end
    SLOWER = "measured-slower"  # below the range's low end


class Judgement(Frozen):
    phase: Phase
    agreement: Agreement
    measured_tps: float  # median of the runs judged by
    estimate_low_tps: float  # the estimate for those runs (median of their low and high ends)
    estimate_high_tps: float
    runs: int
    kinds: tuple[EvidenceKind, ...]  # which kinds of run were judged by


class OptionEvidence(Frozen):
    cited: tuple[Cited, ...] = ()  # nearest first
    judgements: tuple[Judgement, ...] = ()

    @property
    def disagreements(self) -> tuple[Judgement, ...]:
        return tuple(j for j in self.judgements if j.agreement is not Agreement.WITHIN)


class ReadingEvidence(Frozen):
    options: dict[str, OptionEvidence]  # by quant name

    def option(self, quant: str | None) -> OptionEvidence:
        return self.options.get(quant or "", OptionEvidence())


class ReportEvidence(Frozen):
    readings: tuple[ReadingEvidence, ...]


class EvidenceIndex:
    """Measured points grouped by model family, built once (the published runs) or per answer (member reports)."""

    def __init__(self, points: Iterable[MeasuredPoint]) -> None:
        by_family: dict[str, list[MeasuredPoint]] = defaultdict(list)
        for p in points:
            by_family[p.family.lower()].append(p)
        self._by_family = {k: tuple(v) for k, v in by_family.items()}

    def for_model(self, model: Model) -> tuple[MeasuredPoint, ...]:
        """The points of the model itself and of same-family models of a similar size."""
        return tuple(p for p in self._by_family.get(model.family.lower(), ()) if model_rank(p, model) is not None)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_family.values())


# ------------------------------------------------------------------------------------------------ nearness


def _similar(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return max(a, b) / min(a, b) <= SIMILAR_PARAMS_FACTOR


def model_rank(p: MeasuredPoint, model: Model) -> int | None:
    if p.model_id == model.id:
        return 0
    if p.family.lower() != model.family.lower():
        return None
    same_size = _similar(p.total_params_b, model.total_params_b) and _similar(p.active_params_b, model.active_params_b)
    return 1 if same_size else None


_CLASS_OF_PLACEMENT: dict[PlacementKind, DeviceClass] = {
    "gpu": "gpu",
    "multi-gpu": "multi-gpu",
    "unified": "unified",
    "unified-partial": "unified",
    "expert-offload": "offload",
    "partial-offload": "offload",
    "cpu": "cpu",
}


def device_class(placement: Placement) -> DeviceClass | None:
    """The class of rig a placement runs on (None: it runs nowhere, or from disk)."""
    return _CLASS_OF_PLACEMENT.get(placement.kind)


def device_ids(rig: Rig) -> tuple[str, ...]:
    """The catalog ids of a rig's accelerators, sorted, one per kind of device."""
    ids = {g.hardware_id for g in rig.gpus if g.hardware_id}
    if rig.unified is not None and rig.unified.hardware_id:
        ids.add(rig.unified.hardware_id)
    return tuple(sorted(ids))


OTHER_BACKEND_DISTANCE = 1.0  # another backend counts as far as a device with e (2.7) times the bandwidth


def accelerator_bandwidth(rig: Rig) -> float | None:
    """The memory bandwidth of the rig's accelerator: its first GPU, else its unified machine; None on a CPU box."""
    if rig.gpus:
        return rig.gpus[0].bandwidth_gb_s
    return rig.unified.bandwidth_gb_s if rig.unified is not None else None


def accelerator_backend(rig: Rig) -> str | None:
    if rig.gpus:
        return rig.gpus[0].backend
    return rig.unified.backend if rig.unified is not None else None


def device_distance(p: MeasuredPoint, rig: Rig) -> float:
    """How unlike the run's accelerator is the rig's: |ln| of their bandwidth ratio, plus OTHER_BACKEND_DISTANCE
    on another backend (0 for what is unknown)."""
    here, backend = accelerator_bandwidth(rig), accelerator_backend(rig)
    ratio = abs(math.log(p.accelerator_gb_s / here)) if p.accelerator_gb_s and here else 0.0
    other = p.accelerator_backend is not None and backend is not None and p.accelerator_backend != backend
    return ratio + (OTHER_BACKEND_DISTANCE if other else 0.0)


def _same_ram(p: MeasuredPoint, rig: Rig) -> bool:
    ram = rig.ram.bandwidth_gb_s if rig.ram is not None else None
    if p.ram_gb_s is None or ram is None:
        return False
    return max(p.ram_gb_s, ram) / min(p.ram_gb_s, ram) <= SIMILAR_RAM_FACTOR


def device_rank(p: MeasuredPoint, rig: Rig, cls: DeviceClass) -> int | None:
    """0: the same devices (offload: and system RAM of a similar bandwidth); 1: a device in common; 2: the same
    class of rig; None: another class."""
    if p.device_class != cls:
        return None
    ids = device_ids(rig)
    same = bool(ids) and p.device_ids == ids and p.gpu_count == len(rig.gpus)
    if same and (cls != "offload" or _same_ram(p, rig)):
        return 0
    if set(ids) & set(p.device_ids):
        return 1
    return 2


def quant_bits(name: str) -> float | None:
    q = quants.lookup(name)
    return q.bits_per_weight if q is not None else None


def quant_rank(p: MeasuredPoint, quant: str, bits: float | None) -> int | None:
    if quants.canonical(p.quant) == quants.canonical(quant):
        return 0
    if p.bits_per_weight is None or bits is None:
        return None
    return 1 if abs(p.bits_per_weight - bits) <= NEIGHBOUR_BITS else None


def context_distance(p: MeasuredPoint, context: int) -> float:
    """How far the run's context is from the estimate's: decode is estimated at half the context (the average depth
    of a session, engine/speed.py), prefill for a prompt into an empty cache."""
    target = context // 2 if p.phase == "decode" else 0
    return abs(math.log((p.context_tokens + CONTEXT_FLOOR_TOKENS) / (target + CONTEXT_FLOOR_TOKENS)))


def cite(p: MeasuredPoint, model: Model, option: QuantOption, rig: Rig, context: int) -> Cited | None:
    """How near `p` is to the option, or None when it is too far to cite."""
    cls = device_class(option.placement)
    if cls is None or (m := model_rank(p, model)) is None:  # the cheapest test first: most runs are of other models
        return None
    if (d := device_rank(p, rig, cls)) is None or (q := quant_rank(p, option.quant, option.bits_per_weight)) is None:
        return None
    distance = round(context_distance(p, context), 3)
    near = round(device_distance(p, rig), 2)
    return Cited(point=p, model_rank=m, device_rank=d, quant_rank=q, device_distance=near, context_distance=distance)


def nearest(
    points: Sequence[MeasuredPoint], model: Model, option: QuantOption, rig: Rig, context: int
) -> tuple[Cited, ...]:
    """Every citable point for the option, nearest first."""
    cited = (cite(p, model, option, rig, context) for p in points)
    return tuple(sorted((c for c in cited if c is not None), key=lambda c: c.key))


# ------------------------------------------------------------------------------------------- judgement


def _estimate_for(p: MeasuredPoint, model: Model, option: QuantOption, kv: memory.KvProfile) -> speed.Range | None:
    """The engine's range for the run itself: decode at the run's own depth, prefill for its prompt."""
    if p.phase == "decode":
        decode, _ = speed.decode_range(model, option.placement, kv.one_sequence_bytes(p.context_tokens))
        return decode
    prefill, _ = speed.prefill_range(model, option.placement, p.n_tokens)
    return prefill


def judge(cited: Sequence[Cited], model: Model, option: QuantOption, kv: memory.KvProfile) -> tuple[Judgement, ...]:
    """Per phase, the runs of this model (or a same-size sibling) on these devices at this quant against the
    estimate made for each of them at its own depth and prompt; none when there are no such runs (the card then
    only cites)."""
    judged: list[Judgement] = []
    for phase in ("decode", "prefill"):
        close = [
            c for c in cited if c.point.phase == phase and c.model_rank <= 1 and (c.device_rank, c.quant_rank) == (0, 0)
        ]
        pairs = [(c.point, _estimate_for(c.point, model, option, kv)) for c in close]
        ranged = [(p, r) for p, r in pairs if r is not None]
        if not ranged:
            continue
        measured = statistics.median(p.tokens_per_s for p, _ in ranged)
        low = statistics.median(r.low for _, r in ranged)
        high = statistics.median(r.high for _, r in ranged)
        agreement = Agreement.FASTER if measured > high else Agreement.SLOWER if measured < low else Agreement.WITHIN
        kinds = tuple(sorted({p.kind for p, _ in ranged}))
        judged.append(
            Judgement(
                phase=phase,
                agreement=agreement,
                measured_tps=measured,
                estimate_low_tps=low,
                estimate_high_tps=high,
                runs=len(ranged),
                kinds=kinds,
            )
        )
    return tuple(judged)


def option_evidence(
    points: Sequence[MeasuredPoint], model: Model, option: QuantOption, rig: Rig, context: int, kv: memory.KvProfile
) -> OptionEvidence:
    if option.verdict == "does-not-fit":
        return OptionEvidence()
    cited = nearest(points, model, option, rig, context)
    return OptionEvidence(cited=_shown(cited), judgements=judge(cited, model, option, kv))


def _shown(cited: tuple[Cited, ...]) -> tuple[Cited, ...]:
    """Up to CITED_MAX runs: the nearest published ones and the nearest member reports, each kind kept in view."""
    published = [c for c in cited if c.point.kind == "published"][: CITED_MAX // 2]
    # members' decode runs first, as the card sums them up (wording.members_measured): two members' pp512 + tg128
    # pastes beside published runs must still read "2 members measured ... tok/s" (the prompt runs sit nearer a
    # short context than the decode runs and would otherwise take both places)
    members = sorted((c for c in cited if c.point.kind == "member"), key=lambda c: (c.point.phase != "decode", c.key))
    members = members[: CITED_MAX // 2]
    rest = [c for c in cited if c not in published and c not in members]
    chosen = published + members + rest[: max(0, CITED_MAX - len(published) - len(members))]
    return tuple(sorted(chosen, key=lambda c: c.key))


def reading_evidence(
    points: Sequence[MeasuredPoint], report: FitReport, reading: ReadingReport, kv: memory.KvProfile
) -> ReadingEvidence:
    """Each option's runs, the pick's as it runs: where it traded context (or its KV type) the card shows it at its
    own context and placement, and runs are cited for that (2x RTX 3090 with Llama 3.3 70B Q4_K_M: split across
    the cards at 16k, not the partial offload the asked 32k would take)."""
    options = {
        o.quant: option_evidence(points, report.model, o, reading.rig, report.context, kv) for o in reading.options
    }
    if (pick := reading.pick) is not None:
        pick_kv = memory.kv_profile(report.model, pick.kv_type)
        options[pick.quant] = option_evidence(points, report.model, pick.option, reading.rig, pick.context, pick_kv)
    return ReadingEvidence(options=options)


def report_evidence(report: FitReport, *indexes: EvidenceIndex) -> ReportEvidence:
    """Every option of every reading with its nearest runs (from each index: published runs, member reports)."""
    points = tuple(p for index in indexes for p in index.for_model(report.model))
    kv_type: memory.KvType = report.kv_type  # type: ignore[assignment]
    kv = memory.kv_profile(report.model, kv_type)
    return ReportEvidence(readings=tuple(reading_evidence(points, report, r, kv) for r in report.readings))
