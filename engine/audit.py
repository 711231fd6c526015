"""Checks of the catalog's facts that types alone can't make: names, references, plausible file sizes, and how old
its prices are on a given day (the caller passes the day; nothing here reads the clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from catalog.catalog import Catalog
from catalog.types import Gpu, Price, Unified
from engine import quants

# A published file's bits per weight must lie within this band of the quant type's nominal bits: mixes and
# dynamic quants run above their base type, and MoE models keep some tensors higher.
SIZE_BAND = (0.6, 1.9)
ANY_FILE_BITS = (1.0, 34.0)  # whatever the type: below 1 bit or above f32 is a unit slip

# A price read this many days ago is worth reading again (API tariffs and GPU street prices move within half a
# year). Past a year an API or rental price, which /cost quotes as today's tariff, fails `rigfit catalog check` until
# it is confirmed, replaced or marked retired; a device or platform price only warns (a launch price stays a fact of
# its date, and a newer dated offer supersedes it).
PRICE_WARN_DAYS = 180
PRICE_FAIL_DAYS = 365


class PriceKind(Enum):
    API = "api"
    RENTAL = "rental"
    DEVICE = "device"  # a GPU's or a unified machine's newest price for one configuration
    PLATFORM = "platform"  # one part of a GPU machine's platform (board, CPU, power supply ...)


# the kinds a price past PRICE_FAIL_DAYS fails the check for
FAILS_WHEN_OLD = frozenset({PriceKind.API, PriceKind.RENTAL})


@dataclass(frozen=True)
class PriceAge:
    """One dated price and how many days old it is on the day checked."""

    kind: PriceKind
    what: str  # "deepseek-v3 (DeepSeek)", "h100-sxm x8 (Lambda)", "dgx-spark 128 GB new $4699"
    as_of: dt.date
    age_days: int

    @property
    def fails(self) -> bool:
        return self.kind in FAILS_WHEN_OLD and self.age_days > PRICE_FAIL_DAYS


def price_ages(catalog: Catalog, today: dt.date) -> list[PriceAge]:
    """Every price still offered (retired ones are out of the catalog's answers and not checked), oldest first."""
    ages = [PriceAge(kind, what, as_of, (today - as_of).days) for kind, what, as_of in _dated_prices(catalog)]
    return sorted(ages, key=lambda a: (-a.age_days, a.kind.value, a.what))


def stale_prices(catalog: Catalog, today: dt.date, older_than_days: int = PRICE_WARN_DAYS) -> list[PriceAge]:
    """The prices last confirmed more than `older_than_days` before `today`, oldest first."""
    return [a for a in price_ages(catalog, today) if a.age_days > older_than_days]


def _dated_prices(catalog: Catalog) -> Iterator[tuple[PriceKind, str, dt.date]]:
    for p in catalog.api_prices:
        yield PriceKind.API, f"{p.model} ({p.provider})", p.as_of
    for r in catalog.rental_prices:
        yield PriceKind.RENTAL, f"{r.hardware} x{r.gpu_count} ({r.provider})", r.as_of
    for h in catalog.hardware.values():
        newest: dict[tuple[int | None, str], Price] = {}
        for hp in h.prices:
            key = (hp.memory_gib, hp.condition)
            if key not in newest or hp.as_of > newest[key].as_of:
                newest[key] = hp
        for hp in newest.values():
            size = f" {hp.memory_gib} GB" if hp.memory_gib else ""
            yield PriceKind.DEVICE, f"{h.id}{size} {hp.condition} ${hp.usd:g}", hp.as_of
    for platform in catalog.platform_prices:
        for part in platform.parts:
            yield PriceKind.PLATFORM, f"{platform.id} {part.part}: {part.name}", part.as_of


def audit(catalog: Catalog) -> list[str]:
    problems: list[str] = []
    for kind, index in (("model", catalog.model_names), ("hardware", catalog.hardware_names)):
        for key, ids in sorted(index.duplicates().items()):
            problems.append(f"{kind} name {key!r} names several entries: {', '.join(sorted(ids))}")
    problems += _references(catalog)
    problems += _file_sizes(catalog)
    problems += _hardware(catalog)
    problems += shared_repos(catalog)
    problems += yarn_repos(catalog)
    return problems


def yarn_repos(catalog: Catalog) -> list[str]:
    """A model whose card documents YaRN names every checkpoint repo it lists (its quants' and GGUF repos) in the
    YaRN block: the repos are the model's own release (a later release with its own rope settings is an entry of its
    own, as Qwen3's 2507 releases are), and a repo left out is refused the YaRN flags, so its files run nothing above
    the native context. Qwen3-30B-A3B at 128k on a 3090 had picked Unsloth's IQ4_XS of the same release and given
    no command for it."""
    out = []
    for m in sorted(catalog.models.values(), key=lambda m: m.id):
        if m.yarn is None:
            continue
        listed = {q.repo for q in m.quants if q.repo} | {r.repo for r in m.gguf_repos}
        out += [f"{m.id}: {repo} is not named in its YaRN block's repos" for repo in sorted(listed - set(m.yarn.repos))]
    return out


def shared_repos(catalog: Catalog) -> list[str]:
    """A GGUF repo holding several models' files (cortexso/gemma3: Gemma 3 4B and 12B) must say so in each model's
    listing (GgufRepo.several_models) and name each file it serves there: a quant tag alone (`-hf repo:Q8_0`) would
    load whichever model's file it matches first."""
    users: dict[str, set[str]] = {}
    for m in catalog.models.values():
        for repo in {q.repo for q in m.quants if q.repo and q.format == "gguf"} | {r.repo for r in m.gguf_repos}:
            users.setdefault(repo, set()).add(m.id)
    out = []
    for repo, ids in sorted(users.items()):
        if len(ids) < 2:
            continue
        for mid in sorted(ids):
            m = catalog.models[mid]
            listing = next((r for r in m.gguf_repos if r.repo == repo and r.several_models), None)
            if listing is None:
                out.append(f"{mid}: {repo} holds {len(ids)} models' files; list it with several_models and each path")
                continue
            named = {f.quant.upper() for f in listing.files}
            out += [
                f"{mid}: {repo} holds several models' files; name {q.name}'s path in its listing"
                for q in m.quants
                if q.repo == repo and q.format == "gguf" and q.name.upper() not in named
            ]
    return out


def _references(catalog: Catalog) -> list[str]:
    out = [
        f"api price for unknown model {p.model!r} ({p.provider})"
        for p in catalog.api_prices
        if p.model not in catalog.models
    ]
    out += [
        f"rental price for unknown hardware {p.hardware!r} ({p.provider})"
        for p in catalog.rental_prices
        if p.hardware not in catalog.hardware
    ]
    return out


def _file_sizes(catalog: Catalog) -> list[str]:
    out = []
    for m in catalog.models.values():
        for q in m.quants:
            bits = q.file_bytes * 8 / (m.total_params_b * 1e9)
            lo, hi = ANY_FILE_BITS
            if not lo <= bits <= hi:
                out.append(f"{m.id} {q.name}: {q.file_bytes:,} bytes is {bits:.2f} bits per weight (outside {lo}-{hi})")
                continue
            qt = quants.lookup(q.name)
            # A model released in 4 bits (gpt-oss MXFP4, Kimi's int4 experts) keeps them so in every file: its
            # "Q8" is ~4.6 bits, so only the format-free check above applies.
            if qt is not None and q.format == "gguf" and m.native_dtype not in ("mxfp4", "int4"):
                band = (qt.bits_per_weight * SIZE_BAND[0], qt.bits_per_weight * SIZE_BAND[1])
                if not band[0] <= bits <= band[1]:
                    out.append(
                        f"{m.id} {q.name}: {bits:.2f} bits per weight, outside {band[0]:.2f}-{band[1]:.2f} "
                        f"for {qt.name} ({q.file_bytes:,} bytes, {m.total_params_b}B params)"
                    )
    return out


def _hardware(catalog: Catalog) -> list[str]:
    out = []
    for h in catalog.hardware.values():
        if isinstance(h, Gpu) and h.memory_gib > 1024:
            out.append(f"{h.id}: {h.memory_gib} GiB on one GPU looks like a unit slip")
        if isinstance(h, Unified) and not h.memory_gib_options:
            out.append(f"{h.id}: a unified machine needs memory_gib_options")
        for p in h.prices:
            if p.memory_gib is not None and isinstance(h, Unified) and p.memory_gib not in h.memory_gib_options:
                out.append(f"{h.id}: price for {p.memory_gib} GB, which is not among its memory options")
    return out
