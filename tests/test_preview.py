"""`rigfit preview`: the reply a command line gets, as Discord would receive it, written to files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from discord_spec import validate
from PIL import Image

from bot.terminal import cli
from catalog.catalog import Catalog

CALLBACK = "CreateMessageInteractionCallbackRequest"


@pytest.fixture
def cli_env(cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr(cli, "load", lambda: cat)
    return tmp_path / "out"


@pytest.mark.parametrize(
    ("line", "files", "text"),
    [
        ("/fit glm-5.2 24GB VRAM + 256GB RAM", ["chart.png", "message.json"], "GLM-5.2 on your hardware"),
        ("/compare first:llama-3.1-8b second:gemma-3-27b against:RTX 3090", ["chart.png", "message.json"], "Gemma"),
        ("/quants glm-5.2", ["message.json"], "UD-Q4_K_XL"),  # page 1 of the ladder, most bits first
        ("/model glm-5.2", ["message.json"], "MLA"),
    ],
)
def test_preview_writes_the_callback_body_and_its_files(
    cli_env: Path, capsys: pytest.CaptureFixture[str], line: str, files: list[str], text: str
) -> None:
    assert cli.main(["preview", line, "--out", str(cli_env)]) == 0
    assert sorted(p.name for p in cli_env.iterdir()) == files
    body = json.loads((cli_env / "message.json").read_text(encoding="utf-8"))
    validate(CALLBACK, body)
    data = body["data"]
    assert data["flags"] & (1 << 15) and data["allowed_mentions"] == {"parse": []}
    assert text in json.dumps(data["components"], ensure_ascii=False)
    assert [a["filename"] for a in data.get("attachments", [])] == [f for f in files if f != "message.json"]
    if "chart.png" in files:
        with Image.open(cli_env / "chart.png") as image:
            assert (image.format, image.size) == ("PNG", (960, 440))
        assert (cli_env / "chart.png").stat().st_size < 200_000


def test_preview_of_a_bad_line_is_the_private_one_liner(cli_env: Path) -> None:
    assert cli.main(["preview", "/fit no-such-model 256GB", "--out", str(cli_env)]) == 0
    body = json.loads((cli_env / "message.json").read_text(encoding="utf-8"))
    validate(CALLBACK, body)
    assert body["data"]["flags"] == 64 and "I don't know the model" in body["data"]["content"]


def test_preview_of_an_unknown_command_exits_2(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["preview", "/bogus", "--out", str(cli_env)]) == 2
    assert "/bogus" in capsys.readouterr().err
