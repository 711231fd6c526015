"""Hardware phrases people type -> readings: each reasonable way to read `256GB`, `2x RTX 3090 + 128GB DDR4`,
`M3 Ultra 256GB`, most likely first, with what was assumed to read it so.

Every failure raises RigfitError naming what was not understood and what would be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from catalog.catalog import Catalog
from catalog.lookup import normalise
from catalog.types import Cpu, Gpu, Hardware, SystemMemory, Unified, UnifiedName
from engine.errors import ErrorCode, RigfitError
from engine.memory import OS_RESERVE_BYTES
from engine.parse.hardware_pastes import clean_pastes, compiled
from engine.parse.options import MAX_INPUT_CHARS
from engine.rig import (
    GPUS_PER_SERVER,
    NODE_LINK_GB_S,
    Assumption,
    AssumptionKind,
    GpuDevice,
    NodeLink,
    Reading,
    Rig,
    SystemRam,
    UnifiedPool,
    cpu_ram,
    gpu_device,
    platform_ram,
    spec_ram,
    unified_pool,
)
from engine.units import GIB

HARDWARE_EXAMPLES = "`256GB`, `2x RTX 3090 + 128GB DDR4`, `M3 Ultra 256GB`, `24GB VRAM + 64GB RAM`"
DESCRIBE_EXAMPLE = "`RTX 9999 24GB 1000GB/s`"  # an unknown device, described by its memory and bandwidth

# MRDIMMs (MCR DIMMs) run at 8800 MT/s on Xeon 6 6900P, the platform that takes them, where RDIMMs run at 6400
# (https://www.servethehome.com/welcome-back-intel-xeon-6900p-reasserts-intel-server-leadership/2/).
MRDIMM_MT_S = 8800
# A bare "24GB VRAM" is read as the most common card of that size (said in the reading's assumptions).
TYPICAL_GPU_BY_GIB: dict[int, str] = {
    6: "tpu-geforce-rtx-2060",
    8: "tpu-geforce-rtx-4060",
    10: "rtx-3080-10gb",
    11: "tpu-geforce-gtx-1080-ti",
    12: "rtx-3060-12gb",
    16: "rtx-4060-ti-16gb",
    20: "rx-7900-xt",
    24: "rtx-3090",
    32: "rtx-5090",
    48: "rtx-a6000",
    80: "h100-pcie",
    96: "rtx-pro-6000",
}
POOLED_GPU_IDS = ("rtx-3090", "rtx-5090", "rtx-a6000", "rtx-pro-6000", "h100-sxm")

# a size is not glued to a name's letters: `a10g` is NVIDIA's A10G, not 10 GB (`4x24gb` keeps its `x`)
_SIZE = re.compile(r"(?<![a-wyz\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>tb|tib|gib|gb|g)(?![a-z])")
_QUALIFIER = re.compile(
    r"^\s*(?:(?:of|de|di|da)\s+)?(?P<q>vram|v-ram|gpu memory|gpus?|graphics cards?|cards?|ram|system ram|system memory|"
    r"sysram|memory|mem[oó]ria(?:\s+ram)?|unified(?: memory)?|lpddr5x|lpddr5|ddr5|ddr4|hbm\d?e?|gddr\d?x?"
    r"|(?P<given>(?:allocated|assigned|dedicated|reserved)\s+(?:to|for)\s+(?:the\s+)?(?:i?gpu|vram)))\b"
)  # `96gb allocated to gpu`: a unified machine's GPU share, as `96gb vram`
_GPU_WORDS = ("gpu", "gpus", "card", "cards", "graphics card", "graphics cards")  # "a 24GB GPU": VRAM
_DDR = re.compile(r"\b(?P<gen>lpddr5x|lpddr5|lpddr4x|lpddr4|ddr5|ddr4|ddr3l?)(?:[-\s]?(?P<mts>\d{4}))?\b")
_CHANNELS = re.compile(
    r"\b(?:(?P<n>\d{1,2})[-\s]?(?:ch|chan|channels?)|(?P<word>single|dual|quad|hexa|octa|twelve)[-\s]?channel)\b"
)
_CHANNEL_WORDS = {"single": 1, "dual": 2, "quad": 4, "hexa": 6, "octa": 8, "twelve": 12}
_COUNT_PREFIX = re.compile(
    r"^(?P<n>\d{1,3})\s*[x×*]\s*|^(?P<m>\d{1,2})\s+(?=[a-z0-9])|^(?P<word>one|two|three|four|five|six|seven|eight|"
    r"dual|triple|quad|twin|pair of|a pair of|a single|single|a|an)\s+|^(?P<hyphened>dual|triple|quad|twin)-(?=\w)"
)  # `dual-3090`
# A CPU by its model number (`i9-13900h`, `core ultra 9 185h`, `ryzen 9 7945hx`, `xeon w5-3435x`): one the catalog
# lacks says nothing about the GPUs beside it, so a rig that names more than the CPU is read without it.
_CPU_MODEL = re.compile(
    r"(?:intel\s+)?(?:core\s+)?i[3579][-\s]?\d{4,5}[a-z]{0,2}\d?|(?:intel\s+)?core\s+ultra\s+[3579][-\s]?\d{3}[a-z]{0,2}|"
    r"(?:amd\s+)?ryzen\s+(?:ai\s+)?(?:[3579]\s+)?(?:pro\s+)?\d{3,4}(?:x3d\d?|[a-z]{0,3})|(?:intel\s+)?xeon\s+[a-z0-9-]+(?:\s+\d{4}[a-z]?)?"
    r"|(?:amd\s+)?epyc\s+\d[a-z0-9]{3}[a-z]?"  # `epyc 7c13`
    r"|\bw[3579]-\d{4}x?\b"  # a Xeon W by its model number alone (`w5-3423`)
)
_COUNT_SUFFIX = re.compile(r"(?:(?<=\s)|(?<=\d)|(?<=gb)|(?<=\dg))[x×*]\s*(?P<n>\d{1,3})$")  # `rtx 3090 24gb*2`, `24G*2`
_COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "dual": 2,
    "twin": 2,
    "pair of": 2,
    "a pair of": 2,
    "three": 3,
    "triple": 3,
    "four": 4,
    "quad": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "a single": 1,
    "single": 1,
    "a": 1,
    "an": 1,
}
MAX_DEVICES = 256  # more cards than any cluster the engine sizes; past it the count is a typo
_ZERO_COUNT = re.compile(r"(?:^|[\s,+(])(?P<z>0+\s*[x×*])\s*(?=\S)")
_BANDWIDTH = re.compile(
    r"@?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>tb|gb)\s*/\s*s(?:ec)?\b|(?P<gbs>\d+(?:\.\d+)?)\s*gbps\b"
)
_SOCKETS = re.compile(
    r"\b(?:(?P<word>single|dual|2|two|quad|4)[-\s]?(?:socket|cpu|proc(?:essor)?)s?|"
    r"(?P<n>\d)s)\b"
)
_SOCKET_WORDS = {"single": 1, "dual": 2, "2": 2, "two": 2, "quad": 4, "4": 4}
_NUM = r"\d{1,3}|one|two|three|four|five|six|seven|eight"
_MACHINE = r"(?:nodes?|servers?(?!\s*edition)|machines?|boxes|box|hosts?|pcs|computers?|rigs|workstations|systems)"
# Ways of writing N machines and what each holds, tried in order; `rest` is one machine (or, with `total`, all):
# `2 nodes of 8x h100`, `4-node framework cluster`, `3 pcs each with a 3090`, `two boxes: 2x3090 and 2x3090`,
# `2x 8xH100 nodes`, `two 8x mi300x servers`, `8x b200 x 4 nodes`, `16x h100 across two hgx boxes`.
_NODE_FORMS = (
    # `16x h100 across two boxes` (the count is all machines'), not `run it on 4 nodes of 4xA40` (each machine's)
    re.compile(
        rf"^(?P<rest>.*?)\s+(?:across|over|in|on)\s+(?P<n>{_NUM})\s+(?P<total>(?:[a-z]+\s+)?{_MACHINE})\b"
        r"(?!\s*(?:of|with|each)\b)"
    ),
    re.compile(rf"^(?P<rest>.*?)\s*\bx\s*(?P<n>\d{{1,3}})\s+{_MACHINE}\b(?P<post>.*)$"),
    re.compile(
        rf"^(?:.*?\bcluster of\s+)?(?P<pre>.*?)\b(?P<n>{_NUM})\s*-?\s*{_MACHINE}\b"
        r"\s*(?:x\b|of\b|with\b|each\b|[,:]\s*)*(?P<rest>.*)$"
    ),
    re.compile(rf"^(?P<n>{_NUM})\s*x?\s+(?P<rest>.*?)\s+(?:mini\s*)?{_MACHINE}\b(?P<post>.*)$"),
)
_NODE_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
# HGX and DGX boards of SXM modules (NVIDIA HGX/DGX H100, H200, A100, B200) hold GPUS_PER_SERVER modules each.
_SERVER_BOARD = re.compile(r"\b(?:hgx|dgx)\s*(?=[a-z]{1,2}\d{2,3}\b)")
# Server chassis named for the machine the devices sit in (`dell r730 with 2x p40`, `hp dl380 g9`): the chassis
# says nothing of its GPUs or RAM, so it is left out (a plural counts machines). Dell PowerEdge R/T rack and tower
# models, HPE ProLiant DL/ML with their generation, Lenovo ThinkSystem SR, Supermicro by name.
_CHASSIS = re.compile(
    r"\b(?:dell\s+)?(?:poweredge\s+)?r[2-9][1-9]0(?:xd|xa)?s?\b|\bdell\s+(?:poweredge\s+)?t[3-7][1-9]0s?\b"
    r"|\b(?:dell\s+)?(?:poweredge\s+)?r[67][4-7][12]5s?\b"  # the AMD PowerEdges: R7515, R6525, R7625
    r"|\b(?:hpe?\s+)?(?:proliant\s+)?[dm]l[1-5]\d0(?:\s*(?:g|gen)\s*\d{1,2})?s?\b"
    r"|\b(?:lenovo\s+)?thinksystem\s+sr\d{3}\b|\bsupermicro\b|\b(?:as|sys)-\d{3,4}[a-z0-9-]*\b"  # AS-4125GS-TNRT
    # Dell PowerEdge C-series GPU servers, HP Z-series workstations, IBM/Lenovo System x servers
    r"|\b(?:dell\s+)?(?:poweredge\s+)?c4[01][34]0s?\b|\b(?:hp\s+)?z[4-8][2-4]0(?:'?s)?\b(?:\s+workstations?)?"
    r"|\b(?:ibm\s+|lenovo\s+)?(?:system\s+)?x3[5-9][05]0\s*m\d\b"
    # mini PCs that take SO-DIMMs (Minisforum MS-A2, MS-01, Intel NUC): a box like any other
    r"|\b(?:minisforum\s+)?ms-(?:a\d|0\d)\b|\bintel\s+nuc(?:\s+\d{1,2})?\b"
)
_LINKS: tuple[tuple[str, NodeLink], ...] = (
    (r"thunderbolt\s*5|tb\s*5", "thunderbolt5"),
    (r"thunderbolt\s*4|tb\s*4|thunderbolt|usb4", "thunderbolt4"),
    # the Spark's ConnectX-7 runs at 200 Gb/s; a `200GbE` link between machines is read at that line rate
    (r"connectx(?:[-\s]?7)?|cx[-\s]?7|qsfp|\b200\s*g(?:be|bps|bit)\b", "connectx7"),
    (r"infiniband|\bib\b|\bndr\b", "infiniband"),
    (r"\b100\s*g(?:be|bps|bit|ig)\b|\b100\s*g(?:b|ig)?\s*(?:ethernet|nic|network)", "ethernet-100g"),
    (r"\b10\s*g(?:be|bps|bit|ig)\b|\b10\s*g(?:b|ig)?\s*(?:ethernet|nic|network)|\bethernet\b|\blan\b", "ethernet-10g"),
)
_LINK_WORDS = re.compile(
    r"\b(?:over|via|using|linked by|connected (?:by|via|with)|clustered (?:over|with|via)|with)?\s*(?:"
    + "|".join(p for p, _ in _LINKS)
    + r")(?:\s+(?:cables?|links?|bridge|networking|network|interconnect))?"
    + r"|\b(?:(?:over|via|using|with|through)\s+)?(?:llama\.cpp\s+)?(?:rpc|exo)\b|\bclustered\b|\bcluster(?:ed)?\b"
    + r"|\blinked\b"
)
_NOISE = re.compile(
    r"\b(?:used|new|refurb(?:ished)?|second[-\s]hand|i have|i've got|ive got|i got|got|running|currently|just|"
    r"only|setup|build|rig|workstation|home ?lab|homelab|server|desktop|laptop pc|gaming pc|pc|box|machine|each|"
    r"total|in total|combined|vram total|about|around|~|approx(?:imately)?|ish|my|our|"
    r"cl\d{2}|in (?:the )?bios|bios|uefi)\b"  # a RAM kit's CAS latency; where a carve-out is set
    # where a rented machine runs says nothing of it (`runpod 2x a100`, `vast.ai 4x 3090`, `kaggle 2x t4`)
    r"|\b(?:runpod|vast(?:\.ai)?|lambda(?:\s+labs|\s+cloud)?|kaggle|colab|paperspace|tensordock|coreweave|modal|azure|aws)\b"
)
# Product words of Apple machines: they name the product, the chip names the memory (`m4 max 128gb macbook`).
_APPLE_PRODUCTS = re.compile(
    r"\b(?:macbook\s*air|macbook\s*pro|macbook|mac\s*book|mac\s*mini|macmini|mac\s*studio|mac\s*pro|imac|mba|mbp)"
    r"(?:s|es)?\b(?:\s*(?:14|16|13|15)(?![\d.]*\s*(?:gb|g|gib|tb)\b)(?:\s*(?:inch|in|\"))?)?|\b(?:air|mini|studio)\b"
)
_NVLINK = re.compile(r"\bnv-?link(?:ed|s)?\b(?:\s+bridges?\b)?")
_NO_GPU = re.compile(
    r"\b(no[-\s]?(?:dedicated\s+|discrete\s+)?(?:gpu|graphics(?:\s+card)?|video\s+card)|cpu[-\s]?(?:inference\s+)?only|"
    r"without (?:a )?(?:dedicated\s+)?(?:gpu|graphics card)|integrated graphics only|"
    r"integrated graphics(?!\s+is\b)|igpu only)\b"  # not `integrated graphics is AMD 660M` beside a GPU
)
_FILLER = re.compile(
    r"\b(with|gpus?|cards?|graphics|nvidia|geforce|amd|radeon|apple|of|and|plus|my|a|an|the|in|total|machine|rig|"
    r"box|pc|server|desktop|on|at|for|vram|hbm2e?|hbm3e?|gddr\d?x?|ecc|reg|rdimm|udimm|sodimm|dimms?|sticks?|"
    r"mini\s?pcs?|nodes?|cluster|each|laptop|notebook|ram|memory|system|sys|"
    r"connected|linked|together|clustered|networked|setup|build|home|lab|homelab)\b"
)


# ------------------------------------------------------------------------------------------------- hardware


@dataclass
class _Size:
    gib: float
    qualifier: str | None


@dataclass
class _Piece:
    text: str
    name: str = ""  # the device words left once counts, sizes and memory words are taken out
    count: int = 1
    entry: Hardware | None = None
    sizes: list[_Size] = field(default_factory=list)
    cpu: Cpu | None = None
    sockets: int = 1
    product: UnifiedName | None = None  # a product sold with several chips (`Mac mini`), no chip named
    chip: str | None = None  # the product's chip this reading takes (None: the newest sold with the size)
    bandwidth_gb_s: float | None = None  # stated (`1000GB/s`): describes an unknown device or overrides
    unknown: str | None = None  # device words not in the catalog (described by size and bandwidth, or refused)
    size_each: bool = False  # `2080ti 22g x2`: a size between the name and a count after it is each card's


@dataclass
class _RamSpec:
    generation: str | None = None
    mt_s: int | None = None
    channels: int | None = None
    dimms: int | None = None  # `2 x 16 GB`: no more channels filled than DIMMs


# The DIMM count a rewrite leaves beside the total it read (`2 x 16 GB` -> ` 32gb 2-dimm `), taken in _piece
_DIMM_COUNT = re.compile(r"\b(?P<n>\d{1,2})-dimm\b")


def _dimm_mark(n: int | str) -> str:
    return f" {int(n)}-dimm "


def _to_gib(num: str, unit: str) -> float:
    value = float(num)
    return value * 1024 if unit in ("tb", "tib") else value


_NAME_PLUS = re.compile(r"(max|nitro|\b[5-9]\d{3}[a-z]?|\b\d{4}y)\+(?=\s|,|$|pro\b|\d{3}\b)|(max)\s\+(?=\s*\d{3}\b)")


def _split_parts(text: str) -> list[str]:
    """Parts joined by `+`, `,`, `&`, `and`, `with`, `w/`, `plus`; a `+` inside a product name (`Ryzen AI Max+ 395`,
    `Xeon 8480+`) is kept."""
    s = _NAME_PLUS.sub(lambda m: (m.group(1) or m.group(2)) + "\x00", text)
    s = re.sub(
        r"\s*(?:\+|,|&|;|\||\u00b7|\s/\s|\band\b|\bwith\b|\bw/|\bplus\b|\balong with\b|\balongside\b|:|\bon\b)\s*",
        " + ",
        s,
    )
    parts = [p.strip().replace("\x00", "+") for p in s.split(" + ") if p.strip().replace("\x00", "")]
    return [p for p in parts if p not in ("pcie", "pci-e", "pci e")]  # `走pcie通道` (over PCIe): how cards connect


MAX_MEMORY_GIB = 64 * 1024  # 64 TB: more than any one machine in the catalog; past it the size is a typo
_NEGATIVE = re.compile(r"(?:^|[+(:=]\s*)-\s*\d+(?:\.\d+)?\s*(?:tb|tib|gib|gb|g)(?![a-z])")  # not `pi 5 - 16gb`


def _apu_name(m: re.Match[str], part: str) -> bool:
    """`AMD 5700G`, `ryzen 5 8600g`: an APU's model number, not 5700 GB (sizes of a thousand GB and more are whole
    multiples of 128 GB, and no AMD or Ryzen word comes before them)."""
    if m.group("unit") != "g" or len(m.group("num")) != 4:
        return False
    before = part[: m.start()]
    return int(m.group("num")) % 128 != 0 or bool(re.search(r"\b(?:amd|ryzen(?:\s+[3579])?|athlon)\s*$", before))


def _take_sizes(part: str) -> tuple[list[_Size], str]:
    if _NEGATIVE.search(part):
        raise RigfitError(
            "A memory size can't be negative; try e.g. `24GB VRAM + 64GB RAM`.",
            field="hardware",
            code=ErrorCode.NEGATIVE_SIZE,
        )
    sizes: list[_Size] = []
    rest = part
    for m in reversed(list(_SIZE.finditer(part))):
        if _apu_name(m, part):
            continue
        gib = _to_gib(m.group("num"), m.group("unit"))
        if not 0 < gib <= MAX_MEMORY_GIB:
            raise RigfitError(
                f"`{m.group(0).strip()}` is not a memory size I can size (more than 0 and at most 64 TB).",
                field="hardware",
                code=ErrorCode.SIZE_OUT_OF_RANGE,
            )
        q = _QUALIFIER.match(part[m.end() :])
        qualifier = q.group("q") if q else None
        given = bool(q and q.group("given"))
        qualifier = (
            "vram" if given or qualifier in _GPU_WORDS or (qualifier or "").startswith(("hbm", "gddr")) else qualifier
        )
        end = m.end() + (q.end() if q else 0)
        sizes.insert(0, _Size(gib, qualifier))
        rest = rest[: m.start()] + " " + rest[end:]
    return sizes, rest


# A count after words that carry no number (`finally finished 4x 3090`, `lenovo 2x a6000`): the words stay, to be
# read or dropped as the name's (`epyc 9654 12x64gb` carries a number before its count: DIMMs, read elsewhere)
_COUNT_AFTER_WORDS = re.compile(r"^(?P<words>[a-z][a-z.'\s-]*?)\s+(?P<n>\d{1,3})\s*[x×*]\s*(?=[a-z0-9])")


def _take_count(part: str) -> tuple[int, str]:
    m = _COUNT_PREFIX.match(part)
    if m and not ((m.group("n") or m.group("m")) and _SIZE.match(part)):  # `24gb` is a size, not 24 devices
        digits = m.group("n") or m.group("m")
        n = int(digits) if digits else _COUNT_WORDS[m.group("word") or m.group("hyphened")]
        rest = part[m.end() :]
        inner = re.match(
            r"\s*(?:single\s+)?(?:(?P<n>\d{1,3})\s*[x×*]\s*(?=[a-z])|(?P<w>dual|twin|triple|quad|two|three|four)\s+)",
            rest,
        )
        if not digits and n == 1 and inner:  # `an 8x L40`, `a single 8xMI355X node`, `a dual 4090`: the number counts
            inner_n = int(inner.group("n")) if inner.group("n") else _COUNT_WORDS[inner.group("w")]
            return _checked_count(inner_n, inner.group(0)), rest[inner.end() :]
        return _checked_count(n, m.group(0)), rest
    m = _COUNT_AFTER_WORDS.match(part)
    if m and not _SIZE.match(part[m.end() :]):
        return _checked_count(int(m.group("n")), m.group(0)), f"{m.group('words')} {part[m.end() :]}"
    m = _COUNT_SUFFIX.search(part)
    if m:
        return _checked_count(int(m.group("n")), m.group(0)), part[: m.start()]
    m = _COUNT_WORD_INSIDE.search(part)
    if m:  # `there are two AMD MI50 16G`, `autodl two 3090`: a count word before a vendor or a model number
        return _COUNT_WORDS[m.group("w")], part[: m.start()] + " " + part[m.end() :]
    return 1, part


_COUNT_WORD_INSIDE = re.compile(
    r"\b(?P<w>two|three|four|five|six|seven|eight|dual|triple|quad)\s+"
    r"(?=(?:nvidia|amd|intel|rtx|gtx|radeon|rx|tesla|instinct|arc|quadro|geforce)\b|[a-z]{0,4}\d{2,4}\b)"
)


def _checked_count(n: int, written: str) -> int:
    if not 1 <= n <= MAX_DEVICES:
        raise RigfitError(
            f"`{written.strip()}` is not a number of devices I can size (1 to {MAX_DEVICES}).",
            field="hardware",
            code=ErrorCode.COUNT_OUT_OF_RANGE,
        )
    return n


def _suggestions(name: str, catalog: Catalog) -> tuple[str, ...]:
    res = catalog.hardware_names.resolve(name)
    ids = res.candidates or res.suggestions or catalog.hardware_names.suggest(name)
    named = tuple(catalog.hardware[c].name for c in ids[:5] if c in catalog.hardware)
    return tuple(dict.fromkeys((*_transposed(name, catalog), *named)))[:5]


def _transposed(name: str, catalog: Catalog) -> tuple[str, ...]:
    """A model number typed with two digits swapped (`nvidia 4900` for the 4090): the catalog's hand-entered cards whose
    number has the same digits in another order, the likeliest "did you mean"."""
    digits = re.fullmatch(r"[a-z]{0,3}\s*(\d{3,5})", name.strip().lower())
    if not digits:
        return ()
    want = sorted(digits.group(1))
    found = [
        h.name
        for h in catalog.hardware.values()
        if isinstance(h, Gpu) and h.origin == "catalog"
        for n in re.findall(r"(?<!\d)\d{3,5}(?!\d)", h.name)
        if n != digits.group(1) and sorted(n) == want and _one_swap(n, digits.group(1))
    ]
    return tuple(sorted(set(found), key=len))


def _one_swap(a: str, b: str) -> bool:
    """Whether `a` is `b` with two neighbouring digits swapped."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _unknown_device(name: str, catalog: Catalog) -> RigfitError:
    family = tuple(n for n in _INSTANCES if n.split(".")[0] == name)  # `p4d`, `g6e`: a family of instance types
    return RigfitError(
        f"I don't know the device `{name}`. Try a GPU or machine name, sizes like {HARDWARE_EXAMPLES}, or describe "
        f"it by its memory and bandwidth: {DESCRIBE_EXAMPLE} or `24GB GPU 1000 GB/s`.",
        field="hardware",
        code=ErrorCode.DEVICE_UNKNOWN,
        suggestions=family[:5] or _suggestions(name, catalog),
    )


# Makers of whole machines: one names who built a PC or laptop, not which device is in it (`old dell optiplex`
# is not the Dell Pro Max GB10); with a model name it is part of that name (`dell pro max gb10`, `hp z2 mini g1a`).
_PC_MAKERS = frozenset({"dell", "hp", "hpe", "lenovo", "asus", "acer", "msi", "gigabyte", "supermicro", "razer"})


def _singular(name: str, catalog: Catalog) -> str:
    """`3090s`, `p40s`, `mac minis`, `sparks`: each plural word as its singular, when the word holds a model number or
    its singular is a word some name has (`this` is not a plural of `thi`, `boxes` is one of `box`)."""

    def one(word: str) -> str:
        stem = re.sub(r"(?<=[0-9a-z])(?:e?s)$", "", word)
        if stem == word or not stem:
            return word
        return stem if any(ch.isdigit() for ch in stem) or _known(stem, catalog) else word

    return " ".join(one(w) for w in name.split())


def _find(name: str, catalog: Catalog) -> Hardware | Cpu | UnifiedName | None:
    """A device, CPU or product by name: the catalog's GPUs and machines first, then CPUs, then products sold with
    several chips; a plural (`3090s`, `mac minis`) is read as its singular. Raises when the name is ambiguous."""
    if re.fullmatch(r"\d{1,2}", name) or set(name.split()) <= _PC_MAKERS:  # a count or a size; a maker alone
        return None
    for candidate in dict.fromkeys((name, _singular(name, catalog))):
        exact = catalog.hardware_names.exact(candidate)
        if exact is not None and not isinstance(catalog.hardware[exact], SystemMemory):
            return catalog.hardware[exact]
        named_cpu = _cpu_by_its_name(candidate, catalog)
        if named_cpu is not None:  # `grace superchip`: a CPU's own name, not the words of a GPU's (grace hopper ...)
            return named_cpu
        res = catalog.find_hardware(candidate)
        if res.id is not None and not isinstance(catalog.hardware[res.id], SystemMemory):
            return catalog.hardware[res.id]
        cpu = catalog.find_cpu(candidate)
        if cpu is not None:
            return cpu
        if res.id is not None:
            return catalog.hardware[res.id]
        product = catalog.find_product(candidate)
        if product is not None:
            return product
        mobile = _laptop_only(res.candidates, catalog)
        if mobile is not None:
            return mobile
        if res.candidates and catalog.hardware_words.match(candidate):
            bare = re.sub(r"^(?:nvidia|amd|intel)\s+", "", candidate)  # `nvidia h200`: the vendor's word says no more
            exact = catalog.hardware_names.exact(bare) if bare != candidate else None
            if exact is not None and not isinstance(catalog.hardware[exact], SystemMemory):
                return catalog.hardware[exact]
            names = tuple(catalog.hardware[c].name for c in res.candidates[:5])
            raise RigfitError(
                f"`{name}` could mean several devices.",
                field="hardware",
                code=ErrorCode.DEVICE_AMBIGUOUS,
                suggestions=names,
            )
    return None


# An EC2 instance size after its family (`c7g.16xlarge`, `r8g.metal-24xl`): the family names the CPU, the size only how
# much of it is rented
_EC2_SIZE = re.compile(r"^(?P<family>[a-z]{1,4}\d[a-z]{0,4})\.(?:\d{0,2}xlarge|large|medium|small|metal(?:-\d{2}xl)?)$")


def _cpu_by_its_name(name: str, catalog: Catalog) -> Cpu | None:
    """A CPU whose name or alias is `name` as written (separators and case folded), or whose EC2 instance family it
    is with a size after it."""
    sized = _EC2_SIZE.match(name)
    key = normalise(sized.group("family") if sized else name)
    cpu = catalog.find_cpu(sized.group("family") if sized else name)
    if cpu is None or key not in {normalise(n) for n in (cpu.name, *cpu.aliases)}:
        return None
    return cpu


def _laptop_only(candidates: tuple[str, ...] | None, catalog: Catalog) -> Hardware | None:
    """`RTX 4050`, `3050 Ti`: a GPU sold only in laptops matches its laptop variants alone (Mobile, Max-Q); the
    full-power Mobile part is the one meant, as `rtx 4070 laptop` is read."""
    if not candidates:
        return None
    names = [catalog.hardware[c].name for c in candidates if c in catalog.hardware]
    if not names or not all(re.search(r"\b(?:Mobile|Max-Q|Laptop)\b", n) for n in names):
        return None
    mobile = [c for c in candidates if catalog.hardware[c].name.endswith(" Mobile")]
    return catalog.hardware[mobile[0]] if len(mobile) == 1 else None


def _resolve_name(name: str, catalog: Catalog) -> Hardware | Cpu | UnifiedName | None:
    found = _find(name, catalog)
    if found is not None or set(name.split()) <= _PC_MAKERS:
        return found
    res = catalog.hardware_names.resolve(name)
    mobile = _laptop_only(res.candidates or catalog.find_hardware(name).candidates, catalog)
    if mobile is None and re.match(r"(?:nvidia\s+|geforce\s+)*[2-5]0[5-9]0\b", name):  # `3050 ti`: an RTX number alone
        mobile = _laptop_only(
            catalog.find_hardware("rtx " + re.sub(r"^(?:nvidia\s+|geforce\s+)*", "", name)).candidates, catalog
        )
    if mobile is not None:
        return mobile
    if res.candidates:
        raise RigfitError(
            f"`{name}` could mean several devices.",
            field="hardware",
            code=ErrorCode.DEVICE_AMBIGUOUS,
            suggestions=tuple(catalog.hardware[c].name for c in res.candidates[:5]),
        )
    return None


def _take_bandwidth(part: str) -> tuple[float | None, str]:
    m = _BANDWIDTH.search(part)
    if not m:
        return None, part
    if m.group("gbs"):
        value = float(m.group("gbs"))
    else:
        value = float(m.group("num")) * (1000 if m.group("unit") == "tb" else 1)
    if not 0 < value <= 100_000:
        raise RigfitError(
            f"`{m.group(0).strip()}` is not a bandwidth I can use (more than 0 and at most 100 TB/s).",
            field="hardware",
            code=ErrorCode.SIZE_OUT_OF_RANGE,
        )
    return value, part[: m.start()] + " " + part[m.end() :]


def _clean(rest: str) -> str:
    name = re.sub(r"[^a-z0-9.+\s-]", " ", rest)
    return " ".join(name.split()).strip(" -")


# DIMMs written as count x size after other words (`epyc 9654 12x64gb`: 768 GB), and a breakdown in brackets after
# a size (`256gb (8x32) ddr4`), which says the same amount again.
_DIMMS_AFTER_NAME = re.compile(r"(?<=[a-z0-9+])\s+(?P<n>\d{1,2})\s*[x×]\s*(?P<gib>\d{1,3})\s*(?:gb|g|gib)\b")
_DIMM_BREAKDOWN = re.compile(
    r"(?<=gb)\s*\(\s*\d{1,2}\s*[x×]\s*\d{1,3}\s*(?:gb|g)?\s*\)"
    r"|(?<=[a-z0-9])\s*\(\s*\d{1,2}\s*[x×]\s*\d{1,3}\s*(?:gb|g|gib)\b[^()]*\)"  # `DDR4-2933 (6x 16 GiB ECC RDIMM)`
)


_RAM_CONTEXT = re.compile(r"\b(?:epyc|xeon|threadripper|ryzen|core|i[3579]|(?:lp)?ddr[345]x?|ram|memory|r?dimms?)\b")


# a count after a DIMM's size and its memory words: `64G 4800MHz DDR5 x12`, `ddr4 2933 64g*8`
_DIMMS_COUNTED_AFTER = re.compile(
    r"\b(?P<gib>\d{1,3})\s*(?:gb|g|gib)\b(?P<mid>[^+]*?)\s*[x×*]\s*(?P<n>\d{1,2})\s*(?P<end>(?:ram|memory)?\s*)$"
)


def _dimm_totals(part: str) -> str:
    part = _DIMM_BREAKDOWN.sub(" ", part)
    if not _RAM_CONTEXT.search(part):  # `rtx 3090 2x24gb` is not DIMMs
        return part
    part = _DIMMS_COUNTED_AFTER.sub(
        lambda m: (
            f"{int(m.group('n')) * int(m.group('gib'))}gb {m.group('mid')} {m.group('end')}" + _dimm_mark(m.group("n"))
        ),
        part,
    )
    part = re.sub(r"\(\s*\d{1,2}\s*[x×]\s*\d{1,3}\s*(?:gb|g)\s*\)", " ", part)  # `512gb ddr4-3200 (8x64gb)`
    return _DIMMS_AFTER_NAME.sub(
        lambda m: f" {int(m.group('n')) * int(m.group('gib'))}gb" + _dimm_mark(m.group("n")), part
    )


def _piece(part: str, catalog: Catalog, ram: _RamSpec) -> _Piece:
    part = _dimm_totals(part)
    for dm in _DIMM_COUNT.finditer(part):  # said twice (a breakdown beside its total), the larger count
        ram.dimms = max(ram.dimms or 0, int(dm.group("n")))
    part = _DIMM_COUNT.sub(" ", part)
    bandwidth, part = _take_bandwidth(part)
    ch = _CHANNELS.search(part)
    if ch:
        ram.channels = int(ch.group("n")) if ch.group("n") else _CHANNEL_WORDS[ch.group("word")]
        part = part[: ch.start()] + " " + part[ch.end() :]
    sockets = 1
    so = _SOCKETS.search(part)  # before the count: `single socket epyc` is one socket, not one device
    if so:
        sockets = int(so.group("n")) if so.group("n") else _SOCKET_WORDS[so.group("word")]
        part = part[: so.start()] + " " + part[so.end() :]
    suffix = _COUNT_SUFFIX.search(part)  # `evo x2` is a name; `thinkstation pgx x2` two of them
    named = (
        suffix
        and catalog.hardware_words.match(_clean(part))
        and not _names_other(part[: suffix.start()], part, catalog)
    )
    count, rest = (1, part) if named else _take_count(part)
    size_each = count > 1 and not named and bool(_COUNT_SUFFIX.search(part)) and bool(_SIZE.search(rest))
    if re.fullmatch(r"\s*\d{1,3}\s*", rest) and count == 1:  # `4 each`: a count for the device before it
        return _Piece(text=part, count=_checked_count(int(rest), rest), sockets=sockets)
    rest = re.sub(r"\blpddr\w*\s+(?=unified\b)", " ", rest)  # `128 GB LPDDR5X unified`: the unified memory's kind
    ddr = _DDR.search(rest)
    if ddr:
        ram.generation = ddr.group("gen").upper()
        ram.mt_s = int(ddr.group("mts")) if ddr.group("mts") else ram.mt_s
        rest = rest[: ddr.start()] + " ram " + rest[ddr.end() :]
    mrdimm = re.search(r"\bmr-?dimms?(?:[-\s@]*(?P<mts>[1-9]\d{3})(?:\s*mt/?s)?)?\b", rest)
    if mrdimm:  # multiplexed-rank DDR5 DIMMs: Xeon 6's 8800 MT/s part unless a speed is stated
        stated = int(mrdimm.group("mts")) if mrdimm.group("mts") else None
        ram.generation, ram.mt_s = "DDR5", stated or ram.mt_s or MRDIMM_MT_S
        rest = rest[: mrdimm.start()] + " ram " + rest[mrdimm.end() :]
    speed = re.search(
        r"(?:@\s*|\bat\s+)?\b(?P<mts>[1-9]\d{3})\s*(?:mt/?s|mhz)\b|@\s*(?P<bare>[1-9]\d{3})\b"
        r"|(?<=\dgb)\s+(?P<after>(?:1[6-9]|[2-8]\d)\d{2})\b(?!\s*(?:gb|g\b|x))",  # `64gb 3600`: DDR speed after a size
        rest,
    )
    if speed:
        ram.mt_s = int(speed.group("mts") or speed.group("bare") or speed.group("after"))
        rest = rest[: speed.start()] + " " + rest[speed.end() :]
    sizes, rest = _take_sizes(rest)
    if ddr:
        sizes = [_Size(s.gib, s.qualifier or "ram") for s in sizes]
    so = _SOCKETS.search(rest)
    if so:
        sockets = int(so.group("n")) if so.group("n") else _SOCKET_WORDS[so.group("word")]
        rest = rest[: so.start()] + " " + rest[so.end() :]
    piece = _Piece(text=part, count=count, sizes=sizes, bandwidth_gb_s=bandwidth, sockets=sockets, size_each=size_each)
    raw = _clean(re.sub(r"\b(?:ram|memory|system|sys|of|unified)\b", " ", rest))
    name = _clean(_FILLER.sub(" ", rest))
    piece.name = name
    if not name:
        return piece
    if name.endswith(CUT_NAME):
        piece.entry = _cut_name(name.removesuffix(CUT_NAME).strip(), catalog)
        return piece
    said = name
    # `strix halo 128`: a unified machine's own name would match without its size, so its trailing size is read first
    found: Hardware | Cpu | UnifiedName | None = _gfx_device(name, sizes, catalog)
    if found is None:
        found, name = _trailing_size(name, piece, catalog) if not sizes else (None, name)
    if found is None:
        found = (_resolve_name(raw, catalog) if raw and raw != name else None) or _resolve_sized(name, sizes, catalog)
    if found is None:
        found, name = _without_kit_words(name, catalog)
    if found is None:
        found, name = _resolve_known_words(name, sizes, catalog)
    if found is None:
        found, name = _resolve_part(name, catalog)
        piece.name = name
        if not name:
            return piece
    if isinstance(found, Gpu) and _CPU_MODEL.fullmatch(said):  # `ryzen 5 5500` is a CPU, not the RX 5500M
        found, piece.name, piece.unknown = None, said, said
    if isinstance(found, Gpu) and re.search(r"\b(?:motherboard|mobo|mainboard)\b", part):
        return _Piece(text=part)  # `W790 motherboard` is a board, not the Radeon PRO W7900
    if isinstance(found, Cpu):
        piece.cpu = found
        boards = found.max_sockets is not None and count > found.max_sockets  # `2x raspberry pi 5`: machines
        if count > 1 and sockets == 1 and not boards:  # `2x xeon gold 6138`, `dual epyc 9654`: sockets, not machines
            piece.sockets, piece.count = count, 1
    elif isinstance(found, UnifiedName):
        piece.product = found
    elif found is not None:
        piece.entry = found
    elif piece.unknown is None:
        piece.unknown = name
    return piece


def _names_other(text: str, suffixed: str, catalog: Catalog) -> bool:
    """`thinkstation pgx x2`: the words before a suffix count name a device of their own (not the one the whole name
    would be: `evo x2`)."""
    try:
        before = _find(_clean(_FILLER.sub(" ", text)), catalog) if _clean(_FILLER.sub(" ", text)) else None
        whole = _find(_clean(_FILLER.sub(" ", suffixed)), catalog)
    except RigfitError:
        return False
    return before is not None and before != whole


def _resolve_sized(name: str, sizes: list[_Size], catalog: Catalog) -> Hardware | Cpu | UnifiedName | None:
    """A name that could mean several devices, with a size that picks one: `jetson orin 64gb`."""
    try:
        return _resolve_name(name, catalog)
    except RigfitError as err:
        if err.code is not ErrorCode.DEVICE_AMBIGUOUS or len(sizes) != 1:
            raise
        found = _resolve_name(f"{name} {sizes[0].gib:g}gb", catalog)
        if found is None:
            raise
        return found


def _trailing_size(name: str, piece: _Piece, catalog: Catalog) -> tuple[Hardware | Cpu | UnifiedName | None, str]:
    """`m2 ultra 192`, `mac studio 512`: a bare number after a unified machine's name is its memory in GB when the
    machine was sold with that much (a GPU's or CPU's name ends in numbers of its own, so only unified machines)."""
    m = re.fullmatch(r"(?P<name>.*\S)\s+(?P<gib>\d{2,4})", name)
    if m is None:
        return None, name
    try:
        found = _resolve_name(m.group("name"), catalog)
    except RigfitError:
        return None, name
    gib = int(m.group("gib"))
    sold: tuple[int, ...] = ()
    if isinstance(found, Unified):
        sold = _sold_sizes(found, catalog)
    elif isinstance(found, UnifiedName):
        sold = tuple(s for c in found.configs for s in c.memory_gib)
    if gib not in sold:
        return None, name
    piece.sizes.append(_Size(float(gib), None))
    return found, m.group("name")


def _resolve_part(name: str, catalog: Catalog) -> tuple[Hardware | Cpu | UnifiedName | None, str]:
    """`sapphire rapids 8468`, `xeon 8380 ice lake`, `n100 mini`: a name no entry has as a whole, whose longest run
    of words holding a model number names one (the other words say the same thing another way). A run without a
    model number is never taken alone (`rtx 9999` does not become `rtx`)."""
    ws = name.split()
    for size in range(len(ws) - 1, 0, -1):
        for start in range(len(ws) - size + 1):
            run = ws[start : start + size]
            if not any(re.search(r"\d", w) for w in run):
                continue
            if start + size < len(ws) and ws[start + size] in _VARIANT_WORDS and re.search(r"\d", run[-1]):
                continue  # `3050 ti` is not the 3050 it starts with
            try:
                found = _resolve_name(" ".join(run), catalog)
            except RigfitError:
                continue
            if found is not None:
                return found, " ".join(run)
    return None, name


_VARIANT_WORDS = frozenset({"ti", "super", "xt", "xtx", "gre"})
_KIT_WORDS = re.compile(r"\b(?:dev(?:eloper)?\s+kit|module|board)\b")


def _without_kit_words(name: str, catalog: Catalog) -> tuple[Hardware | Cpu | UnifiedName | None, str]:
    """`jetson agx thor dev kit`, `jetson orin module`: the form a machine is sold in, after its name, is not part
    of it (the catalog's own product names with `dev kit` are found before this)."""
    rest = _clean(_KIT_WORDS.sub(" ", name))
    if rest == name or not rest:
        return None, name
    try:
        found = _resolve_name(rest, catalog)
    except RigfitError:
        return None, name
    return (found, rest) if found is not None else (None, name)


def _known(word: str, catalog: Catalog) -> bool:
    indexes = (catalog.hardware_words, catalog.cpu_words, catalog.product_words)
    return any(index.knows(word) for index in indexes)


def _resolve_known_words(
    name: str, sizes: list[_Size], catalog: Catalog
) -> tuple[Hardware | Cpu | UnifiedName | None, str]:
    """`3090 from ebay`, `free colab t4`, `xeon 8480 es`: words no device, CPU or product name has, and no digit,
    say something about the device, not which it is; the rest is read without them. A name left with no word is
    no device (`for ktransformers`); an unknown word with a digit (`RTX 9999`) is never dropped."""
    kept = [
        w
        for w in name.split()
        if (any(ch.isdigit() for ch in w) or _known(w, catalog)) and w not in _PC_MAKERS and w not in _STOPWORDS
    ]
    if len(kept) == len(name.split()):
        return None, name
    if kept and not any(ch.isdigit() for w in kept for ch in w) and len(kept) * 2 < len(name.split()):
        return None, ""  # `maxn power mode`, `though it's slow compared to ...`: a remark holding a name's word
    rest = " ".join(kept)
    bare_number = any(re.fullmatch(r"\d{1,2}", w) for w in kept)
    if bare_number and not any(_MODEL_NUMBER.search(w) for w in kept) and not catalog.find_product(rest):
        return None, name  # `generation 1` (of `token generation speed less than 1/minute`) names no device
    return (_resolve_sized(rest, sizes, catalog) if rest else None), rest


# Words of a sentence that some catalog alias happens to hold (`it`, `as`) but never name a device on their own; a
# model number is a word mixing letters and digits, or three digits and more (`a6000`, `3090`), not `1`
_STOPWORDS = frozenset(
    {
        *("it", "as", "is", "to", "be", "by", "so", "if", "or", "at", "on", "in", "of", "do", "no", "up", "we", "me"),
        *("us", "am", "an", "a", "the", "and", "for", "but", "not", "all", "can", "its", "has", "had", "was", "are"),
        *("my", "our", "you", "your", "this", "that", "these", "those", "than", "then", "when", "which", "while"),
        "project",  # `Project DIGITS` (the DGX Spark): `run with this project` names no machine
        # software whose name holds a digit (`GPT4All runs Mistral ... on my 6600M GPU`): an app, not a model number
        *("gpt4all", "exllamav2", "exllamav3", "exl2", "exl3"),
    }
)
_MODEL_NUMBER = re.compile(r"[a-z]\d|\d[a-z]|\d{3,}")


def _typical_gpu(gib: float, catalog: Catalog) -> tuple[GpuDevice, Assumption]:
    wanted = TYPICAL_GPU_BY_GIB.get(round(gib))
    entry = catalog.hardware.get(wanted or "")
    if not isinstance(entry, Gpu):
        same = sorted(
            (h for h in catalog.hardware.values() if isinstance(h, Gpu) and round(h.memory_gib) == round(gib)),
            key=lambda h: h.name,
        )
        entry = same[0] if same else None
    if isinstance(entry, Gpu):
        typical = Assumption(
            kind=AssumptionKind.TYPICAL_GPU, size_gib=gib, device=entry.name, bandwidth_gb_s=entry.bandwidth_gb_s
        )
        return gpu_device(entry).model_copy(update={"memory_bytes": int(gib * GIB)}), typical
    device = GpuDevice(name=f"{gib:g} GB GPU", memory_bytes=int(gib * GIB))
    return device, Assumption(kind=AssumptionKind.UNKNOWN_GPU_SIZE, size_gib=gib)


def _ram(gib: float, spec: _RamSpec, platform: SystemMemory | None) -> tuple[SystemRam, tuple[Assumption, ...]]:
    if platform is not None:
        return platform_ram(platform, gib), ()
    ram, assumed = spec_ram(gib, spec.generation, spec.mt_s, spec.channels, spec.dimms)
    if not assumed:
        return ram, ()
    read = Assumption(
        kind=AssumptionKind.RAM_SPEC, device=ram.description, bandwidth_gb_s=ram.bandwidth_gb_s, assumed=assumed
    )
    return ram, (read,)


def _chip(name: str) -> str:
    """ "Apple M4 Max (32-core GPU)" -> "Apple M4 Max", "Jetson AGX Orin 64GB" -> "Jetson AGX Orin": the chip a
    catalog name's builds share."""
    return re.sub(r"\s*(?:\(.*\)|\d+\s*GB)$", "", name)


def _unified_variant(entry: Unified, gib: float | None, catalog: Catalog) -> Unified:
    """ "M4 Max 36GB": a size the named chip is not sold with picks the catalog's other build of the same chip that
    is (the binned 32-core GPU), when there is exactly one."""
    if gib is None or int(gib) in entry.memory_gib_options:
        return entry
    builds = [
        h
        for h in catalog.hardware.values()
        if isinstance(h, Unified)
        and h is not entry
        and _chip(h.name) == _chip(entry.name)
        and int(gib) in h.memory_gib_options
    ]
    return builds[0] if len(builds) == 1 else entry


# What an OS reports of a unified machine's memory (`Unified RAM: 124 GiB` of a 128 GB Strix Halo) is a little under
# the size it was sold with: within this share below a sold size, it is that size.
REPORTED_SIZE_SHORTFALL = 0.06


def _reported_size(gib: float, sold: tuple[int, ...]) -> float:
    near = [s for s in sold if s * (1 - REPORTED_SIZE_SHORTFALL) <= gib < s]
    return float(near[0]) if near else gib


def _unified_readings(entry: Unified, gib: float | None, sold: tuple[int, ...] = ()) -> list[Reading]:
    if gib is not None:
        gib = _reported_size(gib, sold or entry.memory_gib_options)
        options = [int(gib)]
        if int(gib) not in (sold or entry.memory_gib_options):
            sizes = ", ".join(f"{s}GB" for s in (sold or entry.memory_gib_options))
            raise RigfitError(
                f"{entry.name} is sold with {sizes}, not {gib:g}GB.",
                field="hardware",
                code=ErrorCode.SIZE_NOT_SOLD,
                suggestions=tuple(f"{entry.name} {s}GB" for s in entry.memory_gib_options),
            )
    else:
        options = sorted(entry.memory_gib_options, reverse=True)[:4]
    out = []
    for size in options:
        pool = unified_pool(entry, size)
        notes = [_gpu_limit(pool, size)]
        if gib is None:
            notes.append(Assumption(kind=AssumptionKind.SIZES_SHOWN, device=entry.name))
        if pool.raised_limit_bytes:
            notes.append(Assumption(kind=AssumptionKind.WIRED_LIMIT_RAISABLE))
        out.append(Reading(label=pool.name, rig=Rig(unified=pool), assumptions=tuple(notes)))
    return out


def _with_carve_out(reading: Reading, gpu_gib: float) -> Reading:
    """The GPU's share of a unified machine as the phrase stated it (a BIOS carve-out), not the catalog's default."""
    pool = reading.rig.unified
    assert pool is not None
    pool = pool.model_copy(update={"gpu_limit_bytes": int(gpu_gib * GIB), "gpu_limit_basis": "stated"})
    size_gib = round(pool.memory_bytes / GIB)
    notes = tuple(_gpu_limit(pool, size_gib) if a.kind is AssumptionKind.GPU_LIMIT else a for a in reading.assumptions)
    return reading.model_copy(update={"rig": reading.rig.model_copy(update={"unified": pool}), "assumptions": notes})


def _gpu_limit(pool: UnifiedPool, size_gib: int) -> Assumption:
    return Assumption(
        kind=AssumptionKind.GPU_LIMIT,
        size_gib=size_gib,
        limit_gib=pool.gpu_limit_bytes / GIB,
        gpu_limit_basis=pool.gpu_limit_basis,
        gpu_limit_source=pool.gpu_limit_source,
    )


def _bare_readings(gib: float, catalog: Catalog, ram_spec: _RamSpec) -> list[Reading]:
    """A bare size: a card's size (`24GB`: one GPU of that size), else most likely a PC's system RAM (`64gb`,
    `256GB`: no single consumer card has more than 32 GB, and people name a Mac or a Strix Halo box by its chip,
    as the phrase table's unified rows all do); then unified memory, a 24 GB GPU beside that much RAM, pooled VRAM."""
    readings: list[Reading] = []
    size_first = gib <= 32
    if size_first:
        device, note = _typical_gpu(gib, catalog)
        readings.append(Reading(label=f"one {gib:g} GB GPU", rig=Rig(gpus=(device,)), assumptions=(note,)))
    else:
        ram, ram_notes = _ram(gib, ram_spec, None)
        notes = (Assumption(kind=AssumptionKind.RAM_NO_GPU), *ram_notes)
        readings.append(Reading(label=f"{gib:g} GB system RAM, no GPU", rig=Rig(ram=ram), assumptions=notes))
    unified = _unified_for_size(gib, catalog)
    if unified is not None:
        reading = _unified_readings(unified, gib)[0]
        readings.append(
            reading.model_copy(
                update={
                    "label": f"{gib:g} GB unified memory ({unified.name})",
                    "assumptions": (
                        Assumption(kind=AssumptionKind.READ_AS_UNIFIED, device=unified.name, size_gib=gib),
                        *reading.assumptions,
                    ),
                }
            )
        )
    if not size_first:
        gpu, gpu_note = _typical_gpu(24, catalog)
        ram, ram_notes = _ram(gib, ram_spec, None)
        notes = (Assumption(kind=AssumptionKind.RAM_BESIDE_GPU, beside=gpu_note), *ram_notes)
        readings.append(
            Reading(label=f"24 GB GPU + {gib:g} GB system RAM", rig=Rig(gpus=(gpu,), ram=ram), assumptions=notes)
        )
        pooled = _pooled(gib, catalog)
        if pooled is not None:
            readings.append(pooled)
    else:
        ram, ram_notes = _ram(gib, ram_spec, None)
        notes = (Assumption(kind=AssumptionKind.RAM_NO_GPU), *ram_notes)
        readings.append(Reading(label=f"{gib:g} GB system RAM, no GPU", rig=Rig(ram=ram), assumptions=notes))
    return readings


MAX_UNIFIED_READINGS = 4


def _any_unified(gib: float, catalog: Catalog) -> list[Reading]:
    """'128GB unified': every catalog machine sold with that much unified memory, fastest memory first."""
    machines = sorted(
        (h for h in catalog.hardware.values() if isinstance(h, Unified) and int(gib) in h.memory_gib_options),
        key=lambda h: -h.bandwidth_gb_s,
    )[:MAX_UNIFIED_READINGS]
    if not machines:
        sizes = sorted({s for h in catalog.hardware.values() if isinstance(h, Unified) for s in h.memory_gib_options})
        raise RigfitError(
            f"No unified-memory machine in the catalog has {gib:g} GB; they come with "
            f"{', '.join(f'{s}GB' for s in sizes)}.",
            field="hardware",
            code=ErrorCode.NO_UNIFIED_OF_SIZE,
        )
    note = Assumption(kind=AssumptionKind.UNIFIED_MACHINES, size_gib=gib)
    return [
        r.model_copy(update={"assumptions": (note, *r.assumptions)})
        for m in machines
        for r in _unified_readings(m, gib)
    ]


def _unified_for_size(gib: float, catalog: Catalog) -> Unified | None:
    fits = [h for h in catalog.hardware.values() if isinstance(h, Unified) and int(gib) in h.memory_gib_options]
    if not fits:
        return None
    return max(fits, key=lambda h: (h.release_date.isoformat() if h.release_date else "", h.bandwidth_gb_s))


def _pooled(gib: float, catalog: Catalog) -> Reading | None:
    options = []
    for gpu_id in POOLED_GPU_IDS:
        g = catalog.hardware.get(gpu_id)
        if isinstance(g, Gpu):
            n = gib / g.memory_gib
            if n == int(n) and 2 <= n <= 8:
                options.append((int(n), g))
    if not options:
        return None
    n, g = min(options, key=lambda o: o[0])
    device = gpu_device(g)
    return Reading(
        label=f"{gib:g} GB pooled VRAM ({n}x {g.name})",
        rig=Rig(gpus=(device,) * n),
        assumptions=(Assumption(kind=AssumptionKind.POOLED_VRAM, count=n, device=g.name, size_gib=g.memory_gib),),
    )


# Device lines pasted from backend logs and tools (`ggml_cuda_init: found 2 CUDA devices: Device 0: NVIDIA GeForce
# RTX 3090, compute capability 8.6, VMM: yes`, `ggml_vulkan: 0 = AMD Radeon RX 7900 XTX (RADV NAVI31) | uma: 0`,
# `Vulkan0: ...`, `SYCL0: ...`, rocminfo's `Marketing Name:`): each device entry becomes one part, the rest goes.
_LOG_DEVICE = re.compile(r"\bdevice\s*\d+\s*:|\bggml_vulkan:\s*\d+\s*=|\b(?:vulkan|sycl|cuda|rocm|hip|metal)\d+\s*:")
_LOG_NOISE = re.compile(
    r"\b(?:ggml_cuda_init|ggml_init_cublas|ggml_vulkan|ggml_\w+_init)\s*:|\bfound\s+\d+\s+(?:cuda|rocm|vulkan|sycl)\s+devices?\s*:?"
    r"|,?\s*compute capability\s*\d+(?:\.\d+)?|,?\s*vmm\s*:\s*(?:yes|no)\b|\|\s*uma\s*:.*?(?=\+|\n|$)"
    r"|\((?:radv|intel open-source|amd open-source|nvidia|intel corporation)\b[^)]*\)|\(gfx\d+[a-z]?\)"
    r"|\bmarketing name\s*:|\((?:r|tm)\)"
    # Metal's `GPU name:`; ROCm's `, gfx1100 (0x1100), ... Wave Size: 32`
    r"|\bgpu name\s*:|,\s*gfx[0-9a-f]{3,4}\b|\(0x[0-9a-f]+\)|,?\s*wave size\s*:\s*\d+"
    # the driver's MiB figures (`(24080 MiB, 23500 MiB free)`, `- 23859 MiB free`): not the memory the card is sold with
    r"|\(\s*\d+\s*mib(?:\s*,\s*\d+\s*mib\s*free)?\s*\)|-?\s*\b\d+\s*mib\s*free\b"
    r"|\(\s*total vram\s*:\s*\d+\s*mib\s*\)"
)
# What llama.cpp prints of a device's memory (`VRAM: 2002 MiB`, `(2002 MiB, 1974 MiB free)`) is a little under the
# memory the card is sold with: the whole GB it rounds up to (a 2 GB 940MX where the database row has 1 GB)
_LOG_VRAM = re.compile(
    r",?\s*(?<!total )\bvram\s*:\s*(?P<a>\d+)\s*mib\b|\(\s*(?P<b>\d+)\s*mib\s*,\s*\d+\s*mib\s*free\s*\)"
)


def _log_vram(m: re.Match[str]) -> str:
    gib = int(m.group("a") or m.group("b")) / 1024
    return f" {int(gib + 0.7)}gb vram "


# nvidia-smi's second row for a card: fan, temperature, performance state, power, memory in use / on the card, load
_SMI_STATS = re.compile(r"\|?\s*(?:\d{1,3}%|n/a)\s+\d{1,3}c\s+p\d{1,2}\b[^\n]*")
# an nvidia-smi table row: `|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0 Off |   N/A |`
_SMI_ROW = re.compile(r"\|\s*\d{1,2}\s+(?P<name>[^|]*?)\s+(?:on|off|wddm|tcc)\s*\|[^\n]*")
# Apple's `(12C CPU, 38C GPU)` and `16-core CPU 40-core GPU`: the CPU cores go, the GPU cores name the variant
_APPLE_CPU_CORES = re.compile(r"\b\d{1,2}\s*-?\s*c(?:ore)?s?\s+cpus?\b\s*[,/]?")
_APPLE_GPU_CORES = re.compile(r"\(?\s*\b(?P<n>\d{1,2})\s*-?\s*c(?:ore)?s?\s+gpus?\b\s*\)?")
# Gaming-laptop model names say a laptop, not a device (`Legion 7`, `Zephyrus G14`, `Razer Blade 16`)
_LAPTOP_MODELS = re.compile(
    r"\b(?:lenovo\s+)?legion(?:\s+(?:pro|slim))?(?:\s+[579]i?)?(?:\s+pro)?\b"
    r"|\b(?:(?:lenovo\s+)?legion\s+)?y[79]000[kpx]?\b"  # Legion's names in China (`Legion Y9000P`)
    r"|\b(?:asus\s+)?(?:rog\s+)?zephyrus(?:\s+[gms]\d{2})?\b|\brazer\s+blade(?:\s+1[4-8])?\b"
    r"|\b(?:hp\s+)?omen(?:\s+1[4-7])?\b|\b(?:acer\s+)?predator\s+helios(?:\s+(?:neo\s+)?1[4-8])?\b"
    r"|\bframework\s+(?:laptop\s+)?1[36]\b|\bframework\s+laptop\b"
    r"|\b(?:asus\s+)?(?:rog\s+)?strix\s+(?:scar|g)\s*1[4-8]\b|\balienware\s+[mx]1[4-8]\b"
    r"|\bmsi\s+(?:titan|raider|stealth|vector|crosshair)(?:\s+[a-z]{0,2}\d{2})?\b"
    # mobile workstations: Lenovo ThinkPad P14s-P17, Dell Precision 3000-7000 laptops
    r"|\b(?:lenovo\s+)?thinkpad\s+p1[4-7]s?(?:\s+gen\s*\d)?\b|\b(?:dell\s+)?precision\s+[357]\d{3}\b"
    r"|\b(?:dell\s+)?xps\s+1[3-7]\b(?=.*\b(?:rtx|gtx|geforce)\b)"  # `XPS 17 RTX 4080 Laptop`; `xps 13 16gb` has no GPU
    r"|\b(?:dell\s+)?xps\s+1[3-7]\s+9\d{3}\b"  # with its model number (`XPS 17 9720`): the laptop itself
)
# ASUS model codes after a laptop's name (`ROG Strix G16 G615JMR`, `Flow Z13 (GZ302EA)`): the same laptop again
_LAPTOP_CODES = re.compile(r"\(?\bg[a-z]?\d{3}[a-z]{1,3}\b\)?")


# The LLVM targets ROCm and RADV print for AMD GPUs, and the catalog devices each is, from AMD's table of products
# by target (rocm.docs.amd.com/en/latest/reference/gpu-arch-specs.html, as copied in code-index files 60562726543 and
# 54178751376: Instinct, Radeon PRO, Radeon and Ryzen APU tables); hand catalog entries that carry a `gfx_target`
# join their target's list. A target several products share is read as one only when a stated size leaves one
# (`gfx1100 24gb` is the RX 7900 XTX); else the phrase is asked about, with the products as suggestions. gfx1151 is
# one chip, Strix Halo (the Radeon 8060S, and the 8050S of the Ryzen AI Max 385/390): without a size it reads as the
# Ryzen AI Max+ 395, the part benchmarked, with the sizes it is sold with.
_GFX_TARGETS: dict[str, tuple[str, ...]] = {
    "gfx906": ("mi50-16gb", "mi50-32gb", "mi60", "tpu-radeon-vii", "tpu-radeon-pro-vii"),
    "gfx908": ("mi100",),
    "gfx90a": ("mi210", "tpu-radeon-instinct-mi250", "tpu-radeon-instinct-mi250x"),
    "gfx942": ("mi300x", "mi325x", "tpu-radeon-instinct-mi300a"),
    "gfx950": ("mi355x", "mi350x"),
    "gfx1030": (
        "tpu-radeon-rx-6800",
        "tpu-radeon-rx-6800-xt",
        "tpu-radeon-rx-6900-xt",
        "tpu-radeon-rx-6950-xt",
        "tpu-radeon-pro-w6800",
        "radeon-pro-v620",
    ),
    "gfx1100": (
        "rx-7900-xtx",
        "rx-7900-xt",
        "tpu-radeon-rx-7900-gre",
        "radeon-pro-w7900",
        "tpu-radeon-pro-w7800",
        "tpu-radeon-pro-w7800-48-gb",
    ),
    "gfx1101": ("tpu-radeon-rx-7800-xt", "tpu-radeon-rx-7700-xt", "tpu-radeon-rx-7700", "tpu-radeon-pro-w7700"),
    "gfx1151": ("strix-halo-395", "amd-ryzen-ai-max-385-radeon-8050s"),
    "gfx1200": ("rx-9060-xt-16gb", "tpu-radeon-rx-9060-xt-8-gb", "tpu-radeon-rx-9060"),
    "gfx1201": ("rx-9070-xt", "rx-9070", "tpu-radeon-rx-9070-gre", "radeon-ai-pro-r9700", "radeon-ai-pro-r9700s"),
}
_ONE_CHIP_TARGETS = frozenset({"gfx1151"})  # several catalog entries, one chip: read without a size
# A device line that names only AMD's generic `Radeon Graphics` and its target: ROCm's `AMD Radeon Graphics, gfx1151
# (0x1151)`, RADV's `AMD Radeon Graphics (RADV GFX1151)`: the target is the name.
_GENERIC_RADEON = re.compile(
    r"\b(?:amd\s+)?radeon(?:\s*\((?:tm|r)\))?\s+graphics\s*(?:,\s*|\(\s*radv\s+)(?P<gfx>gfx[0-9a-f]{3,4})\b"
    r"(?::[a-z]+[+-])*\)?"
)


def _gfx_device(name: str, sizes: list[_Size], catalog: Catalog) -> Hardware | None:
    """`gfx1151`, `gfx1100 24gb`: the catalog device an LLVM target is, or None when `name` is not a target; raises
    with the products as suggestions when the target (and size) leaves several."""
    m = re.fullmatch(r"(?:(?:amd|radeon|rocm|hip|vulkan)\s+)*(?P<gfx>gfx[0-9a-f]{3,4})", name)
    if m is None or not _gfx_entries(m.group("gfx"), catalog):
        return None
    gfx = m.group("gfx")
    entries = _gfx_entries(gfx, catalog)
    gib = [round(s.gib) for s in sizes if s.qualifier in (*_VRAM_WORDS, *_UNIFIED_SAID)]
    if gib:
        entries = [e for e in entries if _sold_with(e, gib[0], catalog)] or entries
    if len(entries) == 1 or (entries and gfx in _ONE_CHIP_TARGETS):
        return entries[0]
    raise RigfitError(
        f"`{gfx}` is the chip of several devices; which one (or how much memory)?",
        field="hardware",
        code=ErrorCode.DEVICE_AMBIGUOUS,
        suggestions=tuple(e.name for e in entries[:5]),
    )


def _gfx_entries(gfx: str, catalog: Catalog) -> list[Hardware]:
    """The catalog devices of an LLVM target: the table's, in its order, then hand entries that carry the target."""
    ids = [
        *_GFX_TARGETS.get(gfx, ()),
        *(h.id for h in catalog.hardware.values() if getattr(h, "gfx_target", None) == gfx),
    ]
    return [catalog.hardware[i] for i in dict.fromkeys(ids) if i in catalog.hardware]


def _sold_with(entry: Hardware, gib: int, catalog: Catalog) -> bool:
    if isinstance(entry, Unified):
        return gib in _sold_sizes(entry, catalog)
    return isinstance(entry, Gpu) and round(entry.memory_gib) == gib


CUT_NAME = "cutname"  # marks a name nvidia-smi cut short (`NVIDIA GeForce GTX 1660 ...`)


def _smi_name(m: re.Match[str]) -> str:
    name = m.group("name").strip()
    return f" + {name[:-3].strip()} {CUT_NAME} + " if name.endswith("...") else f" + {name} + "


def _cut_name(name: str, catalog: Catalog) -> Hardware:
    """The card a cut name begins (`gtx 1660 ...`): the one desktop card whose name has all its words, else a
    question naming those that do (the GTX 1660, 1660 SUPER and 1660 Ti have the same 6 GB, not the same speed)."""
    *whole, cut = name.split() or [""]

    def begun(h: Gpu) -> bool:
        words = set(re.split(r"[^a-z0-9]+", h.name.lower()))
        return set(whole) <= words and any(w.startswith(cut) for w in words)

    found = [
        h
        for h in catalog.hardware.values()
        if isinstance(h, Gpu) and begun(h) and not re.search(r"mobile|max-q|laptop|embedded", h.name.lower())
    ]
    hand = [h for h in found if h.origin == "catalog"]  # `RTX PRO 6000 Blac...`: the catalog's own entry
    if len(found) == 1 or len(hand) == 1:
        return (hand or found)[0]
    if not found:  # `RTX 4050 ...`: a card sold only in laptops is its Mobile part
        laptop = tuple(h.id for h in catalog.hardware.values() if isinstance(h, Gpu) and begun(h))
        mobile = _laptop_only(laptop, catalog)
        if isinstance(mobile, Gpu) and len(laptop) <= 3:
            return mobile
        raise _unknown_device(name, catalog)
    raise RigfitError(
        f"nvidia-smi cut the name short (`{name} ...`): which card is it?",
        field="hardware",
        code=ErrorCode.DEVICE_AMBIGUOUS,
        suggestions=tuple(h.name for h in sorted(found, key=lambda h: len(h.name))[:5]),
    )


def _log_lines(s: str) -> str:
    s = _GENERIC_RADEON.sub(r" \g<gfx> ", s)
    s = _SMI_STATS.sub(" ", s)
    s = _SMI_ROW.sub(_smi_name, s)
    s = _LOG_DEVICE.sub(" + ", s)
    s = _LOG_VRAM.sub(_log_vram, s)
    s = _LOG_NOISE.sub(" ", s)
    s = re.sub(r"(?<=[a-z0-9])-(?=\d+\s*gb\b)", " ", s)  # nvidia-smi's `A100-SXM4-80GB`, `V100-PCIE-16GB`
    s = re.sub(r"(?<=\d)-(?=(?:sxm\d?|pcie|nvl)\b)", " ", s)
    return _LAPTOP_CODES.sub(" ", _LAPTOP_MODELS.sub(" laptop ", _apple_cores(s)))


def _apple_cores(s: str) -> str:
    s = _APPLE_CPU_CORES.sub(" ", s)
    return _APPLE_GPU_CORES.sub(lambda m: f" {m.group('n')}-core ", s)


# Motherboards written straight after a card (catalog/data/hardware/cpus.yaml has them as their platform's aliases)
_BOARD_AFTER_CARD = re.compile(
    r"(?P<card>\d{4}(?:\s*ti)?s?)\s+(?P<board>romed8-2t|h12ssl(?:-[a-z]+)?|mz32-ar0|x399|trx40|wrx80|trx50|wrx90|x99)\b"
)


_CJK_COUNTS = {"两": "2", "二": "2", "三": "3", "四": "4"}

# Units and memory words in other languages, as people write them in their own forums: French `Go`/`Gio`, Russian
# `ГБ`/`ТБ` and `ОЗУ` (RAM), `видеопамять` (VRAM), Chinese 显存 (VRAM) and 内存 (RAM), German `Arbeitsspeicher` (RAM)
# and `Grafikkarte` (graphics card).
_OTHER_LANGUAGES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    ("显存占用", " in use "),
    (r"\b\d+\s*токен\w*|\bконтекст\w*\s*\d+", " "),  # Russian tokens and context (`промпт из 512 токенов`)
    (r"\d{2,5}\s*个\s*(?:cuda|tensor|rt)?\s*核心?", " "),  # `3584个CUDA核心`: cores, not cards
    (
        r"(?<=[a-z0-9)])\s*与\s*(?=[a-z0-9])",
        " + ",
    ),  # `RTX 5080(16GB)与 RTX 3090`: and  # VRAM in use (`显存占用13Gbi/卡`: 13 GiB a card), not a size of the rig
    # `H100的两张显卡` (H100's two cards): the count after the name, as `2x H100`
    (
        r"(?P<name>[a-z][\w-]*\d\w*)\s*的\s*(?P<n>[两二三四]|\d{1,2})\s*[张块個个台]",
        lambda m: f" {_CJK_COUNTS.get(m.group('n'), m.group('n'))}x {m.group('name')} ",
    ),
    (r"(\d)\s*(?:go|gio)\b", r"\1gb"),
    (r"(\d)\s*гб", r"\1gb"),
    (r"(\d)\s*тб", r"\1tb"),
    (r"\bозу\b", " ram "),
    (r"видеопамят\w*", " vram "),
    ("显存", " vram "),
    ("内存", " ram "),
    (r"\barbeitsspeicher\b", " ram "),
    (r"\bgrafikkarte\b|\bplaca\s+de\s+v[ií]deo\b|\btarjeta\s+gr[aá]fica\b|\bcarte\s+graphique\b", " gpu "),
    # Japanese メモリ (memory), full-width punctuation (`、` `，` `：`), Italian `giga` (`128 giga di ram`)
    ("メモリ", " ram "),
    (r"[、，]", ", "),
    ("：", ": "),
    (r"(\d)\s*gigas?\b", r"\1gb"),
    # counts in words: Spanish/Portuguese `dos`/`dois`/`duas`, German `zwei`, French `deux`, Italian `due`; Chinese
    # 两张/两块 (two cards), 三张, 四张
    (r"\b(?:dos|dois|duas|zwei|deux|due)\b", "two"),
    (r"\b(?:tres|três|drei|trois|tre)\b", "three"),
    (r"\b(?:cuatro|quatro|vier|quatre|quattro)\b", "four"),
    (r"[两二]\s*[张块個个卡台]\s*", " two "),
    (r"三\s*[张块個个卡台]\s*", " three "),
    (r"四\s*[张块個个卡台]\s*", " four "),
    (r"八\s*[张块個个卡台]\s*", " eight "),
    # `and` before a number: German `und`, French `et`, Spanish `y`, Italian/Portuguese `e`, Polish `i`
    (r"\s(?:und|et|y|e|i|и)\s+(?=\d)", " and "),
    # Russian две/два (two); Korean 램 (RAM) and 기가 (giga); counters after a number (Chinese 张/块/个/台, Japanese 枚,
    # Korean 개): before a device a count of it (`4张3090`), after one its count (`3090 2개`, `4090を2枚`)
    (r"(?<![\w-])(?:две|два)(?![\w-])", "two"),
    (r"(?<![\w-])три(?![\w-])", "three"),
    (r"(?<![\w-])четыре(?![\w-])", "four"),
    (r"в\s+сумме", " total "),
    ("램", " ram "),
    (r"(\d)\s*기가", r"\1gb"),
    ("を", " "),
    # a count (`2张`), not a model number's last digits (`3090卡`: a 3090 card)
    (r"(?<=[a-z0-9])\s+(\d{1,2})\s*[张块個个台枚개卡基]\s*(?=\d+(?:\.\d+)?\s*g)", r" x\1 "),  # `A6000 4卡 48GB`
    (r"(?<!\d)(\d{1,2})\s*[张块個个台枚개卡基]\s*(?=[a-z0-9])", r"\1x "),
    (r"(?<!\d)(\d{1,2})\s*[张块個个台枚개卡基]", r" x\1"),
    (r"(?<=\d{3})\s*[卡张块]", " "),
    # Chinese 双卡/单卡 (two cards, one card) after or before a card, 双路 (dual socket), 一张 (one card), 加 (plus),
    # 和 (and); 魔改 (a memory mod) and 亮机卡 (the card that drives the display) name no size; other CJK words left
    # over (`可以多卡推理`, `是否可以使用`: a question around the rig) are not hardware
    (r"([双单])卡\s*(?=[a-z0-9])", lambda m: "2x " if m.group(1) == "双" else "1x "),
    (r"双\s*(?=(?:rtx|gtx|rx|[a-z]?\d{2,4})\b|\d{4})", "2x "),  # `双3090`: two of them
    (r"([双单])卡", lambda m: " x2" if m.group(1) == "双" else " "),  # `单卡` alone: one card, as a name says
    ("双路", " dual socket "),
    (r"一\s*[张块個个台]\s*", " one "),
    ("加", " + "),
    ("和", " and "),
    (r"魔改|亮机卡", " "),
    (r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", " "),
    (r"[\u0400-\u04ff]+", " "),  # Russian words left over (`с родными кулерами`: with stock coolers)
    # once the CJK words between are gone: a setting and its value (`batch_size设置为8`), VRAM in use (`13Gbi/卡`)
    (r"\b(?!ggml_)[a-z]+(?:_[a-z]+)+\s*[:=]?\s*\d+(?:\.\d+)?\b", " "),
    (r"\bin use\s+\d+(?:\.\d+)?\s*g(?:b|i|bi|ib)?\b\s*/?", " "),
)
# Cloud instance types, read as the GPUs they hold. AWS: p4d.24xlarge 8 x A100 40 GB and g5.12xlarge 4 x A10G
# (https://gist.github.com/shashankprasanna/10ebe6dc1ba1d8d93db17da4e2cc890e); p4de.24xlarge 8 x A100 SXM 80 GB and
# p5.48xlarge 8 x H100 SXM 80 GB (https://raw.githubusercontent.com/datareceipts/data-receipts/main/109-gpu-pricing/
# hyperscalers.json, retrieved 2026-11-09); g6e.48xlarge 8 x L40S and g6.2xlarge 1 x L4
# (https://huggingface.co/spaces/arcee-ai/Benchmarks/commit/f011c003c9766206e9742dcf5851d22440380582); g6e.xlarge one
# GPU, g6e.12xlarge four (github:meta-pytorch/torchx PR #969 named_resources_aws.py). Azure: ND96asr_v4 8 x A100 40GB,
# ND96amsr_A100_v4 8 x A100 80GB, ND96isr_H100_v5 8 x H100 80GB, NC24ads/NC48ads/NC96ads_A100_v4 1/2/4 x A100 80GB
# (PCIe), NC4as_T4_v3 1 x T4 and NC64as_T4_v3 4 x T4 (https://huggingface.co/docs/microsoft-azure/azure-ai/hardware).
_INSTANCES: dict[str, str] = {
    "p4d.24xlarge": "8x a100 40gb sxm4",
    "p4de.24xlarge": "8x a100 80gb sxm4",
    "p5.48xlarge": "8x h100 sxm",
    **{f"g5.{size}xlarge": "a10g" for size in ("", "2", "4", "8", "16")},
    "g5.12xlarge": "4x a10g",
    "g5.24xlarge": "4x a10g",
    "g5.48xlarge": "8x a10g",
    "g6.2xlarge": "l4",
    **{f"g6e.{size}xlarge": "l40s" for size in ("", "2", "4", "8", "16")},
    "g6e.12xlarge": "4x l40s",
    "g6e.48xlarge": "8x l40s",
    "nd96asr_v4": "8x a100 40gb sxm4",
    "nd96amsr_a100_v4": "8x a100 80gb sxm4",
    "nd96isr_h100_v5": "8x h100 sxm",
    "nc24ads_a100_v4": "a100 80gb pcie",
    "nc48ads_a100_v4": "2x a100 80gb pcie",
    "nc96ads_a100_v4": "4x a100 80gb pcie",
    **{f"nc{n}as_t4_v3": "t4" for n in (4, 8, 16)},
    "nc64as_t4_v3": "4x t4",
    # GCP: the machine type's `-Ng` suffix is its GPU count. a3-highgpu-8g 8 x H100 80GB
    # (github:GoogleCloudPlatform/pubsec-declarative-toolkit issue 747: `--machine-type=a3-highgpu-8g
    # --accelerator=count=8,type=nvidia-h100-80gb`), a3-megagpu-8g the other H100 type (github:dstackai/dstack PR 1405);
    # a3-ultragpu-8g 8 x H200 141 GB and a2-highgpu-4g 4 x A100 40 GB (github:anthony-chaudhary/fak issue 9859, a GCP
    # catalog audit); a2-ultragpu-*g A100 80GB (github:skypilot-org/skypilot issue 1167); g2-standard-16 one L4
    # (github:vllm-project/vllm issue 16515: `g2-standard-16 (16 vCPUs, 64 GB RAM) ... 1x Nvidia L4 GPU`), g2-standard-8
    # one L4 (github:GoogleCloudPlatform/vertex-ai-samples issue 3372: `The allowed numbers of accelerator "NVIDIA_L4"
    # to use with machine type "g2-standard-8" are: [1]`)
    "a3-highgpu-8g": "8x h100 sxm",
    "a3-megagpu-8g": "8x h100 sxm",
    "a3-ultragpu-8g": "8x h200",
    **{f"a2-highgpu-{n}g": f"{n}x a100 40gb sxm4" for n in (1, 2, 4, 8)},
    **{f"a2-ultragpu-{n}g": f"{n}x a100 80gb sxm4" for n in (1, 2, 4, 8)},
    "g2-standard-16": "l4",
    "g2-standard-8": "l4",
    # Azure NCv3: NC6s_v3 one V100 16 GB, NC12s_v3 two, NC24s_v3 and NC24rs_v3 four (github:nanoporetech/dorado
    # issue 571, Azure's size list: `NC12s_v3 ... 2 x NVIDIA Tesla V100 16GB vRAM`, `NC24rs_v3 ... 4 x NVIDIA Tesla
    # V100 16GB`)
    "nc6s_v3": "v100 pcie 16gb",
    "nc12s_v3": "2x v100 pcie 16gb",
    "nc24s_v3": "4x v100 pcie 16gb",
    "nc24rs_v3": "4x v100 pcie 16gb",
    # AWS G4dn: one T4 up to the 8xlarge, four in the 12xlarge (github:huggingface/hf-endpoints-documentation PR 54:
    # `aws-g4dn-xlarge-small | 1 | NVIDIA T4`, `aws-g4dn-12xlarge-large | 4 | NVIDIA T4`; github:zylon-ai/private-gpt
    # issue 1173: a g4dn xlarge's nvidia-smi shows one Tesla T4); P3: the 2xlarge one V100 16 GB, the 8xlarge four
    # (github:philschmid/sagemaker-huggingface-llama-2-samples issue 15: `p3.2xlarge ... Total GPU Memory: 16 GB`,
    # `p3.8xlarge has 4 GPUs`); P5en: 8 x H200 141 GB (github:dstackai/dstack PR 4110: `gpu=H200:141GB:8 p5en.48xlarge`)
    **{f"g4dn.{size}xlarge": "t4" for size in ("", "2", "4", "8", "16")},
    "g4dn.12xlarge": "4x t4",
    "p3.2xlarge": "v100 sxm2 16gb",
    "p3.8xlarge": "4x v100 sxm2 16gb",
    "p5en.48xlarge": "8x h200",
}
_INSTANCE = re.compile(
    r"\b(?:aws\s+|azure\s+)?(?:standard_)?(?P<name>"
    + "|".join(re.escape(n) for n in sorted(_INSTANCES, key=len, reverse=True))
    + r")(?![\w.])(?:\s*\((?![^()]*\b(?:ram|memory|vcpus?)\b)[^()]*\))?"  # `g5.2xlarge (1x A10G)`: the same GPUs again
    # `a2-highgpu-4g, 4x A100 40 GB`, `a3-ultragpu-8g, 8 GPUs`: a count after it says the same again
    r"(?:\s*[,:-]\s*(?P<again>\d{1,2})\s*(?:x\s*(?:nvidia\s+)?[a-z]\d{2,3}[a-z]?(?:\s+\d+\s*gb)?|gpus)\b)?"
)


def _instances(s: str) -> str:
    """Instance types as the GPUs they hold; the same GPUs said again later (`g2-standard-16 (16 vCPUs, 64 GB RAM),
    ..., 1x Nvidia L4 GPU`) are the instance's, not more."""
    m = _INSTANCE.search(s)
    if m is None:
        return s
    held = re.fullmatch(r"(?:(?P<n>\d+)x\s+)?(?P<gpu>\S+).*", _INSTANCES[m.group("name")])
    assert held is not None
    named = list(re.finditer(rf"\b{re.escape(held.group('gpu'))}s?\b", s[: m.start()]))
    if named:
        # the card named before the instance that holds it (`a Tesla T4 on SageMaker (ml.g4dn.xlarge)`, dstack's
        # `gpu=H200:141GB:8 ... p5en.48xlarge`): counted where it was named, as the instance's variant where the name
        # says no size (`Nvidia A100 GPU on a2-highgpu-1g`: the 40 GB card)
        before, last = s[: m.start()], named[-1]
        variant = _INSTANCES[m.group("name")][held.start("gpu") :]
        if not _SIZE.match(before[last.end() :].lstrip(" :")):
            before = before[: last.start()] + variant + before[last.end() :]
        return before + " " + _instances(s[m.end() :])
    again = rf"\b{held.group('n') or 1}\s*x\s*(?:nvidia\s+)?(?:tesla\s+)?{re.escape(held.group('gpu'))}\b[^,;+\n]*"
    return s[: m.start()] + _instance(m) + re.sub(again, " ", _INSTANCE.sub(_instance, s[m.end() :]), count=1)


def _instance(m: re.Match[str]) -> str:
    held = _INSTANCES[m.group("name")]
    count = re.match(r"(\d+)x\s", held)
    if m.group("again") and int(m.group("again")) != (int(count.group(1)) if count else 1):
        return f" {held} + {m.group(0)[m.end('name') - m.start() :]} "  # a different count: read both
    # the instance's RAM in its bracket beside its GPU count (`Standard_NC24s_v3` (448GB, 4GPUs)`): the size is no
    # GPU's, as the count says the GPUs again
    said = re.search(r"\(\s*(?P<gib>\d+)\s*gb\s*,\s*\d{1,2}\s*gpus?\s*\)", m.group(0)[m.end("name") - m.start() :])
    if said:
        return f" {held} + {said.group('gib')}gb ram "
    return f" {held} "


# Spec-sheet fields (`GPU: 2x RTX 3090, CPU: Ryzen 9 5950X, RAM: 128GB DDR4`, `gpu: none`): the value is a part, the
# label says what a bare size in it is; parts that hold no memory (PSU, storage, OS, case) are left out.
_FIELD = re.compile(
    r"\b(?P<label>gpus?|gpu\d{1,2}|graphics|chip|cpu|processor|ram|memory|vram|mobo|motherboard|mb|psu|os|storage|ssd|case)"
    r"\s*:\s*"
    r"(?P<value>(?:[^|,;\n(]|\([^()\n]*\)|\()*)"  # a bracket's commas are the value's (`RTX 4060 Ti (16 GB, 288 GB/s)`)
)
_FIELD_AS = {"ram": "ram", "memory": "ram", "vram": "vram"}


def _fields(s: str) -> str:
    def part(m: re.Match[str]) -> str:
        label, value = m.group("label"), m.group("value").strip()
        if label in ("psu", "os", "storage", "ssd", "case", "mb"):  # `MB: ASUS ROG Strix B550-A`: the board
            return " + "
        if value in ("none", "n/a", "na") and label.startswith(("gpu", "graphics")):
            return " + no gpu + "
        if label in ("cpu", "processor") and re.fullmatch(r"\d{1,3}", value):  # `CPU: 80`: its cores
            return " + "
        return f" + {value} {_FIELD_AS.get(label, '')} + "

    return _FIELD.sub(part, s)


# What system tools print about a card or a machine, and what people add beside a card that is not hardware size:
# lspci's `01:00.0 VGA compatible controller: NVIDIA Corporation AD102 [GeForce RTX 4090] (rev a1)` (the bracket is
# the card); Windows' `Processor AMD Ryzen 7 7840HS w/ Radeon 780M Graphics 3.80 GHz, Installed RAM 32.0 GB (27.8 GB
# usable)` (the CPU's own iGPU is part of its name; a clock, the usable share); `13th Gen Intel(R) Core(TM)`;
# a product's year (`(M2 Ultra, 2023)`), a power supply or power limit (`1000w psu`, `@ 280W`), PCIe links
# (`pcie 4.0 x8/x8`).
_TOOL_LINES: tuple[tuple[str, str], ...] = (
    # lspci -nn writes the class and the vendor:device ids in brackets too (`controller [0300]: ... [GeForce RTX 3090]
    # [10de:2204]`), and -k the board's `Subsystem:` (the same card again) and the driver in use
    (
        r"\b[0-9a-f]{2}:[0-9a-f]{2}\.\d\s+(?:vga compatible|3d|display)\s+controller\s*(?:\[[0-9a-f]{4}\]\s*)?:[^\[\n]*"
        r"(?:\[[^\]\n]*\]\s*)*?\[(?P<name>[^\]\n]+)\]\s*(?:\[[0-9a-f]{4}:[0-9a-f]{4}\]\s*)?(?:\(rev\s+\w+\))?",
        r" + \g<name> + ",
    ),
    (r"(?m)^\s*(?:subsystem|kernel\s+driver\s+in\s+use|kernel\s+modules)\s*:[^\n]*", " "),
    (r"\s+w/\s+radeon\s+\w+\s+graphics\b", " "),
    # a Ryzen APU's own iGPU said after it (`Ryzen AI Max+ 395 with Radeon 8090S`, `HX 370 w/ Radeon 890M`)
    (r"(?<=\d)(\+?)\s+(?:w/|with)\s+(?:amd\s+)?radeon\s+\d{3,4}[ms]\b", r"\1 "),
    (r"\b\d(?:\.\d{1,2})?\s*ghz\b", " "),
    (r"\(\s*\d+(?:\.\d+)?\s*gb\s+usable\s*\)", " "),
    (r"\binstalled\s+(?:ram|memory)\b", " ram: "),
    (r"\b\d{1,2}th\s+gen\b", " "),
    (r"\bprocessor[ \t]+(?=[a-z0-9])", " cpu: "),  # Windows' `Processor AMD ...`, not `... processor` + a line
    (r"(?<=[(,])\s*20(?:1[7-9]|2\d)\s*(?=[),])", " "),
    (r"(?:@\s*)?\b\d{2,4}\s?w\b(?!\s*/)(?:\s+(?:psu|power\s+supply|power\s+limit(?:ed)?|tdp|pl))?", " "),
    (r"\bpower\s+limit(?:ed)?(?:\s+to)?\b", " "),
    (r"\b(?:on\s+|at\s+|@\s*)?pcie\s*(?:gen\s*)?[1-6](?:\.0)?(?:\s*x\s*\d{1,2}(?:\s*/\s*x?\d{1,2})*)?(?![\w.])", " "),
)


# What environment dumps print about the GPUs, rewritten as parts before anything else is read: vLLM's collect_env
# (`GPU models and configuration: GPU 0: NVIDIA H100 80GB HBM3`, a line a GPU), SGLang's check_env (`GPU 0,1,2,3:
# NVIDIA H200`: one name for the GPUs listed), nvidia-smi -L (`GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-...)`),
# Ollama's `msg="inference compute" ... name="NVIDIA GeForce RTX 4090" total="23.6 GiB"` (a ROCm card that Ollama
# names by its PCI id is its target and size: `compute=gfx1100 ... total="20.0 GiB"`), GCP's
# `--accelerator=count=8,type=nvidia-h100-80gb` (the GPUs of the `--machine-type` beside it).
def _env_gpus(m: re.Match[str]) -> str:
    count = len(re.findall(r"\d+", m.group("ids")))
    return f" + {count}x {m.group('name')} + "


def _ollama_device(m: re.Match[str]) -> str:
    line = m.group(0)
    name = re.search(r'\bname="?(?P<name>[^"\n]+?)"?(?=\s+\w+=|$)', line)
    if name and not re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{4}", name.group("name")):
        return f" + {name.group('name')} + "
    gfx = re.search(r"\bcompute=(?P<gfx>gfx[0-9a-f]{3,4})\b", line)
    total = re.search(r'\btotal="?(?P<gib>\d+(?:\.\d+)?)\s*gib', line)
    if gfx is None:
        return " "
    size = f" {round(float(total.group('gib')))}gb vram" if total else ""
    return f" + {gfx.group('gfx')}{size} + "


def _megabytes(m: re.Match[str]) -> str:
    """`16384MB`, `32752 MB`: a size in MB as GB when it is a whole number of GB to within 1%."""
    gib = int(m.group("mb")) / 1024
    return f"{round(gib)}gb" if abs(gib - round(gib)) <= 0.01 * gib else m.group(0)


_GCP_ACCELERATOR = re.compile(
    r"--accelerator[=\s]+count=(?P<n>\d{1,2}),type=(?:nvidia-)?(?:tesla-)?(?P<name>[a-z0-9-]+)"
)


def _gcp_accelerator(s: str) -> str:
    if _GCP_ACCELERATOR.search(s) is None:
        return s
    s = re.sub(r"--machine-type[=\s]+\S+", " ", s)
    return _GCP_ACCELERATOR.sub(lambda m: f" {m.group('n')}x {m.group('name')} ", s)


_STICK_WORDS = {"two": 2, "four": 4, "six": 6, "eight": 8, "twelve": 12, "sixteen": 16}


def _sticks(m: re.Match[str]) -> str:
    """`4 sticks of 32gb` is 128 GB of RAM; said beside its total (`4 sticks of 32GB ..., totaling 128GB`, `128GB of RAM
    (four sticks of 32GB)`, `64GB DDR3 ... 8x 8GB sticks`) it is that total again, not more RAM."""
    n = m.group("n") or m.group("n2")
    count = int(n) if n.isdigit() else _STICK_WORDS[n]
    total = count * int(m.group("gib") or m.group("gib2"))
    others = m.string[: m.start()] + " " + m.string[m.end() :]
    said = re.search(rf"(?<![\d.]){total}\s*(?:gb|g)\b", others)
    return (" ram " if said else f" {total}gb ram ") + _dimm_mark(count)


def _dimm_line(m: re.Match[str]) -> str:
    total = int(m.group("n")) * int(m.group("gib"))
    before = m.string[: m.start()].rsplit("\n", 1)[-1]
    line = before + " " + m.string[m.end() :].split("\n", 1)[0]
    said = re.search(rf"(?<![\d.]){total}\s*gb\b", line)
    return (" " if said else f" {total}gb ") + _dimm_mark(m.group("n"))


def _star(m: re.Match[str]) -> str:
    """`Threadripper 1950X * 128GB DDR4 * 4x RTX 3090`: a `*` between parts joins them; after a count it counts, and
    so does a count after it that ends the line (`DDR5 64GB * 8`)."""
    before = m.group("before")
    counted = re.match(r"\d{1,2}\s*(?:$|\n)", m.string[m.end() :])
    return f"{before} * " if re.fullmatch(r"\d{1,2}", before) or counted else f"{before} + "


# A motherboard named as a part of a build (`ASROCK GENOAD8X-2T/BCM Motherboard`, `MSI TRX40 PRO 10G motherboard`)
# says nothing of the rig's memory (its `10G` is its network port), when the CPU is named beside it
_BOARD_PART = re.compile(r"(?:(?<=[+\n,;])|^)[^+\n,;]*\b(?:motherboard|mobo)\b[^+\n,;]*")


def _board_parts(s: str) -> str:
    return _BOARD_PART.sub(" ", s) if _CPU_WORDS.search(_BOARD_PART.sub(" ", s)) else s


_CPU_WORDS = re.compile(r"\b(?:epyc|xeon|threadripper|ryzen|core\s+(?:i[3579]|ultra)|i[3579]-?\d{4,5}|\d{4,5}k)\b")


_ENVIRONMENT_DUMPS: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"\bgpu models and configuration\s*:", " "),
    (r"\bgpu\s+\d{1,2}(?:\s*,\s*\d{1,2})*\s+compute capability\s*:\s*[\d.]+", " "),
    (r"\bgpu\s+(?P<ids>\d{1,2}(?:\s*,\s*\d{1,2})*)\s*:\s*(?P<name>[^\n]+)", _env_gpus),
    (r"\(\s*uuid\s*:\s*gpu-[0-9a-f-]+\s*\)", " "),
    (r'(?:\bmsg=)?"?\binference compute\b"?[^\n]*', _ollama_device),
    (
        r"\blibrary=(?:cuda|rocm|metal|vulkan|oneapi)\b[^\n]*\bname=[^\n]*",
        _ollama_device,
    ),  # the line cut before its msg
    (r"\bmodel name\s*:", " cpu: "),
    # lines of an environment dump that name software, not hardware; a tool's snake_case key with a number
    (r"(?m)^\s*(?:python|cuda available|cuda_home|nvcc|cuda driver version|pytorch|is debug build|os)\s*:[^\n]*", " "),
    (r"\b(?!ggml_)[a-z]+(?:_[a-z]+)+\s*[:=]\s*[\d.]+\b(?!\s*=)", " "),
    # software and its version (`macOS 26.1`, `JetPack 6.2, TensorRT 10.7, CUDA 12.6`, `Ollama 0.4`), a three-part
    # version anywhere (`LLVM 15.0.6`, `6.6.70-v8-16k+`), CUDA build targets (`sm_120`, `cu128`), a compute capability
    (
        r"\b(?:ollama|macos|mac\s*os|ubuntu|debian|fedora|manjaro|nixos|windows|jetpack|l4t|romc|xcode)\s*[vr]?\d+(?:\.\d+)*\b",
        " ",
    ),
    (
        r"\b(?:cuda|rocm|hip|llvm|drm|tensorrt|trt|pytorch|torch|python|vllm|sglang|mesa|driver|kernel|cudnn)"
        r"(?:\s+version)?\s*:?\s*v?\d+(?:\.\d+)+[\w.+-]*",
        " ",
    ),
    (r"\b\d+\.\d+\.\d+(?:[-+][\w.+-]*)?", " "),
    (r"\bsm_?\d{2,3}[af]?\b|\bcu\d{3}\b|,?\s*\bcompute capability\s*:?\s*\d+(?:\.\d+)?", " "),
    (r"\b(?:metal|vulkan|cuda|rocm|sycl|hip)\s+backend\b", " "),
    # a chip's architecture, instruction sets and socket (`(16C/32T, Zen 2, SP3)`, `(Zen 2 with AVX2 support)`,
    # `(12 GB, Blackwell / sm_120)`, `RDNA 3.5`): an architecture word that is part of a name (`RTX PRO 6000
    # Blackwell`, `RTX 6000 Ada`) is kept, so only one standing alone in a bracket or list goes
    (r"\bzen\s*\d(?:\s*\+|c)?(?![\w.])|\b(?:rdna|cdna)\s*\d(?:\.\d)?\b", " "),
    (r"\b(?:with\s+)?(?:avx-?512\w*|avx-?vnni|avx2|avx|amx)(?:\s+support)?\b", " "),
    (r"\b(?:sp[356]|am[45]|lga\s*\d{4}|str5|tr4|strx4|swrx8)\b", " "),
    (r"(?<=[(,/])\s*(?:blackwell|hopper|ada lovelace|ampere|turing|volta|pascal)\s*(?=[,/)]|$)", " "),
    # cores and threads (`16C/32T`, `(16P + 8E)`, `24 cores (16 performance and 8 efficiency)`, `12 vCPU`, `eight cores
    # of an EPYC`): counts of cores are not counts of devices; Apple's `GPU: ... - 76 cores` names the GPU variant
    (r"(\bgpu\s*:[^\n]*?)\b(\d{1,2})\s*cores?\b", r"\1 \2-core gpu"),
    (r"\b\d{1,3}\s*c\s*/\s*\d{1,3}\s*t\b", " "),
    (r"\(\s*\d{1,2}\s*p\s*\+\s*\d{1,2}\s*e\s*\)|\(\s*\d{1,2}\s+performance\s+and\s+\d{1,2}\s+efficiency\s*\)", " "),
    (
        r"\b(?:\d{1,3}|four|six|eight|twelve|sixteen)\s*-?\s*(?:vcpus?|cores?|threads?)\b(?!\s*-?\s*[cg]pus?\b)"
        r"(?:\s+of(?:\s+an?)?\b)?",
        " ",
    ),
    # cores in other words and languages (`64 Xeon-Kernen`, `16 核中央处理器`, `20 logical CPUs`), a GPU's own units
    # (`2560 CUDA cores / 96 tensor cores`, `20 SMs`) and an SoC's CPU cores by name (`14-core Neoverse-V3AE`)
    (
        r"\b\d{1,3}\s+(?:xeon|epyc|arm|cpu)[-\s]?(?:kernen?|cores?)\b"
        r"|\b\d{1,3}\s*(?:kernen?|núcleos|ядер\w*|c(?:œ|oe)urs?(?:\s+[pe]\b)?)(?!\w)",
        " ",
    ),
    (r"\b\d{1,3}\s*核", " "),
    (r"\b\d{1,3}\s+logical\s+(?:cpus?|processors?|cores?)\b|\b\d{1,3}\s*sms?\b", " "),
    (r"\b\d{2,5}\s+(?:cuda|tensor|shader|stream)\s+(?:cores?|processors?)\b", " "),
    (r"\b(?:arm\s+)?(?:neoverse|cortex)[-\s]?[a-z]?\d+\w*\b", " "),
    # a model's size (`65B`, `gpt-oss-120b`, `30B-A3B`) and a speed (`~400 tok/s`, `19tokens/s`): what ran, and how fast
    (
        r"\b\d{1,3}(?:\.\d+)?b(?:-a\d{1,2}(?:\.\d)?b)?\b(?![\w.-]*\.gguf)",
        " ",
    ),  # not a CPU's `8369B`, nor in a file name
    (r"~?(?<![\d.])\d+(?:\.\d+)?\s*(?:tok(?:en)?s?\s*/\s*s(?:ec)?|t/s|tps|tokens?\s+per\s+second|fps)\b", " "),
    # what a card is set to or leaves free, and how a rental is split: not its size (`230 W/card`, `115% power limit`,
    # `48.2 GB usable`, `1 GPU/worker`), nor the swap
    (r"\b\d{2,4}\s?w\s*/\s*(?:card|gpu)\b|\b\d{2,3}\s*%\s*(?:power\s*limit|pl|tdp)\b", " "),
    (r"\b\d+(?:\.\d+)?\s*gb\s+usable\b|\b\d+\s*gpus?\s*/\s*(?:worker|node|instance|pod|replica)\b", " "),
    (r"\bswap(?:\s+is)?\s+(?:disabled|enabled|off|on)\b", " "),
    # glxinfo's `(gfx1102, LLVM ..., DRM ...)` after the card; amd-smi's `MARKET_NAME: AMD Instinct MI60 / MI50` (one
    # card, two names) and `TYPE: HBM`, `SIZE: 32752 MB`; glxinfo's `Video memory: 16384MB`
    (r"\(gfx[0-9a-f]{3,4}\b(?![^)]*\b(?:rx\s?\d{4}|radeon\b|instinct\b))[^)]*\)", " "),
    (
        r"\bgfx[0-9a-f]{3,4}\s+(?=(?:amd\s+)?(?:radeon\s+)?rx\s?\d{4})",
        " ",
    ),  # `(gfx1100 RX7900GRE, ...)`: the card's name
    (r"\bmarket_name\s*:\s*(?P<a>[^/\n]+?)\s*/\s*[^\n]*", r" + \g<a> + "),
    (r"\btype\s*:\s*(?:hbm\d?e?|gddr\d\w*|ddr\d|lpddr\d\w*)\b|(?m:^\s*size\s*:)", " "),
    (r"\bvideo\s+memory\s*:", " vram: "),
    (r"\b(?P<mb>\d{4,7})\s*mb\b", _megabytes),
    # a spec sheet's other labels (`Hardware:`, `Host:`, `Machine:`, `iGPU:`, `CPU/APU:`) start a part; `Unified RAM:`
    # says what its size is
    (r"\b(?:hardware|environment|host|machine|igpu|cpu/apu|apu)\s*:", " + "),
    (r"\bunified\s+(?:ram|memory)\s*:\s*(?P<v>[^\n,;]*)", r" + \g<v> unified + "),
    # Apple's model identifiers (`(Mac14,13)`, `MacBookPro18,4`), cores written as `12CPU/30GPU` and
    # applegpuinfo's `GPU core count: 38` (the GPU's names the variant), storage (`512GB SSD`, `4TB SSD`)
    (r"\(?\b(?:mac|macbookpro|macbookair|macmini|imac|macpro)\d{1,2},\d{1,2}\b\)?", " "),
    (
        r"\b(\d{1,2})\s*gpu\b(?=\s*[/,)])|\bgpu\s+core\s+count\s*:\s*(\d{1,2})\b",
        lambda m: f" {m.group(1) or m.group(2)}-core gpu ",
    ),
    (r"\b\d{1,2}\s*cpu\s*/|\bgpu\s+vendor\s*:\s*\w+", " "),
    (
        r"\b\d+(?:\.\d+)?[ \t]*(?:gb|tb)[ \t]*(?:ssd|nvme|hdd|storage|disk|(?:pod\s+|network\s+)?volume"
        r"|(?:hot-swap\s+)?(?:disks|drives|platten|festplatten?))\b",
        " ",
    ),
    # a decimal comma (`31,6 GB`); a size in brackets after a name (`jetson orin(32g)`, `Jetson AGX Orin (64GB)`);
    # a carve-out split (`(64/64 split`); `5090's`; `Max 395+` for `Max+ 395`
    (r"(\d),(\d{1,2})\s*(?=(?:gb|g|tb|gib)\b)", r"\1.\2"),
    (r"(?<=[a-z0-9])\s*\(\s*(\d+(?:\.\d+)?\s*(?:gb|g|gib|tb))[\s,/]*\)", r" \1 "),
    (r"\(?\s*\d{1,3}\s*/\s*\d{1,3}\s+split\s*\)?", " "),
    # `2x RTX 5090 32GB (64GB total)`: the cards' memory together, said again; `Fase 3:` (a build's phase)
    (r"(?<=gb)\s*\(\s*\d+(?:\.\d+)?\s*gb\s+total\s*\)", " "),
    # `MI300X x8 (192GB each)`: each card's size after the count, as `MI300X 192GB x8`
    (r"\s+x\s*(\d{1,2})\s*\(\s*(\d+(?:\.\d+)?\s*(?:gb|g))\s*(?:each)?\s*\)", r" \2 x\1"),
    (r"\b(?:fase|phase|stage|step|option)\s*\d{1,2}\s*:", " "),
    ("\u2014", " "),
    ("\u2013", " "),
    (r"(?<=\d)'s\b", "s"),
    (r"\bmax\s*(\d{3})\s*\+", r"max+ \1"),
    # list bullets (`* EPYC 9355P`, `- RAM: ...`) and a `*` between named parts (`Threadripper 1950X * 128GB`; after a
    # small number it counts: `2 * A10G`)
    (r"(?m)^\s*(?:[*\u2022]|-(?=\s+[a-z]|\s+\d{1,2}\s*x\s))\s+", " + "),
    # DIMMs on a line with the memory's kind (`2 x 16 GB - DDR4 - 2400 MT/s - Total 32GB`): their total, said once
    # `8x 64gb ddr5` (a part number's `A192-32X` glued by its hyphen is no count)
    (
        r"(?<![a-z0-9]-)\b(?P<n>\d{1,2})\s*x\s*(?P<gib>\d{1,3})\s*gb\b(?=[^\n+]*(?:\b(?:lp)?ddr\d|\d{4}\s*(?:mt/?s|mhz)))",
        _dimm_line,
    ),
    (r"(?P<before>\S+)\s+\*\s+(?=\S)", _star),
    (r"^\s*(?:on|with|using)\s+", ""),
    # `two GPU cards Nvidia 1080ti and AMD radeon 6900xt`: the count of cards named one by one
    (
        r"\b(?:two|three|four|[2-4])\s+(?:gpu\s+cards|graphics\s+cards|gpus|cards)\s+"
        r"(?=(?:nvidia|amd|intel|rtx|gtx|radeon|rx|arc)\b)",
        " ",
    ),
    # Lambda's instance types (`gpu_8x_h100_sxm5`, `gpu_1x_h100_pcie`: the count and the GPU in the name; code-index
    # files 68353678086, 57226508511); Azure's ND H100 v5 and ND A100 v4 series, 8 GPUs a VM (code-index files
    # 14067962074: `ND H100 v5-series ... 8x NVIDIA H100`, 54665727634: `ND H100 v5 (8x H100 SXM)`)
    (r"\bgpu_(\d{1,2})x_([a-z0-9]+(?:_[a-z0-9]+)*)\b", lambda m: f" {m.group(1)}x {m.group(2).replace('_', ' ')} "),
    (r"\b(?:azure\s+)?nd\s+h100\s+v5(?:-series)?\b(?:\s*\(\s*8\s*x\s*h100(?:\s+sxm)?\s*\))?", " 8x h100 sxm "),
    (r"\b(?:azure\s+)?nd\s+a100\s+v4(?:-series)?\b", " 8x a100 40gb sxm4 "),
    (r"\ban?\s+8-gpu\s+(?=8x\b)", " "),
    # RAM sticks: `2 sticks of 48gb` is 96 GB; `ddr5 6400 2 sticks 96gb` counts the sticks of a total
    (
        r"\b(?P<n>\d{1,2}|two|four|six|eight|twelve|sixteen)\s*(?:x\s*)?(?:sticks?|dimms?|modules?)\s+of\s+"
        r"(?P<gib>\d{1,3})\s*gb\b|\b(?P<n2>\d{1,2})\s*x\s*(?P<gib2>\d{1,3})\s*gb\s+(?:ecc\s+)?(?:sticks?|(?:r|u|lr|so-?)?dimms?|modules?)\b",
        _sticks,
    ),
    # `one 32GB stick`, `a single 64gb ddr5 dimm`: one DIMM, so one channel filled
    (
        r"\b(?:one|a|a single|single)\s+(?P<gib>\d{1,3})\s*gb\s+(?P<kind>(?:(?:lp)?ddr\d\S*\s+|ecc\s+|ram\s+)*)"
        r"(?:sticks?|dimms?|modules?)\b",
        lambda m: f" {m.group('gib')}gb {m.group('kind')} ram" + _dimm_mark(1),
    ),
    (r"\b\d{1,2}\s*(?:x\s*)?(?:sticks?|dimms?)\b", " ram "),
    # `RTX 3080 Ti with 12 GB of memory`: a size said of the card before it, as if written by its name
    (r"(?<=[a-z0-9])\s+with\s+(\d+(?:\.\d+)?\s*gb)\s+of\s+(?:memory|vram|video memory)\b", r" \1"),
    # `32 RAM`, `64 of my system rams of gigabytes`: a RAM size said without its unit
    (
        r"\b(\d{1,3})\s+(?:of\s+(?:my\s+)?)?(?:system\s+)?rams?\b(?!\s*(?:sticks?|slots?|modules?|dimms?|channels?)\b)"
        r"(?:\s+of\s+gigabytes)?",
        r"\1gb ram",
    ),
    # a sentence's full stop (`192 GB unified memory. Metal backend`); a network card (`10GbE TP-Link/Aquantia NIC`);
    # `CPU` after a CPU's model (`EPYC 9334 CPU`, `8369B CPU @ 2.90GHz`)
    (r"(?<!\.)\.(?=\s|$)", " "),
    (r"\b\d{1,3}\s*g(?:be|bit)?\b[^,;+\n*]*?\bnics?\b|\bnics?\b", " "),
    (r"(?<=\d{3})\s+cpu\b|(?<=\d{3}[a-z])\s+cpu\b", " "),  # not Apple's `(12C CPU, 38C GPU)`
    # llama.cpp's SYCL device table: `| 0|[level_zero:gpu:0]|  Intel(R) Arc(TM) A770 Graphics|  1.3|  512|...`
    (
        r"\|\s*\d{1,2}\s*\|\s*\[(?:level_zero|opencl|cuda|hip):(?:gpu|cpu|acc):\d+\]\s*\|\s*(?P<name>[^|\n]+?)\s*\|[^\n]*",
        r" + \g<name> + ",
    ),
    # an Intel CPU's own graphics (lspci's `[UHD Graphics 630]`): the CPU's, not a GPU to run on
    (
        r"(?:\b(?:intel\s+)?(?:uhd|iris(?:\s+xe|\s+plus)?|hd)\s+graphics(?:\s+\d{3,4})?\b|\b(?:intel\s+)?arc\s+graphics\b)"
        r"(?:\s*\(\s*\d+\s*mib[^)\n]*\))?",  # with the share of RAM a driver reports for it
        " ",
    ),
    (r'"', " "),  # quotes around a rig (`"2× RTX 3090 PCIe x8, 350 W"`), once JSON and tool fields are read
)


def _tool_lines(s: str) -> str:
    for pattern, repl in _TOOL_LINES:
        s = compiled(pattern).sub(repl, s)
    return s


# A CPU named straight after a card's model number, with no joiner (`RTX 3090 AMD Ryzen 9 5950X`, `8x RTX 4090
# Intel Xeon Gold 6430`, as benchmark tables write a GPU and its host): two parts.
_GPU_THEN_CPU = re.compile(
    r"(?P<gpu>\b\d{4}(?:\s*(?:ti|super|xtx|xt))?)\s+"
    r"(?P<cpu>(?:amd\s+|intel\s+)?(?:ryzen|threadripper|epyc|xeon|core\s+(?:i[3579]|ultra)|i[3579]-\d{4,5})\b)"
)


# llama.cpp command lines pasted with the rig (`./llama-bench -ngl 99 -ts 24,24`, `CUDA_VISIBLE_DEVICES=0,1`): the
# program, its options with their values, and environment variables say how it was run, not what it ran on
_COMMAND_LINE = re.compile(
    # where a cloud CLI runs and what it names the machine (`sky gpunode -c t2 --cloud gcp --gpus A100:8`, gcloud's
    # `--zone=us-central1-a`): no hardware
    r"(?:^|(?<=\s))--?(?:c|cloud|region|zone|cluster|project)[\s=][a-z][\w.-]*(?=\s|$)|"
    r"(?:^|(?<=\s))(?:\./)?(?:build/bin/)?llama-[a-z-]+\b"
    r"|(?:^|(?<=\s))--?[a-z][a-z0-9-]*(?:[\s=](?:[\d.,:/]+|\S+\.gguf|on|off|row|layer|none)(?=\s|$))?"
    r"|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+=\S*"
)


# Full-width punctuation of CJK text (`GPU：8 * 4090`, `（2 NUMA node(s)，支持AMX）`) as its ASCII form, before any
# rule reads colons, brackets or commas; an issue title's tag (`[bench] 2x V100 16GB`, `[Bug]:`) and markdown bold
# (`**RAM:** 64GB`) are not hardware.
_FULL_WIDTH = str.maketrans({"：": ": ", "，": ", ", "（": " (", "）": ") ", "、": ", ", "；": "; ", "\u3000": " "})
_ISSUE_TAG = re.compile(r"^\s*\[[a-z][\w\s-]{0,24}\]\s*:?")


# What else people paste beside their devices, read before anything else: trademarks (`Intel(R) Core(TM)`); JSON of
# benchmark sites and tools (`"gpu": "NVIDIA GeForce RTX 4080 SUPER", "ram_gb": 63`: the values of the hardware keys,
# a short duplicate of a name and every other key left out); nvidia-smi -q (`Attached GPUs : 1`, a bus id); inxi
# (`Device-1: NVIDIA GP104 [GeForce GTX 1080] vendor: ... driver: nvidia v: 430.40 bus ID: 01:00.0`); rocminfo
# (`Agent 2`, `Uuid: GPU-...`); system_profiler (`Total Number of Cores: 16`, `Metal Support: Metal 3`); Windows'
# About page (`System type 64-bit operating system, x64-based processor`); applegpuinfo (`GPU family: Apple 7`);
# distributed-llama's Vulkan lines (`Heap[0]: 8192 MB`, `48 kB`); llama.cpp's loader (`using device CUDA0 (NVIDIA
# GeForce RTX 5060 Ti) (0000:01:00.0)`) and log timestamps; llama.cpp build numbers (`build 9553 (9e3b928fd)`),
# dotted versions of any length (`25.20.42.14`), Windows releases (`Windows 10 22H2 19045.5247`), CPU architectures
# (`aarch64`), prices (`$220`, `$0.60/hour`), arithmetic on sizes (`4x 96 GB = 384 GB VRAM`).
_RIG_REPORT_NOISE = (
    r"\bcpu\s+topology\s*:[^\n]*|\bnuma\s+nodes\s*:\s*\d+|\bnproc\s*:\s*\d+|\bswap\s*:[^\n]*"
    r"|\((?:rated|measured)[^()\n]*\)|\b\d{1,2}\s+of\s+\d{1,2}\s+slot\(?s?\)?\s+populated\b"
)


def _sticks_after_total(m: re.Match[str]) -> str:
    """`32GB 4x8GB`: the total, when the sticks add up to it; otherwise as written."""
    if int(m.group("n")) * int(m.group("each")) != int(m.group("total")):
        return m.group(0)
    return f"{m.group('total')}gb"


def _sticks_in_brackets(m: re.Match[str]) -> str:
    """`128 GiB (4 x 32GB DDR4-2666)`: the total, its memory type and speed, and not the sticks counted again; a
    bracket whose sticks do not add up to the total is left as written."""
    if int(m.group("n")) * int(m.group("each")) != int(m.group("total")):
        return m.group(0)
    return f"{m.group('total')}gb{m.group('mid')} {m.group('kind')} {m.group('tail')} "


_PASTED: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # What people write beside a rig that is no part of it: a driver's version (`драйверы NVIDIA 535+`, `driver
    # 550`), a ratio (`30x slower`) and what the rig is compared with (`slower then Desktop 4090`, `costs less than a
    # single new RTX 4070 Ti Super`), what a model requires (`requires 20GB VRAM`, `at least 24gb of VRAM`), storage
    # named before its size (`Ssd 1tb`), uname's kernel line (`Linux host 5.15.0-69-generic #76-Ubuntu ... 2023`), the
    # X11 display server, a product's year before a Mac (`2021 MacBook Pro`), LACT's board lines (`Card Model:
    # PowerColor RX 7900 XTX Red Devil`: the card named again)
    (r"\b(?:drivers?|драйвер\w*|treiber)\s*:?\s*(?:nvidia\s+)?\d{3}(?:\.\d{1,3}){0,2}\+?", " "),
    (r"\b\d{1,3}(?:\.\d+)?\s*x\s+(?=(?:slower|faster|more|less|cheaper|better|worse|bigger|smaller)\b)", " "),
    (
        r"\b(?:slower|faster|cheaper|better|worse|costs?\s+less|costs?\s+more)(?:\s+[a-z]+)?\s+(?:than|then)\s+[^,.;:()\n]*",
        " ",
    ),
    # an Ollama tag with its size (`Deepseek-R1:14b`): a model; the cards' total said after a count (`4× RTX 3090 —
    # giving a staggering 96GB of total VRAM`); Arc's number glued to the family word (`ARC770m`)
    (r"\b[a-z][\w.-]*:\d+(?:\.\d+)?b\b", " "),
    (
        r"(\b(?:\d\s*[x×]|dual|two|three|four|triple|quad)\s*[^\n]*?)(?:\bwith\s+)?(?:\ba\s+)?"
        r"(?:\b\d+\s*gb\s+(?:of\s+)?total\s+vram\b|\btotal\s+(?:vram|memory)\s+of\s+\d+\s*gb\b)",
        r"\1 ",
    ),
    # a card likened to another (`MI50 is like 2080ti`); a throughput (`throughput of 36.9 for single requests and 147.4
    # for batch requests`)
    (r"\bis\s+(?:just\s+)?like\s+(?:an?\s+)?[^,.;\n]*", " "),
    (r"\bthroughput\s+of\s+\d+(?:\.\d+)?|\b\d+(?:\.\d+)?\s+for\s+(?:\w+\s+)?requests?\b", " "),
    # rocminfo's agent name before the card's `Marketing Name:` (`Name: gfx906 ... Marketing Name: AMD Radeon VII`)
    (r"\bgfx[0-9a-f]{3,4}\b(?=[^\n]*\n[\s\S]*?\bmarketing\s+name\s*:)", " "),
    # an EC2 family named before the word instance (`P4 is a very big GPU instance (... 8 A100s)`): not a Tesla P4
    (r"\bp[345](?:d|de|e|en)?\b(?=[^.\n]*\binstances?\b)", " "),
    # a limit set on a rented machine (`limit allocation to:- 6–7 vCPUs - ~26 GB RAM`): not more of it
    (r"\blimit(?:\s+\w+)?\s+to\b[\s\S]*", " "),
    (r"\barc(?=\d{3}m?\b)", "arc a"),
    (r"[$€£]\s*\d+(?:[.,]\d+)*\s*k\b|[$€£](?=\s|$)", " "),  # a budget (`Our $5K GPU rig`), a sign left alone
    (
        r"\b(?:requires?|required|requiring|needs?|at\s+least)\s+(?:about\s+|around\s+|~\s*)?\d+(?:\.\d+)?\s*(?:gb|g)\b"
        r"(?:\s*(?:of\s+)?v?ram\b)?",
        " ",
    ),
    (r"\b(?:ssd|nvme|hdd|disk)\s*:?\s*\d+(?:\.\d+)?\s*(?:gb|tb)\b", " "),
    # Around a rig in tool output, titles and tables (seventh round): decoration runs (`-----8卡4090 48G-----`), ISO
    # dates (`2026-05-10`), a shell prompt (`root@node1:~#`), a journal line's date, host and process (`Nov 14
    # 14:44:39 host ollama[2898]:`), an issue's number (`Folgt auf #1265`), a Mac's year after its name (`Mac Studio
    # 2022`, `Mac Mini 2024`), Apple's performance and efficiency cores (`M3 (4P,4E)`), a time after a table's bar
    # (`16GB/256GB | 141s`), storage after its word with a bare `T` (`storage 1T`)
    (r"[-=_~]{4,}", " "),
    (r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b(?![ \tT]+\d{1,2}:\d{2})", " "),
    (r"\bid\s*:\s*gpu-[0-9a-f]{6,}[0-9a-f-]*", " "),  # a device's id (`ID: GPU-db3e3c1239ae7828`)
    (r"\b[\w.-]+@[\w.-]+:\S*\s*[#$]", " "),
    (
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+[\w.-]+"
        r"(?=\s+[\w.-]+\[\d+\])",
        " ",
    ),
    (r"\b[a-z][\w.-]*\[\d{3,7}\]\s*:", " "),
    (r"(?<![\w&#])(?<!generic\s)#\d{2,7}\b(?!-)", " "),  # not uname's build number (`-generic #76-Ubuntu`)
    (r"\b(mac\s*(?:mini|studio|pro)|macbook(?:\s+(?:pro|air))?|imac)\s+20[12]\d\b", r"\1"),
    (r"\(?\b\d{1,2}\s*p\s*,\s*\d{1,2}\s*e\b\)?", " "),
    (r"(?<=\|)\s*\d{1,3}(?:\.\d+)?\s*s\b", " "),
    (r"\bstorage\s*:?\s*\d+(?:\.\d+)?\s*(?:tb|t|gb)\b", " "),
    # a count after a card's model number before other words (`Mi300x x8 unable to launch`; not PCIe lanes, `PCIe 4.0
    # x16`, nor a board's chipset, `3090 x99 128gb`: 2 to 16 cards), a heading's card said again with its count in
    # brackets (`H200 (8x H200 ...)`), counts of other things (`two rows`, `3 runs`), the cards counted again (`all 6
    # video cards`), what an instance holds said in brackets (`g5.12xlarge (which contains 4 GPUS, A10Gs ...)`),
    # tokens generated (`generate 200 tokens`), nvidia-smi -q's brand and architecture lines (`Product Architecture :
    # Ada Lovelace`)
    (
        r"(?<!hgx\s)(?<!dgx\s)(?P<name>\b[a-z]*\d{2,4}[a-z]?)\s+x(?P<n>[2-9]|1[0-6])\b"
        r"(?!\s*(?:lanes?|slots?|links?|pcie|electrical|mode)\b)",
        r"\g<n>x \g<name>",
    ),
    (r"\b(?P<name>[a-z]+\d{2,4}[a-z]*)\s*\(\s*(?P<n>\d{1,3})\s*x\s*(?P=name)\b", r" ( \g<n>x \g<name>"),
    (r"\b(?:one|two|three|four|five|six|\d{1,2})\s+(?:rows?|columns?|tables?|runs?|arms?|sessions?|prompts?)\b", " "),
    (r"\b(?:all|both)\s+(?:\d{1,2}|two|three|four|six|eight)\s+(?:video\s+|graphics\s+)?(?:cards|gpus)\b", " "),
    (r"\(\s*which\s+(?:contains?|has|holds?)\b[^)\n]*\)", " "),
    (r"\b\d[\d,]*\s*(?:tokens?|toks)\b(?!\s*(?:/|per\b))", " "),
    (r"\bproduct\s+(?:architecture|brand)\s*:[^\n]*", " "),
    # a list's number before a line (`3) Select g5.12xlarge`), a count said after a card and before its size (`a6000
    # 4x 48gb`, as `A6000 4卡 48GB` reads), a JSON listing's name and count (`"Name": "A10G", ... "Count": 8`), a
    # bandwidth a tool failed to read (`0 GB/s`), an integrated GPU beside the card (`Intel HD 4600`, `Intel(R)
    # Graphics (ARL)`, `Intel Arc Graphics (iGPU)`), a PCI address (`pci=21:0:0`), PCIe lanes said in words (`(x8
    # lanes`, `PCIe-only`), memory channels said per socket (the platform's figure a socket; the sockets multiply it)
    (r"(?m)^[ \t]*\d{1,2}[.)][ \t]+(?=[a-z])", " "),
    (r"(?P<name>\b[a-z]+\d{3,4}[a-z]*)\s+(?P<n>\d{1,2})x\s+(?=\d+(?:\.\d+)?\s*g)", r" \g<n>x \g<name> "),
    # nvidia-smi --query-gpu CSV with the name first (`NVIDIA L40S, 595.71.05, 46068 MiB, 00000000:01:00.0`) and its
    # header line: the name is the part
    (r"(?m)^[ \t]*name[ \t]*,[^\n]*$", " "),
    (
        r"(?m)^[ \t]*(?P<n>(?:nvidia|tesla|geforce|quadro|rtx|radeon|amd)\b[^,\n]*?)[ \t]*,"
        r"[^\n]*\b\d+[ \t]*mib\b[^\n]*$",
        r" + \g<n> + ",
    ),
    (r'"name"\s*:\s*"(?P<name>[^"\n]+)"[^{}]{0,160}?"count"\s*:\s*(?P<n>\d{1,3})\b', r" \g<n>x \g<name> "),
    (r"(?<![\d.])0+(?:\.0+)?\s*(?:gb|tb|mb)/s\b", " "),
    (r"\bpci\s*=\s*\S+", " "),
    (r"\(?\s*\bx\d{1,2}\s+lanes?\b|\bpci(?:e|\s*ex)?[\s-]*only\b", " "),
    (r"\b\d{1,2}\s+(?:memory\s+)?channels?\s+(?:per|each|a)\s+(?:socket|cpu|processor)\b", " "),
    # a CPU's logical and physical core counts (`(128 logical / 64 physical cores)`), a memory kit's overclocking
    # profile (`D.O.C.P. #1`, `XMP`, `EXPO`), what a rig is cheaper than (`less than a single A100`), a count glued to a
    # data-center card (`2H100`, `4A100`), a cloud flavour's name before its table row (`L40s-180 | 180 GB | ...`)
    (r"\b\d{1,3}\s+(?:logical|physical)(?:\s+(?:cores?|threads?|cpus?))?\b", " "),
    (r"\b(?:d\.?o\.?c\.?p|xmp|expo)\.?(?:\s*#?\s*\d\b)?", " "),
    (r"\bless\s+than\s+(?:a|an|one)\s+(?:single\s+)?[^,.;:()\n\u2014]*", " "),
    (r"(?<![\w.])([2-8])(?=[ahlbvpt]\d{2,3}[a-z]?\b)", r"\1x "),
    (r"(?m)^[ \t|]*[a-z]+\d{1,4}[a-z]?-\d{2,4}[ \t]*(?=\|)", " "),
    # ROCm's one name for the cards of a chip (`AMD Instinct MI50/MI60` for gfx906): the first, its size said beside it;
    # the target's features after it
    (r"\b(mi\d{2,3}[a-z]?)/mi\d{2,3}[a-z]?\b", r"\1"),
    (r"(?::?\b(?:sramecc|xnack)[+-])+", " "),  # a gfx target's features (`gfx906:sramecc-:xnack-`)
    # a tool's name before what it found (`ds4: Metal device Apple M5 Max`), a model file's quant names (`IQ2XXS
    # w2Q2K`), build tools' versions in an issue template (`g++: 11.4.0`, `Make: 4.3`), a model named beside the rig
    # (`run the Deepseek R1`), a price (`$1,400`), a speed a kit is rated for beside the one it runs at (`(6000 capable
    # ...`), a laptop's model code after its name (`Legion Pro 7 16IAX10H`, `Y9000P IRX9`) and its DMI and BIOS lines, a
    # Lenovo machine type in brackets (`ThinkPad P16s Gen 3 (21KS0025US)`), a label's `model` (`CPU model:`), Jetson's
    # product words in another order (`Jetson Nano Orin`), a run's slug with its serving engine (`dsr1-fp4-b200-sglang`)
    (r"\b[a-z][\w-]*:\s+metal\s+device\b", " "),
    (r"\b(?:iq[1-4]_?(?:xxs|xs|s|m|nl)|w\dq\dk?)\b", " "),
    (r"(?m)^[ \t]*(?:g\+\+|gcc|make|cmake|python|clang)[ \t]*:?[ \t]*[\d.]+[ \t]*$", " "),
    (r"\bdeepseek[\s-]*(?:r1|v\d(?:\.\d)?)\b", " "),
    (r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?![\d.,]*\s*/)(?:\s?[km]\b)?", " "),  # not a rate (`$0.60/hour`)
    (r"\b\d{3,5}\s+capable\b", " "),
    (r"\b\d{1,2}x\s+(?=because\b|lanes?\b)", " "),  # PCIe lanes said in a sentence (`but 8x because shared lane`)
    (r"(?m)^[ \t]*(?:dmi\s+product\s+name|bios\s+version|firmware\s+version)[ \t]*:[^\n]*", " "),
    (r"\b(legion(?:\s+(?:pro|slim))?\s+\d)\s+\d{2}[a-z]{2,4}\d{1,2}[a-z]?\b", r"\1"),
    (r"\b(y\d{4}[a-z]?)\s+[a-z]{2,4}\d{1,2}\b", r"\1"),
    (r"\(\s*\d{2}[a-z]{2}\d{4}[a-z]{2}\s*\)", " "),
    (r"\b(cpu|gpu)\s+model\s*:", r"\1:"),
    (r"\bmodel\s+name\s*:", " model: "),
    (r"\bjetson\s+nano\s+orin\b", "jetson orin nano"),
    (r"\b[a-z0-9]+(?:-[a-z0-9.]+)*-(?:sglang|vllm|trtllm|llamacpp)\b", " "),
    (r"\blinux\s+\S+\s+\d+\.\d+\.\d+-\S+\s+#\d+[^\n]*", " "),
    (r"\bx11\b|\b20[12]\d\s+(?=(?:macbook|mac\s|mbp\b|imac))", " "),
    (r"(?m)^\s*card\s+(?:model|manufacturer)\s*:[^\n]*", " "),
    (r"(?m)\bram\s*:?\s*(\d{1,3})\s*$", r" \1gb ram"),  # `Ram 16` on its own line: GB
    (r"(\d\s*(?:gb|g)\s+ram)\s+(?=\d{1,2}\s*x?\s*[a-z]+\d)", r"\1 + "),  # `32 GB Ram 2 A5000 ...`: a new part
    # a total in brackets with no size before it (`8 channel ddr4-3200 (512gb total)`): the size, before the rule
    # below drops a total that says a size again
    (r"(?<!gb)(?<!gb )\(\s*(\d+(?:\.\d+)?\s*(?:gb|tb))\s+total\s*\)", r" \1 "),
    (_RIG_REPORT_NOISE, " "),
    # club-3090's `Memory channels: 2 of 2 populated`: the channels in use; `123Gi total` beside the DIMMs it holds is
    # what the OS sees of them
    (r"\bmemory\s+channels\s*:\s*(\d{1,2})\s+of\s+\d{1,2}\s+populated\b", r" \1 channels "),
    (r"\b\d+(?:\.\d+)?\s*gi\s+total\b(?=[\s\S]*\b\d{1,2}\s*[x×]\s*\d{1,3}\s*gb\b)", " "),
    # a chip target beside a card already named (`RX 7900 XT (20 GB, RDNA3 / gfx1100)`): the name says which card
    (r"(?<=[a-z0-9])(\s*\((?=[^()\n]*\d\s*gb)[^()\n]*?)\bgfx[0-9a-f]{3,4}\b", r"\1"),
    (r"[\u2010\u2011\u2012]", "-"),
    (r'(?m)^\s*"(?P<key>[a-z_]+)"\s*:\s*"?(?P<value>[^"\n]*?)"?\s*,?\s*$', lambda m: _json_field(m)),
    (r"\battached\s+gpus\s*:\s*\d+|\bgpu\s+[0-9a-f]{8}:[0-9a-f]{2}:[0-9a-f]{2}\.\d\b", " "),
    (r"\bproduct\s+brand\s*:\s*\w+|\bdisplay\s+(?:mode|active)\s*:\s*\w+|\bproduct\s+name\s*:", " "),
    (r"\bdevice-\d+\s*:|\bvendor\s*:\s*\S+|\bdriver\s*:\s*\S+(?:\s+v\s*:\s*\S+)?|\bbus\s+id\s*:\s*[0-9a-f:.]+", " "),
    (r"(?<!corporation )\b(?:g[pvmk]|tu|ga|ad|gb|navi)\d{2,3}\w?\s*\[(?P<name>[^\]\n]+)\]", r" \g<name> "),
    (r"\bagent\s+\d+\b|\buuid\s*:\s*\S+|\bvendor\s+name\s*:\s*\w+|\bname\s*:\s*gfx[0-9a-f]{3,4}\b", " "),
    (r"\btotal\s+number\s+of\s+cores\s*:\s*\d+|\bmetal\s+(?:support|family)\s*:[^\n]*|\btype\s*:\s*gpu\b", " "),
    (r"\bbus\s*:\s*built-in\b|\bvendor\s*:\s*apple\b[^\n]*", " "),
    (r"\bgpu\s+(?:family|flops|ips|system level cache|clock frequency)\s*:[^\n]*", " "),
    (r"\bsystem\s+type\b[^\n]*|\bedition\s+windows[^\n]*|\b(?:32|64)-bit\b", " "),
    (r"\bheap\[\d\]\s*:\s*\d+\s*mb\b|\b\d+\s*(?:kb|bytes)\b", " "),
    (
        r"\busing\s+device\s+(?:cuda|vulkan|rocm|sycl|metal|hip)\d+\s*\((?P<name>[^)\n]+)\)(?:\s*\([^)\n]*\))?",
        r" + \g<name> + ",
    ),
    (r"\b\d{4}-\d{2}-\d{2}[\st]+\d{2}:\d{2}:\d{2}\b|\[(?:debug|info|warn(?:ing)?|error)\]", " "),
    (r"\bbuild\s*:?\s*\d{3,5}\b(?:\s*\([0-9a-f]{7,12}\))?", " "),
    (r"\b\d+(?:\.\d+){2,}(?:[-+][\w.+-]*)?", " "),
    (r"\bwin(?:dows)?\s*1[01]\b(?:\s+\d{2}h\d)?(?:\s+\d{5}(?:\.\d+)?)?", " "),
    (r"\b(?:aarch64|x86[-_]64|arm64|amd64|x64-based(?:\s+processor)?)\b", " "),
    (r"[$€£]\s?\d[\d,.]*(?:\s*/\s*(?:h|hr|hour|month|mo))?", " "),
    (r"\b\d{1,2}\s*x\s*\d+(?:\.\d+)?\s*gb\s*=\s*\d+(?:\.\d+)?\s*gb\b", " "),
    # the program that ran (`2x V100 16GB llama.cpp`, `via Ollama's Vulkan backend`) and where (`runpod environment`)
    (
        r"\b(?:via|using|with|on|in)?\s*(?:ik_)?llama[.-]?cpp\b|\b(?:via|using)\s+[\w.']+\s+(?:vulkan|cuda|rocm|metal|sycl)\s+backend\b",
        " ",
    ),
    (r"\b(?:runpod|vast(?:\.ai)?|cloud)\s+(?:environment|instance|pod)\b", " "),
    # an APU's own graphics named beside it (`AMD Vega 8 iGPU`), the Raspberry Pi's V3D, Mesa's software renderer, and
    # NVIDIA's `with Max-Q Design` (one laptop GPU, not two parts)
    (r"\b(?:amd\s+)?(?:radeon\s+)?vega\s+\d{1,2}\s+(?:igpu|graphics)\b|\bv3d\b[^|\n]*|\bllvmpipe\b[^|\n]*", " "),
    (r"\bwith\s+max-q\s+design\b", " max-q "),
    # an AMD APU's own graphics by number (`integrated graphics is AMD 660M`, `Radeon 780M`)
    (
        r"\bintegrated\s+graphics\s+is\s+(?:amd\s+)?(?:radeon\s+)?[6-9][1-9]0m\b(?:\s+graphics)?",
        " ",
    ),
    # the slots a board offers (`4x PCIe 4.0 x16 slots`) and a bridge's width (`3-slot`) are not cards
    (r"\b\d-slot\b", " "),
    (r"\b\d{1,2}\s*x\s+pcie\b[^\u00b7+\n,;]*?\bslots?\b", " "),
    # a power supply and what it is joined by (`1600W Platinum PSU OR dual 1000W PSUs synced via Add2PSU`)
    (r"[^\u00b7+\n,;]*\bpsus?\b[^\u00b7+\n,;]*", " "),
    # `2*H100 2*8*80G`: two machines of eight 80 GB H100s, as Chinese posts write a cluster
    (
        r"\b(?P<c>\d{1,2})\s*\*\s*(?P<name>[a-z]\w*\d\w*)\s+(?P=c)\s*\*\s*(?P<m>\d{1,2})\s*\*\s*(?P<gib>\d{2,3})\s*g(?![a-z])",
        r" \g<c> nodes of \g<m>x \g<name> \g<gib>gb ",
    ),
    # a total said of cards already counted (`providing a total of 24GB of VRAM`, `(24 GB each, 48 GB total)`, `72 ГБ
    # VRAM в сумме`, Chinese 共160G): the cards' memory again, not more memory
    (
        r"\b(?:providing|giving|for|with)?\s*(?:a\s+)?total\s+of\s+\d+(?:\.\d+)?\s*(?:gb|гб|g)\s+"
        r"(?:of\s+)?(?:vram|gpu memory)\b",
        " ",
    ),
    (r"\b\d+(?:\.\d+)?\s*(?:gb|гб|g)\s+(?:vram\s+)?(?:в\s+сумме|in\s+total|total)(?=\s*[),.;]|\s*$)", " "),
    (r"共\s*\d+(?:\.\d+)?\s*g(?:b)?", " "),
    # a RAM size glued to its word (`RAM1152GiB`, `VRAM320G`), `123sram` (system RAM), `123Gi` (GiB), the part of it
    # the system shows (`about 93 GiB visible`, `41Gi available`), a RAM kit (`the 64GB kit`)
    (r"\b(v?ram)(?=\d)", r"\1 "),
    (r"\b(\d{2,4})\s*s(?:ys)?ram\b", r"\1gb ram"),
    (r"(\d)\s*gi\b", r"\1gib"),
    (r"\b(?:about\s+|~)?\d+(?:\.\d+)?\s*gi?b\s+(?:visible|available|free|usable)\b", " "),
    (r"\b(\d+\s*gb)\s+(?:ram\s+)?kit\b", r"\1 ram"),
    # Apple's GPU cores written `20C-GPU`, `60-core graphics processor`
    (r"\b(\d{1,2})\s*-?\s*c(?:ore)?s?[-\s]+(?:gpus?|graphics\s+processors?)\b", r"\1-core gpu"),
    # who says it (`I own a Mac Studio`, `I'm running dual 3090s`, `can any one run`), a container image's tag, which
    # cards a bridge pairs (`cards 0-1 and 2-3`), a vCPU count glued (`vCPU96`)
    (r"^\s*i\s+(?:own|use|run|bought|just\s+ran|had)\b|\bi'?m\s+(?=running|using)|\bany\s*one\b", " "),
    (r"\bimage\s+(?:is\s+)?[a-z]?\d+\w*\b", " "),
    (r"\bcards?\s+\d{1,2}\s*-\s*\d{1,2}(?:\s*(?:and|,)\s*\d{1,2}\s*-\s*\d{1,2})*", " "),
    (r"\bvcpus?\s*\d{1,3}\b(?!\s*(?:gb|gib|g|tb)\b)", " "),
    # a CPU in brackets after a card (`dual 4090 (AMD EPYC 7282)`) is a part of its own
    (r"\((?=\s*(?:amd\s+|intel\s+)?(?:epyc|xeon|ryzen|threadripper|core\s+i[3579])\b)", " + ("),
    # Scaleway's instance types (`H100-SXM-2-80G`): the GPU, its form, the count and each one's memory
    (
        r"\b(?P<name>[a-z]\d{2,3})-(?P<form>sxm|pcie)-(?P<n>\d{1,2})-(?P<gib>\d{2,3})g\b",
        r" \g<n>x \g<name> \g<form> \g<gib>gb ",
    ),
    # a model's name with its version (`Llama 3 8B`, `qwen 2.5`): what runs, not on what
    (r"\b(?:llama|qwen|mistral|gemma|phi|deepseek)[\s-]?v?\d(?:\.\d)?\b(?![\w.-]*\.gguf)", " "),
    # `with` in other languages: German `mit`, French `avec`, Spanish/Italian `con`
    (r"\b(?:mit|avec|con)\b", " with "),
    (r"\b(?:et|und)\b", " and "),  # `and` in French and German
    # a size in brackets with its count after a name (`RTX 3090 (24G*2)`): each card's, and how many
    (r"(?<=[a-z0-9])\s*\(\s*(\d+\s*(?:gb|g))\s*[x*]\s*(\d{1,2})\s*\)", r" \1*\2"),
    # rocm-smi's memory lines in bytes (`VRAM Total Memory (B): 206141652992`): the total is the card's VRAM, what is
    # used is not; hipInfo's `gcnArchName: gfx1201` and `memInfo.free` repeat the card its `Name:` line gives
    (r"\bvram\s+total\s+used\s+memory\s*\(b\)\s*:\s*\d+|\bgpu\[\d{1,2}\]\s*:", " "),
    (r"\bvram\s+total\s+memory\s*\(b\)\s*:\s*(\d{9,14})\b", lambda m: f" {int(m.group(1)) / GIB:.0f}gb vram "),
    (r"\bgcnarchname\s*:\s*gfx[0-9a-f]{3,4}\b|\bmeminfo\.(?:free|total)\s*:[^\n]*", " "),
    # an Ollama model id or a container id (`07d35212591f`): twelve hex digits name no hardware
    (r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12}\b", " "),
    # a model file's size (`the 26GB mixtral weights`): what is loaded, not what loads it
    (r"\b\d+(?:\.\d+)?\s*gb\s+(?:[a-z][\w.-]*\s+)?(?:weights|model\s+file|gguf)\b", " "),
    # a CPU line and a GPU line with no label or joiner (`AMD 3900X CPU` / `AMD 7900XT GPU`): two parts
    (r"\b(cpu|processor)[ \t]*\n(?=[ \t]*(?:amd|nvidia|intel|rtx|gtx|rx|radeon|geforce)\b)", r"\1 + "),
    # a line that ends in a CPU's model number (`i5-12600K`, `My spec i7 10700`, `R7 5800X`) and the next line: parts
    (r"(\bi[3579][-\s]\d{4,5}[a-z]{0,2}|\b\d{4}x(?:3d)?)[ \t]*\n", r"\1 + \n"),
    # memory used out of the total (`Memory: 4747MiB / 32768MiB`, neofetch): the total; a device index (`GPU2`)
    (r"\b\d+\s*mib\s*/\s*(\d{4,7})\s*mib\b", lambda m: f" {int(m.group(1)) / 1024:.1f}gib "),
    (r"\bgpu\d{1,2}\b(?!\s*:)", " "),
    # a PCIe link (`Gen4 x16`, `PCIe Gen3 x8`); a card's host (`3x RTX 3090 host`: one machine holding them)
    (r"\b(?:pcie\s*)?gen\s*[3-6]\s*x\s?(?:1|2|4|8|16)\b|\bpcie\s*x\s?(?:8|16)\b(?=\s*[,/;)])", " "),
    (r"(?<=\d)\s+host\b(?!s)", " "),
    (r"(?<![\w.])@[a-z][\w-]{1,38}", " "),  # a user's handle (`@ensingerphilipp`), not `@ 3200`
    # what each card reports after the cards are named (`4xA40, each with ~44GB VRAM`): the card's memory, said again
    (r"(?<=[a-z0-9])\s*,?\s*each\s+with\s+~?\s*\d+(?:\.\d+)?\s*gb(?:\s+(?:of\s+)?vram)?\b", " "),
    # a tool's camelCase fields (`gpuName: NVIDIA GeForce RTX 4090`, `vramGb: 24`): a part, and a size with its kind
    (r"\bgpu_?name\s*:", " + "),
    (r"\b(v?ram)_?gb\s*:\s*(\d+(?:\.\d+)?)\b", r" + \2gb \1 + "),
    # a speed as a range (`13.69–16.8 tok/s`); an integrated GPU by its family name (`Intel UHD Graphics`): no memory
    # of its own to size
    (r"\b\d+(?:\.\d+)?\s*[–-]\s*\d+(?:\.\d+)?\s*(?:tok(?:ens)?|t)\s*/\s*s\b", " "),
    (
        r"(?:\bgpu\d{0,2}\s*:\s*)?\bintel\s*(?:\(r\)\s*)?(?:uhd|iris(?:\s+xe)?|hd)\s+graphics(?:\s+\d{3,4})?\b(?!\s*\()",
        " ",
    ),
    # a model's size glued to its quant (`7B_q4_0`, `13B.f16`), as benchmark tables name runs
    (r"(?<![\w.-])\d{1,3}b[_.-](?:i?q\d\w*|f16|fp16|bf16|f32)\b(?![\w.-]*\.gguf)", " "),
    # a config file's path (`dual/autoround-int4/dflash2.yml`), Italian `accanto a` (beside)
    (r"[\w./-]*\.(?:ya?ml|json|toml|cfg|conf|sh|py|md)\b", " "),
    (r"\baccanto\s+a(?:lla|llo|l)?\b", " + "),
    # a share of the RAM lent to an iGPU, in brackets (`96GB (48GB loaned to VGA VRAM)`): part of the RAM said before
    (
        r"\(\s*\d+(?:\.\d+)?\s*gb\s+(?:loaned|lent|allocated|assigned|reserved|dedicated|set)\s+(?:to|for|as)\b[^()]*\)",
        " ",
    ),
    # a tool's log tag and the fields that name no hardware (`[localmaxxing] hardware_written`, `path: hardware.json`,
    # `hwClass: DISCRETE_GPU`); a total and its sticks (`32GB 4x8GB`): the total
    (r"(?m)^\s*\[[a-z][\w-]*\]\s*[a-z_]*\s*$|\bpath\s*:\s*\S+|\bhw_?class\s*:\s*\w+", " "),
    (r"\b(?P<total>\d{2,4})\s*gb\s+(?P<n>\d{1,2})\s*x\s*(?P<each>\d{1,3})\s*gb\b", _sticks_after_total),
    # a range of vCPUs or cores (`6–7 vCPUs`), NUMA nodes (`one NUMA node`), one socket (the default)
    (r"\b\d{1,3}\s*[–-]\s*\d{1,3}\s*(?:vcpus?|cores?|threads?)\b", " "),
    (r"\b(?:one|two|four|eight|\d{1,2})\s+numa\s+nodes?\b|\b(?:one|single)[\s-]socket\b", " "),
    # an OS glued to the card (`Ubuntu-GTX4090`, `win11_rtx3060`), `GTX` typed for an RTX 20-50 card (`GTX4090`),
    # Ryzen written as its tier (`R7 5800X`, `R9-7950X3D`: a Radeon R7 has a three-digit number), an Intel Core
    # tier with no model number (`Intel I5`: no size follows from it)
    (r"\b(?:ubuntu|debian|fedora|linux|windows\s?1[01]|win1[01])[-_](?=[a-z]*\d)", " "),
    (r"\bgtx\s*(?=[2-5]0[5-9]0\b)", "rtx "),
    (r"\br([3579])\s*-?\s*(?=\d{4}(?:x3d|x|g|f)?\b)", r"ryzen \1 "),
    (r"\b(?:intel\s+)?(?:core\s+)?i[3579]\b(?![ \t-]*\d)", " "),  # `Intel I5`, `core i7`, `i7` alone
    # Apple's part number (`Model Number: Z178000BMLL/A`), a model's size in words (`~70 billion`), a benchmark
    # tool's score and its grade (`148 (S)`, `115 (A+)`): none names hardware
    (r"\bmodel\s+number\s*:\s*\S+", " "),
    (r"~?\b\d{1,4}(?:\.\d)?\s+billion\b(?!\s*(?:bytes|tokens))", " "),
    (r"\b\d{2,4}\s*\([sabcd][+-]?\)", " "),
    # an OS after the card (`4060-ubuntu`); `RT` alone (ray tracing, `缺少RT`); memory in use out of a total (`18 of
    # 20GB`): the total
    (r"(?<=\d)[-_](?:ubuntu|debian|linux|windows|win1[01])\b", " "),
    (r"\brt\b(?!\s*\d)", " "),
    (r"\b\d+(?:\.\d+)?\s*(?:gb\s*)?of\s+(?=\d+(?:\.\d+)?\s*gb\b)", " "),
    # a total and the sticks it is made of, in brackets (`128 GiB ECC (4 × D760R Samsung DDR4-2666 32GB ECC)`): the
    # sticks say it again
    (
        r"\b(?P<total>\d{2,4})\s*gi?b\b(?P<mid>[^()\n]{0,20})\((?P<n>\d{1,2})\s*x\s*(?P<kind>[^()]*?)\b(?P<each>\d{1,3})\s*gb\b(?P<tail>[^()]*)\)",
        _sticks_in_brackets,
    ),
)

# JSON keys whose values name hardware; `_short` duplicates of them and every other key say nothing more
_JSON_NAMES = ("cpu", "gpu", "name", "model", "chip", "device")


def _json_field(m: re.Match[str]) -> str:
    key, value = m.group("key"), m.group("value").strip()
    if key in _JSON_NAMES:
        return f" + {value} + "
    # a count of cards and then their name (`"gpuCount": 8, "hardwareName": "NVIDIA RTX 5880 Ada Generation"`): one part
    if key in ("gpucount", "gpu_count", "num_gpus") and re.fullmatch(r"\d{1,3}", value):
        return f" + {value}x "
    if key in ("hardwarename", "gpuname", "gpu_name"):
        return f" {value} + "
    if key in ("ram_gb", "ram", "memory_gb", "system_ram_gb") and re.fullmatch(r"\d+(?:\.\d+)?", value):
        return f" + {value}gb ram + "
    if key in ("vram_gb", "gpu_memory_gb") and re.fullmatch(r"\d+(?:\.\d+)?", value):
        return f" + {value}gb vram + "
    if key in ("ram_bytes", "memory_bytes", "total_memory_bytes") and re.fullmatch(r"\d{9,14}", value):
        return f" + {int(value) / GIB:.0f}gb ram + "
    return " "


# An Apple machine's memory, then its storage beside it (`M3 Max, 48 GB, 1 TB`, `M4 16GB/256GB`, `| 64 | 1tb |`): a
# second size larger than the first, after a comma, slash or table bar, is the SSD
_APPLE_CHIP = re.compile(r"\b(?:apple\s+)?m[1-5](?:\s*(?:pro|max|ultra))?\b|\bmac\s*(?:mini|studio|book)|\bimac\b")
_MEMORY_THEN_DISK = re.compile(
    r"(?P<mem>\b\d{1,3}(?:\.\d+)?)(?P<unit>\s*(?:gb|g)\b)?(?P<sep>[ \t]*(?:ram[ \t]*)?[,/|][ \t|]*)"
    r"(?P<disk>\d+(?:\.\d+)?)[ \t]*(?P<disk_unit>tb|t|gb)\b"
)


def _apple_storage(s: str) -> str:
    if not _APPLE_CHIP.search(s):
        return s

    def one(m: re.Match[str]) -> str:
        disk_gib = float(m.group("disk")) * (1024 if m.group("disk_unit") in ("tb", "t") else 1)
        if disk_gib <= float(m.group("mem")):
            return m.group(0)
        return f"{m.group('mem')}{m.group('unit') or 'gb'}{m.group('sep')} "

    return _MEMORY_THEN_DISK.sub(one, s)


def _prepare(text: str) -> str:
    # `1650S`, `2070S`: a GeForce SUPER by its capital S (a plural is `1650s`; AMD's `RX 7700S` is a laptop card)
    # an issue template's hardware headings before their answers (`### CPU\n\nAMD Ryzen 9 9900X\n\n### GPU ...`): fields
    text = re.sub(r"(?im)^[ \t]*#{2,4}[ \t]*(cpu|gpu|ram|memory|vram)[ \t]*\n(?:[ \t]*\n)*(?=[ \t]*\S)", r"\1: ", text)
    s = re.sub(r"\b(16[56]0|20[678]0)S\b", r"\1 super", text)
    s = s.lower().translate(_FULL_WIDTH).replace("×", "x").replace("✖", " x").replace("\ufe0f", "").replace("’", "'")
    s = _ISSUE_TAG.sub(" ", s).replace("**", " ").replace("`", " ")
    s = re.sub(r"(\d{4})(ti|super|laptop|gpu)\b", r"\1 \2", s)  # `3050ti`, `RTX3070Laptop`, `3060gpu`
    s = re.sub(r"\b(\d{1,2})\s+graphics?\s+cores\b", r"\1 gpu cores", s)  # a Mac's `32 graphic cores`
    s = re.sub(r"\b(dual|twin|triple|quad)-(?=\d{3,4}\b)", r"\1 ", s)  # `a complete dual-3060 workstation`
    s = clean_pastes(s)  # logs, tables and listings (engine/parse/hardware_pastes.py)
    for pattern, repl in _PASTED:
        s = compiled(pattern).sub(repl, s)
    s = _apple_storage(s)
    s = _gcp_accelerator(s)
    for pattern, repl in _ENVIRONMENT_DUMPS:
        s = compiled(pattern).sub(repl, s)
    s = _board_parts(_COMMAND_LINE.sub(" ", s))
    s = re.sub(r"(?<=\d)o(?=\d)", "0", s)  # `3O90`: a letter O typed for a zero inside a model number
    s = re.sub(r"\b(\d)0?(\d)o\b", r"\g<1>0\g<2>0", s)  # `4o9o` after the line above (`409o`): 4090
    s = _instances(s)
    s = re.sub(r"\(\s*,\s*", "(", s)  # a bracket whose first item was dropped (`(SM89, 16380 MB VRAM`)
    s = re.sub(r"\bdevkit\b", "dev kit", s)  # `agx thor devkit`: as the catalog's product names spell it
    for pattern, words in _OTHER_LANGUAGES:
        s = compiled(pattern).sub(words, s)
    s = re.sub(r"\b(?P<name>[a-z][\w-]*\d[\w-]*):(?P<n>\d{1,2})\b", r"\g<n>x \g<name>", s)  # Modal's `A100-80GB:4`
    s = _GPU_THEN_CPU.sub(r"\g<gpu> + \g<cpu>", _fields(_log_lines(_tool_lines(s))))
    s = re.sub(r"(\d)\s*(?:gigs?|gigabytes?|gbs|gbyte)\b", r"\1gb", s)
    s = re.sub(r"(\d)\s*(?:terabytes?|tbs)\b", r"\1tb", s)
    s = re.sub(r"\b1[3-8](?:\.\d)?\s*(?:\"|-?inch\b|in\b)", " ", s)  # a laptop's screen size: `16"`, `14 inch`
    s = re.sub(r"\btr\s+(?=pro\b|\d{4})", "threadripper ", s)  # `TR pro 3975wx`: Threadripper
    s = _BOARD_AFTER_CARD.sub(r"\g<card> + \g<board>", s)  # `6x 3090 romed8-2t 256gb`: the board is a part
    s = _CHASSIS.sub(lambda m: " servers " if m.group(0).endswith("s") else " ", s)  # `3 r730s`: 3 machines
    s = _COUNTED_BRACKET.sub(r" + \g<inside> + ", s)
    s = _LISTED_BRACKET.sub(r"\g<head> + \g<inside> + ", s)
    s = re.sub(  # `48gb vram total across 2 cards`: an even split
        r"(?P<gib>\d+)\s*gb\s*(?:vram\s*)?(?:total\s*)?(?:across|over|between)\s+(?P<n>\d{1,2})\s+(?:cards|gpus)\b",
        lambda m: f"{m.group('n')}x {int(m.group('gib')) / int(m.group('n')):g}gb vram",
        s,
    )
    zero = _ZERO_COUNT.search(s)
    if zero:
        raise _count_out_of_range(zero.group("z"))
    return s


def _count_out_of_range(said: str) -> RigfitError:
    return RigfitError(
        f"`{said.strip()}` is not a number of devices I can size (1 to {MAX_DEVICES}).",
        field="hardware",
        code=ErrorCode.COUNT_OUT_OF_RANGE,
    )


# A chip's name as lspci, inxi and neofetch print it, the cards built on it listed with slashes (`Navi 21 [Radeon RX
# 6800/6800 XT / 6900 XT]`, `Radeon RX 5600 OEM/5600 XT / 5700/5700 XT`): one card, one of those
_ALTERNATIVES = re.compile(
    r"(?P<family>(?:radeon\s+)?rx|(?:geforce\s+)?(?:rtx|gtx))\s*(?P<first>\d{3,4}(?:\s*(?:xtx|xt|oem|gre|ti|super))?)"
    r"(?P<rest>(?:\s*/\s*\d{3,4}(?:\s*(?:xtx|xt|oem|gre|ti|super))?)+)"
)


def _listed_alternatives(s: str, catalog: Catalog) -> str:
    """One card of a chip's list: read as the first where every card listed has the same memory and bandwidth (within
    10%), refused naming them where they differ; a list the catalog does not know throughout is left as written."""

    def one(m: re.Match[str]) -> str:
        family = m.group("family")
        names = [f"{family} {alt.strip()}" for alt in [m.group("first"), *m.group("rest").split("/")[1:]]]
        try:
            found = [_find(n, catalog) for n in names]
        except RigfitError:
            return m.group(0)
        cards = [f for f in found if isinstance(f, Gpu)]
        if len(cards) != len(names):
            return m.group(0)
        first = cards[0]
        if all(
            c.memory_gib == first.memory_gib
            and abs(c.bandwidth_gb_s - first.bandwidth_gb_s) <= 0.1 * first.bandwidth_gb_s
            for c in cards
        ):
            return f"{family} {m.group('first')}"
        # the card named elsewhere in the text is the one (`Same goes for 7900 XTX, shows AMD ATI Radeon RX 7900
        # XT/7900 XTX`): the list says it again
        outside = s[: m.start()] + " " + s[m.end() :]
        alts = [alt.strip() for alt in [m.group("first"), *m.group("rest").split("/")[1:]]]
        named = [a for a in alts if re.search(rf"(?<![\w/]){re.escape(a)}(?![\w/])", outside)]
        if len(named) == 1:
            return " "
        raise RigfitError(
            f"`{m.group(0).strip()}` lists {len(cards)} cards with different memory: which one is it?",
            field="hardware",
            code=ErrorCode.DEVICE_AMBIGUOUS,
            suggestions=tuple(dict.fromkeys(c.name for c in cards)),
        )

    return _ALTERNATIVES.sub(one, s)


# A mini PC by its maker and model before what it holds (`Minisforum UM790 Pro with AMD Ryzen 9 7940HS`, `Beelink
# SER8 (Ryzen 7 8845HS)`): where the catalog does not know the product, the parts named after it are the rig
_MINI_PC = re.compile(
    r"\b(?P<name>(?:minisforum|beelink|gmktec|gmk-tek|geekom|acemagic|aoostar|trigkey|chuwi|bosgame)"
    r"(?:\s+[\w-]+){1,3}?)\s*(?=\bwith\b|\bw/|\(|,)"
)


def _unknown_mini_pcs(s: str, catalog: Catalog) -> str:
    def one(m: re.Match[str]) -> str:
        try:
            known = _find(m.group("name"), catalog)
        except RigfitError:
            return m.group(0)
        return m.group(0) if known is not None else " "

    return _MINI_PC.sub(one, s)


# A card with a size of memory after it (`a A6000 with 48 GB memory`, `RTX 3090 with 24GB of memory`)
_WITH_MEMORY = re.compile(
    r"(?P<name>\b[a-z][\w-]*(?:\s+[\w-]+){0,3}?)\s+with\s+(?P<gib>\d{1,3})\s*gb\s+(?:of\s+)?memory\b"
)


def _own_memory(s: str, catalog: Catalog) -> str:
    """`a6000 with 48 gb memory`: the card's own memory where the size is what the card named before it has (a card
    with another size of memory beside it, `3090 with 64gb memory`, has that much system RAM)."""

    def one(m: re.Match[str]) -> str:
        words = m.group("name").split()
        for start in range(len(words)):
            try:
                found = _find(" ".join(words[start:]), catalog)
            except RigfitError:
                continue
            if isinstance(found, Gpu) and found.memory_gib == int(m.group("gib")):
                return f"{m.group('name')} {m.group('gib')}gb vram"
        return m.group(0)

    return _WITH_MEMORY.sub(one, s)


def _take_nodes(s: str) -> tuple[int, str, bool]:
    """`2 nodes of 8x h100`, `2x 8xH100 nodes`, `8x b200 x 4 nodes`: machines, what each holds, and whether the
    counts written are for all machines together (`16x h100 across two hgx boxes`)."""
    for form in _NODE_FORMS:
        m = form.match(s)
        if m is None or not m.group("rest").strip(" ,:"):
            continue
        n = int(m.group("n")) if m.group("n").isdigit() else _NODE_WORDS[m.group("n")]
        parts = m.groupdict()
        rest = " ".join(x for x in (parts.get("pre"), m.group("rest"), parts.get("post")) if x)
        return _checked_count(n, m.group("n")), rest, bool(parts.get("total"))
    return 1, s, False


def _server_boards(s: str) -> str:
    """`dgx h100`, `2 hgx h200`: a board of GPUS_PER_SERVER SXM modules (per board, when boards are counted)."""
    m = _SERVER_BOARD.search(s)
    if m is None:
        return s
    before = s[: m.start()].strip()
    count = re.fullmatch(rf"(?P<n>{_NUM})\s*x?", before)
    after = re.match(r"(?P<name>[a-z]{1,2}\d{2,3})\s*x\s*(?P<n>\d{1,2})\b", s[m.end() :])  # `hgx h200 x2`
    if count is None and after is not None:
        return f"{after.group('n')} nodes of {GPUS_PER_SERVER}x {after.group('name')}" + s[m.end() + after.end() :]
    if count:
        n = int(count.group("n")) if count.group("n").isdigit() else _NODE_WORDS[count.group("n")]
        return f"{n} nodes of {GPUS_PER_SERVER}x " + s[m.end() :]
    return s[: m.start()] + f"{GPUS_PER_SERVER}x " + s[m.end() :]


def _take_link(s: str) -> tuple[NodeLink | None, bool, str]:
    """The link between machines a phrase names (`over thunderbolt 5`, `connectx-7`, `infiniband`), and whether it
    speaks of a cluster at all (`exo`, `rpc`, `clustered`)."""
    link: NodeLink | None = None
    for pattern, name in _LINKS:
        if re.search(pattern, s):
            link = name
            break
    said = bool(_LINK_WORDS.search(s))
    return link, said, _LINK_WORDS.sub(" ", s) if said else s


# Names never read as the catalog entry their words are near, each with why and what to type instead: parts people
# already ask about whose memory and bandwidth are not announced (`medusa halo` is not the Strix Halo it follows),
# and boards holding a catalog name's words that are other hardware (`orange pi 5` is a Rockchip RK3588 board, not
# the Raspberry Pi 5 its last words name; not in the catalog, for want of sourced memory figures).
_REFUSED_NAMES: tuple[tuple[str, str, str], ...] = (
    (
        "medusa halo",
        "AMD's next Ryzen AI Max generation (Medusa Halo) has no announced memory size or bandwidth yet, so I can't "
        "size it. Ask for the Strix Halo it follows, or describe it: `128GB unified 256GB/s`.",
        "AMD Ryzen AI Max+ 395 (Strix Halo) 128GB",
    ),
    *(
        (
            name,
            f"{what} is not in the catalog, so I can't size it. Describe its memory and bandwidth instead, e.g. "
            "`8GB unified 60GB/s`.",
            "8GB unified 60GB/s",
        )
        for name, what in (
            ("iphone", "An iPhone"),
            ("pixel", "A Pixel phone"),
            ("galaxy", "A Galaxy phone"),
            # a phone's Snapdragon; the laptop chips (`snapdragon x elite`, `x plus`) are catalog CPUs
            (r"snapdragon(?!\s*x(?:\b|\d))", "A Snapdragon phone chip"),
            # phone chips by their GPU and maker (`QUALCOMM Adreno(TM) 840`, `Redmi K70(Qualcomm 8Gen 2)`:
            # github:ggml-org/llama.cpp PRs 22755 and 10693)
            ("qualcomm", "A Qualcomm phone or laptop chip"),
            ("adreno", "An Adreno phone GPU"),
            ("redmi", "A Redmi phone"),
            ("steam deck", "A Steam Deck"),
            ("rog ally", "A ROG Ally"),  # `ROG Ally Z1` (github:brand-o/normiebench issue 20): an AMD Ryzen Z1 handheld
            ("ryzen z1", "The Ryzen Z1 handheld chip"),
        )
    ),
    # `phone with 12gb ram` had read as 12 GB of desktop DDR5 in two channels (90 GB/s), several times a phone's
    (
        r"(?:smart|cell ?|mobile ?|android ?)?phones?",
        "A phone is not something I can size (its memory bus and the share its OS leaves are not in the catalog): "
        "ask for a laptop or desktop with its RAM (`32gb ddr5`) or a board the catalog has (`raspberry pi 5 8gb`).",
        "32GB DDR5",
    ),
    (
        r"(?:raspberry\s+)?(?:pi\s*)?cm\s?5|compute module 5",
        "A Raspberry Pi Compute Module 5 is not in the catalog, so I can't size it. If it has the Raspberry Pi 5's "
        "chip and memory, ask for the Pi 5 with its size (`raspberry pi 5 16gb`), or describe its memory: "
        "`16GB LPDDR4X`.",
        "Raspberry Pi 5 16GB",
    ),
    *(
        (
            name,
            f"I don't know {what} ({name.replace(' ?', ' ')} is not a Raspberry Pi), so I can't size it. Describe its "
            "memory instead, e.g. `16GB LPDDR4X` for CPU only.",
            "16GB LPDDR4X",
        )
        for name, what in (
            ("orange ?pi", "the Orange Pi boards"),  # `orangepi 5 plus` too
            ("banana ?pi", "the Banana Pi boards"),
            ("rock ?pi", "the Radxa Rock boards"),
        )
    ),
)


def _refuse_named(lowered: str) -> None:
    for name, message, instead in _REFUSED_NAMES:
        if compiled(rf"\b{name}\b").search(lowered):
            raise RigfitError(message, field="hardware", code=ErrorCode.DEVICE_UNKNOWN, suggestions=(instead,))


# A bracket that starts with a count of devices (`(2x 3090) + 64gb`, `company server (2x a6000, 256gb ddr4)`) holds
# parts of the rig, not a remark on the part before it; a count of sizes (`256gb (8x32gb)`, `(8x32)`) is a DIMM
# breakdown.
_COUNTED_BRACKET = re.compile(
    r"\((?P<inside>\s*\d{1,2}\s*[x×*](?!\s*\d+(?:\.\d+)?\s*(?:gb|g|tb|gib)\b|\s*\d{1,3}\s*\))[^()]*)\)"
)
# A count of machines followed by a bracket listing them (`2x gb10 (asus gx10 + dgx spark)`): the list, as parts
_LISTED_BRACKET = re.compile(r"^(?P<head>\s*\d{1,2}\s*x\s*[^()]+?)\s*\((?P<inside>[^()]*(?:\+|\band\b)[^()]*)\)")
# A name the catalog does not know followed by the device in brackets: `g5.xlarge (NVIDIA A10G)`, `my work laptop
# (rtx 4060 8gb)`: the bracket names what the machine has.
_NAMED_IN_BRACKETS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<inside>[^()]+)\)(?P<rest>[^()]*)$")


# A count or a size written as no number a rig can have: a negative count (`-1x RTX 3090`; a negative size has its own
# message), a size that is not a number (`NaN GB`, `inf GB RAM`), or a count of six digits or more (`99999999999x
# H100`; model numbers have at most five); read before anything else drops the sign or the word
_UNREADABLE_COUNT = re.compile(
    r"(?<![\w.-])(?:-\d+(?:\.\d+)?\s*[x×*](?=\s*[a-z0-9])|\d{6,}\s*[x×*](?=\s*[a-z])"
    r"(?!\s*(?:faster|slower|quicker|speed|more|less|the\b|better|worse|behind|ahead|cheaper|bigger|smaller)))",
    re.IGNORECASE,
)
_UNREADABLE_SIZE = re.compile(r"(?<![\w.-])(?:nan|inf(?:inity)?)\s*(?:gb|gib|tb|g)\b", re.IGNORECASE)


def _refuse_unreadable_numbers(text: str) -> None:
    count = _UNREADABLE_COUNT.search(text)
    if count:
        raise _count_out_of_range(count.group(0))
    size = _UNREADABLE_SIZE.search(text)
    if size:
        raise RigfitError(
            f"`{size.group(0).strip()}` is not a memory size I can read: give it in GB, e.g. `24GB VRAM + 64GB RAM`.",
            field="hardware",
            code=ErrorCode.SIZE_OUT_OF_RANGE,
        )


def parse_hardware(text: str, catalog: Catalog) -> list[Reading]:
    """Every reasonable reading of a hardware phrase, most likely first; where a name is not known but a bracket
    after it names a device, the reading of the bracket and what follows it."""
    _refuse_unreadable_numbers(text or "")
    try:
        return _parse_hardware(text, catalog)
    except RigfitError as exc:
        bracket = _NAMED_IN_BRACKETS.match(text or "")
        if exc.code != ErrorCode.DEVICE_UNKNOWN or bracket is None:
            raise
        inside = f"{bracket.group('inside')} {bracket.group('rest')}"
        try:
            return _parse_hardware(inside, catalog)
        except RigfitError as missing:
            # the size said with the unknown name is the machine's when the bracket names a platform without one
            # (`surface laptop 7 32gb (snapdragon x elite)`)
            sizes = " ".join(m.group(0) for m in _SIZE.finditer(bracket.group("name").lower()))
            if missing.code != ErrorCode.PLATFORM_SIZE_MISSING or not sizes:
                raise exc from None
        try:
            return _parse_hardware(f"{inside} {sizes}", catalog)
        except RigfitError:
            raise exc from None


LOG_PASTE_MAX_CHARS = (
    4 * MAX_INPUT_CHARS
)  # a pasted device log: its devices count against the limit, its boilerplate not


# What a pasted table or report holds besides its devices: nvidia-smi's borders, second rows, bus ids and states;
# quotes, braces, markdown and tool keys (`'gpu_memory_free':`, `**NUMA nodes:** 1`); a rig report's lines on CPU
# topology, NUMA, nproc and swap
_TABLE_NOISE = re.compile(
    r"[+|=-]{2,}[+|=\s-]*|\b[0-9a-f]{8}:[0-9a-f]{2}:[0-9a-f]{2}\.\d\b|\b(?:off|on|n/a|disabled|default|wddm|tcc)\b|\|"
    r"|['\"{}\[\]*]|\b[a-z]+(?:_[a-z]+)+\s*:|" + _RIG_REPORT_NOISE
)


def _without_boilerplate(text: str) -> str:
    s = _SMI_STATS.sub(" ", _LOG_NOISE.sub(" ", _LOG_VRAM.sub(" ", _LOG_DEVICE.sub(" ", text.lower()))))
    return " ".join(_TABLE_NOISE.sub(" ", s).split())


def _parse_hardware(text: str, catalog: Catalog) -> list[Reading]:
    if not text or not text.strip():
        raise RigfitError(
            f"Tell me the hardware, e.g. {HARDWARE_EXAMPLES}.", field="hardware", code=ErrorCode.HARDWARE_MISSING
        )
    if len(text) > MAX_INPUT_CHARS and (
        len(text) > LOG_PASTE_MAX_CHARS or len(_without_boilerplate(text)) > MAX_INPUT_CHARS
    ):
        raise RigfitError(
            f"That hardware text is {len(text)} characters; keep it under {MAX_INPUT_CHARS}.",
            field="hardware",
            code=ErrorCode.INPUT_TOO_LONG,
            limit=MAX_INPUT_CHARS,
        )
    lowered = _prepare(text)
    lowered = _own_memory(_unknown_mini_pcs(_listed_alternatives(_server_boards(lowered), catalog), catalog), catalog)
    _refuse_named(lowered)
    nodes, lowered, total = _take_nodes(lowered)
    link, said_cluster, lowered = _take_link(lowered)
    if _EGPU.search(lowered):  # `3090 egpu over tb4`: the link carries a card, not a second machine
        link, said_cluster, lowered = None, False, _EGPU.sub(" ", lowered)
    no_gpu = bool(_NO_GPU.search(lowered))
    lowered = _NO_GPU.sub(" ", lowered)
    laptop = bool(_LAPTOP.search(lowered))
    nvlink = bool(_NVLINK.search(lowered))
    lowered = _NVLINK.sub(" ", lowered)
    product_named = bool(_APPLE_PRODUCTS.search(lowered))
    lowered = re.sub(r"\(\s*\)", " ", _NOISE.sub(" ", lowered))  # `x4 (nvlink)`: the bracket is emptied
    ram_spec = _RamSpec()
    pieces = [_piece(p, catalog, ram_spec) for p in _split_parts(_apple_products(lowered, catalog))]
    pieces = [
        p
        for p in pieces
        if p.entry is not None or p.sizes or p.cpu or p.product or p.bandwidth_gb_s or p.unknown or p.count > 1
    ]
    pieces = _product_sizes(_without_remarks(pieces))
    boards = [p for p in pieces if p.cpu is not None and p.count > 1]  # `4x rpi5 16gb`: that many machines
    if len(boards) == 1 and nodes == 1:
        nodes, boards[0].count = boards[0].count, 1
    if not pieces:
        raise RigfitError(
            f"I couldn't find hardware in `{text.strip()[:80]}`. Try {HARDWARE_EXAMPLES}.",
            field="hardware",
            code=ErrorCode.HARDWARE_NOT_FOUND,
        )
    no_gpu = no_gpu or (laptop and _sizes_only(pieces))
    groups = _machine_groups(pieces, nodes, said_cluster)
    if len(groups) > 1:
        machines = [_clustered(_with_link(_assemble(g, catalog, ram_spec, no_gpu)[0], nvlink), 1, link) for g in groups]
        return [_mixed_cluster(machines, link)]
    pieces = groups[0]
    readings = _assemble(pieces, catalog, ram_spec, no_gpu, nodes)
    readings += [_assemble(alt, catalog, ram_spec, no_gpu, nodes)[0] for alt in _older_chips(pieces, catalog)]
    if total and nodes > 1:
        readings = [_per_node(r, nodes) for r in readings]
    readings = [_with_link(r, nvlink) for r in readings]
    return [_clustered(r, nodes, link, product_named) for r in readings]


def _product_sizes(pieces: list[_Piece]) -> list[_Piece]:
    """`a Mac Studio with 192GB`: a product named without a size, then its size as a part of its own, is the product
    sold with that size (the M2 Ultra Mac Studio, not the newest one, which no one sold with 192 GB)."""
    out: list[_Piece] = []
    for p in pieces:
        prev = out[-1] if out else None
        if prev is not None and prev.product is not None and not prev.sizes and _sizes_only([p]):
            prev.sizes = p.sizes
            continue
        out.append(p)
    return out


def _without_remarks(pieces: list[_Piece]) -> list[_Piece]:
    """Words with no number, no size and no count that name nothing (`steady package power during the run`, `even when
    it downloads all the correct packages`), beside a part that does name hardware, are a remark on the rig: left out.
    Alone, they are still refused with what would be understood."""
    named = any(p.entry is not None or p.cpu is not None or p.product is not None for p in pieces)

    def remark(p: _Piece) -> bool:
        return (
            p.unknown is not None
            and not any(_MODEL_NUMBER.search(w) for w in p.unknown.split())
            and not p.sizes
            and p.count == 1
            and p.bandwidth_gb_s is None
        )

    return [p for p in pieces if not (named and remark(p))]


_EGPU = re.compile(r"\be-?gpus?\b|\boculink\b|\b(?:egpu\s+)?enclosures?\b|\brazer\s+core(?:\s+x)?\b")

# A laptop named with memory sizes and no GPU (`surface laptop 32gb`, `my 16gb laptop`) is its RAM: a laptop with a
# GPU of its own names it (`laptop 4070 8gb 32gb ram`), and a Mac is a product of its own.
_LAPTOP = re.compile(r"\b(?:laptop|notebook)s?\b")


def _sizes_only(pieces: list[_Piece]) -> bool:
    """Nothing but sizes that are not said to be VRAM or unified memory: no device, product, CPU or count."""
    return all(
        p.entry is None
        and p.product is None
        and p.cpu is None
        and p.unknown is None
        and p.count == 1
        and p.sizes
        and all(s.qualifier not in (*_VRAM_SAID, *_UNIFIED_SAID) for s in p.sizes)
        for p in pieces
    )


def _is_machine(p: _Piece) -> bool:
    """A piece that is a machine of its own: a unified-memory machine (a Mac, a Spark, a Strix Halo box)."""
    return isinstance(p.entry, Unified) or p.product is not None


def _machine_groups(pieces: list[_Piece], nodes: int, said_cluster: bool) -> list[list[_Piece]]:
    """The machines of a cluster of different machines, each as its pieces: `4090 pc + 3090 pc over rpc` (a
    cluster said, a device per part), `m4 max 128gb + m2 ultra 192gb` (two unified machines, or one beside a
    GPU, can only be several machines), `two boxes: 2x3090 and 2x3090` (as many parts as machines). RAM and CPU
    parts stay with the machine before them. One group: one machine, or identical machines."""
    head = pieces[0]
    if _lists_its_machines(head, pieces[1 : 1 + head.count]):  # `2x gb10 (asus gx10 + dgx spark)`
        return [[head, *pieces[1 + head.count :]]]
    groups: list[list[_Piece]] = []
    for p in pieces:
        device = p.entry is not None or p.product is not None or p.unknown is not None
        if groups and _same_machine(groups[-1], p):
            groups[-1].append(p)
        elif (device and not isinstance(p.entry, SystemMemory)) or not groups:
            groups.append([p])
        else:
            groups[-1].append(p)
    head = groups[0][0]
    if len(groups) == head.count + 1 and head.count > 1 and not head.sizes and head.product is not None:
        groups = groups[1:]  # `two mac studios: m2 ultra 192 + m2 ultra 192`: a heading, then each machine
    elif head.count == len(groups) > 1 and all(g[0].count == 1 and g[0].entry is head.entry for g in groups[1:]):
        head.count = 1  # `two (m2 ultra 192 + m2 ultra 192)`: the count heads the machines listed
    machines = sum(1 for g in groups if any(_is_machine(p) for p in g))
    devices = len(groups)
    if devices < 2:
        return [pieces]
    mixed = machines >= 2 or (machines == 1 and any(isinstance(p.entry, Gpu) for p in pieces))
    if mixed or (said_cluster and nodes == 1) or devices == nodes > 1:
        return groups
    return [pieces]


def _lists_its_machines(head: _Piece, listed: list[_Piece]) -> bool:
    """A count of unified machines followed by that many of the same machine, named each once: the machines counted."""
    if head.count < 2 or not _is_machine(head) or len(listed) != head.count:
        return False
    return all(_is_machine(p) and p.count == 1 and not p.sizes and p.entry is head.entry for p in listed)


def _same_machine(group: list[_Piece], p: _Piece) -> bool:
    """`rog flow z13 2025 with the 395`: the same unified machine named twice, once without a size, is one."""
    if not _is_machine(p):
        return False
    named = [q for q in group if _is_machine(q)]
    return any(q.entry is p.entry and (not q.sizes or not p.sizes) for q in named)


def _mixed_cluster(machines: list[Reading], link: NodeLink | None) -> Reading:
    """Several machines, each read on its own, as one cluster: identical ones as `nodes` of one, else every
    machine listed (the rig's own devices are the machine with the most memory)."""
    nodes = [node for r in machines for node in r.rig.node_rigs]
    notes = tuple(a for r in machines for a in r.assumptions if a.kind is not AssumptionKind.CLUSTER)
    first = nodes[0]
    chosen: NodeLink = link or _default_link(first)
    cluster = Assumption(
        kind=AssumptionKind.CLUSTER,
        count=len(nodes),
        link=chosen,
        link_stated=link is not None,
        bandwidth_gb_s=NODE_LINK_GB_S[chosen],
    )
    if all(n == first for n in nodes):
        rig = first.model_copy(update={"nodes": len(nodes), "node_link": chosen})
    else:
        largest = max(nodes, key=lambda n: n.memory_bytes)
        rig = largest.model_copy(update={"nodes": len(nodes), "node_link": chosen, "machines": tuple(nodes)})
    return Reading(label=rig.describe(), rig=rig, assumptions=(*notes, cluster))


def _per_node(reading: Reading, nodes: int) -> Reading:
    """`16x h100 across two hgx boxes`: the GPUs written are all the machines' together; each holds its share."""
    gpus = reading.rig.gpus
    if len(gpus) % nodes:
        return reading
    rig = reading.rig.model_copy(update={"gpus": gpus[: len(gpus) // nodes]})
    return reading.model_copy(update={"rig": rig})


MAX_OLDER_CHIPS = 2  # `mac mini 16gb`: the newest chip sold with 16 GB, then at most two before it


def _older_chips(pieces: list[_Piece], catalog: Catalog) -> list[list[_Piece]]:
    """`mac studio 512`, `mac mini 16gb`: a product named without its chip, at a size several of its chips were sold
    with, reads first as the newest; the pieces again for each chip before it sold with that size (newest first)."""
    for i, p in enumerate(pieces):
        if p.product is None or p.entry is not None or not p.sizes:
            continue
        gib = int(p.sizes[0].gib)
        sold = [c.maps_to for c in p.product.configs if gib in c.memory_gib and c.maps_to in catalog.hardware]
        older = list(dict.fromkeys(reversed(sold[:-1])))[:MAX_OLDER_CHIPS]
        return [[*pieces[:i], replace(p, chip=chip), *pieces[i + 1 :]] for chip in older]
    return []


def _apple_products(s: str, catalog: Catalog) -> str:
    """`m4 max 128gb macbook`, `macbook air m3 24gb`: the chip names the machine, so the product words go; a product
    with no chip named (`4 mac minis`, `macbook air 16gb`) stays, to be read as the chip it was last sold with."""
    if not _APPLE_PRODUCTS.search(s):
        return s
    without = _APPLE_PRODUCTS.sub(" ", s)
    if re.search(r"\bm[1-6]\b", without):
        return without
    return s


def _clustered(reading: Reading, nodes: int, link: NodeLink | None, product_named: bool = False) -> Reading:
    """Several machines: `2 nodes of ...` (nodes given), `2x M3 Ultra 512GB` (a count of unified machines, already
    in the reading), `16x H200` (SXM modules past one server's eight)."""
    rig = reading.rig
    notes = list(reading.assumptions)
    n = max(nodes, rig.nodes)
    gpus = rig.gpus
    if n == 1 and len(gpus) > GPUS_PER_SERVER and all(g.sxm for g in gpus) and len(gpus) % GPUS_PER_SERVER == 0:
        n = len(gpus) // GPUS_PER_SERVER
        gpus = gpus[:GPUS_PER_SERVER]
        notes.append(Assumption(kind=AssumptionKind.SERVERS_OF_EIGHT, count=len(rig.gpus)))
    if n == 1:
        return reading
    chosen: NodeLink = link or _default_link(rig)
    notes.append(
        Assumption(
            kind=AssumptionKind.CLUSTER,
            count=n,
            link=chosen,
            link_stated=link is not None,
            bandwidth_gb_s=NODE_LINK_GB_S[chosen],
        )
    )
    clustered = rig.model_copy(update={"gpus": gpus, "nodes": n, "node_link": chosen})
    return reading.model_copy(update={"rig": clustered, "label": clustered.describe(), "assumptions": tuple(notes)})


def _default_link(rig: Rig) -> NodeLink:
    """The link such machines are usually clustered over: Thunderbolt 5 between Macs (exo, llama.cpp RPC), the
    Spark's ConnectX-7 between GB10 boxes, InfiniBand between GPU servers, 10 Gb Ethernet otherwise."""
    if rig.unified is not None and rig.unified.backend == "metal":
        return "thunderbolt5"
    if rig.unified is not None and rig.unified.hardware_id == "dgx-spark":
        return "connectx7"
    if rig.gpus and all(g.sxm for g in rig.gpus):
        return "infiniband"
    return "ethernet-10g"


def _with_link(reading: Reading, said_nvlink: bool) -> Reading:
    """GPUs talk over NVLink when they are SXM modules, or when the phrase says so and every card can be
    bridged; otherwise over PCIe (said in the assumptions when the phrase asked for NVLink)."""
    gpus = reading.rig.gpus
    if len(gpus) < 2:
        return reading
    linked = all(g.nvlink_gb_s and (g.sxm or said_nvlink) for g in gpus)
    if linked:
        return reading.model_copy(update={"rig": reading.rig.model_copy(update={"nvlink": True})})
    if not said_nvlink:
        return reading
    unable = sorted({g.name for g in gpus if not g.nvlink_gb_s})
    note = Assumption(kind=AssumptionKind.NO_NVLINK, devices=tuple(unable))
    return reading.model_copy(update={"assumptions": (*reading.assumptions, note)})


_VRAM_SAID = ("vram", "v-ram", "gpu memory")  # a size said to be a GPU's
_VRAM_WORDS = (None, *_VRAM_SAID)  # a size a GPU's name takes as its memory
_UNIFIED_SAID = ("unified", "unified memory")
# Words that make a name a graphics card's (an unknown `rtx 5050 8gb` is a GPU of 8 GB; `dell xps 13 16gb` is not)
_GPU_NAME_WORDS = re.compile(
    r"\b(?:rtx|gtx|rx|arc|radeon|geforce|quadro|tesla|instinct|titan|" + "|".join(_GPU_WORDS) + r")\b"
)


def _memory_variant(
    entry: Gpu, name: str, sizes: list[_Size], catalog: Catalog, count: int = 1
) -> tuple[Gpu, list[_Size]]:
    """ "A100 40GB", "V100 PCIe 32GB": a size next to a card's name that is not the named entry's memory picks the
    catalog's variant of that card with that memory, when there is one (else the size stays system RAM). With several
    cards, a size no variant has that is the cards' total (`4x V100 64G`: four 16 GB cards) picks the variant of
    that total's share."""
    for s in sizes:
        if s.qualifier not in _VRAM_WORDS or round(s.gib) == round(entry.memory_gib):
            continue
        for gib in (s.gib, s.gib / count) if count > 1 else (s.gib,):
            for phrase in (f"{name} {gib:g}gb", f"{name} {gib:g}g", f"{name}-{gib:g}gb"):
                found = catalog.find_hardware(phrase)
                variant = catalog.hardware.get(found.id or "")
                if isinstance(variant, Gpu) and round(variant.memory_gib) == round(gib):
                    return variant, [x for x in sizes if x is not s]
    return entry, sizes


def _product_chip(
    product: UnifiedName, gib: float | None, catalog: Catalog, chip: str | None = None
) -> tuple[Unified, Assumption]:
    """A product sold with several chips and no chip named: the last-listed (newest) chip sold with the size given,
    else the newest chip; `chip` (a catalog id) picks another of those sold with the size."""
    chips = [c for c in product.configs if c.maps_to in catalog.hardware]
    sized = [c for c in chips if gib is not None and int(gib) in c.memory_gib]
    picked = [c for c in sized if c.maps_to == chip]
    chosen = (picked or sized or chips)[-1] if chips else None
    entry = catalog.hardware.get(chosen.maps_to or "") if chosen else None
    if not isinstance(entry, Unified):
        raise RigfitError(
            f"Which chip does your {product.name} have? e.g. `{product.name} M4 Pro 48GB`.",
            field="hardware",
            code=ErrorCode.DEVICE_AMBIGUOUS,
        )
    return entry, Assumption(kind=AssumptionKind.PRODUCT_CHIP, device=product.name, devices=(entry.name,))


def _sold_sizes(entry: Unified, catalog: Catalog) -> tuple[int, ...]:
    """Every memory size the catalog knows the machine was sold with: its own list and its products' lists."""
    sizes = set(entry.memory_gib_options)
    for u in catalog.unified_names:
        if u.maps_to == entry.id:
            sizes.update(u.memory_gib_options)
        sizes.update(s for c in u.configs if c.maps_to == entry.id for s in c.memory_gib)
    return tuple(sorted(sizes))


def _described_gpu(name: str, gib: float, bandwidth: float | None) -> tuple[GpuDevice, Assumption]:
    device = GpuDevice(name=name, memory_bytes=int(gib * GIB), bandwidth_gb_s=bandwidth)
    return device, Assumption(kind=AssumptionKind.DESCRIBED, device=name, size_gib=gib, bandwidth_gb_s=bandwidth)


def _described_unified(gib: float, bandwidth: float) -> Reading:
    """`512 GB unified @ 819 GB/s`: a unified machine described by its numbers; the GPU may use all but the OS's."""
    total = int(gib * GIB)
    pool = UnifiedPool(
        name=f"{gib:g} GB unified memory",
        memory_bytes=total,
        gpu_limit_bytes=total - min(OS_RESERVE_BYTES, total // 4),
        gpu_limit_basis="all-memory",
        bandwidth_gb_s=bandwidth,
        backend="vulkan",
    )
    note = Assumption(kind=AssumptionKind.DESCRIBED, device=pool.name, size_gib=gib, bandwidth_gb_s=bandwidth)
    return Reading(label=pool.name, rig=Rig(unified=pool), assumptions=(note,))


@dataclass
class _Parts:
    """What the pieces of a phrase add up to, before it becomes a rig."""

    gpus: list[GpuDevice] = field(default_factory=list)
    notes: list[Assumption] = field(default_factory=list)
    unified: Unified | None = None
    unified_gib: float | None = None
    unified_vram: bool = False  # the size was said of its GPU (`8060s 96gb vram allocated`): a carve-out
    unified_count: int = 1
    platform: SystemMemory | None = None
    cpu: Cpu | None = None
    sockets: int = 1
    ram_gib: float = 0.0
    ram_bandwidth: float | None = None
    vram_sizes: list[tuple[int, float, float | None]] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    pending_count: int = 1  # `2 gpus, 24gb each`: a count waiting for its size
    pending_gpus: bool = False  # the waiting count was of GPUs (`2 gpus`)
    host: list[tuple[Gpu, int]] = field(default_factory=list)  # superchips (GH200) and how many: their CPU memory


MOD_MAX_FACTOR = 2  # memory mods and larger variants double a card's memory at most (2080 Ti 11->22, 4090 24->48)


def _other_memory(
    entry: Gpu, count: int, sizes: list[_Size], modded: bool
) -> tuple[GpuDevice, list[_Size], Assumption | None]:
    """A bare size right by a card's name: all the cards' memory together (`dgx a100 640gb`) is taken as said; more
    than the card has, up to MOD_MAX_FACTOR times, is that card with that memory (a variant or mod the catalog
    lacks: `2080 ti 22gb modded`, `mi50 32gb hbm2`), said in an assumption; anything else stays system RAM."""
    device = gpu_device(entry)
    first = sizes[0] if sizes else None
    if first is None or first.qualifier not in (None, "vram"):
        return device, sizes, None
    total = count > 1 and abs(first.gib - count * entry.memory_gib) <= max(1, 0.05 * first.gib)
    if total and not modded:  # `2x 3090 48gb`, `2x 3090 (48 Go VRAM)`: the cards' memory together
        return device, sizes[1:], None
    if entry.memory_gib < first.gib <= MOD_MAX_FACTOR * entry.memory_gib:
        note = Assumption(
            kind=AssumptionKind.OTHER_MEMORY, device=entry.name, size_gib=first.gib, other_size_gib=entry.memory_gib
        )
        return device.model_copy(update={"memory_bytes": int(first.gib * GIB)}), sizes[1:], note
    return device, sizes, None


# `Laptop RTX 5090 extremely slow`: the word laptop right before a card's number names the laptop card, whatever follows
# (`4070 Laptop` after other words too)
_LAPTOP_BEFORE_CARD = re.compile(
    r"\b(?:laptop|notebook)\s+(?:nvidia\s+)?(?:geforce\s+)?(?:rtx|gtx)\s*\d{4}\b"
    r"|\b(?:rtx\s*|gtx\s*)?\d{4}(?:\s+(?:ti|super))?\s+(?:laptop|notebook)\b"
)


def _laptop_variant(entry: Gpu, name: str, sizes: list[_Size], catalog: Catalog, text: str = "") -> Gpu:
    """`laptop with a 4090 (16gb)`, `4080 12gb`: a size the desktop card lacks and its laptop version has;
    `laptop rtx 5090 ...`: the laptop card."""
    if _LAPTOP_BEFORE_CARD.search(text) and entry.form != "laptop" and not sizes:
        found = catalog.find_hardware(f"{entry.name} laptop")
        mobile = catalog.hardware.get(found.id or "")
        if isinstance(mobile, Gpu) and mobile.form == "laptop":
            return mobile
    if not sizes or sizes[0].qualifier not in _VRAM_WORDS or round(sizes[0].gib) == round(entry.memory_gib):
        return entry
    found = catalog.find_hardware(f"{name} laptop")
    laptop = catalog.hardware.get(found.id or "")
    return laptop if isinstance(laptop, Gpu) and round(laptop.memory_gib) == round(sizes[0].gib) else entry


def _add_gpu(p: _Piece, entry: Gpu, acc: _Parts, catalog: Catalog, no_gpu: bool) -> None:
    if no_gpu:
        raise RigfitError(
            f"`{p.text}` names a GPU, but the phrase also says no GPU.",
            field="hardware",
            code=ErrorCode.CONFLICTING_HARDWARE,
        )
    entry, sizes = _memory_variant(
        _laptop_variant(entry, p.name, p.sizes, catalog, p.text),
        p.name,
        list(p.sizes),
        catalog,
        1 if p.size_each else p.count,
    )
    device, sizes, note = _other_memory(
        entry, p.count, sizes, p.size_each or bool(re.search(r"\bmod(?:ded|s)?\b", p.text))
    )
    acc.gpus += [device] * p.count
    acc.notes += [note] if note else []
    acc.host += [(entry, p.count)] if entry.host_memory else []
    for s in sizes:
        if s.qualifier in _VRAM_WORDS and abs(s.gib - entry.memory_gib) <= max(1, 0.05 * entry.memory_gib):
            continue
        if s.qualifier in _VRAM_SAID:
            raise RigfitError(
                f"{entry.name} has {entry.memory_gib:g} GB, not {s.gib:g} GB.",
                field="hardware",
                code=ErrorCode.SIZE_NOT_SOLD,
            )
        acc.ram_gib += s.gib


def _add_sizes(p: _Piece, acc: _Parts, stated_bandwidth: float | None) -> None:
    count = p.count if p.count > 1 else acc.pending_count
    gpus_counted = acc.pending_gpus and p.count == 1  # `2 gpus, 24gb each`: the size of each counted GPU
    if p.count > 1 or acc.pending_count > 1:
        acc.pending_count, acc.pending_gpus = 1, False
    for s in p.sizes:
        q = s.qualifier
        if q in _VRAM_SAID:
            acc.vram_sizes.append((count, s.gib, p.bandwidth_gb_s))
        elif q in (*_UNIFIED_SAID, "lpddr5x", "lpddr5"):
            acc.unified_gib = s.gib
        elif q is None and (p.bandwidth_gb_s is not None or gpus_counted) and count > 1:
            acc.vram_sizes.append((count, s.gib, p.bandwidth_gb_s or stated_bandwidth))
        elif q is None:
            acc.bare.append(s.gib * count)
        else:
            acc.ram_gib += s.gib * count  # `12x64gb ddr5`: DIMMs
            acc.ram_bandwidth = p.bandwidth_gb_s or acc.ram_bandwidth


def _collect(pieces: list[_Piece], catalog: Catalog, no_gpu: bool) -> _Parts:
    acc = _Parts()
    stated_bandwidth = next((p.bandwidth_gb_s for p in pieces if p.bandwidth_gb_s), None)
    last_gpus: tuple[GpuDevice, ...] | list[GpuDevice] = ()
    for p in pieces:
        entry = p.entry
        before = len(acc.gpus)
        if p.product is not None and entry is None:
            gib = p.sizes[0].gib if p.sizes else None
            entry, note = _product_chip(p.product, gib, catalog, p.chip)
            acc.notes.append(note)
        if isinstance(entry, Gpu):
            _add_gpu(p, entry, acc, catalog, no_gpu)
        elif isinstance(entry, Unified):
            if acc.unified is not None and acc.unified.id != entry.id:
                raise RigfitError(
                    "One kind of unified-memory machine at a time, please.",
                    field="hardware",
                    code=ErrorCode.CONFLICTING_HARDWARE,
                )
            acc.unified, acc.unified_count = entry, max(p.count, acc.pending_count)
            acc.unified_gib = p.sizes[0].gib if p.sizes else acc.unified_gib
            acc.unified_vram = bool(p.sizes) and p.sizes[0].qualifier in _VRAM_SAID
        elif isinstance(entry, SystemMemory):
            acc.platform = entry
            acc.ram_gib += sum(s.gib for s in p.sizes)
        elif p.cpu is not None:
            acc.cpu, acc.sockets = p.cpu, max(p.sockets, acc.sockets)
            acc.ram_gib += sum(s.gib * (p.count if s.qualifier is None else 1) for s in p.sizes)
        elif p.unknown is not None and not p.sizes and _CPU_MODEL.fullmatch(p.unknown) and len(pieces) > 1:
            acc.notes.append(Assumption(kind=AssumptionKind.CPU_NOT_KNOWN, device=p.unknown))  # `+ i9-13900h`
        elif p.unknown is not None:
            vram = [s for s in p.sizes if s.qualifier in _VRAM_WORDS]
            gpu_said = any(s.qualifier in _VRAM_SAID for s in vram) or bool(_GPU_NAME_WORDS.search(p.text))
            if not vram or not (gpu_said or p.bandwidth_gb_s or stated_bandwidth):
                # `dell xps 13 16gb`, `thinkpad x1 carbon 32gb`: a name and a bare size say neither that the size
                # is a GPU's nor how fast it is; `rtx 5050 8gb` and `mystery card 24gb vram` are GPUs of that memory
                raise _unknown_device(p.unknown, catalog)
            for s in vram:
                device, note = _described_gpu(p.unknown.upper(), s.gib, p.bandwidth_gb_s or stated_bandwidth)
                acc.gpus += [device] * p.count
                acc.notes.append(note)
            acc.ram_gib += sum(s.gib for s in p.sizes if s not in vram)
        elif not p.sizes and p.count > 1 and not p.name and last_gpus:  # `p40, 4 each`: that many of them
            acc.gpus += list(last_gpus) * (p.count - 1)
        elif not p.sizes and p.count > 1:
            acc.pending_count = p.count
            acc.pending_gpus = bool(re.search(r"\b(?:gpus?|cards?)\b", p.text))
        else:
            _add_sizes(p, acc, stated_bandwidth)
        last_gpus = acc.gpus[before:] if isinstance(entry, Gpu) else ()
    if acc.pending_count > 1 and acc.unified is None and acc.bare:  # `2 gpus` then `24gb each`
        acc.vram_sizes.append((acc.pending_count, acc.bare.pop(0), stated_bandwidth))
    return acc


def _unified_result(acc: _Parts, catalog: Catalog, stated_bandwidth: float | None, nodes: int = 1) -> list[Reading]:
    given = None  # `ai max+ 395 with 96gb allocated to gpu`: a VRAM size said apart is the GPU's share of the machine
    if acc.unified is not None and not acc.gpus and [c for c, _, _ in acc.vram_sizes] == [1]:
        given = acc.vram_sizes.pop()[1]
    if acc.gpus or acc.vram_sizes:
        raise RigfitError(
            "A unified-memory machine with extra GPUs isn't something I can size yet.",
            field="hardware",
            code=ErrorCode.CONFLICTING_HARDWARE,
        )
    if acc.unified is not None and acc.unified_gib is None and len(acc.bare) == 1:
        acc.unified_gib = acc.bare[0]  # `mac mini m4 with 16gb`: a size said apart is the machine's memory
    if acc.unified is not None and acc.unified_gib is None and not acc.bare and acc.ram_gib > 0:
        acc.unified_gib = acc.ram_gib  # `Chip: Apple M2 Max, Memory: 96 GB`: the RAM of a unified machine is its memory
    if acc.unified is None:
        assert acc.unified_gib is not None
        if stated_bandwidth is not None:
            return [_described_unified(acc.unified_gib, stated_bandwidth)]
        return _any_unified(acc.unified_gib, catalog)
    entry = _unified_variant(acc.unified, acc.unified_gib, catalog)
    sold = _sold_sizes(entry, catalog)
    gib = acc.unified_gib
    machines = max(acc.unified_count, nodes)
    if gib is not None and machines > 1 and int(gib) not in sold and gib / machines in sold:
        gib = gib / machines  # `two ... max+ 395 (256gb)`, `2 strix halo boxes ... 256gb total`: all machines' memory
    carve_out = None
    if given is not None and (gib is None or gib == given):
        gib, acc.unified_vram = given, True
    elif given is not None and gib is not None and given < gib:
        carve_out = given  # `128gb unified strix halo, 96gb vram in bios`
    if gib is not None and acc.unified_vram and int(gib) not in sold and any(s > gib for s in sold):
        carve_out, gib = gib, min(s for s in sold if s > gib)  # 96 GB for the GPU of a 128 GB machine
    readings = _unified_readings(entry, gib, sold)
    if carve_out is not None:
        readings = [_with_carve_out(r, carve_out) for r in readings]
    out = []
    for r in readings:
        rig = r.rig.model_copy(update={"nodes": acc.unified_count})
        out.append(r.model_copy(update={"rig": rig, "assumptions": (*acc.notes, *r.assumptions)}))
    return out


def _system_ram(acc: _Parts, ram_spec: _RamSpec) -> tuple[SystemRam | None, list[Assumption]]:
    if acc.ram_gib <= 0:
        return None, []
    if acc.cpu is not None:
        ram, assumed = cpu_ram(
            acc.cpu, acc.ram_gib, ram_spec.generation, ram_spec.mt_s, ram_spec.channels, acc.sockets, ram_spec.dimms
        )
        note = Assumption(
            kind=AssumptionKind.CPU_PLATFORM,
            device=acc.cpu.name,
            count=acc.sockets,
            bandwidth_gb_s=ram.bandwidth_gb_s,
            assumed=assumed,
        )
        return _with_stated(ram, acc.ram_bandwidth), [note]
    ram, notes = _ram(acc.ram_gib, ram_spec, acc.platform)
    return _with_stated(ram, acc.ram_bandwidth), list(notes)


def _with_stated(ram: SystemRam, bandwidth: float | None) -> SystemRam:
    if bandwidth is None:
        return ram
    return ram.model_copy(update={"bandwidth_gb_s": bandwidth, "description": f"{bandwidth:g} GB/s as stated"})


def _without_restated_vram(bare: list[float], gpus: list[GpuDevice]) -> list[float]:
    """`a 3090 with 24gb`, `rtx 3090, 24gb`, `2x 3090, 48gb`: a bare size equal to the cards' own memory (one card's
    or all of theirs) restates their VRAM; it is not system RAM."""
    if not gpus or len({g.memory_bytes for g in gpus}) != 1:
        return bare
    per_card_gib = gpus[0].memory_bytes / GIB
    restated = {round(per_card_gib), round(per_card_gib * len(gpus))}
    return [b for b in bare if round(b) not in restated]


def _sold_sizes_readings(acc: _Parts, cpu: Cpu, ram_spec: _RamSpec) -> list[Reading]:
    """`raspberry pi 5`, `8 node raspberry pi 5 cluster`: a board sold with soldered memory, no size given: a reading
    for each size it was sold with, largest first (as for a unified machine)."""
    out = []
    for gib in sorted(cpu.memory_gib_options, reverse=True)[:MAX_UNIFIED_READINGS]:
        ram, notes = _system_ram(replace(acc, ram_gib=float(gib)), ram_spec)
        assert ram is not None
        rig = Rig(ram=ram)
        shown = Assumption(kind=AssumptionKind.SIZES_SHOWN, device=cpu.name)
        out.append(Reading(label=rig.describe(), rig=rig, assumptions=(*acc.notes, *notes, shown)))
    return out


def _host_memory(host: list[tuple[Gpu, int]]) -> SystemRam | None:
    """`gh200`, `4x gh200`: a superchip's own CPU memory is the machine's RAM when the phrase names none; each module
    brings its memory and its bandwidth."""
    if not host:
        return None
    memories = [(g.host_memory, n) for g, n in host if g.host_memory]
    first = memories[0][0]
    return SystemRam(
        memory_bytes=int(sum(m.memory_gib * n for m, n in memories) * GIB),
        bandwidth_gb_s=sum(m.bandwidth_gb_s * n for m, n in memories),
        description=f"{first.memory_type}, the superchip's CPU memory",
        memory_type=first.memory_type,
    )


def _restates(gpus: list[GpuDevice], gib: float) -> bool:
    totals = {sum(g.memory_bytes for g in gpus) / GIB, gpus[0].memory_bytes / GIB} if gpus else set()
    return any(abs(gib - t) <= max(1, 0.05 * gib) for t in totals)


def _assemble(
    pieces: list[_Piece], catalog: Catalog, ram_spec: _RamSpec, no_gpu: bool, nodes: int = 1
) -> list[Reading]:
    stated_bandwidth = next((p.bandwidth_gb_s for p in pieces if p.bandwidth_gb_s), None)
    acc = _collect(pieces, catalog, no_gpu)
    if acc.unified is not None or (acc.unified_gib is not None and acc.unified is None):
        return _unified_result(acc, catalog, stated_bandwidth, nodes)
    named = list(acc.gpus)
    for count, gib, bandwidth in acc.vram_sizes:
        if _restates(named, count * gib):  # `32 GB VRAM (2x 5060 Ti)`: the cards' own memory said again
            continue
        device, note = _typical_gpu(gib, catalog)
        if bandwidth is not None:
            device, note = _described_gpu(f"{gib:g} GB GPU", gib, bandwidth)
        acc.gpus += [device] * count
        acc.notes.append(note)
    bare = acc.bare
    ram_stated = ram_spec.generation is not None or ram_spec.channels is not None  # `ddr4 3200, 512GB`: RAM
    alone = not acc.gpus and acc.ram_gib == 0 and not no_gpu and acc.platform is None and acc.cpu is None
    if bare and alone and not ram_stated:
        if len(bare) == 1:
            if stated_bandwidth is not None:
                device, note = _described_gpu(f"{bare[0]:g} GB GPU", bare[0], stated_bandwidth)
                return [Reading(label=device.name, rig=Rig(gpus=(device,)), assumptions=(note,))]
            return _bare_readings(bare[0], catalog, ram_spec)
        small, large = min(bare), max(bare)
        device, note = _typical_gpu(small, catalog)
        acc.gpus.append(device)
        acc.notes += [note, Assumption(kind=AssumptionKind.SPLIT_SIZES, size_gib=small, other_size_gib=large)]
        bare = [b for b in bare if b != small]
    if not ram_stated:
        bare = _without_restated_vram(bare, acc.gpus)
    acc.ram_gib += sum(bare)
    if acc.ram_gib > 0 and stated_bandwidth is not None and not acc.gpus and acc.ram_bandwidth is None:
        acc.ram_bandwidth = stated_bandwidth
    ram, ram_notes = _system_ram(acc, ram_spec)
    acc.notes += ram_notes
    ram = ram or _host_memory(acc.host)
    if ram is None and acc.cpu is not None and acc.cpu.memory_gib_options and not acc.gpus:
        return _sold_sizes_readings(acc, acc.cpu, ram_spec)
    if ram is None and (acc.platform is not None or (acc.cpu is not None and not acc.gpus)):
        name = acc.platform.name if acc.platform is not None else acc.cpu.name if acc.cpu else ""
        raise RigfitError(
            f"How much memory does the {name} have? e.g. `{name} 768GB`.",
            field="hardware",
            code=ErrorCode.PLATFORM_SIZE_MISSING,
        )
    platform = acc.cpu or acc.platform
    if ram is None and platform is not None:  # `epyc 7642 + 8x mi50`: the GPUs, and a word on the RAM not counted
        acc.notes.append(Assumption(kind=AssumptionKind.CPU_RAM_UNSTATED, device=platform.name))
    if not acc.gpus and ram is None:
        raise RigfitError(
            f"I couldn't find memory sizes in that phrase. Try {HARDWARE_EXAMPLES}, or describe a device: "
            f"{DESCRIBE_EXAMPLE}.",
            field="hardware",
            code=ErrorCode.HARDWARE_NOT_FOUND,
        )
    rig = Rig(gpus=tuple(acc.gpus), ram=ram)
    return [Reading(label=rig.describe(), rig=rig, assumptions=tuple(acc.notes))]
