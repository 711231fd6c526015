"""The terminal front end: the same slash-command lines, the same cards as text, the same query log.

`/fit glm-5.2 256GB`, `/fit model:glm-5.2 hardware:2x 3090 + 128GB DDR4 context:64k quant:UD-IQ2_XXS`.
On a terminal it prompts, with line editing and history; with piped input it reads one command per line and
exits at end of input.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.cards import Card, error_card, to_text
from bot.commands import (
    Answer,
    about_answer,
    compare_answer,
    cost_answer,
    fit_answer,
    hardware_answer,
    log_row,
    model_answer,
    quants_answer,
    recommend_answer,
    whatfits_answer,
)
from bot.storage import QueryLog
from catalog.loader import Catalog
from engine.errors import RigfitError

# Each command's options in the order positional words fill them; the last one takes the rest of the line.
COMMANDS: dict[str, tuple[str, ...]] = {
    "fit": ("model", "hardware"),
    "quants": ("model", "hardware"),
    "cost": ("model", "hardware"),
    "recommend": ("model",),
    "whatfits": ("hardware",),
    "compare": ("first", "second", "against"),
    "model": ("name",),
    "hardware": ("name",),
    "help": (),
    "about": (),
}
# Every positional option is required, except /quants' hardware (it has a default).
REQUIRED: dict[str, tuple[str, ...]] = COMMANDS | {"quants": ("model",)}
OPTIONS = (
    "model",
    "hardware",
    "context",
    "quant",
    "first",
    "second",
    "against",
    "name",
    "budget",
    "min_tps",
    "tokens_per_day",
    "input_share",
    "kwh_price",
    "years",
    "hardware_price",
)
_KEY = re.compile(r"(?:^|\s)(" + "|".join(OPTIONS) + r"):", re.IGNORECASE)
HELP = """Commands (the same as on Discord; options as key:value, or the first ones in order):
  /fit MODEL HARDWARE [context:N] [quant:Q]      e.g. /fit glm-5.2 256GB
  /quants MODEL [hardware:H]                      /cost MODEL HARDWARE [tokens_per_day:N] [input_share:0.75]
  /recommend MODEL [budget:USD] [min_tps:N]       /whatfits HARDWARE [min_tps:N]
  /compare first:A second:B against:C             /model NAME   /hardware NAME   /about   /help
  /quit    leave (or Ctrl-D)"""


@dataclass(frozen=True)
class ParsedLine:
    command: str
    args: dict[str, str]


def parse_line(line: str) -> ParsedLine:
    text = line.strip()
    if not text:
        raise RigfitError("Empty line. Try `/fit glm-5.2 256GB` or `/help`.", field="command")
    word, _, rest = text.lstrip("/").partition(" ")
    command = word.lower()
    if command not in COMMANDS:
        raise RigfitError(f"I don't know the command `/{command[:30]}`. Try `/help`.", field="command")
    args = _args(rest, COMMANDS[command])
    missing = [name for name in REQUIRED.get(command, ()) if not args.get(name)]
    if missing:
        raise RigfitError(f"`/{command}` needs {', '.join(missing)}: {_usage(command)}.", field="command")
    return ParsedLine(command, args)


def _usage(command: str) -> str:
    return f"/{command} " + " ".join(n.upper() for n in COMMANDS[command])


def _args(rest: str, positional_names: tuple[str, ...]) -> dict[str, str]:
    matches = list(_KEY.finditer(rest))
    args: dict[str, str] = {}
    head = rest[: matches[0].start()] if matches else rest
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        args[m.group(1).lower()] = rest[m.end() : end].strip()
    words = head.split()
    free = [n for n in positional_names if n not in args]
    for i, name in enumerate(free):
        if not words:
            break
        args[name] = " ".join(words) if i == len(free) - 1 else words.pop(0)
        if i == len(free) - 1:
            words = []
    return args


def _number(args: dict[str, str], name: str, default: float | None) -> float | None:
    if name not in args:
        return default
    try:
        return float(args[name].replace(",", "").replace("_", ""))
    except ValueError as exc:
        raise RigfitError(f"`{name}` should be a number, not `{args[name][:20]}`.", field=name) from exc


class Console:
    def __init__(self, catalog: Catalog, query_log: QueryLog, out: TextIO | None = None) -> None:
        self.catalog = catalog
        self.query_log = query_log
        self.out = out or sys.stdout

    def handle(self, line: str) -> Answer:
        started = time.perf_counter()
        raw: dict[str, str] = {"line": line}
        command = (line.strip().lstrip("/").split() or ["unknown"])[0].lower()[:40]
        try:
            parsed = parse_line(line)
            command, raw = parsed.command, {"line": line, **parsed.args}
            answer = self._dispatch(parsed)
        except RigfitError as exc:
            answer = Answer(card=error_card(str(exc)), error=str(exc), log_fields={"error": f"{exc.field}: {exc}"})
        self.query_log.log(log_row(frontend="console", command=command, raw_args=raw, answer=answer, started=started))
        return answer

    def _dispatch(self, parsed: ParsedLine) -> Answer:
        a, c = parsed.args, self.catalog
        match parsed.command:
            case "fit":
                return fit_answer(
                    c,
                    a["model"],
                    a["hardware"],
                    a.get("context"),
                    a.get("quant"),
                    kv_cache=a.get("kv_cache"),
                    prompt=a.get("prompt"),
                    allow_files=True,
                )
            case "quants":
                return quants_answer(c, a["model"], a.get("hardware") or "24GB VRAM + 128GB RAM")
            case "cost":
                return cost_answer(
                    c,
                    a["model"],
                    a["hardware"],
                    tokens_per_day=_number(a, "tokens_per_day", 2_000_000) or 2_000_000,
                    input_share=_number(a, "input_share", 0.75) or 0.0,
                    kwh_usd=_number(a, "kwh_price", 0.15) or 0.0,
                    years=_number(a, "years", 3.0) or 3.0,
                    hardware_usd=_number(a, "hardware_price", None),
                )
            case "recommend":
                return recommend_answer(
                    c,
                    a["model"],
                    budget_usd=_number(a, "budget", None),
                    min_tps=_number(a, "min_tps", 5.0) or 5.0,
                    context=a.get("context"),
                )
            case "whatfits":
                return whatfits_answer(c, a["hardware"], min_tps=_number(a, "min_tps", 5.0) or 5.0)
            case "compare":
                return compare_answer(c, a["first"], a["second"], a["against"])
            case "model":
                return model_answer(c, a["name"])
            case "hardware":
                return hardware_answer(c, a["name"])
            case "about":
                return about_answer(c)
        return Answer(card=Card(title="rigfit", description=HELP))

    def print_answer(self, answer: Answer) -> None:
        if answer.error:
            print(f"error: {answer.error}", file=self.out)
        else:
            print(to_text(answer.card), file=self.out)
        print(file=self.out)

    def run_lines(self, lines: Iterable[str]) -> int:
        errors = 0
        for line in lines:
            if not line.strip() or line.strip().startswith("#"):
                continue
            if line.strip().lower() in ("/quit", "/exit", "quit", "exit"):
                break
            answer = self.handle(line)
            errors += answer.error is not None
            self.print_answer(answer)
        return errors

    def interactive(self) -> None:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        print("rigfit console: /help for commands, Ctrl-D to leave.", file=self.out)
        while True:
            try:
                line = input("rigfit> ")
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                return
            if line.strip().lower() in ("/quit", "/exit", "quit", "exit"):
                return
            if line.strip():
                self.print_answer(self.handle(line))
