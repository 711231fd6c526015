"""`rigfit report add|list|delete`, `rigfit reports export` and `rigfit calibrate --with-reports` in the shell."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.member_reports import MEASURED_RUN_COLUMNS
from bot.terminal import cli
from catalog.loader import Catalog
from tests.llama_bench_pastes import CUDA_3090, LLAMA8_Q8, QWEN3_MOE, fake, table


@pytest.fixture
def shell(real_catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("HASH_KEY", raising=False)
    monkeypatch.setattr(cli, "load", lambda: real_catalog)
    return tmp_path


def paste_file(folder: Path, name: str, text: str | bytes) -> str:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def test_report_add_list_export_delete(shell: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = paste_file(shell, "3090.md", table(*LLAMA8_Q8, devices=CUDA_3090))
    assert cli.main(["report", "add", first, "--hardware", "RTX 3090", "--model", "llama-3.1-8b"]) == 0
    assert "Stored as report #1: 2 rows" in capsys.readouterr().out
    second = paste_file(shell, "4090.md", table(*QWEN3_MOE))
    assert cli.main(["report", "add", second, "--hardware", "RTX 4090 + 64GB DDR5-6000"]) == 0
    assert "qwen3-30b-a3b" in capsys.readouterr().out

    assert cli.main(["report", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["models"], r["decode_tokens_per_s"]) for r in listed] == [
        (2, ["qwen3-30b-a3b"], [148.02]),
        (1, ["llama-3.1-8b"], [87.41]),
    ]
    assert cli.main(["reports", "export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == MEASURED_RUN_COLUMNS and len(rows) == 4
    assert {(r["model"], r["phase"], r["source"].split(" (")[0]) for r in rows} >= {
        ("llama-3.1-8b", "decode", "rigfit member report #1"),
        ("qwen3-30b-a3b", "prefill", "rigfit member report #2"),
    }
    assert all("user_hash" not in r and r["source_type"] == "member" for r in rows)

    assert cli.main(["report", "delete", "7"]) == 2
    assert "no report #7" in capsys.readouterr().err
    assert cli.main(["report", "delete", "1"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "list"]) == 0
    assert capsys.readouterr().out.startswith("#2 ")


@pytest.mark.parametrize(
    ("text", "hardware", "said"),
    [
        (b"x" * 1_000_000, "RTX 3090", "that paste is 977 KB; keep it under 128 KB"),
        (fake(QWEN3_MOE, "148.02", "1480.02"), "RTX 4090", "faster than 1008 GB/s"),
        (table(*LLAMA8_Q8), "RTX 3090", "could be"),  # llama 8B: three catalog models
        ("just vibes, no table", "RTX 3090", "no llama-bench rows"),
    ],
)
def test_a_refused_report_exits_non_zero_and_stores_nothing(
    shell: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, hardware: str, said: str
) -> None:
    assert cli.main(["report", "add", paste_file(shell, "paste.txt", text), "--hardware", hardware]) == 2
    assert said in capsys.readouterr().err
    assert cli.main(["report", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_fit_in_the_shell_shows_your_reports(shell: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = paste_file(shell, "3090.md", table(*LLAMA8_Q8, devices=CUDA_3090))
    assert cli.main(["report", "add", path, "--hardware", "RTX 3090", "--model", "llama-3.1-8b"]) == 0
    capsys.readouterr()
    assert cli.main(["fit", "llama-3.1-8b", "RTX 3090"]) == 0
    assert "1 member measured 87 tok/s" in capsys.readouterr().out


def test_calibrate_with_reports_prints_the_change_and_writes_nothing(
    shell: Path, calibration_once: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fit on the published runs alone is the session's (tests/conftest.py); the one with the report is made."""
    path = paste_file(shell, "3090.md", table(*LLAMA8_Q8, devices=CUDA_3090))
    assert cli.main(["report", "add", path, "--hardware", "RTX 3090", "--model", "llama-3.1-8b"]) == 0
    capsys.readouterr()
    assert cli.main(["calibrate", "--with-reports"]) == 0
    out = capsys.readouterr().out
    assert "with 2 rows of members' reports (the stored fit stays on published runs)" in out
    decode = next(line for line in out.splitlines() if line.strip().startswith("decode:") and "->" in line)
    before, after = (int(n) for n in decode.split(" rows")[0].split(":")[1].split("->"))
    assert after == before + 1  # the report's decode row is scored across sources, as its own publication
