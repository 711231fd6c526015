"""Property-based: whatever a user types, every parser and command answers or explains, and never crashes,
never pings, and never sends more than Discord accepts."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cards import TOTAL_MAX, total_chars
from bot.commands import (
    INTERNAL_ERROR,
    compare_answer,
    cost_answer,
    fit_answer,
    hardware_answer,
    model_answer,
    quants_answer,
    recommend_answer,
    whatfits_answer,
)
from bot.storage import QueryLog
from bot.terminal.console import Console
from catalog.loader import Catalog
from engine.errors import RigfitError
from engine.parse import parse_context, parse_hardware, parse_model, parse_quant
from tests.fixtures import catalog

CAT: Catalog = catalog()
NASTY = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&1>",
        "'; DROP TABLE queries; --",
        "**x**",
        "\u0000",
        "\u202e",
        "\x1b[2J",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.builds(lambda a, b: a + b, NASTY, st.text(max_size=40)),
    st.just("9" * 400),
    st.from_regex(
        r"[0-9]{1,4}\s?(GB|gb|TB)?\s?(VRAM|RAM|DDR[45])?(\s?\+\s?[0-9]{1,3}x?\s?(RTX )?[0-9]{4})?", fullmatch=True
    ),
)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_teaches(fn, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(*args)
    except RigfitError as exc:
        assert exc.message and len(str(exc)) < 2000


@FAST
@given(TEXT)
def test_hardware_parser(text: str) -> None:
    parses_or_teaches(parse_hardware, text, CAT)


@FAST
@given(TEXT)
def test_model_parser(text: str) -> None:
    parses_or_teaches(parse_model, text, CAT)


@FAST
@given(TEXT)
def test_context_and_quant(text: str) -> None:
    parses_or_teaches(parse_context, text, CAT.models["glm-5.2"])
    parses_or_teaches(parse_quant, text, CAT.models["glm-5.2"])


def _check(answer) -> None:  # type: ignore[no-untyped-def]
    assert answer.error != INTERNAL_ERROR, answer.log_fields
    assert total_chars(answer.card) <= TOTAL_MAX
    if answer.error:
        assert len(answer.error) < 2000


@FAST
@given(TEXT, TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT))
def test_fit_never_crashes(model: str, hardware: str, context: str | None, quant: str | None) -> None:
    _check(fit_answer(CAT, model, hardware, context, quant))


@FAST
@given(TEXT, TEXT)
def test_other_commands_never_crash(a: str, b: str) -> None:
    for answer in (
        quants_answer(CAT, a, b),
        cost_answer(CAT, a, b),
        recommend_answer(CAT, a, context=b),
        whatfits_answer(CAT, a),
        compare_answer(CAT, a, b, "RTX 3090"),
        model_answer(CAT, a),
        hardware_answer(CAT, b),
    ):
        _check(answer)


def test_huge_input_is_refused_quickly() -> None:
    big = "2x RTX 3090 + " * 8000  # about 100 kB
    for answer in (fit_answer(CAT, big, big), fit_answer(CAT, "glm-5.2", big), cost_answer(CAT, "glm-5.2", big)):
        assert answer.error and "characters" in answer.error


@FAST
@given(st.text(max_size=500))
def test_console_lines_are_answered_and_logged_verbatim(tmp_path_factory, line: str) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("h") / "q.sqlite3"
    qlog = QueryLog(path)
    answer = Console(CAT, qlog, out=io.StringIO()).handle(line)
    qlog.close()
    assert answer.error != INTERNAL_ERROR
    reader = QueryLog(path)
    rows = reader.rows()
    reader.close()
    assert len(rows) == 1
    assert json.loads(rows[0]["raw_args"])["line"] == line
