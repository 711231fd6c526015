"""Every command's options, declared once: type, unit, default, bounds, description.

The Discord commands, the argparse CLI and the console are all built from `REQUESTS`; `values()` turns what a front
end received (text from a terminal, typed values from Discord) into checked values with the defaults filled in, so
every option means the same on every front end. A bad value raises RigfitError naming the value and what would do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.cost import Usage
from engine.errors import RigfitError
from engine.fit import DEFAULT_CONTEXT, DEFAULT_PROMPT_TOKENS
from engine.parse import KV_TYPES, MAX_PROMPT_TOKENS, context_tokens
from engine.parse.hardware import LOG_PASTE_MAX_CHARS

TEXT_MAX_CHARS = 200  # Discord's option text limit is 6000; nothing we parse is longer than a sentence
# except hardware: people paste the device lines llama.cpp, ROCm and nvidia-smi print, whose boilerplate the parser
# does not count (engine/parse/hardware.py LOG_PASTE_MAX_CHARS)
HARDWARE_MAX_CHARS = LOG_PASTE_MAX_CHARS
# and models: llama-server's loader lines (general.name, general.size_label, print_info: file type) name the model
# a pasted log ran (engine/parse/labels.py)
MODEL_MAX_CHARS = LOG_PASTE_MAX_CHARS
TOKENS_MAX_CHARS = 20


class Kind(StrEnum):
    TEXT = "text"  # free text the engine parses (a model, a hardware phrase)
    TOKENS = "tokens"  # a token count as people write it: 8192, 32k, 1M
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"  # one of `choices`


class Complete(StrEnum):
    """What Discord suggests while the option is typed."""

    MODEL = "model"
    HARDWARE = "hardware"
    QUANT = "quant"
    MODEL_OR_HARDWARE = "model-or-hardware"


class Frontend(StrEnum):
    DISCORD = "discord"
    CLI = "cli"
    CONSOLE = "console"


ALL_FRONTENDS = frozenset(Frontend)


@dataclass(frozen=True)
class Option:
    name: str
    kind: Kind
    description: str
    required: bool = False
    default: str | int | float | None = None  # what an omitted option means; None: the engine decides
    default_text: str | None = None  # how the default reads in help when it is not the value itself
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_chars: int = TEXT_MAX_CHARS
    choices: tuple[str, ...] = ()
    complete: Complete | None = None
    cli_aliases: tuple[str, ...] = ()  # older CLI spellings still accepted
    saved_rig: bool = False  # on Discord it may be left out: the member's saved rig (/rig set) fills it

    @property
    def flag(self) -> str:
        """The CLI's spelling: kv_cache -> --kv-cache."""
        return "--" + self.name.replace("_", "-")

    def help(self) -> str:
        """The description with its unit, bounds and default, as every front end shows it."""
        parts = [self.description]
        if self.unit:
            parts.append(f"in {self.unit}")
        if self.choices:
            parts.append("one of " + ", ".join(self.choices))
        if self.default_text or self.default is not None:
            parts.append(f"default {self.default_text or _shown(self.default)}")
        return "; ".join(parts)

    def convert(self, raw: object) -> Any:
        """One value as received (text or a number) -> the checked value; raises RigfitError naming it."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise RigfitError(f"`{self.name}` is needed: {self.description.lower()}.", field=self.name)
            return self.default
        match self.kind:
            case Kind.TEXT:
                return self._text(raw)
            case Kind.CHOICE:
                return self._choice(raw)
            case Kind.TOKENS:
                return self._bounded(self._tokens(raw))
            case Kind.INT:
                return int(self._bounded(self._number(raw, whole=True)))
            case Kind.FLOAT:
                return self._bounded(self._number(raw, whole=False))

    def _text(self, raw: object) -> str:
        text = str(raw).strip()
        if len(text) > self.max_chars:
            raise RigfitError(
                f"`{self.name}` is {len(text)} characters; keep it under {self.max_chars}.", field=self.name
            )
        return text

    def _choice(self, raw: object) -> str:
        wanted = str(raw).strip().lower().replace("-", "_")
        for choice in self.choices:
            if wanted == choice.lower():
                return choice
        allowed = ", ".join(self.choices)
        raise RigfitError(f"`{str(raw)[:20]}` is not a {self.name} value; use one of {allowed}.", field=self.name)

    def _tokens(self, raw: object) -> int:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return int(self._finite(float(raw)))
        tokens = context_tokens(str(raw))
        if tokens is None:
            raise RigfitError(
                f"I can't read `{str(raw)[:20]}` as {self.name} tokens; try `8192`, `32k` or `1M`.", field=self.name
            )
        return tokens

    def _number(self, raw: object, *, whole: bool) -> float:
        if isinstance(raw, bool):
            raise RigfitError(f"`{self.name}` should be a number, not `{raw}`.", field=self.name)
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            text = str(raw).strip().lower().replace(",", "").replace("_", "").removeprefix("$").rstrip("%")
            value = _scaled(text, self.name)
        value = self._finite(value)
        if whole and value != int(value):
            raise RigfitError(f"`{self.name}` should be a whole number, not `{value:g}`.", field=self.name)
        return value

    def _finite(self, value: float) -> float:
        if not math.isfinite(value):
            raise RigfitError(f"`{self.name}` should be a finite number, not `{value}`.", field=self.name)
        return value

    def _bounded(self, value: float) -> float:
        low, high = self.min_value, self.max_value
        if (low is None or value >= low) and (high is None or value <= high):
            return value
        unit = f" {self.unit}" if self.unit else ""
        if high is None:
            wanted = f"at least {_shown(low)}{unit}"
        elif low is None:
            wanted = f"at most {_shown(high)}{unit}"
        else:
            wanted = f"{_shown(low)} to {_shown(high)}{unit}"
        raise RigfitError(f"`{self.name}` {value:g}{unit} is out of range: use {wanted}.", field=self.name)


_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}


def _scaled(text: str, name: str) -> float:
    """'2M' -> 2e6, '12k' -> 12000, '0.15' -> 0.15 (for counts and prices; token lengths use binary k)."""
    scale = 1.0
    if text[-1:] in _SUFFIX:
        text, scale = text[:-1], _SUFFIX[text[-1]]
    try:
        return float(text) * scale
    except ValueError as exc:
        raise RigfitError(f"`{name}` should be a number, not `{text[:20]}`.", field=name) from exc


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Request:
    name: str
    description: str
    options: tuple[Option, ...] = ()
    frontends: frozenset[Frontend] = ALL_FRONTENDS
    private: bool = False  # answered only to the asker on Discord
    subcommands: tuple[str, ...] = ()  # a Discord group (/rig set, /rig show ...), each without options
    menu: str | None = None  # a message context-menu command of this name instead of a slash command

    @property
    def positional(self) -> tuple[Option, ...]:
        """Options the CLI takes as arguments and the console fills from bare words, in order."""
        return tuple(o for o in self.options if o.required)

    @property
    def optional(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not o.required)

    @property
    def usage(self) -> str:
        """`fit MODEL HARDWARE [context:…] …`: how the console takes it (the slash is the reader's)."""
        words = [o.name.upper() for o in self.positional] + [f"[{o.name}:…]" for o in self.optional]
        return " ".join([self.name, *words])

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)

    def values(self, raw: Mapping[str, object]) -> dict[str, Any]:
        """Every option's checked value (defaults filled in); unknown names are refused."""
        known = {o.name for o in self.options}
        unknown = sorted(set(raw) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise RigfitError(
                f"`/{self.name}` has no option `{unknown[0][:30]}`; its options are {allowed}.", field=unknown[0]
            )
        return {o.name: o.convert(raw.get(o.name)) for o in self.options}


# ----------------------------------------------------------------------------------------- the options

_USAGE = Usage()
DEFAULT_MIN_TPS = 5.0
DEFAULT_QUANTS_HARDWARE = "24GB VRAM + 128GB RAM"

MODEL = Option(
    "model",
    Kind.TEXT,
    "Model name, Hugging Face repo or llama.cpp label, e.g. glm-5.2, qwen3moe 30B.A3B, 70B",
    required=True,
    complete=Complete.MODEL,
    max_chars=MODEL_MAX_CHARS,
)
HARDWARE = Option(
    "hardware",
    Kind.TEXT,
    "Your hardware, e.g. 256GB, 2x RTX 3090 + 128GB DDR4, M3 Ultra 256GB",
    required=True,
    complete=Complete.HARDWARE,
    max_chars=HARDWARE_MAX_CHARS,
    saved_rig=True,
)
CONTEXT = Option(
    "context",
    Kind.TOKENS,
    "Context length, e.g. 32k",
    unit="tokens",
    default_text=f"{DEFAULT_CONTEXT // 1024}k, or the model's maximum when smaller",
    min_value=1,
    max_chars=TOKENS_MAX_CHARS,
)
MIN_TPS = Option(
    "min_tps",
    Kind.FLOAT,
    "Decode speed wanted",
    unit="tokens/s",
    default=DEFAULT_MIN_TPS,
    min_value=0.5,
    max_value=1000,
)

REQUESTS: dict[str, Request] = {
    r.name: r
    for r in (
        Request(
            "fit",
            "Will a model run on your hardware, how fast, and with which quant?",
            (
                MODEL,
                HARDWARE,
                CONTEXT,
                Option(
                    "quant",
                    Kind.TEXT,
                    "A quant to size, e.g. Q4_K_M or UD-IQ2_XXS",
                    default_text="every published quant",
                    max_chars=40,
                    complete=Complete.QUANT,
                ),
                Option(
                    "kv_cache",
                    Kind.CHOICE,
                    "KV cache type (llama.cpp -ctk/-ctv)",
                    default=KV_TYPES[0],
                    choices=KV_TYPES,
                ),
                Option(
                    "prompt",
                    Kind.TOKENS,
                    "Prompt length for time to first token, e.g. 50k",
                    unit="tokens",
                    default=DEFAULT_PROMPT_TOKENS,
                    min_value=1,
                    max_value=MAX_PROMPT_TOKENS,
                    max_chars=TOKENS_MAX_CHARS,
                ),
            ),
        ),
        Request(
            "quants",
            "A model's quants: size, bits per weight and memory needed",
            (
                MODEL,
                Option(
                    "hardware",
                    Kind.TEXT,
                    "Hardware to check them against",
                    default=DEFAULT_QUANTS_HARDWARE,
                    complete=Complete.HARDWARE,
                    max_chars=HARDWARE_MAX_CHARS,
                ),
            ),
        ),
        Request(
            "cost",
            "Local cost per million tokens against the API and renting a GPU",
            (
                MODEL,
                HARDWARE,
                CONTEXT,
                Option(
                    "tokens_per_day",
                    Kind.INT,
                    "Tokens processed a day",
                    unit="tokens",
                    default=int(_USAGE.tokens_per_day),
                    min_value=1000,
                    max_value=10_000_000_000,
                ),
                Option(
                    "input_share",
                    Kind.FLOAT,
                    "Share of tokens that are input (prompt)",
                    unit="%",
                    default=_USAGE.input_share * 100,
                    min_value=0,
                    max_value=100,
                ),
                Option(
                    "kwh_price",
                    Kind.FLOAT,
                    "Electricity price",
                    unit="USD per kWh",
                    default=_USAGE.kwh_usd,
                    min_value=0,
                    max_value=5,
                ),
                Option(
                    "years",
                    Kind.FLOAT,
                    "Years to spread the hardware price over",
                    unit="years",
                    default=_USAGE.years,
                    min_value=0.5,
                    max_value=10,
                ),
                Option(
                    "hardware_price",
                    Kind.FLOAT,
                    "What the hardware costs",
                    unit="USD",
                    default_text="the catalog's price",
                    min_value=1,
                    max_value=10_000_000,
                    cli_aliases=("--hardware-usd",),
                ),
            ),
        ),
        Request(
            "recommend",
            "Cheapest hardware for a model at your speed, the best within a budget, upgrades for yours",
            (
                MODEL,
                Option(
                    "budget",
                    Kind.FLOAT,
                    "Most you would spend",
                    unit="USD",
                    default_text="no limit",
                    min_value=1,
                    max_value=10_000_000,
                ),
                MIN_TPS,
                CONTEXT,
                Option(
                    "hardware",
                    Kind.TEXT,
                    "Hardware you have: what adding RAM or a card, or swapping cards, buys, e.g. RTX 3090 + 64GB DDR4",
                    default_text="none: machines to buy",
                    complete=Complete.HARDWARE,
                    max_chars=HARDWARE_MAX_CHARS,
                ),
            ),
        ),
        Request(
            "whatfits",
            "The best models that run usefully on your hardware",
            (HARDWARE, MIN_TPS),
        ),
        Request(
            "compare",
            "Two models on one machine, or one model on two machines",
            (
                Option(
                    "first",
                    Kind.TEXT,
                    "First model (or first hardware)",
                    required=True,
                    complete=Complete.MODEL_OR_HARDWARE,
                    max_chars=HARDWARE_MAX_CHARS,
                ),
                Option(
                    "second",
                    Kind.TEXT,
                    "Second model (or second hardware)",
                    required=True,
                    complete=Complete.MODEL_OR_HARDWARE,
                    max_chars=HARDWARE_MAX_CHARS,
                ),
                Option(
                    "against",
                    Kind.TEXT,
                    "The hardware both models run on (or the model both machines run)",
                    required=True,
                    complete=Complete.MODEL_OR_HARDWARE,
                    max_chars=HARDWARE_MAX_CHARS,
                    saved_rig=True,
                ),
            ),
        ),
        Request(
            "model",
            "A model's spec card: parameters, architecture, quants, sources",
            (Option("name", Kind.TEXT, "Model name, e.g. glm-5.2", required=True, complete=Complete.MODEL),),
        ),
        Request(
            "hardware",
            "A device's spec card: memory, bandwidth, compute, prices",
            (
                Option(
                    "name",
                    Kind.TEXT,
                    "Device name, e.g. RTX 3090 or M3 Ultra",
                    required=True,
                    complete=Complete.HARDWARE,
                ),
            ),
        ),
        Request("about", "Version, catalog date and size, and how accurate the estimates measured"),
        Request(
            "help",
            "What rigfit can answer and how to ask",
            frontends=frozenset({Frontend.DISCORD, Frontend.CONSOLE}),
            private=True,
        ),
        Request(
            "stats",
            "Queries in this server: counts, top models and hardware, answer times",
            frontends=frozenset({Frontend.DISCORD}),
            private=True,
        ),
        Request(
            "can-i-run",
            "On any message, Apps > Can I run this?: answers for the model and rig the message names",
            frontends=frozenset({Frontend.DISCORD}),
            menu="Can I run this?",
        ),
        Request(
            "rig",
            "Your saved rig (set, show, clear): used when hardware is left out",
            frontends=frozenset({Frontend.DISCORD}),
            private=True,
            subcommands=("set", "show", "clear"),
        ),
        Request(
            "report",
            "Report llama-bench speeds you measured (add, list, delete; managers: hide); answers show them",
            frontends=frozenset({Frontend.DISCORD}),
            private=True,
            subcommands=("add", "list", "delete", "hide"),
        ),
        Request(
            "forget-me",
            "Delete every query of yours from rigfit's log",
            frontends=frozenset({Frontend.DISCORD}),
            private=True,
        ),
    )
}

# Commands that answer with a report of the engine's (the CLI's --json applies to them).
REPORTS = ("fit", "quants", "cost", "recommend", "whatfits", "compare", "model", "hardware", "about")


def requests_for(frontend: Frontend) -> list[Request]:
    return [r for r in REQUESTS.values() if frontend in r.frontends]
