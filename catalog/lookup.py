"""Name resolution: what people type -> catalog ids, with candidates when ambiguous and suggestions when not found."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_SEPARATORS = re.compile(r"[\s_\-/:]+")


def normalise(name: str) -> str:
    """Fold case and separators: 'GLM-5.2', 'glm 5.2' and 'glm_5.2' all become 'glm5.2'."""
    return _SEPARATORS.sub("", name.strip().lower())


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one name: exactly one of `id`, `candidates` (ambiguous) or none (unknown)."""

    query: str
    id: str | None = None
    candidates: tuple[str, ...] = ()  # ambiguous: several entries match equally well
    suggestions: tuple[str, ...] = ()  # unknown: the nearest names, for "did you mean"


class NameIndex:
    """Maps normalised names and aliases to ids; built once per catalog."""

    def __init__(self, names_by_id: Mapping[str, Iterable[str]]) -> None:
        self._ids_by_key: dict[str, set[str]] = {}
        self._display: dict[str, str] = {}
        for entry_id, names in names_by_id.items():
            for name in (entry_id, *names):
                key = normalise(name)
                if key:
                    self._ids_by_key.setdefault(key, set()).add(entry_id)
                    self._display.setdefault(key, name)
        self._keys = list(self._ids_by_key)

    def duplicates(self) -> dict[str, set[str]]:
        """Keys that name more than one entry (a catalog error)."""
        return {k: ids for k, ids in self._ids_by_key.items() if len(ids) > 1}

    def exact(self, query: str) -> str | None:
        """The one id whose name or alias is exactly `query` (separators and case folded), else None."""
        ids = self._ids_by_key.get(normalise(query))
        return next(iter(ids)) if ids and len(ids) == 1 else None

    def resolve(self, query: str) -> Resolution:
        key = normalise(query)
        if not key:
            return Resolution(query)
        exact = self._ids_by_key.get(key)
        if exact and len(exact) == 1:
            return Resolution(query, id=next(iter(exact)))
        if exact:
            return Resolution(query, candidates=tuple(sorted(exact)))
        partial = self._partial(key)
        if len(partial) == 1:
            return Resolution(query, id=partial[0])
        if partial:
            return Resolution(query, candidates=tuple(partial[:8]))
        return Resolution(query, suggestions=self.suggest(query))

    def _partial(self, key: str) -> list[str]:
        """Ids with a name that starts with the query ('m3 ult' -> Apple M3 Ultra)."""
        return sorted({i for k, ids in self._ids_by_key.items() if k.startswith(key) for i in ids})

    def _ranked(self, query: str, limit: int, score_cutoff: int) -> list[str]:
        """Ids whose names are nearest the query (rapidfuzz WRatio), best first, each id once."""
        key = normalise(query)
        if not key:
            return []
        hits = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=score_cutoff)
        out: list[str] = []
        for k, _score, _ in hits:
            out += [entry_id for entry_id in sorted(self._ids_by_key[k]) if entry_id not in out]
        return out[:limit]

    def suggest(self, query: str, limit: int = 3) -> tuple[str, ...]:
        """Near misses, for "did you mean"."""
        return tuple(self._ranked(query, limit, score_cutoff=60))

    def search(self, query: str, limit: int = 25) -> list[str]:
        """Ids for autocomplete, best first; an empty query gives none (the caller orders by popularity)."""
        return self._ranked(query, limit, score_cutoff=50)
