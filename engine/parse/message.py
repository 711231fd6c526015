"""A chat message -> what it asks: "just got 2x 3090s, can I run qwen3-235b?" names a model and a rig.

Models: a Hugging Face link, else the longest run of words that is exactly a catalog model's name or alias, else a
bare size such as `70B` or `30B-A3B`. Hardware: the longest run of hardware-looking words (sizes, counts, words of
catalog device names, memory words) that the hardware parser reads. Nothing is guessed from a near miss: a message
that names no model gives no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.catalog import Catalog
from catalog.lookup import normalise
from engine.errors import RigfitError
from engine.parse.hardware import parse_hardware
from engine.parse.labels import find_label

MESSAGE_MAX_CHARS = 4000  # Discord's longest message (Nitro); past it the message is cut
MODEL_WORDS_MAX = 5  # "deepseek r1 distill qwen 32b"
HARDWARE_WORDS_MAX = 14  # "2x rtx 3090 + rtx 4090 + 256gb ddr5-6000 8-channel nvlink"

_HF_LINK = re.compile(r"huggingface\.co/(?P<repo>[\w.-]+/[\w.-]+)", re.IGNORECASE)
_WORD = re.compile(r"[\w.+/×*-]+|[+,&]")
_NAMELIKE = re.compile(r"^(?=.*[a-z])(?=.*\d)[\w.-]{4,}$", re.IGNORECASE)  # letters and digits: "glm-5.2"
_ADHOC = re.compile(r"^\d{1,5}(?:\.\d+)?b(?:-a\d{1,4}(?:\.\d+)?b)?$", re.IGNORECASE)
_SIZED = re.compile(r"^\d+(?:\.\d+)?(?:gb|g|gib|tb|gigs?)$|^\d+x$|^x\d+$|^\d{3,5}s?$", re.IGNORECASE)
_MEMORY_TEXT = (
    "+ , & and with w/ plus x × * of gb g gib tb gigs gig ram vram memory unified system ddr4 ddr5 "
    "lpddr5 lpddr5x channel channels ch dual triple quad octa single nvlink nvlinked no gpu gpus cpu "
    "only card cards used"
)
_MEMORY_WORDS = frozenset(_MEMORY_TEXT.split())

_JOINS = frozenset(["+", ",", "&", "and", "with", "w/", "plus", "of", "x", "×"])  # never a rig's first or last


@dataclass(frozen=True)
class MessageAsk:
    model: str | None  # as written: a catalog name, a Hugging Face repo id or a bare size
    hardware: str | None  # the words the hardware parser read


def read_message(text: str, catalog: Catalog) -> MessageAsk:
    text = text[:MESSAGE_MAX_CHARS]
    described = find_label(text)
    if described is not None:  # a pasted llama-bench table or log: the rig is in the words around it
        prose = "\n".join(line for line in text.splitlines() if not line.strip().startswith("|"))
        rest = _WORD.findall(prose.replace(described, " "))
        return MessageAsk(model=described, hardware=_hardware(rest, catalog))
    words = _WORD.findall(text)
    model, used = _model(text, words, catalog)
    rest = [w for i, w in enumerate(words) if i not in used]
    return MessageAsk(model=model, hardware=_hardware(rest, catalog))


def _model(text: str, words: list[str], catalog: Catalog) -> tuple[str | None, set[int]]:
    link = _HF_LINK.search(text)
    if link:
        return link.group("repo").removesuffix(".git"), set()
    for size in range(MODEL_WORDS_MAX, 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if catalog.model_names.exact(phrase) is not None:
                return phrase, set(range(start, start + size))
    for i, word in enumerate(words):  # "qwen3-235b": the start of exactly one model's name
        if _NAMELIKE.match(word) and catalog.find_model(word).id is not None:
            return word, {i}
    for i, word in enumerate(words):
        if _ADHOC.match(word.strip(".,?!")):
            return word.strip(".,?!"), {i}
    return None, set()


def _hardware(words: list[str], catalog: Catalog) -> str | None:
    """The longest run of hardware-looking words the parser reads (runs that name no size or device are skipped)."""
    vocabulary = _device_words(catalog)
    looks = [_looks_like_hardware(w, vocabulary) for w in words]
    for size in range(min(HARDWARE_WORDS_MAX, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if not all(looks[start : start + size]) or run[0].lower() in _JOINS or run[-1].lower() in _JOINS:
                continue
            if not any(_SIZED.match(w) or normalise(w) in vocabulary or _counted_device(w, vocabulary) for w in run):
                continue
            phrase = " ".join(run)
            try:
                parse_hardware(phrase, catalog)
            except RigfitError:
                continue
            return phrase
    return None


def _looks_like_hardware(word: str, vocabulary: frozenset[str]) -> bool:
    w = word.lower().strip(".?!")
    return bool(
        w in _MEMORY_WORDS
        or _SIZED.match(w)
        or normalise(w) in vocabulary
        or normalise(w.removesuffix("s")) in vocabulary
        or re.match(r"^(?:ddr\d|lpddr\d)x?-?\d{4}$", w)
        or re.match(r"^\d{1,2}-?ch(?:annel)?$", w)
        or _counted_device(w, vocabulary)
    )


def _counted_device(word: str, vocabulary: frozenset[str]) -> bool:
    """`2x3090`, `8xh100`, `4×4090s`: a count and a device word written as one."""
    m = re.match(r"^\d{1,2}[x×*](?P<device>[a-z0-9][\w.-]*?)s?$", word.lower().strip(".?!,"))
    return m is not None and normalise(m.group("device")) in vocabulary


def _device_words(catalog: Catalog) -> frozenset[str]:
    """Every word of every device name and alias in the catalog ('rtx', '3090', 'ultra', 'm3', 'epyc' ...)."""
    words: set[str] = set()
    for h in catalog.hardware.values():
        for name in (h.name, *h.aliases):
            words.update(normalise(w) for w in re.split(r"[\s()/,]+", name) if len(w) > 1)
    return frozenset(w for w in words if w)
