"""The query log: SQLite through sqlite-utils, numbered migrations at start, WAL, one writer thread.

Front ends call `QueryLog.log(row)`, which only puts the row on a queue: the reply never waits for the disk.
The writer thread takes rows in batches and inserts each batch in one transaction. A failed write is logged
and retried; rows stay queued until written. `close()` flushes everything that is queued.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlite_utils

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(os.environ.get("RIGFIT_MIGRATIONS", Path(__file__).resolve().parent.parent / "migrations"))
_MIGRATION_NAME = re.compile(r"^V(\d+)__[\w-]+\.sql$")
BATCH_MAX = 200
RETRY_S = 0.5
_STOP = object()


class _Forget:
    def __init__(self, user_hash: str) -> None:
        self.user_hash = user_hash
        self.deleted = 0
        self.event = threading.Event()


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = []
    for p in directory.glob("*.sql"):
        m = _MIGRATION_NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def apply_migrations(db: sqlite_utils.Database, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply each migration not yet recorded, each in its own transaction; return the versions applied."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT version FROM _migrations").fetchall()}
    applied = []
    for version, path in migration_files(directory):
        if version in done:
            continue
        with db.conn:
            for statement in _statements(path.read_text(encoding="utf-8")):
                db.conn.execute(statement)
            db.conn.execute(
                "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, datetime('now'))",
                (version, path.name),
            )
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [s.strip() for s in body.split(";") if s.strip()]


def open_db(path: str | Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5)
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    return db


class QueryLog:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = open_db(self.path)
        apply_migrations(self._db)
        self._queue: queue.Queue[Any] = queue.Queue()
        self.written = 0
        self.failed_attempts = 0
        self.dropped = 0  # rows that could not be written at all: counted and logged, never silent
        self.write_failed = threading.Event()  # set at the first failed write (for tests and health)
        self._closing = threading.Event()
        self._retry_on_close = True  # one more try after close() is asked for
        self._thread = threading.Thread(target=self._run, name="query-log-writer", daemon=True)
        self._thread.start()

    def prune(self, retention_days: int) -> int:
        """Delete rows older than the retention period (run at start-up); returns how many went."""
        with self._db.conn:
            cursor = self._db.conn.execute(
                "DELETE FROM queries WHERE ts < strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)",
                (f"-{int(retention_days)} days",),
            )
        return cursor.rowcount

    def log(self, row: dict[str, Any]) -> None:
        self._queue.put(dict(row))

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def forget(self, user_hash: str, timeout_s: float = 10.0) -> int:
        """Delete every row of one user, after writing what is queued; returns how many rows went."""
        done = _Forget(user_hash)
        self._queue.put(done)
        done.event.wait(timeout_s)
        return done.deleted

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Block until every row queued before this call is written (or timeout); True when done."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def _take_batch(self) -> tuple[list[dict[str, Any]], list[Any], bool]:
        batch: list[dict[str, Any]] = []
        markers: list[Any] = []
        item = self._queue.get()
        while True:
            if item is _STOP:
                return batch, markers, True
            if isinstance(item, threading.Event | _Forget):
                markers.append(item)
                if isinstance(item, _Forget):
                    return batch, markers, False
            else:
                batch.append(item)
            if len(batch) >= BATCH_MAX:
                return batch, markers, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, markers, False

    def _write(self, batch: list[dict[str, Any]]) -> None:
        """Insert a batch; on a busy, locked, read-only or full database keep the rows and retry until it
        recovers (or close() gives up on them, counting them). Rows the database refuses as data are written
        one by one and any that still fail are counted in `dropped`, never silently lost."""
        while not self._closing.is_set() or self._retry_on_close:
            try:
                self._insert(batch)
                return
            except sqlite3.IntegrityError:
                self._insert_one_by_one(batch)
                return
            except sqlite3.Error as exc:
                self.failed_attempts += 1
                self.write_failed.set()
                log.warning("query log write failed (%s); %d rows kept for retry", exc, len(batch))
                if self._closing.wait(RETRY_S):
                    self._retry_on_close = False
        self.dropped += len(batch)
        log.error("query log closing with %d rows it could not write", len(batch))

    def _insert(self, batch: list[dict[str, Any]]) -> None:
        with self._db.conn:
            sqlite_utils.db.Table(self._db, "queries").insert_all(batch, alter=False)
        self.written += len(batch)

    def _insert_one_by_one(self, batch: list[dict[str, Any]]) -> None:
        for item in batch:
            try:
                self._insert([item])
            except sqlite3.Error as exc:
                self.dropped += 1
                log.error("query log row refused (%s): %r", exc, item)

    def _delete(self, forget: _Forget) -> None:
        try:
            with self._db.conn:
                cursor = self._db.conn.execute("DELETE FROM queries WHERE user_hash = ?", (forget.user_hash,))
                forget.deleted = cursor.rowcount
        except sqlite3.Error as exc:
            log.warning("forget failed: %s", exc)
        forget.event.set()

    def _run(self) -> None:
        while True:
            batch, markers, stop = self._take_batch()
            if batch:
                self._write(batch)
            for marker in markers:
                if isinstance(marker, _Forget):
                    self._delete(marker)
                else:
                    marker.set()
            if stop:
                return

    def close(self, timeout_s: float = 10.0) -> None:
        """Write everything queued, then stop the writer. Rows still unwritable are counted in `dropped`."""
        self._queue.put(_STOP)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._closing.set()
            self._thread.join(timeout_s)
        if self.dropped:
            log.error("query log: %d rows could not be written", self.dropped)
        self._db.conn.close()

    def rows(self) -> list[dict[str, Any]]:
        """All rows written so far, oldest first (call flush() first for the latest)."""
        db = open_db(self.path)
        try:
            return list(db["queries"].rows_where(order_by="id"))
        finally:
            db.conn.close()


def stats(path: str, guild_id: str | None = None) -> dict[str, Any]:
    """Queries, top models and hardware, answer-time percentiles: for `/stats` and `rigfit db stats`."""
    db = open_db(path)
    try:
        apply_migrations(db)
        where, params = ("WHERE guild_id = ?", [guild_id]) if guild_id else ("", [])
        total = db.execute(f"SELECT count(*) FROM queries {where}", params).fetchone()[0]
        top_models = db.execute(
            f"SELECT model_id, count(*) FROM queries {where} {'AND' if where else 'WHERE'} model_id IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
            params,
        ).fetchall()
        top_hardware = db.execute(
            f"SELECT hardware, count(*) FROM queries {where} {'AND' if where else 'WHERE'} hardware IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
            params,
        ).fetchall()
        latencies = sorted(
            r[0] for r in db.execute(f"SELECT latency_ms FROM queries {where}", params) if r[0] is not None
        )
        errors = db.execute(
            f"SELECT count(*) FROM queries {where} {'AND' if where else 'WHERE'} error IS NOT NULL", params
        ).fetchone()[0]
    finally:
        db.conn.close()

    def pct(p: float) -> float | None:
        return latencies[min(int(p * len(latencies)), len(latencies) - 1)] if latencies else None

    return {
        "queries": total,
        "errors": errors,
        "top_models": top_models,
        "top_hardware": top_hardware,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
    }
