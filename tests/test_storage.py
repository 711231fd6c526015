"""Migrations and the query log writer."""

from __future__ import annotations

from pathlib import Path

from bot.storage import QueryLog, apply_migrations, migration_files, open_db


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
