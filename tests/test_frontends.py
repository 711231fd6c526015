"""The console and CLI front ends: same commands, same cards, every query logged."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.storage import QueryLog
from bot.terminal import cli
from bot.terminal.console import Console, parse_line
from catalog.loader import Catalog
from engine.errors import RigfitError


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("/fit glm-5.2 256GB", {"model": "glm-5.2", "hardware": "256GB"}),
        (
            "/fit glm-5.2 2x RTX 3090 + 128GB DDR4",
            {"model": "glm-5.2", "hardware": "2x RTX 3090 + 128GB DDR4"},
        ),
        (
            "/fit model:glm-5.2 hardware:M3 Ultra 256GB context:64k quant:UD-IQ2_XXS",
            {"model": "glm-5.2", "hardware": "M3 Ultra 256GB", "context": "64k", "quant": "UD-IQ2_XXS"},
        ),
        (
            "fit llama-3.1-8b RTX 3090 context:8k",
            {"model": "llama-3.1-8b", "hardware": "RTX 3090", "context": "8k"},
        ),
    ],
)
def test_parse_line(line: str, args: dict[str, str]) -> None:
    parsed = parse_line(line)
    assert parsed.command == "fit" and parsed.args == args


@pytest.mark.parametrize("line", ["/fit", "/fit glm-5.2", "   "])
def test_parse_line_incomplete(line: str) -> None:
    with pytest.raises(RigfitError):
        parse_line(line)


def test_console_answers_and_logs_every_line(cat: Catalog, tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    out = io.StringIO()
    console = Console(cat, qlog, out=out)
    errors = console.run_lines(
        [
            "/fit glm-5.2 256GB\n",
            "/fit nothing-like-this 256GB\n",
            "/bogus\n",
            "/fit glm-5.2 M3 Ultra 256GB context:0\n",
        ]
    )
    qlog.close()
    text = out.getvalue()
    assert "GLM-5.2 on your hardware" in text
    assert "error: I don't know the model" in text
    assert "error: I don't know the command" in text
    assert "at least 1 token" in text
    assert errors == 3
    rows = qlog.rows()
    assert [r["command"] for r in rows] == ["fit", "fit", "bogus", "fit"]
    assert rows[0]["model_id"] == "glm-5.2" and rows[0]["verdict"] and rows[0]["error"] is None
    assert rows[1]["error"].startswith("model:")
    assert all(r["frontend"] == "console" and r["latency_ms"] >= 0 for r in rows)


@pytest.fixture
def cli_env(cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr(cli, "load", lambda: cat)
    return db


def test_cli_fit_json(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fit", "glm-5.2", "256GB", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"]["id"] == "glm-5.2"
    assert [r["label"] for r in data["readings"]][2] == "24 GB GPU + 256 GB system RAM"
    assert data["readings"][1]["best"] == "UD-IQ2_XXS"  # the unified-memory reading


@pytest.mark.parametrize(
    ("argv", "model_id", "hardware_label"),
    [  # words as people type them in a shell, unquoted
        (["fit", "glm-5.2", "8x", "H100"], "glm-5.2", "8x NVIDIA H100"),
        (["fit", "llama-3.3-70b", "2x", "3090", "--context", "16k"], "llama-3.3-70b", "2x NVIDIA GeForce RTX 3090"),
        (["fit", "deepseek", "r1", "distill", "qwen", "32b", "3090"], "deepseek-r1-distill-qwen-32b", "RTX 3090"),
        (["fit", "llama", "3.3", "70b", "dual", "3090"], "llama-3.3-70b", "2x NVIDIA GeForce RTX 3090"),
        (["fit", "qwen3-32b", "M3", "Ultra", "256GB"], "qwen3-32b", "M3 Ultra"),
        (["quants", "qwen3-32b", "M3", "Ultra", "256GB"], "qwen3-32b", "M3 Ultra"),
        (["quants", "deepseek", "r1", "distill", "qwen", "32b"], "deepseek-r1-distill-qwen-32b", None),
    ],
)
def test_cli_reads_unquoted_words(
    real_catalog: Catalog,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    model_id: str,
    hardware_label: str | None,
) -> None:
    monkeypatch.setattr(cli, "load", lambda: real_catalog)  # every GPU the database knows
    assert cli.main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"]["id"] == model_id
    if hardware_label is not None:
        assert hardware_label in json.dumps(data)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "no-such-model", "256GB"], "I don't know the model"),
        (["fit", "glm-5.2", "265BG"], "I don't know the device"),
        (["fit", "glm-5.2", "256GB", "--context", "0"], "at least 1 token"),
        (["fit", "glm-5.2", "256GB", "--context", "1000000000000"], "reads at most"),
        (["fit", "glm-5.2", "256GB", "--quant", "Q9_Z"], "not a quant I know"),
    ],
)
def test_cli_bad_input_exits_2_and_is_logged(
    cli_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    log = QueryLog(cli_env)
    rows = log.rows()
    log.close()
    assert len(rows) == 1 and rows[0]["error"]


def test_sync_print_is_the_tree_payload(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sync", "--print"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {c["name"] for c in payload} >= {"fit", "cost", "forget-me"}


def test_sync_without_token_is_refused(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sync"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_token_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token")
    settings = Settings()
    assert "super-secret-token" not in repr(settings) and "super-secret-token" not in str(settings)
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "super-secret-token"


def test_run_without_token_is_the_console(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("/fit glm-5.2 256GB\n"))
    assert cli.main(["run"]) == 0
    assert "GLM-5.2 on your hardware" in capsys.readouterr().out
    log = QueryLog(cli_env)
    assert [r["frontend"] for r in log.rows()] == ["console"]
    log.close()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/quants glm-5.2 hardware:M3 Ultra 256GB", "UD-IQ2_XXS"),
        ("/cost glm-5.2 24GB VRAM + 256GB RAM hardware_price:12000", "Break-even"),
        ("/recommend llama-3.1-8b min_tps:20", "RTX 3090"),
        ("/whatfits RTX 3090", "Llama-3.1-8B"),
        ("/compare first:llama-3.1-8b second:gemma-3-27b against:RTX 3090", "Gemma-3-27B"),
        ("/model glm 5.2", "MLA"),
        ("/hardware rtx 3090", "936 GB/s"),
        ("/about", "Catalog as of"),
        ("/help", "/whatfits"),
    ],
)
def test_console_offers_every_command(cat: Catalog, tmp_path: Path, line: str, expected: str) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    answer = Console(cat, qlog, out=io.StringIO()).handle(line)
    qlog.close()
    assert answer.error is None, answer.error
    from bot.cards import to_text

    assert expected in to_text(answer.card)


@pytest.mark.parametrize(
    ("line", "message"), [("/cost glm-5.2", "needs hardware"), ("/recommend glm-5.2 budget:lots", "should be a number")]
)
def test_console_bad_lines(cat: Catalog, tmp_path: Path, line: str, message: str) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    answer = Console(cat, qlog, out=io.StringIO()).handle(line)
    qlog.close()
    assert answer.error and message in answer.error


def test_a_closed_pipe_ends_the_cli_quietly(tmp_path: Path) -> None:
    """`rigfit catalog list hardware --json | head -1` (1,000+ entries, past any pipe buffer): the reader goes away;
    no traceback, exit 0."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "q.sqlite3")}
    with subprocess.Popen(
        [sys.executable, "-m", "bot.terminal.cli", "catalog", "list", "hardware", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=Path(__file__).parents[1],
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()  # like `head -1`
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipeError" not in err


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("/fit llama-3.1-8b RTX 3090", "Llama-3.1-8B on your hardware"),  # one word: as before
        ("/fit llama 3.1 8b RTX 3090", "Llama-3.1-8B on your hardware"),  # the name in several words
        ("/fit glm 5.2 24GB VRAM + 256GB RAM", "GLM-5.2 on your hardware"),
        ("/cost llama 3.1 8b 2x RTX 3090", "local vs API"),
        ("/fit model:llama 3.1 8b hardware:RTX 3090", "Llama-3.1-8B on your hardware"),  # named
    ],
)
def test_console_reads_a_model_name_of_several_words(cat: Catalog, tmp_path: Path, line: str, heading: str) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    answer = Console(cat, qlog, out=io.StringIO()).handle(line)
    qlog.close()
    assert answer.error is None, answer.error
    from bot.cards import to_text

    assert heading in to_text(answer.card)
