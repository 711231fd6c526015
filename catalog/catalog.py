"""The Catalog type: every fact, indexed by id and by name, and built from validated files (no file I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.hardware_names import WordIndex, words
from catalog.lookup import NameIndex, Resolution
from catalog.types import (
    ApiPrice,
    CatalogFiles,
    Cpu,
    CpuSku,
    Gpu,
    Hardware,
    Model,
    ModelScore,
    PlatformPrice,
    QualityScore,
    QuantTypeQuality,
    RentalPrice,
    Retired,
    Speculative,
    UnifiedName,
)


class CatalogError(ValueError):
    """The catalog's data is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Ended:
    """An offering marked `retired` (an API price, a rental, a hardware price): what it was, and the retirement."""

    what: str
    retired: Retired


@dataclass(frozen=True)
class Catalog:
    models: dict[str, Model]
    hardware: dict[str, Hardware]
    api_prices: tuple[ApiPrice, ...] = ()
    rental_prices: tuple[RentalPrice, ...] = ()
    cpus: dict[str, Cpu] = field(default_factory=dict)
    unified_names: tuple[UnifiedName, ...] = ()
    quant_quality: tuple[QuantTypeQuality, ...] = ()  # what each quant type costs, on a reference model
    platform_prices: tuple[PlatformPrice, ...] = ()  # boards, CPUs, power supplies a GPU machine is built on
    # offerings marked retired: `build` takes them out of api_prices, rental_prices and hardware prices, so no
    # answer quotes them; `rigfit catalog check` lists them
    ended: tuple[Ended, ...] = ()
    model_names: NameIndex = field(init=False, repr=False, compare=False)
    derivative_names: NameIndex = field(init=False, repr=False, compare=False)  # Model.derivatives, by base id
    hardware_names: NameIndex = field(init=False, repr=False, compare=False)
    hardware_words: WordIndex = field(init=False, repr=False, compare=False)
    cpu_words: WordIndex = field(init=False, repr=False, compare=False)
    product_words: WordIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model_names", NameIndex({m.id: (m.name, *m.aliases) for m in self.models.values()}))
        derived = {m.id: tuple(d.name for d in m.derivatives) for m in self.models.values() if m.derivatives}
        object.__setattr__(self, "derivative_names", NameIndex(derived))
        names = {h.id: (h.name, *h.aliases) for h in self.hardware.values()}
        for u in self.unified_names:  # product names of a unified machine ("Framework Desktop", "ASUS Ascent GX10")
            if u.maps_to in names:
                names[u.maps_to] += (u.name, *u.aliases)
        object.__setattr__(self, "hardware_names", NameIndex(names))
        hand = {h.id: not isinstance(h, Gpu) or h.origin == "catalog" for h in self.hardware.values()}
        release = {h.id: h.release_date for h in self.hardware.values()}
        object.__setattr__(self, "hardware_words", WordIndex(names, hand, release))
        cpu_names = {c.id: (c.name, *c.aliases) for c in self.cpus.values()}
        object.__setattr__(self, "cpu_words", WordIndex(cpu_names, {}, {}))
        products = {str(i): (u.name, *u.aliases) for i, u in enumerate(self.unified_names) if u.configs}
        object.__setattr__(self, "product_words", WordIndex(products, {}, {}))

    def find_model(self, name: str) -> Resolution:
        return self.model_names.resolve(name)

    def find_hardware(self, name: str) -> Resolution:
        """A device by name: an exact name or alias, else the same words in any order (`laptop 4070`), else the
        start of a name, else the nearest names as suggestions."""
        exact = self.hardware_names.exact(name)
        if exact is not None:
            return Resolution(name, id=exact)
        by_words = self.hardware_words.match(name)
        if len(by_words) == 1:
            return Resolution(name, id=by_words[0])
        if by_words:
            return Resolution(name, candidates=by_words)
        return self.hardware_names.resolve(name)

    def find_cpu(self, name: str) -> Cpu | None:
        """A CPU model or family by name (`xeon gold 6138`, `i9-14900k`, `epyc 9654`), or None."""
        found = self.cpu_words.match(name)
        return self.cpus[found[0]] if len(found) == 1 else None

    def find_product(self, name: str) -> UnifiedName | None:
        """A product sold with several chips (`MacBook Air`, `Mac mini`), or None."""
        found = self.product_words.match(name)
        return self.unified_names[int(found[0])] if len(found) == 1 else None

    def api_prices_for(self, model_id: str) -> tuple[ApiPrice, ...]:
        return tuple(p for p in self.api_prices if p.model == model_id)

    @property
    def as_of(self) -> dt.date:
        """The newest fact's date: how fresh the catalog is."""
        dates = [m.as_of for m in self.models.values()] + [h.as_of for h in self.hardware.values()]
        dates += [p.as_of for p in self.api_prices] + [p.as_of for p in self.rental_prices]
        return max(dates, default=dt.date(1970, 1, 1))

    def counts(self) -> dict[str, int]:
        return {
            "models": len(self.models),
            "quants": sum(len(m.quants) for m in self.models.values()),
            "hardware": len(self.hardware),
            "api_prices": len(self.api_prices),
            "rental_prices": len(self.rental_prices),
        }


def _unique(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for entry_id in ids:
        if entry_id in seen:
            raise CatalogError(f"{kind} id {entry_id!r} is defined twice")
        seen.add(entry_id)


def with_skus(cpus: list[Cpu], skus: Iterable[CpuSku]) -> list[Cpu]:
    """The CPU families and each model of one as a Cpu of its own: the family's memory platform and instruction set
    with the model's cores and clocks, sourced by both. A model's names leave its family's aliases, so `epyc 9554`
    reads as the 64-core part, not as the family's largest."""
    families = {c.id: c for c in cpus}
    members: list[Cpu] = []
    for sku in skus:
        family = families.get(sku.family)
        if family is None:
            raise CatalogError(f"cpu model {sku.id!r} names family {sku.family!r}, which is not a catalog cpu")
        members.append(
            family.model_copy(
                update={
                    "id": sku.id,
                    "name": sku.name,
                    "aliases": sku.aliases,
                    "cores": sku.cores,
                    "performance_cores": sku.performance_cores,
                    "base_clock_mhz": sku.base_clock_mhz,
                    "boost_clock_mhz": sku.boost_clock_mhz,
                    "source": f"{sku.source}; platform ({family.id}): {family.source}",
                    "as_of": sku.as_of,
                    "isa_source": family.isa_source,
                }
            )
        )
    taken = {a.lower() for m in members for a in (m.name, *m.aliases)}
    kept = [c.model_copy(update={"aliases": tuple(a for a in c.aliases if a.lower() not in taken)}) for c in cpus]
    return kept + members


def overlay(hand: Iterable[Hardware], database: Iterable[Gpu]) -> list[Gpu]:
    """The database's GPUs the hand catalog does not already hold: a row whose name has the words of a hand entry's
    name or alias (`GeForce RTX 3060 12 GB` and `NVIDIA GeForce RTX 3060 12GB`) is replaced by that entry."""
    taken = {words(n) for h in hand for n in (h.name, *h.aliases)}
    ids = {h.id for h in hand}
    return [g for g in database if g.id not in ids and not any(words(n) in taken for n in (g.name, *g.aliases))]


# Specifications a hand entry may leave out that the database row of the same card gives: what llama.cpp's prefill
# kernels run at is derived from them where no figure is published (engine/kernels.py: a Tesla P40's dp4a rate).
DATABASE_SPEC_FIELDS = ("architecture", "shading_units", "tensor_cores", "boost_clock_mhz", "base_clock_mhz")


def with_database_specs(hand: Iterable[Hardware], database: Iterable[Gpu]) -> list[Hardware]:
    """The hand entries, each GPU with the DATABASE_SPEC_FIELDS it lacks taken from the database row its name or an
    alias has the words of (the row `overlay` drops for it); the row's TechPowerUp page joins the entry's source."""
    rows: dict[frozenset[str], Gpu] = {}
    for g in database:
        for n in (g.name, *g.aliases):
            rows.setdefault(words(n), g)
    out: list[Hardware] = []
    for h in hand:
        row = next((rows[w] for n in (h.name, *h.aliases) if (w := words(n)) in rows), None)
        if isinstance(h, Gpu) and row is not None:
            missing = {f: getattr(row, f) for f in DATABASE_SPEC_FIELDS if getattr(h, f) is None}
            missing = {f: v for f, v in missing.items() if v is not None}
            if missing:
                page = row.source.split(";")[0]
                h = h.model_copy(update={**missing, "source": f"{h.source}; {', '.join(missing)} from {page}"})
        out.append(h)
    return out


def _with_scores(models: list[Model], scores: list[ModelScore]) -> list[Model]:
    """Each model with the published scores kept apart from its entry added to its `quality`."""
    ids = {m.id for m in models}
    unknown = sorted({s.model for s in scores} - ids)
    if unknown:
        raise CatalogError(f"model_scores name models the catalog does not have: {', '.join(unknown)}")
    by_model: dict[str, list[QualityScore]] = {}
    for s in scores:
        q = QualityScore(benchmark=s.benchmark, score=s.score, source=s.source, as_of=s.as_of)
        by_model.setdefault(s.model, []).append(q)
    return [m.model_copy(update={"quality": (*m.quality, *by_model[m.id])}) if m.id in by_model else m for m in models]


def _with_speculative(models: list[Model], entries: list[Speculative]) -> list[Model]:
    """Each model with the speculative decoding entries that name it."""
    _unique("speculative", (s.id for s in entries))
    ids = {m.id for m in models}
    unknown = sorted({i for s in entries for i in (*s.models, s.draft_model) if i is not None} - ids)
    if unknown:
        raise CatalogError(f"speculative entries name models the catalog does not have: {', '.join(unknown)}")
    by_id = {m.id: m for m in models}  # each draft model's entry linked to the speculation that names it
    entries = [s.model_copy(update={"drafter": by_id[s.draft_model]}) if s.draft_model else s for s in entries]
    by_model = {m.id: tuple(s for s in entries if m.id in s.models) for m in models}
    return [m.model_copy(update={"speculative": by_model[m.id]}) if by_model[m.id] else m for m in models]


def build(files: Iterable[CatalogFiles], database_gpus: Iterable[Gpu] = ()) -> Catalog:
    """One catalog from validated files (what the loader read, or a test's entries built in code), with the GPU
    database's cards beneath them (see `overlay`)."""
    models: list[Model] = []
    hardware: list[Hardware] = []
    api: list[ApiPrice] = []
    rental: list[RentalPrice] = []
    cpus: list[Cpu] = []
    skus: list[CpuSku] = []
    unified_names: list[UnifiedName] = []
    quant_quality: list[QuantTypeQuality] = []
    platforms: list[PlatformPrice] = []
    scores: list[ModelScore] = []
    speculative: list[Speculative] = []
    for f in files:
        models += f.models
        hardware += f.hardware
        api += f.api_prices
        rental += f.rental_prices
        cpus += f.cpus
        skus += f.cpu_skus
        unified_names += f.unified_names
        quant_quality += f.quant_quality
        platforms += f.platform_prices
        scores += f.model_scores
        speculative += f.speculative
    _unique("model", (m.id for m in models))
    models = _with_speculative(_with_scores(models, scores), speculative)
    _unique("hardware", (h.id for h in hardware))
    cpus = with_skus(cpus, skus)
    _unique("cpu", (c.id for c in cpus))
    database_gpus = tuple(database_gpus)
    hardware = [*with_database_specs(hardware, database_gpus), *overlay(hardware, database_gpus)]
    ended = _ended(hardware, api, rental)
    return Catalog(
        models={m.id: m for m in models},
        hardware={h.id: _on_sale(h) for h in hardware},
        api_prices=tuple(p for p in api if p.retired is None),
        rental_prices=tuple(p for p in rental if p.retired is None),
        cpus={c.id: c for c in cpus},
        unified_names=tuple(unified_names),
        quant_quality=tuple(quant_quality),
        platform_prices=tuple(platforms),
        ended=ended,
    )


def _ended(hardware: list[Hardware], api: list[ApiPrice], rental: list[RentalPrice]) -> tuple[Ended, ...]:
    """Every offering marked retired, named as `rigfit catalog list prices` names it."""
    out = [Ended(f"api {p.model} ({p.provider})", p.retired) for p in api if p.retired]
    out += [Ended(f"rental {p.hardware} x{p.gpu_count} ({p.provider})", p.retired) for p in rental if p.retired]
    for h in hardware:
        for p in h.prices:
            if p.retired:
                size = f" {p.memory_gib} GB" if p.memory_gib else ""
                out.append(Ended(f"price of {h.id}{size} {p.condition} ${p.usd:g}", p.retired))
    return tuple(out)


def _on_sale(h: Hardware) -> Hardware:
    """The entry with only the prices it is still sold at."""
    if all(p.retired is None for p in h.prices):
        return h
    return h.model_copy(update={"prices": tuple(p for p in h.prices if p.retired is None)})
