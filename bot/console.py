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
from bot.commands import Answer, fit_answer, log_row, safely
from bot.storage import QueryLog
from catalog.loader import Catalog
from engine.errors import RigfitError

FIT_OPTIONS = ("model", "hardware", "context", "quant")
_KEY = re.compile(r"(?:^|\s)(model|hardware|context|quant):", re.IGNORECASE)
HELP = """Commands:
  /fit MODEL HARDWARE [context:N] [quant:Q]   e.g. /fit glm-5.2 256GB
  /fit model:glm-5.2 hardware:2x RTX 3090 + 128GB DDR4 context:64k
  /help    this text
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
    if command != "fit":
        return ParsedLine(command, {"text": rest.strip()})
    return ParsedLine("fit", _fit_args(rest))


def _fit_args(rest: str) -> dict[str, str]:
    matches = list(_KEY.finditer(rest))
    args: dict[str, str] = {}
    head = rest[: matches[0].start()] if matches else rest
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        args[m.group(1).lower()] = rest[m.end() : end].strip()
    positional = head.split()
    if positional and "model" not in args:
        args["model"] = positional.pop(0)
    if positional and "hardware" not in args:
        args["hardware"] = " ".join(positional)
    if "model" not in args or "hardware" not in args:
        raise RigfitError("`/fit` needs a model and hardware, e.g. `/fit glm-5.2 256GB`.", field="command")
    return args


class Console:
    def __init__(self, catalog: Catalog, query_log: QueryLog, out: TextIO | None = None) -> None:
        self.catalog = catalog
        self.query_log = query_log
        self.out = out or sys.stdout

    def handle(self, line: str) -> Answer:
        started = time.perf_counter()
        raw: dict[str, str] = {"line": line}
        command = "unknown"
        try:
            parsed = parse_line(line)
            command, raw = parsed.command, parsed.args
            answer = self._dispatch(parsed)
        except RigfitError as exc:
            answer = Answer(card=error_card(str(exc)), error=str(exc), log_fields={"error": f"{exc.field}: {exc}"})
        self.query_log.log(log_row(frontend="console", command=command, raw_args=raw, answer=answer, started=started))
        return answer

    def _dispatch(self, parsed: ParsedLine) -> Answer:
        if parsed.command == "fit":
            a = parsed.args
            return fit_answer(self.catalog, a["model"], a["hardware"], a.get("context"), a.get("quant"))
        if parsed.command == "help":
            return Answer(card=Card(title="rigfit", description=HELP))
        return safely(lambda: _unknown(parsed.command))

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


def _unknown(command: str) -> Answer:
    raise RigfitError(f"I don't know the command `/{command[:30]}`. Try `/fit` or `/help`.", field="command")
