"""Migrations and the query log writer."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import ANY

from bot.storage import CloseReport, ForgetResult, QueryLog, apply_migrations, migration_files, open_db


def test_migrations_apply_once_on_memory_db() -> None:
    db = open_db(":memory:")
    first = apply_migrations(db)
    assert first == [v for v, _ in migration_files()]
    assert apply_migrations(db) == []
    columns = {c.name for c in db["queries"].columns}
    assert {"ts", "command", "raw_args", "model_id", "hardware", "verdict", "latency_ms", "error"} <= columns


def test_migration_names_are_numbered_and_unique() -> None:
    versions = [v for v, _ in migration_files()]
    assert versions == sorted(set(versions)) and versions[0] == 1


def row(i: int) -> dict[str, object]:
    return {
        "ts": f"2026-11-22T00:00:{i % 60:02d}",
        "frontend": "test",
        "command": "fit",
        "raw_args": "{}",
        "latency_ms": 1.0,
    }


def test_writer_writes_every_row_in_batches(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    for i in range(450):
        qlog.log(row(i))
    assert qlog.flush()
    assert len(qlog.rows()) == 450
    qlog.close()


def test_close_flushes_what_is_queued(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    for i in range(50):
        qlog.log(row(i))
    qlog.close()
    db = open_db(path)
    assert db["queries"].count == 50


def test_raw_text_is_stored_verbatim(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    nasty = "'); DROP TABLE queries; -- @everyone \x00 ✓"
    qlog.log(row(1) | {"raw_args": nasty})
    qlog.flush()
    assert qlog.rows()[0]["raw_args"] == nasty
    qlog.close()


def test_prune_removes_only_old_rows(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    qlog.log(row(1) | {"ts": "2020-01-01T00:00:00.000+00:00"})
    qlog.log(row(2) | {"ts": "2999-01-01T00:00:00.000+00:00"})
    qlog.flush()
    assert qlog.prune(90) == 1
    assert [r["ts"][:4] for r in qlog.rows()] == ["2999"]
    qlog.close()


def test_forget_deletes_one_users_rows_after_queued_ones(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    for user in ("a", "b", "a"):
        qlog.log(row(1) | {"user_hash": user})
    assert qlog.forget("a") == ForgetResult(deleted=2, pending=False)
    assert [r["user_hash"] for r in qlog.rows()] == ["b"]
    qlog.close()


def test_stats(tmp_path: Path) -> None:
    from bot.storage import stats

    qlog = QueryLog(tmp_path / "q.sqlite3")
    for i, model in enumerate(["glm-5.2", "glm-5.2", "gpt-oss-20b", None]):
        qlog.log(
            row(i) | {"model_id": model, "guild_id": "7", "latency_ms": float(i + 1), "error": None if model else "x"}
        )
    qlog.close()
    s = stats(str(tmp_path / "q.sqlite3"), "7")
    assert s["queries"] == 4 and s["errors"] == 1
    assert s["top_models"][0] == ("glm-5.2", 2)
    assert s["p50_ms"] == 3.0 and s["p99_ms"] == 4.0
    assert stats(str(tmp_path / "q.sqlite3"), "8")["queries"] == 0


def test_full_database_keeps_rows_until_it_recovers(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3", busy_timeout_s=0.1)
    qlog.log(row(0))
    assert qlog.flush()
    qlog.call_on_writer(lambda c: c.execute(f"PRAGMA max_page_count = {c.execute('PRAGMA page_count').fetchone()[0]}"))
    for i in range(300):
        qlog.log(row(i) | {"raw_args": "x" * 2000})
    assert qlog.write_failed.wait(10)
    assert len(qlog.rows()) == 1  # nothing more could be written, nothing was dropped
    qlog._conn.execute("PRAGMA max_page_count = 1073741823")  # type: ignore[union-attr]  # space again
    assert qlog.flush(30)
    assert len(qlog.rows()) == 301
    assert qlog.close() == CloseReport(written=301, journaled=0, rejected=0, dropped=0, journal_path=ANY)


def test_read_only_database_rows_are_journaled_on_close_and_written_at_next_start(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=0.1)
    qlog.call_on_writer(lambda c: c.execute("PRAGMA query_only = ON"))  # writes now fail as on a read-only file
    for i in range(5):
        qlog.log(row(i))
    assert qlog.write_failed.wait(10)
    report = qlog.close(timeout_s=0.1)
    assert (report.written, report.journaled, report.dropped) == (0, 5, 0)
    assert report.journal_path == str(path) + ".journal.jsonl"
    assert len(list(tmp_path.glob("q.sqlite3.journal*.jsonl"))) == 1
    again = QueryLog(path)
    assert again.close().written == 5
    assert len(again.rows()) == 5 and not list(tmp_path.glob("q.sqlite3.journal*"))


def test_rows_the_database_refuses_are_kept_aside_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    qlog.log(row(1))
    qlog.log({"frontend": "test"})  # no ts/command: NOT NULL refuses it
    qlog.log(row(2))
    assert qlog.flush()
    assert len(qlog.rows()) == 2 and qlog.rejected == 1 and qlog.dropped == 0
    report = qlog.close()
    assert (report.written, report.rejected, report.dropped) == (2, 1, 0)
    rejected = [json.loads(line) for line in Path(f"{path}.rejected.jsonl").read_text().splitlines()]
    assert rejected[0]["row"] == {"frontend": "test"} and "NOT NULL" in rejected[0]["reason"]
