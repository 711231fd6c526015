"""The journal: rows kept on disk are replayed exactly once, even after a replay cut short; log() never raises."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.storage import ForgetResult, QueryLog
from bot.storage.faults import stored_seqs
from bot.storage.sqlite import REPLAY_CHUNK_ROWS


def row(seq: int, **extra: Any) -> dict[str, Any]:
    raw = json.dumps({"fault": "journal", "seq": seq})
    return {"ts": "2026-12-01T00:00:00", "frontend": "test", "command": "fit", "raw_args": raw} | extra


def journal_line(seq: int) -> str:
    return json.dumps({"row": row(seq), "reason": "test", "at": "2026-12-01T00:00:00"}) + "\n"


def test_a_replay_cut_short_resumes_without_inserting_twice(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    QueryLog(path).close()  # the database and its tables
    sent = 2 * REPLAY_CHUNK_ROWS + 5  # three chunks
    claimed = tmp_path / "q.sqlite3.journal.0123abcd.replaying.jsonl"
    claimed.write_text("".join(journal_line(seq) for seq in range(sent)))
    conn = sqlite3.connect(path)  # what a process that stopped after the first chunk left behind
    first = [row(seq) for seq in range(REPLAY_CHUNK_ROWS)]
    conn.executemany(
        "INSERT INTO queries (ts, frontend, command, raw_args) VALUES (:ts, :frontend, :command, :raw_args)", first
    )
    conn.execute("INSERT INTO _journal_replays VALUES ('0123abcd', 0, '2026-12-01')")
    conn.commit()
    conn.close()
    report = QueryLog(path).close()
    assert report.written == sent - REPLAY_CHUNK_ROWS and report.journaled == 0
    seqs = stored_seqs(path, "journal")
    assert len(seqs) == sent and max(seqs.values()) == 1
    assert not claimed.exists()


def test_a_line_cut_short_by_a_crash_is_skipped_and_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "q.sqlite3"
    Path(f"{path}.journal.jsonl").write_text(journal_line(0) + journal_line(1) + journal_line(2)[:30])
    report = QueryLog(path).close()
    assert report.written == 2 and sorted(stored_seqs(path, "journal")) == [0, 1]
    assert "not JSON" in caplog.text


def test_rows_logged_after_close_are_journaled_and_written_next_time(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    first = qlog.close()
    qlog.log(row(1))
    assert qlog.flush() is False
    assert qlog.forget("a", timeout_s=0.1) == ForgetResult(deleted=None, pending=True)
    assert qlog.close() == first  # closing twice: the same report
    assert QueryLog(path).close().written == 1
    assert sorted(stored_seqs(path, "journal")) == [1]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row(1, model_id=["a", "list"]), "not supported"),
        (row(1, latency_ms=10**30), "too large"),
        (row(1, **{'x"); DROP TABLE queries; --': 1}), "no column named"),
        ({"frontend": "test"}, "NOT NULL"),
    ],
)
def test_a_refused_row_goes_aside_with_the_reason(tmp_path: Path, bad: dict[str, Any], reason: str) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    qlog.log(row(0))
    qlog.log(bad)
    qlog.log(row(2))
    report = qlog.close()
    assert (report.written, report.rejected, report.dropped) == (2, 1, 0)
    rejected = [json.loads(line) for line in Path(f"{path}.rejected.jsonl").read_text().splitlines()]
    assert len(rejected) == 1 and reason in rejected[0]["reason"]


@pytest.mark.parametrize("bad", [None, 42, "text", [1, 2]])
def test_log_never_raises(tmp_path: Path, bad: Any) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    qlog.log(bad)
    qlog.log(row(1))
    report = qlog.close()
    assert report.written == 1 and report.dropped + report.rejected == 1
