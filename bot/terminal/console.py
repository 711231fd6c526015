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

from bot.cards import error_card, to_text
from bot.commands import Answer, log_row, run_request
from bot.requests import Frontend, Request, requests_for
from bot.storage import QueryLog
from bot.storage.reports import ReportStore
from catalog.loader import Catalog
from engine.errors import RigfitError

CONSOLE_REQUESTS: dict[str, Request] = {r.name: r for r in requests_for(Frontend.CONSOLE)}
OPTION_NAMES = sorted({o.name for r in CONSOLE_REQUESTS.values() for o in r.options}, key=len, reverse=True)
_KEY = re.compile(r"(?:^|\s)(" + "|".join(OPTION_NAMES) + r"):", re.IGNORECASE)
MODEL_WORDS_MAX = 6  # "deepseek r1 distill qwen 32b"
_NAMED = re.compile(r"(?:^|\s)(?:model|hardware):", re.IGNORECASE)  # the line names its model or hardware itself
QUIT = ("/quit", "/exit", "quit", "exit")


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
    request = CONSOLE_REQUESTS.get(command)
    if request is None:
        raise RigfitError(f"I don't know the command `/{command[:30]}`. Try `/help`.", field="command")
    args = _args(rest, tuple(o.name for o in request.positional))
    missing = [o.name for o in request.positional if not args.get(o.name)]
    if missing:
        raise RigfitError(f"`/{command}` needs {', '.join(missing)}: /{request.usage}.", field="command")
    return ParsedLine(command, args)


def _args(rest: str, positional_names: tuple[str, ...]) -> dict[str, str]:
    """`key:value` pairs anywhere; bare words before the first key fill the positional options in order, the last
    one taking the rest."""
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
        last = i == len(free) - 1
        args[name] = " ".join(words) if last else words.pop(0)
        if last:
            words = []
    if words:
        raise RigfitError(f"I don't know what `{' '.join(words)[:40]}` is for; name it as key:value.", field="command")
    return args


def model_words(catalog: Catalog, args: dict[str, str]) -> dict[str, str]:
    """`/fit llama 3.3 70b 2x3090`: bare words fill the model first, one word each; when the model's name runs
    over several words, the longest leading run of the line that names exactly one catalog model is the model
    and the rest the hardware."""
    if "model" not in args or "hardware" not in args:
        return args
    words = f"{args['model']} {args['hardware']}".split()
    for size in range(min(MODEL_WORDS_MAX, len(words) - 1), 1, -1):
        name = " ".join(words[:size])
        if catalog.model_names.exact(name) or catalog.find_model(name).id:
            return {**args, "model": name, "hardware": " ".join(words[size:])}
    return args


class Console:
    def __init__(self, catalog: Catalog, query_log: QueryLog, out: TextIO | None = None) -> None:
        self.catalog = catalog
        self.query_log = query_log
        self.out = out or sys.stdout
        self.reports = ReportStore(query_log.path)  # /fit shows the member reports in this log, as on Discord

    def handle(self, line: str) -> Answer:
        started = time.perf_counter()
        raw: dict[str, str] = {"line": line}
        command = (line.strip().lstrip("/").split() or ["unknown"])[0].lower()[:40]
        try:
            parsed = parse_line(line)
            if not _NAMED.search(line):
                parsed = self._model_words(parsed)
            command, raw = parsed.command, {"line": line, **parsed.args}
            members = self.reports.source() if command == "fit" else None
            answer = run_request(
                self.catalog, command, parsed.args, Frontend.CONSOLE, allow_files=True, members=members
            )
        except RigfitError as exc:
            answer = Answer(card=error_card(str(exc)), error=str(exc), log_fields={"error": f"{exc.field}: {exc}"})
        self.query_log.log(log_row(frontend="console", command=command, raw_args=raw, answer=answer, started=started))
        return answer

    def _model_words(self, parsed: ParsedLine) -> ParsedLine:
        return ParsedLine(parsed.command, model_words(self.catalog, parsed.args))

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
            if line.strip().lower() in QUIT:
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
            if line.strip().lower() in QUIT:
                return
            if line.strip():
                self.print_answer(self.handle(line))
