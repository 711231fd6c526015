"""The one table of requests: every front end offers every option, with the same default, unit and description,
and every option reaches the command on every front end."""

from __future__ import annotations

import argparse
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from bot import commands
from bot.discord.app import DESCRIPTION_MAX, command_payload, discord_required, option_description
from bot.requests import MODEL_MAX_CHARS, REPORTS, REQUESTS, Frontend, Kind, Option, Request, requests_for
from bot.settings import Settings
from bot.storage import QueryLog
from bot.terminal import cli
from bot.terminal.console import Console, parse_line
from catalog.loader import Catalog
from engine.errors import RigfitError

DISCORD_TYPE = {Kind.TEXT: 3, Kind.TOKENS: 3, Kind.CHOICE: 3, Kind.INT: 4, Kind.FLOAT: 10}


def sample(option: Option) -> tuple[object, object]:
    """A value that is not the default, as typed (text) and as the command should receive it."""
    match option.kind:
        case Kind.TOKENS:
            return "48k", 48 * 1024
        case Kind.CHOICE:
            return option.choices[-1], option.choices[-1]
        case Kind.INT:
            value = int(option.min_value or 0) + 7
            return str(value), value
        case Kind.FLOAT:
            value = float(option.min_value or 0) + 1.5
            return str(value), value
    return f"some {option.name}", f"some {option.name}"


def typed(option: Option) -> object:
    """The same value as Discord delivers it (numbers as numbers)."""
    text, value = sample(option)
    return value if option.kind in (Kind.INT, Kind.FLOAT) else text


ALL = [(r.name, r) for r in REQUESTS.values()]


@pytest.mark.parametrize(("name", "request_"), ALL, ids=[n for n, _ in ALL])
def test_every_option_is_described_with_unit_and_default(name: str, request_: Request) -> None:
    assert request_.description
    for option in request_.options:
        assert option.description, option.name
        help_text = option.help()
        if option.unit:
            assert option.unit in help_text
        if option.default is not None or option.default_text:
            assert "default" in help_text
        if not option.required:
            assert option.default is not None or option.default_text, f"{name}.{option.name}: what does omitting mean?"
        assert len(option_description(option)) <= DESCRIPTION_MAX


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


CLI = [(r.name, r) for r in requests_for(Frontend.CLI)]


@pytest.mark.parametrize(("name", "request_"), CLI, ids=[n for n, _ in CLI])
def test_cli_offers_every_option(name: str, request_: Request) -> None:
    sub = _subparsers(cli._parser())[name]
    actions = {a.dest: a for a in sub._actions}
    for option in request_.options:
        action = actions[option.name]
        assert action.help == option.help().replace("%", "%%")
        assert action.default is None  # the table fills defaults, not argparse
        if option.required:
            assert not action.option_strings
        else:
            assert option.flag in action.option_strings
    assert ("json" in actions) == (name in REPORTS)
    assert all(option.flag in sub.format_help() for option in request_.optional)  # --help renders


@pytest.fixture(scope="module")
def payload(cat: Catalog) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in command_payload(cat, Settings(discord_token=None, hash_key="k" * 32))}  # type: ignore[arg-type]


DISCORD = [(r.name, r) for r in requests_for(Frontend.DISCORD)]


@pytest.mark.parametrize(("name", "request_"), DISCORD, ids=[n for n, _ in DISCORD])
def test_discord_offers_every_option(payload: dict[str, dict[str, Any]], name: str, request_: Request) -> None:
    if request_.menu:  # a message context menu: a name, no description, no options
        assert payload[request_.menu]["type"] == 3
        return
    command = payload[name]
    assert command["description"] == request_.description
    options = {o["name"]: o for o in command.get("options", [])}
    if request_.subcommands:
        assert [(o["name"], o["type"]) for o in options.values()] == [(n, 1) for n in request_.subcommands]
        return
    assert list(options) == [o.name for o in request_.options]
    for option in request_.options:
        sent = options[option.name]
        assert sent["description"] == option_description(option)
        assert sent["type"] == DISCORD_TYPE[option.kind]
        assert sent.get("required", False) == discord_required(option)
        if option.kind in (Kind.INT, Kind.FLOAT):
            assert sent.get("min_value") == option.min_value and sent.get("max_value") == option.max_value
        assert [c["value"] for c in sent.get("choices", [])] == list(option.choices)
        assert sent.get("autocomplete", False) == (option.complete is not None)
        if option.kind in (Kind.TEXT, Kind.TOKENS):
            assert sent["max_length"] == option.max_chars


CONSOLE = [(r.name, r) for r in requests_for(Frontend.CONSOLE)]


@pytest.mark.parametrize(("name", "request_"), CONSOLE, ids=[n for n, _ in CONSOLE])
def test_console_takes_every_option_as_key_value(name: str, request_: Request) -> None:
    line = f"/{name} " + " ".join(f"{o.name}:{sample(o)[0]}" for o in request_.options)
    assert parse_line(line).args == {o.name: str(sample(o)[0]) for o in request_.options}


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Each command's handler replaced by one that records what it was given."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for name in list(commands.HANDLERS):

        def record(catalog: Catalog, _name: str = name, **values: Any) -> commands.Answer:
            calls.append((_name, values))
            return commands.Answer(card=commands.error_card("recorded"), data={})

        monkeypatch.setitem(commands.HANDLERS, name, record)
    return calls


def expected_values(request_: Request) -> dict[str, Any]:
    return {o.name: sample(o)[1] for o in request_.options}


def _without_files(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("allow_files", "members")}  # front-end context, not options


OPTIONED = [(r.name, r) for r in REQUESTS.values() if r.options]


@pytest.mark.parametrize(("name", "request_"), OPTIONED, ids=[n for n, _ in OPTIONED])
def test_every_option_reaches_the_command_from_the_cli(
    cat: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    recorded: list[tuple[str, dict[str, Any]]],
    name: str,
    request_: Request,
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr(cli, "load", lambda: cat)
    argv = [name] + [str(sample(o)[0]) for o in request_.positional]
    for option in request_.optional:
        argv += [option.flag, str(sample(option)[0])]
    assert cli.main(argv) == 0
    assert [(n, _without_files(v)) for n, v in recorded] == [(name, expected_values(request_))]


@pytest.mark.parametrize(("name", "request_"), OPTIONED, ids=[n for n, _ in OPTIONED])
def test_every_option_reaches_the_command_from_the_console(
    cat: Catalog, tmp_path: Path, recorded: list[tuple[str, dict[str, Any]]], name: str, request_: Request
) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    line = f"/{name} " + " ".join(f"{o.name}:{sample(o)[0]}" for o in request_.options)
    Console(cat, qlog, out=io.StringIO()).handle(line)
    qlog.close()
    assert [(n, _without_files(v)) for n, v in recorded] == [(name, expected_values(request_))]


@pytest.mark.parametrize(("name", "request_"), OPTIONED, ids=[n for n, _ in OPTIONED])
async def test_every_option_reaches_the_command_from_discord(
    cat: Catalog, tmp_path: Path, recorded: list[tuple[str, dict[str, Any]]], name: str, request_: Request
) -> None:
    from test_discord import interaction

    from bot.discord.app import RigfitBot

    bot = RigfitBot(cat, QueryLog(tmp_path / "q.sqlite3"), Settings(discord_token=None, hash_key="k" * 32))  # type: ignore[arg-type]
    await bot.setup_hook()
    command = bot.tree.get_command(name)
    assert command is not None
    await command.callback(interaction(), **{o.name: typed(o) for o in request_.options})  # type: ignore[call-arg]
    bot.query_log.close()
    assert [(n, _without_files(v)) for n, v in recorded] == [(name, expected_values(request_))]


# ------------------------------------------------------------------------------------ the engine sees them


@pytest.mark.parametrize(
    "argv",
    [
        ["fit", "llama-3.1-8b", "RTX 3090", "--kv-cache", "q8_0", "--prompt", "50k", "--json"],
        ["fit", "llama-3.1-8b", "RTX 3090", "--kv-cache", "Q8_0", "--prompt", "51200", "--json"],
    ],
)
def test_cli_fit_kv_cache_and_prompt_reach_the_engine(
    cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr(cli, "load", lambda: cat)
    assert cli.main(argv) == 0
    quantized = json.loads(capsys.readouterr().out)
    assert cli.main(["fit", "llama-3.1-8b", "RTX 3090", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert (quantized["kv_type"], default["kv_type"]) == ("q8_0", "f16")
    q_opt, d_opt = quantized["readings"][0]["options"][0], default["readings"][0]["options"][0]
    assert q_opt["kv_cache_gb"] < d_opt["kv_cache_gb"]
    assert q_opt["ttft_s"]["typical"] > 10 * d_opt["ttft_s"]["typical"]  # 50k tokens of prompt, not 4k


def test_console_fit_kv_cache_reaches_the_engine(cat: Catalog, tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    answer = Console(cat, qlog, out=io.StringIO()).handle(
        "/fit model:llama-3.1-8b hardware:2x RTX 3090 kv_cache:q8_0 prompt:50k"
    )
    qlog.close()
    assert answer.error is None and answer.report is not None
    assert (answer.report.kv_type, answer.report.prompt_tokens) == ("q8_0", 50 * 1024)


# ------------------------------------------------------------------------------------ bad values


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("fit", {"model": "glm-5.2", "hardware": "256GB", "kv_cache": "banana"}, "use one of f16, q8_0, q4_0"),
        ("fit", {"model": "glm-5.2", "hardware": "256GB", "prompt": "lots"}, "can't read `lots` as prompt"),
        ("fit", {"model": "glm-5.2", "hardware": "256GB", "prompt": "0"}, "use 1 to 10,000,000 tokens"),
        ("fit", {"model": "glm-5.2", "hardware": "256GB", "context": "0"}, "at least 1 tokens"),
        ("fit", {"model": "glm-5.2", "hardware": "256GB", "colour": "red"}, "no option `colour`"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "hardware_price": "-5"}, "`hardware_price` -5 USD"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "hardware_price": "nan"}, "finite number, not `nan`"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "hardware_price": "inf"}, "finite number, not `inf`"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "years": "0"}, "`years` 0 years is out of range"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "input_share": "150"}, "use 0 to 100 %"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "tokens_per_day": "500"}, "use 1,000 to"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "tokens_per_day": "2.5"}, "whole number"),
        ("cost", {"model": "glm-5.2", "hardware": "256GB", "kwh_price": "cheap"}, "should be a number"),
        ("recommend", {"model": "glm-5.2", "budget": "nan"}, "finite number"),
        ("recommend", {"model": "glm-5.2", "min_tps": "NaN"}, "finite number"),
        ("recommend", {"model": "glm-5.2", "min_tps": "0"}, "use 0.5 to 1,000 tokens/s"),
        ("whatfits", {"hardware": "RTX 3090", "min_tps": "-inf"}, "finite number"),
        ("fit", {"model": "", "hardware": "256GB"}, "`model` is needed"),
        ("fit", {"model": "x" * (MODEL_MAX_CHARS + 1), "hardware": "256GB"}, f"keep it under {MODEL_MAX_CHARS}"),
    ],
)
def test_bad_values_get_one_line_naming_them(cat: Catalog, name: str, raw: dict[str, str], message: str) -> None:
    answer = commands.run_request(cat, name, raw, Frontend.CLI)
    assert answer.error is not None and message in answer.error, answer.error
    assert "\n" not in answer.error
    assert not str(answer.log_fields["error"]).startswith("internal")


@pytest.mark.parametrize(
    ("option_name", "text", "value"),
    [
        ("tokens_per_day", "2M", 2_000_000),
        ("tokens_per_day", "500k", 500_000),
        ("tokens_per_day", "1,500,000", 1_500_000),
        ("hardware_price", "$12,000", 12_000.0),
        ("hardware_price", "3.5k", 3_500.0),
        ("input_share", "80%", 80.0),
        ("kwh_price", "0.32", 0.32),
        ("years", "5", 5.0),
    ],
)
def test_numbers_as_people_write_them(option_name: str, text: str, value: float) -> None:
    option = REQUESTS["cost"].option(option_name)
    assert math.isclose(option.convert(text), value)


@pytest.mark.parametrize(
    ("text", "tokens"), [("32k", 32768), ("1M", 1 << 20), ("8192", 8192), ("128K tokens", 131072), (" 4,096 ", 4096)]
)
def test_token_counts_as_people_write_them(text: str, tokens: int) -> None:
    assert REQUESTS["fit"].option("prompt").convert(text) == tokens


@pytest.mark.parametrize(("text", "value"), [("Q8_0", "q8_0"), ("q4-0", "q4_0"), ("F16", "f16")])
def test_kv_cache_spellings(text: str, value: str) -> None:
    assert REQUESTS["fit"].option("kv_cache").convert(text) == value


def test_cli_bad_choice_exits_2_with_one_line(
    cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr(cli, "load", lambda: cat)
    assert cli.main(["fit", "glm-5.2", "256GB", "--kv-cache", "banana"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "f16, q8_0, q4_0" in err


def test_console_names_what_it_did_not_understand() -> None:
    with pytest.raises(RigfitError, match="banana"):
        parse_line("/whatfits banana hardware:RTX 3090")


def test_defaults_are_declared_once() -> None:
    """The cost defaults are the engine's Usage defaults, the percent shown as a percent."""
    from engine.cost import Usage

    cost = REQUESTS["cost"]
    usage = Usage()
    assert cost.option("tokens_per_day").default == usage.tokens_per_day
    assert cost.option("input_share").default == usage.input_share * 100
    assert cost.option("kwh_price").default == usage.kwh_usd
    assert cost.option("years").default == usage.years


ROCM_LOG = (
    "ggml_cuda_init: GGML_CUDA_FORCE_MMQ:    no\nggml_cuda_init: GGML_CUDA_FORCE_CUBLAS: no\n"
    "ggml_cuda_init: found 4 ROCm devices:\n"
    + "".join(
        f"  Device {i}: AMD Instinct MI50/MI60, gfx906:sramecc+:xnack- (0x906), VMM: no, Wave Size: 64\n"
        for i in range(4)
    )
)
CUDA_LOG = "ggml_cuda_init: found 2 CUDA devices:\n" + "".join(
    f"  Device {i}: NVIDIA GeForce RTX 3090, compute capability 8.6, VMM: yes\n" for i in range(2)
)


@pytest.mark.parametrize(
    ("name", "option", "text"),
    [
        ("fit", "hardware", CUDA_LOG),
        ("fit", "hardware", ROCM_LOG),  # 400+ characters: past the 200 of a sentence
        ("quants", "hardware", ROCM_LOG),
        ("compare", "against", ROCM_LOG),
    ],
)
def test_a_pasted_device_log_is_taken_as_hardware(name: str, option: str, text: str) -> None:
    """People paste the device lines llama.cpp prints; the option takes them whole and the parser reads them."""
    assert REQUESTS[name].option(option).convert(text) == text.strip()


LOADER_LOG = (
    "llama_model_loader: - kv   0:                       general.architecture str              = qwen3moe\n"
    "llama_model_loader: - kv   4:                           general.basename str              = Qwen3\n"
    "llama_model_loader: - kv   5:                         general.size_label str              = 30B-A3B\n"
)


@pytest.mark.parametrize("name", ["fit", "quants", "recommend"])
def test_a_pasted_loader_log_is_taken_as_the_model(name: str) -> None:
    """llama-server's loader lines name the model a log ran (engine/parse/labels.py): the option takes them whole,
    past the 200 characters of a sentence."""
    assert len(LOADER_LOG) > 200
    assert REQUESTS[name].option("model").convert(LOADER_LOG) == LOADER_LOG.strip()
