"""Device names as sets of words: `RTX 4070 laptop`, `laptop 4070`, `GeForce RTX4070 Mobile` and `nvidia rtx 4070
mobile` are one key, so word order, spacing, glued series prefixes and vendor words do not matter.

A query matches an entry whose words are exactly the query's, else the entry that holds all the query's words with
the fewest others, where none of the others makes it a different card (`ti`, `super`, `xt`, `mobile`, `max` ...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Words that name the maker or say "graphics card", not which card.
BRAND_WORDS = frozenset(
    {
        "nvidia",
        "geforce",
        "amd",
        "radeon",
        "intel",
        "ati",
        "graphics",
        "gpu",
        "gpus",
        "card",
        "cards",
        "generation",
        "founders",
        "edition",
        "fe",
        "apple",
        "the",
        "a",
        "an",
        "my",
        "chip",
        "processor",
        "cpu",
        "desktop",
        "video",
    }
)
# Words that make a different device: an entry carrying one the query lacks is not what the query names.
VARIANT_WORDS = frozenset(
    {
        "ti",
        "super",
        "xt",
        "xtx",
        "gre",
        "mobile",
        "maxq",
        "d",
        "se",
        "le",
        "x2",
        "v2",
        "pro",
        "max",
        "ultra",
        "plus",
        "dense",
        "x3d",
        "mini",
        "nano",
        "embedded",
        "sff",
        "server",
        "refresh",
        "mxm",
        "boost",
        "lite",
        "oem",
    }
)
# Words that say whose device it is: a query naming one maker never matches another's card (`radeon 780m` is not
# the GeForce GTX 780M).
_MAKER_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("nvidia", frozenset({"nvidia", "geforce", "quadro", "tesla", "rtx", "gtx", "titan", "jetson", "dgx", "hgx"})),
    ("amd", frozenset({"amd", "radeon", "instinct", "ryzen", "epyc", "threadripper", "firepro"})),
    ("intel", frozenset({"intel", "arc", "xeon", "iris"})),
    ("apple", frozenset({"apple", "mac", "macbook", "imac"})),
)


def makers(name: str) -> frozenset[str]:
    """The makers a name's words point at (empty when it names none)."""
    raw = set(_SPLIT.split(_SERIES_GLUED.sub(r"\1 ", name.lower())))
    return frozenset(maker for maker, marks in _MAKER_WORDS if raw & marks)


_LAPTOP = re.compile(r"\b(?:laptop\s+gpu|laptop|notebook|mobile)\b")
_MAXQ = re.compile(r"\bmax[\s-]?q\b")
_SERIES_GLUED = re.compile(r"\b(rtx|gtx|gt|rx|arc|quadro|tesla|titan|mi|w)(?=\d)")
_SUFFIX_GLUED = re.compile(r"(?<=\d)(ti|xtx|xt|super|gre|gb)\b")
_SPLIT = re.compile(r"[^a-z0-9+.]+")


def words(name: str) -> frozenset[str]:
    """The words that identify a device, lower case, brand words dropped (see the module doc)."""
    s = name.lower().replace("×", "x")
    s = _MAXQ.sub(" maxq ", s)
    s = _LAPTOP.sub(" mobile ", s)
    s = _SERIES_GLUED.sub(r"\1 ", s)
    s = _SUFFIX_GLUED.sub(r" \1", s)
    out = {w.strip(".") for w in _SPLIT.split(s)} - BRAND_WORDS - {""}
    if "maxq" in out:
        out.discard("mobile")  # TechPowerUp names Max-Q parts without "Mobile"
    if "w" in out:
        out.add("pro")  # AMD sells every W-series card as "Radeon Pro W...": `w7800` is the Radeon Pro W7800
    return frozenset(out)


@dataclass(frozen=True)
class Entry:
    id: str
    hand: bool  # from the hand catalog (wins over a database row)
    release: dt.date | None
    makers: frozenset[str] = frozenset()  # whose device its names say it is


class WordIndex:
    """Device ids by the words of their names and aliases; built once per catalog."""

    def __init__(
        self, names_by_id: Mapping[str, Iterable[str]], hand: Mapping[str, bool], release: Mapping[str, dt.date | None]
    ) -> None:
        self._by_key: dict[frozenset[str], set[str]] = {}
        self._postings: dict[str, set[frozenset[str]]] = {}
        names_by_id = {i: tuple(names) for i, names in names_by_id.items()}
        self._entries = {
            i: Entry(i, hand.get(i, True), release.get(i), frozenset().union(*(makers(n) for n in names)))
            for i, names in names_by_id.items()
        }
        for entry_id, names in names_by_id.items():
            for name in names:
                key = words(name)
                if not key:
                    continue
                self._by_key.setdefault(key, set()).add(entry_id)
                for w in key:
                    self._postings.setdefault(w, set()).add(key)

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._postings)

    def knows(self, word: str) -> bool:
        """Whether every identifying word of `word` is in some name (a word no name has cannot help find one)."""
        return all(w in self._postings for w in words(word))

    def keys_of(self, entry_id: str) -> list[frozenset[str]]:
        return [k for k, ids in self._by_key.items() if entry_id in ids]

    def match(self, query: str) -> tuple[str, ...]:
        """The best ids for `query` (one, or several equally good), or () when some word is unknown or nothing
        holds all the words without a variant word the query lacks. A model number written without its suffix
        letters (`tesla k40` for the K40c/K40m..., `cmp 100-210` for the CMP 100HX-210) is read as the first
        released of the parts it starts, when no name has it as written."""
        key = words(query)
        if not key:
            return ()
        found = self._match_key(key) or self._match_stems(key)
        said = makers(query)
        if not said:
            return found
        return tuple(i for i in found if not self._entries[i].makers or self._entries[i].makers & said)

    def _match_stems(self, key: frozenset[str]) -> tuple[str, ...]:
        """Each model number of the query (a word with a digit) read as the start of a longer one, by one or two
        letters (`k40` -> `k40c`, `100` -> `100hx`); the ids of the first word that way that match."""
        if any(w not in self._postings and not any(ch.isdigit() for ch in w) for w in key):
            return ()
        for stem in sorted(w for w in key if any(ch.isdigit() for ch in w)):
            rest = key - {stem}
            ids: set[str] = set()
            for v in self._postings:
                if v != stem and v.startswith(stem) and v[len(stem) :].isalpha() and len(v) <= len(stem) + 2:
                    ids.update(self._match_key(rest | {v}))
            if ids:
                return self._best(ids)
        return ()

    def _match_key(self, key: frozenset[str]) -> tuple[str, ...]:
        if any(w not in self._postings for w in key):
            return ()
        exact = self._by_key.get(key)
        if exact:
            return self._best(exact)
        keys = set.intersection(*(self._postings[w] for w in key))
        scored: dict[int, set[str]] = {}
        for k in keys:
            extra = k - key
            if extra & VARIANT_WORDS:
                continue
            scored.setdefault(len(extra), set()).update(self._by_key[k])
        if not scored:
            return ()
        return self._best(scored[min(scored)])

    def _best(self, ids: set[str]) -> tuple[str, ...]:
        """The hand catalog's entries over database rows; among rows, the first released (the original part,
        e.g. the 6 GB GTX 1060 before its 3 GB and 5 GB cuts)."""
        entries = [self._entries[i] for i in ids]
        hand = sorted(e.id for e in entries if e.hand)
        if hand:
            return tuple(hand)
        first = min(entries, key=lambda e: (e.release or dt.date.max, e.id))
        return (first.id,)
