"""Migrations on older databases, start-up faults as StorageError, prune's limits."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage import QueryLog, StorageError, apply_migrations, migration_files, open_db, stats
from bot.storage.schema import _statements, is_outage

ROW = {"ts": "2026-12-01T00:00:00", "frontend": "test", "command": "fit", "raw_args": "{}"}
V1_COLUMNS = "id INTEGER PRIMARY KEY, ts TEXT NOT NULL, frontend TEXT NOT NULL, command TEXT NOT NULL, raw_args TEXT"


def make_old_db(path: Path, columns: str, migrations_recorded: list[int]) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE queries ({columns})")
    conn.execute("INSERT INTO queries (ts, frontend, command, raw_args) VALUES ('2026-01-01', 'cli', 'fit', '{}')")
    if migrations_recorded:
        conn.execute("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        for version in migrations_recorded:
            conn.execute("INSERT INTO _migrations (version) VALUES (?)", (version,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("columns", "recorded"),
    [
        (V1_COLUMNS + ", model_id TEXT, hardware TEXT, verdict TEXT, best_quant TEXT, latency_ms REAL, error TEXT, "
         "user_hash TEXT, guild_id TEXT", []),  # an older rigfit: no channel_id, no _migrations table
        (V1_COLUMNS + ", model_id TEXT, hardware TEXT, verdict TEXT, best_quant TEXT, latency_ms REAL, error TEXT, "
         "user_hash TEXT, guild_id TEXT", [1]),  # what the old apply_migrations left: V001 recorded, column missing
        (V1_COLUMNS, []),  # only the first columns
    ],
)  # fmt: skip
def test_older_tables_are_brought_up_to_date(tmp_path: Path, columns: str, recorded: list[int]) -> None:
    path = tmp_path / "q.sqlite3"
    make_old_db(path, columns, recorded)
    qlog = QueryLog(path)
    qlog.log(ROW | {"channel_id": "42", "guild_id": "7", "model_id": "glm-5.2", "latency_ms": 3.0})
    report = qlog.close()
    assert (report.written, report.rejected, report.dropped) == (1, 0, 0)
    rows = QueryLog(path).rows()
    assert [r["channel_id"] for r in rows] == [None, "42"]
    assert stats(path)["queries"] == 2  # the old row was counted when the aggregates were made
    assert stats(path, "7")["top_models"] == [("glm-5.2", 1)]
    db = open_db(path)
    assert {v for (v,) in db.execute("SELECT version FROM _migrations")} == {v for v, _ in migration_files()}
    assert apply_migrations(db) == []


def test_a_row_naming_a_column_that_does_not_exist_is_refused_once(tmp_path: Path) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    qlog.log(ROW | {"shard": 3})
    qlog.log(ROW)
    assert qlog.flush(5)
    report = qlog.close()
    assert (report.written, report.rejected, report.dropped, qlog.failed_attempts) == (1, 1, 0, 0)


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        ("CREATE TABLE a (x); CREATE INDEX i ON a (x);", ["CREATE TABLE a (x)", "CREATE INDEX i ON a (x)"]),
        ("-- only a comment\n", []),
        (
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  DELETE FROM c;\nEND;\nSELECT 1;",
            [
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  DELETE FROM c;\nEND",
                "SELECT 1",
            ],
        ),
    ],
)
def test_migration_statements(sql: str, statements: list[str]) -> None:
    assert _statements(sql) == statements


# ---------------------------------------------------------------------------------------------- start-up faults


def test_corrupt_file_is_a_permanent_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(StorageError) as caught:
        QueryLog(path, open_timeout_s=0.2)
    assert not caught.value.transient
    assert str(path) in str(caught.value) and "not a database" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_folder_that_is_a_file_is_a_permanent_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    path = tmp_path / "file" / "q.sqlite3"
    with pytest.raises(StorageError) as caught:
        QueryLog(path, open_timeout_s=0.2)
    assert not caught.value.transient and str(path) in str(caught.value)


def test_locked_database_is_retried_then_a_transient_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with rollback_journal_lock(path), pytest.raises(StorageError) as caught:
        QueryLog(path, open_timeout_s=0.3, busy_timeout_s=0.05)
    assert caught.value.transient and "locked" in str(caught.value)


def test_lock_released_during_the_retries_opens(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    retrying = threading.Event()
    handler = EventHandler(retrying, "retrying")
    logging.getLogger("bot.storage.sqlite").addHandler(handler)
    opened: list[QueryLog] = []
    try:
        with rollback_journal_lock(path):
            opener = threading.Thread(
                target=lambda: opened.append(QueryLog(path, open_timeout_s=20, busy_timeout_s=0.05))
            )
            opener.start()
            assert retrying.wait(10)
        opener.join(20)
    finally:
        logging.getLogger("bot.storage.sqlite").removeHandler(handler)
    assert len(opened) == 1
    opened[0].close()


def test_read_only_database_is_a_permanent_error() -> None:
    """As root, chmod does not make a file read-only, so this checks the classification of the real error a
    read-only database raises (opened with mode=ro) rather than QueryLog() on a read-only mount."""
    conn = sqlite3.connect("file::memory:?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("CREATE TABLE t (x)")
    error = StorageError.from_exception("/data/q.sqlite3", caught.value)
    assert not error.transient and "readonly" in str(error).lower() and "/data/q.sqlite3" in str(error)
    assert is_outage(caught.value)  # at run time: rows are kept (journaled), not refused


class EventHandler(logging.Handler):
    def __init__(self, event: threading.Event, text: str) -> None:
        super().__init__()
        self.event, self.text = event, text

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


class rollback_journal_lock:
    """A new database in rollback-journal mode held by BEGIN EXCLUSIVE: nobody else can even read it."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("CREATE TABLE IF NOT EXISTS placeholder (x)")

    def __enter__(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")
        self.conn.execute("INSERT INTO placeholder VALUES (1)")

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


# ---------------------------------------------------------------------------------------------- prune


@pytest.mark.parametrize("days", [0, -1, 1.5, True, "30", None])
def test_prune_refuses_a_retention_that_is_not_whole_days_from_one(tmp_path: Path, days: object) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    with pytest.raises(ValueError, match=f"got {days!r}"):
        qlog.prune(days)  # type: ignore[arg-type]
    qlog.close()


def test_prune_in_chunks_keeps_recent_rows_and_the_aggregates(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    for _ in range(7):
        qlog.log(ROW | {"ts": "2020-01-01T00:00:00", "model_id": "old", "guild_id": "7"})
    qlog.log(ROW | {"ts": "2999-01-01T00:00:00", "model_id": "new", "guild_id": "7"})
    assert qlog.flush()
    assert qlog.prune(30, chunk_rows=2) == 7
    assert [r["model_id"] for r in qlog.rows()] == ["new"]
    assert stats(path, "7")["top_models"] == [("new", 1)] and stats(path, "7")["queries"] == 1
    qlog.close()


def test_prune_on_an_in_memory_log(tmp_path: Path) -> None:
    qlog = QueryLog(":memory:")
    qlog.log(ROW | {"ts": "2020-01-01T00:00:00"})
    qlog.log(ROW | {"ts": "2999-01-01T00:00:00"})
    assert qlog.flush()
    assert qlog.prune(1) == 1 and len(qlog.rows()) == 1
    assert qlog.close().written == 2
