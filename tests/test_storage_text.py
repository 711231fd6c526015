"""Text the query log stores (undecodable code points escaped) and prints (control characters escaped)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.storage import QueryLog, printable, storable_text


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("plain", "plain"),
        ("✓ 𝔤𝔩𝔪 🦙", "✓ 𝔤𝔩𝔪 🦙"),
        ("nul \x00 kept", "nul \x00 kept"),
        ("\ud800", "\\ud800"),
        ("glm\udcff", "glm\\udcff"),
        ("a\udfff\ud800b", "a\\udfff\\ud800b"),
        (os.fsdecode(b"model-\xff.gguf"), "model-\\udcff.gguf"),
        # JSON (raw_args): escaped inside its strings, so decoding it gives the escape, not the surrogate back
        ('{"model": "glm\ud800", "n": [1, "\udcff"]}', '{"model": "glm\\\\ud800", "n": [1, "\\\\udcff"]}'),
        ('{"model": "ok"} \ud800', '{"model": "ok"} \\ud800'),  # not JSON: escaped as text
    ],
)
def test_storable_text(text: str, stored: str) -> None:
    assert storable_text(text) == stored
    storable_text(text).encode("utf-8")  # never raises


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("RTX 3090", "RTX 3090"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("tab\tnew\nline\r", "tab\\x09new\\x0aline\\x0d"),
        ("del\x7f", "del\\x7f"),
        ("c1 \x9b2J \x85", "c1 \\x9b2J \\x85"),
        ("\ud800", "\\ud800"),
        ("é ✓ \u00a0", "é ✓ \u00a0"),  # printable non-ASCII stays
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_undecodable_rows_are_stored_escaped_and_later_rows_still_written(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    base = {"ts": "2026-12-01T00:00:00", "frontend": "test", "command": "fit", "raw_args": "{}"}
    qlog.log(base | {"model_id": "\ud800", "raw_args": '{"model": "glm\udcff"}'})
    qlog.log(base | {"model_id": "after"})
    assert qlog.flush()
    assert [(r["model_id"], r["raw_args"]) for r in qlog.rows()] == [
        ("\\ud800", '{"model": "glm\\\\udcff"}'),
        ("after", "{}"),
    ]
    assert json.loads(qlog.rows()[0]["raw_args"]) == {"model": "glm\\udcff"}
    report = qlog.close()
    assert (report.written, report.rejected, report.dropped) == (2, 0, 0)
