"""The Catalog type: every fact, indexed by id and by name, and built from validated files (no file I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.lookup import NameIndex, Resolution
from catalog.types import ApiPrice, CatalogFiles, Hardware, Model, RentalPrice


class CatalogError(ValueError):
    """The catalog's data is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Catalog:
    models: dict[str, Model]
    hardware: dict[str, Hardware]
    api_prices: tuple[ApiPrice, ...] = ()
    rental_prices: tuple[RentalPrice, ...] = ()
    model_names: NameIndex = field(init=False, repr=False, compare=False)
    hardware_names: NameIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model_names", NameIndex({m.id: (m.name, *m.aliases) for m in self.models.values()}))
        object.__setattr__(
            self, "hardware_names", NameIndex({h.id: (h.name, *h.aliases) for h in self.hardware.values()})
        )

    def find_model(self, name: str) -> Resolution:
        return self.model_names.resolve(name)

    def find_hardware(self, name: str) -> Resolution:
        return self.hardware_names.resolve(name)

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


def build(files: Iterable[CatalogFiles]) -> Catalog:
    """One catalog from validated files (what the loader read, or a test's entries built in code)."""
    models: list[Model] = []
    hardware: list[Hardware] = []
    api: list[ApiPrice] = []
    rental: list[RentalPrice] = []
    for f in files:
        models += f.models
        hardware += f.hardware
        api += f.api_prices
        rental += f.rental_prices
    _unique("model", (m.id for m in models))
    _unique("hardware", (h.id for h in hardware))
    return Catalog(
        models={m.id: m for m in models},
        hardware={h.id: h for h in hardware},
        api_prices=tuple(api),
        rental_prices=tuple(rental),
    )
