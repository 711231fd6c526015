"""llama.cpp's own description of a model file -> the catalog models it fits.

llama-bench's `model` column and llama-server's log print `{architecture} {size label} {file type}` (src/llama-model.cpp
`llama_model::desc`: the GGUF's `general.architecture`, `llm_type_name` of the type llama.cpp works out from the
layer count and experts, and `llama_model_ftype_name`): `qwen3moe 30B.A3B Q4_K - Medium`, `gpt-oss 120B MXFP4 MoE`,
`llama4 17Bx16E (Scout) Q4_K - Medium`, `hunyuan-moe A13B Q6_K`, `llama ?B Q4_K - Medium`, older builds'
`llama 7B mostly Q4_0`. The size label is llama.cpp's rounding chosen from the layer count (Mistral Nemo's 12.25 B
prints `llama 13B`, Phi-4's 14.66 B `phi3 14B`), so a parameter count, where the paste gives one (llama-bench's
`params` column, the log's `model params`), decides before it.

GGUF metadata lines as llama-server and llama-cli print them (`general.name str = Qwen3 30B A3B Instruct 2507`,
`print_info: model type = 30B.A3B`, `print_info: file type = Q4_K - Medium`) are read by `read_metadata`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.catalog import Catalog
from catalog.types import Model
from engine import quants
from engine.architectures import ARCHITECTURES
from engine.parse.bench import quant_from_model_type

# Architecture names of llama.cpp with no catalog model: their labels are read (and sized as ad-hoc models).
_OTHER_ARCHITECTURES = (
    "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder", "refact", "bloom",
    "stablelm", "qwen", "plamo", "plamo2", "plamo3", "codeshell", "orion", "internlm2", "minicpm",
    "minicpm3", "starcoder2", "mamba", "mamba2", "xverse", "dbrx", "olmo", "olmoe", "openelm", "arctic", "deepseek",
    "chatglm", "bitnet", "jais", "jais2", "nemotron", "exaone", "exaone-moe", "rwkv6", "rwkv6qwen2", "rwkv7",
    "arwkv7", "chameleon", "plm", "bailingmoe", "arcee", "afmoe", "ernie4_5", "hunyuan-dense", "smallthinker",
    "grovemoe", "cogvlm", "rnd1", "step35", "maincoder", "deepseek32", "glm4moelite",
)  # fmt: skip
_PATTERNS = {arch: re.compile(rf"^(?:{pattern})") for arch, pattern in ARCHITECTURES.items()}
_ARCH_NAMES = "|".join(re.escape(a) for a in sorted([*ARCHITECTURES, *_OTHER_ARCHITECTURES], key=len, reverse=True))

# llm_type_name's labels: `30B`, `0.6B`, `350M`, `30B.A3B`, `31B.A3.5B`, `8x7B`, `17Bx16E (Scout)`, `A13B`, `E4B`,
# `10B+128x3.66B`, and `?B` for a type it has no name for. Printed with an upper-case B, the architecture in lower case.
_NUM = r"\d+(?:\.\d+)?"
_SIZE_LABEL = (
    rf"(?P<unknown>\?B)"
    rf"|(?P<dense>{_NUM})B\+(?P<n>\d+)x(?P<each>{_NUM})B"
    rf"|(?P<active_x>{_NUM})Bx(?P<experts>\d+)E(?:\s*\((?P<tier>[A-Za-z]+)\))?"
    rf"|(?P<count>\d+)x(?P<expert>{_NUM})B"
    rf"|A(?P<active_only>{_NUM})B"
    rf"|E(?P<effective>\d+)B"
    rf"|(?P<total>{_NUM})(?P<unit>[BM])(?:\.A(?P<active>{_NUM})B)?"
)
_LABEL = re.compile(rf"^\s*(?P<arch>{_ARCH_NAMES})\s+(?:{_SIZE_LABEL})(?:\s+(?P<ftype>\S.*?))?\s*$")
# A file type as llama.cpp prints it (`Q4_K - Medium`, `IQ4_XS - 4.25 bpw`, `MXFP4 MoE`, `BF16`, `mostly Q4_0`,
# `all F32`) or as people write it (`Q4_K_M`, `UD-Q4_K_XL`); ik_llama.cpp's own types (`IQ4_KS`, `Q4_K_R4`) too.
_FILE_TYPE = re.compile(r"(?i)^(?:mostly\s+|all\s+|guessed\s+)?(?:UD-)?(?:I?Q\d|TQ\d|BF16|F16|F32|MXFP4)")
# A llama-bench table row pasted whole: its `params` cell (`30.53 B`, `494.03 M`).
_PARAMS_CELL = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[BM])\s*$")

PARAMS_TOLERANCE = 0.04  # a printed parameter count against a catalog total rounded to 0.1 B (Llama-3-8B 8.0 for 8.03)
LABEL_TOLERANCE = math.log(1.3)  # a size label against the catalog total: llama.cpp's rounding by layer count
PARAMS_TIE = 0.005  # a count: candidates this much further (relative) than the nearest are as near
LABEL_WINDOW = 0.07  # a label: catalog totals within this (log) of the nearest are the same label (6.74 and 7.24: 7B)
_SPECIALISED = re.compile(r"coder|code|devstral|distill|math|guard")
_LATER = dt.date.max  # a model without a release date counts as the latest


@dataclass(frozen=True)
class Label:
    """llama.cpp's description of a file, read: sizes in billions of parameters as the label states them."""

    text: str  # architecture and size label as written, without the file type: `qwen3moe 30B.A3B`
    architecture: str
    total_b: float | None = None  # None for `?B`, `A13B`, `E4B`, `17Bx16E`
    active_b: float | None = None
    experts: int | None = None  # `8x7B` -> 8, `17Bx16E` -> 16
    effective: str | None = None  # `E4B` (Gemma 3n): a size named for its active part
    moe: bool = False  # the label says experts (`.A3B`, `8x7B`, `17Bx16E`, `A13B`)
    file_type: str = ""  # `Q4_K - Medium`; empty when the label names none
    quant: str | None = None  # the file type as a quant the engine knows (engine/quants.py), else None
    params_b: float | None = None  # a parameter count printed beside it (llama-bench's params column)

    @property
    def size_b(self) -> float | None:
        """What the label's size is best compared with: the printed count, else the label's total."""
        return self.params_b or self.total_b


@dataclass(frozen=True)
class LabelReading:
    """The catalog models a label fits, best first (`models[0]` the one to answer with); `pool` the catalog models
    of its architecture (an ad-hoc answer borrows the nearest of them)."""

    label: Label
    models: tuple[Model, ...]
    pool: tuple[Model, ...]

    @property
    def model(self) -> Model | None:
        return self.models[0] if self.models else None


def read_label(text: str, params_b: float | None = None) -> Label | None:
    """llama.cpp's description of a file, or a llama-bench table row that starts with one; None when the text is
    not one (an architecture llama.cpp names, lower case, then a size label, then at most a file type)."""
    cells = [c.strip() for c in text.strip().strip("|").split("|")]
    if len(cells) > 1:
        params_b = params_b or next((p for c in cells[1:] if (p := _params_cell(c)) is not None), None)
    m = _LABEL.match(cells[0])
    if m is None:
        return None
    ftype = (m.group("ftype") or "").strip()
    if ftype and not _FILE_TYPE.match(ftype):
        return None
    total, active, experts, effective, moe = _sizes(m)
    return Label(
        text=cells[0][: m.start("ftype")].strip() if m.group("ftype") else cells[0].strip(),
        architecture=m.group("arch"),
        total_b=total,
        active_b=active,
        experts=experts,
        effective=effective,
        moe=moe,
        file_type=ftype,
        quant=_quant(ftype),
        params_b=params_b,
    )


def _params_cell(cell: str) -> float | None:
    m = _PARAMS_CELL.match(cell)
    if not m:
        return None
    return float(m.group("n")) / (1000 if m.group("unit") == "M" else 1)


_Sizes = tuple[float | None, float | None, int | None, str | None, bool]  # total, active, experts, effective, moe


def _sizes(m: re.Match[str]) -> _Sizes:
    """The label's sizes: `30B.A3B` -> total 30, active 3; `8x7B` -> 8 experts of 7, 56 as llama.cpp counts them."""
    if m.group("total"):
        total = float(m.group("total")) / (1000 if m.group("unit") == "M" else 1)
        active = float(m.group("active")) if m.group("active") else None
        return total, active, None, None, active is not None
    if m.group("count"):
        n = int(m.group("count"))
        return n * float(m.group("expert")), None, n, None, True
    if m.group("active_x"):
        return None, float(m.group("active_x")), int(m.group("experts")), None, True
    if m.group("dense"):
        n = int(m.group("n"))
        return float(m.group("dense")) + n * float(m.group("each")), None, n, None, True
    if m.group("active_only"):
        return None, float(m.group("active_only")), None, None, True
    if m.group("effective"):
        return None, None, None, f"e{m.group('effective')}b", False
    return None, None, None, None, False


def _quant(ftype: str) -> str | None:
    """The file type as an engine quant name: `Q4_K - Medium` -> Q4_K_M, `UD-Q4_K_XL` as written; None for a type the
    engine does not know (ik_llama.cpp's `IQ4_KS`)."""
    if not ftype:
        return None
    written = quants.lookup(ftype)
    if written is not None and " " not in ftype:
        return written.name
    name = quant_from_model_type(ftype)
    known = quants.lookup(name) if name else None
    return known.name if known is not None else None


# llama.cpp's description inside a chat message: a file type as llama.cpp prints it after the size label.
_PRINTED_TYPE = (
    r"(?:mostly\s+)?(?:UD-)?(?:I?Q\d[\w]*|TQ\d_\d|BF16|F16|F32|MXFP4)"
    r"(?:\s+mix)?(?:\s+-\s+(?:Small|Medium|Large|\d+(?:\.\d+)?\s+bpw)|\s+MoE)?"
)
_IN_TEXT = re.compile(rf"(?<![\w.-])(?:{_ARCH_NAMES})\s+(?:{_SIZE_LABEL})(?:\s+{_PRINTED_TYPE})?(?![\w.])")


def find_label(text: str) -> str | None:
    """llama.cpp's description of a file somewhere in a message (a pasted llama-bench table, a line of a log, a
    sentence); from a table row with its params cell (`qwen3moe 30B.A3B Q4_K - Medium | 30.53 B`), so the count is
    read too."""
    for line in text.splitlines():
        m = _IN_TEXT.search(line)
        if m is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 1 and read_label(cells[0]) is not None:
            params = next((c for c in cells[1:] if _params_cell(c) is not None), None)
            return cells[0] + (f" | {params}" if params else "")
        if read_label(m.group(0)) is not None:
            return m.group(0)
    return None


# ------------------------------------------------------------------------------------------------- catalog


def read_as(label: Label, catalog: Catalog) -> LabelReading:
    """The catalog models of the label's architecture that its size fits: with a printed count, those nearest it
    (within PARAMS_TOLERANCE, ties within PARAMS_TIE); with a label alone, those within LABEL_WINDOW of the nearest
    (within LABEL_TOLERANCE). First the one to answer with (`_plain`), then the others."""
    pool = architecture_models(label.architecture, catalog)
    fits = [m for m in pool if _kind_fits(m, label)]
    near = _nearest(fits, label)
    if not near and label.params_b is not None and label.total_b is not None:
        # a count no catalog total is near: GGUF files may carry tensors the card's count leaves out (GLM-4.5-Air's
        # MTP layer: 110.47 B printed for 106 B), so the size label decides
        label = dataclasses.replace(label, params_b=None)
        near = _nearest(fits, label)
    if not near:
        return LabelReading(label=label, models=(), pool=tuple(pool))
    first = _plain(near, label)
    return LabelReading(label=label, models=(first, *[m for m in near if m is not first]), pool=tuple(pool))


def architecture_models(architecture: str, catalog: Catalog) -> list[Model]:
    """The catalog models whose GGUF files carry llama.cpp's architecture name."""
    pattern = _PATTERNS.get(architecture)
    return [] if pattern is None else [m for m in catalog.models.values() if pattern.match(m.id)]


def _kind_fits(model: Model, label: Label) -> bool:
    """Experts where the label says them (a count of experts where it gives one); `E4B` in the model's own id."""
    if label.moe and not model.is_moe:
        return False
    if label.experts is not None and (model.experts is None or model.experts.n_routed != label.experts):
        return False
    return label.effective is None or label.effective in model.id


def _nearest(models: Iterable[Model], label: Label) -> list[Model]:
    """The models as near the label's size as the nearest, nearest first; a label with no total (`17Bx16E`, `A13B`,
    `E4B`, `?B`) is compared by its active size, else every model fits it."""
    size, tolerance, window = _measure(label)
    scored = [(d, m) for m in models if (d := _distance(m, label, size)) is not None and d <= tolerance]
    if not scored:
        return []
    best = min(d for d, _ in scored)
    return [m for d, m in sorted(scored, key=lambda s: (s[0], s[1].id)) if d <= best + window or _rounded_to(m, label)]


def _rounded_to(model: Model, label: Label) -> bool:
    """True if a printed count is the model's catalog total as far as the catalog writes it: a total written in
    whole billions (Qwen3.5-35B-A3B's 35) is any count within half a billion of it (34.66 B)."""
    if label.params_b is None:
        return False
    total = model.total_params_b
    step = 1.0 if total == round(total) else 0.1 if total * 10 == round(total * 10) else 0.01
    return abs(total - label.params_b) <= step / 2


def _measure(label: Label) -> tuple[float | None, float, float]:
    if label.params_b is not None:
        return label.params_b, math.log(1 + PARAMS_TOLERANCE), PARAMS_TIE
    return label.total_b, LABEL_TOLERANCE, LABEL_WINDOW


def _distance(model: Model, label: Label, size: float | None) -> float | None:
    if size is not None:
        return abs(math.log(model.total_params_b / size))
    if label.active_b is not None:
        return abs(math.log((model.active_params_b or model.total_params_b) / label.active_b))
    return 0.0


def _plain(near: list[Model], label: Label) -> Model:
    """The one to answer with among models the label fits alike: the nearest's shape (a general model before a coding
    or distilled one, the longest context on a tie), and of that shape the first release: later ones of the same
    shape are re-releases and fine-tunes of its layout (Qwen3-30B-A3B before its 2507 releases and the Coder; Llama 3
    8B before 3.1; GLM-4.5 before 4.6 and 4.7; DeepSeek-V3 before R1)."""
    size = label.size_b
    lead = min(
        near,
        key=lambda m: (
            round(abs(math.log(m.total_params_b / size)), 3) if size else 0.0,
            bool(_SPECIALISED.search(m.id)),
            -m.context_limit_tokens,
        ),
    )
    same = [m for m in near if _shape(m) == _shape(lead)]
    return min(same, key=lambda m: (bool(_SPECIALISED.search(m.id)), m.release_date or _LATER, len(m.id), m.id))


def _shape(model: Model) -> tuple[object, ...]:
    """What makes two models run alike: layers, attention, experts and vocabulary."""
    a, e = model.attention, model.experts
    return (
        model.layers,
        a.kind,
        a.n_kv_heads,
        a.head_dim,
        e.n_routed if e else None,
        e.n_active if e else None,
        model.vocab_size,
    )


# ------------------------------------------------------------------------------------------------ metadata

# A GGUF key as llama.cpp's loader prints it (`llama_model_loader: - kv   2: general.name str = Qwen3 30B A3B`) and
# the model summary it prints after (`print_info: model type = 30B.A3B`; `llm_load_print_meta:` in older builds).
_METADATA = re.compile(
    r"(?m)(?:^|[\s:])(?P<key>general\.[a-z_.]+|arch|model type|model params|file type|model ftype)"
    r"(?:\s+(?:str|u32|u64|i32|f32|bool))?\s*=\s*(?P<value>[^\n]*?)\s*$"
)


def read_metadata(text: str) -> dict[str, str]:
    """The GGUF keys and model summary lines a text holds, by key (`general.name`, `arch`, `model type`...)."""
    return {m.group("key"): m.group("value") for m in _METADATA.finditer(text) if m.group("value")}


def metadata_names(meta: dict[str, str]) -> list[str]:
    """What the metadata names the model by, most specific first: `general.name`; `general.basename` with its
    `general.size_label`, `general.finetune` and `general.version` (`Qwen3 30B-A3B Thinking 2507`); llama.cpp's
    description from `arch`, `model type`, `file type`."""
    names = [meta["general.name"]] if "general.name" in meta else []
    if "general.basename" in meta:
        keys = ("general.basename", "general.size_label", "general.finetune", "general.version")
        names.append(" ".join(meta[k] for k in keys if meta.get(k)))
    arch = meta.get("arch") or meta.get("general.architecture")
    if arch and "model type" in meta:
        ftype = meta.get("file type") or meta.get("model ftype") or ""
        names.append(" ".join(p for p in (arch, meta["model type"], ftype) if p))
    return names


def metadata_params_b(meta: dict[str, str]) -> float | None:
    """`model params = 30.53 B` -> 30.53."""
    return _params_cell(meta.get("model params", ""))


def described_quant(text: str) -> tuple[bool, str | None]:
    """Whether the text is llama.cpp's description of a file or its metadata lines, and the quant its file type
    names (None when it names none the engine knows: ik_llama.cpp's `IQ4_KS`)."""
    label = read_label(text)
    if label is not None:
        return True, label.quant
    meta = read_metadata(text)
    ftype = meta.get("file type") or meta.get("model ftype")
    if not meta:
        return False, None
    return True, _quant(ftype) if ftype else None
